"""Built indexes kept as bytes: a start with an unchanged catalogue reads them back instead of building.

`KeptIndex` adds to `SearchIndex` what the film, person and character indexes need to be kept in the
database and read back: `snapshot`, and the class methods their `restore` is made of.
"""

from __future__ import annotations

import marshal
import threading
from array import array
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Self, TypeVar

from cogs.films.search.index import SearchIndex, value_for

T = TypeVar("T")

STATE_FIELDS = (
    "_labels", "_years", "_has_years", "_by_year", "_browse", "_rank", "_values", "_by_value",
    "_by_folded_value", "_entry_keys", "_entry_item", "_entry_tier", "_entry_text", "_entry_numbers",
    "_exact", "_crowded", "_lengths", "_keys_by_length", "_tails", "_number_texts", "_number_items", "_grams",
)  # fmt: skip
"""What a built index holds besides its items and lock: all plain data, so ``marshal`` can keep it."""

ARRAY_FIELDS = {"_browse": "I", "_rank": "I", "_entry_item": "I", "_entry_tier": "B", "_number_items": "I"}
"""The fields held as arrays of numbers (type code), which ``marshal`` keeps as their bytes; the trigram
postings (``_grams``) are arrays too."""


class SnapshotMismatch(ValueError):
    """A stored index that cannot be read back, or that does not fit the items it is given."""


class KeptIndex(SearchIndex[T]):
    """A search index that can be kept as a snapshot and read back."""

    def snapshot(self) -> bytes:
        """The built index, all but its items, as bytes that `restore` reads back.

        ``marshal`` holds only plain data (no code runs when it is read) and reads it back
        several times faster than the index is built. Its format belongs to one Python version:
        whoever stores a snapshot must note the version with it.
        """
        self.prepare()
        state = {name: getattr(self, name) for name in STATE_FIELDS}
        for name in ARRAY_FIELDS:
            state[name] = state[name].tobytes()
        if self._grams is not None:
            state["_grams"] = {gram: found.tobytes() for gram, found in self._grams.items()}
        return marshal.dumps(state | self._snapshot_extra())

    def _snapshot_extra(self) -> dict[str, Any]:
        """More of the index for the snapshot: the items, when they are made by the index itself."""
        return {}

    @classmethod
    def _restore_keyed(cls, items: Iterable[Any], snapshot: bytes) -> Self:
        """A deferred index read from `snapshot` for ``items`` that carry their own ``key``."""
        item_list = list(items)
        return cls._deferred(
            lambda: cls._from_state(item_list, [item.key for item in item_list], cls._read_snapshot(snapshot))
        )

    @classmethod
    def _read_snapshot(cls, data: bytes) -> dict[str, Any]:
        try:
            state = marshal.loads(data)
        except (EOFError, ValueError, TypeError) as error:
            raise SnapshotMismatch(f"unreadable {cls.__name__} snapshot") from error
        if not isinstance(state, dict) or any(name not in state for name in STATE_FIELDS):
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
        """An index from a snapshot's state, if it was built from items with exactly these keys."""
        if state["_values"] != [value_for(key) for key in keys]:
            raise SnapshotMismatch(f"the {cls.__name__} snapshot was built from other items")
        if make_label is None and None in state["_labels"]:
            raise SnapshotMismatch(f"the {cls.__name__} snapshot lacks labels")
        index = cls.__new__(cls)
        index._lock = threading.RLock()
        index._pending = None
        for name in STATE_FIELDS:
            setattr(index, name, state[name])
        try:
            for name, code in ARRAY_FIELDS.items():
                setattr(index, name, _numbers(code, state[name]))
            grams = state["_grams"]
            index._grams = None if grams is None else {gram: _numbers("I", data) for gram, data in grams.items()}
        except (TypeError, ValueError, AttributeError) as error:
            raise SnapshotMismatch(f"the {cls.__name__} snapshot holds unreadable numbers") from error
        index._distinct_keys = None
        index._items = items
        index._make_label = make_label
        return index


def _numbers(code: str, data: bytes) -> array[int]:
    """The array of numbers kept as ``data`` (``array.tobytes``)."""
    if not isinstance(data, bytes):
        raise TypeError(f"numbers kept as {type(data).__name__}, not bytes")
    numbers = array(code)
    numbers.frombytes(data)
    return numbers
