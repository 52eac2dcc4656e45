"""Film lookups: the cogs, their components, the look-up service, the matcher and the renderers."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.client import MarqueeBot


async def setup(bot: MarqueeBot) -> None:
    # The cogs are imported here, not at the top: importing the package (for the matcher or the
    # indexes, as `python -m bot pack load` does) must not pull in the Discord side.
    from cogs.films.cog import Films, People
    from cogs.films.views import FilmButton, FilmMenu, PickButton

    await bot.add_cog(Films(bot, bot.services.lookup))
    await bot.add_cog(People(bot, bot.services.lookup))
    bot.add_dynamic_items(FilmButton, FilmMenu, PickButton)
