"""The PostgreSQL server the tests use, and a fresh schema in it for each test.

MARQUEE_TEST_DATABASE_URL names the server (default: the local one, trust auth). Where none answers, a
test that needs it is skipped with one line saying so; under CI (CI=true) it fails instead, so that CI
never passes by skipping.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

import asyncpg
import pytest

from db.postgres import redacted_url

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def test_database_url() -> str:
    """The PostgreSQL URL the tests use."""
    return os.environ.get("MARQUEE_TEST_DATABASE_URL") or DEFAULT_URL


test_database_url.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


async def _unreachable(url: str) -> str | None:
    try:
        conn = await asyncpg.connect(url, timeout=5)
    except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        return f"{type(error).__name__}: {error}"
    await conn.close()
    return None


def require_postgres(url: str) -> None:
    """Skip the test (fail it under CI=true) with one clear line when no PostgreSQL answers at ``url``."""
    # On a thread of its own: the caller may be inside the test's running event loop.
    with ThreadPoolExecutor(max_workers=1) as thread:
        problem = thread.submit(asyncio.run, _unreachable(url)).result()
    if problem is None:
        return
    message = f"no PostgreSQL at {redacted_url(url)} (set MARQUEE_TEST_DATABASE_URL): {problem}"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@asynccontextmanager
async def fresh_schema(url: str) -> AsyncIterator[str]:
    """A new, empty schema named ``t_<random>``, dropped with everything in it afterwards."""
    name = f"t_{secrets.token_hex(8)}"
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"CREATE SCHEMA {name}")
        try:
            yield name
        finally:
            await conn.execute(f"DROP SCHEMA {name} CASCADE")
    finally:
        await conn.close()
