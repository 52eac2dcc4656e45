"""The compact tables the search indexes are held in, and the indexes on a generated catalogue.

The tables (``tables.py``) are checked against plain lists of strings; the indexes built from the
benchmark's synthetic catalogue are checked against a brute-force reading of their entries (every
key's entries, every value, autocomplete's prefix levels), and read back from a snapshot they must
answer every query exactly as built.
"""

from __future__ import annotations

import marshal
import random
from dataclasses import dataclass
from typing import Any

import pytest

from bench.synthetic import Catalogue, generate
from cogs.films.search.characters import CharacterIndex
from cogs.films.search.films import FilmIndex
from cogs.films.search.index import MAX_CHOICES, SCAN_ALL, SearchIndex, Trigrams, _numbers_of_key
from cogs.films.search.people import PersonIndex
from cogs.films.search.snapshots import SnapshotMismatch, state_of
from cogs.films.search.tables import Picked, find_raw, packed, prefix_range
from cogs.films.search.text import match_tokens, numbers_in, search_key
from db.packed import PackedStrings, sealed_state
from db.repositories.models import People, Person

ALPHABET = ["a", "b", "n", " ", "ñ", "ø", "é", "ж", "中", "🚀", "1"]


def _kept(snapshot: bytes) -> dict[str, Any]:
    """The state a snapshot keeps, to spoil."""
    state = state_of(snapshot)
    assert state is not None
    return state


def _random_texts(rng: random.Random, count: int) -> list[str]:
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 6))) for _ in range(count)]


# --------------------------------------------------------------------------- the tables


def test_a_string_table_reads_as_the_list_it_was_made_of() -> None:
    texts = _random_texts(random.Random(1), 300)
    table = PackedStrings.of(texts)
    assert len(table) == len(texts)
    assert list(table) == texts
    assert [table[at] for at in range(len(texts))] == texts
    assert table[-1] == texts[-1] and table[3:9] == texts[3:9]
    assert table.pick([5, 0, 5, 299]) == [texts[5], texts[0], texts[5], texts[299]]
    assert list(Picked(table, [2, 1])) == [texts[2], texts[1]]
    assert list(PackedStrings.from_state(marshal.loads(marshal.dumps(table.state())))) == texts
    assert list(PackedStrings.of([])) == []


@pytest.mark.parametrize(
    "state",
    [None, (b"abc",), ("abc", b""), (b"abc", b"\x00\x00\x00\x00"), (b"abc", b"\x00\x00\x00\x00\x09\x00\x00\x00")],
)
def test_a_string_table_that_does_not_hold_together_is_refused(state: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        PackedStrings.from_state(state)


def test_sorted_tables_are_bisected_by_their_bytes_as_strings_sort() -> None:
    rng = random.Random(2)
    texts = sorted(_random_texts(rng, 400))
    table = PackedStrings.of(texts)
    for wanted in _random_texts(rng, 300) + texts[::7]:
        found = find_raw(table.raw, wanted.encode(), 0, len(table))
        assert found == (texts.index(wanted) if wanted in texts else None)
        start, end = prefix_range(table.raw, wanted.encode(), 0, len(table))
        assert texts[start:end] == [text for text in texts if text.startswith(wanted)]
        assert all(not text.startswith(wanted) for text in texts[:start] + texts[end:])


def test_numbers_are_packed_in_the_smallest_array_that_holds_them() -> None:
    assert packed([0, 255]).typecode == "B"
    assert packed([0, 256]).typecode == "H"
    assert packed([70_000]).typecode == "I"
    assert packed([1, 2], 1 << 20).typecode == "I"
    assert list(packed([3, 1, 2])) == [3, 1, 2]


@pytest.mark.parametrize("count", [200, 70_000])
def test_trigrams_list_every_key_holding_them(count: int) -> None:
    # 70,000 keys: gaps past 65,535 between two keys of a trigram, held as 4-byte numbers.
    keys = _random_texts(random.Random(3), 200)
    if count > len(keys):
        keys = keys[:100] + ["zz"] * (count - 200) + keys[100:]
    grams = Trigrams.of(keys)
    padded = [f" {key} " for key in keys]
    every = {text[at : at + 3] for text in padded for at in range(len(text) - 2)}
    assert list(grams.grams) == sorted(every)
    assert any(grams.wide) == (count > 65_536)
    restored = Trigrams.from_state(marshal.loads(marshal.dumps(grams.state())))
    for gram in every:
        expected = [number for number, text in enumerate(padded) if gram in text]
        place = grams.places[gram]
        assert list(grams.keys(place)) == list(restored.keys(place)) == expected
        assert grams.size(place) == len(expected)
    assert "zzq" not in grams.places


# --------------------------------------------------------------------------- indexes of a generated catalogue


@dataclass(frozen=True)
class _Film:
    id: int
    key: str
    title: str
    year: int
    franchise_order: int | None
    franchise_name: str | None


@dataclass(frozen=True)
class _Title:
    film_id: int
    title: str
    kind: str


@dataclass(frozen=True)
class _Credit:
    film_id: int
    person_key: str
    person_name: str
    character: str | None


@dataclass(frozen=True)
class _Indexes:
    catalogue: Catalogue
    films: FilmIndex[_Film]
    people: PersonIndex[Person]
    characters: CharacterIndex


@pytest.fixture(scope="module")
def generated() -> _Indexes:
    catalogue = generate(400, 2_000, seed=5)
    films: list[_Film] = []
    titles: list[_Title] = []
    credits: list[_Credit] = []
    for pack in catalogue.packs:
        franchise = pack.franchise[1] if pack.franchise else None
        for film in pack.films:
            number = len(films) + 1
            films.append(_Film(number, film.key, film.title, film.year, film.order, franchise))
            titles.extend(_Title(number, alias, "alias") for alias in film.aliases)
            credits.extend(
                _Credit(number, person, catalogue.people[person].name, character) for person, character in film.cast
            )
    people = [Person(at, p.key, p.name, tuple(p.aliases)) for at, p in enumerate(catalogue.people.values(), 1)]
    return _Indexes(
        catalogue,
        FilmIndex.build(films, titles).prepare(),
        PersonIndex.build(people).prepare(),
        CharacterIndex.build(credits, films).prepare(),
    )


def _indexes(generated: _Indexes) -> list[SearchIndex[object]]:
    return [generated.films, generated.people, generated.characters]  # type: ignore[list-item]


def _queries(generated: _Indexes, kind: str, count: int) -> list[str]:
    """Names of the catalogue typed a keystroke at a time, and mistyped."""
    rng = random.Random(kind)
    if kind == "films":
        names = [film.title for film in generated.catalogue.films] + [
            alias for film in generated.catalogue.films for alias in film.aliases
        ]
    elif kind == "people":
        names = [person.name for person in generated.catalogue.people.values()]
    else:
        names = [character.name for character in generated.characters.items]
    queries = ["", "a", "1", "19", "2 ", "the", "xq"]
    for name in rng.sample(names, count):
        queries.extend(name[:cut] for cut in sorted({1, 2, 4, 7, len(name)}))
        if len(name) > 4:
            at = rng.randrange(1, len(name) - 2)
            queries.append(name[:at] + name[at + 1] + name[at] + name[at + 2 :])
    return queries


def test_every_key_lists_its_entries_in_browse_order(generated: _Indexes) -> None:
    for index in _indexes(generated):
        keys = list(index._entry_keys)
        entries: dict[str, list[int]] = {}
        for position, key in enumerate(keys):
            entries.setdefault(key, []).append(position)
        # Films take the small index's path (every name scored), people and characters the trigrams'.
        assert (len(keys) > SCAN_ALL) == (index is not generated.films)
        for key, positions in entries.items():
            expected = sorted(positions, key=lambda pos: index._rank[index._entry_item[pos]])
            assert list(index._positions(key)) == expected, key
            assert index._crowded.get(key, positions[: index._fuzzy_pool]) == positions[: index._fuzzy_pool]
        for missing in ("", "zzzz", keys[0] + "!", keys[-1][:-1] + "~"):
            if missing not in entries:
                assert list(index._positions(missing)) == []


def test_every_value_finds_its_item(generated: _Indexes) -> None:
    for index in _indexes(generated):
        for item, value in enumerate(index._values):
            assert index._item_of_value(value) == item
            assert index.get(value.upper()) == index.items[item]
        assert index._item_of_value("no such value") is None


def _prefix_levels(index: SearchIndex[object], query: str) -> list[str]:
    """Autocomplete's prefix levels read from every entry: the exact key, keys that start with the
    query (shortest first), then keys with a later word that does (shortest first), each level in
    browse order; an item once."""
    key = " ".join(match_tokens(query))
    levels: dict[tuple[int, int], list[int]] = {}
    for position, name in enumerate(index._entry_keys):
        words = name.split(" ")
        if name == key:
            level = (0, 0)
        elif name.startswith(key):
            level = (1, len(name))
        elif any(" ".join(words[start:]).startswith(key) for start in range(1, len(words))):
            level = (2, len(name))
        else:
            continue
        levels.setdefault(level, []).append(index._entry_item[position])
    ordered: list[int] = []
    for level in sorted(levels):
        for item in sorted(levels[level], key=index._rank.__getitem__):
            if item not in ordered:
                ordered.append(item)
    return [index._values[item] for item in ordered]


@pytest.mark.parametrize("few", [SearchIndex._few_prefixed, 0])
@pytest.mark.parametrize("kind", ["films", "people", "characters"])
def test_autocomplete_lists_the_prefix_levels_as_reading_every_entry_would(
    generated: _Indexes, kind: str, few: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    index: SearchIndex[object] = getattr(generated, kind)
    # Keys that begin the query are found among all at once when few, else among each length's in
    # turn: both ways are held to the brute-force reading.
    monkeypatch.setattr(index, "_few_prefixed", few)
    checked = 0
    for query in _queries(generated, kind, 60):
        if not match_tokens(query) or any(token.isdecimal() for token in match_tokens(query)):
            continue  # numbers narrow the levels: covered by the matcher's own tests
        expected = _prefix_levels(index, query)
        got = [choice.value for choice in index.complete(query)]
        if len(expected) >= MAX_CHOICES:
            assert got == expected[:MAX_CHOICES], query
        else:
            assert got[: len(expected)] == expected, query  # then fuzzy matches may follow
        checked += bool(expected)
    assert checked > 100


def test_every_unique_name_resolves_to_its_item(generated: _Indexes) -> None:
    people = generated.people
    names = [person.name for person in people.items]
    for person in people.items:
        if names.count(person.name) == 1:
            assert people.resolve(person.name).best == person
    for character in generated.characters.items:
        match = generated.characters.resolve(character.name)
        assert character in [candidate.item for candidate in match.candidates], character.name


@pytest.mark.parametrize("kind", ["films", "people", "characters"])
def test_a_snapshot_read_back_answers_every_query_as_the_built_index(generated: _Indexes, kind: str) -> None:
    built: SearchIndex[object] = getattr(generated, kind)
    if kind == "characters":
        restored: SearchIndex[object] = CharacterIndex.restore(generated.characters.snapshot())
    else:
        restored = type(built).restore(built.items, built.snapshot())  # type: ignore[attr-defined]
    restored.prepare()
    assert list(restored.items) == list(built.items)
    for query in _queries(generated, kind, 40):
        assert restored.complete(query) == built.complete(query), query
        assert restored.resolve(query) == built.resolve(query), query


@pytest.mark.parametrize(
    "spoil",
    [
        lambda state: state.update(_entry_item=("I", state["_entry_item"][1][:-4])),
        lambda state: state.update(_key_start=("Q", state["_key_start"][1])),
        lambda state: state.update(_key_table=(state["_key_table"][0][:-1], state["_key_table"][1])),
        lambda state: state.update(_labels=(b"", b"")),
        lambda state: state.update(_number_sets=[(1, 2)]),
        lambda state: state.update(_grams=(state["_grams"][0], b"", b"")),
        lambda state: state.update(_lengths=None),
    ],
)
def test_a_snapshot_whose_tables_do_not_fit_is_refused(generated: _Indexes, spoil: object) -> None:
    people = generated.people
    state = _kept(people.snapshot())
    spoil(state)  # type: ignore[operator]
    with pytest.raises(SnapshotMismatch):
        PersonIndex.restore(people.items, sealed_state(state)).prepare()


@pytest.mark.parametrize(
    "text",
    [
        "Rocky II", "Mission: Impossible III", "10,000 B.C.", "1 0500", "Part V: A New Beginning", "The X-Files",
        "J. J. Abrams", "M:I:V", "2½ Men", "Ocean's Eleven", "Apollo 13", "Nine 1/2 Weeks", "X2", "Mr. X 2",
        "Kurt Hendricks", "Zoë 3 ½", "Ⅻ Monkeys", "Catch-22", "1917", "a 1 b",
    ],
)  # fmt: skip
def test_a_keys_numbers_read_off_its_words_are_those_numbers_in_finds(text: str) -> None:
    for key in (search_key(text), " ".join(match_tokens(text))):
        assert _numbers_of_key(key) == numbers_in(key), key


def test_the_numbers_of_every_generated_key_are_those_numbers_in_finds(generated: _Indexes) -> None:
    for index in _indexes(generated):
        for key in index._key_table:
            assert _numbers_of_key(key) == numbers_in(key), key


def test_packed_people_index_as_the_same_people_listed(generated: _Indexes) -> None:
    listed = list(generated.people.items)
    packed_people = PersonIndex.build(People.of(listed)).prepare()
    assert packed_people.snapshot() == generated.people.snapshot()
