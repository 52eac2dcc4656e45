"""Compact tables for the search indexes: many strings or numbers held as a few flat objects.

A large catalogue's indexes hold millions of names, keys and numbers. As Python objects each costs
tens of bytes and a snapshot read back makes them one by one; held here as one UTF-8 ``bytes`` blob
with an array of offsets (`StringTable`) and arrays of the smallest fitting type (`packed`), they
cost a few bytes each and a snapshot's ``bytes`` become them in one copy.

UTF-8 sorts as the code points it spells, so the raw bytes of a table sorted as ``str`` are sorted
too: bisection compares bytes and decodes nothing (`bisect_raw`, `prefix_range`).
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate
from typing import overload

_PAST_UTF8 = b"\xff"
"""A byte that UTF-8 never holds: every text that starts with a prefix sorts below prefix + this byte."""

NUMBER_CODES = frozenset("BHI")
"""The array type codes `packed` chooses from (unsigned, 1, 2 and 4 bytes)."""


def packed(numbers: Iterable[int], top: int | None = None) -> array[int]:
    """``numbers`` (none negative) as an array of the smallest type that holds ``top``, which none of
    them exceeds (their largest when not given)."""
    found = numbers if isinstance(numbers, (list, array)) else list(numbers)
    if top is None:
        top = max(found, default=0)
    code = "B" if top < 1 << 8 else "H" if top < 1 << 16 else "I"
    return array(code, found)


class StringTable(Sequence[str]):
    """Strings kept as one UTF-8 blob and the offsets where each starts (and the last ends).

    Reading one decodes only it. A table made of sorted strings can be bisected by its raw bytes.
    """

    __slots__ = ("blob", "ends")

    def __init__(self, blob: bytes, ends: array[int]) -> None:
        if not ends or ends[0] != 0 or ends[-1] != len(blob):
            raise ValueError("the offsets do not span the strings")
        self.blob = blob
        self.ends = ends

    @classmethod
    def of(cls, strings: Iterable[str]) -> StringTable:
        """The table of ``strings``, in their order."""
        encoded = [text.encode() for text in strings]
        ends = array("I", [0])
        ends.extend(accumulate(map(len, encoded)))
        return cls(b"".join(encoded), ends)

    def __len__(self) -> int:
        return len(self.ends) - 1

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[at] for at in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        ends = self.ends
        return self.blob[ends[index] : ends[index + 1]].decode()

    def __iter__(self) -> Iterator[str]:
        blob, ends = self.blob, self.ends
        for at in range(len(ends) - 1):
            yield blob[ends[at] : ends[at + 1]].decode()

    def pick(self, numbers: Iterable[int]) -> list[str]:
        """The strings at ``numbers`` (no negative one), in their order."""
        blob, ends = self.blob, self.ends
        return [blob[ends[number] : ends[number + 1]].decode() for number in numbers]

    def raw(self, index: int) -> bytes:
        """The UTF-8 bytes of the string at ``index`` (no negative index)."""
        ends = self.ends
        return self.blob[ends[index] : ends[index + 1]]

    def state(self) -> tuple[bytes, bytes]:
        """The table as plain data for ``marshal`` (read back by `from_state`)."""
        return self.blob, self.ends.tobytes()

    @classmethod
    def from_state(cls, state: object) -> StringTable:
        """The table `state` made; ValueError or TypeError if it is not one."""
        if not isinstance(state, tuple) or len(state) != 2:
            raise TypeError("a string table is kept as (blob, offsets)")
        blob, ends = state
        if not isinstance(blob, bytes):
            raise TypeError("a string table's blob is bytes")
        return cls(blob, numbers_from("I", ends))


def numbers_from(code: str, data: object) -> array[int]:
    """The array of numbers kept as ``data`` (``array.tobytes``)."""
    if not isinstance(data, bytes):
        raise TypeError(f"numbers kept as {type(data).__name__}, not bytes")
    numbers = array(code)
    numbers.frombytes(data)
    return numbers


def bisect_raw(raw: Callable[[int], bytes], target: bytes, lo: int, hi: int) -> int:
    """The first position in ``lo:hi`` whose raw string (``raw(position)``, sorted) is not below ``target``."""
    return bisect.bisect_left(range(hi), target, lo, hi, key=raw)


def find_raw(raw: Callable[[int], bytes], target: bytes, lo: int, hi: int) -> int | None:
    """The first position in ``lo:hi`` whose raw string is ``target`` (sorted), or None."""
    at = bisect_raw(raw, target, lo, hi)
    return at if at < hi and raw(at) == target else None


def prefix_range(raw: Callable[[int], bytes], prefix: bytes, lo: int, hi: int) -> tuple[int, int]:
    """The range ``start:end`` of positions in ``lo:hi`` whose raw strings (sorted) start with ``prefix``."""
    start = bisect_raw(raw, prefix, lo, hi)
    if start == hi or not raw(start).startswith(prefix):
        return start, start
    return start, bisect_raw(raw, prefix + _PAST_UTF8, start + 1, hi)


class Picked(Sequence[str]):
    """The strings of a table at the given numbers, in their order (each decoded when read)."""

    __slots__ = ("numbers", "table")

    def __init__(self, table: StringTable, numbers: Sequence[int]) -> None:
        self.table = table
        self.numbers = numbers

    def __len__(self) -> int:
        return len(self.numbers)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self.table[number] for number in self.numbers[index]]
        return self.table[self.numbers[index]]
