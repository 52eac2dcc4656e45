"""The indexes built from what ``CatalogueRepository`` returns for a real SQLite database."""

from __future__ import annotations

from pathlib import Path

from cogs.films.matching import CharacterIndex, FilmIndex, PersonIndex
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
