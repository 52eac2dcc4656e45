"""Opt-in DM reminders: the cog, its buttons, the timing arithmetic and the delivery engine."""

from __future__ import annotations

from bot.client import MarqueeBot


async def setup(bot: MarqueeBot) -> None:
    # Imported here: countdown posts and film cards carry this package's buttons (`cogs.reminders.views`),
    # and importing the package must not pull in the cog, which itself builds on countdowns and films.
    from cogs.reminders.cog import Reminders
    from cogs.reminders.views import CancelButton, RemindButton, RetryButton, StopButton

    await bot.add_cog(Reminders(bot))
    bot.add_dynamic_items(RemindButton, StopButton, CancelButton, RetryButton)
