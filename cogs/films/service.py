"""The film look-up service: the catalogue's search indexes, built once and shared by every feature.

Built with the bot (`bot.services`), started before the cogs load, and handed to every cog that looks
films, people or characters up: the film cogs, and the film options of countdowns, reminders, settings
and trivia. It also keeps what makes a film card cheap: every film's card text (in the database), the
embeds made recently, and members' and servers' chosen regions.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time

import discord
from discord import app_commands

from bot.clock import Clock
from bot.errors import UserFacingError
from bot.formatting import quote
from bot.i18n import SOURCE_LANGUAGE, Speech, catalogue_name
from bot.memory import release_free_memory
from bot.regions import country_from_locale
from cogs.films import render
from cogs.films.catalogue_reads import card_format, details_of, fill_card_texts, unpack_card
from cogs.films.lookup import Lookup
from cogs.films.region_cache import RecentRegions, Regions
from cogs.films.search.films import shorten_label
from cogs.films.search.index import MAX_CHOICE_CHARS
from cogs.films.search.snapshots import SnapshotMismatch
from db import CatalogueRepository, Database
from db.repositories import preferred_regions
from db.repositories.models import Film

log = logging.getLogger(__name__)

CARD_CACHE = 2048  # embeds kept for the same film, region and day; evicted oldest first
INDEX_WAIT = 2.0  # seconds a command waits for indexes still being built


class LookupService:
    """The live indexes over the catalogue, and the film cards made from them.

    `start` reads the catalogue and builds the indexes (or reads back those kept in the database) in
    a worker thread; until they are ready, autocomplete offers nothing and commands wait briefly
    (`ready`). `generation` counts the builds: a feature built on the indexes (trivia's question pool)
    awaits `indexed()` and, when the generation it built from is no longer the current one, builds again.
    """

    def __init__(self, catalogue: CatalogueRepository, database: Database, clock: Clock) -> None:
        self.catalogue = catalogue
        self.database = database
        self.clock = clock
        self._lookup: Lookup | None = None
        self._started = asyncio.Event()
        self.generation = 0
        self.indexing: asyncio.Task[Lookup] | None = None
        self.cards_and_keeping: asyncio.Task[None] | None = None
        self.packs_digest = ""
        """The packs' digest (`CatalogueRepository.packs_digest`) of the catalogue the indexes are of: what
        is made from them (film cards, trivia's question pool) is kept under it."""
        self.cards_from = ""
        """What the current catalogue's cards are kept under (`card_format` and `packs_digest`)."""
        self.card_embeds: dict[tuple[int, str, dt.date, str, render.LocalFilm | None], discord.Embed] = {}
        self.regions = RecentRegions()

    # ---- life cycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Read the catalogue (the packs are loaded by now) and start indexing it."""
        await self.reload()

    def stop(self) -> None:
        for task in (self.indexing, self.cards_and_keeping):
            if task is not None:
                task.cancel()

    async def reload(self) -> None:
        """Index the catalogue as it stands now; its cards are those kept under its packs' digest (the
        ones kept for another catalogue are never shown, and are dropped once this one's are made)."""
        # The digest before the rows (as `Lookup.load` does): a card made from rows newer than the
        # digest is only used until the reload that the newer pack load brings.
        self.packs_digest = await self.catalogue.packs_digest()
        self.cards_from = f"{card_format()}|{self.packs_digest}"
        self._lookup = await Lookup.load(self.catalogue)
        self.card_embeds.clear()
        self.generation += 1
        self.start_indexing()
        self._started.set()

    def start_indexing(self) -> None:
        """Build the indexes, or read back those kept in the database, in a worker thread: for a large
        catalogue that takes seconds, and autocomplete must keep answering (with nothing, until the
        indexes are ready) rather than stall the bot."""
        self.stop()  # a build still running was of a catalogue that is no longer the current one
        self.cards_and_keeping = None
        self.indexing = asyncio.create_task(self.index_catalogue(), name="film-indexing")

    async def index_catalogue(self) -> Lookup:
        started = time.perf_counter()
        try:
            lookup = await asyncio.to_thread(self.current.prepare)
        except SnapshotMismatch:
            log.warning("the stored look-up indexes do not fit the catalogue; building them", exc_info=True)
            self._lookup = await Lookup.load(self.catalogue, stored=False)
            lookup = await asyncio.to_thread(self._lookup.prepare)
        how = "read back from the database" if lookup.restored else "built"
        if not lookup.restored:
            del lookup  # the built indexes are let go as soon as those read back replace them
            lookup = await self.keep_and_read_back()
        # Reading the indexes back (or building them) frees as much as they keep.
        await asyncio.to_thread(release_free_memory)
        log.info("look-up indexes %s in %.2f s", how, time.perf_counter() - started)
        # Then the cards and keeping the indexes for the next start, which nothing waits for (a card
        # asked for sooner is made on the spot).
        self.cards_and_keeping = asyncio.create_task(self.prepare_cards_and_keep(lookup), name="film-cards")
        return lookup

    async def keep_and_read_back(self) -> Lookup:
        """Keep the freshly built live indexes in the database and serve them as read back from it: built
        ones hold what building them left scattered over the process's memory, read-back ones only their
        tables, about half as much. The built ones stay live if they cannot be kept or read back."""
        built = self.current
        try:
            if not await built.store(self.catalogue, self.clock.now()):
                return built  # the catalogue changed meanwhile: the next reload builds again
            kept = await Lookup.load(self.catalogue)
        except Exception:
            # Only memory and the next start's speed depend on it.
            log.exception("could not keep the look-up indexes in the database and read them back")
            return built
        if not kept.restored or self._lookup is not built:
            return built  # not kept after all, or replaced meanwhile (a reload cancels this task)
        # Swapped before the tables are made, so that the built ones are gone by then: a look-up meanwhile
        # waits for this task, as during any build (`ready`).
        self._lookup = kept
        del built
        try:
            return await asyncio.to_thread(kept.prepare)
        except SnapshotMismatch:
            log.warning("the look-up indexes just kept do not read back; building them again", exc_info=True)
            self._lookup = await Lookup.load(self.catalogue, stored=False)
            return await asyncio.to_thread(self._lookup.prepare)

    async def prepare_cards_and_keep(self, lookup: Lookup) -> None:
        await self.prepare_cards(lookup)
        try:
            await lookup.store(self.catalogue, self.clock.now())
        except Exception:
            # Only the next start's speed depends on it.
            log.exception("could not keep the look-up indexes in the database")

    async def prepare_cards(self, lookup: Lookup) -> None:
        """Every film's card text, kept in the database (made only for the films that have none from
        this catalogue), so that a card costs one read and little rendering: rendering is most of the
        work of /film info on a large catalogue, where few cards are asked for twice. Kept there rather
        than in memory: a card for each of 100,000 films would hold a hundred megabytes."""
        made = await fill_card_texts(self.catalogue, lookup, self.cards_from)
        if made:
            log.info("film cards made for %d films", made)
            # Reading and rendering the credits freed what it used: hand it back to the system.
            await asyncio.to_thread(release_free_memory)

    # ---- the indexes ----------------------------------------------------------------------------

    @property
    def current(self) -> Lookup:
        """The live indexes, possibly still being built (`Lookup.ready`)."""
        if self._lookup is None:
            raise RuntimeError("the film look-up service is not started")
        return self._lookup

    async def indexed(self) -> Lookup:
        """The live indexes once they are built: features that read all of them (trivia's question pool)
        wait for the build rather than compete with it for the interpreter, so autocomplete works sooner.
        Before `start` (cogs loaded without the services running, as `python -m bot check` does) it waits
        for the start."""
        await self._started.wait()
        if self.indexing is not None and not self.indexing.done():
            await asyncio.shield(self.indexing)
        return self.current

    async def ready(self) -> Lookup:
        """The indexes, waiting a little if they are still being built (interactions allow 3 s)."""
        if not self.current.ready and self.indexing is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.indexing), INDEX_WAIT)
        if not self.current.ready:
            raise UserFacingError("The film catalogue is still being indexed; try again in a moment.")
        return self.current

    def film(self, key: str) -> Film | None:
        """The film with this key (an autocomplete pick, a stored target); never waits for the indexes."""
        return self.current.film(key)

    def film_key(self, query: str) -> str:
        """The key of the one film `query` names, for options of other features (spoiler gate, trivia film).

        Unlike the lookup commands there is no "Did you mean…" step here: a near tie or no match is
        refused with a clear message, and autocomplete offers the exact choices.
        """
        match = self.current.films.resolve(query)
        if not match.found or match.best is None:
            raise UserFacingError("No single film called “{query}”; pick one from the list.", query=quote(query))
        return match.best.key

    def film_choices(self, current: str) -> list[app_commands.Choice[str]]:
        """Autocomplete choices for any film option (none while the catalogue is being indexed: never
        make Discord wait past its 3 s)."""
        films = self.current.films
        if not films.ready:
            return []
        return [app_commands.Choice(name=choice.label, value=choice.value) for choice in films.complete(current)]

    async def film_choices_in(self, current: str, t: Speech, locale: str | None) -> list[app_commands.Choice[str]]:
        """`film_choices` for a member: a film with a title in their language shows it first, then its
        own ("Mission impossible : Protocole fantôme — Mission: Impossible – Ghost Protocol (2011)")."""
        choices = self.film_choices(current)
        if not choices or t.language == SOURCE_LANGUAGE or not locale:
            return choices
        films = {choice.value: self.current.film(choice.value) for choice in choices}
        ids = [film.id for film in films.values() if film is not None]
        language = catalogue_name(locale).split("_")[0].lower()
        found = await self.catalogue.titles_in_language(ids, language)
        country = country_from_locale(locale)
        shown = []
        for choice in choices:
            film = films[choice.value]
            local = render.local_film(found[film.id], country) if film is not None and film.id in found else None
            title = local.title if local is not None else None
            if film is not None and title and title != film.title:
                choice = app_commands.Choice(
                    name=shorten_label(f"{title} — {choice.name}", MAX_CHOICE_CHARS), value=choice.value
                )
            shown.append(choice)
        return shown

    # ---- film cards -----------------------------------------------------------------------------

    async def card_text(self, film: Film) -> render.CardText:
        """A film's card text: kept in the database for every film (`prepare_cards`), or worked out now
        if asked for before it is. The catalogue only changes when a pack loads."""
        packed = await self.catalogue.stored_card(film.id, self.cards_from)
        if packed is not None:
            return unpack_card(packed)
        credits = await self.catalogue.film_credits(film.id)
        return render.card_text(details_of(self.current, film, credits))

    async def local_film(self, film: Film, t: Speech, locale: str | None) -> render.LocalFilm | None:
        """The film's title and synopsis in the reader's language (their Discord `locale`), where its
        pack gives them; None for English readers, whose titles the films' own are."""
        if t.language == SOURCE_LANGUAGE or not locale:
            return None
        language = catalogue_name(locale).split("_")[0].lower()
        found = await self.catalogue.film_in_language(film.id, language)
        return render.local_film(found, country_from_locale(locale))

    def card_embed(
        self,
        film: Film,
        text: render.CardText,
        region: str,
        today: dt.date,
        t: Speech,
        local: render.LocalFilm | None = None,
    ) -> discord.Embed:
        """The film's card for a language, region and day, made once and kept for the next asker."""
        key = (film.id, region, today, str(t.locale), local)
        embed = self.card_embeds.get(key)
        if embed is None:
            embed = render.card_embed(text, region, today, t, local)
            if len(self.card_embeds) >= CARD_CACHE:
                self.card_embeds.pop(next(iter(self.card_embeds)))
            self.card_embeds[key] = embed
        return embed

    # ---- members' and servers' regions ----------------------------------------------------------

    async def chosen_regions(self, user_id: int, guild_id: int | None) -> Regions:
        """The member's and the server's chosen regions, read at most once a minute for a card."""
        regions = self.regions.get(user_id, guild_id)
        if regions is None:
            regions = await preferred_regions(self.database, user_id, guild_id)
            self.regions.put(user_id, guild_id, regions)
        return regions

    def forget_member(self, user_id: int) -> None:
        """The member's region changed, or their data was erased: read it again next time."""
        self.regions.forget_member(user_id)

    def forget_server(self, guild_id: int) -> None:
        """The server's region changed: read it again next time."""
        self.regions.forget_server(guild_id)
