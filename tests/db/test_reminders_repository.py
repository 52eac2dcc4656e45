"""ReminderRepository on real migrated SQLite files: subscriptions, the DM outbox, batches and recipients."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import Database
from db.repositories.announcements import Reconciliation
from db.repositories.reminders import (
    OVERDUE,
    Batch,
    NewReminder,
    Recipient,
    ReminderRepository,
    Subscription,
    TooManyReminders,
    batch_nonce,
)

ALICE = 1_500_000_000_000_000_001
BOB = 1_500_000_000_000_000_002
CAROL = 1_500_000_000_000_000_003
GUILD = 1_000_000_000_000_000_001
NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
RELEASE = dt.date(2024, 7, 1)
DIGEST = dt.timedelta(minutes=5)
GRACE = dt.timedelta(hours=6)


def at(minutes: float) -> dt.datetime:
    return NOW + dt.timedelta(minutes=minutes)


@pytest.fixture
def repo(db: Database) -> ReminderRepository:
    return ReminderRepository(db)


async def follow(
    repo: ReminderRepository, user_id: int, target: str = "film:one", offsets: str = "7d,1d,release", **kw: Any
) -> Subscription:
    options: dict[str, Any] = {"region": "FR", "timezone": "Europe/Paris", "limit": 10, **kw}
    subscription, _ = await repo.subscribe(user_id, GUILD, target, offsets, NOW, **options)
    return subscription


def due(offset: str, minutes: float, day: dt.date = RELEASE) -> NewReminder:
    return NewReminder(day, offset, at(minutes))


async def outbox(db: Database, user_id: int) -> dict[str, tuple[Any, ...]]:
    """offset_text -> (status, batch_id, attempts, due_at, wake_at) of every reminder row of a member."""
    found = await db.fetch_all(
        "SELECT offset_text, status, batch_id, attempts, due_at, wake_at FROM reminders WHERE user_id = ?",
        (user_id,),
    )
    return {
        r["offset_text"]: (
            r["status"],
            r["batch_id"],
            r["attempts"],
            dt.datetime.fromisoformat(r["due_at"]),
            dt.datetime.fromisoformat(r["wake_at"]),
        )
        for r in found
    }


async def row_id(db: Database, user_id: int, offset: str) -> int:
    value = await db.fetch_value("SELECT id FROM reminders WHERE user_id = ? AND offset_text = ?", (user_id, offset))
    assert value is not None
    return int(value)


async def statuses(db: Database, user_id: int) -> dict[str, str]:
    return {offset: row[0] for offset, row in (await outbox(db, user_id)).items()}


# ---- subscriptions ----------------------------------------------------------------------------------------------


async def test_subscribe_creates_then_updates_offsets_region_and_timezone(repo: ReminderRepository) -> None:
    first, new = await repo.subscribe(
        ALICE, GUILD, "film:one", "7d,1d", NOW, region="FR", timezone="Europe/Paris", limit=5
    )
    assert new is True
    assert (first.user_id, first.guild_id, first.target_key, first.offsets) == (ALICE, GUILD, "film:one", "7d,1d")
    assert (first.region, first.timezone, first.created_at) == ("FR", "Europe/Paris", NOW)

    second, new = await repo.subscribe(
        ALICE, None, "film:one", "release", at(60), region="US", timezone="America/New_York", limit=5
    )
    assert new is False
    assert second.id == first.id
    assert (second.offsets, second.region, second.timezone) == ("release", "US", "America/New_York")
    # where and when they first subscribed stays
    assert (second.guild_id, second.created_at) == (GUILD, NOW)
    assert await repo.subscriptions(ALICE) == [second]
    assert await repo.subscription(ALICE, "film:one") == second
    assert await repo.subscription(ALICE, "film:two") is None


async def test_subscribe_refuses_a_new_target_at_the_limit_but_updates_an_existing_one(
    repo: ReminderRepository,
) -> None:
    await follow(repo, ALICE, "film:one", limit=2)
    await follow(repo, ALICE, "film:two", limit=2)
    with pytest.raises(TooManyReminders) as raised:
        await follow(repo, ALICE, "film:three", limit=2)
    assert raised.value.limit == 2
    assert [s.target_key for s in await repo.subscriptions(ALICE)] == ["film:one", "film:two"]

    updated, new = await repo.subscribe(ALICE, GUILD, "film:two", "1d", NOW, region="FR", timezone="UTC", limit=2)
    assert (new, updated.offsets, updated.timezone) == (False, "1d", "UTC")
    # the limit is per member
    assert (await repo.subscribe(BOB, GUILD, "film:three", "1d", NOW, region="FR", timezone="UTC", limit=2))[1]


async def test_unsubscribe_removes_the_subscription_and_its_reminders(repo: ReminderRepository, db: Database) -> None:
    one = await follow(repo, ALICE, "film:one")
    two = await follow(repo, ALICE, "film:two")
    await repo.replace_plan(one, [due("7d", 10), due("1d", 20)], NOW)
    await repo.replace_plan(two, [due("7d", 30)], NOW)

    assert await repo.unsubscribe(ALICE, "film:one") is True
    assert [s.target_key for s in await repo.subscriptions(ALICE)] == ["film:two"]
    remaining = await db.fetch_all("SELECT target_key, offset_text FROM reminders")
    assert [(r["target_key"], r["offset_text"]) for r in remaining] == [("film:two", "7d")]
    assert await repo.unsubscribe(ALICE, "film:one") is False


async def test_unsubscribe_all_only_touches_that_member(repo: ReminderRepository, db: Database) -> None:
    for target in ("film:one", "film:two", "event:3"):
        await repo.replace_plan(await follow(repo, ALICE, target), [due("1d", 10)], NOW)
    await repo.replace_plan(await follow(repo, BOB, "film:one"), [due("1d", 10)], NOW)

    assert await repo.unsubscribe_all(ALICE) == 3
    assert await repo.subscriptions(ALICE) == []
    assert await repo.scheduled(ALICE) == []
    assert [s.user_id for s in await repo.all_subscriptions()] == [BOB]
    assert len(await repo.scheduled(BOB)) == 1
    assert await repo.unsubscribe_all(ALICE) == 0


async def test_subscribers_and_all_subscriptions(repo: ReminderRepository) -> None:
    a1 = await follow(repo, ALICE, "film:one")
    b1 = await follow(repo, BOB, "film:one")
    a2 = await follow(repo, ALICE, "event:7")
    assert await repo.subscribers("film:one") == [a1, b1]
    assert await repo.subscribers("event:7") == [a2]
    assert await repo.subscribers("film:nope") == []
    assert await repo.all_subscriptions() == [a1, b1, a2]
    # A removed server event: everyone stops following it, and only it.
    assert await repo.unsubscribe_everyone("film:one") == 2
    assert await repo.all_subscriptions() == [a2]
    assert await repo.unsubscribe_everyone("film:one") == 0


# ---- the plan ---------------------------------------------------------------------------------------------------


async def test_replace_plan_inserts_scheduled_rows_and_is_idempotent(repo: ReminderRepository, db: Database) -> None:
    sub = await follow(repo, ALICE)
    plan = [due("7d", 60), due("1d", 120), due("release", 180)]
    assert await repo.replace_plan(sub, plan, NOW) == 3
    rows = await outbox(db, ALICE)
    assert rows == {
        "7d": ("scheduled", None, 0, at(60), at(60)),
        "1d": ("scheduled", None, 0, at(120), at(120)),
        "release": ("scheduled", None, 0, at(180), at(180)),
    }
    ids = {offset: await row_id(db, ALICE, offset) for offset in rows}

    assert await repo.replace_plan(sub, plan, NOW) == 0
    assert await outbox(db, ALICE) == rows
    assert {offset: await row_id(db, ALICE, offset) for offset in rows} == ids
    scheduled = await repo.scheduled(ALICE)
    assert [(r.offset_text, r.due_at, r.release_date, r.subscription_id) for r in scheduled] == [
        ("7d", at(60), RELEASE, sub.id),
        ("1d", at(120), RELEASE, sub.id),
        ("release", at(180), RELEASE, sub.id),
    ]


async def test_replace_plan_moves_a_scheduled_row_in_place(repo: ReminderRepository, db: Database) -> None:
    sub = await follow(repo, ALICE)
    await repo.replace_plan(sub, [due("7d", 60), due("1d", 120)], NOW)
    before = await row_id(db, ALICE, "1d")

    assert await repo.replace_plan(sub, [due("7d", 60), due("1d", 150)], NOW) == 1
    assert (await outbox(db, ALICE))["1d"] == ("scheduled", None, 0, at(150), at(150))
    assert await row_id(db, ALICE, "1d") == before


async def test_replace_plan_deletes_only_future_scheduled_rows_left_out(repo: ReminderRepository, db: Database) -> None:
    sub = await follow(repo, ALICE)
    await repo.replace_plan(sub, [due("30d", 5), due("7d", 10), due("1d", 60), due("release", 120)], NOW)
    # "30d" went out; "7d" is due but not yet sent when the plan changes
    [batch] = await repo.claim_due(at(5), dt.timedelta(0))
    await repo.mark_sent(batch, 99, at(5), dt.timedelta(minutes=1))

    later = at(30)
    assert await repo.replace_plan(sub, [due("release", 120)], later) == 1  # only "1d" goes
    assert await statuses(db, ALICE) == {"30d": "sent", "7d": "scheduled", "release": "scheduled"}


async def test_replace_plan_with_a_new_release_date_adds_rows_and_drops_the_old_future_ones(
    repo: ReminderRepository, db: Database
) -> None:
    sub = await follow(repo, ALICE)
    await repo.replace_plan(sub, [due("1d", 60)], NOW)
    moved = RELEASE + dt.timedelta(days=14)
    assert await repo.replace_plan(sub, [due("1d", 600, moved)], NOW) == 2
    [reminder] = await repo.scheduled(ALICE)
    assert (reminder.release_date, reminder.due_at) == (moved, at(600))


async def test_replace_plan_does_not_count_a_batched_row_it_will_not_move(
    repo: ReminderRepository, db: Database
) -> None:
    """A row in a claimed batch stays as claimed; planning again reports no change, every time."""
    sub = await follow(repo, ALICE)
    await repo.replace_plan(sub, [due("1d", 0)], NOW)
    [batch] = await repo.claim_due(NOW, DIGEST)
    await repo.retry_later(batch, at(1), "passing failure")

    assert await repo.replace_plan(sub, [due("1d", 30)], NOW) == 0
    assert (await outbox(db, ALICE))["1d"] == ("scheduled", batch.batch_id, 1, at(0), at(1))


# ---- reconcile --------------------------------------------------------------------------------------------------


async def test_reconcile_resumes_sending_batches_and_skips_stale_rows(repo: ReminderRepository, db: Database) -> None:
    sub = await follow(repo, ALICE)
    await repo.replace_plan(sub, [due("7d", 0), due("1d", 2)], NOW)
    other = await follow(repo, BOB)
    await repo.replace_plan(other, [due("7d", -60 * 7)], NOW - dt.timedelta(hours=8))
    [batch] = await repo.claim_due(NOW, DIGEST, limit=1)  # BOB's is the oldest, so it comes first
    assert batch.user_id == BOB
    [alice_batch] = await repo.claim_due(NOW, DIGEST)
    assert alice_batch.user_id == ALICE
    await repo.retry_later(batch, NOW, "offline")  # BOB's: scheduled again, due 7 hours ago

    assert await repo.reconcile(at(1), GRACE) == Reconciliation(resumed=0, skipped=1)  # ALICE's lease holds
    result = await repo.reconcile(NOW + repo.lease.length, GRACE)  # her sender died: its lease ran out
    assert result == Reconciliation(resumed=2, skipped=0)
    alice = await outbox(db, ALICE)
    assert {k: v[:3] for k, v in alice.items()} == {
        "7d": ("scheduled", alice_batch.batch_id, 1),
        "1d": ("scheduled", alice_batch.batch_id, 1),
    }
    row = await db.fetch_one("SELECT status, reason, finished_at FROM reminders WHERE user_id = ?", (BOB,))
    assert row is not None
    assert row["status"] == "skipped"
    assert row["reason"].startswith("missed")
    assert dt.datetime.fromisoformat(row["finished_at"]) == at(1)

    assert await repo.reconcile(NOW + repo.lease.length, GRACE) == Reconciliation(0, 0)


# ---- claiming ---------------------------------------------------------------------------------------------------


async def test_claim_groups_a_members_reminders_within_the_digest(repo: ReminderRepository, db: Database) -> None:
    alice = await follow(repo, ALICE)
    # "1d" is planned first so its row id is smaller, though "7d" is due first
    await repo.replace_plan(alice, [due("1d", 3), due("7d", 0), due("release", 10)], NOW)
    bob = await follow(repo, BOB)
    await repo.replace_plan(bob, [due("7d", 1)], NOW)
    carol = await follow(repo, CAROL)
    await repo.replace_plan(carol, [due("7d", 1)], NOW)  # not due yet at NOW
    first_id, second_id = await row_id(db, ALICE, "1d"), await row_id(db, ALICE, "7d")
    assert first_id < second_id

    batches = await repo.claim_due(NOW, DIGEST)
    assert len(batches) == 1
    [batch] = batches
    assert (batch.user_id, batch.batch_id, batch.attempts) == (ALICE, first_id, 1)
    assert [r.offset_text for r in batch.reminders] == ["7d", "1d"]  # soonest first
    assert batch.nonce == batch_nonce(first_id)
    assert await outbox(db, ALICE) == {
        "7d": ("sending", first_id, 1, at(0), at(0)),
        "1d": ("sending", first_id, 1, at(3), at(3)),
        "release": ("scheduled", None, 0, at(10), at(10)),
    }

    later = await repo.claim_due(at(1), DIGEST)
    assert sorted((b.user_id, [r.offset_text for r in b.reminders]) for b in later) == [
        (BOB, ["7d"]),
        (CAROL, ["7d"]),
    ]
    assert len({b.batch_id for b in later}) == 2
    for b in later:
        assert b.batch_id == await row_id(db, b.user_id, "7d")

    assert await repo.claim_due(at(1), DIGEST) == []
    [last] = await repo.claim_due(at(10), DIGEST)
    assert (last.user_id, last.batch_id) == (ALICE, await row_id(db, ALICE, "release"))


async def test_claim_respects_the_limit(repo: ReminderRepository) -> None:
    for user in (ALICE, BOB, CAROL):
        await repo.replace_plan(await follow(repo, user), [due("7d", 0), due("1d", 1)], NOW)
    first = await repo.claim_due(at(1), DIGEST, limit=2)
    assert len(first) == 2
    assert all(len(b.reminders) == 2 for b in first)
    rest = await repo.claim_due(at(1), DIGEST, limit=2)
    assert len(rest) == 1
    assert {b.user_id for b in first + rest} == {ALICE, BOB, CAROL}
    assert await repo.claim_due(at(1), DIGEST, limit=2) == []


async def test_a_batch_claimed_again_is_exactly_the_same_batch(repo: ReminderRepository, db: Database) -> None:
    sub = await follow(repo, ALICE)
    await repo.replace_plan(sub, [due("7d", 0), due("1d", 2)], NOW)
    [batch] = await repo.claim_due(NOW, DIGEST)
    await repo.reconcile(NOW + repo.lease.length, GRACE)  # a crash mid-send, found once its lease ran out

    # a new reminder, due with the old batch, must not join it
    newer = await follow(repo, ALICE, "film:two")
    await repo.replace_plan(newer, [due("release", 1)], NOW)

    [again] = await repo.claim_due(at(1), DIGEST)
    assert again.batch_id == batch.batch_id
    assert again.nonce == batch.nonce
    assert [r.id for r in again.reminders] == [r.id for r in batch.reminders]
    assert again.attempts == 2
    assert [r.attempts for r in again.reminders] == [1, 1]  # as read before the claim

    [fresh] = await repo.claim_due(at(1), DIGEST)
    assert [r.target_key for r in fresh.reminders] == ["film:two"]
    assert fresh.batch_id == fresh.reminders[0].id != batch.batch_id
    assert fresh.attempts == 1


async def test_retry_later_keeps_the_batch_and_waits(repo: ReminderRepository, db: Database) -> None:
    sub = await follow(repo, ALICE)
    await repo.replace_plan(sub, [due("7d", 0), due("1d", 2)], NOW)
    [batch] = await repo.claim_due(NOW, DIGEST)
    await repo.retry_later(batch, at(30), "Discord had a hiccup")

    rows = await db.fetch_all("SELECT status, batch_id, wake_at, reason FROM reminders WHERE user_id = ?", (ALICE,))
    assert [(r["status"], r["batch_id"], r["wake_at"], r["reason"]) for r in rows] == [
        ("scheduled", batch.batch_id, at(30).isoformat(timespec="microseconds"), "Discord had a hiccup")
    ] * 2
    assert await repo.next_wake() == at(30)
    assert await repo.claim_due(at(29), DIGEST) == []

    [again] = await repo.claim_due(at(30), DIGEST)
    assert (again.batch_id, again.attempts, len(again.reminders)) == (batch.batch_id, 2, 2)


async def test_undeliverable_members_are_not_claimed_and_do_not_wake_the_runner(
    repo: ReminderRepository, db: Database
) -> None:
    await repo.replace_plan(await follow(repo, ALICE), [due("7d", 0)], NOW)
    await repo.replace_plan(await follow(repo, BOB), [due("7d", 5)], NOW)
    await repo.mark_undeliverable(ALICE, "DMs closed", NOW)
    await repo.set_dm_channel(BOB, 42, NOW)  # a recipient row without a problem does not hold anyone back

    assert await repo.next_wake() == at(5)
    assert await repo.claim_due(at(1), DIGEST) == []
    [bob] = await repo.claim_due(at(5), DIGEST)
    assert bob.user_id == BOB
    assert await repo.next_wake() == at(5) + repo.lease.length  # only to see whether BOB's sender died

    assert await repo.clear_undeliverable(ALICE, at(6)) is True
    assert await repo.next_wake() == at(0)
    [alice] = await repo.claim_due(at(6), DIGEST)
    assert alice.user_id == ALICE


async def test_mark_sent_sets_late_per_row(repo: ReminderRepository, db: Database) -> None:
    sub = await follow(repo, ALICE)
    await repo.replace_plan(sub, [due("7d", 0), due("1d", 4)], NOW)
    [batch] = await repo.claim_due(NOW, DIGEST)
    await repo.retry_later(batch, at(5), "hiccup")
    [batch] = await repo.claim_due(at(5), DIGEST)

    await repo.mark_sent(batch, 777, at(5), dt.timedelta(minutes=2))
    rows = await db.fetch_all(
        "SELECT offset_text, status, message_id, late, finished_at, reason FROM reminders ORDER BY due_at"
    )
    stamp = at(5).isoformat(timespec="microseconds")
    assert [tuple(r) for r in rows] == [
        ("7d", "sent", 777, 1, stamp, None),  # 5 minutes after it was due
        ("1d", "sent", 777, 0, stamp, None),  # 1 minute after
    ]
    assert await repo.scheduled(ALICE) == []
    assert await repo.next_wake() is None


async def test_mark_finished_records_status_and_reason(repo: ReminderRepository, db: Database) -> None:
    sub = await follow(repo, ALICE)
    await repo.replace_plan(sub, [due("7d", 0), due("1d", 1)], NOW)
    [batch] = await repo.claim_due(NOW, DIGEST)
    await repo.mark_finished(batch, "failed", "gave up after 8 tries", at(2))
    rows = await db.fetch_all("SELECT status, reason, finished_at, message_id FROM reminders")
    assert [tuple(r) for r in rows] == [
        ("failed", "gave up after 8 tries", at(2).isoformat(timespec="microseconds"), None)
    ] * 2
    assert await repo.claim_due(at(3), DIGEST) == []


async def test_next_wake_is_the_soonest_scheduled_row(repo: ReminderRepository) -> None:
    assert await repo.next_wake() is None
    await repo.replace_plan(await follow(repo, ALICE), [due("7d", 20), due("1d", 40)], NOW)
    await repo.replace_plan(await follow(repo, BOB), [due("7d", 30)], NOW)
    assert await repo.next_wake() == at(20)
    [batch] = await repo.claim_due(at(20), DIGEST)  # sending rows count only when their lease runs out
    assert batch.user_id == ALICE
    assert await repo.next_wake() == at(20) + repo.lease.length
    await repo.mark_sent(batch, 1, at(21), dt.timedelta(minutes=5))
    assert await repo.next_wake() == at(30)


async def test_skip_overdue_only_touches_that_members_old_scheduled_rows(
    repo: ReminderRepository, db: Database
) -> None:
    alice = await follow(repo, ALICE)
    await repo.replace_plan(
        alice, [due("30d", -120), due("7d", -60), due("3d", -30), due("1d", 60)], NOW - dt.timedelta(hours=3)
    )
    await repo.replace_plan(await follow(repo, BOB), [due("7d", -120)], NOW - dt.timedelta(hours=3))
    [batch] = await repo.claim_due(at(-120), dt.timedelta(0), limit=1)
    assert batch.user_id == ALICE
    await repo.retry_later(batch, at(-100), "DMs closed")  # a batched row is skipped too, and leaves its batch

    assert await repo.skip_overdue(ALICE, at(-30), "missed") == 2
    rows = await outbox(db, ALICE)
    assert {k: (v[0], v[1]) for k, v in rows.items()} == {
        "30d": ("skipped", None),
        "7d": ("skipped", None),
        "3d": ("scheduled", None),  # due exactly at `before`: not before it
        "1d": ("scheduled", None),
    }
    reasons = await db.fetch_all("SELECT DISTINCT reason FROM reminders WHERE status = 'skipped'")
    assert [r["reason"] for r in reasons] == ["missed"]
    assert await statuses(db, BOB) == {"7d": "scheduled"}
    assert await repo.skip_overdue(ALICE, at(-30), "missed") == 0


MEMBERS = (ALICE, BOB, CAROL)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    plans=st.lists(
        st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=8, unique=True),
        min_size=1,
        max_size=3,
    ),
    digest=st.integers(min_value=0, max_value=12),
)
async def test_claiming_as_time_passes_batches_greedily_and_claims_each_row_once(
    db: Database, plans: list[list[int]], digest: int
) -> None:
    """Model: each member's batch is their earliest unsent reminder plus all others due within the digest."""
    await db.execute("DELETE FROM reminder_subscriptions")
    repo = ReminderRepository(db)
    for user, minutes in zip(MEMBERS, plans, strict=False):
        sub = await follow(repo, user)
        await repo.replace_plan(sub, [due(f"{m}m", m) for m in minutes], NOW)

    claimed: dict[int, list[list[int]]] = {user: [] for user in MEMBERS[: len(plans)]}
    seen: list[int] = []
    for minute in sorted({m for minutes in plans for m in minutes}):
        while batches := await repo.claim_due(at(minute), dt.timedelta(minutes=digest)):
            for batch in batches:
                ids = [r.id for r in batch.reminders]
                assert {r.user_id for r in batch.reminders} == {batch.user_id}
                assert batch.batch_id == min(ids)
                assert batch.attempts == 1
                assert min(r.due_at for r in batch.reminders) <= at(minute)
                seen.extend(ids)
                claimed[batch.user_id].append(
                    sorted(int((r.due_at - NOW).total_seconds() // 60) for r in batch.reminders)
                )
                await repo.mark_sent(batch, 1, at(minute), dt.timedelta(hours=1))

    expected: dict[int, list[list[int]]] = {}
    for user, minutes in zip(MEMBERS, plans, strict=False):
        left, groups = sorted(minutes), []
        while left:
            group = [m for m in left if m <= left[0] + digest]
            groups.append(group)
            left = left[len(group) :]
        expected[user] = groups
    assert claimed == expected
    assert len(seen) == len(set(seen)) == sum(len(m) for m in plans)
    assert await repo.next_wake() is None


# ---- nonces -----------------------------------------------------------------------------------------------------


@given(st.integers(min_value=1, max_value=2**63 - 1), st.integers(min_value=1, max_value=2**63 - 1))
def test_batch_nonce_is_deterministic_short_and_distinct(first: int, second: int) -> None:
    nonce = batch_nonce(first)
    assert nonce == batch_nonce(first)
    assert 0 < len(nonce) <= 25
    assert (nonce == batch_nonce(second)) == (first == second)
    assert Batch(first, ALICE, (), 1).nonce == nonce


def test_batch_nonce_is_stable_across_versions() -> None:
    # Resending after an upgrade must produce the nonce Discord already saw.
    assert batch_nonce(1) == "d3380e40ff25c614e2702879"
    assert batch_nonce(12345) == "db498f58df66ab54b9347239"


# ---- recipients -------------------------------------------------------------------------------------------------


async def test_recipient_details_are_upserted_field_by_field(repo: ReminderRepository, db: Database) -> None:
    assert await repo.recipient(ALICE) is None
    await repo.set_dm_channel(ALICE, 555, NOW)
    assert await repo.recipient(ALICE) == Recipient(ALICE, 555, False, None, False)
    await repo.set_introduced(ALICE, at(1))
    assert await repo.recipient(ALICE) == Recipient(ALICE, 555, True, None, False)
    await repo.set_dm_channel(ALICE, None, at(2))
    assert await repo.recipient(ALICE) == Recipient(ALICE, None, True, None, False)
    updated = await db.fetch_value("SELECT updated_at FROM dm_recipients WHERE user_id = ?", (ALICE,))
    assert updated == at(2).isoformat(timespec="microseconds")
    assert await db.fetch_value("SELECT COUNT(*) FROM dm_recipients") == 1


async def test_undeliverable_notice_is_taken_once(repo: ReminderRepository) -> None:
    assert await repo.users_with_notices() == []
    assert await repo.take_notice(ALICE) is None
    assert await repo.clear_undeliverable(ALICE, NOW) is False  # never marked

    await repo.set_dm_channel(ALICE, 555, NOW)
    await repo.mark_undeliverable(ALICE, "DMs closed", NOW)
    await repo.mark_undeliverable(BOB, "account gone", NOW)
    assert await repo.recipient(ALICE) == Recipient(ALICE, 555, False, "DMs closed", True)
    assert sorted(await repo.users_with_notices()) == [ALICE, BOB]

    assert await repo.take_notice(ALICE) == "DMs closed"
    assert await repo.take_notice(ALICE) is None
    assert await repo.users_with_notices() == [BOB]
    assert await repo.recipient(ALICE) == Recipient(ALICE, 555, False, "DMs closed", False)

    assert await repo.clear_undeliverable(ALICE, at(1)) is True
    assert await repo.recipient(ALICE) == Recipient(ALICE, 555, False, None, False)
    assert await repo.clear_undeliverable(ALICE, at(2)) is False

    assert await repo.clear_undeliverable(BOB, at(1)) is True  # clearing withdraws a notice not yet given
    assert await repo.users_with_notices() == []
    assert await repo.take_notice(BOB) is None


async def test_every_claim_skips_what_is_past_the_grace_window_not_only_the_first_after_a_start(
    repo: ReminderRepository, db: Database
) -> None:
    """A clock jump or a stalled loop while running: what fell due more than `grace` ago is skipped, not sent."""
    await repo.replace_plan(await follow(repo, ALICE), [due("7d", 0), due("1d", 60 * 10)], NOW)
    await repo.replace_plan(await follow(repo, BOB), [due("7d", 0)], NOW)
    await repo.mark_undeliverable(BOB, "DMs closed", NOW)  # held reminders follow the grace rule on resuming
    stale = await repo.claim_due(at(60 * 7), DIGEST, grace=GRACE)
    assert stale == []
    rows = await outbox(db, ALICE)
    assert rows["7d"][0] == "skipped" and rows["1d"][0] == "scheduled"
    reason = await db.fetch_value("SELECT reason FROM reminders WHERE user_id = ? AND offset_text = '7d'", (ALICE,))
    assert reason == OVERDUE
    assert await statuses(db, BOB) == {"7d": "scheduled"}
    # Within the window a late reminder is still claimed.
    [batch] = await repo.claim_due(at(60 * 10 + 30), DIGEST, grace=GRACE)
    assert [r.offset_text for r in batch.reminders] == ["1d"]
    assert batch.claimed_at == at(60 * 10 + 30)


async def test_skipping_one_target_of_a_batch_leaves_the_rest(repo: ReminderRepository, db: Database) -> None:
    await repo.replace_plan(await follow(repo, ALICE, "event:1"), [due("1d", 0)], NOW)
    await repo.replace_plan(await follow(repo, ALICE, "film:one"), [due("7d", 1)], NOW)
    [batch] = await repo.claim_due(at(1), DIGEST)
    assert await repo.skip_in_batch(batch, "event:1", "left", at(1)) == 1
    await repo.mark_sent(batch, 99, at(1), dt.timedelta(minutes=5))
    assert await statuses(db, ALICE) == {"1d": "skipped", "7d": "sent"}


async def test_a_claimed_batch_carries_the_locale_the_member_last_used(repo: ReminderRepository, db: Database) -> None:
    for user_id in (ALICE, BOB):
        sub = await follow(repo, user_id)
        await repo.replace_plan(sub, [due("7d", 5)], NOW)
    await repo.set_locale(ALICE, "en-GB", NOW)
    await repo.set_locale(ALICE, "fr", at(1))  # the latest wins
    assert await repo.locale(ALICE) == "fr"
    assert await repo.locale(BOB) is None
    batches = await repo.claim_due(at(5), DIGEST)
    assert {batch.user_id: batch.locale for batch in batches} == {ALICE: "fr", BOB: None}


async def test_a_locale_is_not_written_back_for_a_member_who_erased_their_data(
    repo: ReminderRepository, db: Database
) -> None:
    from db.repositories.privacy import PrivacyRepository

    began = NOW
    await PrivacyRepository(db).erase(ALICE, at(1))
    await repo.set_locale(ALICE, "fr", at(2), since=began)
    assert await repo.locale(ALICE) is None
    await repo.set_locale(ALICE, "fr", at(3))  # a new use after the erasure is new data
    assert await repo.locale(ALICE) == "fr"
