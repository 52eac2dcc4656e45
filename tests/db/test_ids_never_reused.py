"""Ids that leave the database are never handed out again, also on a database upgraded with data in it.

A database is migrated to version 6 (before the rebuild), filled through plain SQL, then upgraded:
every row, id, index and foreign key must survive, and deleting the newest row of each table must not
let the next insert take its id again.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from db import Database, migrate, schema_version

BEFORE_REBUILD = 6
NOW = "2026-03-01T12:00:00.000000+00:00"
GUILD = 111
# Tables whose ids are shown to Discord or written into keys, with an insert of one more row.
NEW_ROW = {
    "guild_events": (
        "INSERT INTO guild_events (guild_id, name, name_key, event_date, created_by, created_at) "
        "VALUES (?, 'Later', 'later', '2026-04-01', 7, ?)",
        (GUILD, NOW),
    ),
    "announcement_posts": (
        "INSERT INTO announcement_posts (guild_id, target_key, release_date, milestone, kind, due_at, wake_at, "
        "status, nonce) VALUES (?, 'film:b', '2026-04-01', '1', 'countdown', ?, ?, 'scheduled', 'n2')",
        (GUILD, NOW, NOW),
    ),
    "reminder_subscriptions": (
        "INSERT INTO reminder_subscriptions (user_id, guild_id, target_key, offsets, region, timezone, created_at) "
        "VALUES (8, ?, 'film:b', 'release', 'US', 'UTC', ?)",
        (GUILD, NOW),
    ),
    "trivia_games": (
        "INSERT INTO trivia_games (guild_id, channel_id, starter_id, mode, difficulty, question_count, seconds, "
        "status, started_at) VALUES (?, 5, 7, 'buttons', 'mixed', 1, 20, 'running', ?)",
        (GUILD, NOW),
    ),
}


async def fill(db: Database) -> None:
    """Two rows in each table whose ids leave the database, and the rows hanging on them."""
    for name in ("Premiere", "Encore"):
        await db.execute(
            "INSERT INTO guild_events (guild_id, name, name_key, event_date, created_by, created_at) "
            "VALUES (?, ?, ?, '2026-03-05', 7, ?)",
            (GUILD, name, name.casefold(), NOW),
        )
    for milestone in ("7", "1"):
        await db.execute(
            "INSERT INTO announcement_posts (guild_id, target_key, release_date, milestone, kind, due_at, wake_at, "
            "status, nonce) VALUES (?, 'event:2', '2026-03-05', ?, 'countdown', ?, ?, 'scheduled', ?)",
            (GUILD, milestone, NOW, NOW, "n" + milestone),
        )
    for user in (7, 8):
        await db.execute(
            "INSERT INTO reminder_subscriptions (user_id, guild_id, target_key, offsets, region, timezone, "
            "created_at) VALUES (?, ?, 'event:2', '1d,release', 'US', 'UTC', ?)",
            (user, GUILD, NOW),
        )
        for offset in ("1d", "release"):
            await db.execute(
                "INSERT INTO reminders (subscription_id, user_id, target_key, release_date, offset_text, due_at, "
                "wake_at, status) VALUES ((SELECT id FROM reminder_subscriptions WHERE user_id = ?), ?, 'event:2', "
                "'2026-03-05', ?, ?, ?, 'scheduled')",
                (user, user, offset, NOW, NOW),
            )
    for channel in (1, 2):
        await db.execute(
            "INSERT INTO trivia_games (guild_id, channel_id, starter_id, mode, difficulty, question_count, seconds, "
            "status, started_at) VALUES (?, ?, 7, 'buttons', 'mixed', 1, 20, 'running', ?)",
            (GUILD, channel, NOW),
        )
        game = await db.fetch_value("SELECT max(id) FROM trivia_games")
        await db.execute(
            "INSERT INTO trivia_running (channel_id, guild_id, game_id) VALUES (?, ?, ?)", (channel, GUILD, game)
        )
        await db.execute(
            "INSERT INTO trivia_rounds (game_id, number, question_key, question_json, asked_at) "
            "VALUES (?, 1, 'q', '{}', ?)",
            (game, NOW),
        )
        await db.execute(
            "INSERT INTO trivia_answers (game_id, round_number, guild_id, user_id, answer, correct, time_ms, points, "
            "answered_at) VALUES (?, 1, ?, 8, 'a', 1, 100, 100, ?)",
            (game, GUILD, NOW),
        )


async def contents(db: Database) -> dict[str, list[tuple[object, ...]]]:
    tables = (
        "guild_events", "announcement_posts", "reminder_subscriptions", "reminders", "trivia_games",
        "trivia_running", "trivia_rounds", "trivia_answers",
    )  # fmt: skip
    return {
        table: [tuple(row) for row in await db.fetch_all(f"SELECT * FROM {table} ORDER BY rowid")] for table in tables
    }


async def test_an_upgraded_database_keeps_its_rows_and_never_hands_a_deleted_id_out_again(tmp_path: Path) -> None:
    async with Database.connect(tmp_path / "m.db") as db:
        await migrate(db, target=BEFORE_REBUILD)
        await fill(db)
        before = await contents(db)
        # The rebuild itself keeps every row as it was (later migrations may add columns).
        await migrate(db, target=BEFORE_REBUILD + 1)
        assert await contents(db) == before
        await migrate(db)
        assert await db.fetch_all("PRAGMA foreign_key_check") == []
        assert await db.fetch_value("PRAGMA integrity_check") == "ok"

        # Foreign keys still cascade: a game takes its rounds, answers and running row with it, and a
        # subscription its reminders.
        await db.execute("DELETE FROM trivia_games WHERE id = 1")
        assert await db.fetch_value("SELECT count(*) FROM trivia_answers WHERE game_id = 1") == 0
        assert await db.fetch_value("SELECT count(*) FROM trivia_running WHERE game_id = 1") == 0
        await db.execute("DELETE FROM reminder_subscriptions WHERE user_id = 7")
        assert await db.fetch_value("SELECT count(*) FROM reminders WHERE user_id = 7") == 0

        # A DM's batch id is a reminder's id: the newest reminder's id is not reused either.
        newest = await db.fetch_value("SELECT max(id) FROM reminders")
        await db.execute("DELETE FROM reminders WHERE id = ?", (newest,))
        subscription = await db.fetch_value("SELECT max(id) FROM reminder_subscriptions")
        await db.execute(
            "INSERT INTO reminders (subscription_id, user_id, target_key, release_date, offset_text, due_at, wake_at, "
            "status) VALUES (?, 8, 'film:b', '2026-04-01', 'release', ?, ?, 'scheduled')",
            (subscription, NOW, NOW),
        )
        assert await db.fetch_value("SELECT max(id) FROM reminders") == newest + 1

        for table, (insert, params) in NEW_ROW.items():
            newest = await db.fetch_value(f"SELECT max(id) FROM {table}")
            await db.execute(f"DELETE FROM {table} WHERE id = ?", (newest,))
            await db.execute(insert, params)
            assert await db.fetch_value(f"SELECT max(id) FROM {table}") == newest + 1, table


async def test_an_event_id_still_named_by_a_key_is_not_handed_out_after_the_upgrade(tmp_path: Path) -> None:
    """An event deleted before the upgrade left its id in members' subscriptions: the sequence starts above it."""
    async with Database.connect(tmp_path / "m.db") as db:
        await migrate(db, target=BEFORE_REBUILD)
        await fill(db)
        await db.execute("DELETE FROM guild_events WHERE id = 2")  # still named by 'event:2' keys
        await migrate(db)
        insert, params = NEW_ROW["guild_events"]
        await db.execute(insert, params)
        assert await db.fetch_value("SELECT max(id) FROM guild_events") == 3


async def test_a_column_added_before_the_rebuild_stops_it_instead_of_being_dropped(tmp_path: Path) -> None:
    """Another migration ordered before this one must be folded into it: the copy refuses to lose a column."""
    async with Database.connect(tmp_path / "m.db") as db:
        await migrate(db, target=BEFORE_REBUILD)
        await fill(db)
        await db.execute("ALTER TABLE announcement_posts ADD COLUMN extra TEXT")
        with pytest.raises(sqlite3.OperationalError, match="values"):
            await migrate(db)
        assert await schema_version(db) == BEFORE_REBUILD
        assert await db.fetch_value("SELECT count(*) FROM announcement_posts") == 2
