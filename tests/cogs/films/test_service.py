"""The look-up service other features are handed: started once, its indexes awaited, its caches forgotten on cue."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.errors import UserFacingError
from bot.i18n import Catalogues
from bot.tmdb import NOTICE as TMDB_NOTICE
from cogs.films.catalogue_reads import fill_card_texts, pack_card
from cogs.films.lookup import index_format
from cogs.films.service import LookupService
from db import CatalogueRepository, Database, bundled_pack_path, load_pack, migrate, parse_pack
from db.packs import PackFilmAlias, PackTmdbOrigin

CATALOGUES = Catalogues.load()
ENGLISH = CATALOGUES.speech(None)


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[LookupService]:
    pack = parse_pack(bundled_pack_path("mission-impossible"))
    async with Database.connect(tmp_path / "marquee.db") as db:
        await migrate(db)
        await load_pack(db, pack, source_path=pack.path)
        lookup = LookupService(CatalogueRepository(db), db, ManualClock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
        yield lookup
        lookup.stop()
        for task in (lookup.indexing, lookup.cards_and_keeping):
            if task is not None:
                await asyncio.gather(task, return_exceptions=True)


async def test_indexed_waits_for_the_start_then_for_the_build(service: LookupService) -> None:
    waiting = asyncio.create_task(service.indexed())
    await asyncio.sleep(0)
    assert not waiting.done()
    await service.start()
    lookup = await asyncio.wait_for(waiting, 30)
    assert lookup.ready and lookup is service.current
    assert service.generation == 1


async def test_a_first_start_keeps_what_it_built_and_serves_it_as_read_back(service: LookupService) -> None:
    catalogue = service.catalogue
    assert await catalogue.stored_search_index_sizes(await catalogue.search_inputs(), index_format()) == {}
    await service.start()
    lookup = await service.indexed()
    assert lookup.restored and lookup is service.current
    assert service.film_key("dead reckoning") == "mi7"
    # The next start reads the same indexes back.
    await service.reload()
    again = await service.indexed()
    assert again.restored and again.snapshots() == lookup.snapshots()


async def test_film_options_of_other_features(service: LookupService) -> None:
    await service.start()
    await service.indexed()
    assert service.film_key("dead reckoning") == "mi7"
    assert service.film("mi7") is not None and service.film("nope") is None
    with pytest.raises(UserFacingError, match="No single film"):
        service.film_key("reckoning")
    choices = service.film_choices("fallout")
    assert [choice.value for choice in choices][:1] == ["mi6"]


async def test_a_reload_is_a_new_generation_with_the_cards_of_its_own_catalogue(service: LookupService) -> None:
    await service.start()
    await service.indexed()
    before = service.cards_from
    film = service.film("mi7")
    assert film is not None
    await service.card_text(film)
    await service.reload()
    assert service.generation == 2 and service.cards_from == before  # no pack loaded in between
    pack = parse_pack(bundled_pack_path("mission-impossible"))
    await load_pack(service.database, pack, source_path=pack.path)
    await service.reload()
    assert service.generation == 3 and service.cards_from != before
    assert (await service.indexed()).ready


async def _cards_done(service: LookupService) -> None:
    await service.indexed()
    assert service.cards_and_keeping is not None
    await service.cards_and_keeping


async def test_cards_are_made_once_per_catalogue_and_kept_in_the_database(service: LookupService) -> None:
    await service.start()
    await _cards_done(service)
    catalogue = service.catalogue
    assert await catalogue.films_without_card(service.cards_from) == []
    # A restart with the same catalogue makes none again: it reads the kept ones.
    again = LookupService(catalogue, service.database, service.clock)
    await again.start()
    await again.indexed()
    assert again.cards_from == service.cards_from
    assert await fill_card_texts(catalogue, again.current, again.cards_from) == 0
    film = again.film("mi7")
    assert film is not None
    text = await again.card_text(film)
    assert "Dead Reckoning" in text.title and text.crew


async def test_a_card_made_from_another_catalogue_is_never_shown(service: LookupService) -> None:
    await service.start()
    await _cards_done(service)
    film = service.film("mi7")
    assert film is not None
    shown = await service.card_text(film)
    stale = dataclasses.replace(shown, title="A card of another catalogue")
    await service.catalogue.store_cards(service.cards_from, {film.id: pack_card(stale)})
    assert (await service.card_text(film)).title == "A card of another catalogue"  # read from the database
    pack = parse_pack(bundled_pack_path("mission-impossible"))
    await load_pack(service.database, pack, source_path=pack.path)
    await service.reload()
    film = service.film("mi7")
    assert film is not None
    assert await service.card_text(film) == shown  # made again, not the stale one
    await _cards_done(service)
    assert (await service.card_text(film)) == shown
    assert await service.catalogue.films_without_card(service.cards_from) == []


async def test_forgetting_a_member_or_server_reads_their_regions_again(service: LookupService) -> None:
    await service.start()
    assert await service.chosen_regions(1, 2) == (None, None)
    service.regions.put(1, 2, ("GB", "FR"))
    assert await service.chosen_regions(1, 2) == ("GB", "FR")
    service.forget_member(1)
    assert await service.chosen_regions(1, 2) == (None, None)
    service.regions.put(1, 2, ("GB", "FR"))
    service.forget_server(2)
    assert await service.chosen_regions(1, 2) == (None, None)


POSTER = "https://image.tmdb.org/t/p/w500/poster-one.jpg"


async def _load_from_tmdb(database: Database) -> None:
    """The db tests' small pack, as if imported from TMDB: film one has a poster and localized titles."""
    base = parse_pack(Path(__file__).parents[2] / "db" / "base_pack.toml")
    one, two = base.films
    aliases = (
        PackFilmAlias("Le Film Un", "translation", ("wp_one",), "fr", "FR"),
        PackFilmAlias("Erster Film", "translation", ("wp_one",), "de"),
    )
    one = dataclasses.replace(one, poster=POSTER, alias_entries=aliases)
    await load_pack(database, dataclasses.replace(base, films=(one, two), tmdb=PackTmdbOrigin("en-US", movies=(11,))))


async def test_a_localized_alias_finds_its_film(service: LookupService) -> None:
    await _load_from_tmdb(service.database)
    await service.start()
    await service.indexed()
    assert service.film_key("Erster Film") == "one"
    assert service.film_key("le film un") == "one"


async def test_cards_of_films_from_tmdb_show_the_poster_and_the_notice_kept_or_not(service: LookupService) -> None:
    await _load_from_tmdb(service.database)
    await service.start()
    one, mi7 = service.film("one"), service.film("mi7")
    assert one is not None and mi7 is not None
    made_now = await service.card_text(one)
    assert (made_now.poster, made_now.from_tmdb) == (POSTER, True)
    await _cards_done(service)
    kept = await service.card_text(one)
    assert kept == made_now
    embed = service.card_embed(one, kept, "US", dt.date(2026, 1, 1), ENGLISH)
    assert embed.thumbnail.url == POSTER
    assert embed.footer.text is not None and embed.footer.text.endswith(TMDB_NOTICE)
    bundled = service.card_embed(mi7, await service.card_text(mi7), "US", dt.date(2026, 1, 1), ENGLISH)
    assert bundled.thumbnail.url is None
    assert TMDB_NOTICE not in (bundled.footer.text or "")
    # The same card is kept once per language: a French reader never gets the English one kept before.
    french = service.card_embed(one, kept, "US", dt.date(2026, 1, 1), CATALOGUES.speech("fr"))
    assert french is not embed and french.footer.text is not None
    assert french.footer.text.startswith("Distribution complète") and french.footer.text.endswith(TMDB_NOTICE)
    assert service.card_embed(one, kept, "US", dt.date(2026, 1, 1), ENGLISH) is embed
