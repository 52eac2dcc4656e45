"""Opt-in DM reminders: the cog, its buttons, the timing arithmetic and the delivery engine."""

from __future__ import annotations

from bot.client import MarqueeBot
from cogs.reminders.cog import Reminders
from cogs.reminders.views import CancelButton, RemindButton, RetryButton, StopButton


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(Reminders(bot))
    bot.add_dynamic_items(RemindButton, StopButton, CancelButton, RetryButton)
