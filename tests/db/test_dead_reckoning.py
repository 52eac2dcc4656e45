"""Facts about the bundled Mission: Impossible pack, read back through the repositories."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from db import CatalogueRepository, Database, load_pack, parse_pack, resolve_pack
from db.repositories import Film

BUNDLED = Path(__file__).resolve().parents[2] / "db" / "packs" / "mission-impossible.toml"
pytestmark = pytest.mark.skipif(not BUNDLED.exists(), reason="bundled pack not written yet")

DEAD_RECKONING = "Mission: Impossible – Dead Reckoning Part One"
SUPPORTING_CAST = [
    "Hayley Atwell", "Ving Rhames", "Simon Pegg", "Rebecca Ferguson", "Vanessa Kirby", "Esai Morales",
    "Pom Klementieff", "Henry Czerny", "Shea Whigham", "Frederick Schmidt", "Mark Gatiss",
    "Charles Parnell", "Cary Elwes", "Rob Delaney", "Indira Varma", "Greg Tarzan Davis", "Mariela Garriga",
]  # fmt: skip


@pytest.fixture
async def catalogue(db: Database) -> AsyncIterator[CatalogueRepository]:
    pack = parse_pack(resolve_pack("mission-impossible"))
    await load_pack(db, pack, source_path=pack.path)
    yield CatalogueRepository(db)


async def _dead_reckoning(catalogue: CatalogueRepository) -> Film:
    matches = [f for f in await catalogue.list_films() if f.title == DEAD_RECKONING]
    assert len(matches) == 1, [f.title for f in await catalogue.list_films()]
    film = await catalogue.get_film(matches[0].key)
    assert film is not None
    return film


async def test_us_theatrical_release_on_12_july_2023(catalogue: CatalogueRepository) -> None:
    film = await _dead_reckoning(catalogue)
    assert film.year == 2023
    us = await catalogue.releases(film.id, country="US")
    theatrical = [r for r in us if r.release_type == 3]
    assert [r.date for r in theatrical] == [dt.date(2023, 7, 12)]
    assert theatrical[0].type_name == "Theatrical"
    assert all(r.country == "US" for r in us)


async def test_trailer_milestone_in_may_2023(catalogue: CatalogueRepository) -> None:
    film = await _dead_reckoning(catalogue)
    milestones = await catalogue.milestones(film.id)
    assert any(m.kind == "trailer" and m.date_text.startswith("2023-05") for m in milestones), milestones


async def test_christopher_mcquarrie_directed_produced_and_wrote(catalogue: CatalogueRepository) -> None:
    film = await _dead_reckoning(catalogue)
    jobs = {c.job for c in await catalogue.crew(film.id) if c.person_name == "Christopher McQuarrie"}
    assert {"Director", "Producer", "Screenplay"} <= jobs


async def test_production_companies(catalogue: CatalogueRepository) -> None:
    film = await _dead_reckoning(catalogue)
    names = [c.name for c in await catalogue.companies(film.id)]
    assert {"Paramount Pictures", "Skydance", "TC Productions"} <= set(names)
    assert [c.position for c in await catalogue.companies(film.id)] == list(range(1, len(names) + 1))


async def test_cast(catalogue: CatalogueRepository) -> None:
    film = await _dead_reckoning(catalogue)
    cast = await catalogue.cast(film.id)
    assert (cast[0].person_name, cast[0].character, cast[0].billing_order) == ("Tom Cruise", "Ethan Hunt", 1)
    names = {c.person_name for c in cast}
    missing = [name for name in SUPPORTING_CAST if name not in names]
    assert missing == []
    assert [c.billing_order for c in cast] == sorted(c.billing_order for c in cast)


async def test_eight_films_in_franchise_order(catalogue: CatalogueRepository) -> None:
    films = await catalogue.list_films()
    assert len(films) == 8
    assert [f.franchise_order for f in films] == list(range(1, 9))
    assert films[0].year == 1996 and films[-1].year == 2025
    assert [f.year for f in films] == sorted(f.year for f in films)
    counts = await catalogue.counts()
    assert (counts.films, counts.packs) == (8, 1)


async def test_trivia_coverage(catalogue: CatalogueRepository) -> None:
    questions = await catalogue.trivia_questions()
    assert len(questions) >= 150
    per_film = Counter(q.film_key for q in questions)
    for film in await catalogue.list_films():
        assert per_film[film.key] >= 12, f"{film.key} has only {per_film[film.key]} questions"
    assert {q.difficulty for q in questions} == {"easy", "medium", "hard"}
    for q in questions:
        assert q.answers and len(q.wrong) >= 3
        assert not {a.casefold() for a in q.answers} & {w.casefold() for w in q.wrong}
