"""A PostgreSQL database behind the same facade as the SQLite file (`db.connection.Database`), over an
asyncpg pool.

The repositories write one SQL for both backends, with ``?`` placeholders; this module numbers them
(``$1``, ``$2``...) for PostgreSQL. Where the SQL must differ, a repository asks ``database.dialect``.

Writes are serialised within the process as they are for SQLite (one transaction at a time, and a task
may not use the database beside its own open transaction); PostgreSQL keeps the transactions of several
processes apart. Reads outside a transaction take a pooled connection of their own and do not wait.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from db.connection import (
    Database,
    DatabaseClosedError,
    Dialect,
    Params,
    Query,
    Row,
    Transaction,
    UnsupportedOperationError,
)

T = TypeVar("T")

URL_SCHEMES = ("postgresql", "postgres")
# A schema name chosen by the caller goes into SET search_path unquoted by the server, so it is held to this.
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# An INSERT ... VALUES without a SELECT changes exactly one row per parameter tuple (or fails) unless an
# ON CONFLICT may skip it: DO NOTHING, or DO UPDATE ... WHERE. Only such a statement may go through
# asyncpg's executemany, which reports no counts; any other is run tuple by tuple and counted.
_PLAIN_INSERT = re.compile(r"^\s*INSERT\s+INTO\s[^;]*\bVALUES\b", re.IGNORECASE | re.DOTALL)
_SELECTS = re.compile(r"\bSELECT\b", re.IGNORECASE)
_ON_CONFLICT = re.compile(r"\bON\s+CONFLICT\b(?P<rest>.*)", re.IGNORECASE | re.DOTALL)
_ALWAYS_UPDATES = re.compile(r"\bDO\s+UPDATE\b(?!.*\bWHERE\b)", re.IGNORECASE | re.DOTALL)


def _one_row_each(sql: str) -> bool:
    """True when ``sql`` changes exactly one row per parameter tuple whenever it succeeds."""
    if not _PLAIN_INSERT.match(sql) or _SELECTS.search(sql):
        return False
    conflict = _ON_CONFLICT.search(sql)
    return conflict is None or _ALWAYS_UPDATES.search(conflict.group("rest")) is not None


# How many statements' numbered forms a database keeps; the repositories write a few hundred.
_NUMBERED_KEPT = 2000
_ROWID = re.compile(r"\browid\b", re.IGNORECASE)


class DatabaseUnreachableError(Exception):
    """The PostgreSQL server cannot be reached or refuses us; one line naming it (never its password)."""

    def __init__(self, description: str, problem: str) -> None:
        super().__init__(f"database {description}: {problem}")
        self.description = description
        self.problem = problem


def is_postgresql_url(target: object) -> bool:
    """True when ``target`` is a ``postgresql://`` (or ``postgres://``) URL string."""
    return isinstance(target, str) and target.split("://", 1)[0].lower() in URL_SCHEMES and "://" in target


def redacted_url(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


def numbered_placeholders(sql: str) -> str:
    """``sql`` with each ``?`` placeholder made ``$1``, ``$2``... in order, as PostgreSQL numbers them.

    A ``?`` inside a string literal ('...'), a quoted name ("..."), or a comment (-- to the end of the
    line, /* ... */) is text, not a placeholder, and is left alone.
    """
    out: list[str] = []
    number = 0
    i = 0
    length = len(sql)
    while i < length:
        char = sql[i]
        if char in ("'", '"'):
            # A doubled quote inside the literal escapes it; the scan simply leaves and re-enters.
            end = sql.find(char, i + 1)
            end = length if end < 0 else end + 1
            out.append(sql[i:end])
            i = end
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = length if end < 0 else end
            out.append(sql[i:end])
            i = end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = length if end < 0 else end + 2
            out.append(sql[i:end])
            i = end
        elif char == "?":
            number += 1
            out.append(f"${number}")
            i += 1
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _rows_changed(status: str) -> int:
    """The row count at the end of a command tag ("UPDATE 3", "INSERT 0 1"); 0 for a tag without one."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


def _bool_encoder(value: Any) -> bytes:
    # SQLite stores booleans as 0 and 1, and callers pass either; both mean the same here.
    return b"\x01" if value else b"\x00"


def _bool_decoder(data: bytes) -> bool:
    return data != b"\x00"


def _numeric_decoder(text: str) -> int | float:
    # sum() and avg() of integers are NUMERIC in PostgreSQL; SQLite gives an int or a float, and so do we.
    if text in ("NaN", "Infinity", "-Infinity"):
        return float(text)
    if "." not in text and "e" not in text.lower():
        return int(text)
    return float(text)


async def _setup_connection(conn: asyncpg.Connection) -> None:
    """What every pooled connection needs: the codecs that make PostgreSQL's values look like SQLite's."""
    await conn.set_type_codec(
        "bool", schema="pg_catalog", encoder=_bool_encoder, decoder=_bool_decoder, format="binary"
    )
    await conn.set_type_codec("numeric", schema="pg_catalog", encoder=str, decoder=_numeric_decoder, format="text")


class PostgresTransaction(Transaction):
    """The PostgreSQL handle given out by :meth:`PostgresDatabase.transaction`; valid only inside the block."""

    def __init__(self, conn: asyncpg.Connection, placeholders: Callable[[str], str]) -> None:
        self._conn = conn
        self._sql = placeholders

    @property
    def dialect(self) -> Dialect:
        """PostgreSQL's SQL."""
        return "postgresql"

    def _ensure_active(self) -> asyncpg.Connection:
        self._check_active()
        return self._conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the number of rows it changed."""
        status = await self._ensure_active().execute(self._sql(sql), *params)
        return _rows_changed(status)

    async def executemany(self, sql: str, params: Iterable[Params]) -> int:
        """Run one statement once per parameter tuple; returns the rows changed."""
        conn = self._ensure_active()
        rows = [tuple(row) for row in params]
        if not rows:
            return 0
        if _one_row_each(sql):
            await conn.executemany(self._sql(sql), rows)
            return len(rows)
        statement = await conn.prepare(self._sql(sql))
        changed = 0
        for row in rows:
            await statement.fetch(*row)
            changed += _rows_changed(statement.get_statusmsg())
        return changed

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """Return the first row of a query, or None."""
        row: Row | None = await self._ensure_active().fetchrow(self._sql(sql), *params)
        return row

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Return every row of a query."""
        rows: list[Row] = await self._ensure_active().fetch(self._sql(sql), *params)
        return rows

    async def fetch_all_as(self, factory: Callable[..., T], sql: str, params: Params = ()) -> list[T]:
        """``factory(*row)`` of every row."""
        return [factory(*row) for row in await self.fetch_all(sql, params)]

    async def fetch_columns(self, sql: str, width: int, params: Params = ()) -> list[tuple[Any, ...]]:
        """Each of the ``width`` columns of every row as one tuple."""
        rows = await self.fetch_all(sql, params)
        return [tuple(row[column] for row in rows) for column in range(width)]

    async def read_blobs(
        self, table: str, column: str, sql: str, reader: Callable[[Callable[[int], bytes]], T], params: Params = ()
    ) -> dict[Any, T]:
        """``reader(read)`` of the blob in ``column`` of each row of ``table`` that ``sql`` names, by key.

        ``sql`` selects (key, rowid) pairs as it does for SQLite; PostgreSQL's row address is ``ctid``, so
        ``rowid`` in it is read as that, and the blob is joined on it (a BYTEA comes whole: PostgreSQL has
        no incremental blob reads)."""
        for name in (table, column):
            if not _IDENTIFIER.match(name):
                raise ValueError(f"not a plain SQL name: {name!r}")
        joined = (
            f"SELECT keyed.key, stored.{column} FROM ({_ROWID.sub('ctid', sql)}) AS keyed (key, address) "
            f"JOIN {table} AS stored ON stored.ctid = keyed.address"
        )
        found: dict[Any, T] = {}
        for key, blob in await self.fetch_all(joined, params):
            found[key] = reader(io.BytesIO(blob).read)
        return found

    async def fetch_each(self, queries: Sequence[Query]) -> list[list[Row]]:
        """Every row of each query, in order."""
        return [await self.fetch_all(sql, params) for sql, params in queries]

    async def digest(self, queries: Sequence[Query]) -> str:
        """A SHA-256 (hex) of every row of each query, in order: equal exactly when the rows are."""
        digest = hashlib.sha256()
        for rows in await self.fetch_each(queries):
            digest.update(repr([tuple(row) for row in rows]).encode())
            digest.update(b"\0")
        return digest.hexdigest()


class PostgresDatabase(Database):
    """A PostgreSQL database over an asyncpg pool, with the SQLite file's API and transaction rules."""

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        """Wrap an open pool; use :meth:`open` or :meth:`connect`."""
        self._pool = pool
        self._description = redacted_url(url)
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        self._closed = False
        self._numbered: dict[str, str] = {}

    @classmethod
    async def open(cls, path: str | Path, *, schema: str | None = None, max_size: int = 10) -> PostgresDatabase:
        """Connect to the PostgreSQL database at the URL ``path`` (``postgresql://user@host/name``).

        ``schema``, when given, is where every connection looks for and creates tables (its
        ``search_path``; it must exist): the tests give each their own. Raises
        :class:`DatabaseUnreachableError` when the server cannot be reached or refuses the login.
        """
        if not is_postgresql_url(path):
            raise ValueError(f"not a postgresql:// URL: {redacted_url(str(path))}")
        url = str(path)
        if schema is not None and not _SCHEMA_NAME.match(schema):
            raise ValueError(f"not a plain schema name: {schema!r}")
        settings = {"search_path": schema} if schema is not None else None
        try:
            pool = await asyncpg.create_pool(
                url, min_size=1, max_size=max_size, init=_setup_connection, server_settings=settings
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            # asyncpg's messages name the host and user, never the password.
            raise DatabaseUnreachableError(redacted_url(url), f"cannot connect: {error}") from error
        return cls(pool, url)

    @property
    def dialect(self) -> Dialect:
        """PostgreSQL's SQL."""
        return "postgresql"

    @property
    def description(self) -> str:
        """The server's URL without its password."""
        return self._description

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has run."""
        return self._closed

    def _sql(self, sql: str) -> str:
        numbered = self._numbered.get(sql)
        if numbered is None:
            if len(self._numbered) >= _NUMBERED_KEPT:
                # SQL made on the fly (an IN list per length) must not grow the cache without end.
                self._numbered.clear()
            numbered = self._numbered[sql] = numbered_placeholders(sql)
        return numbered

    def _check_usable(self) -> None:
        if self._closed:
            raise DatabaseClosedError(f"database {self._description} is closed")
        if self._owner is not None and self._owner is asyncio.current_task():
            # The same rule as SQLite's: a read beside one's own open transaction would not see its writes.
            raise RuntimeError(
                "this task already holds a transaction on this database; "
                "use the transaction handle (tx.execute/tx.fetch_*) inside it"
            )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Serialised write transaction: commit on success, roll back on any exception."""
        self._check_usable()
        async with self._lock:
            if self._closed:
                raise DatabaseClosedError(f"database {self._description} is closed")
            self._owner = asyncio.current_task()
            try:
                async with self._pool.acquire() as conn:
                    tx = PostgresTransaction(conn, self._sql)
                    work = conn.transaction()
                    await work.start()
                    try:
                        yield tx
                    except BaseException:
                        tx._finish()
                        await work.rollback()
                        raise
                    tx._finish()
                    await self._commit(work)
            finally:
                self._owner = None

    @staticmethod
    async def _commit(work: Any) -> None:
        commit = asyncio.ensure_future(work.commit())
        try:
            await asyncio.shield(commit)
        except asyncio.CancelledError:
            # Cancelled with the COMMIT already sent: let it land whole, as the SQLite backend does.
            await asyncio.wait([commit])
            if commit.exception() is not None:
                await work.rollback()
            raise
        except BaseException:
            await work.rollback()
            raise

    @asynccontextmanager
    async def _reading(self, *, consistent: bool = False) -> AsyncIterator[PostgresTransaction]:
        """A pooled connection for reads outside any transaction; ``consistent`` reads in one snapshot."""
        self._check_usable()
        async with self._pool.acquire() as conn:
            tx = PostgresTransaction(conn, self._sql)
            try:
                if consistent:
                    async with conn.transaction(isolation="repeatable_read", readonly=True):
                        yield tx
                else:
                    yield tx
            finally:
                tx._finish()

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """Return the first row of a query, or None."""
        async with self._reading() as tx:
            return await tx.fetch_one(sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Return every row of a query."""
        async with self._reading() as tx:
            return await tx.fetch_all(sql, params)

    async def fetch_all_as(self, factory: Callable[..., T], sql: str, params: Params = ()) -> list[T]:
        """``factory(*row)`` of every row."""
        async with self._reading() as tx:
            return await tx.fetch_all_as(factory, sql, params)

    async def fetch_columns(self, sql: str, width: int, params: Params = ()) -> list[tuple[Any, ...]]:
        """Each of the ``width`` columns of every row as one tuple."""
        async with self._reading() as tx:
            return await tx.fetch_columns(sql, width, params)

    async def read_blobs(
        self, table: str, column: str, sql: str, reader: Callable[[Callable[[int], bytes]], T], params: Params = ()
    ) -> dict[Any, T]:
        """The blobs ``sql`` names, by key, each read by ``reader`` (see `PostgresTransaction.read_blobs`)."""
        async with self._reading(consistent=True) as tx:
            return await tx.read_blobs(table, column, sql, reader, params)

    async def fetch_each(self, queries: Sequence[Query]) -> list[list[Row]]:
        """Every row of each query, in order, read in one snapshot."""
        async with self._reading(consistent=True) as tx:
            return await tx.fetch_each(queries)

    async def digest(self, queries: Sequence[Query]) -> str:
        """A SHA-256 (hex) of every row of each query, read in one snapshot."""
        async with self._reading(consistent=True) as tx:
            return await tx.digest(queries)

    async def integrity_problems(self, *, quick: bool = False) -> list[str]:
        """Always empty once the server answers: PostgreSQL checks its own pages (checksums, WAL) and
        has no whole-database check such as SQLite's; a server that does not answer raises."""
        await self.fetch_value("SELECT 1")
        return []

    async def backup(self, dest_path: str | Path) -> Path:
        """Refused: a PostgreSQL database is backed up with ``pg_dump``, not copied to a file by the bot."""
        raise UnsupportedOperationError(
            f"database {self._description} is PostgreSQL: back it up with pg_dump, not to {dest_path}"
        )

    async def close(self) -> None:
        """Close the pool; safe to call more than once."""
        if self._closed:
            return
        self._check_usable()
        async with self._lock:
            if self._closed:
                return
            self._closed = True
            await self._pool.close()
