"""Write a validated :class:`~db.packs.model.Pack` into the catalogue tables.

Loading is one transaction and idempotent. Entities with a key (films, people,
companies, franchises, trivia) are upserted by key so their integer ids never
change between loads; rows that belong to a film (titles, credits, releases,
milestones, companies) are replaced wholesale; entities this pack owned but no
longer lists are deleted, except people and companies still credited elsewhere.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from db.connection import Database, Transaction
from db.packs.model import Pack, PackFilm


@dataclass(frozen=True)
class LoadReport:
    """How much one :func:`load_pack` call wrote."""

    pack_id: str
    films: int
    people: int
    companies: int
    credits: int
    releases: int
    questions: int


class PackConflictError(ValueError):
    """The pack claims films or questions that another loaded pack owns."""


def _sources(keys: Iterable[str]) -> str:
    return "; ".join(keys)


def _json(values: Iterable[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


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
    database untouched, if another pack already owns one of its film or trivia keys.
    """
    stamp = (loaded_at or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    async with db.transaction() as tx:
        await _check_ownership(tx, pack)
        await _upsert_pack_row(tx, pack, str(source_path or pack.path), stamp)
        series = await _upsert_series(tx, pack)
        companies = await _upsert_companies(tx, pack)
        people = await _upsert_people(tx, pack)
        await _delete_vanished(tx, "trivia_questions", pack.id, {q.key for q in pack.trivia})
        await _delete_vanished(tx, "films", pack.id, {f.key for f in pack.films})
        films: dict[str, int] = {}
        for film in pack.films:
            films[film.key] = await _upsert_film(tx, pack, film, series.get(film.series or ""))
            await _replace_film_rows(tx, films[film.key], film, people, companies)
        await _upsert_trivia(tx, pack, films)
        await _delete_orphans(tx, pack)
    return LoadReport(
        pack_id=pack.id,
        films=len(pack.films),
        people=len(pack.people),
        companies=len(pack.companies),
        credits=pack.credit_count,
        releases=pack.release_count,
        questions=len(pack.trivia),
    )


async def _check_ownership(tx: Transaction, pack: Pack) -> None:
    """Refuse to take over films or questions owned by another pack."""
    clashes: list[str] = []
    queries = (
        ("film", "SELECT key, pack_id FROM films WHERE pack_id <> ?", {f.key for f in pack.films}),
        (
            "trivia",
            "SELECT key, pack_id FROM trivia_questions WHERE pack_id <> ?",
            {q.key for q in pack.trivia},
        ),
    )
    for kind, sql, ours in queries:
        for row in await tx.fetch_all(sql, (pack.id,)):
            if row["key"] in ours:
                clashes.append(f'{kind} "{row["key"]}" belongs to pack "{row["pack_id"]}"')
    if clashes:
        raise PackConflictError(f'cannot load pack "{pack.id}": ' + "; ".join(clashes))


async def _upsert_pack_row(tx: Transaction, pack: Pack, source_path: str, stamp: str) -> None:
    await tx.execute(
        """
        INSERT INTO packs (id, name, version, description, source_path, checksum, loaded_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET
            name = excluded.name, version = excluded.version, description = excluded.description,
            source_path = excluded.source_path, checksum = excluded.checksum, loaded_at = excluded.loaded_at
        """,
        (pack.id, pack.name, pack.version, pack.description, source_path, pack.checksum, stamp),
    )
    await tx.execute("DELETE FROM sources WHERE pack_id = ?", (pack.id,))
    await tx.executemany(
        "INSERT INTO sources (pack_id, key, ref, description) VALUES (?, ?, ?, ?)",
        [(pack.id, s.key, s.ref, s.description) for s in pack.sources],
    )


async def _id_for(tx: Transaction, table: str, key: str) -> int:
    # `table` is always one of our literal table names, never user input.
    value = await tx.fetch_value(f"SELECT id FROM {table} WHERE key = ?", (key,))
    return int(value)


def _series_of(pack: Pack) -> dict[str, str]:
    """Name by key of every series of the pack, its ``[franchise]`` included."""
    names = {series.key: series.name for series in pack.series}
    if pack.franchise is not None:
        names[pack.franchise.key] = pack.franchise.name
    return names


async def _upsert_series(tx: Transaction, pack: Pack) -> dict[str, int]:
    """Every series of the pack (the franchise included) as a franchises row; ids by key."""
    ids: dict[str, int] = {}
    for key, name in _series_of(pack).items():
        await tx.execute(
            """
            INSERT INTO franchises (key, name, pack_id) VALUES (?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET name = excluded.name, pack_id = excluded.pack_id
            """,
            (key, name, pack.id),
        )
        ids[key] = await _id_for(tx, "franchises", key)
    return ids


async def _upsert_companies(tx: Transaction, pack: Pack) -> dict[str, int]:
    ids: dict[str, int] = {}
    for company in pack.companies:
        await tx.execute(
            """
            INSERT INTO companies (key, name, pack_id) VALUES (?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET name = excluded.name, pack_id = excluded.pack_id
            """,
            (company.key, company.name, pack.id),
        )
        company_id = ids[company.key] = await _id_for(tx, "companies", company.key)
        await tx.execute("DELETE FROM company_aliases WHERE company_id = ?", (company_id,))
        await tx.executemany(
            "INSERT INTO company_aliases (company_id, alias) VALUES (?, ?)",
            [(company_id, alias) for alias in company.aliases],
        )
    return ids


async def _upsert_people(tx: Transaction, pack: Pack) -> dict[str, int]:
    ids: dict[str, int] = {}
    for person in pack.people:
        await tx.execute(
            """
            INSERT INTO people (key, name, pack_id, source, imdb_id, tmdb_id, wikidata_id)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET
                name = excluded.name, pack_id = excluded.pack_id, source = excluded.source,
                imdb_id = excluded.imdb_id, tmdb_id = excluded.tmdb_id, wikidata_id = excluded.wikidata_id
            """,
            (
                person.key,
                person.name,
                pack.id,
                _sources(person.source) or None,
                person.imdb_id,
                person.tmdb_id,
                person.wikidata_id,
            ),
        )
        person_id = ids[person.key] = await _id_for(tx, "people", person.key)
        await tx.execute("DELETE FROM person_aliases WHERE person_id = ?", (person_id,))
        await tx.executemany(
            "INSERT INTO person_aliases (person_id, alias) VALUES (?, ?)",
            [(person_id, alias) for alias in person.aliases],
        )
    return ids


async def _delete_vanished(tx: Transaction, table: str, pack_id: str, keep: set[str]) -> None:
    """Delete this pack's rows of ``table`` whose key the pack no longer lists."""
    rows = await tx.fetch_all(f"SELECT key FROM {table} WHERE pack_id = ?", (pack_id,))
    for row in rows:
        if row["key"] not in keep:
            # Film children and a film's questions go with it (ON DELETE CASCADE).
            await tx.execute(f"DELETE FROM {table} WHERE key = ?", (row["key"],))


async def _upsert_film(tx: Transaction, pack: Pack, film: PackFilm, franchise_id: int | None) -> int:
    await tx.execute(
        """
        INSERT INTO films (
            key, franchise_id, franchise_order, title, original_title, year, runtime_minutes,
            synopsis, tagline, imdb_id, tmdb_id, pack_id, source, wikidata_id
        ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET
            franchise_id = excluded.franchise_id, franchise_order = excluded.franchise_order,
            title = excluded.title, original_title = excluded.original_title, year = excluded.year,
            runtime_minutes = excluded.runtime_minutes, synopsis = excluded.synopsis,
            tagline = excluded.tagline, imdb_id = excluded.imdb_id, tmdb_id = excluded.tmdb_id,
            pack_id = excluded.pack_id, source = excluded.source, wikidata_id = excluded.wikidata_id
        """,
        (
            film.key,
            franchise_id,
            film.franchise_order,
            film.title,
            film.original_title,
            film.year,
            film.runtime,
            film.synopsis,
            film.tagline,
            film.imdb_id,
            film.tmdb_id,
            pack.id,
            _sources(film.source),
            film.wikidata_id,
        ),
    )
    return await _id_for(tx, "films", film.key)


_FILM_CHILD_TABLES = (
    "film_titles",
    "film_companies",
    "cast_credits",
    "crew_credits",
    "releases",
    "film_milestones",
    "film_genres",
    "film_certifications",
)


async def _replace_film_rows(
    tx: Transaction,
    film_id: int,
    film: PackFilm,
    people: Mapping[str, int],
    companies: Mapping[str, int],
) -> None:
    """Replace everything hanging off one film with what the pack says now."""
    for table in _FILM_CHILD_TABLES:
        await tx.execute(f"DELETE FROM {table} WHERE film_id = ?", (film_id,))
    await tx.executemany(
        "INSERT INTO film_titles (film_id, title, kind) VALUES (?, ?, ?)",
        [(film_id, title, kind) for title, kind in _film_titles(film).items()],
    )
    await tx.executemany(
        "INSERT INTO film_companies (film_id, company_id, position) VALUES (?, ?, ?)",
        [(film_id, companies[key], pos) for pos, key in enumerate(film.companies, start=1)],
    )
    await tx.executemany(
        """
        INSERT INTO cast_credits (film_id, person_id, character, billing_order, source)
        VALUES (?, ?, ?, ?, ?)
        """,
        [(film_id, people[c.person], c.character, c.order, _sources(c.source)) for c in film.cast],
    )
    await tx.executemany(
        """
        INSERT INTO crew_credits (film_id, person_id, department, job, position, source)
        VALUES (?, ?, ?, ?, ?, ?)
        """,
        [
            (film_id, people[c.person], c.department, c.job, pos, _sources(c.source))
            for pos, c in enumerate(film.crew, start=1)
        ],
    )
    await _insert_dated_rows(tx, film_id, film)
    await _insert_catalogue_facts(tx, film_id, film, companies)


async def _insert_catalogue_facts(tx: Transaction, film_id: int, film: PackFilm, companies: Mapping[str, int]) -> None:
    """Genres (in the pack's order), certifications by country, and distributors as companies in the
    'distribution' role (production companies keep the default role)."""
    await tx.executemany(
        "INSERT INTO film_genres (film_id, position, genre) VALUES (?, ?, ?)",
        [(film_id, pos, genre) for pos, genre in enumerate(film.genres, start=1)],
    )
    await tx.executemany(
        "INSERT INTO film_certifications (film_id, country, rating, source) VALUES (?, ?, ?, ?)",
        [(film_id, c.country, c.rating, _sources(c.source)) for c in film.certifications],
    )
    await tx.executemany(
        "INSERT INTO film_companies (film_id, company_id, role, position) VALUES (?, ?, 'distribution', ?)",
        [(film_id, companies[key], pos) for pos, key in enumerate(film.distributors, start=1)],
    )


async def _insert_dated_rows(tx: Transaction, film_id: int, film: PackFilm) -> None:
    await tx.executemany(
        """
        INSERT INTO releases (film_id, country, release_date, release_type, note, source)
        VALUES (?, ?, ?, ?, ?, ?)
        """,
        [(film_id, r.country, r.date.isoformat(), r.type, r.note, _sources(r.source)) for r in film.releases],
    )
    await tx.executemany(
        """
        INSERT INTO film_milestones (film_id, position, kind, date_text, description, source)
        VALUES (?, ?, ?, ?, ?, ?)
        """,
        [
            (film_id, pos, m.kind, m.date, m.description, _sources(m.source))
            for pos, m in enumerate(film.milestones, start=1)
        ],
    )


def _film_titles(film: PackFilm) -> dict[str, str]:
    """Every distinct title string of a film with its kind; the first kind wins."""
    titles: dict[str, str] = {film.title: "title"}
    titles.setdefault(film.original_title, "original")
    for alias in film.aliases:
        titles.setdefault(alias, "alias")
    return titles


async def _upsert_trivia(tx: Transaction, pack: Pack, films: Mapping[str, int]) -> None:
    for q in pack.trivia:
        await tx.execute(
            """
            INSERT INTO trivia_questions (
                key, film_id, question, answers_json, wrong_json, difficulty, category,
                source, fact, spoiler, pack_id
            ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET
                film_id = excluded.film_id, question = excluded.question,
                answers_json = excluded.answers_json, wrong_json = excluded.wrong_json,
                difficulty = excluded.difficulty, category = excluded.category,
                source = excluded.source, fact = excluded.fact, spoiler = excluded.spoiler,
                pack_id = excluded.pack_id
            """,
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
            ),
        )


async def _delete_orphans(tx: Transaction, pack: Pack) -> None:
    """Drop people, companies and franchises this pack owned but no longer lists.

    Anything still referenced (say, a person credited in another pack's film) stays.
    """
    await _delete_orphan_people(tx, pack)
    await _delete_orphan_companies(tx, pack)
    keep = _series_of(pack)
    for row in await tx.fetch_all("SELECT key FROM franchises WHERE pack_id = ?", (pack.id,)):
        if row["key"] not in keep:
            await tx.execute(
                """
                DELETE FROM franchises WHERE key = ?
                AND NOT EXISTS (SELECT 1 FROM films WHERE films.franchise_id = franchises.id)
                """,
                (row["key"],),
            )


async def _delete_orphan_people(tx: Transaction, pack: Pack) -> None:
    keep = {p.key for p in pack.people}
    for row in await tx.fetch_all("SELECT id, key FROM people WHERE pack_id = ?", (pack.id,)):
        if row["key"] not in keep:
            await tx.execute(
                """
                DELETE FROM people WHERE id = ?
                AND NOT EXISTS (SELECT 1 FROM cast_credits WHERE person_id = ?)
                AND NOT EXISTS (SELECT 1 FROM crew_credits WHERE person_id = ?)
                """,
                (row["id"], row["id"], row["id"]),
            )


async def _delete_orphan_companies(tx: Transaction, pack: Pack) -> None:
    keep = {c.key for c in pack.companies}
    for row in await tx.fetch_all("SELECT id, key FROM companies WHERE pack_id = ?", (pack.id,)):
        if row["key"] not in keep:
            await tx.execute(
                """
                DELETE FROM companies WHERE id = ?
                AND NOT EXISTS (SELECT 1 FROM film_companies WHERE company_id = ?)
                """,
                (row["id"], row["id"]),
            )
