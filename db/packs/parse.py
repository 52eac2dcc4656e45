"""Parse and validate a content pack TOML file into a :class:`~db.packs.model.Pack`.

Validation collects every problem in the file before raising, so a pack author can
fix them all in one pass. Unknown tables and keys are errors: a typo such as
``runtme`` must not silently drop a value.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
import tomllib
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from db.packs.countries import ISO_3166_ALPHA2
from db.packs.model import (
    ALIAS_KINDS,
    DIFFICULTIES,
    TRIVIA_KINDS,
    Pack,
    PackCastCredit,
    PackCertification,
    PackCompany,
    PackCrewCredit,
    PackFilm,
    PackFilmAlias,
    PackFilmTranslation,
    PackFranchise,
    PackMilestone,
    PackPerson,
    PackProblem,
    PackRelease,
    PackSeries,
    PackSource,
    PackTmdbOrigin,
    PackTrivia,
    PackTriviaTranslation,
    PackValidationError,
)

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
SOURCE_KEY = re.compile(r"[a-z0-9_-]+")
IMDB_ID = re.compile(r"tt[0-9]{7,10}")
IMDB_PERSON_ID = re.compile(r"nm[0-9]{7,10}")
WIKIDATA_ID = re.compile(r"Q[1-9][0-9]{0,11}")
COUNTRY = re.compile(r"[A-Z]{2}")
VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")
FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
PARTIAL_DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")
LANGUAGE = re.compile(r"[a-z]{2}")
LANGUAGE_TAG = re.compile(r"[a-z]{2}(-[A-Z]{2})?")
HTTPS_URL = re.compile(r"https://[^\s/?#]+[^\s]*")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")

_TOP_LEVEL = ("pack", "tmdb", "franchise", "series", "source", "company", "person", "film", "trivia")
_PACK_FIELDS = ("id", "name", "version", "description", "requires")
_TMDB_FIELDS = ("language", "collections", "movies", "cast_limit", "image_base_url", "fetched")
_FRANCHISE_FIELDS = ("key", "name")
_SERIES_FIELDS = ("key", "name")
_SOURCE_FIELDS = ("key", "ref", "description")
_COMPANY_FIELDS = ("key", "name", "aliases")
_PERSON_FIELDS = ("key", "name", "aliases", "source", "imdb_id", "tmdb_id", "wikidata_id")
_FILM_FIELDS = (
    "key",
    "series",
    "franchise_order",
    "title",
    "original_title",
    "year",
    "runtime",
    "synopsis",
    "tagline",
    "aliases",
    "genres",
    "companies",
    "distributors",
    "imdb_id",
    "tmdb_id",
    "wikidata_id",
    "poster",
    "backdrop",
    "source",
    "alias",
    "translation",
    "crew",
    "cast",
    "release",
    "certification",
    "milestone",
)
_CREW_FIELDS = ("person", "department", "job", "source")
_CAST_FIELDS = ("person", "character", "order", "source")
_RELEASE_FIELDS = ("country", "date", "type", "note", "source")
_MILESTONE_FIELDS = ("kind", "date", "description", "source")
_CERTIFICATION_FIELDS = ("country", "rating", "source")
_ALIAS_FIELDS = ("title", "language", "country", "kind", "source")
_TRANSLATION_FIELDS = ("language", "country", "title", "synopsis", "source")
_TRIVIA_FIELDS = (
    "key",
    "film",
    "question",
    "answers",
    "wrong",
    "difficulty",
    "category",
    "source",
    "fact",
    "spoiler",
    "kind",
    "author",
    "translation",
)
_TRIVIA_TRANSLATION_FIELDS = ("language", "country", "question", "answers", "wrong", "fact")

_SHORT_TEXT = 200
_URL_TEXT = 500
_TMDB_ID = 10**9
_AUTHOR_TEXT = 100
_MIN_WRONG = 3
_GENRE_TEXT = 40
_RATING_TEXT = 20
_EARLY_RELEASE_TYPES = (1, 2)
"""Premieres and limited releases, which may come the year before ``year`` (see the docs)."""
_TWO_DIGIT_YEAR = "a two-digit year put in the wrong century (a film of 1939 released in 2039)?"
_CENTURY = 100
"""A dated fact this many years after the film's year is a two-digit year read in the wrong century."""
_FUTURE_YEARS = 10
"""How far ahead of today a release or milestone may be announced."""


class _Problems:
    """Collects problems for one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[PackProblem] = []

    def add(self, entry: str, field: str, message: str) -> None:
        self.items.append(PackProblem(self.file, entry, field, message))


def _suggest(name: str, allowed: Collection[str]) -> str:
    close = difflib.get_close_matches(name, list(allowed), n=1)
    return f'; did you mean "{close[0]}"?' if close else f"; expected one of: {', '.join(allowed)}"


class _Entry:
    """Typed field access to one TOML table, reporting problems against its label."""

    def __init__(self, problems: _Problems, label: str, data: Any, allowed: Collection[str]) -> None:
        self.problems = problems
        self.label = label
        self.ok = True
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}
        if not isinstance(data, dict):
            self.fail("", "must be a table")
        for name in self.data:
            if name not in allowed:
                self.fail(name, "unknown field" + _suggest(name, allowed))

    def fail(self, field: str, message: str) -> None:
        self.problems.add(self.label, field, message)
        self.ok = False

    def _get(self, name: str, required: bool) -> Any:
        value = self.data.get(name)
        if value is None and required:
            self.fail(name, "is required")
        return value

    def text(self, name: str, *, required: bool = True, max_len: int | None = None) -> str | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(name, "must be a non-empty string")
            return None
        if max_len is not None and len(value) > max_len:
            self.fail(name, f"must be at most {max_len} characters (has {len(value)})")
            return None
        return value

    def matching(self, name: str, pattern: re.Pattern[str], hint: str, *, required: bool = True) -> str | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, str) or not pattern.fullmatch(value):
            self.fail(name, f"must be {hint}, got {value!r}")
            return None
        return value

    def slug(self, name: str = "key") -> str | None:
        return self.matching(name, SLUG, "a slug of lowercase letters, digits and '-' ([a-z0-9][a-z0-9-]*)")

    def integer(self, name: str, low: int, high: int, *, required: bool = True) -> int | None:
        value = self._get(name, required)
        if value is None:
            return None
        # bool is an int subclass in Python; `runtime = true` is still a mistake.
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(name, f"must be an integer between {low} and {high}")
            return None
        return value

    def url(self, name: str) -> str | None:
        """An optional full https URL of at most `_URL_TEXT` characters, with no whitespace."""
        value = self.matching(name, HTTPS_URL, "a full https:// URL with no whitespace", required=False)
        if value is not None and len(value) > _URL_TEXT:
            self.fail(name, f"must be at most {_URL_TEXT} characters (has {len(value)})")
            return None
        return value

    def integers(self, name: str, low: int, high: int) -> tuple[int, ...]:
        """An optional list of distinct integers between `low` and `high`."""
        value = self.data.get(name, [])
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and low <= v <= high for v in value
        ):
            self.fail(name, f"must be a list of integers between {low} and {high}")
            return ()
        duplicates = _duplicates(value)
        if duplicates:
            self.fail(name, f"lists {', '.join(map(str, duplicates))} more than once")
        return tuple(value)

    def boolean(self, name: str, default: bool) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            self.fail(name, "must be true or false")
            return default
        return value

    def texts(
        self, name: str, *, required: bool = False, fold: bool = False, trim: bool = False, max_len: int | None = None
    ) -> tuple[str, ...]:
        """An optional list of strings; ``fold`` also rejects repeats differing only in case, ``trim``
        strips each item (before comparing them) and ``max_len`` bounds each item."""
        value = self._get(name, required)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(name, "must be a list of non-empty strings")
            return ()
        items = [v.strip() for v in value] if trim else value
        if max_len is not None and any(len(v) > max_len for v in items):
            self.fail(name, f"each item must be at most {max_len} characters")
            return ()
        duplicates = _duplicates(v.casefold() if fold else v for v in items)
        if duplicates:
            self.fail(name, f"lists {_quoted(duplicates)} more than once")
        return tuple(items)

    def tables(self, name: str) -> list[Any]:
        value = self.data.get(name, [])
        if not isinstance(value, list):
            self.fail(name, f"must be an array of tables ([[{name}]] entries)")
            return []
        return value

    def reference(self, name: str, known: Collection[str], kind: str, *, required: bool = True) -> str | None:
        value = self.text(name, required=required)
        if value is not None and value not in known:
            self.fail(name, f'unknown {kind} "{value}"' + _closest(value, known))
            return None
        return value

    def sources(self, known: Collection[str], *, required: bool = True) -> tuple[str, ...]:
        value = self.text("source", required=required)
        if value is None:
            return ()
        keys = tuple(part.strip() for part in value.split(";"))
        for key in keys:
            if not SOURCE_KEY.fullmatch(key):
                self.fail("source", f"{key!r} is not a source key ([a-z0-9_-]+, separated by ';')")
            elif key not in known:
                self.fail("source", f'unknown source "{key}"' + _closest(key, known))
        return keys

    def date(self, name: str) -> dt.date | None:
        value = self._get(name, True)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value  # an unquoted TOML local date
        if value is None:
            return None
        if isinstance(value, str) and FULL_DATE.fullmatch(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                self.fail(name, f"{value!r} is not a real calendar date")
                return None
        self.fail(name, f"must be a date YYYY-MM-DD, got {value!r}")
        return None

    def partial_date(self, name: str) -> str | None:
        value = self._get(name, True)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value.isoformat()
        if value is None:
            return None
        if not isinstance(value, str) or not PARTIAL_DATE.fullmatch(value):
            self.fail(name, f"must be YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
            return None
        parts = [int(p) for p in value.split("-")] + [1, 1]
        try:
            dt.date(parts[0], parts[1], parts[2])
        except ValueError:
            self.fail(name, f"{value!r} is not a real calendar date")
            return None
        return value


def _closest(value: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(value, list(known), n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _duplicates(values: Iterable[Any]) -> list[Any]:
    seen: set[Any] = set()
    repeated: list[Any] = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated


def _quoted(values: Iterable[object]) -> str:
    return ", ".join(f'"{v}"' for v in values)


def _label(kind: str, index: int, data: Any) -> str:
    key = data.get("key") if isinstance(data, dict) else None
    return f'{kind} "{key}" ({kind}[{index}])' if isinstance(key, str) else f"{kind}[{index}]"


class _KeyRegistry:
    """Remembers where each key of one kind was first defined, to report duplicates."""

    def __init__(self) -> None:
        self.first: dict[str, str] = {}

    def claim(self, entry: _Entry, key: str | None, field: str = "key", what: str = "") -> None:
        """Register ``key``; a repeat is reported as ``what`` (default: the key itself)."""
        if key is None:
            return
        if key in self.first:
            label = what or f'key "{key}"'
            entry.fail(field, f"duplicate {label} (first in {self.first[key]})")
        else:
            self.first[key] = entry.label


class _TitleOwner(NamedTuple):
    """A film that a title (or alias) names, with what tells it apart from another film of that title."""

    label: str
    year: object
    external_ids: tuple[tuple[str, object], ...]

    def told_apart_from(self, other: _TitleOwner) -> bool:
        """Whether the two are different films: of different years (a remake and its original), or of one
        year with a kind of external id that both give, with different values (two namesakes)."""
        if self.year != other.year:
            return True
        theirs = dict(other.external_ids)
        return any(kind in theirs and theirs[kind] != value for kind, value in self.external_ids)


_EXTERNAL_ID_FIELDS = ("imdb_id", "tmdb_id", "wikidata_id")


class _PackParser:
    """Walks the TOML document once, building dataclasses and collecting problems."""

    def __init__(self, problems: _Problems, doc: dict[str, Any], today: dt.date | None = None) -> None:
        self.p = problems
        self.doc = doc
        self.today = today or dt.date.today()
        self.source_keys: set[str] = set()
        self.company_keys: set[str] = set()
        self.person_keys: set[str] = set()
        self.film_keys: set[str] = set()
        self.series_keys: set[str] = set()
        self.has_franchise = isinstance(doc.get("franchise"), dict)
        self.default_series: str | None = None
        self.requires: tuple[str, ...] = ()
        # A Wikidata item is one thing whatever it is, so films and people share one registry.
        self.wikidata_ids = _KeyRegistry()
        self.external_ids: dict[tuple[str, str], _KeyRegistry] = {
            (kind, field): _KeyRegistry() for kind in ("film", "person") for field in ("imdb_id", "tmdb_id")
        }

    def array(self, name: str) -> list[Any]:
        value = self.doc.get(name, [])
        if isinstance(value, list):
            return value
        self.p.add("", "", f'"{name}" must be an array of tables ([[{name}]] entries), not a single table')
        return []

    def entries(self, kind: str, allowed: Collection[str], with_key: bool = True) -> list[_Entry]:
        """Each entry of array ``kind``; keys are registered before any entry is parsed."""
        registry = _KeyRegistry()
        known: set[str] = set()
        result: list[_Entry] = []
        for index, data in enumerate(self.array(kind)):
            entry = _Entry(self.p, _label(kind, index, data), data, allowed)
            if with_key:
                pattern = SOURCE_KEY if kind == "source" else SLUG
                key = entry.matching("key", pattern, f"a key matching {pattern.pattern}")
                registry.claim(entry, key)
                known.update([key] if key else [])
            result.append(entry)
        self.keys_for(kind).update(known)
        return result

    def keys_for(self, kind: str) -> set[str]:
        return {
            "source": self.source_keys,
            "company": self.company_keys,
            "person": self.person_keys,
            "film": self.film_keys,
            "series": self.series_keys,
        }.get(kind, set())

    def top_level(self) -> None:
        for name in self.doc:
            if name not in _TOP_LEVEL:
                self.p.add("", "", f'unknown table "{name}"' + _suggest(name, _TOP_LEVEL))

    def pack_table(self) -> tuple[str, str, str, str]:
        if "pack" not in self.doc:
            self.p.add("pack", "", "the [pack] table is required")
        entry = _Entry(self.p, "pack", self.doc.get("pack", {}), _PACK_FIELDS)
        pack_id = entry.slug("id") or ""
        name = entry.text("name", max_len=_SHORT_TEXT) or ""
        version = entry.matching("version", VERSION, "a version like 1.0.0") or ""
        description = entry.text("description", required=False) or ""
        self.requires = self.required_packs(entry, pack_id)
        return pack_id, name, version, description

    def tmdb(self) -> PackTmdbOrigin | None:
        """The ``[tmdb]`` table: where the pack was imported from, for a refresh."""
        if "tmdb" not in self.doc:
            return None
        entry = _Entry(self.p, "tmdb", self.doc["tmdb"], _TMDB_FIELDS)
        language = entry.matching("language", LANGUAGE_TAG, 'a language like "en" or "en-US"')
        collections = entry.integers("collections", 1, _TMDB_ID)
        movies = entry.integers("movies", 1, _TMDB_ID)
        if entry.ok and not collections and not movies:
            entry.fail("", 'must list at least one TMDB id in "collections" or "movies"')
        cast_limit = entry.integer("cast_limit", 1, 200, required=False)
        image_base_url = entry.url("image_base_url")
        fetched = entry.data.get("fetched")
        if fetched is not None and not (isinstance(fetched, dt.datetime) and fetched.tzinfo is not None):
            entry.fail("fetched", f"must be a TOML date-time with an offset like 2026-12-07T18:00:00Z, got {fetched!r}")
        if not (entry.ok and language):
            return None
        return PackTmdbOrigin(language, collections, movies, cast_limit, image_base_url, fetched)

    def required_packs(self, entry: _Entry, pack_id: str) -> tuple[str, ...]:
        """``requires``: ids of the packs whose films this pack's questions may name (see the docs)."""
        requires = entry.texts("requires")
        for required in requires:
            if not SLUG.fullmatch(required):
                entry.fail("requires", f"{required!r} is not a pack id ([a-z0-9][a-z0-9-]*)")
            elif required == pack_id:
                entry.fail("requires", "a pack cannot require itself")
        return requires

    def franchise(self) -> PackFranchise | None:
        if "franchise" not in self.doc:
            return None
        entry = _Entry(self.p, "franchise", self.doc["franchise"], _FRANCHISE_FIELDS)
        key, name = entry.slug(), entry.text("name", max_len=_SHORT_TEXT)
        return PackFranchise(key, name) if key and name else None

    def series(self, franchise: PackFranchise | None) -> list[PackSeries]:
        """The ``[[series]]`` entries; the franchise is a series too, so no series may reuse its key."""
        result = []
        for entry in self.entries("series", _SERIES_FIELDS):
            key, name = entry.data.get("key"), entry.text("name", max_len=_SHORT_TEXT)
            if franchise is not None and key == franchise.key:
                entry.fail("key", f'duplicate key "{key}" (first in franchise)')
            if entry.ok and isinstance(key, str) and name:
                result.append(PackSeries(key, name))
        if franchise is not None:
            self.series_keys.add(franchise.key)
            self.default_series = franchise.key
        return result

    def claim_external_ids(self, entry: _Entry, kind: str, imdb_id: str | None, tmdb_id: int | None) -> str | None:
        """Check the entry's ids are unique among its kind (Wikidata ids among everything); returns
        its ``wikidata_id``."""
        wikidata_id = entry.matching("wikidata_id", WIKIDATA_ID, "a Wikidata item id like Q105221", required=False)
        self.wikidata_ids.claim(entry, wikidata_id, "wikidata_id", f'wikidata_id "{wikidata_id}"')
        for field, value in (("imdb_id", imdb_id), ("tmdb_id", tmdb_id)):
            if value is not None:
                self.external_ids[kind, field].claim(entry, str(value), field, f'{field} "{value}"')
        return wikidata_id

    def sources(self) -> list[PackSource]:
        result = []
        for entry in self.entries("source", _SOURCE_FIELDS):
            key, ref = entry.data.get("key"), entry.text("ref")
            description = entry.text("description", required=False) or ""
            if entry.ok and isinstance(key, str) and ref:
                result.append(PackSource(key, ref, description))
        return result

    def companies(self) -> list[PackCompany]:
        result = []
        for entry in self.entries("company", _COMPANY_FIELDS):
            name = entry.text("name", max_len=_SHORT_TEXT)
            aliases = entry.texts("aliases")
            if entry.ok and name:
                result.append(PackCompany(entry.data["key"], name, aliases))
        return result

    def people(self) -> list[PackPerson]:
        result = []
        for entry in self.entries("person", _PERSON_FIELDS):
            name = entry.text("name", max_len=_SHORT_TEXT)
            aliases = entry.texts("aliases")
            source = entry.sources(self.source_keys, required=False)
            imdb_id = entry.matching("imdb_id", IMDB_PERSON_ID, "an IMDb person id like nm0000129", required=False)
            tmdb_id = entry.integer("tmdb_id", 1, 10**9, required=False)
            wikidata_id = self.claim_external_ids(entry, "person", imdb_id, tmdb_id)
            if entry.ok and name:
                result.append(PackPerson(entry.data["key"], name, aliases, source, imdb_id, tmdb_id, wikidata_id))
        return result

    def films(self) -> list[PackFilm]:
        result = []
        orders = _KeyRegistry()
        titles: dict[str, list[_TitleOwner]] = {}
        for entry in self.entries("film", _FILM_FIELDS):
            film = self.film(entry, orders)
            self.claim_titles(entry, titles)
            if entry.ok and film is not None:
                result.append(film)
        return result

    def claim_titles(self, entry: _Entry, titles: dict[str, list[_TitleOwner]]) -> None:
        """Report a title or alias that already names another film that nothing tells apart from this
        one: lookups tell remakes apart by year, and same-year namesakes only by an external id."""
        data = entry.data
        film = _TitleOwner(entry.label, data.get("year"), tuple((f, data[f]) for f in _EXTERNAL_ID_FIELDS if f in data))
        for field in ("title", "original_title", "aliases", "alias", "translation"):
            value = data.get(field)
            names = value if isinstance(value, list) else [value]
            if field in ("alias", "translation"):
                names = [alias.get("title") for alias in names if isinstance(alias, dict)]
            for folded, name in {n.casefold(): n for n in names if isinstance(n, str)}.items():
                owners = titles.setdefault(folded, [])
                if film in owners:
                    continue
                clash = next((owner for owner in owners if not film.told_apart_from(owner)), None)
                if clash is not None:
                    entry.fail(
                        field,
                        f'"{name}" already names {clash.label}, of the same year: '
                        "give both films an imdb_id, tmdb_id or wikidata_id if they are different films",
                    )
                owners.append(film)

    def film(self, entry: _Entry, orders: _KeyRegistry) -> PackFilm | None:
        named_series = "series" in entry.data
        series = entry.reference("series", self.series_keys, "series", required=False)
        if not named_series:
            series = self.default_series
        order = entry.integer("franchise_order", 1, 1000, required=self.has_franchise or named_series)
        if order is not None:
            where = f' in series "{series}"' if series else ""
            orders.claim(entry, f"{series or ''} {order}", "franchise_order", f"franchise_order {order}{where}")
        title = entry.text("title", max_len=_SHORT_TEXT)
        original = entry.text("original_title", required=False, max_len=_SHORT_TEXT)
        year = entry.integer("year", 1870, 2100)
        if year is not None and year > self.today.year + _FUTURE_YEARS:
            entry.fail("year", f"{year} is more than {_FUTURE_YEARS} years from now: {_TWO_DIGIT_YEAR}")
        runtime = entry.integer("runtime", 1, 600, required=False)
        synopsis = entry.text("synopsis", required=False, max_len=1500)
        tagline = entry.text("tagline", required=False, max_len=200)
        aliases = entry.texts("aliases")
        genres = entry.texts("genres", fold=True, trim=True, max_len=_GENRE_TEXT)
        companies = self.company_list(entry, "companies")
        distributors = self.company_list(entry, "distributors")
        imdb_id = entry.matching("imdb_id", IMDB_ID, "an IMDb id like tt0117060", required=False)
        tmdb_id = entry.integer("tmdb_id", 1, 10**9, required=False)
        wikidata_id = self.claim_external_ids(entry, "film", imdb_id, tmdb_id)
        poster, backdrop = entry.url("poster"), entry.url("backdrop")
        source = entry.sources(self.source_keys)
        alias_entries = self.alias_entries(entry)
        translations = self.translations(entry)
        crew = self.crew(entry)
        cast = self.cast(entry)
        releases = self.releases(entry, year)
        certifications = self.certifications(entry)
        milestones = self.milestones(entry, year)
        if not (entry.ok and title and year):
            return None
        return PackFilm(
            entry.data["key"],
            order,
            title,
            original or title,
            year,
            runtime,
            synopsis,
            tagline,
            aliases,
            companies,
            imdb_id,
            tmdb_id,
            source,
            crew,
            cast,
            releases,
            milestones,
            series,
            wikidata_id,
            genres,
            certifications,
            distributors,
            poster,
            backdrop,
            alias_entries,
            translations,
        )

    def company_list(self, entry: _Entry, field: str) -> tuple[str, ...]:
        companies = entry.texts(field)
        for key in companies:
            if key not in self.company_keys:
                entry.fail(field, f'unknown company "{key}"' + _closest(key, self.company_keys))
        return companies

    def children(self, film: _Entry, name: str, allowed: Collection[str]) -> list[_Entry]:
        if name not in film.data:
            return []  # most films of a large catalogue have no milestones, certifications...
        return [_Entry(self.p, f"{film.label} {name}[{i}]", data, allowed) for i, data in enumerate(film.tables(name))]

    def adopt(self, film: _Entry, children: list[_Entry]) -> None:
        """A film with a broken child entry is itself not loadable."""
        if not all(child.ok for child in children):
            film.ok = False

    def crew(self, film: _Entry) -> tuple[PackCrewCredit, ...]:
        result = []
        seen = _KeyRegistry()
        entries = self.children(film, "crew", _CREW_FIELDS)
        for entry in entries:
            person = entry.reference("person", self.person_keys, "person")
            department = entry.text("department", max_len=_SHORT_TEXT)
            job = entry.text("job", max_len=_SHORT_TEXT)
            source = entry.sources(self.source_keys)
            if person and job:
                seen.claim(entry, f"{person} as {job}", "job", f'credit "{person}" as "{job}"')
            if entry.ok and person and department and job:
                result.append(PackCrewCredit(person, department, job, source))
        self.adopt(film, entries)
        return tuple(result)

    def cast(self, film: _Entry) -> tuple[PackCastCredit, ...]:
        result = []
        orders = _KeyRegistry()
        entries = self.children(film, "cast", _CAST_FIELDS)
        for entry in entries:
            person = entry.reference("person", self.person_keys, "person")
            character = entry.text("character", required=False, max_len=_SHORT_TEXT)
            order = entry.integer("order", 1, 10_000)
            orders.claim(entry, None if order is None else str(order), "order", f"billing order {order}")
            source = entry.sources(self.source_keys)
            if entry.ok and person and order:
                result.append(PackCastCredit(person, character, order, source))
        self.adopt(film, entries)
        return tuple(sorted(result, key=lambda credit: credit.order))

    def releases(self, film: _Entry, year: int | None) -> tuple[PackRelease, ...]:
        result = []
        seen = _KeyRegistry()
        entries = self.children(film, "release", _RELEASE_FIELDS)
        for entry in entries:
            country = self.country(entry)
            date = entry.date("date")
            kind = entry.integer("type", 1, 6)
            note = entry.text("note", required=False, max_len=_SHORT_TEXT)
            source = entry.sources(self.source_keys)
            if country and date and kind:
                what = f"release {country} type {kind} on {date}"
                seen.claim(entry, what, "date", what)
                self.check_release_date(entry, date, kind, year)
            if entry.ok and country and date and kind:
                result.append(PackRelease(country, date, kind, note, source))
        self.adopt(film, entries)
        if year is not None and result:
            earliest = min(release.date for release in result)
            if earliest.year > year:
                film.fail(
                    "year", f"is {year} but the earliest release is on {earliest}: year is the year of first release"
                )
        return tuple(result)

    def check_release_date(self, entry: _Entry, date: dt.date, kind: int, year: int | None) -> None:
        """Refuse a release that cannot belong to a film of ``year`` (see docs/content-packs.md, Dates)."""
        if year is None:
            return
        if date.year > year + _CENTURY:
            entry.fail("date", f"{date} is more than {_CENTURY} years after the film's year {year}: {_TWO_DIGIT_YEAR}")
        elif date.year > self.today.year + _FUTURE_YEARS:
            entry.fail("date", f"{date} is more than {_FUTURE_YEARS} years from now: {_TWO_DIGIT_YEAR}")
        elif date.year < year - (1 if kind in _EARLY_RELEASE_TYPES else 0):
            early = (
                "a premiere or limited release may come a year earlier, no other release"
                if date.year == year - 1
                else ""
            )
            entry.fail("date", f"{date} is before the film's year {year}" + (f" ({early})" if early else ""))

    def certifications(self, film: _Entry) -> tuple[PackCertification, ...]:
        result = []
        seen = _KeyRegistry()
        entries = self.children(film, "certification", _CERTIFICATION_FIELDS)
        for entry in entries:
            country = self.country(entry)
            rating = entry.text("rating", max_len=_RATING_TEXT)
            source = entry.sources(self.source_keys)
            seen.claim(entry, country, "country", f"certification in {country}")
            if entry.ok and country and rating:
                result.append(PackCertification(country, rating.strip(), source))
        self.adopt(film, entries)
        return tuple(result)

    def alias_entries(self, film: _Entry) -> tuple[PackFilmAlias, ...]:
        """The ``[[film.alias]]`` tables. A title repeating the film's title or another alias is no
        error (TMDB gives one title for many countries): the loader keeps it once."""
        result = []
        entries = self.children(film, "alias", _ALIAS_FIELDS)
        for entry in entries:
            title = entry.text("title", max_len=_SHORT_TEXT)
            language = entry.matching("language", LANGUAGE, "two lowercase letters (ISO 639-1)", required=False)
            country = self.country(entry, required=False)
            if "language" not in entry.data and "country" not in entry.data:
                entry.fail("", 'must give a "language", a "country" or both')
            kind = entry.text("kind")
            if kind is not None and kind not in ALIAS_KINDS:
                entry.fail("kind", f'must be one of {_quoted(ALIAS_KINDS)}, got "{kind}"')
            source = entry.sources(self.source_keys)
            if entry.ok and title and kind:
                result.append(PackFilmAlias(title, kind, source, language, country))
        self.adopt(film, entries)
        return tuple(result)

    def translations(self, film: _Entry) -> tuple[PackFilmTranslation, ...]:
        """The ``[[film.translation]]`` tables: one per language (and country), each with a title, a
        synopsis or both, bounded like the film's own."""
        result = []
        seen = _KeyRegistry()
        entries = self.children(film, "translation", _TRANSLATION_FIELDS)
        for entry in entries:
            language = entry.matching("language", LANGUAGE, "two lowercase letters (ISO 639-1)")
            country = self.country(entry, required=False)
            title = entry.text("title", required=False, max_len=_SHORT_TEXT)
            synopsis = entry.text("synopsis", required=False, max_len=1500)
            if "title" not in entry.data and "synopsis" not in entry.data:
                entry.fail("", 'must give a "title", a "synopsis" or both')
            source = entry.sources(self.source_keys, required=False)
            if language:
                where = f"{language}-{country}" if country else language
                seen.claim(entry, where, "language", f"translation into {where}")
            if entry.ok and language:
                result.append(PackFilmTranslation(language, title, synopsis, source, country))
        self.adopt(film, entries)
        return tuple(result)

    def country(self, entry: _Entry, *, required: bool = True) -> str | None:
        country = entry.matching("country", COUNTRY, "two uppercase letters (ISO 3166-1)", required=required)
        if country is not None and country not in ISO_3166_ALPHA2:
            entry.fail("country", f'"{country}" is not an assigned ISO 3166-1 alpha-2 country code')
            return None
        return country

    def milestones(self, film: _Entry, year: int | None) -> tuple[PackMilestone, ...]:
        result = []
        entries = self.children(film, "milestone", _MILESTONE_FIELDS)
        for entry in entries:
            kind = entry.text("kind", max_len=40)
            date = entry.partial_date("date")
            description = entry.text("description", max_len=1000)
            source = entry.sources(self.source_keys)
            if date is not None and year is not None:
                self.check_milestone_date(entry, date, year)
            if entry.ok and kind and date and description:
                result.append(PackMilestone(kind, date, description, source))
        self.adopt(film, entries)
        return tuple(result)

    def check_milestone_date(self, entry: _Entry, date: str, year: int) -> None:
        """Like a release, a milestone cannot come a century after its film, nor far in the future; it
        may come before the film's year (an announcement, a first trailer)."""
        milestone_year = int(date[:4])
        if milestone_year > year + _CENTURY:
            entry.fail("date", f"{date} is more than {_CENTURY} years after the film's year {year}: {_TWO_DIGIT_YEAR}")
        elif milestone_year > self.today.year + _FUTURE_YEARS:
            entry.fail("date", f"{date} is more than {_FUTURE_YEARS} years from now: {_TWO_DIGIT_YEAR}")

    def trivia(self) -> list[PackTrivia]:
        result = []
        questions = _KeyRegistry()
        for entry in self.entries("trivia", _TRIVIA_FIELDS):
            question = entry.text("question", max_len=300)
            if question:
                questions.claim(entry, question.casefold().strip(), "question", "question")
            item = self.trivia_item(entry, question)
            if entry.ok and item is not None:
                result.append(item)
        return result

    def trivia_item(self, entry: _Entry, question: str | None) -> PackTrivia | None:
        film = self.trivia_film(entry)
        kind = entry.text("kind", required=False) or "choice"
        if kind not in TRIVIA_KINDS:
            entry.fail("kind", f'must be one of {_quoted(TRIVIA_KINDS)}, got "{kind}"')
        # Choices are shown to players, so "Paris" and "paris" count as the same one.
        answers = entry.texts("answers", required=True, fold=True)
        # A typed question is never shown with buttons, so it may have no wrong choices at all.
        wrong = entry.texts("wrong", required=kind != "typed", fold=True)
        self.check_choices(entry, answers, wrong, typed=kind == "typed")
        author = entry.text("author", required=False, max_len=_AUTHOR_TEXT)
        difficulty = entry.text("difficulty")
        if difficulty is not None and difficulty not in DIFFICULTIES:
            entry.fail("difficulty", f'must be one of {_quoted(DIFFICULTIES)}, got "{difficulty}"')
        category = entry.text("category", max_len=40)
        source = entry.sources(self.source_keys)
        fact = entry.text("fact", required=False, max_len=_SHORT_TEXT)
        spoiler = entry.boolean("spoiler", False)
        translations = self.trivia_translations(entry, wrong, typed=kind == "typed")
        if not (entry.ok and question and difficulty and category):
            return None
        key = entry.data["key"]
        return PackTrivia(
            key, film, question, answers, wrong, difficulty, category, source, fact, spoiler, kind, author, translations
        )

    def trivia_translations(
        self, entry: _Entry, wrong: tuple[str, ...], *, typed: bool
    ) -> tuple[PackTriviaTranslation, ...]:
        """The ``[[trivia.translation]]`` tables: one per language (and country), each checked like the
        question itself. A question asked with buttons must be translated with its wrong choices, as many
        as the original has, so that no button shows the original's language."""
        result = []
        seen = _KeyRegistry()
        entries = self.children(entry, "translation", _TRIVIA_TRANSLATION_FIELDS)
        for child in entries:
            language = child.matching("language", LANGUAGE, "two lowercase letters (ISO 639-1)")
            country = self.country(child, required=False)
            question = child.text("question", max_len=300)
            answers = child.texts("answers", required=True, fold=True)
            has_wrong = bool(wrong) or not typed
            choices = child.texts("wrong", required=has_wrong, fold=True)
            self.check_choices(child, answers, choices, typed=typed)
            if "wrong" in child.data and isinstance(child.data["wrong"], list) and len(choices) != len(wrong):
                child.fail(
                    "wrong", f"must list as many wrong choices as the question ({len(wrong)}, has {len(choices)})"
                )
            fact = child.text("fact", required=False, max_len=_SHORT_TEXT)
            if language:
                where = f"{language}-{country}" if country else language
                seen.claim(child, where, "language", f"translation into {where}")
            if child.ok and language and question:
                result.append(PackTriviaTranslation(language, question, answers, choices, country, fact))
        self.adopt(entry, entries)
        return tuple(result)

    def trivia_film(self, entry: _Entry) -> str | None:
        """The question's film: one of this pack's, or with ``[pack] requires`` any film key, which
        loading then looks for in the database (a required pack's film)."""
        if not self.requires:
            return entry.reference("film", self.film_keys, "film", required=False)
        if "film" in entry.data and entry.data["film"] not in self.film_keys:
            return entry.slug("film")
        return entry.text("film", required=False)

    def check_choices(
        self, entry: _Entry, answers: tuple[str, ...], wrong: tuple[str, ...], *, typed: bool = False
    ) -> None:
        if "answers" in entry.data and not answers and isinstance(entry.data["answers"], list):
            entry.fail("answers", "must list at least one answer")
        few = len(wrong) < _MIN_WRONG and not (typed and not wrong)
        if "wrong" in entry.data and few and isinstance(entry.data["wrong"], list):
            entry.fail("wrong", f"must list at least {_MIN_WRONG} wrong choices (has {len(wrong)})")
        accepted = {answer.casefold().strip() for answer in answers}
        clashes = [choice for choice in wrong if choice.casefold().strip() in accepted]
        if clashes:
            entry.fail("wrong", f"{_quoted(clashes)} is also an accepted answer")

    def build(self, path: Path, checksum: str) -> Pack:
        self.top_level()
        pack_id, name, version, description = self.pack_table()
        tmdb = self.tmdb()
        franchise = self.franchise()
        series = self.series(franchise)
        sources, companies = self.sources(), self.companies()
        people, films, trivia = self.people(), self.films(), self.trivia()
        return Pack(
            pack_id,
            name,
            version,
            description,
            franchise,
            tuple(sources),
            tuple(companies),
            tuple(people),
            tuple(films),
            tuple(trivia),
            path,
            checksum,
            tuple(series),
            tmdb,
            self.requires,
        )


def _read_document(path: Path, problems: _Problems) -> tuple[dict[str, Any], str] | None:
    """The decoded TOML document and the file's sha256, or None after reporting why not."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.add("", "", f"cannot read the file: {exc.strerror or exc}")
        return None
    try:
        return tomllib.loads(raw.decode("utf-8")), hashlib.sha256(raw).hexdigest()
    except UnicodeDecodeError as exc:
        problems.add("", "", f"not valid UTF-8 (byte {exc.start})")
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        position = _TOML_POSITION.search(message)
        entry = f"line {position.group(1)}" if position else ""
        detail = _TOML_POSITION.sub("", message)
        column = f" (column {position.group(2)})" if position else ""
        problems.add(entry, "", f"invalid TOML: {detail}{column}")
    return None


def parse_pack(path: str | Path) -> Pack:
    """Read and validate the pack at ``path``.

    Raises PackValidationError listing every problem (syntax, unknown or missing
    fields, wrong types, bad references, duplicates) when the pack is not valid.
    """
    pack_path = Path(path)
    problems = _Problems(pack_path.name)
    document = _read_document(pack_path, problems)
    if document is None:
        raise PackValidationError(problems.items)
    pack = _PackParser(problems, document[0]).build(pack_path, document[1])
    if problems.items:
        raise PackValidationError(problems.items)
    return pack


def validate_pack(path: str | Path) -> list[PackProblem]:
    """Every problem in the pack at ``path``; an empty list means it is valid."""
    try:
        parse_pack(path)
    except PackValidationError as error:
        return error.problems
    return []
