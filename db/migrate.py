"""Schema migrations: numbered SQL files in ``db/migrations`` applied in order, on either backend.

The schema version lives in SQLite's ``PRAGMA user_version`` (0 for a new file), and in PostgreSQL in
the one-row table ``schema_version`` (no table: 0). Migration ``NNNN_name.sql`` brings the schema from
version N-1 to N; each file runs in one transaction together with the version bump, so a crash leaves
the database at a whole version, never between two.

The files are written in SQLite's SQL. PostgreSQL runs each through :func:`postgresql_ddl`, a small
translation of the column types where the two differ, unless the migration has a file of its own for
it, ``NNNN_name.postgresql.sql`` (for one that rebuilds tables the SQLite way).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field, replace
from importlib import resources

from db.connection import Database, Dialect, Transaction

_MIGRATIONS_PACKAGE = "db.migrations"
_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_POSTGRESQL_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.postgresql\.sql$")
# Any constant: the key of the advisory lock under which PostgreSQL migrations run one process at a time.
_MIGRATION_LOCK_KEY = 0x4D41525155454531


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
    # The migration's own PostgreSQL file, if it has one; None: PostgreSQL runs `postgresql_ddl(sql)`.
    postgresql_sql: str | None = None

    def sql_for(self, dialect: Dialect) -> str:
        """The script to run on a database of ``dialect``."""
        if dialect == "sqlite":
            return self.sql
        return self.postgresql_sql if self.postgresql_sql is not None else postgresql_ddl(self.sql)


@dataclass(frozen=True)
class MigrationResult:
    """What :func:`migrate` did: versions before and after, and files applied."""

    from_version: int
    to_version: int
    applied: list[str] = field(default_factory=list)


def load_migrations() -> tuple[Migration, ...]:
    """Read the migration files shipped as package data, ordered by version."""
    found: list[Migration] = []
    postgresql: dict[str, str] = {}
    for entry in resources.files(_MIGRATIONS_PACKAGE).iterdir():
        if _POSTGRESQL_FILE_NAME.match(entry.name):
            postgresql[entry.name.removesuffix(".postgresql.sql") + ".sql"] = entry.read_text(encoding="utf-8")
            continue
        match = _FILE_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"migration files must be numbered 0001, 0002, ... without gaps; got {versions}")
    names = {m.name for m in found}
    if stray := sorted(set(postgresql) - names):
        raise MigrationError(f"PostgreSQL migration files without their SQLite file: {stray}")
    return tuple(replace(m, postgresql_sql=postgresql.get(m.name)) for m in found)


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


# The translation from the migrations' SQLite SQL to PostgreSQL's, in order. Discord ids are 64-bit, and
# SQLite's INTEGER holds 64 bits, so every INTEGER is BIGINT; an INTEGER PRIMARY KEY column is one the
# database numbers (SQLite's rowid), which PostgreSQL does with an identity column, whose sequence never
# hands out an id twice (what AUTOINCREMENT gives SQLite); BLOB is BYTEA. A TEXT column compares and sorts
# by code point as SQLite's does (its BINARY collation), whatever the server's default collation.
_POSTGRESQL_TYPES = (
    (
        re.compile(r"\bINTEGER\s+PRIMARY\s+KEY(\s+AUTOINCREMENT)?\b", re.IGNORECASE),
        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    ),
    (re.compile(r"\bINTEGER\b", re.IGNORECASE), "BIGINT"),
    (re.compile(r"\bBLOB\b", re.IGNORECASE), "BYTEA"),
    (re.compile(r"\bTEXT\b"), 'TEXT COLLATE "C"'),
)
_PRAGMA = re.compile(r"^\s*PRAGMA\b", re.IGNORECASE)


def postgresql_ddl(script: str) -> str:
    """A migration script in SQLite's SQL made PostgreSQL's: INTEGER PRIMARY KEY [AUTOINCREMENT] becomes
    ``BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY``, every other INTEGER ``BIGINT``, BLOB ``BYTEA``,
    TEXT ``TEXT COLLATE "C"``, and PRAGMA statements (SQLite's settings) are left out. Comments and string literals are
    translated too; the migrations write no type name inside either that must stay."""
    statements = [statement for statement in split_statements(script) if not _PRAGMA.match(_code_of(statement))]
    translated = "\n".join(statements)
    for pattern, replacement in _POSTGRESQL_TYPES:
        translated = pattern.sub(replacement, translated)
    return translated


def _code_of(statement: str) -> str:
    """``statement`` without its leading ``--`` comment lines."""
    lines = statement.splitlines()
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("--")):
        lines.pop(0)
    return "\n".join(lines)


def _has_code(sql: str) -> bool:
    """True when ``sql`` holds more than whitespace, ``--`` comments and semicolons."""
    lines = (line.split("--", 1)[0] for line in sql.splitlines())
    return any(line.strip(" \t;") for line in lines)


async def schema_version(db: Database) -> int:
    """The schema version recorded in the database (0 for a new one)."""
    if db.dialect == "sqlite":
        return int(await db.fetch_value("PRAGMA user_version"))
    # to_regclass looks the table up on the search_path, as every statement does; NULL when it is missing.
    if await db.fetch_value("SELECT to_regclass('schema_version') IS NOT NULL") is not True:
        return 0
    return int(await db.fetch_value("SELECT coalesce(max(version), 0) FROM schema_version"))


async def migrate(db: Database, target: int | None = None) -> MigrationResult:
    """Apply pending migrations up to ``target`` (default: the latest).

    Raises SchemaTooNewError when the database is newer than this code, and
    MigrationError for a downgrade request. Safe to run concurrently from several
    processes: each step re-reads the version inside its write transaction (on
    PostgreSQL, holding an advisory lock that makes the other processes wait).
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
            if await _apply(tx, migration, db.dialect):
                applied.append(migration.name)
    return MigrationResult(from_version=start, to_version=await schema_version(db), applied=applied)


async def _apply(tx: Transaction, migration: Migration, dialect: Dialect) -> bool:
    """Apply one migration inside ``tx`` unless another process already did."""
    if dialect == "sqlite":
        current = int(await tx.fetch_value("PRAGMA user_version"))
    else:
        # Released at the transaction's end; another process migrating waits here, then sees the new version.
        await tx.fetch_value("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK_KEY,))
        await tx.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
        current = int(await tx.fetch_value("SELECT coalesce(max(version), 0) FROM schema_version"))
    if current >= migration.version:
        return False
    if current != migration.version - 1:
        raise MigrationError(f"database is at version {current}; cannot apply {migration.name}")
    for statement in split_statements(migration.sql_for(dialect)):
        await tx.execute(statement)
    if dialect == "sqlite":
        # PRAGMA takes no bound parameters; the value is an int from our own file name.
        await tx.execute(f"PRAGMA user_version = {int(migration.version)}")
    else:
        await tx.execute("DELETE FROM schema_version")
        await tx.execute("INSERT INTO schema_version (version) VALUES (?)", (migration.version,))
    return True
