"""DM reminders: members' subscriptions, the DM outbox, and how each member can be reached.

Like the announcement outbox, each reminder is a row keyed by (member, target, date, offset) that
moves scheduled -> sending -> sent | failed | skipped. Reminders of one member due within a few
minutes of each other are claimed together as one batch (one digest DM); the batch is fixed when it
is claimed, so after a crash the same batch is resent with the same nonce.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from db.connection import Database, Row, Transaction
from db.repositories.announcements import Reconciliation, Shards
from db.repositories.leases import EXPIRED, Lease, claim_lock
from db.repositories.privacy import NOT_ERASED_SINCE, erasure_params
from db.repositories.stamps import instant, stamp

ReminderStatus = Literal["scheduled", "sending", "sent", "failed", "skipped"]
OVERDUE = "missed: it could not be sent within the grace window after it was due"


def batch_nonce(batch_id: int) -> str:
    """The nonce of a digest DM (24 characters; Discord allows 25), fixed by the batch's first row."""
    return hashlib.blake2b(f"dm|{batch_id}".encode(), digest_size=12).hexdigest()


class TooManyReminders(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} reminders")
        self.limit = limit


@dataclass(frozen=True)
class Subscription:
    id: int
    user_id: int
    guild_id: int | None
    target_key: str
    offsets: str
    region: str
    timezone: str
    created_at: dt.datetime


@dataclass(frozen=True)
class NewReminder:
    release_date: dt.date
    offset_text: str
    due_at: dt.datetime


@dataclass(frozen=True)
class Reminder:
    id: int
    subscription_id: int
    user_id: int
    target_key: str
    release_date: dt.date
    offset_text: str
    due_at: dt.datetime
    wake_at: dt.datetime
    status: ReminderStatus
    attempts: int
    late: bool
    reason: str | None
    batch_id: int | None
    message_id: int | None
    finished_at: dt.datetime | None


@dataclass(frozen=True)
class MemberPlace:
    """What the member chose in /preferences (None: not chosen), read with their batch."""

    timezone: str | None = None
    region: str | None = None
    quiet_start: str | None = None
    quiet_end: str | None = None


@dataclass(frozen=True)
class Batch:
    """Reminders going to one member in one DM, with what sending it needs, read in the same query."""

    batch_id: int
    user_id: int
    reminders: tuple[Reminder, ...]
    attempts: int
    dm_channel_id: int | None = None
    introduced: bool = False
    member: MemberPlace = MemberPlace()
    # subscription id -> (region, timezone) that applied when the member subscribed
    subscribed_from: dict[int, tuple[str, str]] = field(default_factory=dict)
    # when the batch was claimed: what its delivery writes about the member afterwards must not
    # outlive an erasure since then
    claimed_at: dt.datetime | None = None

    @property
    def nonce(self) -> str:
        return batch_nonce(self.batch_id)


@dataclass(frozen=True)
class Recipient:
    user_id: int
    dm_channel_id: int | None
    introduced: bool
    undeliverable: str | None
    notice_pending: bool


_SUB_COLUMNS = "id, user_id, guild_id, target_key, offsets, region, timezone, created_at"
_REMINDER_COLUMNS = (
    "id, subscription_id, user_id, target_key, release_date, offset_text, due_at, wake_at, status, attempts, late, "
    "reason, batch_id, message_id, finished_at"
)


def _subscription(row: Row) -> Subscription:
    return Subscription(
        row["id"],
        row["user_id"],
        row["guild_id"],
        row["target_key"],
        row["offsets"],
        row["region"],
        row["timezone"],
        dt.datetime.fromisoformat(row["created_at"]),
    )


def _reminder(row: Row) -> Reminder:
    return Reminder(
        row["id"],
        row["subscription_id"],
        row["user_id"],
        row["target_key"],
        dt.date.fromisoformat(row["release_date"]),
        row["offset_text"],
        dt.datetime.fromisoformat(row["due_at"]),
        dt.datetime.fromisoformat(row["wake_at"]),
        row["status"],
        row["attempts"],
        bool(row["late"]),
        row["reason"],
        row["batch_id"],
        row["message_id"],
        instant(row["finished_at"]),
    )


# The server event a reminder is about (`event:<id>`), NULL for a film; both dialects read the digits so.
_EVENT_ID = "CASE WHEN r.target_key LIKE 'event:%' THEN CAST(SUBSTR(r.target_key, 7) AS BIGINT) END"

# A reminder is held by the owner that claimed it while it is being sent; recording its outcome releases it.
_HELD = "status = 'sending' AND lease_owner = ?"
_RELEASED = "lease_owner = NULL, lease_until = NULL"


class ReminderRepository:
    """Members' subscriptions, the DM outbox, and how each member can be reached.

    `lease` says which process claims reminders (default: a new owner, as for a process of its own); a
    process records the outcome only of the batches it holds. `shards`: the shards this process runs
    (default: all); it claims members whose due reminders are about films, or about events of servers on
    its shards, since only there can it ask the gateway whether the member is still in the server.
    """

    def __init__(self, db: Database, lease: Lease | None = None, shards: Shards | None = None) -> None:
        self._db = db
        self.lease = lease or Lease.new()
        self.shards = shards or Shards()

    # ---- subscriptions ------------------------------------------------------------------------------------
    async def subscribe(
        self,
        user_id: int,
        guild_id: int | None,
        target_key: str,
        offsets: str,
        now: dt.datetime,
        *,
        region: str,
        timezone: str,
        limit: int,
        since: dt.datetime | None = None,
    ) -> tuple[Subscription, bool] | None:
        """Follow a target (or change the offsets of one already followed); True when it is new.

        None, and nothing written, when the member erased their data since `since` (default `now`),
        when the request began. Raises TooManyReminders when the member already follows `limit` targets.
        """
        async with self._db.transaction() as tx:
            if not await tx.fetch_value(f"SELECT {NOT_ERASED_SINCE}", erasure_params(user_id, since or now)):
                return None
            existing = await tx.fetch_one(
                f"SELECT {_SUB_COLUMNS} FROM reminder_subscriptions WHERE user_id = ? AND target_key = ?",
                (user_id, target_key),
            )
            if existing is not None:
                await tx.execute(
                    "UPDATE reminder_subscriptions SET offsets = ?, region = ?, timezone = ? WHERE id = ?",
                    (offsets, region, timezone, existing["id"]),
                )
            else:
                count = await tx.fetch_value(
                    "SELECT COUNT(*) FROM reminder_subscriptions WHERE user_id = ?", (user_id,)
                )
                if int(count) >= limit:
                    raise TooManyReminders(limit)
                await tx.execute(
                    "INSERT INTO reminder_subscriptions "
                    "(user_id, guild_id, target_key, offsets, region, timezone, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (user_id, guild_id, target_key, offsets, region, timezone, stamp(now)),
                )
            row = await tx.fetch_one(
                f"SELECT {_SUB_COLUMNS} FROM reminder_subscriptions WHERE user_id = ? AND target_key = ?",
                (user_id, target_key),
            )
        assert row is not None
        return _subscription(row), existing is None

    async def unsubscribe(self, user_id: int, target_key: str) -> bool:
        """Stop following a target; its reminders go with it."""
        return (
            await self._db.execute(
                "DELETE FROM reminder_subscriptions WHERE user_id = ? AND target_key = ?", (user_id, target_key)
            )
            > 0
        )

    async def unsubscribe_everyone(self, target_key: str) -> int:
        """Every member stops following a target that is gone (a removed server event)."""
        return await self._db.execute("DELETE FROM reminder_subscriptions WHERE target_key = ?", (target_key,))

    async def unsubscribe_all(self, user_id: int) -> int:
        return await self._db.execute("DELETE FROM reminder_subscriptions WHERE user_id = ?", (user_id,))

    async def subscriptions(self, user_id: int) -> list[Subscription]:
        rows = await self._db.fetch_all(
            f"SELECT {_SUB_COLUMNS} FROM reminder_subscriptions WHERE user_id = ? ORDER BY created_at, id", (user_id,)
        )
        return [_subscription(row) for row in rows]

    async def subscription(self, user_id: int, target_key: str) -> Subscription | None:
        row = await self._db.fetch_one(
            f"SELECT {_SUB_COLUMNS} FROM reminder_subscriptions WHERE user_id = ? AND target_key = ?",
            (user_id, target_key),
        )
        return None if row is None else _subscription(row)

    async def subscribers(self, target_key: str) -> list[Subscription]:
        rows = await self._db.fetch_all(
            f"SELECT {_SUB_COLUMNS} FROM reminder_subscriptions WHERE target_key = ? ORDER BY id", (target_key,)
        )
        return [_subscription(row) for row in rows]

    async def all_subscriptions(self) -> list[Subscription]:
        rows = await self._db.fetch_all(f"SELECT {_SUB_COLUMNS} FROM reminder_subscriptions ORDER BY id")
        return [_subscription(row) for row in rows]

    # ---- the plan -----------------------------------------------------------------------------------------
    async def replace_plan(self, subscription: Subscription, reminders: Sequence[NewReminder], now: dt.datetime) -> int:
        """Make the subscription's future scheduled reminders exactly `reminders`; returns how many changed.

        Rows already sent, failed or skipped, and scheduled rows already due, are left alone.
        """
        async with self._db.transaction() as tx:
            # Planning may have begun before the subscription was cancelled or its member's data erased:
            # its reminders must not come back without it.
            if not await tx.fetch_value("SELECT 1 FROM reminder_subscriptions WHERE id = ?", (subscription.id,)):
                return 0
            existing = {
                (row["release_date"], row["offset_text"]): (row["id"], row["status"], row["due_at"], row["batch_id"])
                for row in await tx.fetch_all(
                    "SELECT id, release_date, offset_text, status, due_at, batch_id FROM reminders "
                    "WHERE subscription_id = ?",
                    (subscription.id,),
                )
            }
            wanted = {(r.release_date.isoformat(), r.offset_text): r for r in reminders}
            cutoff = stamp(now)
            inserts, moves = [], []
            for key, reminder in wanted.items():
                due = stamp(reminder.due_at)
                found = existing.get(key)
                if found is None:
                    inserts.append(
                        (subscription.id, subscription.user_id, subscription.target_key, key[0], key[1], due, due)
                    )
                elif found[1] == "scheduled" and found[3] is None and found[2] != due:
                    # a row of a claimed batch stays as claimed (the UPDATE skips it), so it is no change
                    moves.append((due, due, found[0]))
            stale = [
                (row_id,)
                for key, (row_id, status, due, _batch) in existing.items()
                if key not in wanted and status == "scheduled" and due > cutoff
            ]
            await tx.executemany(
                """
                INSERT INTO reminders
                    (subscription_id, user_id, target_key, release_date, offset_text, due_at, wake_at, status)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'scheduled')
                """,
                inserts,
            )
            await tx.executemany(
                "UPDATE reminders SET due_at = ?, wake_at = ? WHERE id = ? AND status = 'scheduled' "
                "AND batch_id IS NULL",
                moves,
            )
            await tx.executemany("DELETE FROM reminders WHERE id = ? AND status = 'scheduled'", stale)
        return len(inserts) + len(moves) + len(stale)

    async def scheduled(self, user_id: int) -> list[Reminder]:
        """The member's reminders still to be sent, soonest first."""
        rows = await self._db.fetch_all(
            f"""
            SELECT {_REMINDER_COLUMNS} FROM reminders
            WHERE user_id = ? AND status IN ('scheduled', 'sending') ORDER BY due_at, id
            """,
            (user_id,),
        )
        return [_reminder(row) for row in rows]

    # ---- delivery -----------------------------------------------------------------------------------------
    async def reconcile(self, now: dt.datetime, grace: dt.timedelta, *, sole: bool = False) -> Reconciliation:
        """After a start: resume batches whose sender died mid-send (same batch, same nonce); skip stale ones.

        Only batches whose lease ran out are resumed: another process may be sending the rest right now,
        unless this process is `sole` (no other can run on this database): then every one is its own.
        """
        async with self._db.transaction() as tx:
            resumed = await self._take_over(tx, now, every=sole)
            skipped = await tx.execute(
                """
                UPDATE reminders
                SET status = 'skipped', finished_at = ?,
                    reason = 'missed: Marquee was offline when it was due, and the grace window had passed'
                WHERE status = 'scheduled' AND due_at < ?
                """,
                (stamp(now), stamp(now - grace)),
            )
        return Reconciliation(resumed, skipped)

    async def take_over_expired(self, now: dt.datetime) -> int:
        """Put back in the queue, as the same batches, the reminders whose sender's lease ran out (it died or
        hung): run in the due-work loop, so the work of a process that died goes to the others."""
        async with self._db.transaction() as tx:
            return await self._take_over(tx, now)

    async def _take_over(self, tx: Transaction, now: dt.datetime, *, every: bool = False) -> int:
        # `every`: the rows held by any owner, live or not (only a process alone on its database may ask)
        if every:
            return await tx.execute(f"UPDATE reminders SET status = 'scheduled', {_RELEASED} WHERE status = 'sending'")
        return await tx.execute(
            f"UPDATE reminders SET status = 'scheduled', {_RELEASED} WHERE status = 'sending' AND {EXPIRED}",
            (stamp(now),),
        )

    async def renew_leases(self, now: dt.datetime) -> int:
        """Extend the lease of every reminder this repository's owner is sending (a long run of sends)."""
        return await self._db.execute(
            "UPDATE reminders SET lease_until = ? WHERE status = 'sending' AND lease_owner = ?",
            (self.lease.until(now), self.lease.owner),
        )

    async def claim_due(
        self, now: dt.datetime, digest: dt.timedelta, limit: int = 100, *, grace: dt.timedelta | None = None
    ) -> list[Batch]:
        """Take up to `limit` members' due reminders, each member's as one batch.

        A batch holds the member's reminders due within `digest` of the first due one, or, for a
        batch that was claimed before (interrupted or retried), exactly its old rows.
        Members whose DMs cannot be delivered are left out. Each batch comes with the member's DM
        channel and preferences, so that sending it needs no further reads.
        Reminders more than `grace` overdue are skipped instead, at every claim and not only after a
        start: the clock may have jumped or the loop stalled since they fell due.
        Claimed rows are held under this repository's lease; on PostgreSQL rows another process is claiming
        at the same moment are skipped, not waited for.
        """
        async with self._db.transaction() as tx:
            if grace is not None:
                await tx.execute(
                    f"""
                    UPDATE reminders SET status = 'skipped', finished_at = ?, reason = '{OVERDUE}'
                    WHERE status = 'scheduled' AND due_at < ? AND wake_at <= ? AND user_id NOT IN (
                        SELECT user_id FROM dm_recipients WHERE undeliverable IS NOT NULL
                    )
                    """,
                    (stamp(now), stamp(now - grace), stamp(now)),
                )
            ours, shard_params = self.shards.sql("e.guild_id")
            leads = await tx.fetch_all(
                f"""
                SELECT r.user_id, MIN(r.due_at) AS first_due, MIN(r.batch_id) AS old_batch,
                       d.dm_channel_id, d.introduced, u.timezone, u.region, u.quiet_start, u.quiet_end
                FROM reminders r
                LEFT JOIN dm_recipients d ON d.user_id = r.user_id
                LEFT JOIN user_settings u ON u.user_id = r.user_id
                LEFT JOIN guild_events e ON e.id = {_EVENT_ID}
                WHERE r.status = 'scheduled' AND r.wake_at <= ? AND d.undeliverable IS NULL
                  AND (e.id IS NULL OR {ours})
                GROUP BY r.user_id, d.dm_channel_id, d.introduced, u.timezone, u.region, u.quiet_start, u.quiet_end
                ORDER BY MIN(r.wake_at), r.user_id LIMIT ?
                """,
                (stamp(now), *shard_params, limit),
            )
            batches = []
            for lead in leads:
                batch = await self._claim_batch(tx, lead, digest, now)
                if batch is not None:
                    batches.append(batch)
        return batches

    async def _claim_batch(self, tx: Transaction, lead: Row, digest: dt.timedelta, now: dt.datetime) -> Batch | None:
        old_batch = lead["old_batch"]
        params: tuple[object, ...]
        if old_batch is not None:
            where, params = "r.batch_id = ? AND r.status = 'scheduled'", (old_batch,)
        else:
            until = stamp(dt.datetime.fromisoformat(lead["first_due"]) + digest)
            where = "r.user_id = ? AND r.status = 'scheduled' AND r.batch_id IS NULL AND r.due_at <= ?"
            params = (lead["user_id"], until)
        rows = await tx.fetch_all(
            f"""
            SELECT {", ".join("r." + c.strip() for c in _REMINDER_COLUMNS.split(","))},
                   s.region AS subscribed_region, s.timezone AS subscribed_timezone
            FROM reminders r JOIN reminder_subscriptions s ON s.id = r.subscription_id
            WHERE {where} ORDER BY r.due_at, r.id {claim_lock(tx.dialect, "r")}
            """,
            params,
        )
        if not rows:
            return None
        batch_id = old_batch if old_batch is not None else min(row["id"] for row in rows)
        marks = ", ".join("?" for _ in rows)
        await tx.execute(
            "UPDATE reminders SET status = 'sending', attempts = attempts + 1, batch_id = ?, lease_owner = ?, "
            f"lease_until = ? WHERE id IN ({marks}) AND status = 'scheduled'",
            (batch_id, self.lease.owner, self.lease.until(now), *(row["id"] for row in rows)),
        )
        reminders = tuple(_reminder(row) for row in rows)
        return Batch(
            batch_id,
            lead["user_id"],
            reminders,
            max(r.attempts for r in reminders) + 1,
            dm_channel_id=lead["dm_channel_id"],
            introduced=bool(lead["introduced"]),
            member=MemberPlace(lead["timezone"], lead["region"], lead["quiet_start"], lead["quiet_end"]),
            subscribed_from={
                row["subscription_id"]: (row["subscribed_region"], row["subscribed_timezone"]) for row in rows
            },
            claimed_at=now,
        )

    async def mark_sent(self, batch: Batch, message_id: int, now: dt.datetime, late_after: dt.timedelta) -> int:
        """Record the DM: one statement, so a burst of DMs costs one round trip each. Returns how many
        reminders it recorded (none when this owner no longer holds the batch)."""
        return await self._db.execute(
            f"""
            UPDATE reminders SET status = 'sent', message_id = ?, late = (due_at < ?), finished_at = ?, reason = NULL,
                {_RELEASED}
            WHERE batch_id = ? AND {_HELD}
            """,
            (message_id, stamp(now - late_after), stamp(now), batch.batch_id, self.lease.owner),
        )

    async def mark_finished(
        self, batch: Batch, status: Literal["failed", "skipped"], reason: str, now: dt.datetime
    ) -> None:
        """Record that the batch's reminders will not be sent, and why (those this owner still holds)."""
        async with self._db.transaction() as tx:
            await tx.executemany(
                f"UPDATE reminders SET status = ?, reason = ?, finished_at = ?, {_RELEASED} WHERE id = ? AND {_HELD}",
                [(status, reason, stamp(now), r.id, self.lease.owner) for r in batch.reminders],
            )

    async def retry_later(self, batch: Batch, wake_at: dt.datetime, reason: str) -> None:
        """Back in the queue, as the same batch, after a passing failure or a pause (the reminders this owner
        still holds)."""
        async with self._db.transaction() as tx:
            await tx.executemany(
                f"UPDATE reminders SET status = 'scheduled', wake_at = ?, reason = ?, {_RELEASED} "
                f"WHERE id = ? AND {_HELD}",
                [(stamp(wake_at), reason, r.id, self.lease.owner) for r in batch.reminders],
            )

    async def next_wake(self) -> dt.datetime | None:
        """When the runner next has something to do: a reminder falls due, or a lease of one being sent runs
        out (its sender may have died: `take_over_expired`)."""
        value = await self._db.fetch_value(
            """
            SELECT MIN(w) FROM (
                SELECT MIN(r.wake_at) AS w FROM reminders r LEFT JOIN dm_recipients d ON d.user_id = r.user_id
                WHERE r.status = 'scheduled' AND d.undeliverable IS NULL
                UNION ALL
                SELECT MIN(lease_until) AS w FROM reminders WHERE status = 'sending'
            ) wakes
            """
        )
        return instant(value)

    async def skip_overdue(self, user_id: int, before: dt.datetime, reason: str) -> int:
        return await self._db.execute(
            """
            UPDATE reminders SET status = 'skipped', finished_at = ?, reason = ?, batch_id = NULL
            WHERE user_id = ? AND status = 'scheduled' AND due_at < ?
            """,
            (stamp(before), reason, user_id, stamp(before)),
        )

    async def skip_in_batch(self, batch: Batch, target_key: str, reason: str, now: dt.datetime) -> int:
        """Skip, with `reason`, the batch's reminders about one target (the rest of the batch is sent)."""
        return await self._db.execute(
            f"""
            UPDATE reminders SET status = 'skipped', reason = ?, finished_at = ?, {_RELEASED}
            WHERE batch_id = ? AND target_key = ? AND {_HELD}
            """,
            (reason, stamp(now), batch.batch_id, target_key, self.lease.owner),
        )

    async def batch_targets(self, user_id: int, batch_id: int) -> list[str]:
        """What the member's DM of this batch was about (a Stop button stops those)."""
        rows = await self._db.fetch_all(
            "SELECT DISTINCT target_key FROM reminders WHERE batch_id = ? AND user_id = ? ORDER BY target_key",
            (batch_id, user_id),
        )
        return [row["target_key"] for row in rows]

    async def member_place(self, user_id: int) -> MemberPlace:
        row = await self._db.fetch_one(
            "SELECT timezone, region, quiet_start, quiet_end FROM user_settings WHERE user_id = ?", (user_id,)
        )
        if row is None:
            return MemberPlace()
        return MemberPlace(row["timezone"], row["region"], row["quiet_start"], row["quiet_end"])

    # ---- recipients ---------------------------------------------------------------------------------------
    async def recipient(self, user_id: int) -> Recipient | None:
        row = await self._db.fetch_one(
            "SELECT user_id, dm_channel_id, introduced, undeliverable, notice_pending FROM dm_recipients "
            "WHERE user_id = ?",
            (user_id,),
        )
        if row is None:
            return None
        return Recipient(
            row["user_id"],
            row["dm_channel_id"],
            bool(row["introduced"]),
            row["undeliverable"],
            bool(row["notice_pending"]),
        )

    # Every write below runs after a request to Discord that may take a while: none of them may bring
    # back a row the member erased meanwhile. `since` is when the work began (default `now`).
    async def _upsert_recipient(
        self, user_id: int, assignments: str, params: tuple[object, ...], now: dt.datetime, since: dt.datetime | None
    ) -> None:
        erased = erasure_params(user_id, since or now)
        async with self._db.transaction() as tx:
            await tx.execute(
                f"INSERT INTO dm_recipients (user_id, updated_at) SELECT ?, ? WHERE {NOT_ERASED_SINCE} "
                "ON CONFLICT (user_id) DO NOTHING",
                (user_id, stamp(now), *erased),
            )
            await tx.execute(
                f"UPDATE dm_recipients SET {assignments}, updated_at = ? WHERE user_id = ? AND {NOT_ERASED_SINCE}",
                (*params, stamp(now), user_id, *erased),
            )

    async def set_dm_channel(
        self, user_id: int, channel_id: int | None, now: dt.datetime, *, since: dt.datetime | None = None
    ) -> None:
        await self._upsert_recipient(user_id, "dm_channel_id = ?", (channel_id,), now, since)

    async def set_introduced(self, user_id: int, now: dt.datetime, *, since: dt.datetime | None = None) -> None:
        await self._upsert_recipient(user_id, "introduced = TRUE", (), now, since)

    async def mark_undeliverable(
        self, user_id: int, reason: str, now: dt.datetime, *, since: dt.datetime | None = None
    ) -> None:
        """DMs to the member fail for good: their reminders wait, and they are told once."""
        await self._upsert_recipient(user_id, "undeliverable = ?, notice_pending = TRUE", (reason,), now, since)

    async def clear_undeliverable(self, user_id: int, now: dt.datetime) -> bool:
        """The member says DMs work again; True if they had been marked undeliverable."""
        return (
            await self._db.execute(
                "UPDATE dm_recipients SET undeliverable = NULL, notice_pending = FALSE, updated_at = ? "
                "WHERE user_id = ? AND undeliverable IS NOT NULL",
                (stamp(now), user_id),
            )
            > 0
        )

    async def users_with_notices(self) -> list[int]:
        rows = await self._db.fetch_all("SELECT user_id FROM dm_recipients WHERE notice_pending")
        return [row["user_id"] for row in rows]

    async def take_notice(self, user_id: int) -> str | None:
        async with self._db.transaction() as tx:
            reason = await tx.fetch_value(
                "SELECT undeliverable FROM dm_recipients WHERE user_id = ? AND notice_pending", (user_id,)
            )
            if reason is None:
                return None
            await tx.execute("UPDATE dm_recipients SET notice_pending = FALSE WHERE user_id = ?", (user_id,))
        return str(reason)
