"""Snapshots of the search indexes: read back, they answer exactly as the index that was built.

Every test of the matcher also runs against restored indexes (``index_form`` in the conftest);
these tests cover what is particular to snapshots: a snapshot that does not fit is refused.
"""

from __future__ import annotations

import dataclasses
import marshal
import zlib
from typing import Any

import pytest

from cogs.films.search.characters import CharacterIndex
from cogs.films.search.films import FilmIndex
from cogs.films.search.people import PersonIndex
from cogs.films.search.snapshots import SnapshotMismatch, state_of
from db.packed import sealed_state
from db.repositories.models import Person
from tests.pack_catalogue import PackCatalogue

QUERIES = ["", "mi", "MI 7", "rogue natoin", "dead reckoning", "Top Gun", "1996", "ghost pr", "tom", "lutehr"]


def _record(data: bytes) -> bytes:
    """``data`` as one record of a kept state, sealed as `sealed_state` seals its records."""
    return len(data).to_bytes(8, "little") + zlib.crc32(data).to_bytes(4, "little") + data


def _kept(snapshot: bytes) -> dict[str, Any]:
    """The state a snapshot keeps, to spoil."""
    state = state_of(snapshot)
    assert state is not None
    return state


def test_restored_indexes_answer_as_the_built_ones(mi_catalogue: PackCatalogue) -> None:
    built_films = FilmIndex.build(mi_catalogue.films, mi_catalogue.titles)
    built_people = PersonIndex.build(mi_catalogue.people)
    built_characters = CharacterIndex.build(mi_catalogue.all_cast, mi_catalogue.films)
    pairs = [
        (built_films, FilmIndex.restore(mi_catalogue.films, built_films.snapshot())),
        (built_people, PersonIndex.restore(mi_catalogue.people, built_people.snapshot())),
        (built_characters, CharacterIndex.restore(built_characters.snapshot())),
    ]
    for built, restored in pairs:
        assert not restored.ready  # read on first use or by prepare, like a build
        assert restored.prepare().ready
        assert restored.items == built.items
        for query in QUERIES:
            assert restored.resolve(query) == built.resolve(query), query
            assert restored.complete(query) == built.complete(query), query


def test_a_snapshot_of_other_items_is_refused(mi_catalogue: PackCatalogue) -> None:
    people = mi_catalogue.people
    snapshot = PersonIndex.build(people).snapshot()
    renamed = [dataclasses.replace(people[0], key="someone-else"), *people[1:]]
    for other in (people[1:], people[::-1], renamed):
        with pytest.raises(SnapshotMismatch):
            PersonIndex.restore(other, snapshot).prepare()
    assert len(PersonIndex.restore(people, snapshot).prepare()) == len(people)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not marshal at all",
        marshal.dumps({"_values": []}),  # not sealed
        _record(b"not marshal at all"),
        _record(marshal.dumps([1, 2, 3])),  # no (name, value)
        _record(marshal.dumps(("_values", []))) + b"\x01",  # cut inside the next record's header
        sealed_state({}),
        sealed_state({"_values": []}),
    ],
)
def test_an_unreadable_or_incomplete_snapshot_is_refused(data: bytes) -> None:
    for index in (
        FilmIndex.restore([], data),
        PersonIndex.restore([Person(1, "ving-rhames", "Ving Rhames", ())], data),
        CharacterIndex.restore(data),
    ):
        with pytest.raises(SnapshotMismatch):
            index.prepare()


def test_a_character_snapshot_without_its_characters_is_refused(mi_catalogue: PackCatalogue) -> None:
    state = _kept(CharacterIndex.build(mi_catalogue.all_cast, mi_catalogue.films).snapshot())
    for broken in ({k: v for k, v in state.items() if k != "characters"}, {**state, "characters": [("only-a-key",)]}):
        with pytest.raises(SnapshotMismatch):
            CharacterIndex.restore(sealed_state(broken)).prepare()


def test_a_snapshot_with_labels_missing_is_refused(mi_catalogue: PackCatalogue) -> None:
    # Films and people carry every label; only characters make theirs when first shown.
    state = _kept(FilmIndex.build(mi_catalogue.films, mi_catalogue.titles).snapshot())
    state["_labels"] = [None] * len(state["_labels"])
    with pytest.raises(SnapshotMismatch):
        FilmIndex.restore(mi_catalogue.films, sealed_state(state)).prepare()


def test_a_snapshot_changed_after_it_was_kept_is_refused(mi_catalogue: PackCatalogue) -> None:
    snapshot = bytearray(CharacterIndex.build(mi_catalogue.all_cast, mi_catalogue.films).snapshot())
    assert len(CharacterIndex.restore(bytes(snapshot)).prepare()) > 0
    for at in (0, 5, len(snapshot) // 2, len(snapshot) - 1):
        changed = snapshot.copy()
        changed[at] ^= 1
        with pytest.raises(SnapshotMismatch):
            CharacterIndex.restore(bytes(changed)).prepare()
    with pytest.raises(SnapshotMismatch):
        CharacterIndex.restore(bytes(snapshot[:-1])).prepare()
