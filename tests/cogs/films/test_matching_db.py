"""The indexes built from what ``CatalogueRepository`` returns for a real SQLite database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot import memory
from cogs.films.lookup import INDEX_FORMAT, Lookup, index_format
from cogs.films.search.characters import CharacterIndex
from cogs.films.search.films import FilmIndex
from cogs.films.search.people import PersonIndex
from cogs.films.search.snapshots import SnapshotMismatch
from db import CatalogueRepository, Database, bundled_pack_path, load_pack, migrate, parse_pack
from db.repositories.models import CastCredit, Film


async def test_indexes_from_the_repository(tmp_path: Path) -> None:
    pack = parse_pack(bundled_pack_path("mission-impossible"))
    async with Database.connect(tmp_path / "marquee.db") as db:
        await migrate(db)
        await load_pack(db, pack, source_path=pack.path)
        catalogue = CatalogueRepository(db)
        # What a cog does once per pack load: a handful of queries, then no more.
        summaries = await catalogue.list_films()
        films: list[Film] = []
        for summary in summaries:
            film = await catalogue.get_film(summary.key)
            assert film is not None
            films.append(film)
        titles = await catalogue.film_titles()
        people = await catalogue.people()
        cast: list[CastCredit] = []
        for film in films:
            cast.extend(await catalogue.cast(film.id))

    film_index = FilmIndex.build(films, titles)
    # FilmSummary carries no franchise name: the caller hands the names in.
    summary_index = FilmIndex.build(summaries, titles, franchise_names={f.id: f.franchise_name or "" for f in films})
    person_index = PersonIndex.build(people)
    character_index = CharacterIndex.build(cast, films)

    for index in (film_index, summary_index):
        assert len(index) == 8
        assert [c.value for c in index.complete("")] == [f"mi{n}" for n in range(1, 9)]
        for query, key in [("MI3", "mi3"), ("dead reckoning", "mi7"), ("M:I-7", "mi7"), ("rogue", "mi5")]:
            best = index.resolve(query).best
            assert best is not None and best.key == key, query
        assert index.resolve("reckoning").status == "ambiguous"
        assert index.resolve("Top Gun").status == "none"
    person = person_index.resolve("simon peg").best
    assert person is not None and person.key == "simon-pegg"
    luther = character_index.resolve("luther").best
    assert luther is not None and luther.people == ("Ving Rhames",)


async def test_a_start_reads_back_the_indexes_the_last_one_built(tmp_path: Path) -> None:
    pack = parse_pack(bundled_pack_path("mission-impossible"))
    saved = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    async with Database.connect(tmp_path / "marquee.db") as db:
        await migrate(db)
        await load_pack(db, pack, source_path=pack.path)
        catalogue = CatalogueRepository(db)
        built = await Lookup.load(catalogue)
        assert not built.restored
        assert await built.store(catalogue, saved)  # builds first if nobody asked yet
        # The three indexes and the films and people they are over.
        assert await db.fetch_value("SELECT count(*) FROM search_indexes WHERE saved_at LIKE '2026-%'") == 4

        # The next start, finding the packs unchanged (it loads nothing): read back, not built.
        restored = await Lookup.load(catalogue)
        assert restored.restored and restored.inputs == built.inputs
        # The films and people read back are those the catalogue holds, in its order.
        films, people = await catalogue.films(), await catalogue.people()
        assert list(restored.by_id.values()) == films and list(restored.films.items) == films
        assert list(restored.people.items) == list(people) and len(people) > 0
        assert restored.franchises == built.franchises and restored.places == built.places
        restored.prepare()
        for index, query in [("films", "mision imposible 3"), ("people", "pegg"), ("characters", "luther")]:
            assert getattr(restored, index).resolve(query) == getattr(built, index).resolve(query)
        assert restored.characters.items == built.characters.items
        assert not await restored.store(catalogue, saved + dt.timedelta(days=1))  # nothing new to keep
        assert await db.fetch_value("SELECT count(*) FROM search_indexes WHERE saved_at LIKE '2026-01-01%'") == 4
        assert not (await Lookup.load(catalogue, stored=False)).restored

        # A pack load changes what the indexes are built from: they are built again.
        stale = await Lookup.load(catalogue, stored=False)
        edited = tmp_path / "mission-impossible.toml"
        edited.write_text(
            bundled_pack_path("mission-impossible")
            .read_text(encoding="utf-8")
            .replace('"Luther Stickell"', '"Luther Stickell Jr"'),
            encoding="utf-8",
        )
        await load_pack(db, parse_pack(edited), source_path=edited)
        # Built from rows read before the change: not kept, lest they pass for the new catalogue's.
        assert not await stale.store(catalogue, saved)
        changed = await Lookup.load(catalogue)
        assert not changed.restored
        luther = changed.characters.resolve("Luther Stickell Jr").best
        assert luther is not None and luther.name == "Luther Stickell Jr"

        # Stored indexes that cannot be read are refused when read, so the caller can build instead.
        assert await changed.store(catalogue, saved)
        await db.execute("UPDATE search_indexes SET data = ? WHERE kind = 'people'", (b"damaged",))
        damaged = await Lookup.load(catalogue)
        assert damaged.restored
        with pytest.raises(SnapshotMismatch):
            damaged.prepare()

        # Films and people kept that cannot be read are read from the catalogue, and the indexes built.
        assert await (await Lookup.load(catalogue, stored=False)).store(catalogue, saved)
        await db.execute("UPDATE search_indexes SET data = ? WHERE kind = 'rows'", (b"damaged",))
        unreadable = await Lookup.load(catalogue)
        assert not unreadable.restored
        assert list(unreadable.by_id.values()) == await catalogue.films()


async def test_indexes_kept_in_another_format_are_built_again(tmp_path: Path) -> None:
    pack = parse_pack(bundled_pack_path("mission-impossible"))
    saved = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    async with Database.connect(tmp_path / "marquee.db") as db:
        await migrate(db)
        await load_pack(db, pack, source_path=pack.path)
        catalogue = CatalogueRepository(db)
        built = await Lookup.load(catalogue)
        assert await built.store(catalogue, saved)
        assert index_format().startswith(f"{INDEX_FORMAT}|")
        older = index_format().replace(f"{INDEX_FORMAT}|", f"{INDEX_FORMAT - 1}|", 1)
        await db.execute("UPDATE search_indexes SET format = ?", (older,))

        assert await Lookup.kept_size(catalogue) is None
        rebuilt = await Lookup.load(catalogue)
        assert not rebuilt.restored
        assert await rebuilt.store(catalogue, saved)
        assert (await Lookup.load(catalogue)).restored


async def test_indexes_are_kept_out_of_collections_once_per_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen: list[str] = []
    monkeypatch.setattr(memory, "keep_out_of_collections", lambda: frozen.append("frozen"))
    pack = parse_pack(bundled_pack_path("mission-impossible"))
    async with Database.connect(tmp_path / "marquee.db") as db:
        await migrate(db)
        await load_pack(db, pack, source_path=pack.path)
        lookup = await Lookup.load(CatalogueRepository(db))
    lookup.prepare()
    lookup.prepare()
    assert frozen == ["frozen"]
