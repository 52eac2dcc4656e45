"""Schema migrations: fresh databases, re-runs, upgrades and refusing newer files."""

from __future__ import annotations

from pathlib import Path

import pytest

from db import LATEST_VERSION, Database, MigrationError, SchemaTooNewError, migrate, schema_version
from db.migrate import load_migrations, split_statements

EXPECTED_TABLES = {
    "packs", "sources", "franchises", "films", "film_titles", "people", "person_aliases",
    "companies", "company_aliases", "film_companies", "cast_credits", "crew_credits", "releases",
    "film_milestones", "trivia_questions", "guild_settings", "user_settings", "bot_state",
}  # fmt: skip


async def _schema(db: Database) -> list[tuple[str, str, str]]:
    rows = await db.fetch_all(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
    )
    return [(row["type"], row["name"], row["sql"]) for row in rows]


async def _tables(db: Database) -> set[str]:
    rows = await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {row["name"] for row in rows}


def test_latest_version_matches_the_migration_files() -> None:
    migrations = load_migrations()
    assert LATEST_VERSION == len(migrations) >= 1
    assert [m.version for m in migrations] == list(range(1, LATEST_VERSION + 1))


async def test_fresh_database_reaches_latest_version_with_all_tables(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "m.db") as db:
        assert await schema_version(db) == 0
        result = await migrate(db)
        assert result.from_version == 0
        assert result.to_version == LATEST_VERSION == await schema_version(db)
        assert result.applied == [m.name for m in load_migrations()]
        assert await _tables(db) >= EXPECTED_TABLES
        assert await db.fetch_all("PRAGMA foreign_key_check") == []


async def test_running_migrate_again_is_a_no_op(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "m.db") as db:
        await migrate(db)
        before = await _schema(db)
        result = await migrate(db)
        assert (result.from_version, result.to_version, result.applied) == (
            LATEST_VERSION,
            LATEST_VERSION,
            [],
        )
        assert await _schema(db) == before


@pytest.mark.parametrize("start", range(LATEST_VERSION))
async def test_upgrade_from_each_earlier_version(tmp_path: Path, start: int) -> None:
    async with Database.connect(tmp_path / "fresh.db") as fresh:
        await migrate(fresh)
        expected = await _schema(fresh)
    async with Database.connect(tmp_path / "old.db") as db:
        partial = await migrate(db, target=start)
        assert partial.to_version == start == await schema_version(db)
        await db.execute("CREATE TABLE IF NOT EXISTS canary (v TEXT)")
        await db.execute("INSERT INTO canary (v) VALUES ('still here')")
        result = await migrate(db)
        assert result.from_version == start
        assert result.to_version == LATEST_VERSION
        assert len(result.applied) == LATEST_VERSION - start
        assert [s for s in await _schema(db) if s[1] != "canary"] == expected
        assert await db.fetch_value("SELECT v FROM canary") == "still here"


async def test_newer_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    async with Database.connect(path) as db:
        await migrate(db)
        await db.execute("INSERT INTO bot_state (key, value, updated_at) VALUES ('k', 'v', 'now')")
        await db.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
        schema = await _schema(db)
    async with Database.connect(path) as db:
        with pytest.raises(SchemaTooNewError) as caught:
            await migrate(db)
        assert str(caught.value) == (
            f"database schema version {LATEST_VERSION + 5} is newer than this Marquee "
            f"(knows up to {LATEST_VERSION}); upgrade Marquee or restore a backup"
        )
        assert await schema_version(db) == LATEST_VERSION + 5
        assert await _schema(db) == schema
        assert await db.fetch_value("SELECT value FROM bot_state WHERE key = 'k'") == "v"


async def test_downgrade_and_out_of_range_targets_are_rejected(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "m.db") as db:
        with pytest.raises(MigrationError, match="outside"):
            await migrate(db, target=LATEST_VERSION + 1)
        await migrate(db)
        with pytest.raises(MigrationError, match="downgrade"):
            await migrate(db, target=0)


async def test_failed_migration_leaves_the_previous_version(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "m.db") as db:
        # A table the first migration wants to create makes it fail half-way.
        await db.execute("CREATE TABLE films (x INTEGER)")
        with pytest.raises(Exception, match="already exists"):
            await migrate(db)
        assert await schema_version(db) == 0
        assert await _tables(db) == {"films"}


def test_split_statements_respects_strings_comments_and_triggers() -> None:
    script = """
    -- a comment; with a semicolon
    CREATE TABLE a (v TEXT DEFAULT 'x;y');
    /* block; comment */
    CREATE TRIGGER t AFTER INSERT ON a BEGIN
        UPDATE a SET v = 'z;' WHERE v = 'q';
    END;
    INSERT INTO a (v) VALUES ('semi;colon');
    -- trailing comment
    """
    statements = split_statements(script)
    assert len(statements) == 3
    assert statements[0].endswith("CREATE TABLE a (v TEXT DEFAULT 'x;y');")
    assert statements[1].startswith("/* block; comment */") and statements[1].endswith("END;")
    assert statements[2] == "INSERT INTO a (v) VALUES ('semi;colon');"


def test_split_statements_rejects_an_unterminated_statement() -> None:
    with pytest.raises(MigrationError, match="incomplete"):
        split_statements("CREATE TABLE a (v TEXT); CREATE TABLE b (v TEXT)")
