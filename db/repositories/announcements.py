"""Release announcements: server events, per-server settings, and the outbox of posts.

The outbox is the truth about what must be posted. Planning writes rows (idempotently, keyed by
guild, target, release date and milestone); the runner claims due rows, posts them and records
the outcome. Times are aware datetimes stored as ISO-8601 UTC text with microseconds, so text
order is time order; days are ``YYYY-MM-DD``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from db import names
from db.connection import Database, Row, Transaction
from db.repositories.leases import EXPIRED, Lease, claim_lock
from db.repositories.stamps import instant, stamp

PostStatus = Literal["scheduled", "sending", "sent", "failed", "skipped"]
PostKind = Literal["countdown", "release", "anniversary", "date_change"]
SCHEDULED: PostStatus = "scheduled"


@dataclass(frozen=True)
class GuildEvent:
    """A dated thing a server counts down to: a watch party, a re-release, a trailer drop."""

    id: int
    guild_id: int
    name: str
    day: dt.date
    start_time: str | None  # HH:MM in `timezone`, or None for an all-day event
    timezone: str | None
    description: str | None
    created_by: int
    created_at: dt.datetime

    @property
    def target_key(self) -> str:
        return f"event:{self.id}"


@dataclass(frozen=True)
class AnnouncementSettings:
    guild_id: int
    channel_id: int
    post_time: str
    timezone: str
    region: str
    milestones: str
    role_id: int | None
    anniversaries: bool
    mirror_events: bool
    paused_reason: str | None
    notice_pending: bool
    targets: tuple[str, ...]  # empty: every upcoming release and event
    updated_at: dt.datetime


@dataclass(frozen=True)
class NewPost:
    """A post the plan wants to exist."""

    target_key: str
    release_date: dt.date
    milestone: str
    kind: PostKind
    due_at: dt.datetime
    nonce: str
    detail: str | None = None


@dataclass(frozen=True)
class AnnouncementPost:
    id: int
    guild_id: int
    target_key: str
    release_date: dt.date
    milestone: str
    kind: PostKind
    detail: str | None
    due_at: dt.datetime
    wake_at: dt.datetime
    status: PostStatus
    attempts: int
    late: bool
    reason: str | None
    nonce: str
    channel_id: int | None
    message_id: int | None
    finished_at: dt.datetime | None
    first_try_at: dt.datetime | None = None  # when a send was first tried (an earlier try may have posted it)


@dataclass(frozen=True)
class PlanChange:
    added: int
    moved: int
    removed: int


@dataclass(frozen=True)
class Reconciliation:
    resumed: int  # posts whose sender's lease ran out mid-send (it died), to be sent again with the same nonce
    skipped: int  # posts older than the grace window, recorded as skipped


@dataclass(frozen=True)
class Mirror:
    target_key: str
    discord_event_id: int
    starts_at: dt.datetime


_EVENT_COLUMNS = "id, guild_id, name, event_date, start_time, timezone, description, created_by, created_at"
_SETTINGS_COLUMNS = (
    "guild_id, channel_id, post_time, timezone, region, milestones, role_id, anniversaries, mirror_events, "
    "paused_reason, notice_pending, updated_at"
)
_POST_COLUMNS = (
    "id, guild_id, target_key, release_date, milestone, kind, detail, due_at, wake_at, status, attempts, late, "
    "reason, nonce, channel_id, message_id, finished_at, first_try_at"
)


# A post is held by the owner that claimed it while it is being sent; recording its outcome releases it.
_HELD = "status = 'sending' AND lease_owner = ?"
_RELEASED = "lease_owner = NULL, lease_until = NULL"


def _event(row: Row) -> GuildEvent:
    return GuildEvent(
        row["id"],
        row["guild_id"],
        row["name"],
        dt.date.fromisoformat(row["event_date"]),
        row["start_time"],
        row["timezone"],
        row["description"],
        row["created_by"],
        dt.datetime.fromisoformat(row["created_at"]),
    )


def _settings(row: Row, targets: Sequence[str]) -> AnnouncementSettings:
    return AnnouncementSettings(
        row["guild_id"],
        row["channel_id"],
        row["post_time"],
        row["timezone"],
        row["region"],
        row["milestones"],
        row["role_id"],
        bool(row["anniversaries"]),
        bool(row["mirror_events"]),
        row["paused_reason"],
        bool(row["notice_pending"]),
        tuple(targets),
        dt.datetime.fromisoformat(row["updated_at"]),
    )


def _post(row: Row) -> AnnouncementPost:
    return AnnouncementPost(
        row["id"],
        row["guild_id"],
        row["target_key"],
        dt.date.fromisoformat(row["release_date"]),
        row["milestone"],
        row["kind"],
        row["detail"],
        dt.datetime.fromisoformat(row["due_at"]),
        dt.datetime.fromisoformat(row["wake_at"]),
        row["status"],
        row["attempts"],
        bool(row["late"]),
        row["reason"],
        row["nonce"],
        row["channel_id"],
        row["message_id"],
        instant(row["finished_at"]),
        instant(row["first_try_at"]),
    )


def name_key(name: str) -> str:
    """Event names are unique per server however they are written: the one rule for names (case,
    spacing, Unicode normalisation, invisible characters) is `db.names.name_key`."""
    return names.name_key(name)


class TooManyEvents(Exception):
    """The server already has as many events as it may."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"a server may have {limit} events")
        self.limit = limit


class Shards:
    """Which guilds this process serves when several processes share one database.

    Discord assigns guild ``g`` to shard ``(g >> 22) % shard_count``; a process only claims and
    reconciles posts of guilds on its own shards.
    """

    def __init__(self, shard_count: int = 1, shard_ids: Iterable[int] | None = None) -> None:
        self.count = max(shard_count, 1)
        self.ids = tuple(sorted(set(range(self.count) if shard_ids is None else shard_ids)))

    def sql(self, column: str = "guild_id") -> tuple[str, tuple[int, ...]]:
        """A WHERE fragment limiting `column` to these shards, and its parameters."""
        if self.ids == tuple(range(self.count)):  # every shard (a process serving none must match nothing)
            return "1 = 1", ()
        if not self.ids:  # PostgreSQL, unlike SQLite, has no empty IN ()
            return "1 = 0", ()
        marks = ", ".join("?" for _ in self.ids)
        return f"(({column} / 4194304) % ?) IN ({marks})", (self.count, *self.ids)

    def owns(self, guild_id: int) -> bool:
        return (guild_id >> 22) % self.count in self.ids


class AnnouncementRepository:
    """Events, settings and the outbox of one bot's announcements.

    `lease` says which process claims posts (default: a new owner, as for a process of its own); a process
    records the outcome only of the posts it holds.
    """

    def __init__(self, db: Database, lease: Lease | None = None) -> None:
        self._db = db
        self.lease = lease or Lease.new()

    # ---- events -------------------------------------------------------------------------------------------
    async def add_event(
        self,
        guild_id: int,
        name: str,
        day: dt.date,
        *,
        start_time: str | None,
        timezone: str | None,
        description: str | None,
        created_by: int,
        now: dt.datetime,
        limit: int,
    ) -> GuildEvent | None:
        """Store a new event; None when the server already has one by that name, `TooManyEvents` when it
        has `limit` (counted in the same transaction, so events added at once cannot pass it)."""
        async with self._db.transaction() as tx:
            if await tx.fetch_value("SELECT count(*) FROM guild_events WHERE guild_id = ?", (guild_id,)) >= limit:
                raise TooManyEvents(limit)
            inserted = await tx.execute(
                """
                INSERT INTO guild_events
                    (guild_id, name, name_key, event_date, start_time, timezone, description, created_by, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (guild_id, name_key) DO NOTHING
                """,
                (
                    guild_id,
                    name,
                    name_key(name),
                    day.isoformat(),
                    start_time,
                    timezone,
                    description,
                    created_by,
                    stamp(now),
                ),
            )
            if not inserted:
                return None
            row = await tx.fetch_one(
                f"SELECT {_EVENT_COLUMNS} FROM guild_events WHERE guild_id = ? AND name_key = ?",
                (guild_id, name_key(name)),
            )
        assert row is not None
        return _event(row)

    async def remove_event(self, guild_id: int, name: str) -> GuildEvent | None:
        """Delete the event called `name` (any case) and its scheduled posts; None if there is none."""
        async with self._db.transaction() as tx:
            # Or the exact stored name: rows added before names were cleaned keep the key of that time.
            row = await tx.fetch_one(
                f"SELECT {_EVENT_COLUMNS} FROM guild_events WHERE guild_id = ? AND (name_key = ? OR name = ?)",
                (guild_id, name_key(name), name),
            )
            if row is None:
                return None
            event = _event(row)
            await tx.execute("DELETE FROM guild_events WHERE id = ?", (event.id,))
            await tx.execute(
                "DELETE FROM announcement_posts WHERE guild_id = ? AND target_key = ? AND status = 'scheduled'",
                (guild_id, event.target_key),
            )
            await tx.execute(
                "DELETE FROM announcement_dates WHERE guild_id = ? AND target_key = ?", (guild_id, event.target_key)
            )
        return event

    async def events(self, guild_id: int) -> list[GuildEvent]:
        """The server's events by date."""
        rows = await self._db.fetch_all(
            # NULLS FIRST: SQLite's order, which PostgreSQL's differs from (an event without a time starts the day)
            f"SELECT {_EVENT_COLUMNS} FROM guild_events WHERE guild_id = ?"
            " ORDER BY event_date, start_time NULLS FIRST, name_key",
            (guild_id,),
        )
        return [_event(row) for row in rows]

    async def event(self, event_id: int) -> GuildEvent | None:
        row = await self._db.fetch_one(f"SELECT {_EVENT_COLUMNS} FROM guild_events WHERE id = ?", (event_id,))
        return None if row is None else _event(row)

    async def event_count(self, guild_id: int) -> int:
        return int(await self._db.fetch_value("SELECT COUNT(*) FROM guild_events WHERE guild_id = ?", (guild_id,)))

    # ---- settings -----------------------------------------------------------------------------------------
    async def settings(self, guild_id: int) -> AnnouncementSettings | None:
        row = await self._db.fetch_one(
            f"SELECT {_SETTINGS_COLUMNS} FROM announcement_settings WHERE guild_id = ?", (guild_id,)
        )
        if row is None:
            return None
        targets = await self._db.fetch_all(
            "SELECT target_key FROM announcement_targets WHERE guild_id = ? ORDER BY target_key", (guild_id,)
        )
        return _settings(row, [t["target_key"] for t in targets])

    async def all_settings(self) -> list[AnnouncementSettings]:
        """Every announcing server (for replanning after a catalogue change)."""
        rows = await self._db.fetch_all(f"SELECT {_SETTINGS_COLUMNS} FROM announcement_settings ORDER BY guild_id")
        targets: dict[int, list[str]] = {}
        for t in await self._db.fetch_all(
            "SELECT guild_id, target_key FROM announcement_targets ORDER BY guild_id, target_key"
        ):
            targets.setdefault(t["guild_id"], []).append(t["target_key"])
        return [_settings(row, targets.get(row["guild_id"], ())) for row in rows]

    async def save_settings(self, settings: AnnouncementSettings) -> None:
        """Store the whole configuration (and its targets); saving clears any pause."""
        async with self._db.transaction() as tx:
            await tx.execute(
                f"""
                INSERT INTO announcement_settings ({_SETTINGS_COLUMNS})
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, FALSE, ?)
                ON CONFLICT (guild_id) DO UPDATE SET
                    channel_id = excluded.channel_id, post_time = excluded.post_time,
                    timezone = excluded.timezone, region = excluded.region, milestones = excluded.milestones,
                    role_id = excluded.role_id, anniversaries = excluded.anniversaries,
                    mirror_events = excluded.mirror_events, paused_reason = NULL, notice_pending = FALSE,
                    warning = NULL, updated_at = excluded.updated_at
                """,
                (
                    settings.guild_id,
                    settings.channel_id,
                    settings.post_time,
                    settings.timezone,
                    settings.region,
                    settings.milestones,
                    settings.role_id,
                    settings.anniversaries,
                    settings.mirror_events,
                    stamp(settings.updated_at),
                ),
            )
            await tx.execute("DELETE FROM announcement_targets WHERE guild_id = ?", (settings.guild_id,))
            await tx.executemany(
                "INSERT INTO announcement_targets (guild_id, target_key) VALUES (?, ?)",
                [(settings.guild_id, key) for key in settings.targets],
            )

    async def turn_off(self, guild_id: int) -> bool:
        """Stop announcing: the settings and every post not yet sent go; the history of sent posts stays."""
        async with self._db.transaction() as tx:
            removed = await tx.execute("DELETE FROM announcement_settings WHERE guild_id = ?", (guild_id,))
            await tx.execute("DELETE FROM announcement_posts WHERE guild_id = ? AND status = 'scheduled'", (guild_id,))
        return removed > 0

    async def pause(self, guild_id: int, reason: str) -> bool:
        """Stop posting until an admin saves the settings again; True if this paused it (first time)."""
        changed = await self._db.execute(
            """
            UPDATE announcement_settings SET paused_reason = ?, notice_pending = TRUE
            WHERE guild_id = ? AND paused_reason IS NULL
            """,
            (reason, guild_id),
        )
        return changed > 0

    async def resume(self, guild_id: int, reason: str) -> bool:
        """Lift a pause, but only one made for `reason` (e.g. the bot being removed, then re-added)."""
        changed = await self._db.execute(
            """
            UPDATE announcement_settings SET paused_reason = NULL, notice_pending = FALSE
            WHERE guild_id = ? AND paused_reason = ?
            """,
            (guild_id, reason),
        )
        return changed > 0

    async def guilds_paused_for(self, reason: str) -> list[int]:
        rows = await self._db.fetch_all("SELECT guild_id FROM announcement_settings WHERE paused_reason = ?", (reason,))
        return [row["guild_id"] for row in rows]

    async def guilds_with_notices(self) -> list[int]:
        rows = await self._db.fetch_all(
            "SELECT guild_id FROM announcement_settings WHERE notice_pending OR warning IS NOT NULL"
        )
        return [row["guild_id"] for row in rows]

    async def drop_role(self, guild_id: int, role_id: int, warning: str) -> bool:
        """Stop pinging `role_id` (it is gone) and keep `warning` for the admins; True if this dropped it."""
        changed = await self._db.execute(
            "UPDATE announcement_settings SET role_id = NULL, warning = ? WHERE guild_id = ? AND role_id = ?",
            (warning, guild_id, role_id),
        )
        return changed > 0

    async def take_warning(self, guild_id: int) -> str | None:
        """The warning admins have not been told yet; telling them is then recorded."""
        async with self._db.transaction() as tx:
            warning = await tx.fetch_value(
                "SELECT warning FROM announcement_settings WHERE guild_id = ? AND warning IS NOT NULL", (guild_id,)
            )
            if warning is None:
                return None
            await tx.execute("UPDATE announcement_settings SET warning = NULL WHERE guild_id = ?", (guild_id,))
        return str(warning)

    async def take_notice(self, guild_id: int) -> str | None:
        """The pause reason if admins have not been told yet; telling them is then recorded."""
        async with self._db.transaction() as tx:
            reason = await tx.fetch_value(
                "SELECT paused_reason FROM announcement_settings WHERE guild_id = ? AND notice_pending",
                (guild_id,),
            )
            if reason is None:
                return None
            await tx.execute("UPDATE announcement_settings SET notice_pending = FALSE WHERE guild_id = ?", (guild_id,))
        return str(reason)

    # ---- the plan -----------------------------------------------------------------------------------------
    async def replace_plan(self, guild_id: int, posts: Sequence[NewPost], now: dt.datetime) -> PlanChange:
        """Make the server's future scheduled posts exactly `posts`.

        New posts are added; a planned post whose time changed is moved; scheduled posts the plan no
        longer has (a target dropped, a milestone removed, a date changed) are deleted, except those
        already due, which the runner still delivers. Rows already sent, failed or skipped are history
        and never touched, so planning twice never posts twice.
        """
        async with self._db.transaction() as tx:
            existing = {
                (row["target_key"], row["release_date"], row["milestone"]): (row["id"], row["status"], row["due_at"])
                for row in await tx.fetch_all(
                    "SELECT id, target_key, release_date, milestone, status, due_at FROM announcement_posts "
                    "WHERE guild_id = ?",
                    (guild_id,),
                )
            }
            wanted = {(p.target_key, p.release_date.isoformat(), p.milestone): p for p in posts}
            inserts = []
            moves = []
            for key, post in wanted.items():
                due = stamp(post.due_at)
                found = existing.get(key)
                if found is None:
                    inserts.append(
                        (
                            guild_id,
                            post.target_key,
                            key[1],
                            post.milestone,
                            post.kind,
                            post.detail,
                            due,
                            due,
                            post.nonce,
                        )
                    )
                elif found[1] == SCHEDULED and found[2] != due:
                    moves.append((due, due, found[0]))
            cutoff = stamp(now)
            stale = [
                (row_id,)
                for key, (row_id, status, due) in existing.items()
                if key not in wanted and status == SCHEDULED and due > cutoff
            ]
            await tx.executemany(
                """
                INSERT INTO announcement_posts
                    (guild_id, target_key, release_date, milestone, kind, detail, due_at, wake_at, status, nonce)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?)
                """,
                inserts,
            )
            await tx.executemany(
                "UPDATE announcement_posts SET due_at = ?, wake_at = ? WHERE id = ? AND status = 'scheduled'", moves
            )
            await tx.executemany("DELETE FROM announcement_posts WHERE id = ? AND status = 'scheduled'", stale)
        return PlanChange(len(inserts), len(moves), len(stale))

    async def skip_overdue(self, guild_id: int, before: dt.datetime) -> int:
        """Record scheduled posts due before `before` as skipped (they waited out a pause or an outage)."""
        return await self._db.execute(
            """
            UPDATE announcement_posts
            SET status = 'skipped', finished_at = ?, reason = 'missed: announcements were paused when it was due'
            WHERE guild_id = ? AND status = 'scheduled' AND due_at < ?
            """,
            (stamp(before), guild_id, stamp(before)),
        )

    async def add_post(self, guild_id: int, post: NewPost) -> bool:
        """Add one post outside the plan (a date-change notice); False if it already exists."""
        due = stamp(post.due_at)
        return (
            await self._db.execute(
                """
                INSERT INTO announcement_posts
                    (guild_id, target_key, release_date, milestone, kind, detail, due_at, wake_at, status, nonce)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?)
                ON CONFLICT (guild_id, target_key, release_date, milestone) DO NOTHING
                """,
                (
                    guild_id,
                    post.target_key,
                    post.release_date.isoformat(),
                    post.milestone,
                    post.kind,
                    post.detail,
                    due,
                    due,
                    post.nonce,
                ),
            )
            > 0
        )

    async def known_dates(self, guild_id: int) -> dict[str, dt.date]:
        rows = await self._db.fetch_all(
            "SELECT target_key, release_date FROM announcement_dates WHERE guild_id = ?", (guild_id,)
        )
        return {row["target_key"]: dt.date.fromisoformat(row["release_date"]) for row in rows}

    async def remember_dates(self, guild_id: int, dates: dict[str, dt.date]) -> None:
        """Record the dates the plan used, replacing what was known."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM announcement_dates WHERE guild_id = ?", (guild_id,))
            await tx.executemany(
                "INSERT INTO announcement_dates (guild_id, target_key, release_date) VALUES (?, ?, ?)",
                [(guild_id, key, day.isoformat()) for key, day in dates.items()],
            )

    # ---- delivery -----------------------------------------------------------------------------------------
    async def reconcile(
        self, now: dt.datetime, grace: dt.timedelta, shards: Shards, *, sole: bool = False
    ) -> Reconciliation:
        """After a start: resume posts whose sender died mid-send; skip those older than the grace window.

        Only posts whose lease ran out are resumed: another process may be sending the rest right now,
        unless this process is `sole` (no other can run on this database): then every one is its own.
        Posts of paused servers are left alone: they waited for the pause, not for the bot, and
        lifting the pause skips the ones that are too old (`skip_overdue`) with that reason.
        """
        where, params = shards.sql()
        async with self._db.transaction() as tx:
            resumed = await self._take_over(tx, now, shards, every=sole)
            skipped = await tx.execute(
                f"""
                UPDATE announcement_posts
                SET status = 'skipped', finished_at = ?,
                    reason = 'missed: Marquee was offline when it was due, and the grace window had passed'
                WHERE status = 'scheduled' AND due_at < ? AND {where}
                    AND guild_id NOT IN (SELECT guild_id FROM announcement_settings WHERE paused_reason IS NOT NULL)
                """,
                (stamp(now), stamp(now - grace), *params),
            )
        return Reconciliation(resumed, skipped)

    async def take_over_expired(self, now: dt.datetime, shards: Shards) -> int:
        """Put back in the queue the posts of these shards whose sender's lease ran out (it died or hung):
        run in the due-work loop, so the work of a process that died goes to the others."""
        async with self._db.transaction() as tx:
            return await self._take_over(tx, now, shards)

    async def _take_over(self, tx: Transaction, now: dt.datetime, shards: Shards, *, every: bool = False) -> int:
        where, params = shards.sql()
        # `every`: the rows held by any owner, live or not (only a process alone on its database may ask)
        expired, lease_params = ("1 = 1", ()) if every else (EXPIRED, (stamp(now),))
        return await tx.execute(
            f"UPDATE announcement_posts SET status = 'scheduled', {_RELEASED} "
            f"WHERE status = 'sending' AND {expired} AND {where}",
            (*lease_params, *params),
        )

    async def claim_due(self, now: dt.datetime, shards: Shards, limit: int = 100) -> list[AnnouncementPost]:
        """Take up to `limit` due posts of servers that are not paused, marking them as being sent under this
        repository's lease.

        A row is claimed only if it is still scheduled, so two processes never both send it; on PostgreSQL
        rows another process is claiming at the same moment are skipped, not waited for.
        """
        where, params = shards.sql("p.guild_id")
        async with self._db.transaction() as tx:
            rows = await tx.fetch_all(
                f"""
                SELECT {", ".join("p." + c.strip() for c in _POST_COLUMNS.split(","))}
                FROM announcement_posts p JOIN announcement_settings s ON s.guild_id = p.guild_id
                WHERE p.status = 'scheduled' AND p.wake_at <= ? AND s.paused_reason IS NULL AND {where}
                ORDER BY p.wake_at, p.id LIMIT ? {claim_lock(tx.dialect, "p")}
                """,
                (stamp(now), *params, limit),
            )
            claimed = []
            for row in rows:
                if await tx.execute(
                    "UPDATE announcement_posts SET status = 'sending', attempts = attempts + 1, "
                    "first_try_at = COALESCE(first_try_at, ?), lease_owner = ?, lease_until = ? "
                    "WHERE id = ? AND status = 'scheduled'",
                    (stamp(now), self.lease.owner, self.lease.until(now), row["id"]),
                ):
                    # The row as it now is: being sent, with this try counted (callers back off by attempts).
                    post = _post(row)
                    claimed.append(
                        replace(
                            post, status="sending", attempts=row["attempts"] + 1, first_try_at=post.first_try_at or now
                        )
                    )
        return claimed

    async def renew_leases(self, now: dt.datetime) -> int:
        """Extend the lease of every post this repository's owner is sending (a long run of sends)."""
        return await self._db.execute(
            "UPDATE announcement_posts SET lease_until = ? WHERE status = 'sending' AND lease_owner = ?",
            (self.lease.until(now), self.lease.owner),
        )

    async def mark_sent(self, post_id: int, *, channel_id: int, message_id: int, late: bool, now: dt.datetime) -> bool:
        """Record the post as sent; False (nothing recorded) if this owner no longer holds it."""
        return (
            await self._db.execute(
                f"""
                UPDATE announcement_posts
                SET status = 'sent', channel_id = ?, message_id = ?, late = ?, finished_at = ?, reason = NULL,
                    {_RELEASED}
                WHERE id = ? AND {_HELD}
                """,
                (channel_id, message_id, late, stamp(now), post_id, self.lease.owner),
            )
            > 0
        )

    async def mark_finished(
        self, post_id: int, status: Literal["failed", "skipped"], reason: str, now: dt.datetime
    ) -> bool:
        """Record that the post will not be sent, and why; False if this owner no longer holds it."""
        return (
            await self._db.execute(
                f"UPDATE announcement_posts SET status = ?, reason = ?, finished_at = ?, {_RELEASED} "
                f"WHERE id = ? AND {_HELD}",
                (status, reason, stamp(now), post_id, self.lease.owner),
            )
            > 0
        )

    async def retry_later(self, post_id: int, wake_at: dt.datetime, reason: str) -> bool:
        """Put a post back in the queue after a transient failure; False if this owner no longer holds it."""
        return (
            await self._db.execute(
                f"UPDATE announcement_posts SET status = 'scheduled', wake_at = ?, reason = ?, {_RELEASED} "
                f"WHERE id = ? AND {_HELD}",
                (stamp(wake_at), reason, post_id, self.lease.owner),
            )
            > 0
        )

    async def next_wake(self, shards: Shards) -> dt.datetime | None:
        """When the runner next has something to do (None: nothing is scheduled): a post falls due, or a
        lease of a post being sent runs out (its sender may have died: `take_over_expired`)."""
        where, params = shards.sql("p.guild_id")
        value = await self._db.fetch_value(
            f"""
            SELECT MIN(w) FROM (
                SELECT MIN(p.wake_at) AS w FROM announcement_posts p
                JOIN announcement_settings s ON s.guild_id = p.guild_id
                WHERE p.status = 'scheduled' AND s.paused_reason IS NULL AND {where}
                UNION ALL
                SELECT MIN(p.lease_until) AS w FROM announcement_posts p WHERE p.status = 'sending' AND {where}
            ) wakes
            """,
            (*params, *params),
        )
        return instant(value)

    async def upcoming(self, guild_id: int, limit: int = 5) -> list[AnnouncementPost]:
        rows = await self._db.fetch_all(
            f"""
            SELECT {_POST_COLUMNS} FROM announcement_posts
            WHERE guild_id = ? AND status IN ('scheduled', 'sending') ORDER BY due_at, id LIMIT ?
            """,
            (guild_id, limit),
        )
        return [_post(row) for row in rows]

    async def recent(self, guild_id: int, limit: int = 10) -> list[AnnouncementPost]:
        rows = await self._db.fetch_all(
            f"""
            SELECT {_POST_COLUMNS} FROM announcement_posts
            WHERE guild_id = ? AND status IN ('sent', 'failed', 'skipped') ORDER BY finished_at DESC, id DESC LIMIT ?
            """,
            (guild_id, limit),
        )
        return [_post(row) for row in rows]

    async def post(self, post_id: int) -> AnnouncementPost | None:
        row = await self._db.fetch_one(f"SELECT {_POST_COLUMNS} FROM announcement_posts WHERE id = ?", (post_id,))
        return None if row is None else _post(row)

    # ---- native scheduled events --------------------------------------------------------------------------
    async def mirrors(self, guild_id: int) -> dict[str, Mirror]:
        rows = await self._db.fetch_all(
            "SELECT target_key, discord_event_id, starts_at FROM announcement_mirrors WHERE guild_id = ?", (guild_id,)
        )
        return {
            row["target_key"]: Mirror(
                row["target_key"], row["discord_event_id"], dt.datetime.fromisoformat(row["starts_at"])
            )
            for row in rows
        }

    async def save_mirror(self, guild_id: int, mirror: Mirror) -> None:
        await self._db.execute(
            """
            INSERT INTO announcement_mirrors (guild_id, target_key, discord_event_id, starts_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (guild_id, target_key) DO UPDATE SET
                discord_event_id = excluded.discord_event_id, starts_at = excluded.starts_at
            """,
            (guild_id, mirror.target_key, mirror.discord_event_id, stamp(mirror.starts_at)),
        )

    async def forget_mirror(self, guild_id: int, target_key: str) -> None:
        await self._db.execute(
            "DELETE FROM announcement_mirrors WHERE guild_id = ? AND target_key = ?", (guild_id, target_key)
        )
