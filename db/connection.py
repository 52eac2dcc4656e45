"""One SQLite database file behind an async, write-serialising facade.

All access goes through a single aiosqlite connection opened in autocommit mode
(``isolation_level=None``), so the sqlite3 module never opens transactions behind
our back: every transaction is an explicit ``BEGIN IMMEDIATE`` ... ``COMMIT``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import os
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol, TypeVar

import aiosqlite

from db.aiosqlite_internals import run_on_worker


class Row(Protocol):
    """A result row of either backend (sqlite3.Row, asyncpg.Record): by column name or position."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Any]: ...

    def keys(self) -> Iterable[str]: ...


Dialect = Literal["sqlite", "postgresql"]
Params = Sequence[Any]
Query = tuple[str, Params]
T = TypeVar("T")

# busy_timeout comes first so that switching to WAL waits for another process's lock
# instead of failing at once. synchronous=NORMAL is the documented safe choice for WAL:
# a power cut may lose the last commits but never corrupts the file.
_CONNECTION_PRAGMAS = (
    "PRAGMA busy_timeout = 5000",
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA synchronous = NORMAL",
)


def _first_row(sql: str, params: Params) -> Callable[[sqlite3.Connection], Row | None]:
    def work(conn: sqlite3.Connection) -> Row | None:
        row: Row | None = conn.execute(sql, params).fetchone()
        return row

    return work


def _made_from_rows(factory: Callable[..., T], sql: str, params: Params) -> Callable[[sqlite3.Connection], list[T]]:
    def work(conn: sqlite3.Connection) -> list[T]:
        return [factory(*row) for row in conn.execute(sql, params)]

    return work


def _columns_of(sql: str, params: Params, width: int) -> Callable[[sqlite3.Connection], list[tuple[Any, ...]]]:
    def work(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
        cursor = conn.cursor()
        cursor.row_factory = None  # plain tuples: no `Row` per row
        rows = cursor.execute(sql, params).fetchall()
        return [tuple(row[column] for row in rows) for column in range(width)]

    return work


def _blobs_of(
    table: str, column: str, sql: str, params: Params, reader: Callable[[Callable[[int], bytes]], T]
) -> Callable[[sqlite3.Connection], dict[Any, T]]:
    def work(conn: sqlite3.Connection) -> dict[Any, T]:
        def read() -> dict[Any, T]:
            found: dict[Any, T] = {}
            for key, rowid in conn.execute(sql, params).fetchall():
                with conn.blobopen(table, column, rowid, readonly=True) as blob:
                    found[key] = reader(blob.read)
            return found

        return _in_one_read(conn, read)

    return work


def _rows_of_each(queries: Sequence[Query]) -> Callable[[sqlite3.Connection], list[list[Row]]]:
    def work(conn: sqlite3.Connection) -> list[list[Row]]:
        return _in_one_read(conn, lambda: [conn.execute(sql, params).fetchall() for sql, params in queries])

    return work


def _in_one_read(conn: sqlite3.Connection, work: Callable[[], T]) -> T:
    """``work()`` inside a read transaction (unless one is open), so that several queries see one
    state of the file even if another process writes between them."""
    if conn.in_transaction:
        return work()
    conn.execute("BEGIN")
    try:
        return work()
    finally:
        conn.execute("COMMIT")


def _digest_of_each(queries: Sequence[Query]) -> Callable[[sqlite3.Connection], str]:
    def work(conn: sqlite3.Connection) -> str:
        digest = hashlib.sha256()

        def read() -> str:
            for sql, params in queries:
                cursor = conn.cursor()
                cursor.row_factory = None  # plain tuples, whose repr is their values
                digest.update(repr(cursor.execute(sql, params).fetchall()).encode())
                digest.update(b"\0")
            return digest.hexdigest()

        return _in_one_read(conn, read)

    return work


SQLITE_HEADER = b"SQLite format 3\x00"
# Files SQLite keeps beside the database: it must be able to create and write them too.
SIDECAR_SUFFIXES = ("-wal", "-shm", "-journal")


class DatabaseFileError(Exception):
    """The database file cannot be used: not a database, read-only, a folder, or not creatable.

    The message is one line naming the file, for the command line to print as it is.
    """

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"database {path}: {problem}")
        self.path = path
        self.problem = problem


class BackupDestinationError(ValueError):
    """A backup may not be written where it was asked to go; one line naming the destination."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"cannot back up to {path}: {problem}")
        self.path = path
        self.problem = problem


def _first_existing(path: Path) -> Path:
    """``path`` or its nearest ancestor that exists (as anything, even a file)."""
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return candidate
    return Path(path.anchor or ".")


def _writable(path: Path) -> bool:
    # os.access asks the kernel, so it sees what mode bits do not: an immutable file or a
    # read-only mount refuses root too.
    return os.access(path, os.W_OK)


def _creatable_problem(path: Path) -> str | None:
    """Why ``path`` (which does not exist) could not be created; None when it could."""
    existing = _first_existing(path.parent)
    if not existing.is_dir():
        return f"cannot be created: {existing} is a file, not a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"cannot be created: the folder {existing} is read-only"
    return None


def _is_sqlite_file(path: Path) -> bool:
    """True for an empty file (SQLite makes it a database) or one that starts with SQLite's header."""
    with path.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    return header in (b"", SQLITE_HEADER)


def database_file_problem(path: Path) -> str | None:
    """Why Marquee could not open the database at ``path`` and write to it, or create it there;
    None when it can. Creates nothing, so ``check`` can ask before the first start."""
    try:
        if path.is_dir():
            return "is a folder, not a database file"
        if not os.path.lexists(path):
            return _creatable_problem(path)
        if not path.is_file():
            return "is not a regular file"
        if not os.access(path, os.R_OK):
            return "cannot be read (permission denied)"
        if not _is_sqlite_file(path):
            return "is not a SQLite database"
        if not _writable(path):
            return "is read-only; Marquee must be able to write it"
        folder = path.parent
        if not os.access(folder, os.W_OK | os.X_OK):
            return f"its folder {folder} is read-only; SQLite writes its journal files beside the database"
        for suffix in SIDECAR_SUFFIXES:
            sidecar = path.with_name(path.name + suffix)
            if os.path.lexists(sidecar) and not _writable(sidecar):
                return f"its journal file {sidecar} is read-only"
    except OSError as error:
        return f"cannot be used: {error.strerror or error}"
    return None


def backup_destination_problem(dest: Path, source: Path) -> str | None:
    """Why a backup of ``source`` may not be written to ``dest``; None when it may. Never
    overwrites the live database or a file that is not a SQLite database (a mistyped path
    must not destroy someone's document)."""
    try:
        if dest.is_dir():
            return "it is a folder; give the backup a file name, for example " + str(dest / "marquee-backup.db")
        live = [source, *(source.with_name(source.name + suffix) for suffix in SIDECAR_SUFFIXES)]
        if any(dest.resolve() == path.resolve() for path in live) or (
            dest.exists() and source.exists() and os.path.samefile(dest, source)
        ):
            return "it is the live database itself"
        if not os.path.lexists(dest):
            return _creatable_problem(dest)
        if not dest.is_file():
            return "it is not a regular file"
        if not _is_sqlite_file(dest):
            return "it exists and is not a SQLite database; refusing to overwrite it"
        if not _writable(dest) or not os.access(dest.parent, os.W_OK | os.X_OK):
            return "it is read-only"
    except OSError as error:
        return f"{error.strerror or error}"
    return None


def new_database_parts(path: Path) -> list[Path]:
    """What opening ``path`` would create: the file and each missing folder above it, nearest
    first; empty when the file exists."""
    return list(itertools.takewhile(lambda part: not os.path.lexists(part), (path, *path.parents)))


def remove_new_database(parts: list[Path]) -> None:
    """Undo :func:`new_database_parts`' creation after a start that failed: the file, its
    journal files, then each folder it made, if nothing else was put there meanwhile."""
    if not parts:
        return
    database = parts[0]
    for path in (database, *(database.with_name(database.name + suffix) for suffix in SIDECAR_SUFFIXES)):
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            path.unlink()
    for folder in parts[1:]:
        try:
            folder.rmdir()
        except OSError:
            return


class DatabaseClosedError(RuntimeError):
    """Raised when a closed :class:`Database` (or a finished transaction) is used."""


class BackupVerificationError(RuntimeError):
    """Raised when a freshly written backup fails ``PRAGMA integrity_check``."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        detail = "; ".join(problems[:5]) or "no result"
        super().__init__(f"backup {path} failed its integrity check: {detail}")


class UnsupportedOperationError(RuntimeError):
    """What was asked is something only the other database backend does (a file backup of PostgreSQL)."""


class Transaction(ABC):
    """The handle given out by :meth:`Database.transaction`; valid only inside the block.

    Every statement is written with ``?`` placeholders whatever the backend: PostgreSQL's numbers them.
    """

    _active = True

    def _check_active(self) -> None:
        if not self._active:
            raise DatabaseClosedError("this transaction has already finished")

    def _finish(self) -> None:
        """The block is over: the handle refuses every statement from now on."""
        self._active = False

    @property
    @abstractmethod
    def dialect(self) -> Dialect:
        """Which SQL this transaction's database speaks: "sqlite" or "postgresql"."""

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the number of rows it changed."""

    @abstractmethod
    async def executemany(self, sql: str, params: Iterable[Params]) -> int:
        """Run one statement once per parameter tuple; returns the rows changed."""

    @abstractmethod
    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """Return the first row of a query, or None."""

    @abstractmethod
    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Return every row of a query."""

    @abstractmethod
    async def fetch_all_as(self, factory: Callable[..., T], sql: str, params: Params = ()) -> list[T]:
        """``factory(*row)`` of every row."""

    @abstractmethod
    async def fetch_columns(self, sql: str, width: int, params: Params = ()) -> list[tuple[Any, ...]]:
        """Each of the ``width`` columns of every row as one tuple."""

    @abstractmethod
    async def read_blobs(
        self, table: str, column: str, sql: str, reader: Callable[[Callable[[int], bytes]], T], params: Params = ()
    ) -> dict[Any, T]:
        """``reader(read)`` of the blob in ``column`` of each row of ``table`` that ``sql`` names, by key:
        ``sql`` selects (key, rowid) pairs, and ``read(n)`` gives the blob's next ``n`` bytes (all that is
        left for -1)."""

    @abstractmethod
    async def fetch_each(self, queries: Sequence[Query]) -> list[list[Row]]:
        """Every row of each query, in order, as one consistent read."""

    @abstractmethod
    async def digest(self, queries: Sequence[Query]) -> str:
        """A SHA-256 (hex) of every row of each query, in order: equal exactly when the rows are."""

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        """Return the first column of the first row, or None when there is no row."""
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]


class Database(ABC):
    """Marquee's database, whichever backend holds it: the facade every repository uses.

    :class:`SqliteDatabase` (a file, the embedded default) and ``db.postgres.PostgresDatabase`` (a
    PostgreSQL server) implement it; ``db.backends.open_database`` picks one from a path or a URL.
    ``Database.open``/``Database.connect`` given a path open the SQLite file, as they always have.
    Where the SQL of the two must differ, a repository asks :attr:`dialect`.
    """

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        """Open (creating if needed) the SQLite database file at ``path``; see :meth:`SqliteDatabase.open`."""
        return await SqliteDatabase.open(path)

    @classmethod
    @asynccontextmanager
    async def connect(cls, path: str | Path) -> AsyncIterator[Database]:
        """``async with Database.connect(path) as db:`` opens, yields and always closes."""
        db = await cls.open(path)
        try:
            yield db
        finally:
            await db.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    @abstractmethod
    def dialect(self) -> Dialect:
        """Which SQL this database speaks: "sqlite" or "postgresql"."""

    @property
    @abstractmethod
    def description(self) -> str:
        """What this database is, for messages: a file's path, or a server's URL without its password."""

    @property
    @abstractmethod
    def closed(self) -> bool:
        """True once :meth:`close` has run."""

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """Serialised write transaction: commit on success, roll back on any exception."""

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement in its own transaction; returns the rows changed."""
        async with self.transaction() as tx:
            return await tx.execute(sql, params)

    async def executemany(self, sql: str, params: Iterable[Params]) -> int:
        """Run one statement once per parameter tuple, in one transaction; returns the rows changed."""
        async with self.transaction() as tx:
            return await tx.executemany(sql, params)

    @abstractmethod
    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """Return the first row of a query, or None."""

    @abstractmethod
    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Return every row of a query."""

    @abstractmethod
    async def fetch_all_as(self, factory: Callable[..., T], sql: str, params: Params = ()) -> list[T]:
        """``factory(*row)`` of every row."""

    @abstractmethod
    async def fetch_columns(self, sql: str, width: int, params: Params = ()) -> list[tuple[Any, ...]]:
        """Each of the ``width`` columns of every row as one tuple."""

    @abstractmethod
    async def read_blobs(
        self, table: str, column: str, sql: str, reader: Callable[[Callable[[int], bytes]], T], params: Params = ()
    ) -> dict[Any, T]:
        """The blobs ``sql`` names, by key, each read by ``reader`` (see `Transaction.read_blobs`)."""

    @abstractmethod
    async def fetch_each(self, queries: Sequence[Query]) -> list[list[Row]]:
        """Every row of each query, in order, read in one transaction."""

    @abstractmethod
    async def digest(self, queries: Sequence[Query]) -> str:
        """A SHA-256 (hex) of every row of each query, read in one transaction."""

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        """Return the first column of the first row (None if no row)."""
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    @abstractmethod
    async def integrity_problems(self, *, quick: bool = False) -> list[str]:
        """What the database's own integrity check finds wrong; empty when sound."""

    @abstractmethod
    async def backup(self, dest_path: str | Path) -> Path:
        """Copy the live database to the file ``dest_path`` and verify the copy; returns its path."""

    @abstractmethod
    async def close(self) -> None:
        """Close the connection(s); safe to call more than once."""


class SqliteTransaction(Transaction):
    """The SQLite handle given out by :meth:`SqliteDatabase.transaction`; valid only inside the block."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    @property
    def dialect(self) -> Dialect:
        """SQLite's SQL."""
        return "sqlite"

    def _ensure_active(self) -> aiosqlite.Connection:
        self._check_active()
        return self._conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the number of rows it changed."""
        return await run_on_worker(self._ensure_active(), lambda conn: conn.execute(sql, params).rowcount)

    async def executemany(self, sql: str, params: Iterable[Params]) -> int:
        """Run one statement once per parameter tuple; returns the rows changed."""
        return await run_on_worker(self._ensure_active(), lambda conn: conn.executemany(sql, params).rowcount)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """Return the first row of a query, or None."""
        return await run_on_worker(self._ensure_active(), _first_row(sql, params))

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Return every row of a query."""
        rows = await self._ensure_active().execute_fetchall(sql, params)
        return list(rows)

    async def fetch_all_as(self, factory: Callable[..., T], sql: str, params: Params = ()) -> list[T]:
        """``factory(*row)`` of every row, made on the database thread rather than the event loop."""
        return await run_on_worker(self._ensure_active(), _made_from_rows(factory, sql, params))

    async def fetch_columns(self, sql: str, width: int, params: Params = ()) -> list[tuple[Any, ...]]:
        """Each of the ``width`` columns of every row as one tuple, made on the database thread: a
        column of a million values costs one tuple, not a million rows."""
        return await run_on_worker(self._ensure_active(), _columns_of(sql, params, width))

    async def read_blobs(
        self, table: str, column: str, sql: str, reader: Callable[[Callable[[int], bytes]], T], params: Params = ()
    ) -> dict[Any, T]:
        """``reader(read)`` of the blob in ``column`` of each row of ``table`` that ``sql`` names, by key:
        ``sql`` selects (key, rowid) pairs, and ``read(n)`` gives the blob's next ``n`` bytes (all that
        is left for -1), read straight from the file (a SELECT copies a blob whole, once more inside
        SQLite first: hundreds of megabytes for the look-up indexes of a large catalogue). Runs on the
        database thread."""
        return await run_on_worker(self._ensure_active(), _blobs_of(table, column, sql, params, reader))

    async def fetch_each(self, queries: Sequence[Query]) -> list[list[Row]]:
        """Every row of each query, in order: several reads for the price of one hand-off."""
        return await run_on_worker(self._ensure_active(), _rows_of_each(queries))

    async def digest(self, queries: Sequence[Query]) -> str:
        """A SHA-256 (hex) of every row of each query, in order: equal exactly when the rows are."""
        return await run_on_worker(self._ensure_active(), _digest_of_each(queries))


class SqliteDatabase(Database):
    """A SQLite database file: serialised writes, consistent reads, online backup.

    Reads and writes share one connection and one lock. A single connection holds a
    single transaction state, so a read issued while another coroutine's transaction
    is open would see its uncommitted rows; making reads wait for the lock is the
    simplest way to rule that out. It costs little: aiosqlite runs every statement on
    one worker thread anyway, and our write transactions are short. Other processes
    still read concurrently thanks to WAL.
    """

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        """Wrap an already configured connection; use :meth:`open` or :meth:`connect`."""
        self._conn = conn
        self._path = path
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        self._closed = False

    @classmethod
    async def open(cls, path: str | Path) -> SqliteDatabase:
        """Open (creating if needed) the database file at ``path`` and its parent folder.

        Raises :class:`DatabaseFileError` when the file cannot be used (see
        :func:`database_file_problem`), before creating anything.
        """
        db_path = Path(path)
        problem = await asyncio.to_thread(database_file_problem, db_path)
        if problem is not None:
            raise DatabaseFileError(db_path, problem)
        try:
            await asyncio.to_thread(db_path.parent.mkdir, parents=True, exist_ok=True)
            conn = await aiosqlite.connect(db_path, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise DatabaseFileError(db_path, f"cannot be opened: {error}") from error
        try:
            conn.row_factory = aiosqlite.Row
            for pragma in _CONNECTION_PRAGMAS:
                await conn.execute(pragma)
        except sqlite3.Error as error:
            await conn.close()
            # The checks above cannot see everything (a damaged file, a lock held elsewhere).
            raise DatabaseFileError(db_path, f"cannot be used: {error}") from error
        except BaseException:
            await conn.close()
            raise
        return cls(conn, db_path)

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def dialect(self) -> Dialect:
        """SQLite's SQL."""
        return "sqlite"

    @property
    def description(self) -> str:
        """The database file's path."""
        return str(self._path)

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has run."""
        return self._closed

    def _check_usable(self) -> None:
        if self._closed:
            raise DatabaseClosedError(f"database {self._path} is closed")
        if self._owner is not None and self._owner is asyncio.current_task():
            # Waiting for our own lock would hang forever; fail loudly instead.
            raise RuntimeError(
                "this task already holds a transaction on this database; "
                "use the transaction handle (tx.execute/tx.fetch_*) inside it"
            )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Serialised write transaction: commit on success, roll back on any exception.

        ``BEGIN IMMEDIATE`` takes SQLite's write lock up front, so transactions from
        other processes on the same file serialise too (waiting up to busy_timeout)
        rather than failing half-way when they try to upgrade a read lock.
        """
        self._check_usable()
        async with self._lock:
            if self._closed:
                raise DatabaseClosedError(f"database {self._path} is closed")
            self._owner = asyncio.current_task()
            tx = SqliteTransaction(self._conn)
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield tx
                except BaseException:
                    tx._finish()
                    await self._rollback_if_open()
                    raise
                tx._finish()
                await self._commit()
            finally:
                self._owner = None

    async def _commit(self) -> None:
        commit = asyncio.ensure_future(self._conn.execute("COMMIT"))
        try:
            await asyncio.shield(commit)
        except asyncio.CancelledError:
            # Cancelled (the bot stopping) with the COMMIT already on the database thread: let it land
            # whole. A ROLLBACK sent now would run after it, fail, and hide the cancellation.
            await asyncio.wait([commit])
            if commit.exception() is not None:
                await self._rollback_if_open()
            raise
        except BaseException:
            await self._rollback_if_open()
            raise

    async def _rollback_if_open(self) -> None:
        # SQLite already rolls back by itself after some errors (e.g. SQLITE_FULL);
        # a second ROLLBACK would raise and hide the original exception.
        if self._conn.in_transaction:
            await self._conn.execute("ROLLBACK")

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """Return the first row of a query, or None; waits for any open transaction."""
        self._check_usable()
        async with self._lock:
            return await SqliteTransaction(self._conn).fetch_one(sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Return every row of a query; waits for any open transaction."""
        self._check_usable()
        async with self._lock:
            return await SqliteTransaction(self._conn).fetch_all(sql, params)

    async def fetch_all_as(self, factory: Callable[..., T], sql: str, params: Params = ()) -> list[T]:
        """``factory(*row)`` of every row, made on the database thread: turning a large catalogue's rows
        into objects would block the event loop. Waits for any open transaction."""
        self._check_usable()
        async with self._lock:
            return await SqliteTransaction(self._conn).fetch_all_as(factory, sql, params)

    async def fetch_columns(self, sql: str, width: int, params: Params = ()) -> list[tuple[Any, ...]]:
        """Each of the ``width`` columns of every row as one tuple (see `Transaction.fetch_columns`);
        waits for any open transaction."""
        self._check_usable()
        async with self._lock:
            return await SqliteTransaction(self._conn).fetch_columns(sql, width, params)

    async def read_blobs(
        self, table: str, column: str, sql: str, reader: Callable[[Callable[[int], bytes]], T], params: Params = ()
    ) -> dict[Any, T]:
        """The blobs ``sql`` names, by key, each read by ``reader`` (see `Transaction.read_blobs`), in one
        transaction; waits for any open transaction."""
        self._check_usable()
        async with self._lock:
            return await SqliteTransaction(self._conn).read_blobs(table, column, sql, reader, params)

    async def fetch_each(self, queries: Sequence[Query]) -> list[list[Row]]:
        """Every row of each query, in order, read in one transaction and one hand-off to the
        database thread; waits for any open transaction."""
        self._check_usable()
        async with self._lock:
            return await SqliteTransaction(self._conn).fetch_each(queries)

    async def digest(self, queries: Sequence[Query]) -> str:
        """A SHA-256 (hex) of every row of each query, read in one transaction on the database
        thread: tells whether data changed without bringing the rows to the event loop."""
        self._check_usable()
        async with self._lock:
            return await SqliteTransaction(self._conn).digest(queries)

    async def integrity_problems(self, *, quick: bool = False) -> list[str]:
        """What SQLite's integrity check finds wrong with this file; empty when sound.

        ``quick`` runs ``PRAGMA quick_check``, which skips index cross-checks and is
        much faster on large files.
        """
        pragma = "PRAGMA quick_check" if quick else "PRAGMA integrity_check"
        results = [str(row[0]) for row in await self.fetch_all(pragma)]
        return [] if results == ["ok"] else results

    async def backup(self, dest_path: str | Path) -> Path:
        """Copy the live database to ``dest_path`` with SQLite's online backup API.

        The copy is then reopened and must pass ``PRAGMA integrity_check``; otherwise
        :class:`BackupVerificationError` is raised. Returns the destination path.
        """
        dest = Path(dest_path)
        self._check_usable()
        await asyncio.to_thread(_prepare_backup_dest, dest, self._path)
        try:
            async with self._lock, aiosqlite.connect(dest) as target:
                await self._conn.backup(target)
        except sqlite3.Error as error:
            raise BackupDestinationError(dest, str(error)) from error
        await _verify_integrity(dest)
        return dest

    async def close(self) -> None:
        """Close the connection; safe to call more than once."""
        if self._closed:
            return
        self._check_usable()
        async with self._lock:
            if self._closed:
                return
            self._closed = True
            await self._conn.close()


def _prepare_backup_dest(dest: Path, source: Path) -> None:
    """Create the backup's folder, after refusing a destination it must not be written to."""
    problem = backup_destination_problem(dest, source)
    if problem is not None:
        raise BackupDestinationError(dest, problem)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupDestinationError(dest, error.strerror or str(error)) from error


async def _verify_integrity(path: Path) -> None:
    """Raise BackupVerificationError unless the file at ``path`` is a sound database."""
    try:
        async with aiosqlite.connect(path) as conn:
            rows = await conn.execute_fetchall("PRAGMA integrity_check")
    except aiosqlite.DatabaseError as exc:
        raise BackupVerificationError(path, [str(exc)]) from exc
    results = [str(row[0]) for row in rows]
    if results != ["ok"]:
        raise BackupVerificationError(path, results)
