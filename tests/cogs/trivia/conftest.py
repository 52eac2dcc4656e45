"""The real bundled Mission: Impossible pack as plain catalogue data, indexes and trivia pools.

Built the way ``tests/cogs/films/conftest.py`` builds its catalogue: the pack is
parsed with ``db.packs.parse_pack`` and turned into the frozen value objects the
repositories return, numbered the way loading numbers them, here with crew
credits and trivia questions as well. No database is involved.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pytest

from cogs.films.matching import CharacterIndex, FilmIndex, PersonIndex
from cogs.trivia.answers import AnswerChecker
from cogs.trivia.questions import NameBook, Question, film_order, from_pack, generate
from db.packs import Pack, bundled_pack_path, parse_pack
from db.repositories.models import CastCredit, CrewCredit, Film, FilmTitle, Person, TriviaQuestion


@dataclass(frozen=True)
class TriviaCatalogue:
    """Everything trivia reads from the catalogue, as the repositories would return it."""

    films: list[Film]
    titles: list[FilmTitle]
    people: list[Person]
    cast: dict[int, list[CastCredit]]
    crew: dict[int, list[CrewCredit]]
    questions: list[TriviaQuestion]

    @property
    def all_cast(self) -> list[CastCredit]:
        return [credit for credits in self.cast.values() for credit in credits]


def trivia_catalogue(pack: Pack) -> TriviaCatalogue:
    """The pack's films, titles, people, credits and questions."""
    people = [Person(i, p.key, p.name, p.aliases) for i, p in enumerate(pack.people, start=1)]
    person = {p.key: p for p in people}
    films: list[Film] = []
    titles: list[FilmTitle] = []
    cast: dict[int, list[CastCredit]] = defaultdict(list)
    crew: dict[int, list[CrewCredit]] = defaultdict(list)
    franchise = pack.franchise
    for film_id, film in enumerate(pack.films, start=1):
        films.append(
            Film(
                id=film_id,
                key=film.key,
                title=film.title,
                original_title=film.original_title,
                year=film.year,
                franchise_key=franchise.key if franchise else None,
                franchise_name=franchise.name if franchise else None,
                franchise_order=film.franchise_order,
                runtime_minutes=film.runtime,
                synopsis=film.synopsis,
                tagline=film.tagline,
                imdb_id=film.imdb_id,
                tmdb_id=film.tmdb_id,
                pack_id=pack.id,
                source=",".join(film.source),
            )
        )
        # Same rule as db.packs.load: every distinct string once, the first kind wins.
        kinds: dict[str, str] = {film.title: "title"}
        kinds.setdefault(film.original_title, "original")
        for alias in film.aliases:
            kinds.setdefault(alias, "alias")
        titles.extend(FilmTitle(film_id, text, kind) for text, kind in kinds.items())  # type: ignore[arg-type]
        for credit in film.cast:
            p = person[credit.person]
            cast[film_id].append(CastCredit(film_id, credit.order, p.id, p.key, p.name, credit.character, ""))
        for job in film.crew:
            p = person[job.person]
            crew[film_id].append(CrewCredit(film_id, p.id, p.key, p.name, job.department, job.job, ""))
    film_id_of = {film.key: film.id for film in films}
    questions = [
        TriviaQuestion(
            id=index,
            key=q.key,
            film_id=film_id_of.get(q.film) if q.film else None,
            film_key=q.film,
            question=q.question,
            answers=q.answers,
            wrong=q.wrong,
            difficulty=q.difficulty,
            category=q.category,
            source=",".join(q.source),
            fact=q.fact,
            spoiler=q.spoiler,
            pack_id=pack.id,
        )
        for index, q in enumerate(pack.trivia, start=1)
    ]
    return TriviaCatalogue(films, titles, people, dict(cast), dict(crew), questions)


@pytest.fixture(scope="session")
def mi_pack() -> Pack:
    """The bundled Mission: Impossible pack, parsed."""
    return parse_pack(bundled_pack_path("mission-impossible"))


@pytest.fixture(scope="session")
def mi(mi_pack: Pack) -> TriviaCatalogue:
    """Plain catalogue data of the bundled pack."""
    return trivia_catalogue(mi_pack)


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
