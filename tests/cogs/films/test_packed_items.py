"""Packed items: the character index holds its characters packed (`CharacterTable`), and the person
index keeps packed people (`People`) as they are. The `Character` tuples made when asked are those a
build groups from the credits, equal after a snapshot is read back; a snapshot whose tables do not fit
together, or that was built from other people, is refused."""

from __future__ import annotations

from array import array
from typing import Any, NamedTuple

import pytest

from cogs.films.search.characters import Character, CharacterAppearance, CharacterIndex, CharacterTable
from cogs.films.search.people import PersonIndex
from cogs.films.search.snapshots import SnapshotMismatch, state_of
from db.packed import sealed_state
from db.repositories.models import People, Person
from tests.pack_catalogue import PackCatalogue


def _kept(snapshot: bytes) -> dict[str, Any]:
    """The state a snapshot keeps, to spoil."""
    state = state_of(snapshot)
    assert state is not None
    return state


class _Film(NamedTuple):
    id: int
    key: str
    title: str
    year: int
    franchise_order: int | None = None


class _Credit(NamedTuple):
    film_id: int
    person_key: str
    person_name: str
    character: str | None


FILMS = [
    _Film(1, "later", "Later Film", 2001),
    _Film(2, "earlier", "Éarlier — Film 🎬", 1999),
    _Film(3, "same-year-b", "Same Year B", 2001),
    _Film(4, "same-year-a", "Same Year A", 2001),
]
CREDITS = [
    _Credit(1, "zoe", "Zoë Ñandú", 'Kurt Hendricks ("Cobalt")'),
    _Credit(2, "max", "Max Power", "Kurt Hendricks"),
    _Credit(2, "zoe", "Zoë Ñandú", "Kurt Hendricks"),  # two people played him in one film
    _Credit(1, "zoe", "Zoë Ñandú", "Kurt Hendricks"),  # the same appearance again: kept once
    _Credit(3, "ann", "Ann Lee", "Jane / The Widow"),
    _Credit(4, "ann", "Ann Lee", "Jane"),
    _Credit(99, "ann", "Ann Lee", "Jane"),  # a film the index is not given: skipped
    _Credit(4, "bob", "Bob", "(uncredited)"),  # only a note: no character
    _Credit(4, "bob", "Bob", None),
]


def appearance(person: tuple[str, str], film: _Film) -> CharacterAppearance:
    return CharacterAppearance(person[0], person[1], film.key, film.title, film.year)


ZOE, MAX, ANN = ("zoe", "Zoë Ñandú"), ("max", "Max Power"), ("ann", "Ann Lee")
EXPECTED = [
    Character(
        "kurt hendricks",
        "Kurt Hendricks",
        ("Cobalt",),
        (appearance(MAX, FILMS[1]), appearance(ZOE, FILMS[1]), appearance(ZOE, FILMS[0])),
    ),
    Character("jane", "Jane", ("The Widow",), (appearance(ANN, FILMS[3]), appearance(ANN, FILMS[2]))),
]


def test_the_characters_made_are_those_grouped_from_the_credits() -> None:
    built = CharacterIndex.build(CREDITS, FILMS)
    restored = CharacterIndex.restore(built.snapshot())
    for index in (built, restored):
        assert isinstance(index.items, CharacterTable)
        assert list(index.items) == EXPECTED
        assert [index.items[at] for at in range(len(index))] == EXPECTED
        assert index.items[-1] == EXPECTED[-1] and index.items[0:2] == EXPECTED
        with pytest.raises(IndexError):
            index.items[len(EXPECTED)]
        assert index.items == EXPECTED and index.items == tuple(EXPECTED)
        assert index.items != EXPECTED[:1]
        assert [index.label(at) for at in range(len(index))] == [
            "Kurt Hendricks (Max Power, Zoë Ñandú)",
            "Jane (Ann Lee)",
        ]
        best = index.resolve("cobalt").best
        assert best == EXPECTED[0] and type(best.appearances[0]) is CharacterAppearance
    assert restored.items == built.items


def test_restored_characters_equal_the_built_ones(mi_catalogue: PackCatalogue) -> None:
    built = CharacterIndex.build(mi_catalogue.all_cast, mi_catalogue.films)
    restored = CharacterIndex.restore(built.snapshot())
    assert len(restored) == len(built) > 50
    assert list(restored.items) == list(built.items)
    assert [restored.items[at] for at in range(len(restored))] == list(built.items)  # looked up as read in order
    assert [restored.label(at) for at in range(len(restored))] == [built.label(at) for at in range(len(built))]
    luther = next(character for character in restored.items if character.key == "luther stickell")
    assert luther.people == ("Ving Rhames",)
    assert [a.film_key for a in luther.appearances] == [f"mi{n}" for n in range(1, 9)]


def _state(built: CharacterIndex) -> dict[str, Any]:
    state = _kept(built.snapshot())
    assert isinstance(state, dict)
    return state


def _with(state: dict[str, Any], **parts: Any) -> bytes:
    return sealed_state({**state, "characters": {**state["characters"], **parts}})


def test_a_character_snapshot_whose_tables_do_not_fit_is_refused() -> None:
    state = _state(CharacterIndex.build(CREDITS, FILMS))
    kept = state["characters"]
    films = array("I", kept["appearance_films"])
    films[0] = 4  # a film number past the table of films
    offsets = array("I", kept["appearance_offsets"])
    offsets[1], offsets[2] = offsets[2], offsets[1]  # ranges running backwards
    keys_text, key_offsets = kept["keys"]
    # Numbers that a sealed snapshot cannot hold unless its writer wrote them: refused by a table that
    # checks them all, as `CharacterTable.from_state` does unless told the data was sealed.
    for spoilt in (
        {**kept, "appearance_films": films.tobytes()},
        {**kept, "appearance_offsets": offsets.tobytes()},
        {**kept, "keys": (b"\xff" * len(keys_text), key_offsets)},  # not UTF-8
    ):
        with pytest.raises(ValueError):
            CharacterTable.from_state(spoilt)
    broken = [
        _with(state, appearance_performers=kept["appearance_performers"][:-4]),  # one performer short
        _with(state, film_years=kept["film_years"][:-1]),  # cut inside a number
        _with(state, keys=(keys_text[:-1], key_offsets)),  # text shorter than its offsets say
        _with(state, names=kept["keys"][0]),  # not a pair
        sealed_state({**state, "characters": {k: v for k, v in kept.items() if k != "aliases"}}),
        # Characters as format 4 kept them, tuples of strings: another layout.
        sealed_state({**state, "characters": [("jane", "Jane", (), (("ann", "Ann Lee", "later", "Later", 2001),))]}),
    ]
    for data in broken:
        with pytest.raises(SnapshotMismatch):
            CharacterIndex.restore(data).prepare()


def test_another_index_snapshot_is_refused_as_characters(mi_catalogue: PackCatalogue) -> None:
    with pytest.raises(SnapshotMismatch):
        CharacterIndex.restore(PersonIndex.build(mi_catalogue.people).snapshot()).prepare()


def test_an_index_of_no_characters_is_kept_and_read_back() -> None:
    built = CharacterIndex.build([], FILMS)
    restored = CharacterIndex.restore(built.snapshot())
    assert len(restored) == 0 and list(restored.items) == [] and restored.items == built.items


def test_a_person_index_over_packed_people_answers_as_over_a_list(mi_catalogue: PackCatalogue) -> None:
    listed = mi_catalogue.people
    packed = People.of(listed)
    built = PersonIndex.build(listed)
    snapshot = built.snapshot()
    for index in (
        PersonIndex.build(packed),
        PersonIndex.restore(packed, snapshot, keys=packed.keys),
        PersonIndex.restore(listed, snapshot, keys=[person.key for person in listed]),
    ):
        assert index.items == listed
        assert [index.label(at) for at in range(len(index))] == [built.label(at) for at in range(len(built))]
        for query in ("", "pegg", "ving", "tom cruse", "simon-pegg"):
            assert index.resolve(query) == built.resolve(query), query
            assert index.complete(query) == built.complete(query), query
    assert PersonIndex.build(packed).items is packed  # kept packed, not copied into objects


def test_packed_people_whose_keys_do_not_fit_the_snapshot_are_refused(mi_catalogue: PackCatalogue) -> None:
    listed = mi_catalogue.people
    snapshot = PersonIndex.build(listed).snapshot()
    for other in (listed[1:], listed[::-1]):
        packed = People.of(other)
        with pytest.raises(SnapshotMismatch):
            PersonIndex.restore(packed, snapshot, keys=packed.keys).prepare()


def test_people_who_share_a_name_are_labelled_with_their_key_when_read_back() -> None:
    people = [
        Person(1, "john-smith", "John Smith", ()),
        Person(2, "jane", "Jane Roe", ()),
        Person(3, "john-smith-2", "JOHN SMITH", ()),
    ]
    built = PersonIndex.build(people)
    snapshot = built.snapshot()
    expected = ["John Smith (john-smith)", "Jane Roe", "JOHN SMITH (john-smith-2)"]
    for index in (built, PersonIndex.restore(people, snapshot), PersonIndex.restore(People.of(people), snapshot)):
        assert [index.label(at) for at in range(len(index))] == expected
    state = _kept(snapshot)
    for broken in ({k: v for k, v in state.items() if k != "shared_names"}, {**state, "shared_names": [1]}):
        with pytest.raises(SnapshotMismatch):
            PersonIndex.restore(people, sealed_state(broken)).prepare()


def test_shared_names_read_back_are_found_whatever_their_letters() -> None:
    names = ["Zoë Lee", "ZOË LEE", "Ann Ek", "ann ek", "Émile Roy", "émile roy", "Bo", "Çelik"]
    people = [Person(at, f"{name.casefold().replace(' ', '-')}-{at}", name, ()) for at, name in enumerate(names)]
    built = PersonIndex.build(people)
    restored = PersonIndex.restore(people, built.snapshot()).prepare()
    labels = [restored.label(at) for at in range(len(people))]
    assert labels == [built.label(at) for at in range(len(people))]
    assert labels[-2:] == ["Bo", "Çelik"] and all(label.endswith(")") for label in labels[:-2])
