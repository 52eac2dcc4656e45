"""Film lookups: the cogs, their components, the matcher and the renderers."""

from __future__ import annotations

from bot.client import MarqueeBot
from cogs.films.cog import Films, People
from cogs.films.lookup import Lookup
from cogs.films.views import FilmButton, FilmMenu, PickButton


async def setup(bot: MarqueeBot) -> None:
    films = Films(bot, await Lookup.load(bot.catalogue))
    await bot.add_cog(films)
    await bot.add_cog(People(bot, films))
    bot.add_dynamic_items(FilmButton, FilmMenu, PickButton)


def current_lookup(bot: MarqueeBot) -> Lookup:
    """The live film, person and character indexes, for other features (trivia, settings...)."""
    cog = bot.get_cog("Films")
    if not isinstance(cog, Films):
        raise RuntimeError("film lookups are not loaded")
    return cog.lookup
