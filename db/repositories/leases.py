"""Leases on outbox rows being sent, so that several bot processes sharing one database never send one twice.

A process claims a due row by writing its owner (an id random per process start) and a lease expiry on
it. While the lease runs, no other process touches the row; the holder renews it during long sends. A
process that dies stops renewing: once its leases expire, the rows go back in the queue for any process
(`take over`), and the resend reuses the row's nonce, so Discord (or the earlier-post check) recognises
the message it may already have made. Recording the outcome checks the owner: a holder whose lease was
taken over records nothing.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from db.connection import Database, Dialect
from db.repositories.stamps import stamp

# Long enough for one send with its retries and pacing; a holder renews it halfway through.
LEASE_LENGTH = dt.timedelta(minutes=2)

# A row whose lease is over (or was claimed before leases existed) may be taken over by anyone.
EXPIRED = "(lease_until IS NULL OR lease_until <= ?)"


def new_process_id() -> str:
    """A fresh owner id for one process start (a restart is a new owner: its old leases must expire)."""
    return secrets.token_hex(8)


def claim_lock(dialect: Dialect, table: str) -> str:
    """What a SELECT of due rows ends with: on PostgreSQL it locks the rows it returns and skips those another
    process is claiming right now, so concurrent claims take disjoint rows without waiting; SQLite has one
    writer per file and needs nothing."""
    return {"sqlite": "", "postgresql": f"FOR UPDATE OF {table} SKIP LOCKED"}[dialect]


@dataclass(frozen=True)
class Lease:
    """Who claims rows (`owner`, one per process start) and for how long a claim holds without renewal."""

    owner: str
    length: dt.timedelta = LEASE_LENGTH

    @classmethod
    def new(cls) -> Lease:
        """A lease for a new owner."""
        return cls(new_process_id())

    def until(self, now: dt.datetime) -> str:
        """The stored expiry of a claim or renewal made at `now`."""
        return stamp(now + self.length)


class Renewal:
    """When a holder renews its leases: each time half a lease has passed, so a live holder's never lapse."""

    def __init__(self, lease: Lease, now: dt.datetime) -> None:
        self._every = lease.length / 2
        self._next = now + self._every

    def due(self, now: dt.datetime) -> bool:
        """True (once per half lease) when the holder should renew now."""
        if now < self._next:
            return False
        self._next = now + self._every
        return True


class JobLeaseRepository:
    """Leases on named jobs (not rows of an outbox): whoever holds a job's lease runs it, the others wait for it
    to be given up or to run out."""

    def __init__(self, db: Database, lease: Lease) -> None:
        self._db = db
        self.lease = lease

    async def claim(self, name: str, now: dt.datetime) -> bool:
        """Take job `name` for this owner unless another holds an unexpired lease on it (a claim by the holder
        renews it); one statement, so two processes claiming at once cannot both win."""
        row = await self._db.fetch_one(
            """
            INSERT INTO job_leases (name, lease_owner, lease_until) VALUES (?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET lease_owner = excluded.lease_owner, lease_until = excluded.lease_until
            WHERE job_leases.lease_until <= ? OR job_leases.lease_owner = excluded.lease_owner
            RETURNING lease_owner
            """,
            (name, self.lease.owner, self.lease.until(now), stamp(now)),
        )
        return row is not None

    async def renew(self, name: str, now: dt.datetime) -> bool:
        """Extend this owner's lease on `name`; False when it is no longer ours (it ran out and was taken)."""
        renewed = await self._db.execute(
            "UPDATE job_leases SET lease_until = ? WHERE name = ? AND lease_owner = ?",
            (self.lease.until(now), name, self.lease.owner),
        )
        return renewed > 0

    async def give_up(self, name: str) -> None:
        """Release this owner's lease on `name` (the job is done); another owner's is left alone."""
        await self._db.execute("DELETE FROM job_leases WHERE name = ? AND lease_owner = ?", (name, self.lease.owner))

    async def held_until(self, name: str) -> dt.datetime | None:
        """When the current lease on `name` runs out (whoever holds it), or None when nobody holds one."""
        value = await self._db.fetch_value("SELECT lease_until FROM job_leases WHERE name = ?", (name,))
        return None if value is None else dt.datetime.fromisoformat(str(value))
