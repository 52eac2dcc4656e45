"""Search indexes built from the real bundled Mission: Impossible pack, without a database.

The pack is parsed with ``db.packs.parse_pack`` and turned into the same frozen
value objects ``CatalogueRepository`` returns (``Film``, ``FilmTitle``, ``Person``,
``CastCredit``), numbered the way loading would number them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cogs.films.matching import CharacterIndex, FilmIndex, PersonIndex
from db.packs import Pack, bundled_pack_path, parse_pack
from db.repositories.models import CastCredit, Film, FilmTitle, Person


@dataclass(frozen=True)
class Catalogue:
    """Plain catalogue data of one pack, as the repositories would return it."""

    films: list[Film]
    titles: list[FilmTitle]
    people: list[Person]
    cast: list[CastCredit]


def catalogue_from_pack(pack: Pack, *, with_aliases: bool = True) -> Catalogue:
    """The pack's films, titles, people and cast credits (aliases optional)."""
    people = [Person(i, p.key, p.name, p.aliases) for i, p in enumerate(pack.people, start=1)]
    person_by_key = {person.key: person for person in people}
    films: list[Film] = []
    titles: list[FilmTitle] = []
    cast: list[CastCredit] = []
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
            person = person_by_key[credit.person]
            cast.append(CastCredit(film_id, credit.order, person.id, person.key, person.name, credit.character, ""))
    return Catalogue(films, titles, people, cast)


@pytest.fixture(scope="session")
def mi_pack() -> Pack:
    """The bundled Mission: Impossible pack, parsed."""
    return parse_pack(bundled_pack_path("mission-impossible"))


@pytest.fixture(scope="session")
def mi_catalogue(mi_pack: Pack) -> Catalogue:
    """Plain catalogue data of the bundled pack."""
    return catalogue_from_pack(mi_pack)


@pytest.fixture(scope="session")
def films(mi_catalogue: Catalogue) -> FilmIndex[Film]:
    """Film index over the bundled pack, pack aliases included."""
    return FilmIndex.build(mi_catalogue.films, mi_catalogue.titles)


@pytest.fixture(scope="session")
def bare_films(mi_pack: Pack) -> FilmIndex[Film]:
    """Film index over the bundled pack's titles only: no pack alias helps."""
    catalogue = catalogue_from_pack(mi_pack, with_aliases=False)
    return FilmIndex.build(catalogue.films, catalogue.titles)


@pytest.fixture(scope="session")
def people(mi_catalogue: Catalogue) -> PersonIndex[Person]:
    """Person index over the bundled pack."""
    return PersonIndex.build(mi_catalogue.people)


@pytest.fixture(scope="session")
def characters(mi_catalogue: Catalogue) -> CharacterIndex:
    """Character index over the bundled pack's cast credits."""
    return CharacterIndex.build(mi_catalogue.cast, mi_catalogue.films)
