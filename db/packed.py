"""Many strings held as one: the texts of a large catalogue's rows without an object per text.

The look-up keeps every person's and character's names, and its indexes every key and name, in memory,
and a Python string costs several times the letters of a short name. `PackedStrings` keeps them as one
UTF-8 ``bytes`` and the offsets where each starts, and makes a string only when one is asked for. Both
parts are plain data that ``marshal`` keeps and reads back in one copy.
"""

from __future__ import annotations

import operator
import zlib
from array import array
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate, islice
from typing import overload


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
        text is UTF-8: for a caller that checked a checksum of what it read (see `sealed`), which these
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


def sealed(data: bytes) -> bytes:
    """``data`` with a CRC-32 of it in front, for `unsealed` to tell whether it came back unchanged."""
    return zlib.crc32(data).to_bytes(4, "little") + data


def unsealed(data: bytes) -> memoryview:
    """What `sealed` sealed (a view of ``data``: no copy); ValueError if it is not as it was sealed.

    A CRC-32 is read at several gigabytes a second: it tells damaged data from sound far sooner than
    checking every offset and number of the tables it holds (`PackedStrings.from_state`)."""
    view = memoryview(data)
    if len(view) < 4 or zlib.crc32(view[4:]) != int.from_bytes(view[:4], "little"):
        raise ValueError("sealed data damaged or not sealed")
    return view[4:]


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
