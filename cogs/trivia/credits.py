"""Every film's cast as generated trivia reads it, held as numbers: a film's `CastLine`s are made when asked for.

A large catalogue has millions of cast credits; as one tuple each they took more memory than anything else
while the question pool was built. Here a credit is a billing number and a person number in two arrays, a
film a range of them, and each person's key and name one pair of strings.

Pure: no Discord, no database.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence

from db.repositories.models import CastLine, Person

__all__ = ["CastShelf"]


class CastShelf(Mapping[int, list[CastLine]]):
    """Each film's cast lines by film id, in billing order (as `CatalogueRepository.cast_lines` reads them).

    Every film given to the shelf is in it, with no lines until its credits are added.
    """

    def __init__(self, film_ids: Iterable[int], people: Iterable[Person]) -> None:
        self._ranges: dict[int, tuple[int, int]] = dict.fromkeys(film_ids, (0, 0))
        self._billing = array("i")
        self._people = array("I")
        self._keys: list[str] = []
        self._names: list[str] = []
        self._person_at: dict[int, int] = {}
        for person in people:
            self._person_at[person.id] = len(self._keys)
            self._keys.append(person.key)
            self._names.append(person.name)

    def add(self, film_ids: Sequence[int], billing_orders: Sequence[int], person_ids: Sequence[int]) -> None:
        """Add credits (columns of rows in film then billing order, each film's rows all in one call); the
        credits of a film that is not in the shelf are left out."""
        start = 0
        while start < len(film_ids):
            film_id = film_ids[start]
            end = start + 1
            while end < len(film_ids) and film_ids[end] == film_id:
                end += 1
            if film_id in self._ranges:
                first = len(self._billing)
                self._billing.extend(billing_orders[start:end])
                self._people.extend(self._person_at[person_id] for person_id in person_ids[start:end])
                self._ranges[film_id] = (first, len(self._billing))
            start = end

    def __getitem__(self, film_id: int) -> list[CastLine]:
        first, end = self._ranges[film_id]
        keys, names, people, billing = self._keys, self._names, self._people, self._billing
        return [CastLine(film_id, billing[at], keys[people[at]], names[people[at]]) for at in range(first, end)]

    def __iter__(self) -> Iterator[int]:
        return iter(self._ranges)

    def __len__(self) -> int:
        return len(self._ranges)

    def count(self, film_id: int) -> int:
        """How many cast lines the film has, without making them."""
        first, end = self._ranges.get(film_id, (0, 0))
        return end - first
