"""Release countdowns and scheduled announcements: the cogs, the date arithmetic, the engine."""

from __future__ import annotations

from bot.client import MarqueeBot
from cogs.countdowns.cog import Countdowns, Events
from cogs.countdowns.engine import Announcer


async def setup(bot: MarqueeBot) -> None:
    countdowns = Countdowns(bot)
    await bot.add_cog(countdowns)
    await bot.add_cog(Events(bot, countdowns))


def announcer_of(bot: MarqueeBot) -> Announcer:
    """The running announcement engine, for the settings commands."""
    cog = bot.get_cog("Countdowns")
    if not isinstance(cog, Countdowns):
        raise RuntimeError("countdowns are not loaded")
    return cog.announcer
