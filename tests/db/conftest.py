"""Fixtures for the database layer tests: real SQLite files under tmp_path, no mocks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from db import Database, migrate

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


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database file in tmp_path."""
    async with Database.connect(tmp_path / "data" / "marquee.db") as database:
        await migrate(database)
        yield database
