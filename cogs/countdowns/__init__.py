"""Release countdowns and scheduled announcements: the cogs, the date arithmetic, the engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.client import MarqueeBot


async def setup(bot: MarqueeBot) -> None:
    # The cogs are imported here, not at the top: importing the package (for its plain modules or its
    # engine) must not pull in the Discord side.
    from cogs.countdowns.cog import Countdowns, Events

    countdowns = Countdowns(bot, bot.services.announcer, bot.services.lookup)
    await bot.add_cog(countdowns)
    await bot.add_cog(Events(bot, bot.services.announcer))
