"""Built indexes kept as bytes: a start with an unchanged catalogue reads them back instead of building.

`KeptIndex` adds to `SearchIndex` what the film, person and character indexes need to be kept in the
database and read back: `snapshot`, and the class methods their `restore` is made of.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Self, TypeVar

from cogs.films.search.index import MAX_CHOICE_CHARS, SearchIndex, Trigrams, value_for
from cogs.films.search.tables import NUMBER_CODES
from db.packed import PackedStrings, numbers_of, sealed_state, unsealed_state

T = TypeVar("T")

TABLE_FIELDS = ("_texts", "_key_table", "_number_texts")
"""The fields held as string tables, kept as their blob and offsets."""
ARRAY_FIELDS = (
    "_years", "_browse", "_rank", "_by_value", "_entry_key", "_entry_item", "_entry_tier", "_entry_text",
    "_entry_numbers", "_key_order", "_key_start", "_key_entries", "_by_length", "_length_start", "_tail_start",
    "_tail_key", "_tail_at", "_tail_order", "_number_items",
)  # fmt: skip
"""The fields held as arrays of numbers, kept as their type code and bytes."""
PLAIN_FIELDS = {
    "_has_years": bool, "_by_folded_value": dict, "_number_sets": list, "_lengths": list,
}  # fmt: skip
"""The fields ``marshal`` keeps as they are, each checked for its type (small: an element per distinct key
length, set of numbers or value not its own casefold)."""
STATE_FIELDS = (*TABLE_FIELDS, *ARRAY_FIELDS, *PLAIN_FIELDS, "_labels", "_values", "_by_year", "_crowded", "_grams")
"""What a snapshot holds: all a built index holds besides its items, as plain data (bytes above all)."""
_ARRAY_CODES = NUMBER_CODES | {"i"}
"""The array types an index holds (`packed`'s and the years'), and so all a snapshot may name."""


class SnapshotMismatch(ValueError):
    """A stored index that cannot be read back, or that does not fit the items it is given."""


Kept = bytes | dict[str, Any] | None
"""A kept snapshot as `KeptIndex.snapshot` made it, or as `read_kept` read it (None: damaged)."""


def read_kept(read: Callable[[int], bytes]) -> dict[str, Any] | None:
    """The state of a kept snapshot read through ``read(n)`` (see `unsealed_state`); None if it is not
    one or is damaged, for `restore` to refuse when the index is first used."""
    try:
        return unsealed_state(read)
    except ValueError:
        return None


def state_of(snapshot: bytes) -> dict[str, Any] | None:
    """`read_kept` of a snapshot held whole."""
    return read_kept(io.BytesIO(snapshot).read)


class KeptIndex(SearchIndex[T]):
    """A search index that can be kept as a snapshot and read back."""

    def snapshot(self) -> bytes:
        """The built index, all but its items, as bytes that `restore` reads back.

        ``marshal`` holds only plain data (no code runs when it is read) and reads it back
        several times faster than the index is built: almost all of it is the bytes of tables and
        arrays, which become them in one copy each (a record at a time: `sealed_state`). Its format
        belongs to one Python version:
        whoever stores a snapshot must note the version with it.
        """
        self.prepare()
        state: dict[str, Any] = {name: getattr(self, name).state() for name in TABLE_FIELDS}
        for name in ARRAY_FIELDS:
            numbers = getattr(self, name)
            state[name] = (numbers.typecode, numbers.tobytes())
        state.update((name, getattr(self, name)) for name in PLAIN_FIELDS)
        state["_labels"] = None if self._labels is None else self._labels.state()
        # The values are made again from the items' keys when read back: only whether they match is kept.
        state["_values"] = _digest(self._values)
        state["_by_year"] = {year: found.tobytes() for year, found in self._by_year.items()}
        state["_crowded"] = {key: found.tobytes() for key, found in self._crowded.items()}
        state["_grams"] = None if self._grams is None else self._grams.state()
        return sealed_state(state | self._snapshot_extra())

    def _snapshot_extra(self) -> dict[str, Any]:
        """More of the index for the snapshot: the items, when they are made by the index itself."""
        return {}

    @classmethod
    def _restore_keyed(cls, items: Iterable[Any], snapshot: Kept) -> Self:
        """A deferred index read from `snapshot` for ``items`` that carry their own ``key``."""
        item_list = list(items)
        return cls._deferred(
            lambda: cls._from_state(item_list, [item.key for item in item_list], cls._read_snapshot(snapshot))
        )

    @classmethod
    def _read_snapshot(cls, snapshot: Kept) -> dict[str, Any]:
        state = state_of(snapshot) if isinstance(snapshot, bytes) else snapshot
        if state is None:
            raise SnapshotMismatch(f"unreadable {cls.__name__} snapshot")
        if any(name not in state for name in STATE_FIELDS):
            raise SnapshotMismatch(f"incomplete {cls.__name__} snapshot")
        return state

    @classmethod
    def _from_state(
        cls,
        items: Sequence[T],
        keys: Sequence[str],
        state: dict[str, Any],
        make_label: Callable[[T], str] | None = None,
    ) -> Self:
        """An index from a snapshot's state, if it was built from items with exactly these keys.

        The snapshot was sealed (its records' checksums were checked when read): its tables' shapes are
        checked, not each of their tens of millions of offsets and numbers."""
        values = _values_of(keys)
        if state["_values"] != _digest(values):
            raise SnapshotMismatch(f"the {cls.__name__} snapshot was built from other items")
        if make_label is None and state["_labels"] is None:
            raise SnapshotMismatch(f"the {cls.__name__} snapshot lacks labels")
        index = cls.__new__(cls)
        index._lock = threading.RLock()
        index._pending = None
        index._items = items
        index._make_label = make_label
        index._made_labels = {}
        index._values = values
        index._scan_keys = None
        try:
            for name in TABLE_FIELDS:
                setattr(index, name, PackedStrings.from_state(state[name], checked=False))
            labels = state["_labels"]
            index._labels = None if labels is None else PackedStrings.from_state(labels, checked=False)
            for name in ARRAY_FIELDS:
                code, data = state[name]
                if code not in _ARRAY_CODES:
                    raise ValueError(f"no array of type {code!r} is kept")
                setattr(index, name, numbers_of(code, data))
            for name, kind in PLAIN_FIELDS.items():
                if not isinstance(state[name], kind):
                    raise TypeError(f"{name} kept as {type(state[name]).__name__}")
                setattr(index, name, state[name])
            index._by_year = {year: numbers_of("I", found) for year, found in state["_by_year"].items()}
            index._crowded = {key: numbers_of("I", found) for key, found in state["_crowded"].items()}
            index._grams = None if state["_grams"] is None else Trigrams.from_state(state["_grams"], checked=False)
        except (TypeError, ValueError, AttributeError) as error:
            raise SnapshotMismatch(f"the {cls.__name__} snapshot holds unreadable tables") from error
        if not _consistent(index, len(keys)):
            raise SnapshotMismatch(f"the {cls.__name__} snapshot's tables do not fit together")
        return index


def _digest(values: PackedStrings) -> bytes:
    """A digest of a table of values: a snapshot is read back only for items with the same ones."""
    digest = hashlib.blake2b(values.data, digest_size=16)
    digest.update(values.offsets.tobytes())
    return digest.digest()


def _consistent(index: SearchIndex[Any], count: int) -> bool:
    """Whether the tables read back fit each other and ``count`` items (their sizes; not every number)."""
    entries = len(index._entry_item)
    keys = len(index._key_table)
    return (
        len(index._rank) == len(index._browse) == count
        and (index._labels is None or len(index._labels) == count)
        and (not index._has_years or len(index._years) == count)
        and all(
            len(found) == entries
            for found in (index._entry_key, index._entry_tier, index._entry_text, index._entry_numbers)
        )
        and len(index._key_order) == keys == len(index._key_start) - 1
        and index._key_start[-1] == len(index._key_entries) == entries
        and len(index._length_start) == len(index._tail_start) == len(index._lengths) + 1
        and index._length_start[-1] == len(index._by_length) == keys
        and index._tail_start[-1] == len(index._tail_key) == len(index._tail_at) == len(index._tail_order)
        and len(index._number_items) == len(index._number_texts)
        and len(index._by_value) == count
        and all(isinstance(numbers, frozenset) for numbers in index._number_sets)
    )


def _values_of(keys: Sequence[str]) -> PackedStrings:
    """The autocomplete value of each key (`value_for`). Packed keys none of which is too long to be its
    own value are kept as they are, rather than decoded and packed again: a million of them at start."""
    if isinstance(keys, PackedStrings) and keys.longest() <= MAX_CHOICE_CHARS:
        return keys
    return PackedStrings.of(value_for(key) for key in keys)
