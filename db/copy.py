"""Copy Marquee's data from one database to another (a SQLite file into PostgreSQL, or back), then prove
the copy equal.

The copy reads its source and never writes to it. The target is first brought to the source's schema
version by the same numbered migrations, then every table is filled in one transaction on the target, in
foreign-key order, rows keeping their ids; each id sequence is then moved past the highest id the source
ever handed out (so an id is never reused, as the source promised). Verification reads both sides again,
table by table, in primary-key order, and compares the row count and a checksum of the values made plain
the same way on both sides (ints, text, bytes, NULL, a float's repr; a boolean is its int).

Blob caches (``search_indexes``, ``film_cards``, ``trivia_pools``) and ``bot_state`` are copied as they
are, byte for byte: what they were made from is copied with them.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from db.connection import Database, Dialect, Transaction
from db.migrate import LATEST_VERSION, SchemaTooNewError, migrate, schema_version

READ_PAGE_ROWS = 2000
"""Rows read at once from a table, and written at once (one executemany)."""
BLOB_PAGE_ROWS = 20
"""The same for a table with a blob column: a look-up index can be hundreds of megabytes."""
# Tables that are the database's own bookkeeping, not Marquee's data: never copied or compared.
_BOOKKEEPING = frozenset({"schema_version"})
_PLAIN_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    sqlite3.Error,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
)
"""What a database may raise while a copy or a check runs (besides this module's own errors)."""


class CopyRefusedError(Exception):
    """The copy was not started, and nothing was written: one line saying why and what to do."""


class CopyFailedError(Exception):
    """The copy started but could not finish; its transaction on the target was rolled back."""


@dataclass(frozen=True)
class TableShape:
    """One table as a copy sees it on one database: its columns, its key, and how to order by it."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    # Columns whose values are compared as text (ordered by code point on both sides), by name.
    text_columns: frozenset[str]
    blob_columns: frozenset[str]
    # The column whose ids the database hands out, if any (SQLite: AUTOINCREMENT; PostgreSQL: identity).
    numbered: str | None
    references: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class TableSum:
    """A table's row count and the checksum of its rows in key order."""

    rows: int
    checksum: str


@dataclass(frozen=True)
class TableCheck:
    """One table compared on both sides; None for a side that lacks the table (or was not summed, see
    ``problem``)."""

    table: str
    source: TableSum | None
    target: TableSum | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """True when both sides hold the table with the same rows."""
        return self.problem is None and self.source is not None and self.source == self.target

    def describe(self) -> str:
        """One line: the table, its rows, ok or mismatch (and how)."""
        if self.problem is not None:
            return f"{self.table}: mismatch ({self.problem})"
        if self.source is None or self.target is None:
            missing = "source" if self.source is None else "target"
            return f"{self.table}: mismatch (missing in the {missing})"
        if self.ok:
            return f"{self.table}: {_rows(self.source.rows)}, ok"
        if self.source.rows != self.target.rows:
            return f"{self.table}: mismatch ({_rows(self.source.rows)} in the source, {self.target.rows} in the target)"
        return f"{self.table}: {_rows(self.source.rows)}, mismatch (the rows' checksums differ)"


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


@dataclass(frozen=True)
class CopyResult:
    """What :func:`copy_database` wrote: rows per table, in the order copied."""

    schema_version: int
    rows: dict[str, int]
    replaced: bool


def _quoted(name: str) -> str:
    # Names come from the databases' own catalogues; only plain ones (all Marquee's are) are put in SQL.
    if not _PLAIN_NAME.match(name):
        raise CopyRefusedError(f"table or column {name!r} has a name the copy does not handle")
    return f'"{name}"'


# ---- what each database holds ---------------------------------------------------------------------------


async def table_names(db: Database) -> list[str]:
    """Marquee's tables in ``db`` (not the database's own bookkeeping), by name."""
    if db.dialect == "sqlite":
        rows = await db.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            "ORDER BY name"
        )
    else:
        rows = await db.fetch_all(
            "SELECT c.relname FROM pg_class AS c WHERE c.relnamespace = current_schema()::regnamespace "
            "AND c.relkind IN ('r', 'p') ORDER BY c.relname"
        )
    return [str(row[0]) for row in rows if str(row[0]) not in _BOOKKEEPING]


async def table_shape(db: Database, table: str) -> TableShape:
    """How ``table`` looks in ``db`` (see :class:`TableShape`)."""
    if db.dialect == "sqlite":
        return await _sqlite_shape(db, table)
    return await _postgresql_shape(db, table)


async def _sqlite_shape(db: Database, table: str) -> TableShape:
    columns = await db.fetch_all("SELECT name, upper(type), pk FROM pragma_table_info(?) ORDER BY cid", (table,))
    key = tuple(str(row[0]) for row in sorted((row for row in columns if row[2]), key=lambda row: int(row[2])))
    types = {str(row[0]): str(row[1]) for row in columns}
    declared = str(await db.fetch_value("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)))
    numbered = key[0] if len(key) == 1 and types[key[0]] == "INTEGER" and "AUTOINCREMENT" in declared.upper() else None
    references = await db.fetch_all('SELECT DISTINCT "table" FROM pragma_foreign_key_list(?)', (table,))
    return TableShape(
        name=table,
        columns=tuple(types),
        key=key,
        # SQLite compares any text by its BINARY collation unless a column says otherwise; none does.
        text_columns=frozenset(name for name, kind in types.items() if "CHAR" in kind or "TEXT" in kind),
        blob_columns=frozenset(name for name, kind in types.items() if "BLOB" in kind),
        numbered=numbered,
        references=frozenset(str(row[0]) for row in references) - {table},
    )


async def _postgresql_shape(db: Database, table: str) -> TableShape:
    columns = await db.fetch_all(
        "SELECT a.attname, a.attcollation <> 0, a.atttypid = 'bytea'::regtype, a.attidentity IN ('a', 'd') "
        "FROM pg_attribute AS a WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attnum",
        (table,),
    )
    key = await db.fetch_all(
        "SELECT a.attname FROM pg_index AS i "
        "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k (attnum, position) "
        "JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "WHERE i.indrelid = to_regclass(?) AND i.indisprimary ORDER BY k.position",
        (table,),
    )
    references = await db.fetch_all(
        "SELECT DISTINCT c.confrelid::regclass::text FROM pg_constraint AS c "
        "WHERE c.conrelid = to_regclass(?) AND c.contype = 'f'",
        (table,),
    )
    identity = [str(row[0]) for row in columns if row[3]]
    return TableShape(
        name=table,
        columns=tuple(str(row[0]) for row in columns),
        key=tuple(str(row[0]) for row in key),
        text_columns=frozenset(str(row[0]) for row in columns if row[1]),
        blob_columns=frozenset(str(row[0]) for row in columns if row[2]),
        numbered=identity[0] if len(identity) == 1 else None,
        references=frozenset(str(row[0]) for row in references) - {table},
    )


async def shapes(db: Database) -> dict[str, TableShape]:
    """Every Marquee table of ``db``, by name."""
    return {name: await table_shape(db, name) for name in await table_names(db)}


def foreign_key_order(tables: dict[str, TableShape]) -> list[str]:
    """The tables so that each comes after every table it refers to (ties by name)."""
    order: list[str] = []
    placed: set[str] = set()
    waiting = sorted(tables)
    while waiting:
        ready = [name for name in waiting if tables[name].references & tables.keys() <= placed]
        if not ready:
            raise CopyRefusedError(f"the tables' foreign keys form a cycle among {', '.join(waiting)}")
        order += ready
        placed.update(ready)
        waiting = [name for name in waiting if name not in placed]
    return order


async def first_rows(db: Database, tables: Sequence[str]) -> dict[str, bool]:
    """For each table, whether it holds any row."""
    return {table: await db.fetch_one(f"SELECT 1 FROM {_quoted(table)} LIMIT 1") is not None for table in tables}


async def row_count(db: Database, table: str) -> int:
    """How many rows ``table`` holds."""
    return int(await db.fetch_value(f"SELECT count(*) FROM {_quoted(table)}"))


# ---- reading in key order ---------------------------------------------------------------------------------


def _key_expression(dialect: Dialect, shape: TableShape, column: str) -> str:
    """``column`` as the key order compares it: text by code point on both sides (SQLite's BINARY is
    PostgreSQL's "C"; a PostgreSQL column may have the server's own collation)."""
    if column not in shape.text_columns:
        return _quoted(column)
    collation = "BINARY" if dialect == "sqlite" else '"C"'
    return f"{_quoted(column)} COLLATE {collation}"


async def ordered_pages(
    db: Database, shape: TableShape, columns: Sequence[str], page_rows: int | None = None
) -> AsyncIterator[list[tuple[Any, ...]]]:
    """``columns`` of every row of the table, in key order, a page at a time (each page read on its own:
    keep the source still while copying, or the verification will say it changed)."""
    rows_at_once = page_rows or (BLOB_PAGE_ROWS if shape.blob_columns else READ_PAGE_ROWS)
    selected = ", ".join(_quoted(column) for column in columns)
    table = _quoted(shape.name)
    if not shape.key:
        # No key to go on from: the whole table at once, ordered by every column.
        order = ", ".join(_key_expression(db.dialect, shape, column) for column in columns)
        rows = await db.fetch_all(f"SELECT {selected} FROM {table} ORDER BY {order}")
        if rows:
            yield [tuple(row) for row in rows]
        return
    keys = [_key_expression(db.dialect, shape, column) for column in shape.key]
    order = ", ".join(keys)
    key_at = [list(columns).index(column) for column in shape.key]
    first = f"SELECT {selected} FROM {table} ORDER BY {order} LIMIT ?"
    after = (
        f"SELECT {selected} FROM {table} WHERE ({order}) > ({', '.join('?' for _ in keys)}) ORDER BY {order} LIMIT ?"
    )
    last: tuple[Any, ...] | None = None
    while True:
        if last is None:
            rows = await db.fetch_all(first, (rows_at_once,))
        else:
            rows = await db.fetch_all(after, (*(last[i] for i in key_at), rows_at_once))
        if not rows:
            return
        page = [tuple(row) for row in rows]
        yield page
        if len(page) < rows_at_once:
            return
        last = page[-1]


def _plain(value: Any) -> bytes:
    """One value, made the same whichever database gave it, as unambiguous bytes."""
    if value is None:
        return b"N;"
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        return b"I%d;" % value
    if isinstance(value, float):
        return b"F" + repr(value).encode() + b";"
    if isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
        return b"S%d:" % len(data) + data
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        return b"B%d:" % len(data) + data
    raise CopyFailedError(f"a value of type {type(value).__name__} cannot be compared")


async def table_sum(db: Database, shape: TableShape, columns: Sequence[str]) -> TableSum:
    """The row count and the SHA-256 of ``columns`` of every row in key order."""
    digest = hashlib.sha256()
    walked = 0
    async for page in ordered_pages(db, shape, columns):
        for row in page:
            digest.update(b"".join(_plain(value) for value in row) + b"\n")
        walked += len(page)
    counted = await row_count(db, shape.name)
    if counted != walked:
        # Rows the key order cannot reach (a NULL in a key column) differ from any copy of them.
        digest.update(b"unreachable rows: %d\n" % (counted - walked))
    return TableSum(rows=counted, checksum=digest.hexdigest())


# ---- the copy ---------------------------------------------------------------------------------------------


async def _ready_source(source: Database) -> int:
    version = await schema_version(source)
    latest = LATEST_VERSION
    if version > latest:
        raise SchemaTooNewError(version, latest)
    if version == 0:
        raise CopyRefusedError(f"database {source.description} holds no Marquee data to copy")
    if version < latest:
        raise CopyRefusedError(
            f"database {source.description} is at schema version {version} of {latest}: run `marquee db migrate` "
            "on it first (the copy never writes to its source)"
        )
    return version


async def _check_target(target: Database, *, replace: bool) -> None:
    version = await schema_version(target)
    if version > LATEST_VERSION:
        raise SchemaTooNewError(version, LATEST_VERSION)
    if replace:
        return
    held = [table for table, any_row in (await first_rows(target, await table_names(target))).items() if any_row]
    if held:
        shown = ", ".join(held[:5]) + (f" and {len(held) - 5} more" if len(held) > 5 else "")
        raise CopyRefusedError(
            f"database {target.description} already holds Marquee data (rows in {shown}); add --replace to overwrite it"
        )


def _same_shapes(source: dict[str, TableShape], target: dict[str, TableShape]) -> None:
    if source.keys() != target.keys():
        only = sorted(source.keys() ^ target.keys())
        raise CopyRefusedError(f"the two databases' tables differ after migrating: {', '.join(only)}")
    for name, shape in source.items():
        other = target[name]
        if set(shape.columns) != set(other.columns) or shape.key != other.key:
            raise CopyRefusedError(f"table {name} differs between the two databases (columns or primary key)")


async def copy_database(source: Database, target: Database, *, replace: bool = False) -> CopyResult:
    """Copy every Marquee table of ``source`` into ``target``; see the module's docstring.

    Raises :class:`CopyRefusedError` (nothing written: the source is not at the latest schema version, the
    target holds data and ``replace`` is False, the schemas differ), :class:`SchemaTooNewError`, or
    :class:`CopyFailedError` (the target's transaction rolled back)."""
    version = await _ready_source(source)
    await _check_target(target, replace=replace)
    await migrate(target)
    source_shapes, target_shapes = await shapes(source), await shapes(target)
    _same_shapes(source_shapes, target_shapes)
    order = foreign_key_order(target_shapes)
    marks = {name: await _high_water(source, shape) for name, shape in source_shapes.items() if shape.numbered}
    rows: dict[str, int] = {}
    async with target.transaction() as tx:
        await _empty(tx, order)
        for name in order:
            rows[name] = await _copy_table(source, tx, source_shapes[name])
        for name in order:
            await _move_numbering(tx, target_shapes[name], marks.get(name))
    return CopyResult(schema_version=version, rows=rows, replaced=replace)


async def _empty(tx: Transaction, order: Sequence[str]) -> None:
    """Delete every row of the target's tables (none, unless replacing; or a migration's own rows)."""
    if tx.dialect == "postgresql":
        await tx.execute(f"TRUNCATE {', '.join(_quoted(name) for name in order)}")
        return
    for name in reversed(order):
        await tx.execute(f"DELETE FROM {_quoted(name)}")


async def _copy_table(source: Database, tx: Transaction, shape: TableShape) -> int:
    columns = shape.columns
    insert = (
        f"INSERT INTO {_quoted(shape.name)} ({', '.join(_quoted(column) for column in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    copied = 0
    try:
        async for page in ordered_pages(source, shape, columns):
            await tx.executemany(insert, page)
            copied += len(page)
    except DATABASE_ERRORS as error:
        raise CopyFailedError(f"copying table {shape.name} failed after {copied} rows: {_one_line(error)}") from error
    return copied


async def _high_water(source: Database, shape: TableShape) -> int | None:
    """The highest id the source ever handed out for ``shape`` (deleted rows' ids count), if it keeps one."""
    if source.dialect == "sqlite":
        if await source.fetch_value("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'") is None:
            return None
        value = await source.fetch_value("SELECT seq FROM sqlite_sequence WHERE name = ?", (shape.name,))
    else:
        value = await source.fetch_value(
            "SELECT pg_sequence_last_value(pg_get_serial_sequence(?, ?)::regclass)", (shape.name, shape.numbered)
        )
    return None if value is None else int(value)


async def _move_numbering(tx: Transaction, shape: TableShape, source_mark: int | None) -> None:
    """Aim the target's next id past both the highest id copied and the source's own mark."""
    if shape.numbered is None:
        return
    highest = await tx.fetch_value(f"SELECT max({_quoted(shape.numbered)}) FROM {_quoted(shape.name)}")
    mark = max(int(highest or 0), source_mark or 0)
    if tx.dialect == "postgresql":
        # setval(seq, n, true): the next id is n + 1; setval(seq, 1, false): the next id is 1.
        await tx.fetch_value(
            "SELECT setval(pg_get_serial_sequence(?, ?), ?, ?)",
            (shape.name, shape.numbered, max(mark, 1), mark > 0),
        )
        return
    await tx.execute("DELETE FROM sqlite_sequence WHERE name = ?", (shape.name,))
    if mark > 0:
        await tx.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (shape.name, mark))


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


# ---- verification -----------------------------------------------------------------------------------------


async def verify_copy(
    source: Database, target: Database, *, progress: Callable[[TableCheck], None] | None = None
) -> list[TableCheck]:
    """Compare every table of ``source`` with ``target`` (see :class:`TableCheck`), in name order, calling
    ``progress`` with each as it is done. Writes nothing."""
    source_shapes, target_shapes = await shapes(source), await shapes(target)
    checks: list[TableCheck] = []
    for name in sorted(source_shapes.keys() | target_shapes.keys()):
        mine, theirs = source_shapes.get(name), target_shapes.get(name)
        if mine is None or theirs is None:
            check = TableCheck(name, None if mine is None else TableSum(await row_count(source, name), ""), None)
            if theirs is not None:
                check = TableCheck(name, None, TableSum(await row_count(target, name), ""))
        elif set(mine.columns) != set(theirs.columns) or mine.key != theirs.key:
            check = TableCheck(name, None, None, problem="its columns or primary key differ")
        else:
            check = TableCheck(
                name, await table_sum(source, mine, mine.columns), await table_sum(target, theirs, mine.columns)
            )
        checks.append(check)
        if progress is not None:
            progress(check)
    return checks
