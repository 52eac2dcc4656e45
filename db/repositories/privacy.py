"""Everything Marquee stores about one member: exported on request, erased on request.

`USER_COLUMNS` names every column that can hold a member's id. A test reads the schema and checks
that no other column could, and that after `erase` no table holds the id anywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from db.connection import Database
from db.repositories.stamps import stamp

# How long an erasure is remembered: far longer than any work in flight when it happened (a DM being
# sent and retried, a trivia game), short enough that even the one-way key of the id goes soon.
ERASURE_MEMORY = dt.timedelta(days=1)

# A condition for a write of member data that began at some instant: true unless the member erased
# their data since. Parameters: erasure_params(user_id, since).
NOT_ERASED_SINCE = "NOT EXISTS (SELECT 1 FROM member_erasures WHERE member_key = ? AND erased_at >= ?)"


def member_key(user_id: int) -> str:
    """A one-way key of a member's id, so that remembering an erasure does not keep the id itself."""
    return hashlib.blake2b(f"erased|{user_id}".encode(), digest_size=16).hexdigest()


def erasure_params(user_id: int, since: dt.datetime) -> tuple[str, str]:
    """The parameters of NOT_ERASED_SINCE for a write about `user_id` by work that began at `since`."""
    return member_key(user_id), stamp(since)


# table -> the columns holding a member's id, and what erasing does with the row
# (erase goes in this order: reminders before their subscriptions, so the cascade does not remove them
# uncounted)
USER_COLUMNS: dict[str, tuple[str, ...]] = {
    "user_settings": ("user_id",),
    "reminders": ("user_id",),
    "reminder_subscriptions": ("user_id",),
    "dm_recipients": ("user_id",),
    "trivia_answers": ("user_id",),
    "trivia_daily_answers": ("user_id",),
    "trivia_games": ("starter_id", "winner_id"),
    "guild_events": ("created_by",),
}
# Rows that are shared history of a server: the member's id is removed from them, the row stays.
# Every "?" is the member's id. One statement per table, so a row is counted once.
ANONYMISED = {
    "trivia_games": (
        "UPDATE trivia_games SET starter_id = CASE WHEN starter_id = ? THEN 0 ELSE starter_id END, "
        "winner_id = CASE WHEN winner_id = ? THEN NULL ELSE winner_id END "
        "WHERE starter_id = ? OR winner_id = ?",
    ),
    "guild_events": ("UPDATE guild_events SET created_by = 0 WHERE created_by = ?",),
}


class PrivacyRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def export(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row that mentions the member, by table, as JSON-ready dicts."""
        result: dict[str, list[dict[str, Any]]] = {}
        for table, columns in USER_COLUMNS.items():
            where = " OR ".join(f"{column} = ?" for column in columns)
            rows = await self._db.fetch_all(f"SELECT * FROM {table} WHERE {where}", [user_id] * len(columns))
            result[table] = [{key: row[key] for key in row.keys()} for row in rows]  # noqa: SIM118
        return result

    async def erase(self, user_id: int, now: dt.datetime) -> int:
        """Delete (or, for shared history, anonymise) every row about the member in one transaction.

        The erasure is remembered (by a one-way key, for ERASURE_MEMORY) in the same transaction, so
        that work already in flight, whose writes check NOT_ERASED_SINCE, cannot write any of it back.
        Returns how many rows were deleted or changed.
        """
        changed = 0
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM member_erasures WHERE erased_at < ?", (stamp(now - ERASURE_MEMORY),))
            await tx.execute(
                "INSERT INTO member_erasures (member_key, erased_at) VALUES (?, ?) "
                "ON CONFLICT (member_key) DO UPDATE SET erased_at = excluded.erased_at",
                (member_key(user_id), stamp(now)),
            )
            for table, columns in USER_COLUMNS.items():
                if table in ANONYMISED:
                    for statement in ANONYMISED[table]:
                        changed += await tx.execute(statement, [user_id] * statement.count("?"))
                    continue
                where = " OR ".join(f"{column} = ?" for column in columns)
                changed += await tx.execute(f"DELETE FROM {table} WHERE {where}", [user_id] * len(columns))
        return changed
