"""The person index: people by name, aliases, first name and surname."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from cogs.films.search.index import TIER_NAME, TIER_PART, Name
from cogs.films.search.snapshots import KeptIndex
from cogs.films.search.text import TextKeys

P = TypeVar("P", bound="PersonLike")


class PersonLike(Protocol):
    """What the person index needs (``db`` ``Person`` and the pack's ``PackPerson`` fit)."""

    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def aliases(self) -> Sequence[str]: ...


class PersonIndex(KeptIndex[P]):
    """People by name, aliases, first name and surname."""

    @classmethod
    def build(cls, people: Iterable[P]) -> PersonIndex[P]:
        """Index ``people`` (from ``CatalogueRepository.people``)."""
        person_list = list(people)
        return cls._deferred(lambda: cls._index(person_list))

    @classmethod
    def restore(cls, people: Iterable[P], snapshot: bytes) -> PersonIndex[P]:
        """The index a `snapshot` holds, for the same ``people`` in the same order (see `FilmIndex.restore`)."""
        return cls._restore_keyed(people, snapshot)

    @classmethod
    def _index(cls, person_list: list[P]) -> PersonIndex[P]:
        keys = TextKeys()
        names: list[Name] = []
        for index, person in enumerate(person_list):
            for text in (person.name, *person.aliases):
                names.append((index, text, TIER_NAME))
                names.extend((index, part, TIER_PART) for part in keys.name_parts(text))
        normal = [keys.normalise(person.name) for person in person_list]
        counts = Counter(normal)
        # Two people with one name are told apart by their key in the label.
        labels = [
            person.name if counts[name] == 1 else f"{person.name} ({person.key})"
            for person, name in zip(person_list, normal, strict=True)
        ]
        browse = sorted(range(len(person_list)), key=[person.key for person in person_list].__getitem__)
        browse.sort(key=normal.__getitem__)
        return cls(
            person_list, names, keys=[p.key for p in person_list], labels=labels, browse_order=browse, cache=keys
        )
