"""PrivacyRepository, checked against the migrated schema itself rather than a hand-kept list of tables.

The schema is read from the database's own catalogue (tests/db/schema.py), so a new table or column is scanned
too: after `erase` a member's id must be in no column of any table, and a new column that can hold
a member's id fails the guard test until `USER_COLUMNS` covers it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from db import AnnouncementRepository, Database, TriviaRepository
from db.repositories.privacy import ANONYMISED, USER_COLUMNS, PrivacyRepository, member_key
from db.repositories.reminders import NewReminder, ReminderRepository
from db.repositories.trivia import TriviaAnswer
from tests.db import schema as tables

# Neither id's digits occur inside the other, nor in any other value seeded here.
GONE = 734_512_908_811_223_344
STAYS = 918_273_645_500_112_299
GUILD = 1_000_000_000_000_000_001
CHANNEL = 1_100_000_000_000_000_001
OTHER_CHANNEL = 1_100_000_000_000_000_002
THIRD_CHANNEL = 1_100_000_000_000_000_003
NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
DAY = dt.date(2024, 6, 1)
RELEASE = dt.date(2024, 7, 1)
ERASED_AT = NOW + dt.timedelta(hours=2)

# Column names that hold a member's id, whatever the table.
USER_COLUMN_NAMES = ("created_by", "starter_id", "winner_id")

Snapshot = dict[str, dict[int, tuple[Any, ...]]]


def at(minutes: float) -> dt.datetime:
    return NOW + dt.timedelta(minutes=minutes)


# ---- the schema -------------------------------------------------------------------------------------------------


async def schema(db: Database) -> dict[str, list[str]]:
    """Every table of the migrated database and its columns."""
    return {table: await tables.column_names(db, table) for table in await tables.table_names(db)}


def holds_a_user(column: str) -> bool:
    return column.endswith("user_id") or column in USER_COLUMN_NAMES


async def snapshot(db: Database) -> Snapshot:
    """Every row of every table, by where it is stored (a row updated moves on PostgreSQL: only compare
    snapshots to find the rows changed or deleted)."""
    result: Snapshot = {}
    for table in await schema(db):
        rows = await db.fetch_all(f"SELECT {tables.row_address(db)} AS rowid_, * FROM {table}")
        result[table] = {row["rowid_"]: tuple(row)[1:] for row in rows}
    return result


async def where_is(db: Database, user_id: int) -> dict[str, int]:
    """'table.column' -> how many rows hold the id anywhere in that column (also inside text)."""
    found = {}
    for table, columns in (await schema(db)).items():
        for column in columns:
            count = await db.fetch_value(
                f"SELECT COUNT(*) FROM {table} WHERE CAST({column} AS TEXT) LIKE '%' || ? || '%'", (str(user_id),)
            )
            if count:
                found[f"{table}.{column}"] = count
    return found


async def rows_of(db: Database, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """What an export must hold: every row whose user columns name the member, as dicts."""
    result = {}
    for table, columns in (await schema(db)).items():
        user_columns = [c for c in columns if holds_a_user(c)]
        if not user_columns:
            continue
        where = " OR ".join(f"{c} = ?" for c in user_columns)
        rows = await db.fetch_all(f"SELECT * FROM {table} WHERE {where}", [user_id] * len(user_columns))
        result[table] = sorted(({k: row[k] for k in row.keys()} for row in rows), key=repr)  # noqa: SIM118
    return result


def normalised(export: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    return {table: sorted(rows, key=repr) for table, rows in export.items()}


# ---- the data ---------------------------------------------------------------------------------------------------


async def seed(db: Database) -> None:
    """Both members in every table USER_COLUMNS lists, plus the guild and trivia rows those rows hang on."""
    for user, zone, quiet in ((GONE, "Europe/Paris", ("22:00", "07:00")), (STAYS, "UTC", (None, None))):
        await db.execute(
            "INSERT INTO user_settings (user_id, timezone, region, updated_at, quiet_start, quiet_end) "
            "VALUES (?, ?, 'FR', ?, ?, ?)",
            (user, zone, NOW.isoformat(), *quiet),
        )

    announcements = AnnouncementRepository(db)
    mine = await announcements.add_event(
        GUILD, "Watch party", RELEASE, start_time="20:00", timezone="Europe/Paris", description="bring snacks",
        created_by=GONE, now=NOW, limit=100,
    )  # fmt: skip
    theirs = await announcements.add_event(
        GUILD,
        "Trailer drop",
        RELEASE,
        start_time=None,
        timezone=None,
        description=None,
        created_by=STAYS,
        now=NOW,
        limit=100,
    )
    assert mine is not None and theirs is not None

    reminders = ReminderRepository(db)
    for user, targets in ((GONE, ("film:one", f"event:{mine.id}")), (STAYS, ("film:one", f"event:{theirs.id}"))):
        for target in targets:
            sub, _ = await reminders.subscribe(
                user, GUILD, target, "1d,release", NOW, region="FR", timezone="Europe/Paris", limit=10
            )
            plan = [NewReminder(RELEASE, "1d", at(5)), NewReminder(RELEASE, "release", at(60 * 24))]
            await reminders.replace_plan(sub, plan, NOW)
    for batch in await reminders.claim_due(at(5), dt.timedelta(0)):
        await reminders.mark_sent(batch, 4242, at(5), dt.timedelta(hours=1))
    await reminders.set_dm_channel(STAYS, THIRD_CHANNEL, NOW)
    await reminders.set_dm_channel(GONE, OTHER_CHANNEL, NOW)
    await reminders.mark_undeliverable(GONE, "DMs closed", NOW)

    trivia = TriviaRepository(db)
    await trivia.set_settings(GUILD, 0, seconds=20, now=NOW)
    await trivia.set_daily_settings(GUILD, channel_id=CHANNEL, post_time="09:00", now=NOW)

    async def game(channel: int, starter: int, answers: dict[int, bool], winner: int | None, minute: int) -> int:
        started = await trivia.start_game(
            guild_id=GUILD, channel_id=channel, starter_id=starter, mode="buttons", difficulty="mixed",
            film_key="one", question_count=1, seconds=20, now=at(minute),
        )  # fmt: skip
        assert started is not None
        await trivia.add_round(started.id, 1, f"q{minute}", '{"question": "?"}', at(minute), film_key="one")
        await trivia.mark_asked(GUILD, [f"q{minute}"], at(minute))
        for user, correct in answers.items():
            await trivia.record_answer(
                game_id=started.id, round_number=1, guild_id=GUILD, user_id=user, answer="a", correct=correct,
                time_ms=1500, points=100 if correct else 0, now=at(minute + 0.5),
            )  # fmt: skip
        if winner is not None or minute < 30:
            await trivia.close_round(started.id, 1, at(minute + 1))
            await trivia.finish_game(started.id, status="finished", winner_id=winner, now=at(minute + 1))
        return started.id

    await game(CHANNEL, GONE, {GONE: True, STAYS: False}, GONE, 0)  # started and won by the same member
    await game(CHANNEL, STAYS, {GONE: True, STAYS: False}, GONE, 10)
    await game(CHANNEL, GONE, {GONE: False, STAYS: True}, STAYS, 20)
    await game(OTHER_CHANNEL, GONE, {GONE: True}, None, 30)  # still running

    await trivia.create_daily(GUILD, DAY, "qd", '{"question": "?"}', channel_id=CHANNEL, now=NOW)
    await trivia.set_daily_message(GUILD, DAY, channel_id=CHANNEL, message_id=5151)
    await trivia.record_daily_answer(GUILD, DAY, GONE, answer="a", correct=True, now=at(1))
    await trivia.record_daily_answer(GUILD, DAY, STAYS, answer="b", correct=False, now=at(2))


# ---- tests ------------------------------------------------------------------------------------------------------


async def test_every_column_that_can_hold_a_member_is_covered(db: Database) -> None:
    tables = await schema(db)
    user_columns = {(t, c) for t, columns in tables.items() for c in columns if holds_a_user(c)}
    covered = {(t, c) for t, columns in USER_COLUMNS.items() for c in columns}
    assert user_columns - covered == set(), "privacy.USER_COLUMNS must handle these columns"
    assert covered - user_columns == set(), "USER_COLUMNS names columns the schema does not have"
    # the columns found by name are the ones we expect today (a sanity check of the scan itself)
    assert {"reminders", "trivia_games", "guild_events", "user_settings"} <= {t for t, _ in user_columns}
    # rows that are shared history are anonymised, everything else deleted: both need a real table
    assert set(ANONYMISED) <= set(USER_COLUMNS)


async def test_seed_reaches_every_table_privacy_handles(db: Database) -> None:
    await seed(db)
    gone, stays = await where_is(db, GONE), await where_is(db, STAYS)
    expected = {f"{t}.{c}" for t, columns in USER_COLUMNS.items() for c in columns}
    # each member is in every user column, and nowhere else
    assert set(gone) == expected
    assert set(stays) == expected
    assert gone["reminders.user_id"] == 4
    assert gone["trivia_games.starter_id"] == 3
    assert gone["trivia_games.winner_id"] == 2


async def test_erase_removes_the_member_from_every_column_and_leaves_others_alone(db: Database) -> None:
    await seed(db)
    privacy = PrivacyRepository(db)
    before = await snapshot(db)
    stays_before = await where_is(db, STAYS)
    holding_gone = {
        (table, rowid) for table, rows in before.items() for rowid, row in rows.items() if any(v == GONE for v in row)
    }
    games = len(before["trivia_games"])

    count = await privacy.erase(GONE, ERASED_AT)

    assert await where_is(db, GONE) == {}
    after = await snapshot(db)
    touched = {
        (table, rowid)
        for table, rows in before.items()
        for rowid, row in rows.items()
        if after[table].get(rowid) != row
    }
    # exactly the rows that named the member were deleted or changed ...
    assert touched == holding_gone
    # ... and erase reports each of them once, cascades included
    assert len(touched) == 18
    assert count == 18
    # the other member is where they were
    assert await where_is(db, STAYS) == stays_before
    for table, rows in before.items():
        for rowid, row in rows.items():
            if (table, rowid) not in holding_gone:
                assert after[table][rowid] == row, f"{table} row {rowid} changed"
    # shared history stays, anonymised
    assert len(after["trivia_games"]) == games
    games_now = await db.fetch_all("SELECT starter_id, winner_id FROM trivia_games ORDER BY id")
    assert [tuple(g) for g in games_now] == [(0, None), (STAYS, None), (0, STAYS), (0, None)]
    events = await db.fetch_all("SELECT name, created_by FROM guild_events ORDER BY id")
    assert [tuple(e) for e in events] == [("Watch party", 0), ("Trailer drop", STAYS)]
    assert await db.fetch_value("SELECT COUNT(*) FROM trivia_running") == 1  # the game goes on

    assert await privacy.erase(GONE, ERASED_AT) == 0
    assert await privacy.export(GONE) == {table: [] for table in USER_COLUMNS}


async def test_erase_counts_what_export_showed(db: Database) -> None:
    """What /privacy show says is stored is what /privacy delete says it removed."""
    await seed(db)
    privacy = PrivacyRepository(db)
    shown = sum(len(rows) for rows in (await privacy.export(GONE)).values())
    assert shown == 18
    assert await privacy.erase(GONE, ERASED_AT) == shown


async def test_export_returns_exactly_the_members_rows(db: Database) -> None:
    await seed(db)
    privacy = PrivacyRepository(db)
    for user in (GONE, STAYS):
        exported = await privacy.export(user)
        assert set(exported) == set(USER_COLUMNS)
        assert normalised(exported) == await rows_of(db, user)
        assert all(exported[table] for table in USER_COLUMNS), "every table has a row of each member"
    exported = await privacy.export(GONE)
    assert {table: len(rows) for table, rows in exported.items()} == {
        "user_settings": 1,
        "reminder_subscriptions": 2,
        "reminders": 4,
        "dm_recipients": 1,
        "trivia_answers": 4,
        "trivia_daily_answers": 1,
        "trivia_games": 4,
        "guild_events": 1,
    }
    [settings] = exported["user_settings"]
    assert (settings["user_id"], settings["quiet_start"], settings["quiet_end"]) == (GONE, "22:00", "07:00")
    [recipient] = exported["dm_recipients"]
    assert (recipient["dm_channel_id"], recipient["undeliverable"]) == (OTHER_CHANNEL, "DMs closed")


async def test_erasing_a_member_with_no_data_changes_nothing_but_remembers_the_erasure(db: Database) -> None:
    """Their answers may still be in flight (a trivia game's memory): the erasure is remembered, by key only."""
    await seed(db)
    before = await snapshot(db)
    assert await PrivacyRepository(db).erase(12345, ERASED_AT) == 0
    after = await snapshot(db)
    erasures = after.pop("member_erasures")
    before.pop("member_erasures")
    assert after == before
    assert [row[0] for row in erasures.values()] == [member_key(12345)]
    assert await where_is(db, 12345) == {}


# ---- erasure racing the work in flight --------------------------------------------------------------------------


async def test_work_in_flight_when_the_member_erases_writes_none_of_their_data_back(db: Database) -> None:
    """Every feature's in-flight work began before the erasure and writes after it: nothing of the member returns.

    In flight: a DM batch claimed (its DM is being sent), a subscription being planned, a subscription being
    made, a trivia game running with the member's answers in memory, and a daily answer on its way.
    """
    await seed(db)
    reminders, trivia, privacy = ReminderRepository(db), TriviaRepository(db), PrivacyRepository(db)
    began = at(60 * 24)
    await reminders.clear_undeliverable(GONE, began)  # the seed closed their DMs
    [batch] = [b for b in await reminders.claim_due(began, dt.timedelta(0)) if b.user_id == GONE]
    planning = await reminders.subscription(GONE, "film:one")
    assert planning is not None
    game = await trivia.start_game(
        guild_id=GUILD, channel_id=THIRD_CHANNEL, starter_id=STAYS, mode="buttons", difficulty="mixed",
        film_key=None, question_count=2, seconds=20, now=began,
    )  # fmt: skip
    assert game is not None
    for number in (1, 2):
        await trivia.add_round(game.id, number, f"r{number}", "{}", began, film_key=None)
    tomorrow = DAY + dt.timedelta(days=1)
    await trivia.create_daily(GUILD, tomorrow, "qd2", "{}", channel_id=CHANNEL, now=began)

    await privacy.erase(GONE, began + dt.timedelta(seconds=1))
    written = began + dt.timedelta(seconds=2)
    answered = began + dt.timedelta(milliseconds=500)

    await reminders.set_dm_channel(GONE, THIRD_CHANNEL, written, since=batch.claimed_at)
    await reminders.set_introduced(GONE, written, since=batch.claimed_at)
    await reminders.mark_undeliverable(GONE, "DMs closed", written, since=batch.claimed_at)
    await reminders.mark_sent(batch, 777, written, dt.timedelta(minutes=5))
    await reminders.retry_later(batch, written, "try again")
    assert await reminders.replace_plan(planning, [NewReminder(RELEASE, "7d", at(60 * 24 * 20))], written) == 0
    assert (
        await reminders.subscribe(
            GONE, GUILD, "film:two", "release", written, region="FR", timezone="UTC", limit=10, since=began
        )
        is None
    )
    assert not await trivia.record_answer(
        game_id=game.id, round_number=1, guild_id=GUILD, user_id=GONE, answer="a", correct=True, time_ms=500,
        points=100, now=answered,
    )  # fmt: skip
    late = TriviaAnswer(game.id, 2, GUILD, GONE, "b", True, 400, 100, answered)
    friend = TriviaAnswer(game.id, 2, GUILD, STAYS, "c", False, 900, 0, answered)
    assert await trivia.record_answers([late, friend]) == 1
    ended = await trivia.finish_game(game.id, status="finished", winner_id=GONE, now=written)
    assert ended is not None and ended.winner_id is None
    assert not await trivia.record_daily_answer(GUILD, tomorrow, GONE, answer="a", correct=True, now=answered)

    assert await where_is(db, GONE) == {}
    assert await privacy.export(GONE) == {table: [] for table in USER_COLUMNS}
    # the others' work in flight is written as usual
    await reminders.set_introduced(STAYS, written, since=began)
    assert (await reminders.recipient(STAYS)) is not None
    assert [a.user_id for a in await trivia.round_answers(game.id, 2)] == [STAYS]


async def test_after_an_erasure_new_work_is_written_and_the_erasure_is_forgotten_a_day_later(db: Database) -> None:
    await seed(db)
    reminders, privacy = ReminderRepository(db), PrivacyRepository(db)
    erased = at(60)
    await privacy.erase(GONE, erased)
    later = erased + dt.timedelta(seconds=1)
    # the member comes back: what they ask for now is kept
    subscribed = await reminders.subscribe(
        GONE, GUILD, "film:one", "release", later, region="FR", timezone="UTC", limit=10
    )
    assert subscribed is not None
    await reminders.set_dm_channel(GONE, THIRD_CHANNEL, later)
    assert (await reminders.recipient(GONE)) is not None
    # the one-way key of the erasure goes once no work can still be in flight
    await privacy.erase(STAYS, erased + dt.timedelta(days=1, seconds=1))
    keys = [row["member_key"] for row in await db.fetch_all("SELECT member_key FROM member_erasures")]
    assert keys == [member_key(STAYS)]
