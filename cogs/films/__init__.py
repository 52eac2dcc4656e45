"""Film lookups: the cogs, their components, the matcher and the renderers."""

from __future__ import annotations

import asyncio

from discord import app_commands

from bot.client import MarqueeBot
from bot.errors import UserFacingError
from bot.formatting import quote
from cogs.films.cog import Films, People
from cogs.films.lookup import Lookup
from cogs.films.views import FilmButton, FilmMenu, PickButton


async def setup(bot: MarqueeBot) -> None:
    films = Films(bot, await Lookup.load(bot.catalogue))
    await bot.add_cog(films)
    await bot.add_cog(People(bot, films))
    bot.add_dynamic_items(FilmButton, FilmMenu, PickButton)


def films_of(bot: MarqueeBot) -> Films:
    cog = bot.get_cog("Films")
    if not isinstance(cog, Films):
        raise RuntimeError("film lookups are not loaded")
    return cog


def current_lookup(bot: MarqueeBot) -> Lookup:
    """The live film, person and character indexes, for other features (trivia, settings...)."""
    return films_of(bot).lookup


async def indexed_lookup(bot: MarqueeBot) -> Lookup:
    """The live indexes once they are built: features that read all of them (trivia's question pool)
    wait for the build rather than compete with it for the interpreter, so autocomplete works sooner."""
    cog = films_of(bot)
    if cog.indexing is not None and not cog.indexing.done():
        await asyncio.shield(cog.indexing)
    return cog.lookup


def film_key_for(bot: MarqueeBot, query: str) -> str:
    """The key of the one film `query` names, for options of other features (spoiler gate, trivia film).

    Unlike the lookup commands there is no "Did you mean…" step here: a near tie or no match is
    refused with a clear message, and autocomplete offers the exact choices.
    """
    match = current_lookup(bot).films.resolve(query)
    if not match.found or match.best is None:
        raise UserFacingError(f"No single film called “{quote(query)}”; pick one from the list.")
    return match.best.key


def film_choices(bot: MarqueeBot, current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete choices for a film option of any feature (none while the catalogue is being indexed)."""
    films = current_lookup(bot).films
    if not films.ready:
        return []
    return [app_commands.Choice(name=c.label, value=c.value) for c in films.complete(current)]
