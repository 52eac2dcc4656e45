"""The in-memory look-up indexes over one snapshot of the catalogue.

Built once at start (and again when a pack loads) so that autocomplete never queries the
database per keystroke, and kept in the database so that a restart with the same catalogue reads
them back instead of building them again. Plain: `python -m bot pack load` builds them without
importing discord.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import marshal
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import NamedTuple

from bot.memory import collector_paused
from cogs.films.search.characters import CharacterIndex
from cogs.films.search.films import FilmIndex
from cogs.films.search.people import PersonIndex
from cogs.films.search.snapshots import Kept, SnapshotMismatch, read_kept, state_of
from db import CatalogueRepository
from db.packed import sealed_state
from db.repositories.models import Film, People, Person

log = logging.getLogger(__name__)

_KINDS = ("films", "people", "characters")
"""The indexes a `Lookup` holds and keeps in the database, by the names it keeps them under."""
_ROWS = "rows"
"""What the indexes are over, the films and people, kept beside them under this name: a start reads them
back as a few blobs instead of half a million rows (they are of the same catalogue, `search_inputs`)."""
_FILM_FIELDS = tuple(field.name for field in fields(Film))


def _has_every_kind(kept: Mapping[str, object]) -> bool:
    """Whether every index a `Lookup` needs, and the rows they are over, are among those `kept` (by kind)."""
    return all(kind in kept for kind in (*_KINDS, _ROWS))


def rows_snapshot(films: Sequence[Film], people: Sequence[Person]) -> bytes:
    """The films and people as bytes that `read_rows` reads back: each film field as one column (texts
    many films share, such as a franchise's name or a set of genres, stay one object: ``marshal`` keeps
    an object met twice as a reference to the first) and the people packed."""
    packed = people if isinstance(people, People) else People.of(people)
    films_state = {name: list(map(attrgetter(name), films)) for name in _FILM_FIELDS}
    return sealed_state({"films": films_state, "people": dict(enumerate(packed.state()))})


def read_rows(kept: Kept) -> tuple[list[Film], People]:
    """The films and people a `rows_snapshot` holds; `SnapshotMismatch` if it holds no such thing."""
    state = state_of(kept) if isinstance(kept, bytes) else kept
    try:
        if state is None:
            raise ValueError("damaged")
        columns, people = state["films"], state["people"]
        return (
            Film.of_columns([columns[name] for name in _FILM_FIELDS]),
            People.from_state(tuple(people[at] for at in range(5)), checked=False),
        )
    except (ValueError, TypeError, KeyError) as error:
        raise SnapshotMismatch("unreadable films and people") from error


INDEX_FORMAT = 8
"""The version of what a build keeps in the database. Bump it with any change that alters what an index
holds or how its snapshot is laid out (the matcher's keys, tiers, normalisation, `KeptIndex.snapshot`,
what `Lookup.load` hands the indexes): indexes kept by a start of older code are then built again
instead of being read back wrong."""


def index_format() -> str:
    """The format indexes are kept under: `INDEX_FORMAT` and the Python that builds them (its Unicode
    tables normalise names; its `marshal` format holds them), so a Python upgrade also builds again."""
    return f"{INDEX_FORMAT}|{sys.version}|{unicodedata.unidata_version}|{marshal.version}"


class CharacterCredit(NamedTuple):
    """A cast credit as the character index reads it (a tuple: 200,000 of them are cheap)."""

    film_id: int
    person_key: str
    person_name: str
    character: str | None


@dataclass(frozen=True)
class Lookup:
    """Search indexes over one snapshot of the catalogue."""

    films: FilmIndex[Film]
    people: PersonIndex[Person]
    characters: CharacterIndex
    by_id: dict[int, Film]
    by_key: dict[str, Film]
    franchises: dict[str | None, list[Film]]
    places: dict[int, int]
    """Each film's index in its franchise's list (by film id): no list scan per card."""

    inputs: str
    """The digest of the catalogue rows the indexes were built from (`CatalogueRepository.search_inputs`)."""
    restored: bool
    """True when the indexes are read back from the database rather than built."""

    @classmethod
    async def load(cls, catalogue: CatalogueRepository, *, stored: bool = True) -> Lookup:
        """The catalogue's indexes, to be built (or, when `stored` ones were built from the same rows
        by the same code, read back) by `prepare` or on first use."""
        # The digest before the rows, and again before keeping what was built (`store`): indexes
        # built while another process loaded a pack are never kept under the wrong digest.
        inputs = await catalogue.search_inputs()
        # Each kept state is read record by record as it comes from the file (`sealed_state`).
        kept = await catalogue.read_stored_search_indexes(inputs, index_format(), read_kept) if stored else {}
        if _has_every_kind(kept):
            try:
                # Off the event loop: this makes every film object of the catalogue.
                return await asyncio.to_thread(cls._restored, kept, inputs)
            except SnapshotMismatch:
                # Read from the catalogue and built, as when nothing is kept.
                log.warning("the stored look-up indexes do not fit the catalogue; building them", exc_info=True)
        films = await catalogue.films()
        people = await catalogue.people()
        titles = await catalogue.film_titles()
        film_ids, person_ids, characters = await catalogue.character_credit_columns()

        def credits() -> Iterator[CharacterCredit]:
            # Each person's key and name once, shared by their credits (the people are packed). Made
            # one at a time as the index reads them: a list of millions of credits is not needed.
            person_by_id = dict(zip(people.ids, zip(people.keys, people.names, strict=True), strict=True))
            for film_id, person_id, character in zip(film_ids, person_ids, characters, strict=True):
                person = person_by_id.get(person_id)
                if person is not None:
                    yield CharacterCredit(film_id, *person, character)

        return cls._of(
            films,
            FilmIndex.build(films, titles),
            PersonIndex.build(people),
            CharacterIndex.build_later(credits, films),
            inputs=inputs,
            restored=False,
        )

    @classmethod
    def _restored(cls, kept: Mapping[str, Kept], inputs: str) -> Lookup:
        # The films and the maps of them are made with the collector paused: a collection's pass over
        # every object made so far would come every few hundred of them (as in `prepare`).
        with collector_paused():
            films, people = read_rows(kept[_ROWS])
            return cls._of(
                films,
                FilmIndex.restore(films, kept["films"]),
                PersonIndex.restore(people, kept["people"], keys=people.keys),
                CharacterIndex.restore(kept["characters"]),
                inputs=inputs,
                restored=True,
            )

    @classmethod
    def _of(
        cls,
        films: list[Film],
        film_index: FilmIndex[Film],
        people: PersonIndex[Person],
        characters: CharacterIndex,
        *,
        inputs: str,
        restored: bool,
    ) -> Lookup:
        franchises: defaultdict[str | None, list[Film]] = defaultdict(list)
        for film in films:
            franchises[film.franchise_key].append(film)
        return cls(
            films=film_index,
            people=people,
            characters=characters,
            by_id={film.id: film for film in films},
            by_key={film.key: film for film in films},
            franchises=dict(franchises),
            places={film.id: place for siblings in franchises.values() for place, film in enumerate(siblings)},
            inputs=inputs,
            restored=restored,
        )

    @staticmethod
    async def kept_size(catalogue: CatalogueRepository) -> int | None:
        """The bytes of the indexes kept for the catalogue as it stands, if a start would read them
        back; None if it would build them."""
        sizes = await catalogue.stored_search_index_sizes(await catalogue.search_inputs(), index_format())
        return sum(sizes.values()) if _has_every_kind(sizes) else None

    def snapshots(self) -> dict[str, bytes]:
        """The three built indexes as bytes, by kind (see `KeptIndex.snapshot`), and the films and people
        they are over (`rows_snapshot`)."""
        with collector_paused():
            kept = {kind: getattr(self, kind).snapshot() for kind in _KINDS}
            kept[_ROWS] = rows_snapshot(self.films.items, self.people.items)
            return kept

    async def store(self, catalogue: CatalogueRepository, now: dt.datetime) -> bool:
        """Keep built indexes in the database, so the next start reads them back instead of building
        them. Nothing is kept for indexes that were read back, nor when the catalogue changed since
        `load` (another process loading a pack): they could be of rows between two states. Returns
        whether they were kept."""
        if self.restored:
            return False
        snapshots = await asyncio.to_thread(self.snapshots)
        if await catalogue.search_inputs() != self.inputs:
            return False
        await catalogue.store_search_indexes(self.inputs, index_format(), snapshots, saved_at=now)
        return True

    @property
    def ready(self) -> bool:
        """True once every index is built (see `prepare`)."""
        return self.films.ready and self.people.ready and self.characters.ready

    def prepare(self) -> Lookup:
        """Build the three indexes now (they build on first use otherwise); run it in a worker
        thread so the event loop keeps answering while a large catalogue is indexed."""
        if self.ready:
            return self  # built, and kept out of the collector's reach, already
        # The indexes live until the next pack load: kept out of the collector's reach once built.
        with collector_paused(keep=True):
            self.films.prepare()
            self.people.prepare()
            self.characters.prepare()
        return self

    def film(self, key: str) -> Film | None:
        """The film with this key; a plain dictionary, so it never waits for an index build."""
        return self.by_key.get(key)

    def _siblings(self, film: Film) -> tuple[list[Film], int | None]:
        """The film's franchise in order, and the film's index in it (None if it is not there)."""
        siblings = self.franchises.get(film.franchise_key, []) if film.franchise_key else []
        position = self.places.get(film.id)
        if position is None or position >= len(siblings) or siblings[position].id != film.id:
            return siblings, None
        return siblings, position

    def neighbours(self, film: Film) -> tuple[Film | None, Film | None]:
        """The films before and after this one in its franchise."""
        siblings, position = self._siblings(film)
        if position is None:
            return None, None
        before = siblings[position - 1] if position > 0 else None
        after = siblings[position + 1] if position + 1 < len(siblings) else None
        return before, after

    def franchise_place(self, film: Film) -> tuple[int | None, int]:
        """1-based position of the film in its franchise, and the franchise's size."""
        siblings, position = self._siblings(film)
        return (None if position is None else position + 1), len(siblings)
