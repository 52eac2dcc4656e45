"""Small named text values the bot keeps between runs (e.g. the command-sync hash)."""

from __future__ import annotations

import datetime as dt

from db.connection import Database


class BotStateRepository:
    """A persistent string-to-string map."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, key: str) -> str | None:
        """The value stored under ``key``, or None."""
        value = await self._db.fetch_value("SELECT value FROM bot_state WHERE key = ?", (key,))
        return None if value is None else str(value)

    async def set(self, key: str, value: str) -> None:
        """Store ``value`` under ``key``, replacing any previous value."""
        await self._db.execute(
            """
            INSERT INTO bot_state (key, value, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """,
            (key, value, dt.datetime.now(dt.UTC).isoformat()),
        )

    async def delete(self, key: str) -> bool:
        """Remove ``key``; True if it existed."""
        return await self._db.execute("DELETE FROM bot_state WHERE key = ?", (key,)) > 0
