"""Packed rows: `PackedStrings` gives back the strings it packed, `People` the people, and a kept state
that is not such data is refused."""

from __future__ import annotations

import io
import marshal
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db import packed
from db.packed import PackedStrings, sealed_state, unsealed_state
from db.repositories.models import Film, People, Person

TEXTS = st.lists(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12), max_size=20)


@given(TEXTS)
def test_packed_strings_give_back_what_they_packed(texts: list[str]) -> None:
    packed = PackedStrings.of(texts)
    assert len(packed) == len(texts)
    assert list(packed) == texts
    assert [packed[at] for at in range(len(texts))] == texts
    assert [packed[at] for at in range(-len(texts), 0)] == texts
    assert packed[1:] == texts[1:]
    read = PackedStrings.from_state(marshal.loads(marshal.dumps(packed.state())))
    assert read == packed and list(read) == texts


def test_packed_strings_past_either_end_raise_index_error() -> None:
    packed = PackedStrings.of(["a", "bé"])
    for index in (2, -3):
        with pytest.raises(IndexError):
            packed[index]


@pytest.mark.parametrize(
    "state",
    [
        None,
        b"ab",
        (b"ab",),
        ("ab", b""),
        (b"ab", b"\x00\x00"),  # offsets cut inside a number
        (b"ab", b""),  # no offsets at all
        (b"ab", PackedStrings.of(["a", "bc"]).state()[1]),  # the offsets reach past the text
        (b"abc", PackedStrings.of(["ab", "c"]).offsets[::-1].tobytes()),  # offsets running backwards
        (b"\xc3", PackedStrings.of(["x"]).state()[1]),  # half a letter
    ],
)
def test_a_state_that_is_no_packed_strings_is_refused(state: object) -> None:
    with pytest.raises(ValueError):
        PackedStrings.from_state(state)


PEOPLE = [
    Person(3, "ving-rhames", "Ving Rhames", ()),
    Person(1, "zoe", "Zoë Ñandú", ("Z.", "Zoe Nandu")),
    Person(2**40, "x", "", ("",)),
]


def test_people_give_back_each_person() -> None:
    people = People.of(PEOPLE)
    assert len(people) == 3
    assert list(people) == PEOPLE and people == PEOPLE and people[-1] == PEOPLE[-1] and people[:2] == PEOPLE[:2]
    assert list(people.keys) == [person.key for person in PEOPLE] and list(people.ids) == [3, 1, 2**40]
    with pytest.raises(IndexError):
        people[3]


def test_the_longest_string_is_measured_in_bytes() -> None:
    assert PackedStrings.of([]).longest() == 0
    assert PackedStrings.of(["ab", "", "abcd", "é"]).longest() == 4
    assert PackedStrings.of(["éé", "abc"]).longest() == 4  # two characters, four bytes


def test_people_kept_as_their_state_are_read_back() -> None:
    people = People.of(PEOPLE)
    read = People.from_state(marshal.loads(marshal.dumps(people.state())))
    assert list(read) == PEOPLE and list(read.ids) == list(people.ids)
    assert list(People.from_state(People.of([]).state())) == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda state: state[:4],
        lambda state: (b"\x01" * 7, *state[1:]),  # ids cut short
        lambda state: (state[0] + state[0][:8], *state[1:]),  # one id too many
        lambda state: (*state[:3], state[3][4:], state[4]),  # an alias range missing
        lambda state: (*state[:3], state[3][:-4] + b"\xff\xff\x00\x00", state[4]),  # aliases past their end
    ],
)
def test_people_kept_that_do_not_fit_together_are_refused(damage: Callable[[tuple[Any, ...]], object]) -> None:
    with pytest.raises(ValueError):
        People.from_state(damage(People.of(PEOPLE).state()))


def test_films_made_from_columns_are_those_made_from_rows() -> None:
    rows = [
        (1, "a", "A", "A", 1990, None, None, None, 100, "s", None, None, None, "p", "src", None, ("Drama",)),
        (2, "b", "B", "Bé", 1991, "f", "F", 1, None, None, "t", "tt1", 3, "p", "src", "Q1", ()),
    ]
    films = Film.of_columns([list(column) for column in zip(*rows, strict=True)])
    assert films == [Film(*row) for row in rows]
    assert list(map(hash, films)) == [hash(Film(*row)) for row in rows]
    assert Film.of_columns([[] for _ in rows[0]]) == []
    with pytest.raises(ValueError):
        Film.of_columns([[1]])
    with pytest.raises(ValueError):
        Film.of_columns([[1, 2], *([[1]] * (len(rows[0]) - 1))])


@given(
    st.dictionaries(
        st.text(max_size=5),
        st.one_of(st.binary(max_size=30), st.integers(), st.dictionaries(st.integers(), st.binary(max_size=30))),
        max_size=4,
    )
)
def test_a_sealed_state_comes_back_unless_changed(state: dict[str, Any]) -> None:
    kept = sealed_state(state)
    assert unsealed_state(io.BytesIO(kept).read) == state
    for at in range(len(kept)):
        changed = bytearray(kept)
        changed[at] ^= 0x80
        with pytest.raises(ValueError):
            unsealed_state(io.BytesIO(bytes(changed)).read)
    if kept:
        with pytest.raises(ValueError):
            unsealed_state(io.BytesIO(kept[:-1]).read)


def test_a_large_dictionary_is_kept_as_a_record_per_item(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packed, "RECORD_BYTES", 100)
    state = {"small": {1: b"x"}, "large": {"a": b"x" * 80, "b": b"y" * 80}, "flat": b"z" * 200}
    reads: list[int] = []
    source = io.BytesIO(sealed_state(state))

    def read(size: int) -> bytes:
        reads.append(size)
        return source.read(size)

    assert unsealed_state(read) == state
    assert max(reads) < 250 and len(reads) == 2 * 4 + 1  # four records, each a header and a body, then the end
