"""A small persistent HTTP cache: the last answer to each URL with its validators, in its own SQLite file.

It serves conditional requests (`If-None-Match`, `If-Modified-Since`): a client that gets 304 Not Modified uses
the body kept here. It is only a cache, so it never stops its caller: a file that cannot be opened, or that
turns out to be corrupt, is reported in one warning and the cache goes on empty (every look-up misses, every
store is dropped). The file is not Marquee's database and has no migrations: its one table is made here.

Typical use::

    async with await HttpCache.open(Path("data/tmdb-cache.db")) as cache:
        kept = await cache.get(url)
        ...
        await cache.put(url, etag, last_modified, body, fetched_at)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import aiosqlite

log = logging.getLogger(__name__)

# The body is kept as raw bytes, uncompressed: a reader (or a test) can check what the file holds.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS http_cache (
    url           TEXT PRIMARY KEY,
    etag          TEXT,
    last_modified TEXT,
    body          BLOB NOT NULL,
    fetched_at    TEXT NOT NULL
)
"""
# WAL lets the running bot's daily refresh and an operator's `pack import` share the file; busy_timeout makes
# one wait for the other's write instead of failing.
_PRAGMAS = ("PRAGMA busy_timeout = 5000", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL")
_SELECT = "SELECT etag, last_modified, body, fetched_at FROM http_cache WHERE url = ?"
_UPSERT = """
INSERT INTO http_cache (url, etag, last_modified, body, fetched_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (url) DO UPDATE SET
    etag = excluded.etag,
    last_modified = excluded.last_modified,
    body = excluded.body,
    fetched_at = excluded.fetched_at
"""


@dataclass(frozen=True)
class CachedAnswer:
    """The last answer kept for a URL: its validators, its body and when it was fetched (UTC)."""

    etag: str | None
    last_modified: str | None
    body: bytes
    fetched_at: datetime


class HttpCache:
    """Answers kept by URL in one SQLite file; goes on without the file (with one warning) if it is broken."""

    def __init__(self, path: Path, connection: aiosqlite.Connection | None) -> None:
        """Use `HttpCache.open`; a cache made with no connection is the empty, disabled one."""
        self.path = path
        self._connection = connection
        self._warned = connection is None

    @classmethod
    async def open(cls, path: Path) -> HttpCache:
        """Open (creating the folder, the file and the table) the cache at `path`; never raises for a bad file."""
        connection: aiosqlite.Connection | None = None
        try:
            await asyncio.to_thread(_make_room_for, path)
            connection = await aiosqlite.connect(path)
            for pragma in _PRAGMAS:
                await connection.execute(pragma)
            await connection.execute(_SCHEMA)
            await connection.commit()
        except (sqlite3.Error, OSError) as error:
            if connection is not None:
                await _close_quietly(connection)
            _warn(path, error)
            return cls(path, None)
        return cls(path, connection)

    @property
    def available(self) -> bool:
        """False once the file proved unusable: look-ups then miss and stores are dropped."""
        return self._connection is not None

    async def get(self, url: str) -> CachedAnswer | None:
        """The answer kept for `url`, or None (none kept, or the cache is unusable)."""
        if self._connection is None:
            return None
        try:
            async with self._connection.execute(_SELECT, (url,)) as cursor:
                row = await cursor.fetchone()
        except (sqlite3.Error, ValueError) as error:  # ValueError: aiosqlite's connection was closed under us
            await self._give_up(error)
            return None
        if row is None:
            return None
        etag, last_modified, body, fetched_at = row
        try:
            when = datetime.fromisoformat(fetched_at)
        except (TypeError, ValueError) as error:
            await self._give_up(sqlite3.DatabaseError(f"a row with a bad fetched_at: {error}"))
            return None
        return CachedAnswer(etag, last_modified, bytes(body), when)

    async def put(
        self, url: str, etag: str | None, last_modified: str | None, body: bytes, fetched_at: datetime
    ) -> None:
        """Keep `body` as the answer to `url` (replacing any older one); `fetched_at` must carry a time zone."""
        if fetched_at.tzinfo is None:
            raise ValueError("fetched_at must carry a time zone")
        if self._connection is None:
            return
        stamp = fetched_at.astimezone(UTC).isoformat()
        try:
            await self._connection.execute(_UPSERT, (url, etag, last_modified, body, stamp))
            await self._connection.commit()
        except (sqlite3.Error, ValueError) as error:
            await self._give_up(error)

    async def close(self) -> None:
        """Close the file; the cache then answers like a disabled one. Closing twice is harmless."""
        connection, self._connection = self._connection, None
        self._warned = True  # a closed cache is not a broken one: nothing to warn about
        if connection is not None:
            await _close_quietly(connection)

    async def __aenter__(self) -> HttpCache:
        """The cache itself; it is closed on leaving."""
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        """Close the cache."""
        await self.close()

    async def _give_up(self, error: BaseException) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await _close_quietly(connection)
        if not self._warned:
            self._warned = True
            _warn(self.path, error)


def _make_room_for(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not path.is_file():
        # Found before connecting: aiosqlite's worker thread outlives a failed connect and may then report to
        # an event loop that has gone.
        raise IsADirectoryError(f"{path} is not a file")


def _warn(path: Path, error: BaseException) -> None:
    log.warning(
        "the HTTP cache %s cannot be used (%s): going on without it; delete the file to start a new cache",
        path,
        error,
    )


async def _close_quietly(connection: aiosqlite.Connection) -> None:
    # Closing a broken file may fail again; the cache is given up either way.
    with contextlib.suppress(sqlite3.Error, ValueError):
        await connection.close()
