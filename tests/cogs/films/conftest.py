"""Search indexes built from the real bundled Mission: Impossible pack, without a database.

The pack is parsed with ``db.packs.parse_pack`` and turned into the same frozen
value objects ``CatalogueRepository`` returns (``Film``, ``FilmTitle``, ``Person``,
``CastCredit``), numbered the way loading would number them.
"""

from __future__ import annotations

import pytest

from cogs.films.search.characters import CharacterIndex
from cogs.films.search.films import FilmIndex
from cogs.films.search.people import PersonIndex
from db.packs import Pack, bundled_pack_path, parse_pack
from db.repositories.models import Film, Person
from tests.pack_catalogue import PackCatalogue, catalogue_from_pack

Catalogue = PackCatalogue


@pytest.fixture(scope="session")
def mi_pack() -> Pack:
    """The bundled Mission: Impossible pack, parsed."""
    return parse_pack(bundled_pack_path("mission-impossible"))


@pytest.fixture(scope="session")
def mi_catalogue(mi_pack: Pack) -> Catalogue:
    """Plain catalogue data of the bundled pack."""
    return catalogue_from_pack(mi_pack)


# The matcher's tests run against each index as built and as read back from its snapshot (what a
# restart with an unchanged catalogue uses), so the two cannot drift apart.
# A test that looks an index up by name (``request.getfixturevalue``) must say
# ``@pytest.mark.usefixtures("index_form")`` to be run for both.
@pytest.fixture(scope="session", params=["built", "restored"])
def index_form(request: pytest.FixtureRequest) -> str:
    """How the index fixtures are made: "built", or "restored" from a snapshot of the built one."""
    return str(request.param)


@pytest.fixture(scope="session")
def films(index_form: str, mi_catalogue: Catalogue) -> FilmIndex[Film]:
    """Film index over the bundled pack, pack aliases included."""
    built = FilmIndex.build(mi_catalogue.films, mi_catalogue.titles)
    return built if index_form == "built" else FilmIndex.restore(mi_catalogue.films, built.snapshot())


@pytest.fixture(scope="session")
def bare_films(mi_pack: Pack) -> FilmIndex[Film]:
    """Film index over the bundled pack's titles only: no pack alias helps."""
    catalogue = catalogue_from_pack(mi_pack, with_aliases=False)
    return FilmIndex.build(catalogue.films, catalogue.titles)


@pytest.fixture(scope="session")
def people(index_form: str, mi_catalogue: Catalogue) -> PersonIndex[Person]:
    """Person index over the bundled pack."""
    built = PersonIndex.build(mi_catalogue.people)
    return built if index_form == "built" else PersonIndex.restore(mi_catalogue.people, built.snapshot())


@pytest.fixture(scope="session")
def characters(index_form: str, mi_catalogue: Catalogue) -> CharacterIndex:
    """Character index over the bundled pack's cast credits."""
    built = CharacterIndex.build(mi_catalogue.all_cast, mi_catalogue.films)
    return built if index_form == "built" else CharacterIndex.restore(built.snapshot())
