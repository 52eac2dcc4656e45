"""A content pack turned into the plain catalogue records the repositories return, with no database.

Films, people and credits are numbered the way loading numbers them, so tests of pure code (the
matcher, trivia generation) see exactly what the bot would read back.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from db.packs import Pack
from db.repositories.models import CastCredit, CrewCredit, Film, FilmTitle, Person, TriviaQuestion


@dataclass(frozen=True)
class PackCatalogue:
    """Everything the lookups and trivia read from the catalogue, as the repositories return it."""

    films: list[Film]
    titles: list[FilmTitle]
    people: list[Person]
    cast: dict[int, list[CastCredit]]
    crew: dict[int, list[CrewCredit]]
    questions: list[TriviaQuestion]

    @property
    def all_cast(self) -> list[CastCredit]:
        return [credit for credits in self.cast.values() for credit in credits]


def catalogue_from_pack(pack: Pack, *, with_aliases: bool = True) -> PackCatalogue:
    """The pack's films, titles (aliases optional), people, credits and trivia questions."""
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
        if with_aliases:
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
    return PackCatalogue(films, titles, people, dict(cast), dict(crew), questions)
