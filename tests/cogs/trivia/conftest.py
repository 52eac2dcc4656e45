"""The real bundled Mission: Impossible pack as plain catalogue data, indexes and trivia pools.

Built with ``tests/pack_catalogue.py``, like ``tests/cogs/films/conftest.py``: no database is involved.
"""

from __future__ import annotations

import pytest

from cogs.films.search.characters import CharacterIndex
from cogs.films.search.films import FilmIndex
from cogs.films.search.people import PersonIndex
from cogs.trivia.answers import AnswerChecker
from cogs.trivia.questions import NameBook, Question, film_order, from_pack, generate
from db.packs import Pack, bundled_pack_path, parse_pack
from tests.pack_catalogue import PackCatalogue, catalogue_from_pack

TriviaCatalogue = PackCatalogue


@pytest.fixture(scope="session")
def mi_pack() -> Pack:
    """The bundled Mission: Impossible pack, parsed."""
    return parse_pack(bundled_pack_path("mission-impossible"))


@pytest.fixture(scope="session")
def mi(mi_pack: Pack) -> TriviaCatalogue:
    """Plain catalogue data of the bundled pack."""
    return catalogue_from_pack(mi_pack)


@pytest.fixture(scope="session")
def name_book(mi: TriviaCatalogue) -> NameBook:
    return NameBook.build(mi.films, mi.titles, mi.people, mi.all_cast)


@pytest.fixture(scope="session")
def pack_questions(mi: TriviaCatalogue, name_book: NameBook) -> dict[str, Question]:
    """The pack's hand-written questions by key."""
    return {q.key: from_pack(q, name_book) for q in mi.questions}


@pytest.fixture(scope="session")
def generated(mi: TriviaCatalogue) -> list[Question]:
    """Questions generated from the pack's catalogue."""
    return generate(mi.films, mi.cast, mi.crew)


@pytest.fixture(scope="session")
def pool(pack_questions: dict[str, Question], generated: list[Question]) -> list[Question]:
    """Every question: hand-written and generated."""
    return [*pack_questions.values(), *generated]


@pytest.fixture(scope="session")
def by_key(pool: list[Question]) -> dict[str, Question]:
    return {q.key: q for q in pool}


@pytest.fixture(scope="session")
def order(mi: TriviaCatalogue) -> dict[str, int]:
    """Film key -> position by franchise order, then year."""
    return film_order(mi.films)


@pytest.fixture(scope="session")
def checker(mi: TriviaCatalogue) -> AnswerChecker:
    """An answer checker over the pack's film, person and character indexes."""
    return AnswerChecker(
        films=FilmIndex.build(mi.films, mi.titles),
        people=PersonIndex.build(mi.people),
        characters=CharacterIndex.build(mi.all_cast, mi.films),
    )
