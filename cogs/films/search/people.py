"""The person index: people by name, aliases, first name and surname."""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Iterable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

from cogs.films.search.index import names_and_parts
from cogs.films.search.snapshots import Kept, KeptIndex, SnapshotMismatch
from cogs.films.search.tables import find_raw
from cogs.films.search.text import TextKeys, normalise
from db.packed import PackedStrings, offsets_of
from db.repositories.models import People

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
        """Index ``people`` (from ``CatalogueRepository.people``); a sequence is kept as it is (packed
        people stay packed), anything else is read into a list."""
        person_list = people if isinstance(people, Sequence) else list(people)
        return cls._deferred(lambda: cls._index(person_list))

    @classmethod
    def restore(cls, people: Iterable[P], snapshot: Kept, *, keys: Sequence[str] | None = None) -> PersonIndex[P]:
        """The index a `snapshot` holds, for the same ``people`` in the same order (see `FilmIndex.restore`).

        ``keys``, the people's keys in that order, spares making every person to read theirs (packed
        people have them packed); a sequence of ``people`` is kept as it is, as by `build`.
        """
        person_list = people if isinstance(people, Sequence) else list(people)
        return cls._deferred(lambda: cls._restored(person_list, keys, cls._read_snapshot(snapshot)))

    @classmethod
    def _restored(cls, person_list: Sequence[P], keys: Sequence[str] | None, state: dict[str, Any]) -> PersonIndex[P]:
        try:
            # Kept packed and sorted: looked up as they are, rather than made into a set of strings (a
            # large share of a large catalogue's people share their name with someone).
            shared = _SortedKeys(PackedStrings.from_state(state.get("shared_names"), checked=False))
        except ValueError as error:
            raise SnapshotMismatch("the PersonIndex snapshot does not say which names are shared") from error
        person_keys = keys if keys is not None else [person.key for person in person_list]
        return cls._from_state(person_list, person_keys, state, _Labels(shared))

    def _snapshot_extra(self) -> dict[str, Any]:
        labels = self._make_label
        assert isinstance(labels, _Labels)
        return {"shared_names": PackedStrings.of(sorted(labels.shared)).state()}

    @classmethod
    def _index(cls, person_list: Sequence[P]) -> PersonIndex[P]:
        keys = TextKeys()
        person_keys, person_names, alias_offsets, aliases = _columns(person_list)

        normal = [normalise(name) for name in person_names]
        counts = Counter(normal)
        shared = frozenset(key for key, name in zip(person_keys, normal, strict=True) if counts[name] > 1)
        del counts
        browse = sorted(range(len(person_list)), key=person_keys.__getitem__)
        browse.sort(key=normal.__getitem__)
        del normal
        names = names_and_parts(person_names, alias_offsets, aliases, keys)
        return cls(person_list, names, keys=person_keys, labels=_Labels(shared), browse_order=browse, cache=keys)


def _columns(person_list: Sequence[PersonLike]) -> tuple[list[str], list[str], Sequence[int], Sequence[str]]:
    """Each person's key and name, and their aliases laid end to end with where each person's start: read
    from the columns of packed people (`db` ``People``), rather than making every person to read them."""
    if isinstance(person_list, People):
        return list(person_list.keys), list(person_list.names), person_list.alias_offsets, person_list.aliases
    person_keys: list[str] = []
    person_names: list[str] = []
    counts: list[int] = []
    aliases: list[str] = []
    # One pass: people made one by one are made once.
    for person in person_list:
        person_keys.append(person.key)
        person_names.append(person.name)
        counts.append(len(person.aliases))
        aliases.extend(person.aliases)
    return person_keys, person_names, offsets_of(counts), aliases


class _SortedKeys(Container[str]):
    """Keys packed in order (UTF-8 sorts as the code points it spells), found by bisection."""

    __slots__ = ("keys",)

    def __init__(self, keys: PackedStrings) -> None:
        self.keys = keys

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and find_raw(self.keys.raw, key.encode(), 0, len(self.keys)) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys)


class _Labels:
    """A person's label, made when first shown (most never are): the name, with the key after it when
    two people share the name, to tell them apart."""

    __slots__ = ("shared",)

    def __init__(self, shared: frozenset[str] | _SortedKeys) -> None:
        """``shared``: the keys of the people whose (normalised) name another person has too."""
        self.shared = shared

    def __call__(self, person: PersonLike) -> str:
        return f"{person.name} ({person.key})" if person.key in self.shared else person.name
