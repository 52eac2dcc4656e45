"""Compact tables for the search indexes: many strings or numbers held as a few flat objects.

A large catalogue's indexes hold millions of names, keys and numbers. As Python objects each costs
tens of bytes and a snapshot read back makes them one by one; held as one UTF-8 ``bytes`` blob with an
array of offsets (`db.packed.PackedStrings`, which the catalogue's reads use too) and arrays of the
smallest fitting type (`packed`), they cost a few bytes each and a snapshot's ``bytes`` become them in
one copy.

UTF-8 sorts as the code points it spells, so the raw bytes of a table sorted as ``str`` are sorted
too: bisection compares bytes and decodes nothing (`bisect_raw`, `prefix_range`).
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable, Iterable, Sequence
from typing import overload

from db.packed import PackedStrings

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

    def __init__(self, table: PackedStrings, numbers: Sequence[int]) -> None:
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
