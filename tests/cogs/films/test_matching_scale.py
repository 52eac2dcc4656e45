"""The matcher on catalogues large enough to take its fast paths.

Past ``SCAN_ALL`` names the fuzzy pass scores trigram candidates instead of every
name, and autocomplete stops at the first level of prefix matches that fills the
list: these tests hold both to what scoring everything would give.
"""

from __future__ import annotations

import random

import pytest
from rapidfuzz import fuzz, process

from cogs.films.search.index import MAX_CHOICES, SCAN_ALL
from cogs.films.search.people import PersonIndex
from cogs.films.search.text import normalise
from db.repositories.models import Person

FIRST = ["James", "Mary", "John", "Zoë", "Søren", "Óscar", "Ana", "Luca", "Ethan", "Luther", "Ilsa", "Benji"]
SYLLABLES = ["an", "ber", "car", "dan", "el", "fer", "gar", "hol", "kal", "lan", "mor", "nov", "quin", "ros", "ñа"]


def _surname(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3)))).capitalize()


@pytest.fixture(scope="module")
def crowd() -> tuple[PersonIndex[Person], list[Person]]:
    rng = random.Random(7)
    people = [Person(i, f"p{i}", f"{rng.choice(FIRST)} {_surname(rng)}", ()) for i in range(1, 2_500)]
    index = PersonIndex.build(people)
    assert len(index._keys) > SCAN_ALL  # the large-index paths are the ones under test
    return index, people


def _reference(index: PersonIndex[Person], query: str) -> list[str]:
    """Prefix matches as ranked by scoring every name: (bucket, score, browse order)."""
    key = normalise(query)
    best: dict[int, tuple[int, float]] = {}
    for position, name in enumerate(index._entry_keys):
        words = name.split(" ")
        if name == key:
            bucket = 3
        elif name.startswith(key):
            bucket = 2
        elif any(" ".join(words[start:]).startswith(key) for start in range(1, len(words))):
            bucket = 1
        else:
            continue
        rank = (bucket, 100.0 * len(key) / len(name))
        item = index._entry_item[position]
        if rank > best.get(item, (0, 0.0)):
            best[item] = rank
    ordered = sorted(best, key=lambda item: (-best[item][0], -best[item][1], index._rank[item]))
    return [index._values[item] for item in ordered]


@pytest.mark.parametrize("query", ["j", "ja", "james", "james b", "m", "mary c", "an", "ber", "zoe", "quin", "e"])
def test_complete_prefix_levels_match_scoring_everything(
    crowd: tuple[PersonIndex[Person], list[Person]], query: str
) -> None:
    index, _ = crowd
    expected = _reference(index, query)
    got = [choice.value for choice in index.complete(query)]
    if len(expected) >= MAX_CHOICES:
        assert got == expected[:MAX_CHOICES]
    else:
        assert got[: len(expected)] == expected  # then fuzzy matches may follow


def test_every_person_resolves_by_name_and_with_a_typo(crowd: tuple[PersonIndex[Person], list[Person]]) -> None:
    index, people = crowd
    rng = random.Random(3)
    unique = [p for p in people if sum(q.name == p.name for q in people) == 1]
    for person in rng.sample(unique, 40):
        assert index.resolve(person.name).best == person
        first, surname = person.name.split(" ", 1)
        if len(surname) >= 6:
            at = rng.randrange(1, len(surname) - 2)
            typo = f"{first} {surname[:at]}{surname[at + 1]}{surname[at]}{surname[at + 2 :]}"
            match = index.resolve(typo)
            assert person in [c.item for c in match.candidates], (typo, match)


def test_build_defers_the_work_until_first_use() -> None:
    people = [Person(1, "ving-rhames", "Ving Rhames", ()), Person(2, "simon-pegg", "Simon Pegg", ())]
    index = PersonIndex.build(people)
    assert index._pending is not None
    assert index.prepare() is index
    assert index._pending is None
    assert len(index) == 2 and index.resolve("rhames").best == people[0]


def test_a_crowded_first_name_fills_the_fuzzy_pool_as_all_its_names_would() -> None:
    rng = random.Random(11)
    people = [Person(i, f"p{i}", f"Rebecca {_surname(rng)}", ()) for i in range(1, 1_200)]
    index = PersonIndex.build(people).prepare()
    assert len(index._keys) > SCAN_ALL and "rebecca" in index._crowded  # the paths under test
    for query in ("rebeca", "rebbeca", "rebecca danber", "rebeca quinros"):
        candidates = index._candidates(query)
        found = process.extract(query, candidates, scorer=fuzz.WRatio, processor=None, limit=None, score_cutoff=60)
        every_name = sorted(
            ((score, position) for key, score, _ in found for position in index._positions(key)),
            key=lambda hit: (-hit[0], hit[1]),
        )
        assert index._fuzzy_hits(query, 60.0) == every_name[: index._fuzzy_pool]


def test_crowded_prefixes_list_the_first_items_in_browse_order() -> None:
    rng = random.Random(12)
    people = [Person(i, f"p{i}", f"John {_surname(rng)}", ()) for i in range(1, 1_200)]
    index = PersonIndex.build(people).prepare()
    got = [choice.value for choice in index.complete("john")]
    everyone = sorted(range(len(people)), key=lambda item: index._rank[item])
    assert got == [index._values[item] for item in everyone[:MAX_CHOICES]]
