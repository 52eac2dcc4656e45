"""Write a validated :class:`~db.packs.model.Pack` into the catalogue tables, in bulk.

Loading is one transaction and idempotent, and takes a fixed number of statements per table
whatever the pack's size: rows are written with one ``executemany`` each, ids are read back once
per table by pack, and a film's child rows (credits, releases, genres...) are replaced with one
``DELETE`` per table for all the pack's films. Entities with a key (films, people, companies,
series, trivia) are upserted by key, so their integer ids never change between loads (ids leave
the database); entities the pack owned but no longer lists are deleted, except people and
companies still credited or named by another pack.

Packs that meet each other: identity, merges and renames
---------------------------------------------------------
Every film, person, company and series is *owned* by one pack, the first that loaded it. Another
pack that lists the same thing never overwrites it:

* A film or person of this pack whose external id (IMDb, TMDB or Wikidata) is the id of one owned
  by another pack *is* that one (merged). The owner keeps it and its fields; this pack's titles or
  aliases that the owner lacks are added as this pack's own rows (replaced at each of its loads, so
  they go when it stops listing them); its credits of a merged film are not written; its trivia
  about that film points at the merged film. Differences (title, year, name) go into the report.
  Two ids naming two different films or people, or an id naming one whose other id of the same
  kind differs, are an error naming both.
* A person whose key another pack owns, with no external id saying otherwise, is that person when
  the two names are the same once case, accents, spaces and punctuation are ignored (shared: each
  pack keeps its own aliases). With another name (or a contradicting external id) it is a different
  person, stored under the key ``<key>@<pack id>`` (``@`` never occurs in a pack's keys) and reported
  as renamed; the other pack's person is left untouched.
* A company or series whose key another pack owns is shared: its name stays the owner's (a
  different name is reported), aliases are per pack.
* A film key or trivia key another pack owns, with no external id making it the same film, is
  refused (:class:`PackConflictError`), leaving the database untouched.

When the owner stops listing a film or person that another pack merged (or shares), it is handed over
to that pack (the first by pack id) instead of deleted: it keeps its id and its key (links to it stay
valid; the new owner's key for it is remembered in ``film_merges``/``person_merges``), and the new owner
has it as it was until its next load writes its own fields and credits; the report says so. An alias or
title two packs both give is stored once, as the row of the pack that wrote it first (the owner's, when
the owner gives it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from db.connection import Database, Row, Transaction
from db.migrate import LATEST_VERSION
from db.names import name_key
from db.packs.model import Pack, PackFilm, PackPerson

CLASHES_NAMED = 10
"""How many clashes a PackConflictError names; it counts the rest."""
QUALIFIER = "@"
"""Joins a person key to the pack id when another pack owns that key for another person."""


PACK_RULES = 16
"""The version of what makes a pack valid (``db.packs.parse``) and of what loading one stores (this module).
Bump it with any change to either: a start then loads again the packs it would otherwise find unchanged."""


def pack_file_checksum(path: Path) -> str:
    """The checksum a pack parsed from ``path`` carries (`Pack.checksum`) and its load stores."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class PackFiles:
    """Pack files as a start loads them, each read once: their paths, each one's checksum (`Pack.checksum`)
    and the fingerprint of the whole list: their paths and bytes, in order, with the rules and schema they
    are read and stored by (the same fingerprint means loading them again would change nothing). A
    catalogue of 100,000 films is hundreds of megabytes of packs, worth reading only once per start."""

    paths: tuple[Path, ...]
    checksums: tuple[str, ...]
    fingerprint: str

    @classmethod
    def read(cls, paths: Sequence[Path]) -> PackFiles:
        """The files at ``paths``, in order (blocking: run it in a worker thread)."""
        checksums = tuple(pack_file_checksum(path) for path in paths)
        digest = hashlib.sha256(f"rules {PACK_RULES} schema {LATEST_VERSION}".encode())
        for path, checksum in zip(paths, checksums, strict=True):
            digest.update(f"\0{path.resolve()}\0".encode())
            digest.update(bytes.fromhex(checksum))
        return cls(tuple(paths), checksums, digest.hexdigest())


@dataclass(frozen=True)
class LoadReport:
    """How much one :func:`load_pack` call wrote, and how the pack met the packs already loaded.

    ``merged_films`` and ``merged_people`` are this pack's entries stored as another pack's (same
    external id, or for people the same key and name); ``renamed_people`` are stored under a key
    qualified by this pack (see the module docstring); ``differences`` says what the merged entries
    disagree about, one short line each.
    """

    pack_id: str
    films: int
    people: int
    companies: int
    credits: int
    releases: int
    questions: int
    merged_films: int = 0
    merged_people: int = 0
    renamed_people: int = 0
    differences: tuple[str, ...] = field(default=())

    @property
    def merged(self) -> int:
        """Films and people merged into another pack's."""
        return self.merged_films + self.merged_people


class PackConflictError(ValueError):
    """The pack claims films or questions that another loaded pack owns, or its external ids contradict."""


def _sources(keys: Iterable[str]) -> str:
    return "; ".join(keys)


def _json(values: Iterable[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def comparable_name(name: str) -> str:
    """A name with case, accents, spaces and punctuation dropped: "J.J. Abrams" is "J. J. Abrams"."""
    decomposed = unicodedata.normalize("NFKD", name_key(name))
    return "".join(char for char in decomposed if char.isalnum())


# --------------------------------------------------------------------------- identity

_ID_KINDS = ("imdb_id", "tmdb_id", "wikidata_id")


@dataclass(frozen=True)
class _Stored:
    """A row of films or people owned by another pack, with what identity needs."""

    id: int
    key: str
    pack_id: str
    name: str
    year: int | None
    ids: tuple[str | int | None, ...]

    def describe(self, kind: str) -> str:
        return f'{kind} "{self.key}" of pack "{self.pack_id}"'


class _Others:
    """The rows of one table that other packs own, indexed by key and by each external id."""

    def __init__(self, rows: Sequence[_Stored]) -> None:
        self.by_key = {row.key: row for row in rows}
        self.by_id: list[dict[str | int, _Stored]] = [{} for _ in _ID_KINDS]
        for row in rows:
            for index, value in enumerate(row.ids):
                if value is not None:
                    self.by_id[index].setdefault(value, row)

    def match(self, kind: str, key: str, ids: tuple[str | int | None, ...]) -> _Stored | None:
        """The other pack's row these external ids name, if any; PackConflictError if they disagree."""
        found: dict[int, tuple[str, _Stored]] = {}
        for index, value in enumerate(ids):
            if value is not None and value in self.by_id[index]:
                row = self.by_id[index][value]
                found.setdefault(row.id, (f"{_ID_KINDS[index]} {value}", row))
        if len(found) > 1:
            named = "; ".join(f"{which} is {row.describe(kind)}" for which, row in found.values())
            raise PackConflictError(f'{kind} "{key}": its external ids name different {kind}s: {named}')
        if not found:
            return None
        which, row = next(iter(found.values()))
        _check_no_contradiction(kind, key, ids, row, which)
        return row


def _check_no_contradiction(kind: str, key: str, ids: tuple[str | int | None, ...], row: _Stored, which: str) -> None:
    for index, (ours, theirs) in enumerate(zip(ids, row.ids, strict=True)):
        if ours is not None and theirs is not None and ours != theirs:
            raise PackConflictError(
                f'{kind} "{key}": {which} is {row.describe(kind)}, whose {_ID_KINDS[index]} is {theirs}, not {ours}'
            )


def _contradicts(ids: tuple[str | int | None, ...], row: _Stored) -> bool:
    return any(a is not None and b is not None and a != b for a, b in zip(ids, row.ids, strict=True))


def _film_ids(film: PackFilm) -> tuple[str | int | None, ...]:
    return (film.imdb_id, film.tmdb_id, film.wikidata_id)


def _person_ids(person: PackPerson) -> tuple[str | int | None, ...]:
    return (person.imdb_id, person.tmdb_id, person.wikidata_id)


@dataclass
class _Plan:
    """Where each of the pack's entries goes: its own rows, or another pack's."""

    own_films: list[tuple[str, PackFilm]] = field(default_factory=list)
    """(stored key, film): the key differs for a film handed over to this pack by another."""
    merged_films: dict[str, int] = field(default_factory=dict)
    adopted_films: dict[str, int] = field(default_factory=dict)
    """Films handed over to this pack, stored under the key of the pack that had them, by this pack's key."""
    own_people: list[tuple[str, PackPerson]] = field(default_factory=list)
    """(stored key, person): the key is qualified for a renamed person, or another for one handed over."""
    shared_people: dict[str, int] = field(default_factory=dict)
    adopted_people: dict[str, int] = field(default_factory=dict)
    stored_people: dict[str, int] = field(default_factory=dict)
    """Every person the pack owns, listed or not, by stored key."""
    merged_people: int = 0
    renamed_people: int = 0
    differences: list[str] = field(default_factory=list)
    required_films: dict[str, int] = field(default_factory=dict)
    """Films of other packs that the pack's questions name (``[pack] requires``), by key."""


async def _adopted(tx: Transaction, table: str, merges: str, column: str, pack_id: str) -> dict[str, tuple[str, int]]:
    """The entries of ``table`` handed over to the pack: (stored key, id) by the pack's key."""
    # `table`, `merges` and `column` are always our literal names, never user input.
    rows = await tx.fetch_all(
        f"SELECT m.key, t.key AS stored, t.id FROM {merges} m JOIN {table} t ON t.id = m.{column}"
        " WHERE m.pack_id = ? AND t.pack_id = ?",
        (pack_id, pack_id),
    )
    return {row["key"]: (row["stored"], row["id"]) for row in rows}


async def _own_keys(tx: Transaction, table: str, pack_id: str) -> set[str]:
    # `table` is always one of our literal table names, never user input.
    return {row["key"] for row in await tx.fetch_all(f"SELECT key FROM {table} WHERE pack_id = ?", (pack_id,))}


async def _plan(tx: Transaction, pack: Pack) -> _Plan:
    plan = _Plan()
    await _plan_films(tx, pack, plan)
    await _plan_people(tx, pack, plan)
    await _plan_required_films(tx, pack, plan)
    return plan


async def _plan_required_films(tx: Transaction, pack: Pack, plan: _Plan) -> None:
    """Find the films of other packs the pack's questions name; PackConflictError naming every required pack
    not loaded and every such film not in the database (a film key of this pack is never looked for)."""
    own = {film.key for film in pack.films}
    wanted = sorted({q.film for q in pack.trivia if q.film and q.film not in own})
    if not wanted and not pack.requires:
        return
    loaded = {
        row["id"]
        for row in await tx.fetch_all(f"SELECT id FROM packs WHERE {_one_of(tx, 'id')}", (_values(tx, pack.requires),))
    }
    missing = [
        f'it requires pack "{required}", which is not loaded' for required in pack.requires if required not in loaded
    ]
    rows = await tx.fetch_all(f"SELECT key, id FROM films WHERE {_one_of(tx, 'key')}", (_values(tx, wanted),))
    plan.required_films = {row["key"]: row["id"] for row in rows}
    named = ", ".join(f'"{key}"' for key in pack.requires)
    missing += [
        f'its questions name film "{key}", which is not in the database (this pack requires {named})'
        for key in wanted
        if key not in plan.required_films
    ]
    _refuse(pack, missing)


def _others_of(rows: Sequence[Row]) -> _Others:
    """Other packs' films or people read by `_candidates` (their name and year columns as "name", "year")."""
    return _Others(
        [
            _Stored(
                r["id"], r["key"], r["pack_id"], r["name"], r["year"], (r["imdb_id"], r["tmdb_id"], r["wikidata_id"])
            )
            for r in rows
        ]
    )


async def _plan_films(tx: Transaction, pack: Pack, plan: _Plan) -> None:
    own = await _own_keys(tx, "films", pack.id)
    adopted = await _adopted(tx, "films", "film_merges", "film_id", pack.id)
    rows = await _candidates(tx, "films", "title AS name, year", pack.id, [(f.key, *_film_ids(f)) for f in pack.films])
    others = _others_of(rows)
    clashes: list[str] = []
    for film in pack.films:
        if film.key in own:
            plan.own_films.append((film.key, film))
            continue
        if film.key in adopted:
            stored, film_id = adopted[film.key]
            plan.own_films.append((stored, film))
            plan.adopted_films[film.key] = film_id
            continue
        try:
            match = others.match("film", film.key, _film_ids(film))
        except PackConflictError as error:
            clashes.append(str(error))
            continue
        if match is None:
            clash = others.by_key.get(film.key)
            if clash is not None:
                clashes.append(f'film "{film.key}" belongs to pack "{clash.pack_id}"')
            plan.own_films.append((film.key, film))
            continue
        plan.merged_films[film.key] = match.id
        said = [
            f"title {film.title!r} there {match.name!r}" if film.title != match.name else "",
            f"year {film.year} there {match.year}" if film.year != match.year else "",
        ]
        if any(said):
            detail = ", ".join(part for part in said if part)
            plan.differences.append(f'film "{film.key}" is {match.describe("film")}: {detail}')
    trivia_rows = await _others(tx, "trivia_questions", "question", pack.id, [q.key for q in pack.trivia])
    clashes += [f'trivia "{r["key"]}" belongs to pack "{r["pack_id"]}"' for r in trivia_rows]
    _refuse(pack, clashes)


def _refuse(pack: Pack, clashes: Sequence[str]) -> None:
    """Raise PackConflictError naming the first clashes (and how many more there are), if any."""
    if clashes:
        more = f"; and {len(clashes) - CLASHES_NAMED} more" if len(clashes) > CLASHES_NAMED else ""
        raise PackConflictError(f'cannot load pack "{pack.id}": ' + "; ".join(clashes[:CLASHES_NAMED]) + more)


async def _plan_people(tx: Transaction, pack: Pack, plan: _Plan) -> None:
    own = await _own_keys(tx, "people", pack.id)
    adopted = await _adopted(tx, "people", "person_merges", "person_id", pack.id)
    rows = await _candidates(
        tx, "people", "name, NULL AS year", pack.id, [(p.key, *_person_ids(p)) for p in pack.people]
    )
    others = _others_of(rows)
    clashes: list[str] = []
    for person in pack.people:
        qualified = f"{person.key}{QUALIFIER}{pack.id}"
        if person.key in own:
            plan.own_people.append((person.key, person))
            continue
        if qualified in own:
            plan.own_people.append((qualified, person))
            plan.renamed_people += 1
            continue
        if person.key in adopted:
            stored, person_id = adopted[person.key]
            plan.own_people.append((stored, person))
            plan.adopted_people[person.key] = person_id
            continue
        ids = _person_ids(person)
        try:
            match = others.match("person", person.key, ids)
        except PackConflictError as error:
            clashes.append(str(error))
            continue
        if match is None:
            clash = others.by_key.get(person.key)
            if clash is not None and not _contradicts(ids, clash) and _same_name(person.name, clash.name):
                match = clash
            elif clash is not None:
                plan.own_people.append((qualified, person))
                plan.renamed_people += 1
                plan.differences.append(
                    f'person "{person.key}" ({person.name}) is not {clash.describe("person")} '
                    f"({clash.name}): stored as {qualified!r}"
                )
                continue
        if match is None:
            plan.own_people.append((person.key, person))
            continue
        plan.shared_people[person.key] = match.id
        plan.merged_people += 1
        if person.name != match.name:
            plan.differences.append(
                f'person "{person.key}" is {match.describe("person")}: name {person.name!r} there {match.name!r}'
            )
    _refuse(pack, clashes)


def _same_name(a: str, b: str) -> bool:
    return comparable_name(a) == comparable_name(b)


# --------------------------------------------------------------------------- loading


async def load_pack(
    db: Database,
    pack: Pack,
    *,
    source_path: str | Path | None = None,
    loaded_at: dt.datetime | None = None,
) -> LoadReport:
    """Load ``pack`` into ``db`` in one transaction (see the module docstring).

    ``source_path`` is recorded in the packs table (default: the file it was parsed
    from); ``loaded_at`` defaults to now (UTC). Raises PackConflictError, leaving the
    database untouched, if another pack owns one of its film or trivia keys, or if its
    external ids contradict each other or the catalogue.
    """
    stamp = (loaded_at or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    async with db.transaction() as tx:
        plan = await _plan(tx, pack)
        await _upsert_pack_row(tx, pack, str(source_path or pack.path), stamp)
        series = await _upsert_series(tx, pack)
        companies = await _upsert_companies(tx, pack, plan)
        people = await _upsert_people(tx, pack, plan)
        await _record_merges(tx, pack, plan)
        await _delete_vanished(tx, "trivia_questions", pack.id, {q.key for q in pack.trivia})
        await _delete_vanished_films(tx, pack, plan)
        films = await _upsert_films(tx, pack, plan, series)
        await _replace_film_rows(tx, pack, plan, films, people, companies)
        await _upsert_trivia(tx, pack, {**plan.required_films, **films, **plan.merged_films})
        await _delete_orphans(tx, pack, plan)
    return LoadReport(
        pack_id=pack.id,
        films=len(pack.films),
        people=len(pack.people),
        companies=len(pack.companies),
        credits=pack.credit_count,
        releases=pack.release_count,
        questions=len(pack.trivia),
        merged_films=len(plan.merged_films),
        merged_people=plan.merged_people,
        renamed_people=plan.renamed_people,
        differences=tuple(plan.differences),
    )


async def _upsert_pack_row(tx: Transaction, pack: Pack, source_path: str, stamp: str) -> None:
    await tx.execute(
        """
        INSERT INTO packs (
            id, name, version, description, source_path, checksum, loaded_at, origin, origin_json, load_number
        )
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(load_number), 0) + 1 FROM packs))
        ON CONFLICT (id) DO UPDATE SET
            name = excluded.name, version = excluded.version, description = excluded.description,
            source_path = excluded.source_path, checksum = excluded.checksum, loaded_at = excluded.loaded_at,
            origin = excluded.origin, origin_json = excluded.origin_json, load_number = excluded.load_number
        """,
        (
            pack.id,
            pack.name,
            pack.version,
            pack.description,
            source_path,
            pack.checksum,
            stamp,
            None if pack.tmdb is None else "tmdb",
            None if pack.tmdb is None else pack.tmdb.to_json(),
        ),
    )
    await tx.execute("DELETE FROM sources WHERE pack_id = ?", (pack.id,))
    await tx.executemany(
        "INSERT INTO sources (pack_id, key, ref, description) VALUES (?, ?, ?, ?)",
        [(pack.id, s.key, s.ref, s.description) for s in pack.sources],
    )


async def _ids(tx: Transaction, table: str, pack_id: str) -> dict[str, int]:
    # `table` is always one of our literal table names, never user input.
    rows = await tx.fetch_all(f"SELECT id, key FROM {table} WHERE pack_id = ?", (pack_id,))
    return {row["key"]: row["id"] for row in rows}


def _one_of(tx: Transaction, column: str) -> str:
    """SQL that is true when ``column`` is one of the values of its one parameter, made by :func:`_values`:
    SQLite reads them from a JSON array (json_each), PostgreSQL takes an array (``= ANY``)."""
    if tx.dialect == "sqlite":
        return f"{column} IN (SELECT value FROM json_each(?))"
    return f"{column} = ANY(?)"


def _values(tx: Transaction, values: Iterable[str | int | None]) -> str | list[str | int]:
    """The parameter of :func:`_one_of`: the distinct values but None, as JSON for SQLite, a list for PostgreSQL."""
    distinct = sorted({value for value in values if value is not None}, key=str)
    return json.dumps(distinct, ensure_ascii=False) if tx.dialect == "sqlite" else distinct


async def _others(tx: Transaction, table: str, name: str, pack_id: str, keys: Iterable[str]) -> list[Row]:
    """The rows of ``table`` another pack owns under one of ``keys``.

    The keys go in as one parameter (see :func:`_one_of`), so that this is one statement, looking up each
    key in the key index, whatever the pack's size."""
    # `table` and `name` are always our literal names, never user input.
    return await tx.fetch_all(
        f"SELECT id, key, {name} AS name, pack_id FROM {table} WHERE {_one_of(tx, 'key')} AND pack_id <> ?",
        (_values(tx, keys), pack_id),
    )


async def _candidates(
    tx: Transaction, table: str, extra: str, pack_id: str, entries: Sequence[tuple[str | int | None, ...]]
) -> list[Row]:
    """The rows of ``table`` (films or people) another pack owns that share a key or an external id with
    one of ``entries`` (key, imdb id, tmdb id, wikidata id): only those can be the same film or person."""
    columns = ("key", *_ID_KINDS)
    lists = [_values(tx, (entry[index] for entry in entries)) for index in range(len(columns))]
    matching = " OR ".join(_one_of(tx, column) for column in columns)
    # `table` and `extra` are always our literal SQL, never user input.
    return await tx.fetch_all(
        f"SELECT id, key, pack_id, {extra}, imdb_id, tmdb_id, wikidata_id FROM {table}"
        f" WHERE ({matching}) AND pack_id <> ?",
        (*lists, pack_id),
    )


def _series_names(pack: Pack) -> dict[str, str]:
    names = {s.key: s.name for s in pack.series}
    if pack.franchise is not None:
        names.setdefault(pack.franchise.key, pack.franchise.name)
    return names


async def _upsert_series(tx: Transaction, pack: Pack) -> dict[str, int]:
    """The pack's franchise and series, by key; one another pack owns is shared, never renamed."""
    names = _series_names(pack)
    shared = {row["key"]: row["id"] for row in await _others(tx, "franchises", "name", pack.id, names)}
    await tx.executemany(
        """
        INSERT INTO franchises (key, name, pack_id) VALUES (?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET name = excluded.name
        """,
        [(key, name, pack.id) for key, name in names.items() if key not in shared],
    )
    return {**await _ids(tx, "franchises", pack.id), **shared}


async def _upsert_companies(tx: Transaction, pack: Pack, plan: _Plan) -> dict[str, int]:
    listed = {c.key: c for c in pack.companies}
    shared: dict[str, int] = {}
    for row in await _others(tx, "companies", "name", pack.id, listed):
        company = listed[row["key"]]
        shared[company.key] = row["id"]
        if comparable_name(company.name) != comparable_name(row["name"]):
            plan.differences.append(
                f'company "{company.key}" is pack "{row["pack_id"]}"\'s: name {company.name!r} there {row["name"]!r}'
            )
    await tx.executemany(
        """
        INSERT INTO companies (key, name, pack_id) VALUES (?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET name = excluded.name
        """,
        [(c.key, c.name, pack.id) for c in pack.companies if c.key not in shared],
    )
    ids = {**await _ids(tx, "companies", pack.id), **shared}
    await _replace_aliases(
        tx,
        "company_aliases",
        "company_id",
        pack.id,
        own=[(ids[c.key], alias) for c in pack.companies if c.key not in shared for alias in c.aliases],
        added=[(ids[c.key], alias) for c in pack.companies if c.key in shared for alias in c.aliases],
    )
    return ids


async def _upsert_people(tx: Transaction, pack: Pack, plan: _Plan) -> dict[str, int]:
    """The id of every person the pack lists, by the pack's key."""
    await tx.executemany(
        """
        INSERT INTO people (key, name, pack_id, source, imdb_id, tmdb_id, wikidata_id) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET
            name = excluded.name, source = excluded.source, imdb_id = excluded.imdb_id,
            tmdb_id = excluded.tmdb_id, wikidata_id = excluded.wikidata_id
        """,
        [
            (stored, p.name, pack.id, _sources(p.source) or None, p.imdb_id, p.tmdb_id, p.wikidata_id)
            for stored, p in plan.own_people
        ],
    )
    plan.stored_people = await _ids(tx, "people", pack.id)
    ids = {person.key: plan.stored_people[stored] for stored, person in plan.own_people}
    ids.update(plan.shared_people)
    await _replace_aliases(
        tx,
        "person_aliases",
        "person_id",
        pack.id,
        own=[(ids[p.key], alias) for _, p in plan.own_people for alias in p.aliases],
        added=[(ids[p.key], alias) for p in pack.people if p.key in plan.shared_people for alias in p.aliases],
    )
    return ids


async def _replace_aliases(
    tx: Transaction,
    table: str,
    owner_column: str,
    pack_id: str,
    *,
    own: Sequence[tuple[int, str]],
    added: Sequence[tuple[int, str]],
) -> None:
    """Replace the pack's alias rows: on its own entries an alias is the pack's even if another pack
    gave it first; on another pack's entries it is added only where missing."""
    await tx.execute(f"DELETE FROM {table} WHERE pack_id = ?", (pack_id,))
    insert = (
        f"INSERT INTO {table} ({owner_column}, alias, pack_id) VALUES (?, ?, ?) ON CONFLICT ({owner_column}, alias)"
    )
    await tx.executemany(f"{insert} DO UPDATE SET pack_id = excluded.pack_id", [(*row, pack_id) for row in own])
    await tx.executemany(f"{insert} DO NOTHING", [(*row, pack_id) for row in added])


async def _delete_vanished(tx: Transaction, table: str, pack_id: str, keep: set[str]) -> None:
    """Delete this pack's rows of ``table`` whose key the pack no longer lists."""
    vanished = [(key,) for key in await _own_keys(tx, table, pack_id) if key not in keep]
    # Film children and a film's questions go with it (ON DELETE CASCADE).
    await tx.executemany(f"DELETE FROM {table} WHERE key = ?", vanished)


async def _record_merges(tx: Transaction, pack: Pack, plan: _Plan) -> None:
    """Remember which of the pack's keys are another pack's film or person, for a hand-over."""
    for table, column, merged in (
        ("film_merges", "film_id", {**plan.merged_films, **plan.adopted_films}),
        ("person_merges", "person_id", {**plan.shared_people, **plan.adopted_people}),
    ):
        await tx.execute(f"DELETE FROM {table} WHERE pack_id = ?", (pack.id,))
        await tx.executemany(
            f"INSERT INTO {table} (pack_id, key, {column}) VALUES (?, ?, ?)",
            [(pack.id, key, target) for key, target in merged.items()],
        )


async def _delete_vanished_films(tx: Transaction, pack: Pack, plan: _Plan) -> None:
    """Delete the pack's films it no longer lists; one another pack merged into is handed over instead."""
    keep = {stored for stored, _ in plan.own_films}
    vanished = {fid for key, fid in (await _ids(tx, "films", pack.id)).items() if key not in keep}
    handed = await _hand_over(tx, "films", "film_merges", "film_id", pack.id, vanished, plan)
    await tx.executemany(
        "UPDATE film_titles SET pack_id = ? WHERE film_id = ? AND pack_id = ?",
        [(heir, film_id, pack.id) for film_id, heir in handed.items()],
    )
    # Film children and a film's questions go with it (ON DELETE CASCADE).
    await tx.executemany("DELETE FROM films WHERE id = ?", [(fid,) for fid in vanished if fid not in handed])


async def _hand_over(
    tx: Transaction, table: str, merges: str, column: str, pack_id: str, vanished: set[int], plan: _Plan
) -> dict[int, str]:
    """Give each of ``vanished`` (ids of ``table`` the pack owns) that another pack merged into to that pack
    (the first by pack id), keeping its key (links to it stay valid); the new owners by id."""
    # `table`, `merges` and `column` are always our literal names, never user input.
    rows = await tx.fetch_all(
        f"""
        SELECT t.id, t.key AS owned_key, m.pack_id, m.key
        FROM {merges} m JOIN {table} t ON t.id = m.{column}
        WHERE t.pack_id = ? AND m.pack_id <> ? ORDER BY t.id, m.pack_id, m.key
        """,
        (pack_id, pack_id),
    )
    heirs: dict[int, Row] = {}
    for row in rows:
        if row["id"] in vanished:
            heirs.setdefault(row["id"], row)
    await tx.executemany(
        f"UPDATE {table} SET pack_id = ? WHERE id = ?", [(h["pack_id"], h["id"]) for h in heirs.values()]
    )
    kind = "film" if table == "films" else "person"
    plan.differences += [
        f'{kind} "{h["owned_key"]}" handed over to pack "{h["pack_id"]}", which lists it as "{h["key"]}"'
        for h in heirs.values()
    ]
    return {entry_id: h["pack_id"] for entry_id, h in heirs.items()}


async def _upsert_films(tx: Transaction, pack: Pack, plan: _Plan, series: Mapping[str, int]) -> dict[str, int]:
    default_series = pack.franchise.key if pack.franchise else None
    await tx.executemany(
        """
        INSERT INTO films (
            key, franchise_id, franchise_order, title, original_title, year, runtime_minutes,
            synopsis, tagline, imdb_id, tmdb_id, wikidata_id, pack_id, source, poster, backdrop
        ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET
            franchise_id = excluded.franchise_id, franchise_order = excluded.franchise_order,
            title = excluded.title, original_title = excluded.original_title, year = excluded.year,
            runtime_minutes = excluded.runtime_minutes, synopsis = excluded.synopsis,
            tagline = excluded.tagline, imdb_id = excluded.imdb_id, tmdb_id = excluded.tmdb_id,
            wikidata_id = excluded.wikidata_id, source = excluded.source, poster = excluded.poster,
            backdrop = excluded.backdrop
        """,
        [
            _film_row(stored, pack.id, film, series.get(film.series or default_series or ""))
            for stored, film in plan.own_films
        ],
    )
    stored_ids = await _ids(tx, "films", pack.id)
    return {film.key: stored_ids[stored] for stored, film in plan.own_films}


def _film_row(stored_key: str, pack_id: str, film: PackFilm, series_id: int | None) -> tuple[Any, ...]:
    return (
        stored_key,
        series_id,
        film.franchise_order,
        film.title,
        film.original_title,
        film.year,
        film.runtime,
        film.synopsis,
        film.tagline,
        film.imdb_id,
        film.tmdb_id,
        film.wikidata_id,
        pack_id,
        _sources(film.source),
        film.poster,
        film.backdrop,
    )


_FILM_CHILD_TABLES = (
    "film_companies",
    "cast_credits",
    "crew_credits",
    "releases",
    "film_milestones",
    "film_genres",
    "film_certifications",
    "film_translations",
)


async def _replace_film_rows(
    tx: Transaction,
    pack: Pack,
    plan: _Plan,
    films: Mapping[str, int],
    people: Mapping[str, int],
    companies: Mapping[str, int],
) -> None:
    """Replace everything hanging off the pack's own films, and its titles of merged films."""
    for table in _FILM_CHILD_TABLES:
        await tx.execute(f"DELETE FROM {table} WHERE film_id IN (SELECT id FROM films WHERE pack_id = ?)", (pack.id,))
    await tx.execute("DELETE FROM film_titles WHERE pack_id = ?", (pack.id,))
    insert_title = (
        "INSERT INTO film_titles (film_id, title, kind, pack_id, language, country) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (film_id, title)"
    )
    await tx.executemany(
        f"{insert_title} DO UPDATE SET kind = excluded.kind, pack_id = excluded.pack_id,"
        " language = excluded.language, country = excluded.country",
        [
            (films[f.key], title.text, title.kind, pack.id, title.language, title.country)
            for _, f in plan.own_films
            for title in _film_titles(f)
        ],
    )
    merged = [f for f in pack.films if f.key in plan.merged_films]
    await tx.executemany(
        f"{insert_title} DO NOTHING",
        [
            (plan.merged_films[f.key], title.text, "alias", pack.id, title.language, title.country)
            for f in merged
            for title in _film_titles(f)
        ],
    )
    own = [(films[f.key], f) for _, f in plan.own_films]
    await tx.executemany(
        "INSERT INTO film_companies (film_id, company_id, role, position) VALUES (?, ?, ?, ?)",
        [
            (film_id, companies[key], role, pos)
            for film_id, f in own
            for role, keys in (("production", f.companies), ("distribution", f.distributors))
            for pos, key in enumerate(keys, start=1)
        ],
    )
    await tx.executemany(
        "INSERT INTO cast_credits (film_id, person_id, character, billing_order, source) VALUES (?, ?, ?, ?, ?)",
        [(film_id, people[c.person], c.character, c.order, _sources(c.source)) for film_id, f in own for c in f.cast],
    )
    await tx.executemany(
        """
        INSERT INTO crew_credits (film_id, person_id, department, job, position, source)
        VALUES (?, ?, ?, ?, ?, ?)
        """,
        [
            (film_id, people[c.person], c.department, c.job, pos, _sources(c.source))
            for film_id, f in own
            for pos, c in enumerate(f.crew, start=1)
        ],
    )
    await _insert_described_rows(tx, own)


async def _insert_described_rows(tx: Transaction, own: Sequence[tuple[int, PackFilm]]) -> None:
    await tx.executemany(
        """
        INSERT INTO releases (film_id, country, release_date, release_type, note, source)
        VALUES (?, ?, ?, ?, ?, ?)
        """,
        [
            (film_id, r.country, r.date.isoformat(), r.type, r.note, _sources(r.source))
            for film_id, f in own
            for r in f.releases
        ],
    )
    await tx.executemany(
        """
        INSERT INTO film_milestones (film_id, position, kind, date_text, description, source)
        VALUES (?, ?, ?, ?, ?, ?)
        """,
        [
            (film_id, pos, m.kind, m.date, m.description, _sources(m.source))
            for film_id, f in own
            for pos, m in enumerate(f.milestones, start=1)
        ],
    )
    await tx.executemany(
        "INSERT INTO film_genres (film_id, position, genre) VALUES (?, ?, ?)",
        [(film_id, pos, genre) for film_id, f in own for pos, genre in enumerate(f.genres, start=1)],
    )
    await tx.executemany(
        "INSERT INTO film_certifications (film_id, country, rating, source) VALUES (?, ?, ?, ?)",
        [(film_id, c.country, c.rating, _sources(c.source)) for film_id, f in own for c in f.certifications],
    )
    await tx.executemany(
        "INSERT INTO film_translations (film_id, language, country, synopsis, source) VALUES (?, ?, ?, ?, ?)",
        [
            (film_id, t.language, t.country or "", t.synopsis, _sources(t.source))
            for film_id, f in own
            for t in f.translations
            if t.synopsis
        ],
    )


class _Title(NamedTuple):
    """One row of film_titles for a film."""

    text: str
    kind: str
    language: str | None = None
    country: str | None = None


def _film_titles(film: PackFilm) -> list[_Title]:
    """Every distinct title string of a film with its kind; the first kind wins. A ``[[film.alias]]``
    title is left out when another title of the film already is it, whatever its case: TMDB gives one
    title for many countries and languages, and the look-up ignores case anyway."""
    titles: dict[str, _Title] = {film.title: _Title(film.title, "title")}
    titles.setdefault(film.original_title, _Title(film.original_title, "original"))
    for alias in film.aliases:
        titles.setdefault(alias, _Title(alias, "alias"))
    folded = {text.casefold() for text in titles}
    for entry in film.alias_entries:
        if entry.title.casefold() not in folded:
            folded.add(entry.title.casefold())
            titles[entry.title] = _Title(entry.title, "alias", entry.language, entry.country)
    # A translation's title is the film's title in that language: looked up like any alias, and shown
    # on the cards of members who read that language.
    for translation in film.translations:
        if translation.title and translation.title.casefold() not in folded:
            folded.add(translation.title.casefold())
            titles[translation.title] = _Title(translation.title, "alias", translation.language, translation.country)
    return list(titles.values())


async def _upsert_trivia(tx: Transaction, pack: Pack, films: Mapping[str, int]) -> None:
    await tx.executemany(
        """
        INSERT INTO trivia_questions (
            key, film_id, question, answers_json, wrong_json, difficulty, category,
            source, fact, spoiler, pack_id, kind, author
        ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET
            film_id = excluded.film_id, question = excluded.question,
            answers_json = excluded.answers_json, wrong_json = excluded.wrong_json,
            difficulty = excluded.difficulty, category = excluded.category,
            source = excluded.source, fact = excluded.fact, spoiler = excluded.spoiler,
            kind = excluded.kind, author = excluded.author
        """,
        [
            (
                q.key,
                films[q.film] if q.film else None,
                q.question,
                _json(q.answers),
                _json(q.wrong),
                q.difficulty,
                q.category,
                _sources(q.source),
                q.fact,
                int(q.spoiler),
                pack.id,
                q.kind,
                q.author,
            )
            for q in pack.trivia
        ],
    )
    await tx.execute(
        "DELETE FROM trivia_translations WHERE question_id IN (SELECT id FROM trivia_questions WHERE pack_id = ?)",
        (pack.id,),
    )
    translated = [q for q in pack.trivia if q.translations]
    if not translated:
        return
    ids = await _ids(tx, "trivia_questions", pack.id)
    await tx.executemany(
        """
        INSERT INTO trivia_translations (question_id, language, country, question, answers_json, wrong_json, fact)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """,
        [
            (ids[q.key], t.language, t.country or "", t.question, _json(t.answers), _json(t.wrong), t.fact)
            for q in translated
            for t in q.translations
        ],
    )


async def _delete_orphans(tx: Transaction, pack: Pack, plan: _Plan) -> None:
    """Drop people, companies and series this pack owned but no longer lists.

    Anything still referenced (a person credited in another pack's film, or given aliases by
    another pack) stays.
    """
    keep_people = {stored for stored, _ in plan.own_people}
    gone = {pid for key, pid in plan.stored_people.items() if key not in keep_people}
    handed = await _hand_over(tx, "people", "person_merges", "person_id", pack.id, gone, plan)
    await tx.executemany(
        """
        DELETE FROM people WHERE id = ?
        AND NOT EXISTS (SELECT 1 FROM cast_credits WHERE person_id = people.id)
        AND NOT EXISTS (SELECT 1 FROM crew_credits WHERE person_id = people.id)
        AND NOT EXISTS (SELECT 1 FROM person_aliases WHERE person_id = people.id AND pack_id <> people.pack_id)
        """,
        [(pid,) for pid in gone if pid not in handed],
    )
    keep_companies = {c.key for c in pack.companies}
    await tx.executemany(
        """
        DELETE FROM companies WHERE id = ?
        AND NOT EXISTS (SELECT 1 FROM film_companies WHERE company_id = companies.id)
        AND NOT EXISTS (
            SELECT 1 FROM company_aliases WHERE company_id = companies.id AND pack_id <> companies.pack_id
        )
        """,
        [(cid,) for key, cid in (await _ids(tx, "companies", pack.id)).items() if key not in keep_companies],
    )
    keep_series = _series_names(pack)
    await tx.executemany(
        """
        DELETE FROM franchises WHERE id = ?
        AND NOT EXISTS (SELECT 1 FROM films WHERE films.franchise_id = franchises.id)
        """,
        [(sid,) for key, sid in (await _ids(tx, "franchises", pack.id)).items() if key not in keep_series],
    )
