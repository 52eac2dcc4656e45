"""Schema migrations: numbered SQL files in ``db/migrations`` applied in order.

The schema version lives in SQLite's ``PRAGMA user_version`` (0 for a new file).
Migration ``NNNN_name.sql`` brings the schema from version N-1 to N; each file runs
in one transaction together with the ``user_version`` bump, so a crash leaves the
database at a whole version, never between two.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from importlib import resources

from db.connection import Database, Transaction

_MIGRATIONS_PACKAGE = "db.migrations"
_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(RuntimeError):
    """The migration files or the database's version are inconsistent."""


class SchemaTooNewError(MigrationError):
    """The database was written by a newer Marquee than this one."""

    def __init__(self, found: int, latest: int) -> None:
        self.found = found
        self.latest = latest
        super().__init__(
            f"database schema version {found} is newer than this Marquee "
            f"(knows up to {latest}); upgrade Marquee or restore a backup"
        )


@dataclass(frozen=True)
class Migration:
    """One migration file: applying it moves the schema to ``version``."""

    version: int
    name: str
    sql: str


@dataclass(frozen=True)
class MigrationResult:
    """What :func:`migrate` did: versions before and after, and files applied."""

    from_version: int
    to_version: int
    applied: list[str] = field(default_factory=list)


def load_migrations() -> tuple[Migration, ...]:
    """Read the migration files shipped as package data, ordered by version."""
    found: list[Migration] = []
    for entry in resources.files(_MIGRATIONS_PACKAGE).iterdir():
        match = _FILE_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"migration files must be numbered 0001, 0002, ... without gaps; got {versions}")
    return tuple(found)


LATEST_VERSION: int = len(load_migrations())


def split_statements(script: str) -> list[str]:
    """Split a SQL script into statements.

    Cutting at every ``;`` would break on semicolons inside string literals,
    comments or trigger bodies; sqlite3.complete_statement knows SQLite's tokenizer,
    so a piece is only emitted once it forms a complete statement.
    """
    statements: list[str] = []
    pending = ""
    *pieces, tail = script.split(";")
    for piece in pieces:
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if _has_code(pending):
                statements.append(pending.strip())
            pending = ""
    pending += tail
    if _has_code(pending):
        raise MigrationError(f"incomplete SQL statement at end of script: {pending.strip()[:80]!r}")
    return statements


def _has_code(sql: str) -> bool:
    """True when ``sql`` holds more than whitespace, ``--`` comments and semicolons."""
    lines = (line.split("--", 1)[0] for line in sql.splitlines())
    return any(line.strip(" \t;") for line in lines)


async def schema_version(db: Database) -> int:
    """The schema version recorded in the database file (0 for a new file)."""
    # PRAGMA user_version is SQLite's; a PostgreSQL port would keep it in a table.
    return int(await db.fetch_value("PRAGMA user_version"))


async def migrate(db: Database, target: int | None = None) -> MigrationResult:
    """Apply pending migrations up to ``target`` (default: the latest).

    Raises SchemaTooNewError when the file is newer than this code, and
    MigrationError for a downgrade request. Safe to run concurrently from several
    processes: each step re-reads the version inside its write transaction.
    """
    migrations = load_migrations()
    goal = len(migrations) if target is None else target
    start = await schema_version(db)
    if start > len(migrations):
        raise SchemaTooNewError(start, len(migrations))
    if not 0 <= goal <= len(migrations):
        raise MigrationError(f"target version {goal} is outside 0..{len(migrations)}")
    if goal < start:
        raise MigrationError(f"cannot downgrade the schema from version {start} to {goal}")
    applied: list[str] = []
    for migration in migrations[start:goal]:
        async with db.transaction() as tx:
            if await _apply(tx, migration):
                applied.append(migration.name)
    return MigrationResult(from_version=start, to_version=await schema_version(db), applied=applied)


async def _apply(tx: Transaction, migration: Migration) -> bool:
    """Apply one migration inside ``tx`` unless another process already did."""
    current = int(await tx.fetch_value("PRAGMA user_version"))
    if current >= migration.version:
        return False
    if current != migration.version - 1:
        raise MigrationError(f"database is at version {current}; cannot apply {migration.name}")
    for statement in split_statements(migration.sql):
        await tx.execute(statement)
    # PRAGMA takes no bound parameters; the value is an int from our own file name.
    await tx.execute(f"PRAGMA user_version = {int(migration.version)}")
    return True
