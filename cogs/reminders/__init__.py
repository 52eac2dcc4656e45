"""Opt-in DM reminders: the cog, its buttons, the timing arithmetic and the delivery engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.client import MarqueeBot


async def setup(bot: MarqueeBot) -> None:
    from cogs.reminders.cog import Reminders
    from cogs.reminders.views import CancelButton, RemindButton, RetryButton, StopButton

    await bot.add_cog(Reminders(bot, bot.services.reminders, bot.services.lookup))
    bot.add_dynamic_items(RemindButton, StopButton, CancelButton, RetryButton)
