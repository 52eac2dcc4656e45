"""Frozen value objects returned by the repositories (never raw database rows)."""

from __future__ import annotations

import datetime as dt
import operator
from array import array
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from itertools import repeat
from typing import Literal, NamedTuple, overload

from db.packed import PackedStrings, ascending, numbers_of, offsets_of
from db.packs.model import RELEASE_TYPES, PackTmdbOrigin

TitleKind = Literal["title", "original", "alias"]


@dataclass(frozen=True)
class CatalogueCounts:
    """How much content is loaded."""

    films: int
    people: int
    questions: int
    packs: int


@dataclass(frozen=True)
class FilmSummary:
    """Enough about a film for lists and pickers."""

    id: int
    key: str
    title: str
    year: int
    franchise_order: int | None


@dataclass(frozen=True, slots=True)
class Film:
    """Everything stored on the films row, plus its franchise key and name (slotted: the look-up keeps
    every film in memory)."""

    id: int
    key: str
    title: str
    original_title: str
    year: int
    franchise_key: str | None
    franchise_name: str | None
    franchise_order: int | None
    runtime_minutes: int | None
    synopsis: str | None
    tagline: str | None
    imdb_id: str | None
    tmdb_id: int | None
    pack_id: str
    source: str
    wikidata_id: str | None = None
    genres: tuple[str, ...] = ()
    """In the pack's order, most telling first."""

    @classmethod
    def of_columns(cls, columns: Sequence[Sequence[object]]) -> list[Film]:
        """The films whose fields, in order, are ``columns`` (each a column of every film): what
        ``[Film(*row) for row in zip(*columns)]`` makes, sooner. A frozen dataclass sets each field
        through ``object.__setattr__``, a Python call per field of each film; here each field's slot
        is filled for every film by one ``map`` at C speed (a start makes every film of the catalogue)."""
        if len(columns) != len(_FILM_SLOTS):
            raise ValueError(f"a film has {len(_FILM_SLOTS)} fields, not {len(columns)}")
        films = list(map(object.__new__, repeat(cls, len(columns[0]) if columns else 0)))
        for slot, column in zip(_FILM_SLOTS, columns, strict=True):
            if len(column) != len(films):
                raise ValueError("film columns of different lengths")
            deque(map(slot.__set__, films, column), maxlen=0)
        return films


_FILM_SLOTS = [getattr(Film, field.name) for field in fields(Film)]
"""Each field's slot on `Film` (their descriptors), in the order of the fields."""


@dataclass(frozen=True)
class FilmTitle:
    """One name a film is known by, for building a search index."""

    film_id: int
    title: str
    kind: TitleKind


@dataclass(frozen=True)
class FilmInLanguage:
    """A film's titles and synopses in one language, each with the country of its variety (None: the
    language as a whole): what a card picks the reader's from."""

    titles: tuple[tuple[str | None, str], ...] = ()
    synopses: tuple[tuple[str | None, str], ...] = ()


@dataclass(frozen=True)
class CastCredit:
    """A billed cast member of a film."""

    film_id: int
    billing_order: int
    person_id: int
    person_key: str
    person_name: str
    character: str | None
    source: str


@dataclass(frozen=True)
class CrewCredit:
    """One crew job on a film."""

    film_id: int
    person_id: int
    person_key: str
    person_name: str
    department: str
    job: str
    source: str


class CastLine(NamedTuple):
    """A cast credit as generated trivia reads it: who, where and how high billed, nothing else.

    A tuple whose person's key and name are the very strings of that person's other lines: a large
    catalogue has millions of credits, read at once to write its questions.
    """

    film_id: int
    billing_order: int
    person_key: str
    person_name: str


class CrewLine(NamedTuple):
    """A crew credit as generated trivia reads it (a tuple sharing its strings, like `CastLine`)."""

    film_id: int
    person_key: str
    person_name: str
    job: str


@dataclass(frozen=True)
class Release:
    """A dated release of a film in one country."""

    film_id: int
    country: str
    date: dt.date
    release_type: int
    note: str | None
    source: str

    @property
    def type_name(self) -> str:
        """Human name of the release type, e.g. "Theatrical"."""
        return RELEASE_TYPES[self.release_type]


@dataclass(frozen=True)
class Certification:
    """A film's age rating in one country ("US" "PG-13")."""

    film_id: int
    country: str
    rating: str
    source: str


@dataclass(frozen=True)
class FilmCredits:
    """Everything a film card shows beyond `Film`: cast, crew, production companies, releases,
    distributors and certifications (by country), the poster, and whether the film's pack came from TMDB
    (its card then carries TMDB's notice). The poster is read with these rather than kept on `Film`: the
    look-up holds every film in memory, and a URL per film is megabytes for a large catalogue."""

    cast: list[CastCredit]
    crew: list[CrewCredit]
    companies: list[Company]
    releases: list[Release]
    distributors: list[Company] = field(default_factory=list)
    certifications: list[Certification] = field(default_factory=list)
    poster: str | None = None
    from_tmdb: bool = False


@dataclass(frozen=True)
class TmdbPackRecord:
    """A loaded pack imported from TMDB: what a refresh needs to fetch it again and rewrite its file."""

    pack_id: str
    version: str
    source_path: str
    origin: PackTmdbOrigin


@dataclass(frozen=True)
class Company:
    """A production company or a distributor, with its position in a film's list of that role."""

    id: int
    key: str
    name: str
    position: int


@dataclass(frozen=True)
class Milestone:
    """A dated fact about a film; ``date_text`` is YYYY, YYYY-MM or YYYY-MM-DD."""

    film_id: int
    kind: str
    date_text: str
    description: str
    source: str


@dataclass(frozen=True)
class Person:
    """A cast or crew member with any alternative spellings of their name."""

    id: int
    key: str
    name: str
    aliases: tuple[str, ...]


class People(Sequence[Person]):
    """Every person, held as packed columns and made into `Person` objects only when asked for.

    The look-up keeps every person in memory: as numbers and packed text (`PackedStrings`) they take a
    fraction of what as many objects would (docs/benchmarks.md). Iterating makes them one at a time.
    """

    __slots__ = ("alias_offsets", "aliases", "ids", "keys", "names")

    def __init__(
        self,
        ids: array[int],
        keys: PackedStrings,
        names: PackedStrings,
        alias_offsets: array[int],
        aliases: PackedStrings,
    ) -> None:
        """The i-th person is ``ids[i]``, ``keys[i]``, ``names[i]`` and the aliases
        ``aliases[alias_offsets[i]:alias_offsets[i + 1]]``."""
        self.ids = ids
        self.keys = keys
        self.names = names
        self.alias_offsets = alias_offsets
        self.aliases = aliases

    @classmethod
    def of(cls, people: Iterable[Person]) -> People:
        """``people``, packed."""
        person_list = list(people)
        return cls(
            array("q", [person.id for person in person_list]),
            PackedStrings.of(person.key for person in person_list),
            PackedStrings.of(person.name for person in person_list),
            offsets_of(len(person.aliases) for person in person_list),
            PackedStrings.of(alias for person in person_list for alias in person.aliases),
        )

    def state(self) -> tuple[bytes, tuple[bytes, bytes], tuple[bytes, bytes], bytes, tuple[bytes, bytes]]:
        """The people as plain data for ``marshal`` (see `from_state`): a few blobs, however many people."""
        return (
            self.ids.tobytes(),
            self.keys.state(),
            self.names.state(),
            self.alias_offsets.tobytes(),
            self.aliases.state(),
        )

    @classmethod
    def from_state(cls, state: object, *, checked: bool = True) -> People:
        """The people `state` kept; ValueError if it is not such data (a foreign or damaged snapshot).
        ``checked=False`` checks the shape only (see `PackedStrings.from_state`)."""
        if not (isinstance(state, tuple) and len(state) == 5):
            raise ValueError("people are kept as five columns")
        ids, keys, names, alias_offsets, aliases = state
        people = cls(
            numbers_of("q", ids),
            PackedStrings.from_state(keys, checked=checked),
            PackedStrings.from_state(names, checked=checked),
            numbers_of("I", alias_offsets),
            PackedStrings.from_state(aliases, checked=checked),
        )
        offsets = people.alias_offsets
        if not (
            len(people.keys) == len(people.names) == len(people.ids) == len(offsets) - 1
            and offsets[0] == 0
            and offsets[-1] == len(people.aliases)
            and (not checked or ascending(offsets))
        ):
            raise ValueError("the columns of the people kept do not fit together")
        return people

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> Person: ...
    @overload
    def __getitem__(self, index: slice) -> list[Person]: ...
    def __getitem__(self, index: int | slice) -> Person | list[Person]:
        if isinstance(index, slice):
            return [self[at] for at in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self.ids)
        if not 0 <= index < len(self.ids):
            raise IndexError("person index out of range")
        return self._person(index)

    def _person(self, index: int) -> Person:
        offsets, aliases = self.alias_offsets, self.aliases
        return Person(
            self.ids[index],
            self.keys[index],
            self.names[index],
            tuple(aliases[at] for at in range(offsets[index], offsets[index + 1])),
        )

    def __iter__(self) -> Iterator[Person]:
        return map(self._person, range(len(self.ids)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(self) == len(other) and all(map(operator.eq, self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"People({len(self)} people)"


@dataclass(frozen=True)
class PersonCredit:
    """One credit of a person: ``role`` is "cast" (with character) or "crew" (with job)."""

    film_id: int
    film_key: str
    film_title: str
    year: int
    role: Literal["cast", "crew"]
    character: str | None
    department: str | None
    job: str | None


@dataclass(frozen=True)
class TriviaTranslation:
    """A pack question in another language (`[[trivia.translation]]`); ``answers[0]`` is shown on reveal."""

    language: str
    """ISO 639-1, lowercase ("fr")."""
    country: str
    """ISO 3166-1 alpha-2 of a variety of the language ("BR"), or "" for the language as a whole."""
    question: str
    answers: tuple[str, ...]
    wrong: tuple[str, ...]
    fact: str | None = None


@dataclass(frozen=True)
class TriviaQuestion:
    """A trivia question; ``answers[0]`` is the canonical answer."""

    id: int
    key: str
    film_id: int | None
    film_key: str | None
    question: str
    answers: tuple[str, ...]
    wrong: tuple[str, ...]
    difficulty: str
    category: str
    source: str
    fact: str | None
    spoiler: bool
    pack_id: str
    kind: str = "choice"
    """``choice`` (buttons or typed) or ``typed`` (asked only where members type their answer)."""
    author: str | None = None
    """Who wrote the question (pack text: show it only made safe)."""
    translations: tuple[TriviaTranslation, ...] = ()


@dataclass(frozen=True)
class PlaceSettings:
    """Timezone and region preferences of a guild or a user (None = not set)."""

    id: int
    timezone: str | None
    region: str | None
    updated_at: dt.datetime
