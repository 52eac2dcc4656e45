"""Parsed content packs (frozen dataclasses) and the validation error type.

The TOML format is documented in docs/content-packs.md; these classes mirror it
one table to one class. Every ``source`` field is kept as a tuple of source keys.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RELEASE_TYPES: dict[int, str] = {
    1: "Premiere",
    2: "Theatrical (limited)",
    3: "Theatrical",
    4: "Digital",
    5: "Physical",
    6: "TV",
}
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")
ALIAS_KINDS: tuple[str, ...] = ("translation", "alternative")
"""What a ``[[film.alias]]`` is: the title translated into a language, or another title used somewhere."""
TRIVIA_KINDS: tuple[str, ...] = ("choice", "typed")
"""A ``choice`` question can be asked with four buttons or typed; a ``typed`` one only where members type."""


@dataclass(frozen=True)
class PackProblem:
    """One validation problem, located by file, entry and field."""

    file: str
    entry: str
    field: str
    message: str

    def __str__(self) -> str:
        where = " ".join(part for part in (self.entry, f'field "{self.field}"' if self.field else "") if part)
        return f"{self.file}: {where}: {self.message}" if where else f"{self.file}: {self.message}"


class PackValidationError(ValueError):
    """A pack file failed validation; ``problems`` lists every problem found."""

    def __init__(self, problems: list[PackProblem]) -> None:
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"{len(problems)} {noun} in content pack:\n{lines}")


class PackNotFoundError(FileNotFoundError):
    """A pack reference is neither a bundled pack name nor an existing file."""


@dataclass(frozen=True)
class PackSource:
    """A citation that ``source`` fields point at."""

    key: str
    ref: str
    description: str


@dataclass(frozen=True)
class PackFranchise:
    """The franchise a pack describes (at most one per pack)."""

    key: str
    name: str


@dataclass(frozen=True)
class PackSeries:
    """A series of films ("Halloween", a TMDB collection); a pack may declare any number of them.

    The pack's ``[franchise]``, when it has one, is a series too: the one its films belong to unless
    they name another.
    """

    key: str
    name: str


@dataclass(frozen=True)
class PackCertification:
    """A film's age rating in one country ("US" "PG-13")."""

    country: str
    rating: str
    source: tuple[str, ...]


@dataclass(frozen=True)
class PackCompany:
    """A production company; ``aliases`` are other names it trades under."""

    key: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class PackPerson:
    """A cast or crew member; ``aliases`` are other spellings of the name."""

    key: str
    name: str
    aliases: tuple[str, ...]
    source: tuple[str, ...]
    imdb_id: str | None = None
    tmdb_id: int | None = None
    wikidata_id: str | None = None


@dataclass(frozen=True)
class PackCrewCredit:
    """One crew job of one person on one film."""

    person: str
    department: str
    job: str
    source: tuple[str, ...]


@dataclass(frozen=True)
class PackCastCredit:
    """One billed cast member; ``character`` is None when not confirmed."""

    person: str
    character: str | None
    order: int
    source: tuple[str, ...]


@dataclass(frozen=True)
class PackRelease:
    """A release of a film in one country (``type`` is a key of RELEASE_TYPES)."""

    country: str
    date: dt.date
    type: int
    note: str | None
    source: tuple[str, ...]


@dataclass(frozen=True)
class PackMilestone:
    """Another dated fact; ``date`` is YYYY, YYYY-MM or YYYY-MM-DD."""

    kind: str
    date: str
    description: str
    source: tuple[str, ...]


@dataclass(frozen=True)
class PackFilmAlias:
    """A ``[[film.alias]]`` entry: a title the film has in a language or country (at least one is given)."""

    title: str
    kind: str
    """One of ALIAS_KINDS."""
    source: tuple[str, ...]
    language: str | None = None
    """ISO 639-1, lowercase ("fr")."""
    country: str | None = None
    """ISO 3166-1 alpha-2 ("CA")."""


@dataclass(frozen=True)
class PackFilmTranslation:
    """A ``[[film.translation]]`` entry: the film's title and synopsis in a language (at least one given)."""

    language: str
    """ISO 639-1, lowercase ("fr")."""
    title: str | None
    synopsis: str | None
    source: tuple[str, ...] = ()
    country: str | None = None
    """ISO 3166-1 alpha-2, for a country's variety of the language ("BR" for Brazilian Portuguese)."""


@dataclass(frozen=True)
class PackFilm:
    """A film with its credits, releases and milestones."""

    key: str
    franchise_order: int | None
    title: str
    original_title: str
    year: int
    runtime: int | None
    synopsis: str | None
    tagline: str | None
    aliases: tuple[str, ...]
    companies: tuple[str, ...]
    imdb_id: str | None
    tmdb_id: int | None
    source: tuple[str, ...]
    crew: tuple[PackCrewCredit, ...]
    cast: tuple[PackCastCredit, ...]
    releases: tuple[PackRelease, ...]
    milestones: tuple[PackMilestone, ...]
    series: str | None = None
    """Key of the series (a ``[[series]]`` entry or the pack's ``[franchise]``) ``franchise_order`` counts in."""
    wikidata_id: str | None = None
    genres: tuple[str, ...] = ()
    certifications: tuple[PackCertification, ...] = ()
    distributors: tuple[str, ...] = ()
    """Company keys, like ``companies`` (which are the production companies)."""
    poster: str | None = None
    """A full https URL of the film's poster image."""
    backdrop: str | None = None
    """A full https URL of a wide still from the film."""
    alias_entries: tuple[PackFilmAlias, ...] = ()
    """The ``[[film.alias]]`` tables, in file order (``aliases`` are the plain alias strings)."""
    translations: tuple[PackFilmTranslation, ...] = ()
    """The ``[[film.translation]]`` tables, in file order."""


@dataclass(frozen=True)
class PackTriviaTranslation:
    """A ``[[trivia.translation]]`` entry: a hand-written question asked in another language."""

    language: str
    """ISO 639-1, lowercase ("fr")."""
    question: str
    answers: tuple[str, ...]
    """``answers[0]`` is shown on reveal; every one is accepted as typed, besides the original's."""
    wrong: tuple[str, ...]
    country: str | None = None
    """ISO 3166-1 alpha-2, for a country's variety of the language ("BR" for Brazilian Portuguese)."""
    fact: str | None = None


@dataclass(frozen=True)
class PackTrivia:
    """A trivia question; ``answers[0]`` is canonical, the rest are accepted too."""

    key: str
    film: str | None
    question: str
    answers: tuple[str, ...]
    wrong: tuple[str, ...]
    difficulty: str
    category: str
    source: tuple[str, ...]
    fact: str | None
    spoiler: bool
    kind: str = "choice"
    author: str | None = None
    """Who wrote the question (a Red-DiscordBot trivia list's AUTHOR), shown when it is revealed."""
    translations: tuple[PackTriviaTranslation, ...] = ()
    """The ``[[trivia.translation]]`` tables, in file order."""


@dataclass(frozen=True)
class PackTmdbOrigin:
    """A pack's ``[tmdb]`` table: it was imported from TMDB, and this is how to fetch it again."""

    language: str
    """The language TMDB was asked for, ``xx`` or ``xx-YY`` ("en-US")."""
    collections: tuple[int, ...] = ()
    movies: tuple[int, ...] = ()
    cast_limit: int | None = None
    image_base_url: str | None = None
    fetched: dt.datetime | None = None
    """When it was fetched (aware)."""

    def to_json(self) -> str:
        """The origin as a JSON object (what the database keeps; `from_json` reads it back)."""
        values: dict[str, Any] = {
            "language": self.language,
            "collections": list(self.collections),
            "movies": list(self.movies),
            "cast_limit": self.cast_limit,
            "image_base_url": self.image_base_url,
            "fetched": None if self.fetched is None else self.fetched.isoformat(),
        }
        return json.dumps(values, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> PackTmdbOrigin:
        """The origin `to_json` wrote."""
        values = json.loads(text)
        fetched = values.get("fetched")
        return cls(
            language=values["language"],
            collections=tuple(values.get("collections", ())),
            movies=tuple(values.get("movies", ())),
            cast_limit=values.get("cast_limit"),
            image_base_url=values.get("image_base_url"),
            fetched=None if fetched is None else dt.datetime.fromisoformat(fetched),
        )


@dataclass(frozen=True)
class Pack:
    """A whole validated content pack."""

    id: str
    name: str
    version: str
    description: str
    franchise: PackFranchise | None
    sources: tuple[PackSource, ...]
    companies: tuple[PackCompany, ...]
    people: tuple[PackPerson, ...]
    films: tuple[PackFilm, ...]
    trivia: tuple[PackTrivia, ...]
    path: Path
    checksum: str
    series: tuple[PackSeries, ...] = ()
    tmdb: PackTmdbOrigin | None = None
    """The ``[tmdb]`` table of a pack imported from TMDB; None for a pack written by hand."""
    requires: tuple[str, ...] = ()
    """Ids of packs whose films this pack's questions may name (``[pack] requires``); loaded before it."""

    @property
    def credit_count(self) -> int:
        """Cast plus crew credits over all films."""
        return sum(len(film.cast) + len(film.crew) for film in self.films)

    @property
    def release_count(self) -> int:
        """Releases over all films."""
        return sum(len(film.releases) for film in self.films)
