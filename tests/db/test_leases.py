"""Leases on the outboxes, on both backends: two handles of one database are two bot processes, each claiming
under its own owner. Claims are disjoint, a live lease is never taken over, a dead owner's rows are taken
over once its lease has run out, and a holder that lost its rows records nothing."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from db import AnnouncementRepository, Database, TriviaRepository, migrate
from db.repositories.announcements import AnnouncementSettings, NewPost, Reconciliation, Shards
from db.repositories.leases import LEASE_LENGTH, Lease, Renewal, claim_lock
from db.repositories.reminders import NewReminder, ReminderRepository
from tests.db.conftest import OpenDatabase

NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
GRACE = dt.timedelta(hours=6)
DIGEST = dt.timedelta(minutes=5)
GUILD = 1000 << 22 | 12345
CHANNEL = 1_200_000_000_000_000_001
ALL = Shards()
POSTS = 40


def minutes(count: float) -> dt.datetime:
    return NOW + dt.timedelta(minutes=count)


async def two_processes(open_db: OpenDatabase) -> tuple[Database, Database]:
    first, second = await open_db("shared"), await open_db("shared")
    await migrate(first)
    return first, second


async def plan_posts(repo: AnnouncementRepository, count: int = POSTS) -> None:
    await repo.save_settings(
        AnnouncementSettings(
            GUILD, CHANNEL, "09:30", "UTC", "FR", "7", None, False, False, None, False, (), updated_at=NOW
        )
    )
    posts = [NewPost("film:one", dt.date(2024, 7, 1), f"m{i}", "countdown", minutes(-1), f"n{i}") for i in range(count)]
    await repo.replace_plan(GUILD, posts, NOW)


async def holders(db: Database) -> dict[str | None, int]:
    rows = await db.fetch_all(
        "SELECT lease_owner, COUNT(*) AS n FROM announcement_posts WHERE status = 'sending' GROUP BY lease_owner"
    )
    return {row["lease_owner"]: row["n"] for row in rows}


# ---- announcements ----------------------------------------------------------------------------------------------


async def test_two_processes_claim_disjoint_posts(open_db: OpenDatabase) -> None:
    first, second = await two_processes(open_db)
    a, b = AnnouncementRepository(first, Lease("a")), AnnouncementRepository(second, Lease("b"))
    await plan_posts(a)
    claims = await asyncio.gather(*(repo.claim_due(NOW, ALL, 5) for _ in range(4) for repo in (a, b)))
    claimed = [post.id for batch in claims for post in batch]
    # Claims made at the same moment skip each other's rows instead of coming back short.
    assert [len(batch) for batch in claims] == [5] * 8
    assert len(claimed) == len(set(claimed)) == POSTS  # every post once, none twice
    assert sum(holders_count for holders_count in (await holders(first)).values()) == POSTS
    owners = await holders(first)
    assert set(owners) <= {"a", "b"}
    mine = {post.id for batch in claims[0::2] for post in batch}
    theirs = {post.id for batch in claims[1::2] for post in batch}
    assert owners.get("a", 0) == len(mine) and owners.get("b", 0) == len(theirs)


async def test_a_dead_owners_posts_are_taken_over_only_after_its_lease_ran_out(open_db: OpenDatabase) -> None:
    first, second = await two_processes(open_db)
    dead, alive = AnnouncementRepository(first, Lease("dead")), AnnouncementRepository(second, Lease("alive"))
    await plan_posts(dead, 3)
    held = await dead.claim_due(NOW, ALL)
    assert len(held) == 3
    assert await alive.next_wake(ALL) == NOW + LEASE_LENGTH  # to look whether the holder is still there

    assert await alive.take_over_expired(minutes(1), ALL) == 0
    assert await alive.claim_due(minutes(1), ALL) == []
    assert await alive.take_over_expired(NOW + LEASE_LENGTH, ALL) == 3
    again = await alive.claim_due(NOW + LEASE_LENGTH, ALL)
    assert sorted(p.id for p in again) == sorted(p.id for p in held)
    assert all(
        p.attempts == 2 and p.first_try_at == NOW and p.nonce == h.nonce for p, h in zip(again, held, strict=True)
    )

    # The old holder comes back from its stall: it records nothing of what it no longer holds.
    assert not await dead.mark_sent(held[0].id, channel_id=CHANNEL, message_id=1, late=False, now=minutes(3))
    assert not await dead.mark_finished(held[1].id, "failed", "stalled", minutes(3))
    assert not await dead.retry_later(held[2].id, minutes(9), "stalled")
    assert await holders(first) == {"alive": 3}
    assert await alive.mark_sent(held[0].id, channel_id=CHANNEL, message_id=2, late=False, now=minutes(3))
    assert await alive.mark_finished(held[1].id, "skipped", "gone", minutes(3))
    assert await alive.retry_later(held[2].id, minutes(9), "503")
    statuses = {p.id: (p.status, p.message_id) for p in [await alive.post(h.id) for h in held] if p is not None}
    assert statuses == {held[0].id: ("sent", 2), held[1].id: ("skipped", None), held[2].id: ("scheduled", None)}


async def test_reconciliation_leaves_live_leases_alone(open_db: OpenDatabase) -> None:
    first, second = await two_processes(open_db)
    live, started = AnnouncementRepository(first, Lease("live")), AnnouncementRepository(second, Lease("new"))
    await plan_posts(live, 2)
    held = await live.claim_due(NOW, ALL)
    assert await started.reconcile(minutes(1), GRACE, ALL) == Reconciliation(0, 0)
    assert await holders(first) == {"live": 2}
    assert await live.mark_sent(held[0].id, channel_id=CHANNEL, message_id=1, late=False, now=minutes(1))
    # Alone on its database (one bot per SQLite file), a starting process knows every claim is a dead run's.
    assert await started.reconcile(minutes(1), GRACE, ALL, sole=True) == Reconciliation(1, 0)
    assert await holders(first) == {}


async def test_a_renewed_lease_holds_past_its_first_expiry(open_db: OpenDatabase) -> None:
    first, second = await two_processes(open_db)
    holder, other = AnnouncementRepository(first, Lease("holder")), AnnouncementRepository(second, Lease("other"))
    await plan_posts(holder, 2)
    await holder.claim_due(NOW, ALL)
    assert await holder.renew_leases(minutes(1.5)) == 2
    assert await other.renew_leases(minutes(1.5)) == 0  # renews only its own
    assert await other.take_over_expired(NOW + LEASE_LENGTH, ALL) == 0
    assert await other.take_over_expired(minutes(1.5) + LEASE_LENGTH, ALL) == 2


async def test_take_over_keeps_to_its_shards(db: Database) -> None:
    dead = AnnouncementRepository(db, Lease("dead"))
    await plan_posts(dead, 2)
    await dead.claim_due(NOW, ALL)
    other_shard = Shards(2, [1 - (GUILD >> 22) % 2])
    assert await AnnouncementRepository(db).take_over_expired(minutes(10), other_shard) == 0
    assert await AnnouncementRepository(db).take_over_expired(minutes(10), ALL) == 2


# ---- reminders --------------------------------------------------------------------------------------------------


async def plan_reminders(repo: ReminderRepository, users: int) -> None:
    for user in range(1, users + 1):
        subscription, _ = await repo.subscribe(user, None, "film:one", "7d", NOW, region="FR", timezone="UTC", limit=10)
        await repo.replace_plan(subscription, [NewReminder(dt.date(2024, 7, 1), "7d", minutes(-1))], NOW)


async def test_two_processes_claim_disjoint_reminder_batches(open_db: OpenDatabase) -> None:
    first, second = await two_processes(open_db)
    a, b = ReminderRepository(first, Lease("a")), ReminderRepository(second, Lease("b"))
    await plan_reminders(a, 20)
    ids: dict[str, list[int]] = {"a": [], "b": []}
    # Both pick members in the same order, so one may come back short while the other holds them: claiming
    # again picks up what is left (the runner does, as the next wake-up is already due).
    for _ in range(20):
        claims = await asyncio.gather(a.claim_due(NOW, DIGEST, 3), b.claim_due(NOW, DIGEST, 3))
        for owner, batches in zip("ab", claims, strict=True):
            ids[owner] += [r.id for batch in batches for r in batch.reminders]
        if not any(claims):
            break
    every = ids["a"] + ids["b"]
    assert len(every) == len(set(every)) == 20
    owners = await first.fetch_all("SELECT lease_owner, COUNT(*) AS n FROM reminders GROUP BY lease_owner")
    assert {row["lease_owner"]: row["n"] for row in owners} == {
        owner: len(found) for owner, found in ids.items() if found
    }


async def test_a_dead_owners_reminders_are_taken_over_after_expiry_as_the_same_batch(open_db: OpenDatabase) -> None:
    first, second = await two_processes(open_db)
    dead, alive = ReminderRepository(first, Lease("dead")), ReminderRepository(second, Lease("alive"))
    await plan_reminders(dead, 1)
    [batch] = await dead.claim_due(NOW, DIGEST)
    assert await alive.reconcile(minutes(1), GRACE) == Reconciliation(0, 0)
    assert await alive.take_over_expired(minutes(1)) == 0
    assert await alive.claim_due(minutes(1), DIGEST) == []
    assert await alive.next_wake() == NOW + LEASE_LENGTH
    assert await alive.take_over_expired(NOW + LEASE_LENGTH) == 1
    [again] = await alive.claim_due(NOW + LEASE_LENGTH, DIGEST)
    assert (again.batch_id, again.nonce, again.attempts) == (batch.batch_id, batch.nonce, 2)
    assert await dead.mark_sent(batch, 1, minutes(3), DIGEST) == 0
    await dead.mark_finished(batch, "failed", "stalled", minutes(3))
    await dead.retry_later(batch, minutes(3), "stalled")
    assert await dead.skip_in_batch(batch, "film:one", "stalled", minutes(3)) == 0
    assert await first.fetch_value("SELECT lease_owner FROM reminders WHERE status = 'sending'") == "alive"
    assert await alive.mark_sent(again, 2, minutes(3), DIGEST) == 1
    assert await first.fetch_value("SELECT status FROM reminders") == "sent"


async def test_a_servers_event_reminders_are_claimed_by_the_process_holding_its_shard(open_db: OpenDatabase) -> None:
    first, second = await two_processes(open_db)
    shard = (GUILD >> 22) % 2
    holder = ReminderRepository(first, Lease("holder"), Shards(2, [shard]))
    other = ReminderRepository(second, Lease("other"), Shards(2, [1 - shard]))
    event = await AnnouncementRepository(first).add_event(
        GUILD, "Premiere", dt.date(2024, 7, 1), start_time="20:00", timezone="UTC", description=None,
        created_by=1, now=NOW, limit=10,
    )  # fmt: skip
    assert event is not None
    for user, target in ((1, f"event:{event.id}"), (2, "film:one")):
        subscription, _ = await holder.subscribe(user, GUILD, target, "7d", NOW, region="FR", timezone="UTC", limit=10)
        await holder.replace_plan(subscription, [NewReminder(dt.date(2024, 7, 1), "7d", minutes(-1))], NOW)

    # Only the holder of the server's shard can ask its gateway whether the member is still in the server;
    # a film's reminder is anyone's.
    assert [batch.user_id for batch in await other.claim_due(NOW, DIGEST)] == [2]
    assert await other.claim_due(NOW, DIGEST) == []
    assert [batch.user_id for batch in await holder.claim_due(NOW, DIGEST)] == [1]
    # A process running every shard claims both.
    await first.execute("UPDATE reminders SET status = 'scheduled', lease_owner = NULL, lease_until = NULL")
    assert {batch.user_id for batch in await ReminderRepository(second).claim_due(NOW, DIGEST)} == {1, 2}


# ---- the daily question's posts ---------------------------------------------------------------------------------


async def test_a_daily_post_held_by_a_live_process_is_left_to_it(open_db: OpenDatabase) -> None:
    first, second = await two_processes(open_db)
    dead, alive = TriviaRepository(first, Lease("dead")), TriviaRepository(second, Lease("alive"))
    day = NOW.date()

    async def claim(repo: TriviaRepository, now: dt.datetime) -> bool:
        post = await repo.claim_daily_post(GUILD, day, channel_id=CHANNEL, due_at=NOW, nonce="n" * 24, now=now)
        return post is not None

    claims = await asyncio.gather(claim(dead, NOW), claim(alive, NOW))
    assert sorted(claims) == [False, True]
    holder, other = (dead, alive) if claims[0] else (alive, dead)
    waiting = await other.daily_post(GUILD, day)
    assert waiting is not None and waiting.lease_until == NOW + LEASE_LENGTH
    assert await other.resume_daily_posts(minutes(1)) == 0
    assert not await claim(other, minutes(1))
    assert await other.skip_daily_posts_before(GUILD, day + dt.timedelta(days=1), minutes(1)) == 0
    assert await claim(other, NOW + LEASE_LENGTH)  # its holder's lease ran out: taken over
    assert not await holder.mark_daily_post_sent(
        GUILD, day, channel_id=CHANNEL, message_id=1, late=False, now=minutes(3)
    )
    assert not await holder.finish_daily_post(GUILD, day, "failed", "stalled", minutes(3))
    assert not await holder.retry_daily_post_later(GUILD, day, minutes(9), "stalled")
    assert await other.mark_daily_post_sent(GUILD, day, channel_id=CHANNEL, message_id=2, late=False, now=minutes(3))
    sent = await holder.daily_post(GUILD, day)
    assert sent is not None and (sent.status, sent.message_id, sent.attempts) == ("sent", 2, 2)


# ---- the pieces -------------------------------------------------------------------------------------------------


def test_renewal_comes_each_half_lease() -> None:
    renewal = Renewal(Lease("x"), NOW)
    assert not renewal.due(minutes(0.9))
    assert renewal.due(minutes(1))
    assert not renewal.due(minutes(1.5))
    assert renewal.due(minutes(2.1))


@pytest.mark.parametrize(("dialect", "clause"), [("sqlite", ""), ("postgresql", "FOR UPDATE OF p SKIP LOCKED")])
def test_claims_skip_locked_rows_only_where_there_are_row_locks(dialect: str, clause: str) -> None:
    assert claim_lock(dialect, "p") == clause  # type: ignore[arg-type]


def test_each_process_start_is_a_new_owner() -> None:
    assert Lease.new().owner != Lease.new().owner
