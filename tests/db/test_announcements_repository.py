"""AnnouncementRepository on real migrated SQLite files: events, settings, pauses, the plan and the outbox."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import AnnouncementRepository, Database
from db.names import clean_name
from db.repositories import AnnouncementPost, AnnouncementSettings, Mirror, NewPost, Shards
from db.repositories.announcements import PlanChange, Reconciliation, TooManyEvents, name_key

# Guild ids are chosen so that (id >> 22) % 2 differs: GUILD and OTHER are on shard 0, ODD on shard 1 of 2.
GUILD = 1000 << 22 | 12345
OTHER = 1002 << 22 | 777
ODD = 1001 << 22 | 12345
CHANNEL = 1_200_000_000_000_000_001
ROLE = 1_300_000_000_000_000_001
ADMIN = 1_400_000_000_000_000_001
NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
DAY = dt.date(2024, 7, 1)
GRACE = dt.timedelta(hours=6)


def at(hours: float) -> dt.datetime:
    return NOW + dt.timedelta(hours=hours)


def post(
    target: str = "film:one",
    milestone: str = "7",
    due: dt.datetime = NOW,
    *,
    day: dt.date = DAY,
    kind: Any = "countdown",
    detail: str | None = None,
) -> NewPost:
    return NewPost(target, day, milestone, kind, due, f"{target}|{day}|{milestone}", detail)


def config(guild_id: int = GUILD, **changes: Any) -> AnnouncementSettings:
    base = AnnouncementSettings(
        guild_id=guild_id,
        channel_id=CHANNEL,
        post_time="09:30",
        timezone="Europe/Paris",
        region="FR",
        milestones="30,7,1,0",
        role_id=ROLE,
        anniversaries=True,
        mirror_events=False,
        paused_reason=None,
        notice_pending=False,
        targets=("event:1", "film:one"),
        updated_at=NOW,
    )
    return replace(base, **changes)


@pytest.fixture
def repo(db: Database) -> AnnouncementRepository:
    return AnnouncementRepository(db)


async def rows(db: Database, guild_id: int = GUILD) -> list[tuple[str, str, str]]:
    """(target, milestone, status) of every post of a guild, in a stable order."""
    found = await db.fetch_all(
        "SELECT target_key, milestone, status FROM announcement_posts "
        "WHERE guild_id = ? ORDER BY target_key, milestone",
        (guild_id,),
    )
    return [(r["target_key"], r["milestone"], r["status"]) for r in found]


async def post_id(db: Database, target: str, milestone: str, guild_id: int = GUILD) -> int:
    value = await db.fetch_value(
        "SELECT id FROM announcement_posts WHERE guild_id = ? AND target_key = ? AND milestone = ?",
        (guild_id, target, milestone),
    )
    assert value is not None
    return int(value)


async def the_post(repo: AnnouncementRepository, pid: int) -> AnnouncementPost:
    found = await repo.post(pid)
    assert found is not None
    return found


async def set_status(db: Database, pid: int, status: str) -> None:
    await db.execute("UPDATE announcement_posts SET status = ? WHERE id = ?", (status, pid))


async def held(db: Database, repo: AnnouncementRepository, pid: int) -> int:
    """The post `pid`, taken by `repo`'s owner as a claim would (to record its outcome)."""
    await db.execute(
        "UPDATE announcement_posts SET status = 'sending', lease_owner = ? WHERE id = ?", (repo.lease.owner, pid)
    )
    return pid


async def count(db: Database, table: str, guild_id: int = GUILD) -> int:
    return int(await db.fetch_value(f"SELECT COUNT(*) FROM {table} WHERE guild_id = ?", (guild_id,)))


async def add_event(repo: AnnouncementRepository, name: str, day: dt.date = DAY, **kw: Any) -> Any:
    args: dict[str, Any] = {
        "start_time": None,
        "timezone": None,
        "description": None,
        "created_by": ADMIN,
        "now": NOW,
        "limit": 100,
    }
    args.update(kw)
    guild_id = args.pop("guild_id", GUILD)
    return await repo.add_event(guild_id, name, day, **args)


# ---- events -----------------------------------------------------------------------------------------------


def test_name_key_ignores_case_and_spacing() -> None:
    assert name_key("  Watch   Party ") == "watch party"
    assert name_key("WATCH\tparty") == "watch party"
    assert name_key("Straße") == name_key("STRASSE")
    assert name_key("Watch Party") != name_key("WatchParty")


async def test_add_event_stores_every_field(repo: AnnouncementRepository) -> None:
    event = await add_event(
        repo,
        "Watch Party",
        start_time="20:00",
        timezone="Europe/Paris",
        description="Bring snacks",
        now=dt.datetime(2024, 6, 1, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    )
    assert event is not None
    assert (event.guild_id, event.name, event.day, event.start_time, event.timezone, event.description) == (
        GUILD,
        "Watch Party",
        DAY,
        "20:00",
        "Europe/Paris",
        "Bring snacks",
    )
    assert event.created_by == ADMIN
    assert event.created_at == NOW
    assert event.created_at.utcoffset() == dt.timedelta(0)
    assert event.target_key == f"event:{event.id}"
    assert await repo.events(GUILD) == [event]


@pytest.mark.parametrize("again", ["Watch Party", "watch party", "  WATCH   party  ", "Watch\tParty"])
async def test_a_duplicate_name_in_any_case_or_spacing_is_refused(repo: AnnouncementRepository, again: str) -> None:
    first = await add_event(repo, "Watch Party")
    assert first is not None
    assert await add_event(repo, again, dt.date(2024, 8, 1)) is None
    assert await repo.events(GUILD) == [first]
    assert await repo.event_count(GUILD) == 1


async def test_the_same_name_is_fine_in_another_server(repo: AnnouncementRepository) -> None:
    assert await add_event(repo, "Watch Party") is not None
    assert await add_event(repo, "watch party", guild_id=OTHER) is not None
    assert await repo.event_count(GUILD) == 1
    assert await repo.event_count(OTHER) == 1


async def test_events_are_ordered_by_day_then_time_then_name(repo: AnnouncementRepository) -> None:
    await add_event(repo, "zeta", dt.date(2024, 7, 2))
    await add_event(repo, "Late show", dt.date(2024, 7, 1), start_time="21:00", timezone="UTC")
    await add_event(repo, "beta", dt.date(2024, 7, 1))
    await add_event(repo, "Alpha", dt.date(2024, 7, 1))
    await add_event(repo, "Matinee", dt.date(2024, 7, 1), start_time="14:00", timezone="UTC")
    await add_event(repo, "Earlier", dt.date(2024, 6, 15))
    await add_event(repo, "Elsewhere", dt.date(2024, 6, 1), guild_id=OTHER)
    assert [e.name for e in await repo.events(GUILD)] == ["Earlier", "Alpha", "beta", "Matinee", "Late show", "zeta"]
    assert await repo.event_count(GUILD) == 6
    assert await repo.event_count(OTHER) == 1
    assert await repo.event_count(ODD) == 0
    assert await repo.events(ODD) == []


async def test_remove_event_takes_its_scheduled_posts_and_dates_but_not_sent_ones(
    db: Database, repo: AnnouncementRepository
) -> None:
    await repo.save_settings(config())
    party = await add_event(repo, "Watch Party")
    other = await add_event(repo, "Premiere")
    key, other_key = party.target_key, other.target_key
    await repo.replace_plan(
        GUILD,
        [post(key, "30", at(-1)), post(key, "7", at(24)), post(key, "1", at(48)), post(other_key, "7", at(24))],
        NOW,
    )
    await repo.mark_sent(
        await held(db, repo, await post_id(db, key, "30")), channel_id=CHANNEL, message_id=1, late=False, now=NOW
    )
    await repo.remember_dates(GUILD, {key: DAY, other_key: DAY, "film:one": DAY})

    removed = await repo.remove_event(GUILD, "  WATCH party ")

    assert removed == party
    assert await repo.events(GUILD) == [other]
    assert await rows(db) == [(key, "30", "sent"), (other_key, "7", "scheduled")]
    assert await repo.known_dates(GUILD) == {other_key: DAY, "film:one": DAY}
    assert await repo.remove_event(GUILD, "Watch Party") is None


async def test_remove_event_leaves_other_servers_alone(db: Database, repo: AnnouncementRepository) -> None:
    await add_event(repo, "Watch Party")
    theirs = await add_event(repo, "Watch Party", guild_id=OTHER)
    await repo.add_post(OTHER, post(theirs.target_key, "7", at(24)))
    assert await repo.remove_event(GUILD, "watch party") is not None
    assert await repo.events(OTHER) == [theirs]
    assert await rows(db, OTHER) == [(theirs.target_key, "7", "scheduled")]
    assert await repo.remove_event(GUILD, "nothing by that name") is None


# ---- settings ---------------------------------------------------------------------------------------------


async def test_settings_round_trip(repo: AnnouncementRepository) -> None:
    assert await repo.settings(GUILD) is None
    saved = config(targets=("film:two", "event:3", "film:one"))
    await repo.save_settings(saved)
    assert await repo.settings(GUILD) == replace(saved, targets=("event:3", "film:one", "film:two"))


async def test_settings_without_a_role_or_targets(repo: AnnouncementRepository) -> None:
    saved = config(role_id=None, anniversaries=False, mirror_events=True, targets=())
    await repo.save_settings(saved)
    assert await repo.settings(GUILD) == saved


async def test_saving_again_replaces_everything(db: Database, repo: AnnouncementRepository) -> None:
    await repo.save_settings(config())
    newer = config(
        channel_id=CHANNEL + 1,
        post_time="18:00",
        timezone="America/New_York",
        region="US",
        milestones="1",
        role_id=None,
        anniversaries=False,
        mirror_events=True,
        targets=("film:two",),
        updated_at=at(1),
    )
    await repo.save_settings(newer)
    assert await repo.settings(GUILD) == newer
    assert await count(db, "announcement_targets") == 1


async def test_all_settings_lists_every_server_with_its_own_targets(repo: AnnouncementRepository) -> None:
    await repo.save_settings(config(OTHER, targets=("film:two",)))
    await repo.save_settings(config(GUILD, targets=()))
    await repo.save_settings(config(ODD, targets=("event:9", "event:10")))
    assert await repo.all_settings() == [
        config(GUILD, targets=()),
        config(ODD, targets=("event:10", "event:9")),
        config(OTHER, targets=("film:two",)),
    ]


async def test_saving_clears_a_pause(repo: AnnouncementRepository) -> None:
    await repo.save_settings(config())
    assert await repo.pause(GUILD, "the channel was deleted")
    await repo.save_settings(config(channel_id=CHANNEL + 5))
    stored = await repo.settings(GUILD)
    assert stored is not None
    assert stored.paused_reason is None
    assert stored.notice_pending is False
    assert await repo.guilds_with_notices() == []


async def test_turn_off_keeps_only_the_history(db: Database, repo: AnnouncementRepository) -> None:
    await repo.save_settings(config())
    await repo.save_settings(config(OTHER))
    plan = [post("film:one", m, at(h)) for m, h in (("30", -3), ("14", -2), ("7", -1), ("1", 24), ("0", 48))]
    await repo.replace_plan(GUILD, plan, NOW)
    await repo.replace_plan(OTHER, plan, NOW)
    await repo.mark_sent(
        await held(db, repo, await post_id(db, "film:one", "30")), channel_id=CHANNEL, message_id=9, late=False, now=NOW
    )
    await repo.mark_finished(
        await held(db, repo, await post_id(db, "film:one", "14")), "failed", "the channel was deleted", NOW
    )
    await repo.mark_finished(await held(db, repo, await post_id(db, "film:one", "7")), "skipped", "missed", NOW)
    await repo.remember_dates(GUILD, {"film:one": DAY})
    await repo.save_mirror(GUILD, Mirror("film:one", 55, at(24)))

    assert await repo.turn_off(GUILD) is True

    assert await repo.settings(GUILD) is None
    assert await count(db, "announcement_targets") == 0
    assert await count(db, "announcement_dates") == 0
    assert await count(db, "announcement_mirrors") == 0
    assert await rows(db) == [("film:one", "14", "failed"), ("film:one", "30", "sent"), ("film:one", "7", "skipped")]
    assert len(await repo.recent(GUILD)) == 3
    assert await repo.upcoming(GUILD) == []
    # Another server is untouched.
    assert await repo.settings(OTHER) == config(OTHER)
    assert len(await rows(db, OTHER)) == 5
    assert await repo.turn_off(GUILD) is False


# ---- pauses and notices -----------------------------------------------------------------------------------


async def test_only_the_first_pause_counts(repo: AnnouncementRepository) -> None:
    assert await repo.pause(GUILD, "no settings yet") is False
    await repo.save_settings(config())
    assert await repo.pause(GUILD, "the channel was deleted") is True
    assert await repo.pause(GUILD, "Marquee is missing a permission") is False
    stored = await repo.settings(GUILD)
    assert stored is not None
    assert stored.paused_reason == "the channel was deleted"
    assert stored.notice_pending is True


async def test_take_notice_tells_the_reason_exactly_once(repo: AnnouncementRepository) -> None:
    await repo.save_settings(config())
    await repo.save_settings(config(OTHER))
    assert await repo.take_notice(GUILD) is None
    await repo.pause(GUILD, "the channel was deleted")
    await repo.pause(OTHER, "removed")
    assert sorted(await repo.guilds_with_notices()) == sorted([GUILD, OTHER])

    assert await repo.take_notice(GUILD) == "the channel was deleted"
    assert await repo.take_notice(GUILD) is None
    assert await repo.guilds_with_notices() == [OTHER]
    stored = await repo.settings(GUILD)
    assert stored is not None
    assert stored.paused_reason == "the channel was deleted"  # still paused, just no longer news
    assert stored.notice_pending is False
    assert await repo.take_notice(ODD) is None


async def test_a_deleted_role_is_dropped_once_and_its_warning_told_once(repo: AnnouncementRepository) -> None:
    await repo.save_settings(config(role_id=77))
    assert await repo.drop_role(GUILD, 78, "gone") is False  # not the configured role
    assert await repo.drop_role(GUILD, 77, "the role was deleted") is True
    assert await repo.drop_role(GUILD, 77, "the role was deleted") is False
    stored = await repo.settings(GUILD)
    assert stored is not None and stored.role_id is None and stored.paused_reason is None
    assert await repo.guilds_with_notices() == [GUILD]
    assert await repo.take_notice(GUILD) is None  # not a pause
    assert await repo.take_warning(GUILD) == "the role was deleted"
    assert await repo.take_warning(GUILD) is None
    assert await repo.guilds_with_notices() == []
    # Saving the settings again is the admin acting on it: an untold warning goes.
    await repo.save_settings(config(role_id=79))
    await repo.drop_role(GUILD, 79, "deleted too")
    await repo.save_settings(config(role_id=80))
    assert await repo.take_warning(GUILD) is None


async def test_resume_lifts_only_a_pause_for_that_reason(repo: AnnouncementRepository) -> None:
    await repo.save_settings(config())
    assert await repo.resume(GUILD, "removed") is False  # not paused at all
    await repo.pause(GUILD, "removed")
    assert await repo.resume(GUILD, "the channel was deleted") is False
    stored = await repo.settings(GUILD)
    assert stored is not None and stored.paused_reason == "removed"

    assert await repo.resume(GUILD, "removed") is True
    stored = await repo.settings(GUILD)
    assert stored is not None
    assert (stored.paused_reason, stored.notice_pending) == (None, False)
    assert await repo.guilds_with_notices() == []
    assert await repo.resume(GUILD, "removed") is False
    assert await repo.pause(GUILD, "again") is True  # a new pause counts as the first again


# ---- the plan ---------------------------------------------------------------------------------------------


async def test_replace_plan_inserts_scheduled_rows(db: Database, repo: AnnouncementRepository) -> None:
    plan = [
        post("film:one", "7", at(24)),
        post("film:one", "release", at(48), kind="release"),
        post("event:1", "date_change", at(1), day=dt.date(2024, 8, 1), kind="date_change", detail="2024-07-20"),
    ]
    assert await repo.replace_plan(GUILD, plan, NOW) == PlanChange(3, 0, 0)
    upcoming = await repo.upcoming(GUILD)
    assert [(p.target_key, p.milestone, p.kind, p.release_date, p.detail) for p in upcoming] == [
        ("event:1", "date_change", "date_change", dt.date(2024, 8, 1), "2024-07-20"),
        ("film:one", "7", "countdown", DAY, None),
        ("film:one", "release", "release", DAY, None),
    ]
    first = upcoming[0]
    assert first.guild_id == GUILD
    assert first.status == "scheduled"
    assert first.due_at == first.wake_at == at(1)
    assert (first.attempts, first.late, first.reason) == (0, False, None)
    assert first.nonce == "event:1|2024-08-01|date_change"
    assert (first.channel_id, first.message_id, first.finished_at) == (None, None, None)


async def test_replace_plan_twice_changes_nothing(db: Database, repo: AnnouncementRepository) -> None:
    plan = [post("film:one", m, at(h)) for m, h in (("30", -1), ("7", 24), ("1", 48))]
    await repo.replace_plan(GUILD, plan, NOW)
    before = await repo.upcoming(GUILD, limit=10)
    assert await repo.replace_plan(GUILD, plan, NOW) == PlanChange(0, 0, 0)
    assert await repo.upcoming(GUILD, limit=10) == before
    assert await count(db, "announcement_posts") == 3


async def test_replace_plan_moves_scheduled_rows_in_place(db: Database, repo: AnnouncementRepository) -> None:
    await repo.replace_plan(GUILD, [post("film:one", "7", at(24)), post("film:one", "1", at(48))], NOW)
    pid = await post_id(db, "film:one", "7")
    change = await repo.replace_plan(GUILD, [post("film:one", "7", at(30)), post("film:one", "1", at(48))], NOW)
    assert change == PlanChange(0, 1, 0)
    moved = await the_post(repo, pid)
    assert (moved.due_at, moved.wake_at, moved.status) == (at(30), at(30), "scheduled")


async def test_replace_plan_never_moves_rows_that_left_the_queue(db: Database, repo: AnnouncementRepository) -> None:
    await repo.replace_plan(GUILD, [post("film:one", "7", at(-1)), post("film:one", "1", at(-2))], NOW)
    sent = await post_id(db, "film:one", "7")
    sending = await post_id(db, "film:one", "1")
    await repo.mark_sent(await held(db, repo, sent), channel_id=CHANNEL, message_id=3, late=False, now=NOW)
    await set_status(db, sending, "sending")
    change = await repo.replace_plan(GUILD, [post("film:one", "7", at(5)), post("film:one", "1", at(5))], NOW)
    assert change == PlanChange(0, 0, 0)
    assert (await the_post(repo, sent)).due_at == at(-1)
    assert (await the_post(repo, sending)).due_at == at(-2)
    assert (await the_post(repo, sending)).status == "sending"


async def test_replace_plan_drops_future_rows_no_longer_planned(db: Database, repo: AnnouncementRepository) -> None:
    plan = [
        post("film:one", "30", at(-5)),  # past due, still waiting to be sent
        post("film:one", "14", at(-4)),  # already sent
        post("film:one", "7", at(24)),
        post("film:one", "1", at(48)),
        post("film:two", "7", at(72)),
    ]
    await repo.replace_plan(GUILD, plan, NOW)
    await repo.replace_plan(OTHER, plan, NOW)
    sent = await post_id(db, "film:one", "14")
    await repo.mark_sent(await held(db, repo, sent), channel_id=CHANNEL, message_id=4, late=False, now=at(-4))

    change = await repo.replace_plan(GUILD, [post("film:one", "7", at(24))], NOW)

    assert change == PlanChange(0, 0, 2)
    assert await rows(db) == [
        ("film:one", "14", "sent"),
        ("film:one", "30", "scheduled"),
        ("film:one", "7", "scheduled"),
    ]
    assert len(await rows(db, OTHER)) == 5
    # An empty plan removes the rest of the future, never the past.
    assert await repo.replace_plan(GUILD, [], NOW) == PlanChange(0, 0, 1)
    assert await rows(db) == [("film:one", "14", "sent"), ("film:one", "30", "scheduled")]


async def test_a_date_change_replaces_the_rows_of_the_old_date(db: Database, repo: AnnouncementRepository) -> None:
    await repo.replace_plan(GUILD, [post("film:one", "7", at(24), day=DAY)], NOW)
    later = DAY + dt.timedelta(days=7)
    change = await repo.replace_plan(GUILD, [post("film:one", "7", at(24 * 8), day=later)], NOW)
    assert change == PlanChange(1, 0, 1)
    assert [(p.release_date, p.due_at) for p in await repo.upcoming(GUILD)] == [(later, at(24 * 8))]


async def test_times_must_be_aware_and_are_stored_in_utc(db: Database, repo: AnnouncementRepository) -> None:
    paris = dt.timezone(dt.timedelta(hours=2))
    await repo.replace_plan(GUILD, [post("film:one", "7", dt.datetime(2024, 6, 2, 11, 30, tzinfo=paris))], NOW)
    assert await db.fetch_value("SELECT due_at FROM announcement_posts") == "2024-06-02T09:30:00.000000+00:00"
    with pytest.raises(ValueError):
        await repo.replace_plan(GUILD, [post("film:one", "1", dt.datetime(2024, 6, 2, 9, 30))], NOW)
    assert await count(db, "announcement_posts") == 1


async def test_add_post_is_idempotent(db: Database, repo: AnnouncementRepository) -> None:
    await repo.replace_plan(GUILD, [post("film:one", "7", at(24))], NOW)
    notice = post("film:one", "date_change:2024-07-01", at(1), kind="date_change", detail="2024-06-20")
    assert await repo.add_post(GUILD, notice) is True
    assert await repo.add_post(GUILD, replace(notice, due_at=at(2), detail="other")) is False
    assert await repo.add_post(GUILD, post("film:one", "7", at(3))) is False  # already planned
    stored = await the_post(repo, await post_id(db, "film:one", "date_change:2024-07-01"))
    assert (stored.due_at, stored.wake_at, stored.detail, stored.kind) == (at(1), at(1), "2024-06-20", "date_change")
    assert await count(db, "announcement_posts") == 2
    assert await repo.add_post(OTHER, notice) is True


async def test_known_dates_are_replaced_by_remember_dates(repo: AnnouncementRepository) -> None:
    await repo.save_settings(config())
    await repo.save_settings(config(OTHER))
    assert await repo.known_dates(GUILD) == {}
    await repo.remember_dates(GUILD, {"film:one": DAY, "event:1": dt.date(2024, 9, 1)})
    await repo.remember_dates(OTHER, {"film:one": dt.date(2025, 1, 1)})
    assert await repo.known_dates(GUILD) == {"film:one": DAY, "event:1": dt.date(2024, 9, 1)}
    await repo.remember_dates(GUILD, {"film:two": dt.date(2024, 12, 25)})
    assert await repo.known_dates(GUILD) == {"film:two": dt.date(2024, 12, 25)}
    assert await repo.known_dates(OTHER) == {"film:one": dt.date(2025, 1, 1)}


# ---- reconcile --------------------------------------------------------------------------------------------


async def test_reconcile_resumes_interrupted_posts_and_skips_old_ones(
    db: Database, repo: AnnouncementRepository
) -> None:
    await repo.save_settings(config())
    plan = [
        post("film:one", "sending", at(-1)),  # caught mid-send by a crash, recently due
        post("film:one", "old", at(-7)),  # missed by more than the grace window
        post("film:one", "recent", at(-5)),  # missed, but within the grace window
        post("film:one", "future", at(3)),
        post("film:one", "sent", at(-30)),
    ]
    await repo.replace_plan(GUILD, plan, NOW)
    await set_status(db, await post_id(db, "film:one", "sending"), "sending")
    await repo.mark_sent(
        await held(db, repo, await post_id(db, "film:one", "sent")),
        channel_id=CHANNEL,
        message_id=1,
        late=False,
        now=NOW,
    )

    assert await repo.reconcile(NOW, GRACE, Shards()) == Reconciliation(resumed=1, skipped=1)

    assert await rows(db) == [
        ("film:one", "future", "scheduled"),
        ("film:one", "old", "skipped"),
        ("film:one", "recent", "scheduled"),
        ("film:one", "sending", "scheduled"),
        ("film:one", "sent", "sent"),
    ]
    old = await the_post(repo, await post_id(db, "film:one", "old"))
    assert old.reason is not None and old.reason.startswith("missed")
    assert old.finished_at == NOW
    resumed = await the_post(repo, await post_id(db, "film:one", "sending"))
    assert resumed.nonce == "film:one|2024-07-01|sending"  # resent as the same message
    assert await repo.reconcile(NOW, GRACE, Shards()) == Reconciliation(0, 0)


async def test_reconcile_only_touches_its_own_shards(db: Database, repo: AnnouncementRepository) -> None:
    for guild_id in (GUILD, ODD):
        await repo.replace_plan(guild_id, [post("film:one", "old", at(-10)), post("film:one", "x", at(-1))], NOW)
        await set_status(db, await post_id(db, "film:one", "x", guild_id), "sending")
    assert await repo.reconcile(NOW, GRACE, Shards(2, [1])) == Reconciliation(1, 1)
    assert await rows(db, ODD) == [("film:one", "old", "skipped"), ("film:one", "x", "scheduled")]
    assert await rows(db, GUILD) == [("film:one", "old", "scheduled"), ("film:one", "x", "sending")]


# ---- claiming ---------------------------------------------------------------------------------------------


async def test_claim_due_takes_only_due_posts_and_marks_them(db: Database, repo: AnnouncementRepository) -> None:
    await repo.save_settings(config())
    await repo.replace_plan(GUILD, [post("film:one", "7", at(-1)), post("film:one", "1", at(1))], NOW)
    claimed = await repo.claim_due(NOW, Shards())
    assert [(p.target_key, p.milestone) for p in claimed] == [("film:one", "7")]
    # What the caller gets back is the claimed row: being sent, on its first try.
    assert (claimed[0].status, claimed[0].attempts) == ("sending", 1)
    stored = await the_post(repo, claimed[0].id)
    assert (stored.status, stored.attempts) == ("sending", 1)
    assert claimed[0] == stored
    assert await rows(db) == [("film:one", "1", "scheduled"), ("film:one", "7", "sending")]
    # No double claim.
    assert await repo.claim_due(NOW, Shards()) == []
    assert await repo.claim_due(at(0.5), Shards()) == []


async def test_a_post_due_exactly_now_is_claimed(repo: AnnouncementRepository) -> None:
    await repo.save_settings(config())
    await repo.replace_plan(GUILD, [post("film:one", "0", NOW)], NOW)
    assert len(await repo.claim_due(NOW, Shards())) == 1


async def test_claim_due_skips_paused_servers_and_servers_without_settings(
    db: Database, repo: AnnouncementRepository
) -> None:
    await repo.save_settings(config(GUILD))
    await repo.save_settings(config(OTHER))
    await repo.pause(OTHER, "the channel was deleted")
    for guild_id in (GUILD, OTHER, ODD):  # ODD never configured announcements
        await repo.replace_plan(guild_id, [post("film:one", "7", at(-1))], NOW)
    claimed = await repo.claim_due(NOW, Shards())
    assert [p.guild_id for p in claimed] == [GUILD]
    assert await rows(db, OTHER) == [("film:one", "7", "scheduled")]
    assert await rows(db, ODD) == [("film:one", "7", "scheduled")]
    await repo.resume(OTHER, "the channel was deleted")
    assert [p.guild_id for p in await repo.claim_due(NOW, Shards())] == [OTHER]


async def test_claim_due_respects_the_limit_and_wake_order(db: Database, repo: AnnouncementRepository) -> None:
    await repo.save_settings(config())
    await repo.save_settings(config(OTHER))
    await repo.replace_plan(GUILD, [post("film:one", m, at(h)) for m, h in (("a", -1), ("b", -3), ("c", -2))], NOW)
    await repo.replace_plan(OTHER, [post("film:one", "d", at(-2.5)), post("film:one", "e", at(-2))], NOW)
    first = await repo.claim_due(NOW, Shards(), limit=2)
    assert [p.milestone for p in first] == ["b", "d"]
    second = await repo.claim_due(NOW, Shards(), limit=2)
    # "c" and "e" are due at the same moment: the older row goes first.
    assert [p.milestone for p in second] == ["c", "e"]
    assert [p.milestone for p in await repo.claim_due(NOW, Shards(), limit=2)] == ["a"]
    assert await repo.claim_due(NOW, Shards(), limit=2) == []


async def test_claim_due_only_serves_its_shards(db: Database, repo: AnnouncementRepository) -> None:
    big_even = (2**40 + 6) << 22 | 4_000_000  # a snowflake far in the future, shard 0 of 2
    big_odd = (2**40 + 7) << 22 | 4_000_000
    guilds = [GUILD, ODD, OTHER, big_even, big_odd]
    for guild_id in guilds:
        await repo.save_settings(config(guild_id))
        await repo.replace_plan(guild_id, [post("film:one", "7", at(-1))], NOW)
    assert await repo.next_wake(Shards(2, [0])) == at(-1)
    even = await repo.claim_due(NOW, Shards(2, [0]))
    assert sorted(p.guild_id for p in even) == sorted([GUILD, OTHER, big_even])
    assert all(Shards(2, [0]).owns(p.guild_id) for p in even)
    # Nothing left to claim: the next thing to do is to look again when these posts' leases run out.
    assert await repo.next_wake(Shards(2, [0])) == NOW + repo.lease.length
    assert await repo.next_wake(Shards(2, [1])) == at(-1)
    odd = await repo.claim_due(NOW, Shards(2, [1]))
    assert sorted(p.guild_id for p in odd) == sorted([ODD, big_odd])


def test_shards_defaults() -> None:
    assert Shards().sql() == ("1 = 1", ())
    assert Shards(1, [0]).owns(GUILD) and Shards(1, [0]).owns(ODD)
    assert Shards(0).count == 1
    assert Shards(4).ids == (0, 1, 2, 3)
    assert Shards(4, [3, 1, 3]).ids == (1, 3)
    assert Shards(2, [0]).owns(GUILD) and not Shards(2, [0]).owns(ODD)
    assert Shards(2, [1]).owns(ODD) and not Shards(2, [1]).owns(GUILD)


async def test_a_process_with_no_shards_claims_nothing(db: Database, repo: AnnouncementRepository) -> None:
    await repo.save_settings(config())
    await repo.replace_plan(GUILD, [post("film:one", "7", at(-1))], NOW)
    none = Shards(1, [])
    assert not none.owns(GUILD)
    assert await repo.next_wake(none) is None
    assert await repo.claim_due(NOW, none) == []
    assert len(await repo.claim_due(NOW, Shards(1, [0]))) == 1


SNOWFLAKES = st.integers(min_value=0, max_value=2**63 - 1)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    shard_count=st.integers(min_value=1, max_value=16),
    ids=st.lists(SNOWFLAKES, min_size=1, max_size=40, unique=True),
    data=st.data(),
)
async def test_shard_sql_agrees_with_owns(db: Database, shard_count: int, ids: list[int], data: st.DataObject) -> None:
    shard_ids = data.draw(st.sets(st.integers(min_value=0, max_value=shard_count - 1)))
    shards = Shards(shard_count, shard_ids)
    where, params = shards.sql("guild_id")
    values = ", ".join("(CAST(? AS BIGINT))" for _ in ids)
    found = await db.fetch_all(
        f"WITH ids (guild_id) AS (VALUES {values}) SELECT guild_id FROM ids WHERE {where}", (*ids, *params)
    )
    selected = {row["guild_id"] for row in found}
    assert selected == {g for g in ids if shards.owns(g)}
    assert selected == {g for g in ids if (g >> 22) % shard_count in shard_ids}


# ---- outcomes ---------------------------------------------------------------------------------------------


async def test_mark_sent_records_where_and_when(db: Database, repo: AnnouncementRepository) -> None:
    await repo.save_settings(config())
    await repo.replace_plan(GUILD, [post("film:one", "7", at(-1))], NOW)
    [claimed] = await repo.claim_due(NOW, Shards())
    await repo.retry_later(claimed.id, at(0), "Discord answered 503")
    [claimed] = await repo.claim_due(NOW, Shards())
    await repo.mark_sent(claimed.id, channel_id=CHANNEL, message_id=777, late=True, now=at(0.25))
    sent = await the_post(repo, claimed.id)
    assert (sent.status, sent.channel_id, sent.message_id, sent.late) == ("sent", CHANNEL, 777, True)
    assert sent.finished_at == at(0.25)
    assert sent.reason is None  # the earlier failure no longer explains anything
    assert sent.attempts == 2


async def test_mark_finished_records_the_reason(db: Database, repo: AnnouncementRepository) -> None:
    await repo.save_settings(config())
    await repo.replace_plan(GUILD, [post("film:one", "7", at(-1)), post("film:one", "1", at(-1))], NOW)
    first, second = await repo.claim_due(NOW, Shards())
    await repo.mark_finished(first.id, "failed", "the channel was deleted", at(0.1))
    await repo.mark_finished(second.id, "skipped", "the film or event no longer exists", at(0.2))
    failed, skipped = await the_post(repo, first.id), await the_post(repo, second.id)
    assert (failed.status, failed.reason, failed.finished_at) == ("failed", "the channel was deleted", at(0.1))
    assert (skipped.status, skipped.reason, skipped.finished_at) == (
        "skipped",
        "the film or event no longer exists",
        at(0.2),
    )
    assert (failed.channel_id, failed.message_id) == (None, None)


async def test_retry_later_puts_the_post_back_for_later(db: Database, repo: AnnouncementRepository) -> None:
    await repo.save_settings(config())
    await repo.replace_plan(GUILD, [post("film:one", "7", at(-1))], NOW)
    [claimed] = await repo.claim_due(NOW, Shards())
    await repo.retry_later(claimed.id, at(0.5), "network error (OSError)")
    waiting = await the_post(repo, claimed.id)
    assert (waiting.status, waiting.wake_at, waiting.due_at) == ("scheduled", at(0.5), at(-1))
    assert waiting.reason == "network error (OSError)"
    assert waiting.attempts == 1
    assert await repo.next_wake(Shards()) == at(0.5)
    assert await repo.claim_due(at(0.4), Shards()) == []
    [again] = await repo.claim_due(at(0.5), Shards())
    assert (again.id, again.attempts) == (claimed.id, 2)
    assert (await the_post(repo, claimed.id)).attempts == 2


async def test_next_wake_is_the_earliest_waiting_post_of_an_active_server(
    db: Database, repo: AnnouncementRepository
) -> None:
    assert await repo.next_wake(Shards()) is None
    await repo.save_settings(config(GUILD))
    await repo.save_settings(config(OTHER))
    await repo.replace_plan(ODD, [post("film:one", "no settings", at(1))], NOW)
    await repo.replace_plan(OTHER, [post("film:one", "paused", at(2))], NOW)
    await repo.pause(OTHER, "the channel was deleted")
    await repo.replace_plan(
        GUILD,
        [post("film:one", "sent", at(-3)), post("film:one", "sending", at(-2)), post("film:one", "next", at(5))],
        NOW,
    )
    await repo.mark_sent(
        await held(db, repo, await post_id(db, "film:one", "sent")),
        channel_id=CHANNEL,
        message_id=1,
        late=False,
        now=NOW,
    )
    await set_status(db, await post_id(db, "film:one", "sending"), "sending")
    assert await repo.next_wake(Shards()) == at(5)
    await repo.resume(OTHER, "the channel was deleted")
    assert await repo.next_wake(Shards()) == at(2)


async def test_upcoming_lists_waiting_posts_by_due_time(db: Database, repo: AnnouncementRepository) -> None:
    await repo.replace_plan(
        GUILD, [post("film:one", m, at(h)) for m, h in (("a", 5), ("b", 1), ("c", 3), ("d", -1), ("e", 2))], NOW
    )
    await repo.replace_plan(OTHER, [post("film:one", "x", at(0))], NOW)
    await set_status(db, await post_id(db, "film:one", "d"), "sending")
    await repo.mark_sent(
        await held(db, repo, await post_id(db, "film:one", "e")), channel_id=CHANNEL, message_id=1, late=False, now=NOW
    )
    assert [p.milestone for p in await repo.upcoming(GUILD)] == ["d", "b", "c", "a"]
    assert [p.milestone for p in await repo.upcoming(GUILD, limit=2)] == ["d", "b"]


async def test_recent_lists_finished_posts_newest_first(db: Database, repo: AnnouncementRepository) -> None:
    await repo.replace_plan(GUILD, [post("film:one", m, at(-1)) for m in "abcde"], NOW)
    await repo.replace_plan(OTHER, [post("film:one", "x", at(-1))], NOW)
    ids = {m: await post_id(db, "film:one", m) for m in "abcde"}
    await repo.mark_sent(await held(db, repo, ids["a"]), channel_id=CHANNEL, message_id=1, late=False, now=at(1))
    await repo.mark_finished(await held(db, repo, ids["b"]), "failed", "the channel was deleted", at(3))
    await repo.mark_finished(await held(db, repo, ids["c"]), "skipped", "the date changed before it was due", at(2))
    await repo.mark_sent(await held(db, repo, ids["d"]), channel_id=CHANNEL, message_id=2, late=False, now=at(3))
    await repo.mark_sent(
        await held(db, repo, await post_id(db, "film:one", "x", OTHER)),
        channel_id=1,
        message_id=3,
        late=False,
        now=at(9),
    )
    # "e" is still scheduled. At the same finish time the later row comes first.
    assert [p.milestone for p in await repo.recent(GUILD)] == ["d", "b", "c", "a"]
    assert [p.milestone for p in await repo.recent(GUILD, limit=1)] == ["d"]


async def test_skip_overdue_records_what_waited_out_a_pause(db: Database, repo: AnnouncementRepository) -> None:
    await repo.save_settings(config())
    plan = [post("film:one", m, at(h)) for m, h in (("old", -5), ("older", -10), ("sent", -8), ("soon", 1))]
    await repo.replace_plan(GUILD, plan, NOW)
    await repo.replace_plan(OTHER, plan, NOW)
    await repo.mark_sent(
        await held(db, repo, await post_id(db, "film:one", "sent")),
        channel_id=CHANNEL,
        message_id=1,
        late=False,
        now=NOW,
    )
    assert await repo.skip_overdue(GUILD, NOW) == 2
    assert await rows(db) == [
        ("film:one", "old", "skipped"),
        ("film:one", "older", "skipped"),
        ("film:one", "sent", "sent"),
        ("film:one", "soon", "scheduled"),
    ]
    skipped = await the_post(repo, await post_id(db, "film:one", "old"))
    assert skipped.reason is not None and "paused" in skipped.reason
    assert skipped.finished_at == NOW
    assert all(status == "scheduled" for _, _, status in await rows(db, OTHER))
    assert await repo.skip_overdue(GUILD, NOW) == 0


async def test_a_missing_post_is_none(repo: AnnouncementRepository) -> None:
    assert await repo.post(12345) is None


async def test_mirrors_are_saved_replaced_and_forgotten(repo: AnnouncementRepository) -> None:
    await repo.save_settings(config())
    assert await repo.mirrors(GUILD) == {}
    await repo.save_mirror(GUILD, Mirror("film:one", 11, at(24)))
    await repo.save_mirror(GUILD, Mirror("film:one", 12, at(30)))
    await repo.save_mirror(GUILD, Mirror("event:2", 13, at(40)))
    assert await repo.mirrors(GUILD) == {
        "film:one": Mirror("film:one", 12, at(30)),
        "event:2": Mirror("event:2", 13, at(40)),
    }
    await repo.forget_mirror(GUILD, "film:one")
    assert await repo.mirrors(GUILD) == {"event:2": Mirror("event:2", 13, at(40))}


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Caf\u00e9 night", "Cafe\u0301 night"),  # composed and decomposed é
        ("Watch party", "Watch party\u200b"),  # a trailing zero-width space
        ("Watch party", "Watch\u200d party"),  # a zero-width joiner inside
        ("Watch party", "\ufeffWATCH  party "),  # a byte-order mark, case, spacing
        ("Ｗatch party", "Watch party"),  # a full-width letter
    ],
)
def test_names_that_look_alike_have_one_key(one: str, other: str) -> None:
    assert name_key(one) == name_key(other)


@pytest.mark.parametrize("name", ["\u200b", "\u200b\u200c\u200d", "\u3164", "\u2800 \u115f", "\ufeff\u00ad"])
def test_a_name_that_shows_nothing_has_no_key(name: str) -> None:
    assert name_key(name) == "" and clean_name(name) == ""


def test_a_clean_name_is_composed_and_trimmed_but_keeps_its_joined_emoji() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean_name(f"\u200b  Cafe\u0301   {family} night\u200b ") == f"Caf\u00e9 {family} night"


async def test_an_event_whose_name_only_looks_different_is_the_same_event(repo: AnnouncementRepository) -> None:
    first = await repo.add_event(
        GUILD, "Caf\u00e9 night", dt.date(2030, 1, 1), start_time=None, timezone=None, description=None,
        created_by=ADMIN, now=NOW, limit=100,
    )  # fmt: skip
    assert first is not None
    again = await repo.add_event(
        GUILD, "CAFE\u0301 NIGHT\u200b", dt.date(2030, 1, 2), start_time=None, timezone=None, description=None,
        created_by=ADMIN, now=NOW, limit=100,
    )  # fmt: skip
    assert again is None


async def test_an_event_id_is_never_handed_out_again_after_its_event_is_removed(repo: AnnouncementRepository) -> None:
    async def add(guild_id: int, name: str) -> int:
        event = await repo.add_event(
            guild_id, name, dt.date(2030, 1, 1), start_time=None, timezone=None, description=None,
            created_by=ADMIN, now=NOW, limit=100,
        )  # fmt: skip
        assert event is not None
        return event.id

    first = await add(GUILD, "First")
    last = await add(GUILD, "Last")
    assert await repo.remove_event(GUILD, "Last") is not None
    # Another server's next event must not take the id old buttons and reminders still name.
    assert await add(OTHER, "Theirs") > last > first


async def test_an_event_past_the_servers_limit_is_refused_even_when_added_at_once(repo: AnnouncementRepository) -> None:
    added = await asyncio.gather(
        *(add_event(repo, f"party {number}", limit=3) for number in range(5)), return_exceptions=True
    )
    assert sum(isinstance(result, TooManyEvents) for result in added) == 2
    assert await repo.event_count(GUILD) == 3
    assert await add_event(repo, "elsewhere", guild_id=OTHER, limit=3) is not None
