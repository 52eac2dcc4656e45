"""Open Marquee's database from what the settings name: a file path (SQLite, the embedded default) or a
``postgresql://`` URL (PostgreSQL). Both give a `db.connection.Database`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from db.connection import Database, SqliteDatabase
from db.postgres import PostgresDatabase, is_postgresql_url


async def open_database(target: str | Path, *, schema: str | None = None) -> Database:
    """Open the database ``target`` names: a ``postgresql://`` URL opens PostgreSQL (in ``schema``, when
    given), anything else is the path of a SQLite file (created if needed)."""
    if is_postgresql_url(target):
        return await PostgresDatabase.open(target, schema=schema)
    if schema is not None:
        raise ValueError("a schema is PostgreSQL's; a SQLite file has none")
    return await SqliteDatabase.open(target)


@asynccontextmanager
async def connect_database(target: str | Path, *, schema: str | None = None) -> AsyncIterator[Database]:
    """``async with connect_database(target) as db:`` opens (see :func:`open_database`), yields and
    always closes."""
    db = await open_database(target, schema=schema)
    try:
        yield db
    finally:
        await db.close()
