"""The character index: characters by name, nicknames, first name and surname, with who played them."""

from __future__ import annotations

import operator
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from itertools import islice
from typing import Any, NamedTuple, Protocol, overload

from cogs.films.search.films import FilmLike
from cogs.films.search.index import MAX_CHOICE_CHARS, clip, names_and_parts
from cogs.films.search.snapshots import Kept, KeptIndex, SnapshotMismatch
from cogs.films.search.text import TextKeys, normalise
from db.packed import PackedStrings, ascending, numbers_of, offsets_of


class CastCreditLike(Protocol):
    """What the character index needs of a cast credit (``db`` ``CastCredit`` fits)."""

    @property
    def film_id(self) -> int: ...
    @property
    def person_key(self) -> str: ...
    @property
    def person_name(self) -> str: ...
    @property
    def character(self) -> str | None: ...


# Tuples rather than dataclasses: a large catalogue has hundreds of thousands of appearances, and a
# tuple is quicker to make (at every build, and when a kept index is read back).
class CharacterAppearance(NamedTuple):
    """One film in which one person played a character."""

    person_key: str
    person_name: str
    film_key: str
    film_title: str
    year: int


class Character(NamedTuple):
    """A character name with every (person, film) that played it."""

    key: str
    name: str
    aliases: tuple[str, ...]
    appearances: tuple[CharacterAppearance, ...]

    @property
    def people(self) -> tuple[str, ...]:
        """Names of the people who played the character, first appearance first."""
        return tuple(dict.fromkeys(appearance.person_name for appearance in self.appearances))


_PARENTHESIS = re.compile(r"\(([^)]*)\)")
_QUOTED = re.compile(r"[\"“”]([^\"“”]+)[\"“”]")


_CHARACTER_MARKS = re.compile(r"[()\"“”/]")


def _character_names(raw: str, keys: TextKeys | None = None) -> tuple[str, list[str]] | None:
    """The main name of a credited character and its other names.

    ``Kurt Hendricks ("Cobalt")`` -> Kurt Hendricks + Cobalt; ``Janik "Bone Doctor"
    Vinter`` -> Janik Vinter + Bone Doctor; ``Alanna Mitsopolis / The White Widow``
    -> Alanna Mitsopolis + The White Widow. An unquoted parenthesis is a note
    ("William Donloe (CIA analyst)") and is dropped; None when only a note is
    left ("(uncredited)").
    """
    normal = keys.normalise if keys is not None else normalise
    if not _CHARACTER_MARKS.search(raw):
        # No parenthesis, quote or slash (most names): the name itself.
        text = " ".join(raw.split())
        return (text, []) if normal(text) else None
    aliases: list[str] = []
    for inner in _PARENTHESIS.findall(raw):
        aliases.extend(_QUOTED.findall(inner))
    text = _PARENTHESIS.sub(" ", raw)
    aliases.extend(_QUOTED.findall(text))
    text = _QUOTED.sub(" ", text)
    parts = [" ".join(part.split()) for part in text.split("/")]
    parts = [part for part in parts if normal(part)]
    if not parts:
        return None
    return parts[0], [*parts[1:], *aliases]


_STRING_PARTS = ("keys", "names", "aliases", "film_keys", "film_titles", "performer_keys", "performer_names")
"""The parts of a `CharacterTable` that are `PackedStrings`."""
_NUMBER_PARTS = {
    "alias_offsets": "I",
    "appearance_offsets": "I",
    "appearance_films": "I",
    "appearance_performers": "I",
    "film_years": "i",
}
"""The parts of a `CharacterTable` that are arrays of numbers, with their type codes."""


class CharacterTable(Sequence[Character]):
    """Characters held as numbers and packed text, made into `Character` tuples only when asked for.

    A large catalogue's appearances, as tuples of strings, took the most memory of all the indexes
    (docs/benchmarks.md). Here a character is a range of aliases and a range of appearances, an
    appearance a film number and a performer number into tables of the distinct films and performers,
    and every text is in a `PackedStrings`.
    """

    __slots__ = (
        "_alias_offsets", "_aliases", "_appearance_films", "_appearance_offsets", "_appearance_performers",
        "_film_keys", "_film_titles", "_film_years", "_keys", "_names", "_performer_keys", "_performer_names",
    )  # fmt: skip

    def __init__(
        self,
        *,
        keys: PackedStrings,
        names: PackedStrings,
        alias_offsets: array[int],
        aliases: PackedStrings,
        appearance_offsets: array[int],
        appearance_films: array[int],
        appearance_performers: array[int],
        film_keys: PackedStrings,
        film_titles: PackedStrings,
        film_years: array[int],
        performer_keys: PackedStrings,
        performer_names: PackedStrings,
    ) -> None:
        """The i-th character's key and name are ``keys[i]`` and ``names[i]``, its aliases
        ``aliases[alias_offsets[i]:alias_offsets[i + 1]]``, and its appearances likewise a range of
        ``appearance_films`` and ``appearance_performers``: numbers into the films' keys, titles and years
        and the performers' keys and names. Unchecked: `from_state` checks what a snapshot held."""
        self._keys = keys
        self._names = names
        self._alias_offsets = alias_offsets
        self._aliases = aliases
        self._appearance_offsets = appearance_offsets
        self._appearance_films = appearance_films
        self._appearance_performers = appearance_performers
        self._film_keys = film_keys
        self._film_titles = film_titles
        self._film_years = film_years
        self._performer_keys = performer_keys
        self._performer_names = performer_names

    def state(self) -> dict[str, Any]:
        """The characters as plain data for ``marshal`` (see `from_state`)."""
        state: dict[str, Any] = {name: getattr(self, f"_{name}").state() for name in _STRING_PARTS}
        state.update((name, getattr(self, f"_{name}").tobytes()) for name in _NUMBER_PARTS)
        return state

    @classmethod
    def from_state(cls, state: object, *, checked: bool = True) -> CharacterTable:
        """The characters `state` kept; ValueError if it is not such data or its numbers do not fit
        (``checked=False``: if its parts' sizes do not fit; see `PackedStrings.from_state`)."""
        if not isinstance(state, dict):
            raise ValueError("characters are kept as a dictionary")
        try:
            parts: dict[str, Any] = {
                name: PackedStrings.from_state(state[name], checked=checked) for name in _STRING_PARTS
            }
            parts.update((name, numbers_of(code, state[name])) for name, code in _NUMBER_PARTS.items())
        except KeyError as error:
            raise ValueError(f"characters kept without their {error}") from error
        table = cls(**parts)
        table._check(checked)
        return table

    def _check(self, every_number: bool) -> None:
        """ValueError unless every range and number points into the table it belongs to (the sizes
        only, unless ``every_number``)."""
        count = len(self._keys)
        if not (len(self._names) == len(self._alias_offsets) - 1 == len(self._appearance_offsets) - 1 == count):
            raise ValueError("characters kept with more or fewer names or ranges than keys")
        for offsets, total in (
            (self._alias_offsets, len(self._aliases)),
            (self._appearance_offsets, len(self._appearance_films)),
        ):
            if offsets[0] != 0 or offsets[-1] != total or (every_number and not ascending(offsets)):
                raise ValueError("characters kept with ranges that do not fit what they range over")
        films, performers = self._appearance_films, self._appearance_performers
        if len(performers) != len(films):
            raise ValueError("appearances kept with more films than performers, or fewer")
        if not len(self._film_keys) == len(self._film_titles) == len(self._film_years):
            raise ValueError("films kept with more or fewer titles or years than keys")
        if len(self._performer_keys) != len(self._performer_names):
            raise ValueError("performers kept with more or fewer names than keys")
        if every_number and (
            (films and max(films) >= len(self._film_keys))
            or (performers and max(performers) >= len(self._performer_keys))
        ):
            raise ValueError("appearances kept of films or performers the table lacks")

    def __len__(self) -> int:
        return len(self._keys)

    def _performer(self, number: int) -> tuple[str, str]:
        """The key and name of performer ``number``."""
        return self._performer_keys[number], self._performer_names[number]

    def _film(self, number: int) -> tuple[str, str, int]:
        """The key, title and year of film ``number``."""
        return self._film_keys[number], self._film_titles[number], self._film_years[number]

    def _character(self, index: int) -> Character:
        """The character at ``index`` (in range)."""
        films, performers, aliases = self._appearance_films, self._appearance_performers, self._aliases
        appearances: list[CharacterAppearance] = []
        for at in range(self._appearance_offsets[index], self._appearance_offsets[index + 1]):
            person_key, person_name = self._performer(performers[at])
            film_key, film_title, year = self._film(films[at])
            appearances.append(CharacterAppearance(person_key, person_name, film_key, film_title, year))
        first_alias, last_alias = self._alias_offsets[index], self._alias_offsets[index + 1]
        return Character(
            self._keys[index],
            self._names[index],
            tuple(aliases[first_alias:last_alias]) if last_alias > first_alias else (),
            tuple(appearances),
        )

    @overload
    def __getitem__(self, index: int) -> Character: ...
    @overload
    def __getitem__(self, index: slice) -> list[Character]: ...
    def __getitem__(self, index: int | slice) -> Character | list[Character]:
        if isinstance(index, slice):
            return [self[at] for at in range(*index.indices(len(self)))]
        count = len(self._keys)
        if index < 0:
            index += count
        if not 0 <= index < count:
            raise IndexError("character index out of range")
        return self._character(index)

    def __iter__(self) -> Iterator[Character]:
        # Whoever reads every character (trivia) meets each film and performer many times: each is
        # decoded once per pass, and what the reader keeps of them is shared rather than a copy per
        # appearance. The memos go with the pass. The tables are walked in order rather than through
        # `_character`: a pass is as long as the catalogue is large.
        performer = cache(self._performer)
        film = cache(self._film)
        films, performers, aliases = self._appearance_films, self._appearance_performers, self._aliases
        at = alias_at = 0
        for key, name, alias_end, end in zip(
            self._keys,
            self._names,
            islice(self._alias_offsets, 1, None),
            islice(self._appearance_offsets, 1, None),
            strict=True,
        ):
            appearances: list[CharacterAppearance] = []
            for film_number, performer_number in zip(films[at:end], performers[at:end], strict=True):
                person_key, person_name = performer(performer_number)
                film_key, film_title, year = film(film_number)
                appearances.append(CharacterAppearance(person_key, person_name, film_key, film_title, year))
            yield Character(
                key, name, tuple(aliases[alias_at:alias_end]) if alias_end > alias_at else (), tuple(appearances)
            )
            at, alias_at = end, alias_end

    @property
    def keys(self) -> Sequence[str]:
        """Every character's key, in order (without making the characters)."""
        return self._keys

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CharacterTable) and self.state() == other.state():
            return True
        if isinstance(other, Sequence):
            return len(self) == len(other) and all(map(operator.eq, self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"CharacterTable({len(self)} characters, {len(self._appearance_films)} appearances)"


class _Numbering:
    """Distinct rows (a film's key, title and year; a performer's key and name), numbered as first met."""

    def __init__(self) -> None:
        self.numbers: dict[tuple[Any, ...], int] = {}

    def number(self, row: tuple[Any, ...]) -> int:
        found = self.numbers.get(row)
        if found is None:
            found = self.numbers[row] = len(self.numbers)
        return found

    def column(self, at: int) -> list[Any]:
        return [row[at] for row in self.numbers]


class CharacterIndex(KeptIndex[Character]):
    """Characters by name, nicknames, first name and surname."""

    @classmethod
    def build(cls, credits: Iterable[CastCreditLike], films: Iterable[FilmLike]) -> CharacterIndex:
        """Group cast ``credits`` by character name; credits of unknown films are skipped."""
        credit_list = list(credits)
        return cls.build_later(lambda: credit_list, films)

    @classmethod
    def build_later(cls, credits: Callable[[], Iterable[CastCreditLike]], films: Iterable[FilmLike]) -> CharacterIndex:
        """Like `build`, but the credits themselves are only made when the index is built (in a worker
        thread, by `prepare`): turning 200,000 database rows into credits need not delay the start."""
        film_list = list(films)
        return cls._deferred(lambda: cls._index(credits(), film_list))

    @classmethod
    def restore(cls, snapshot: Kept) -> CharacterIndex:
        """The index a `snapshot` holds, characters included (see `FilmIndex.restore`)."""
        return cls._deferred(lambda: cls._restored(cls._read_snapshot(snapshot)))

    @classmethod
    def _restored(cls, state: dict[str, Any]) -> CharacterIndex:
        try:
            characters = CharacterTable.from_state(state["characters"], checked=False)
        except (KeyError, ValueError) as error:
            raise SnapshotMismatch("the CharacterIndex snapshot holds no readable characters") from error
        return cls._from_state(characters, characters.keys, state, _character_label)

    @property
    def table(self) -> CharacterTable:
        """The characters (`items`) as the index holds them."""
        self._ready()
        assert isinstance(self._items, CharacterTable)
        return self._items

    def _snapshot_extra(self) -> dict[str, Any]:
        return {"characters": self.table.state()}

    @classmethod
    def _index(cls, credits: Iterable[CastCreditLike], films: list[FilmLike]) -> CharacterIndex:
        # Credits are read once, as they come, into arrays of numbers: a large catalogue has millions,
        # and an object per credit or per character held through the build took gigabytes.
        keys = TextKeys()
        film_by_id = {film.id: film for film in films}
        film_numbers = _Numbering()
        performer_numbers = _Numbering()
        # Each credited text once: the number of its reading (its character, main name and usable other
        # names), or -1 when it names no character.
        by_raw: dict[str, int] = {}
        reading_character = array("I")
        reading_main: list[str] = []
        reading_aliases: dict[int, list[str]] = {}
        character_number: dict[str, int] = {}
        # The credits kept, each a reading, a film and a performer number; and each character's credits
        # as a chain (its last credit, each credit the one before it of the same character).
        none = _NONE
        credit_reading = array("I")
        credit_film = array("I")
        credit_performer = array("I")
        credit_before = array("I")
        last_credit = array("I")
        for credit in credits:
            film = film_by_id.get(credit.film_id)
            if film is None:
                continue
            raw = credit.character or ""
            reading = by_raw.get(raw)
            if reading is None:
                # Normalised without keeping the form: each credited text is read once here.
                spelled = _character_names(raw)
                if spelled is None:
                    reading = by_raw[raw] = -1
                else:
                    main, aliases = spelled
                    reading = by_raw[raw] = len(reading_main)
                    key = keys.search_key(main)
                    number = character_number.get(key)
                    if number is None:
                        number = character_number[key] = len(character_number)
                        last_credit.append(none)
                    reading_character.append(number)
                    reading_main.append(main)
                    usable = [alias for alias in aliases if keys.normalise(alias)]
                    if usable:
                        reading_aliases[reading] = usable
            if reading < 0:
                continue
            number = reading_character[reading]
            credit_before.append(last_credit[number])
            last_credit[number] = len(credit_reading)
            credit_reading.append(reading)
            # Numbered by their whole rows: two films (or people) told apart by any of these are two.
            credit_film.append(film_numbers.number((film.key, film.title, film.year)))
            credit_performer.append(performer_numbers.number((credit.person_key, credit.person_name)))
        del by_raw, film_by_id, reading_character
        film_keys = film_numbers.column(0)
        film_years = film_numbers.column(2)
        character_names: list[str] = []
        all_aliases: list[str] = []
        alias_counts = array("I")
        appearance_films = array("I")
        appearance_performers = array("I")
        appearance_counts = array("I")
        for last in last_credit:
            chain: list[int] = []
            while last != none:
                chain.append(last)
                last = credit_before[last]
            chain.reverse()
            if len(chain) == 1:
                reading = credit_reading[chain[0]]
                character_names.append(reading_main[reading])
                aliases = list(dict.fromkeys(reading_aliases.get(reading, ())))
                found = [(credit_film[chain[0]], credit_performer[chain[0]])]
            else:
                spellings = [reading_main[credit_reading[at]] for at in chain]
                # The most used spelling names the character; ties go to the first seen.
                character_names.append(max(dict.fromkeys(spellings), key=spellings.count))
                aliases = list(
                    dict.fromkeys(alias for at in chain for alias in reading_aliases.get(credit_reading[at], ()))
                )
                found = list(dict.fromkeys((credit_film[at], credit_performer[at]) for at in chain))
                if len(found) > 1:
                    # By year, then film key; a film's performers in the order credited.
                    found.sort(key=lambda seen: (film_years[seen[0]], film_keys[seen[0]]))
            all_aliases.extend(aliases)
            alias_counts.append(len(aliases))
            appearance_films.extend(film for film, _ in found)
            appearance_performers.extend(performer for _, performer in found)
            appearance_counts.append(len(found))
        del credit_reading, credit_film, credit_performer, credit_before, last_credit, reading_main, reading_aliases
        alias_offsets = offsets_of(alias_counts)
        character_keys = list(character_number)
        del character_number
        characters = CharacterTable(
            keys=PackedStrings.of(character_keys),
            names=PackedStrings.of(character_names),
            alias_offsets=alias_offsets,
            aliases=PackedStrings.of(all_aliases),
            appearance_offsets=offsets_of(appearance_counts),
            appearance_films=appearance_films,
            appearance_performers=appearance_performers,
            film_keys=PackedStrings.of(film_keys),
            film_titles=PackedStrings.of(film_numbers.column(1)),
            film_years=array("i", film_years),
            performer_keys=PackedStrings.of(performer_numbers.column(0)),
            performer_names=PackedStrings.of(performer_numbers.column(1)),
        )
        del film_numbers, performer_numbers

        # Browsing lists the characters seen in most films first (Ethan Hunt, Luther...).
        browse = sorted(range(len(character_names)), key=[normalise(name) for name in character_names].__getitem__)
        browse.sort(key=[-count for count in appearance_counts].__getitem__)
        return cls(
            characters,
            names_and_parts(character_names, alias_offsets, all_aliases, keys),
            keys=character_keys,
            labels=_character_label,
            browse_order=browse,
            cache=keys,
        )


_NONE = 0xFFFF_FFFF
"""No credit (a credit number never reaches it): the end of a character's chain."""


def _character_label(character: Character) -> str:
    """ "Luther Stickell (Ving Rhames)": the name and up to three performers."""
    people = character.people
    shown = ", ".join(people[:3]) + (f" +{len(people) - 3}" if len(people) > 3 else "")
    suffix = f" ({shown})" if shown else ""
    if len(suffix) > MAX_CHOICE_CHARS // 2:
        suffix = clip(suffix[:-1], MAX_CHOICE_CHARS // 2 - 1) + ")"
    return clip(character.name, MAX_CHOICE_CHARS - len(suffix)) + suffix
