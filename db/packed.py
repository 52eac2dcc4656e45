"""Many strings held as one: the texts of a large catalogue's rows without an object per text.

The look-up keeps every person's and character's names, and its indexes every key and name, in memory,
and a Python string costs several times the letters of a short name. `PackedStrings` keeps them as one
UTF-8 ``bytes`` and the offsets where each starts, and makes a string only when one is asked for. Both
parts are plain data that ``marshal`` keeps and reads back in one copy.
"""

from __future__ import annotations

import marshal
import operator
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import accumulate, islice
from typing import Any, overload


class PackedStrings(Sequence[str]):
    """An immutable sequence of strings held as one UTF-8 ``bytes`` and an array of offsets.

    The i-th string is ``data[offsets[i]:offsets[i + 1]].decode()``; code that makes many strings at
    once may slice ``data`` itself so (a call per string costs more than the slicing).
    """

    __slots__ = ("data", "offsets")

    def __init__(self, data: bytes, offsets: array[int]) -> None:
        """Strings whose UTF-8 forms, joined, are ``data``, the i-th from ``offsets[i]`` to ``offsets[i + 1]``
        (the first offset 0, the last ``len(data)``). Unchecked: `of` packs strings, `from_state` reads and
        checks what `state` kept."""
        self.data = data
        self.offsets = offsets

    @classmethod
    def of(cls, texts: Iterable[str]) -> PackedStrings:
        """``texts``, packed."""
        return cls.of_utf8([text.encode() for text in texts])

    @classmethod
    def of_utf8(cls, encoded: Sequence[bytes]) -> PackedStrings:
        """Strings already encoded as UTF-8 (as SQLite hands out a text column cast to a blob), packed
        without decoding them. Unchecked, like the database they come from."""
        # 4-byte offsets: 4 GiB of text is far beyond any catalogue's names.
        return cls(b"".join(encoded), array("I", accumulate(map(len, encoded), initial=0)))

    def state(self) -> tuple[bytes, bytes]:
        """The strings as plain data for ``marshal`` (see `from_state`)."""
        return self.data, self.offsets.tobytes()

    @classmethod
    def from_state(cls, state: object, *, checked: bool = True) -> PackedStrings:
        """The strings `state` kept; ValueError if it is not such data (a foreign or damaged snapshot).

        ``checked=False`` checks their shape only, not that every offset follows the one before and the
        text is UTF-8: for a caller that checked a checksum of what it read (`unsealed_state`), which these
        passes over millions of numbers and bytes would only slow."""
        if not (isinstance(state, tuple) and len(state) == 2):
            raise ValueError("packed strings are kept as a pair")
        data, kept_offsets = state
        if not isinstance(data, bytes):
            raise ValueError("packed strings kept as no bytes")
        offsets = numbers_of("I", kept_offsets)
        if not offsets or offsets[0] != 0 or offsets[-1] != len(data) or (checked and not ascending(offsets)):
            raise ValueError("the offsets of packed strings do not fit their text")
        if checked:
            try:
                data.decode()
            except UnicodeDecodeError as error:
                raise ValueError("packed strings are not UTF-8") from error
        return cls(data, offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[at] for at in range(*index.indices(len(self)))]
        count = len(self.offsets) - 1
        if index < 0:
            index += count
        if not 0 <= index < count:
            raise IndexError("packed string index out of range")
        offsets = self.offsets
        return self.data[offsets[index] : offsets[index + 1]].decode()

    def __iter__(self) -> Iterator[str]:
        data, offsets = self.data, self.offsets
        for start, end in zip(offsets, islice(offsets, 1, None), strict=False):
            yield data[start:end].decode()

    def longest(self) -> int:
        """The length in bytes of the longest string (0 for none): no string has more characters."""
        offsets = self.offsets
        return max(map(operator.sub, islice(offsets, 1, None), offsets), default=0)

    def pick(self, numbers: Iterable[int]) -> list[str]:
        """The strings at ``numbers`` (no negative one), in their order."""
        data, offsets = self.data, self.offsets
        return [data[offsets[number] : offsets[number + 1]].decode() for number in numbers]

    def raw(self, index: int) -> bytes:
        """The UTF-8 bytes of the string at ``index`` (no negative index): UTF-8 sorts as the code points
        it spells, so strings packed in order can be bisected by these without decoding any."""
        offsets = self.offsets
        return self.data[offsets[index] : offsets[index + 1]]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedStrings):
            return self.data == other.data and self.offsets == other.offsets
        if isinstance(other, Sequence):
            return len(self) == len(other) and all(map(operator.eq, self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PackedStrings({len(self)} strings, {len(self.data)} bytes)"


RECORD_BYTES = 8 << 20
"""A value of a kept state that marshals to more than this is kept as a record per item (when it is a
dictionary): each record is read into memory of its own and unpacked before the next is read."""
_HEADER = 12
"""A record's length (8 bytes) and CRC-32 (4), before it."""
_LARGEST_RECORD = (1 << 31) - 1
"""SQLite's limit on a blob's length (and on a read of one)."""


def sealed_state(state: Mapping[str, Any]) -> bytes:
    """``state`` (plain data, by name) as ``marshal`` records that `unsealed_state` reads back one by one,
    each sealed with a CRC-32: a large dictionary value as a record per item.

    One ``marshal`` of the whole state is read back from one ``bytes`` as large as it, which the
    system hands out afresh for every read of hundreds of megabytes (each page touched a first time
    costs more than the copying); records of a few megabytes are read into memory that the one
    before them freed."""
    records: list[bytes] = []
    for name, value in state.items():
        record = marshal.dumps((name, value))
        if isinstance(value, dict) and len(record) > RECORD_BYTES:
            records.extend(marshal.dumps((name, key, item)) for key, item in value.items())
        else:
            records.append(record)
    return b"".join(part for record in records for part in (len(record).to_bytes(8, "little"), _crc(record), record))


def unsealed_state(read: Callable[[int], bytes]) -> dict[str, Any]:
    """The state `sealed_state` kept, read through ``read(n)`` (a file's or a database blob's: the next
    ``n`` bytes, fewer at the end); ValueError if it is not such data or not as it was kept."""
    state: dict[str, Any] = {}
    while header := read(_HEADER):
        if len(header) != _HEADER:
            raise ValueError("a kept state cut inside a record's header")
        size = int.from_bytes(header[:8], "little")
        if size > _LARGEST_RECORD:
            raise ValueError("a kept state's record longer than any is")
        entry = _unpacked(read(size), size, header[8:])  # the record's bytes are let go here
        if not isinstance(entry, tuple) or not isinstance(entry[0], str) or len(entry) not in (2, 3):
            raise ValueError("a kept state's record is no (name, value) nor (name, key, item)")
        if len(entry) == 2:
            state[entry[0]] = entry[1]
        else:
            found = state.setdefault(entry[0], {})
            if not isinstance(found, dict):
                raise ValueError("a kept state's items of a value that is no dictionary")
            found[entry[1]] = entry[2]
    return state


def _crc(data: bytes) -> bytes:
    return zlib.crc32(data).to_bytes(4, "little")


def _unpacked(record: bytes, size: int, crc: bytes) -> Any:
    if len(record) != size or _crc(record) != crc:
        raise ValueError("a kept state's record is cut short or damaged")
    try:
        return marshal.loads(record)
    except (EOFError, TypeError) as error:
        raise ValueError("a kept state's record is not marshal data") from error


def ascending(numbers: array[int]) -> bool:
    """Whether ``numbers`` never decrease (offsets into packed data), checked at C speed."""
    return all(map(operator.le, numbers, islice(numbers, 1, None)))


def numbers_of(code: str, data: object) -> array[int]:
    """The array of numbers (type ``code``) that ``array.tobytes`` kept as ``data``; ValueError if it is
    not such data."""
    if not isinstance(data, bytes):
        raise ValueError(f"numbers kept as {type(data).__name__}, not bytes")
    numbers = array(code)
    if len(data) % numbers.itemsize:
        raise ValueError("numbers cut short")
    numbers.frombytes(data)
    return numbers


def offsets_of(sizes: Iterable[int]) -> array[int]:
    """Where each of a run of groups of the given ``sizes`` starts when they are laid end to end, and
    where the last ends: the i-th group is ``offsets[i]:offsets[i + 1]``."""
    return array("I", accumulate(sizes, initial=0))
