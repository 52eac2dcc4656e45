"""GuildDataRepository on real migrated SQLite files: departures, and deleting everything about a server."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from db import AnnouncementRepository, Database, GuildDataRepository
from db.repositories import AnnouncementSettings, Mirror, NewPost
from db.repositories.guilds import GUILD_TABLES
from tests.db import schema

GUILD = 1_100_000_000_000_000_001
OTHER = 1_100_000_000_000_000_002
THIRD = 1_100_000_000_000_000_003
NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
STAMP = "2024-06-01T12:00:00.000000+00:00"


@pytest.fixture
def guilds(db: Database) -> GuildDataRepository:
    return GuildDataRepository(db)


async def tables(db: Database) -> list[str]:
    return await schema.table_names(db)


async def columns(db: Database, table: str) -> set[str]:
    return set(await schema.column_names(db, table))


async def foreign_keys(db: Database, table: str) -> list[tuple[str, str]]:
    """(parent table, ON DELETE action) of each foreign key of `table`."""
    return await schema.foreign_keys(db, table)


async def count(db: Database, table: str, where: str = "1 = 1", params: tuple[Any, ...] = ()) -> int:
    return int(await db.fetch_value(f"SELECT COUNT(*) FROM {table} WHERE {where}", params))


# ---- the schema -------------------------------------------------------------------------------------------


async def test_every_table_with_a_guild_id_is_purged(db: Database) -> None:
    with_guild_id = {table for table in await tables(db) if "guild_id" in await columns(db, table)}
    assert with_guild_id, "the schema has no guild_id columns at all?"
    missing = with_guild_id - set(GUILD_TABLES)
    assert not missing, f"tables with a guild_id that a purge would leave behind: {sorted(missing)}"
    # And every listed table exists with a guild_id column (else the purge's DELETE would fail).
    assert set(GUILD_TABLES) <= with_guild_id
    assert len(GUILD_TABLES) == len(set(GUILD_TABLES))


async def test_guild_data_without_a_guild_id_goes_by_cascade(db: Database) -> None:
    """A table without guild_id holding a server's rows must hang off a purged table by ON DELETE CASCADE."""
    scoped = set(GUILD_TABLES)
    others = [table for table in await tables(db) if table not in scoped]
    changed = True
    while changed:  # children of children (trivia_answers -> trivia_rounds -> trivia_games) count too
        changed = False
        for table in others:
            if table in scoped:
                continue
            for parent, on_delete in await foreign_keys(db, table):
                if parent in scoped:
                    assert on_delete == "CASCADE", f"{table} references {parent} without ON DELETE CASCADE"
                    scoped.add(table)
                    changed = True
    assert {"trivia_rounds", "reminders"} <= scoped - set(GUILD_TABLES)


async def test_guild_tables_list_children_before_parents(db: Database) -> None:
    position = {table: i for i, table in enumerate(GUILD_TABLES)}
    for table in GUILD_TABLES:
        for parent, _ in await foreign_keys(db, table):
            if parent in position and parent != table:
                assert position[table] < position[parent], f"{table} must be purged before its parent {parent}"


# ---- departures -------------------------------------------------------------------------------------------


async def test_the_first_departure_counts(guilds: GuildDataRepository) -> None:
    assert await guilds.departures() == {}
    await guilds.departed(GUILD, NOW)
    await guilds.departed(GUILD, NOW + dt.timedelta(days=3))
    await guilds.departed(OTHER, NOW + dt.timedelta(hours=1))
    assert await guilds.departures() == {GUILD: NOW, OTHER: NOW + dt.timedelta(hours=1)}


async def test_departure_times_are_kept_as_utc_instants(db: Database, guilds: GuildDataRepository) -> None:
    tokyo = dt.timezone(dt.timedelta(hours=9))
    await guilds.departed(GUILD, dt.datetime(2024, 6, 1, 21, 0, tzinfo=tokyo))
    assert await db.fetch_value("SELECT left_at FROM guild_departures") == STAMP
    [left_at] = (await guilds.departures()).values()
    assert left_at == NOW and left_at.utcoffset() == dt.timedelta(0)


async def test_returning_cancels_a_pending_departure(guilds: GuildDataRepository) -> None:
    assert await guilds.returned(GUILD) is False
    await guilds.departed(GUILD, NOW)
    await guilds.departed(OTHER, NOW)
    assert await guilds.returned(GUILD) is True
    assert await guilds.returned(GUILD) is False
    assert await guilds.departures() == {OTHER: NOW}
    # Leaving again starts a new grace period from the new time.
    await guilds.departed(GUILD, NOW + dt.timedelta(days=2))
    assert (await guilds.departures())[GUILD] == NOW + dt.timedelta(days=2)


# ---- seeding every table ----------------------------------------------------------------------------------


def announcement_settings(guild_id: int) -> AnnouncementSettings:
    return AnnouncementSettings(
        guild_id, 10, "09:00", "UTC", "GB", "7,1,0", None, False, False, None, False, ("film:one",), NOW
    )


async def seed(db: Database, guild_id: int, n: int) -> None:
    """At least one valid row about `guild_id` in every table that holds a server's data.

    `n` keeps the ids of different servers apart (members, channels, games).
    """
    announcements = AnnouncementRepository(db)
    await announcements.save_settings(announcement_settings(guild_id))
    event = await announcements.add_event(
        guild_id,
        "Watch party",
        dt.date(2024, 7, 1),
        start_time=None,
        timezone=None,
        description=None,
        created_by=500 + n,
        now=NOW,
        limit=100,
    )
    assert event is not None
    await announcements.replace_plan(
        guild_id,
        [
            NewPost("film:one", dt.date(2024, 7, 1), "7", "countdown", NOW, f"n{n}a"),
            NewPost(event.target_key, dt.date(2024, 7, 1), "0", "release", NOW, f"n{n}b"),
        ],
        NOW,
    )
    await announcements.remember_dates(guild_id, {"film:one": dt.date(2024, 7, 1)})
    await announcements.save_mirror(guild_id, Mirror("film:one", 900 + n, NOW))

    for sql in (
        "INSERT INTO guild_settings (guild_id, timezone, region, updated_at) VALUES (?, 'UTC', 'GB', ?)",
        "INSERT INTO guild_departures (guild_id, left_at) VALUES (?, ?)",
        "INSERT INTO trivia_settings (guild_id, channel_id, seconds, updated_at) VALUES (?, 0, 20, ?)",
        "INSERT INTO trivia_daily_settings (guild_id, channel_id, post_time, updated_at) VALUES (?, 10, '09:00', ?)",
        "INSERT INTO trivia_recent_questions (guild_id, question_key, asked_at) VALUES (?, 'q1', ?)",
        "INSERT INTO trivia_daily (guild_id, day, question_key, question_json, posted_at) "
        "VALUES (?, '2024-06-01', 'q2', '{}', ?)",
    ):
        await db.execute(sql, (guild_id, STAMP))
    await db.execute(
        "INSERT INTO trivia_daily_posts (guild_id, day, channel_id, due_at, wake_at, status, nonce) "
        "VALUES (?, '2024-06-01', 10, ?, ?, 'sent', ?)",
        (guild_id, STAMP, STAMP, f"daily{n}"),
    )
    await db.execute(
        "INSERT INTO trivia_daily_answers (guild_id, day, user_id, answer, correct, answered_at) "
        "VALUES (?, '2024-06-01', ?, 'a', 1, ?)",
        (guild_id, 600 + n, STAMP),
    )
    game_id = 70 + n
    await db.execute(
        "INSERT INTO trivia_games (id, guild_id, channel_id, starter_id, mode, difficulty, question_count, seconds, "
        "status, started_at) VALUES (?, ?, ?, ?, 'buttons', 'medium', 5, 20, 'running', ?)",
        (game_id, guild_id, 800 + n, 600 + n, STAMP),
    )
    await db.execute(
        "INSERT INTO trivia_running (channel_id, guild_id, game_id) VALUES (?, ?, ?)", (800 + n, guild_id, game_id)
    )
    await db.execute(
        "INSERT INTO trivia_rounds (game_id, number, question_key, question_json, asked_at) "
        "VALUES (?, 1, 'q1', '{}', ?)",
        (game_id, STAMP),
    )
    await db.execute(
        "INSERT INTO trivia_answers (game_id, round_number, guild_id, user_id, answer, correct, time_ms, points, "
        "answered_at) VALUES (?, 1, ?, ?, 'a', 1, 1500, 10, ?)",
        (game_id, guild_id, 600 + n, STAMP),
    )
    # Reminders: one for a server event made in the server, one for a film made in the server.
    for kind, target in (("event", event.target_key), ("film", "film:one")):
        subscription = await db.fetch_value(
            "INSERT INTO reminder_subscriptions (user_id, guild_id, target_key, offsets, region, timezone, created_at) "
            "VALUES (?, ?, ?, '1d', 'GB', 'UTC', ?) RETURNING id",
            (600 + n, guild_id, target, STAMP),
        )
        await db.execute(
            "INSERT INTO reminders (subscription_id, user_id, target_key, release_date, offset_text, due_at, wake_at, "
            "status, nonce) VALUES (?, ?, ?, '2024-07-01', '1d', ?, ?, 'scheduled', ?)",
            (subscription, 600 + n, target, STAMP, STAMP, f"{kind}{n}"),
        )


async def guild_rows(db: Database, guild_id: int) -> dict[str, int]:
    return {table: await count(db, table, "guild_id = ?", (guild_id,)) for table in GUILD_TABLES}


async def test_the_seed_covers_every_purged_table(db: Database) -> None:
    """Keeps the purge test honest: a newly listed table must get rows here too."""
    await seed(db, GUILD, 1)
    empty = [table for table, rows in (await guild_rows(db, GUILD)).items() if rows == 0]
    assert empty == []


# ---- purge ------------------------------------------------------------------------------------------------


async def test_purge_deletes_every_row_of_that_server_only(db: Database, guilds: GuildDataRepository) -> None:
    await seed(db, GUILD, 1)
    await seed(db, OTHER, 2)
    await db.execute(
        "INSERT INTO user_settings (user_id, timezone, region, updated_at) VALUES (601, 'UTC', 'GB', ?)", (STAMP,)
    )
    before = await guild_rows(db, GUILD)
    other_before = await guild_rows(db, OTHER)
    film_reminder_rows = 1  # the film subscription is the member's: it loses its server and stays

    deleted = await guilds.purge(GUILD)

    assert deleted == sum(before.values()) - film_reminder_rows
    assert await guild_rows(db, GUILD) == dict.fromkeys(GUILD_TABLES, 0)
    assert await guild_rows(db, OTHER) == other_before
    # Rows without a guild_id went with their parents.
    assert await count(db, "trivia_rounds", "game_id = 71") == 0
    assert await count(db, "trivia_rounds", "game_id = 72") == 1
    assert await count(db, "reminders", "user_id = 601 AND target_key LIKE 'event:%'") == 0
    # A member's film reminder survives, no longer tied to the server.
    kept = await db.fetch_all("SELECT guild_id, target_key FROM reminder_subscriptions WHERE user_id = 601")
    assert [(row["guild_id"], row["target_key"]) for row in kept] == [(None, "film:one")]
    assert await count(db, "reminders", "user_id = 601 AND target_key = 'film:one'") == 1
    assert await count(db, "user_settings") == 1
    # Nothing is left for a second purge.
    assert await guilds.purge(GUILD) == 0
    assert await db.integrity_problems() == []
    assert await schema.foreign_key_problems(db) == []


async def test_known_guilds_are_the_servers_with_anything_stored(db: Database, guilds: GuildDataRepository) -> None:
    assert await guilds.known_guilds() == set()
    await seed(db, GUILD, 1)
    await db.execute(
        "INSERT INTO trivia_recent_questions (guild_id, question_key, asked_at) VALUES (?, 'q', ?)", (OTHER, STAMP)
    )
    await guilds.departed(THIRD, NOW)
    assert await guilds.known_guilds() == {GUILD, OTHER, THIRD}
    await guilds.purge(GUILD)
    assert await guilds.known_guilds() == {OTHER, THIRD}


async def test_known_guilds_ignore_rows_that_belong_to_no_server(db: Database, guilds: GuildDataRepository) -> None:
    # A film reminder asked for in a DM has no server; neither has one whose server was purged.
    await db.execute(
        "INSERT INTO reminder_subscriptions (user_id, guild_id, target_key, offsets, region, timezone, created_at) "
        "VALUES (601, NULL, 'film:one', '1d', 'GB', 'UTC', ?)",
        (STAMP,),
    )
    await seed(db, GUILD, 2)
    await guilds.purge(GUILD)
    assert await count(db, "reminder_subscriptions", "guild_id IS NULL") == 2
    known = await guilds.known_guilds()
    assert None not in known  # else every start would record a departure of "server None"
    assert known == set()
