"""Fixtures for the database layer tests: real SQLite files under tmp_path and real PostgreSQL schemas,
no mocks. A test taking the `db` fixture runs on both backends."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from db import Database, migrate
from db.backends import connect_database
from tests.postgres import fresh_schema, require_postgres, test_database_url

# A small but complete pack: every table and field kind appears at least once.
BASE_PACK_FILE = Path(__file__).with_name("base_pack.toml")


@pytest.fixture
def base_pack_text() -> str:
    """The TOML text of the small valid test pack."""
    return BASE_PACK_FILE.read_text(encoding="utf-8")


@pytest.fixture
def write_pack(tmp_path: Path) -> Callable[..., Path]:
    """Write TOML text to ``tmp_path/<name>`` and return the path."""

    def write(text: str, name: str = "test-pack.toml") -> Path:
        path = tmp_path / "packs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test PostgreSQL server's URL; skips (fails under CI) when none answers."""
    url = test_database_url()
    require_postgres(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database: a file in tmp_path, or a fresh schema of the test PostgreSQL server."""
    if request.param == "sqlite":
        async with Database.connect(tmp_path / "data" / "marquee.db") as database:
            await migrate(database)
            yield database
        return
    url = request.getfixturevalue("postgres_url")
    async with fresh_schema(url) as schema, connect_database(url, schema=schema) as database:
        await migrate(database)
        yield database


OpenDatabase = Callable[[str], Awaitable[Database]]


@pytest.fixture(params=["sqlite", "postgresql"])
async def open_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OpenDatabase]:
    """Opens unmigrated databases of one backend by name, all closed (and dropped) after the test. One
    name opened twice is one database seen by two connections, as two processes see it: a file in
    tmp_path, or a schema of the test PostgreSQL server."""
    async with AsyncExitStack() as stack:
        url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
        schemas: dict[str, str] = {}

        async def open_one(name: str) -> Database:
            if url is None:
                return await stack.enter_async_context(connect_database(tmp_path / "data" / f"{name}.db"))
            if name not in schemas:
                schemas[name] = await stack.enter_async_context(fresh_schema(url))
            return await stack.enter_async_context(connect_database(url, schema=schemas[name]))

        yield open_one
