"""Read access to the film catalogue loaded from content packs, and the look-up indexes kept beside it."""

from __future__ import annotations

import datetime as dt
import json
from array import array
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from typing import Any, TypeVar

from db.connection import Database, Dialect, Row
from db.packed import PackedStrings, offsets_of
from db.packs.model import PackTmdbOrigin
from db.repositories.models import (
    CastCredit,
    CastLine,
    CatalogueCounts,
    Certification,
    Company,
    CrewCredit,
    CrewLine,
    Film,
    FilmCredits,
    FilmInLanguage,
    FilmSummary,
    FilmTitle,
    Milestone,
    People,
    Person,
    PersonCredit,
    Release,
    TmdbPackRecord,
    TriviaQuestion,
    TriviaTranslation,
)
from db.repositories.stamps import stamp

T = TypeVar("T")

_FILM_COLUMNS = """
    f.id, f.key, f.title, f.original_title, f.year, fr.key AS franchise_key, fr.name AS franchise_name,
    f.franchise_order, f.runtime_minutes, f.synopsis, f.tagline, f.imdb_id, f.tmdb_id, f.pack_id, f.source,
    f.wikidata_id
    FROM films f LEFT JOIN franchises fr ON fr.id = f.franchise_id
"""
# Genres are read beside the films and handed to `Film` after the columns above (its last field).
_GENRES_SELECT = "SELECT film_id, genre FROM film_genres"
_GENRES_ORDER = "ORDER BY film_id, position"
# Spelled out because SQLite sorts NULLs first and PostgreSQL last by default; the key makes the
# order total, so every read lists the films alike (the stored look-up indexes rely on it).
_FILM_ORDER = "ORDER BY f.franchise_order IS NULL, f.franchise_order, f.year, f.title, f.key"

# The SELECT lists below name their columns in the order of the dataclass fields they fill, so
# rows become dataclasses positionally: the whole catalogue is read at start, and building a
# dict per row doubled the time of the largest read.
_CAST_SELECT = """
    SELECT c.film_id, c.billing_order, p.id AS person_id, p.key AS person_key,
           p.name AS person_name, c.character, c.source
    FROM cast_credits c JOIN people p ON p.id = c.person_id
"""

_CREW_SELECT = """
    SELECT c.film_id, p.id AS person_id, p.key AS person_key, p.name AS person_name,
           c.department, c.job, c.source
    FROM crew_credits c JOIN people p ON p.id = c.person_id
"""

_CHARACTER_CREDITS_SELECT = "SELECT film_id, person_id, character FROM cast_credits ORDER BY film_id, billing_order"


# The same credits with the character as UTF-8 bytes (an empty text for none), to be packed as they come.
def _character_credits_raw_select(dialect: Dialect) -> str:
    character = _as_utf8(dialect, "COALESCE(character, '')")
    return f"SELECT film_id, person_id, {character} FROM cast_credits ORDER BY film_id, billing_order"


_FILM_TITLES_SELECT = "SELECT film_id, title, kind FROM film_titles ORDER BY film_id, title"


# People and aliases, their texts as UTF-8 bytes, to be packed without decoding.
def _people_raw_select(dialect: Dialect) -> str:
    key, name = _as_utf8(dialect, "key"), _as_utf8(dialect, "name")
    return f"SELECT id, {key}, {name} FROM people ORDER BY name, key"


def _aliases_raw_select(dialect: Dialect) -> str:
    return f"SELECT person_id, {_as_utf8(dialect, 'alias')} FROM person_aliases ORDER BY alias, person_id"


def _as_utf8(dialect: Dialect, expression: str) -> str:
    """``expression`` (text) as its UTF-8 bytes: SQLite keeps text as UTF-8, so a cast is the bytes as they
    are; PostgreSQL's cast of text to BYTEA would read backslashes as escapes, so it converts."""
    return f"CAST({expression} AS BLOB)" if dialect == "sqlite" else f"convert_to({expression}, 'UTF8')"


# The catalogue's rows change only when a pack loads (or a migration rewrites them): the loaded packs with
# their load numbers, which every load bumps, tell whether anything made from the whole catalogue (the
# look-up indexes, the film cards) still fits it, without reading its millions of rows.
_PACKS_SELECT = "SELECT id, checksum, load_number FROM packs ORDER BY id"
# The schema version (see db/migrate.py): SQLite's user_version, PostgreSQL's schema_version table.
_SCHEMA_VERSION_SELECT: dict[Dialect, str] = {
    "sqlite": "PRAGMA user_version",
    "postgresql": "SELECT coalesce(max(version), 0) FROM schema_version",
}


# What `Lookup.load` reads to build the indexes: the packs above, the schema version and each table's size.
def _search_input_selects(dialect: Dialect) -> tuple[str, ...]:
    return (
        _SCHEMA_VERSION_SELECT[dialect],
        _PACKS_SELECT,
        "SELECT count(*), max(id) FROM films",
        "SELECT count(*) FROM film_titles",
        "SELECT count(*), max(id) FROM people",
        "SELECT count(*) FROM person_aliases",
        "SELECT count(*) FROM cast_credits",
    )


# PostgreSQL cannot infer the type of a bare "? IS NULL" parameter, hence CAST.
_TRIVIA_SELECT = """
    SELECT q.id, q.key, q.film_id, f.key AS film_key, q.question, q.answers_json, q.wrong_json,
           q.difficulty, q.category, q.source, q.fact, q.spoiler, q.pack_id, q.kind, q.author
    FROM trivia_questions q LEFT JOIN films f ON f.id = q.film_id
    WHERE (CAST(? AS TEXT) IS NULL OR f.key = ?) AND (CAST(? AS TEXT) IS NULL OR q.difficulty = ?)
    ORDER BY q.id
"""


def _columns(row: Row) -> dict[str, Any]:
    """A row as a column-name mapping, for dataclasses whose fields match the SELECT list."""
    # sqlite3.Row iterates over values, not names, so .keys() is needed here.
    return {key: row[key] for key in row.keys()}  # noqa: SIM118


def _film(row: Row, genres: Mapping[int, tuple[str, ...]]) -> Film:
    return Film(*(*row, genres.get(row[0], ())))


_FILM_FIELDS = [field.name for field in fields(Film)]
_SHARED_FILM_FIELDS = [_FILM_FIELDS.index(name) for name in ("franchise_key", "franchise_name", "pack_id", "source")]
"""The columns of `_FILM_COLUMNS` that many films repeat (see `_shared_film`)."""
_TITLE, _ORIGINAL_TITLE = _FILM_FIELDS.index("title"), _FILM_FIELDS.index("original_title")


def _shared_film(row: Row, genres: Mapping[int, tuple[str, ...]], shared: dict[str, str]) -> Film:
    """`_film`, with the texts many films repeat (their franchise, pack and source) held once in
    ``shared`` and an original title equal to the title held once: the look-up keeps every film in
    memory, and these would be a string per film each."""
    values = list(row)
    for at in _SHARED_FILM_FIELDS:
        value = values[at]
        if value is not None:
            values[at] = shared.setdefault(value, value)
    if values[_ORIGINAL_TITLE] == values[_TITLE]:
        values[_ORIGINAL_TITLE] = values[_TITLE]
    return Film(*(*values, genres.get(values[0], ())))


def _genres_by_film(rows: Sequence[Row]) -> dict[int, tuple[str, ...]]:
    """Rows of `_GENRES_SELECT` in `_GENRES_ORDER` as each film's genres.

    A catalogue has a few dozen genres and a few hundred combinations of them over 100,000 films, so
    films with the same genres share one tuple of shared strings (kept for as long as the films are).
    """
    grouped: defaultdict[int, list[str]] = defaultdict(list)
    for film_id, genre in rows:
        grouped[film_id].append(genre)
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    names: dict[str, str] = {}
    by_film: dict[int, tuple[str, ...]] = {}
    for film_id, genres in grouped.items():
        combination = tuple(names.setdefault(genre, genre) for genre in genres)
        by_film[film_id] = shared.setdefault(combination, combination)
    return by_film


_TRIVIA_TRANSLATIONS_SELECT = """
    SELECT question_id, language, country, question, answers_json, wrong_json, fact
    FROM trivia_translations ORDER BY question_id, language, country
"""


def _translations_by_question(rows: Sequence[Row]) -> dict[int, tuple[TriviaTranslation, ...]]:
    grouped: defaultdict[int, list[TriviaTranslation]] = defaultdict(list)
    for row in rows:
        grouped[row["question_id"]].append(
            TriviaTranslation(
                language=row["language"],
                country=row["country"],
                question=row["question"],
                answers=tuple(json.loads(row["answers_json"])),
                wrong=tuple(json.loads(row["wrong_json"])),
                fact=row["fact"],
            )
        )
    return {question_id: tuple(found) for question_id, found in grouped.items()}


def _question(row: Row, translations: Mapping[int, tuple[TriviaTranslation, ...]]) -> TriviaQuestion:
    return TriviaQuestion(
        id=row["id"],
        key=row["key"],
        film_id=row["film_id"],
        film_key=row["film_key"],
        question=row["question"],
        answers=tuple(json.loads(row["answers_json"])),
        wrong=tuple(json.loads(row["wrong_json"])),
        difficulty=row["difficulty"],
        category=row["category"],
        source=row["source"],
        fact=row["fact"],
        spoiler=bool(row["spoiler"]),
        pack_id=row["pack_id"],
        kind=row["kind"],
        author=row["author"],
        translations=translations.get(row["id"], ()),
    )


MAX_FILMS_PER_READ = 500
"""Films per `credits_of_films` read: well under SQLite's limit on query parameters."""

_COMPANY_SELECT = """
    SELECT fc.film_id, c.id, c.key, c.name, fc.position, fc.role
    FROM film_companies fc JOIN companies c ON c.id = fc.company_id
"""
_CERTIFICATION_SELECT = "SELECT film_id, country, rating, source FROM film_certifications"
_FILM_EXTRAS_SELECT = """
    SELECT f.id, f.poster, p.origin = 'tmdb' AS from_tmdb FROM films f JOIN packs p ON p.id = f.pack_id
"""
_RELEASE_SELECT = "SELECT film_id, country, release_date, release_type, note, source FROM releases"
_RELEASE_ORDER = "release_date, release_type, country"


class _SharedStrings:
    """Makes each row's tuple with equal strings (a person's key and name, a job) and consecutive equal film
    ids as one object: the database hands out new ones for every row, millions of them for a large catalogue."""

    def __init__(self) -> None:
        self._strings: dict[str, str] = {}
        self._film_id = -1

    def _film(self, film_id: int) -> int:
        if film_id != self._film_id:
            self._film_id = film_id
        return self._film_id

    def cast_line(self, film_id: int, billing_order: int, person_key: str, person_name: str) -> CastLine:
        shared = self._strings.setdefault
        return CastLine(
            self._film(film_id), billing_order, shared(person_key, person_key), shared(person_name, person_name)
        )

    def crew_line(self, film_id: int, person_key: str, person_name: str, job: str) -> CrewLine:
        shared = self._strings.setdefault
        return CrewLine(
            self._film(film_id), shared(person_key, person_key), shared(person_name, person_name), shared(job, job)
        )


def _triple(film_id: int, person_id: int, character: str | None) -> tuple[int, int, str | None]:
    return film_id, person_id, character


def _company(r: Row) -> Company:
    return Company(r["id"], r["key"], r["name"], r["position"])


def _release_of(
    film_id: int, country: str, release_date: str, release_type: int, note: str | None, source: str
) -> Release:
    return Release(film_id, country, dt.date.fromisoformat(release_date), release_type, note, source)


def _release(r: Row) -> Release:
    return _release_of(r["film_id"], r["country"], r["release_date"], r["release_type"], r["note"], r["source"])


class CatalogueRepository:
    """Films, people, credits, releases and trivia questions."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def pack_checksums(self) -> set[str]:
        """The checksum of every loaded pack's file (sha256 of its bytes, as `Pack.checksum`)."""
        rows = await self._db.fetch_all("SELECT checksum FROM packs")
        return {str(row["checksum"]) for row in rows}

    async def tmdb_packs(self) -> list[TmdbPackRecord]:
        """The loaded packs imported from TMDB (their ``[tmdb]`` table), by pack id, with the file each
        was loaded from: what a refresh fetches again."""
        rows = await self._db.fetch_all(
            "SELECT id, version, source_path, origin_json FROM packs WHERE origin = 'tmdb' ORDER BY id"
        )
        return [
            TmdbPackRecord(row["id"], row["version"], row["source_path"], PackTmdbOrigin.from_json(row["origin_json"]))
            for row in rows
        ]

    async def film_posters(self) -> dict[int, str]:
        """The poster URL of every film that has one, by film id."""
        rows = await self._db.fetch_all("SELECT id, poster FROM films WHERE poster IS NOT NULL")
        return {row["id"]: row["poster"] for row in rows}

    async def counts(self) -> CatalogueCounts:
        """How many films, people, questions and packs are loaded."""
        row = await self._db.fetch_one(
            """
            SELECT (SELECT COUNT(*) FROM films) AS films, (SELECT COUNT(*) FROM people) AS people,
                   (SELECT COUNT(*) FROM trivia_questions) AS questions, (SELECT COUNT(*) FROM packs) AS packs
            """
        )
        assert row is not None  # an aggregate query always yields one row
        return CatalogueCounts(row["films"], row["people"], row["questions"], row["packs"])

    async def list_films(self) -> list[FilmSummary]:
        """Every film, in franchise order (films without one last, by year)."""
        rows = await self._db.fetch_all(
            f"SELECT f.id, f.key, f.title, f.year, f.franchise_order FROM films f {_FILM_ORDER}"
        )
        return [FilmSummary(r["id"], r["key"], r["title"], r["year"], r["franchise_order"]) for r in rows]

    async def films(self) -> list[Film]:
        """Every film with all its columns and genres, in franchise order: one read, for in-memory indexes."""
        rows, genre_rows = await self._db.fetch_each(
            [(f"SELECT {_FILM_COLUMNS} {_FILM_ORDER}", ()), (f"{_GENRES_SELECT} {_GENRES_ORDER}", ())]
        )
        genres = _genres_by_film(genre_rows)
        shared: dict[str, str] = {}
        return [_shared_film(row, genres, shared) for row in rows]

    async def get_film(self, key: str) -> Film | None:
        """The film with this key, or None."""
        return await self._one_film("f.key = ?", "film_id = (SELECT id FROM films WHERE key = ?)", key)

    async def get_film_by_id(self, film_id: int) -> Film | None:
        """The film with this id, or None."""
        return await self._one_film("f.id = ?", "film_id = ?", film_id)

    async def _one_film(self, film_where: str, genre_where: str, value: object) -> Film | None:
        rows, genre_rows = await self._db.fetch_each(
            [
                (f"SELECT {_FILM_COLUMNS} WHERE {film_where}", (value,)),
                (f"{_GENRES_SELECT} WHERE {genre_where} {_GENRES_ORDER}", (value,)),
            ]
        )
        return _film(rows[0], _genres_by_film(genre_rows)) if rows else None

    async def film_titles(self) -> list[FilmTitle]:
        """Every title, original title and alias of every film (for a search index)."""
        rows = await self._db.fetch_all(_FILM_TITLES_SELECT)
        return [FilmTitle(r["film_id"], r["title"], r["kind"]) for r in rows]

    async def film_in_language(self, film_id: int, language: str) -> FilmInLanguage:
        """The film's titles (aliases tagged with `language`) and synopses in `language` ("fr"), in one trip."""
        titles, synopses = await self._db.fetch_each(
            [
                (
                    "SELECT country, title FROM film_titles WHERE film_id = ? AND language = ? ORDER BY country, title",
                    (film_id, language),
                ),
                (
                    "SELECT country, synopsis FROM film_translations WHERE film_id = ? AND language = ?"
                    " ORDER BY country",
                    (film_id, language),
                ),
            ]
        )
        return FilmInLanguage(
            titles=tuple((r["country"] or None, r["title"]) for r in titles),
            synopses=tuple((r["country"] or None, r["synopsis"]) for r in synopses),
        )

    async def titles_in_language(self, film_ids: Sequence[int], language: str) -> dict[int, FilmInLanguage]:
        """The titles in `language` of each of these films (at most `MAX_FILMS_PER_READ`) that has any:
        what autocomplete shows beside the films' own (synopses are left out)."""
        if not film_ids:
            return {}  # "IN ()" is not standard SQL
        if len(film_ids) > MAX_FILMS_PER_READ:
            raise ValueError(f"at most {MAX_FILMS_PER_READ} films per read, not {len(film_ids)}")
        marks = ", ".join("?" * len(film_ids))
        rows = await self._db.fetch_all(
            f"SELECT film_id, country, title FROM film_titles WHERE language = ? AND film_id IN ({marks})"
            " ORDER BY film_id, country, title",
            (language, *film_ids),
        )
        found: dict[int, list[tuple[str | None, str]]] = {}
        for row in rows:
            found.setdefault(row["film_id"], []).append((row["country"] or None, row["title"]))
        return {film_id: FilmInLanguage(titles=tuple(titles)) for film_id, titles in found.items()}

    async def cast(self, film_id: int) -> list[CastCredit]:
        """The film's cast in billing order."""
        rows = await self._db.fetch_all(f"{_CAST_SELECT} WHERE c.film_id = ? ORDER BY c.billing_order", (film_id,))
        return [CastCredit(*r) for r in rows]

    async def film_credits(self, film_id: int) -> FilmCredits:
        """The film's cast, crew, companies (production and distribution), every release and its
        certifications, read together in one trip to the database (a film card needs them all, and
        each trip costs more than these small queries)."""
        return (await self.credits_of_films([film_id]))[film_id]

    async def credits_of_films(self, film_ids: Sequence[int]) -> dict[int, FilmCredits]:
        """`film_credits` of each of these films (at most `MAX_FILMS_PER_READ`), in one trip.

        Every id asked for is in the answer, an unknown one with empty lists.
        """
        if len(film_ids) > MAX_FILMS_PER_READ:
            raise ValueError(f"at most {MAX_FILMS_PER_READ} films per read, not {len(film_ids)}")
        if not film_ids:
            return {}  # "IN ()" is not standard SQL
        marks = ", ".join("?" * len(film_ids))
        ids = tuple(film_ids)
        cast, crew, companies, releases, certifications, extras = await self._db.fetch_each(
            [
                (f"{_CAST_SELECT} WHERE c.film_id IN ({marks}) ORDER BY c.film_id, c.billing_order", ids),
                (f"{_CREW_SELECT} WHERE c.film_id IN ({marks}) ORDER BY c.film_id, c.position", ids),
                (f"{_COMPANY_SELECT} WHERE fc.film_id IN ({marks}) ORDER BY fc.film_id, fc.role, fc.position", ids),
                (f"{_RELEASE_SELECT} WHERE film_id IN ({marks}) ORDER BY film_id, {_RELEASE_ORDER}", ids),
                (f"{_CERTIFICATION_SELECT} WHERE film_id IN ({marks}) ORDER BY film_id, country", ids),
                (f"{_FILM_EXTRAS_SELECT} WHERE f.id IN ({marks})", ids),
            ]
        )
        known = {row[0]: (row[1], bool(row[2])) for row in extras}
        found = {
            film_id: FilmCredits(
                [],
                [],
                [],
                [],
                poster=known.get(film_id, (None, False))[0],
                from_tmdb=known.get(film_id, (None, False))[1],
            )
            for film_id in film_ids
        }
        for row in cast:
            found[row[0]].cast.append(CastCredit(*row))
        for row in crew:
            found[row[0]].crew.append(CrewCredit(*row))
        for row in companies:
            credits = found[row["film_id"]]
            (credits.companies if row["role"] == "production" else credits.distributors).append(_company(row))
        for row in releases:
            found[row["film_id"]].releases.append(_release(row))
        for row in certifications:
            found[row[0]].certifications.append(Certification(*row))
        return found

    async def all_cast(self) -> list[CastCredit]:
        """Every cast credit of every film (for the character index), by film then billing."""
        return await self._db.fetch_all_as(CastCredit, f"{_CAST_SELECT} ORDER BY c.film_id, c.billing_order")

    async def cast_lines(self) -> list[CastLine]:
        """Every cast credit as `CastLine`, in the order of `all_cast` (for generated trivia): no more than
        its questions need, each person's key and name one pair of strings however many films they made."""
        return await self._db.fetch_all_as(
            _SharedStrings().cast_line,
            "SELECT c.film_id, c.billing_order, p.key, p.name FROM cast_credits c JOIN people p ON p.id = c.person_id"
            " ORDER BY c.film_id, c.billing_order",
        )

    async def cast_numbers(self, first_film_id: int, last_film_id: int) -> list[tuple[int, ...]]:
        """The film id, billing order and person id of each cast credit of the films with ids from
        `first_film_id` to `last_film_id`, as three columns, in the order of `cast_lines`: a large
        catalogue's cast is read a few thousand films at a time, as numbers."""
        return await self._db.fetch_columns(
            "SELECT film_id, billing_order, person_id FROM cast_credits WHERE film_id BETWEEN ? AND ?"
            " ORDER BY film_id, billing_order",
            3,
            (first_film_id, last_film_id),
        )

    async def crew_lines(self) -> list[CrewLine]:
        """Every crew credit as `CrewLine`, in the order of `all_crew` (see `cast_lines`)."""
        return await self._db.fetch_all_as(
            _SharedStrings().crew_line,
            "SELECT c.film_id, p.key, p.name, c.job FROM crew_credits c JOIN people p ON p.id = c.person_id"
            " ORDER BY c.film_id, c.position",
        )

    async def character_credits(self) -> list[tuple[int, int, str | None]]:
        """(film id, person id, character) of every cast credit: what the character index needs, and
        nothing else, so that reading 200,000 credits stays cheap (people are read separately)."""
        return await self._db.fetch_all_as(_triple, _CHARACTER_CREDITS_SELECT)

    async def character_credit_columns(self) -> tuple[array[int], array[int], PackedStrings]:
        """`character_credits` as three columns: film ids, person ids and characters (packed, an empty
        text for none): a large catalogue's credits as rows were the largest part of the character index's
        build, held through all of it."""
        film_ids, person_ids, characters = await self._db.fetch_columns(
            _character_credits_raw_select(self._db.dialect), 3
        )
        return array("q", film_ids), array("q", person_ids), PackedStrings.of_utf8(characters)

    async def search_inputs(self) -> str:
        """A digest of what the look-up indexes are built from (`films`, `film_titles`, `people` and
        `character_credits`): the loaded packs as `packs_digest` sees them, the schema version and the
        size of each table read. Equal digests, equal indexes; any pack load makes a new one."""
        return await self._db.digest([(sql, ()) for sql in _search_input_selects(self._db.dialect)])

    async def stored_search_indexes(self, inputs: str, format: str) -> dict[str, bytes]:
        """The stored indexes (by kind) built from these `inputs` by code of this `format`."""
        return await self.read_stored_search_indexes(inputs, format, lambda read: read(-1))

    async def read_stored_search_indexes(
        self, inputs: str, format: str, reader: Callable[[Callable[[int], bytes]], T]
    ) -> dict[str, T]:
        """`stored_search_indexes`, each read by ``reader`` from a ``read(n)`` of its bytes, on the
        database thread (see `Database.read_blobs`)."""
        return await self._db.read_blobs(
            "search_indexes",
            "data",
            "SELECT kind, rowid FROM search_indexes WHERE inputs = ? AND format = ?",
            reader,
            (inputs, format),
        )

    async def stored_search_index_sizes(self, inputs: str, format: str) -> dict[str, int]:
        """The size in bytes of each stored index (by kind) built from these `inputs` by this `format`."""
        rows = await self._db.fetch_all(
            "SELECT kind, length(data) AS size FROM search_indexes WHERE inputs = ? AND format = ?", (inputs, format)
        )
        return {row["kind"]: row["size"] for row in rows}

    async def store_search_indexes(
        self, inputs: str, format: str, indexes: Mapping[str, bytes], *, saved_at: dt.datetime
    ) -> None:
        """Keep `indexes` (by kind) as built from `inputs`, replacing whatever was stored before."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM search_indexes")
            await tx.executemany(
                "INSERT INTO search_indexes (kind, inputs, format, data, saved_at) VALUES (?, ?, ?, ?, ?)",
                [(kind, inputs, format, data, stamp(saved_at)) for kind, data in indexes.items()],
            )

    async def packs_digest(self) -> str:
        """A digest of the loaded packs (each one's id, checksum and load number): it changes with every
        pack load, so what is made from the whole catalogue (film cards) can be kept under it."""
        return await self._db.digest([(_PACKS_SELECT, ())])

    async def stored_card(self, film_id: int, made_from: str) -> bytes | None:
        """The film's kept card, if it was made from the catalogue `made_from` names."""
        data = await self._db.fetch_value(
            "SELECT card FROM film_cards WHERE film_id = ? AND made_from = ?", (film_id, made_from)
        )
        return None if data is None else bytes(data)

    async def films_without_card(self, made_from: str) -> list[int]:
        """The ids of the films with no card made from `made_from`, in id order."""
        rows = await self._db.fetch_all(
            """
            SELECT f.id FROM films f
            WHERE NOT EXISTS (SELECT 1 FROM film_cards c WHERE c.film_id = f.id AND c.made_from = ?)
            ORDER BY f.id
            """,
            (made_from,),
        )
        return [row[0] for row in rows]

    async def store_cards(self, made_from: str, cards: Mapping[int, bytes]) -> None:
        """Keep these cards (by film id) as made from `made_from`, replacing older ones; cards of films
        that are no longer in the catalogue are not kept."""
        async with self._db.transaction() as tx:
            await tx.executemany(
                """
                INSERT INTO film_cards (film_id, made_from, card)
                SELECT id, ?, ? FROM films WHERE id = ?
                ON CONFLICT (film_id) DO UPDATE SET made_from = excluded.made_from, card = excluded.card
                """,
                [(made_from, card, film_id) for film_id, card in cards.items()],
            )

    async def drop_cards_not_from(self, made_from: str) -> None:
        """Forget the cards made from any other catalogue than `made_from`."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM film_cards WHERE made_from <> ?", (made_from,))

    async def stored_question_pool(self, made_from: str) -> bytes | None:
        """The kept trivia question pool, if it was made from what `made_from` names."""
        data = await self._db.fetch_value("SELECT pool FROM trivia_pools WHERE made_from = ?", (made_from,))
        return None if data is None else bytes(data)

    async def store_question_pool(self, made_from: str, pool: bytes) -> None:
        """Keep `pool` as made from `made_from`, in place of any pool kept before."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM trivia_pools")
            await tx.execute("INSERT INTO trivia_pools (made_from, pool) VALUES (?, ?)", (made_from, pool))

    async def crew(self, film_id: int) -> list[CrewCredit]:
        """The film's crew in the order the pack lists them."""
        rows = await self._db.fetch_all(f"{_CREW_SELECT} WHERE c.film_id = ? ORDER BY c.position", (film_id,))
        return [CrewCredit(*r) for r in rows]

    async def all_crew(self) -> list[CrewCredit]:
        """Every crew credit of every film (for generated trivia), by film then pack order."""
        return await self._db.fetch_all_as(CrewCredit, f"{_CREW_SELECT} ORDER BY c.film_id, c.position")

    async def releases(self, film_id: int, country: str | None = None) -> list[Release]:
        """The film's releases by date, optionally in one country only."""
        rows = await self._db.fetch_all(
            f"""
            {_RELEASE_SELECT} WHERE film_id = ? AND (CAST(? AS TEXT) IS NULL OR country = ?)
            ORDER BY {_RELEASE_ORDER}
            """,
            (film_id, country, country),
        )
        return [_release(r) for r in rows]

    async def all_releases(self) -> list[Release]:
        """Every release of every film in one query (for countdown planning), by film and date."""
        return await self._db.fetch_all_as(
            _release_of,
            f"{_RELEASE_SELECT} ORDER BY film_id, {_RELEASE_ORDER}",
        )

    async def companies(self, film_id: int) -> list[Company]:
        """The film's production companies in credit order."""
        return await self._companies(film_id, "production")

    async def distributors(self, film_id: int) -> list[Company]:
        """The film's distributors in credit order."""
        return await self._companies(film_id, "distribution")

    async def _companies(self, film_id: int, role: str) -> list[Company]:
        rows = await self._db.fetch_all(
            f"{_COMPANY_SELECT} WHERE fc.film_id = ? AND fc.role = ? ORDER BY fc.position", (film_id, role)
        )
        return [_company(r) for r in rows]

    async def certifications(self, film_id: int) -> list[Certification]:
        """The film's age ratings, by country code."""
        return await self._db.fetch_all_as(
            Certification, f"{_CERTIFICATION_SELECT} WHERE film_id = ? ORDER BY country", (film_id,)
        )

    async def milestones(self, film_id: int) -> list[Milestone]:
        """The film's other dated facts (trailers, announcements...) in pack order."""
        rows = await self._db.fetch_all(
            """
            SELECT film_id, kind, date_text, description, source FROM film_milestones
            WHERE film_id = ? ORDER BY position
            """,
            (film_id,),
        )
        return [Milestone(**_columns(r)) for r in rows]

    async def people(self) -> People:
        """Every person, by name, with their aliases: packed (see `People`), for in-memory indexes. The
        texts come as their UTF-8 bytes and are packed as they come: half a million people at start."""
        alias_ids, alias_texts = await self._db.fetch_columns(_aliases_raw_select(self._db.dialect), 2)
        aliases: defaultdict[int, list[bytes]] = defaultdict(list)
        for person_id, alias in zip(alias_ids, alias_texts, strict=True):
            aliases[person_id].append(alias)
        ids, keys, names = await self._db.fetch_columns(_people_raw_select(self._db.dialect), 3)
        found = [aliases.get(person_id, ()) for person_id in ids]
        return People(
            array("q", ids),
            PackedStrings.of_utf8(keys),
            PackedStrings.of_utf8(names),
            offsets_of(map(len, found)),
            PackedStrings.of_utf8([alias for some in found for alias in some]),
        )

    async def get_person(self, key: str) -> Person | None:
        """The person with this key, or None."""
        row = await self._db.fetch_one("SELECT id, key, name FROM people WHERE key = ?", (key,))
        if row is None:
            return None
        alias_rows = await self._db.fetch_all(
            "SELECT alias FROM person_aliases WHERE person_id = ? ORDER BY alias", (row["id"],)
        )
        return Person(row["id"], row["key"], row["name"], tuple(a["alias"] for a in alias_rows))

    async def person_credits(self, person_id: int) -> list[PersonCredit]:
        """Everything a person did, by film year: cast credits before crew ones."""
        rows = await self._db.fetch_all(
            """
            SELECT f.id AS film_id, f.key AS film_key, f.title AS film_title, f.year, 'cast' AS role,
                   c.character, NULL AS department, NULL AS job, 0 AS kind_order, c.billing_order AS pos
            FROM cast_credits c JOIN films f ON f.id = c.film_id WHERE c.person_id = ?
            UNION ALL
            SELECT f.id, f.key, f.title, f.year, 'crew', NULL, w.department, w.job, 1, w.position
            FROM crew_credits w JOIN films f ON f.id = w.film_id WHERE w.person_id = ?
            ORDER BY year, film_id, kind_order, pos
            """,
            (person_id, person_id),
        )
        return [
            PersonCredit(
                r["film_id"],
                r["film_key"],
                r["film_title"],
                r["year"],
                r["role"],
                r["character"],
                r["department"],
                r["job"],
            )
            for r in rows
        ]

    async def trivia_questions(
        self, film_key: str | None = None, difficulty: str | None = None
    ) -> list[TriviaQuestion]:
        """Trivia questions, optionally only for one film and/or one difficulty."""
        rows = await self._db.fetch_all(_TRIVIA_SELECT, (film_key, film_key, difficulty, difficulty))
        # Few questions are translated, and a pack holds hundreds of questions at most: read them all.
        translations = _translations_by_question(await self._db.fetch_all(_TRIVIA_TRANSLATIONS_SELECT))
        return [_question(row, translations) for row in rows]
