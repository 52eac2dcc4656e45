"""Servers that removed Marquee, and deleting everything stored about a server."""

from __future__ import annotations

import datetime as dt

from db.connection import Database
from db.repositories.stamps import stamp

# Every table that holds a server's data, children before parents. A test checks that each table
# with a guild_id column is listed, so a new feature cannot leave data behind.
GUILD_TABLES = (
    "reminder_subscriptions",  # subscriptions made in the server (its events vanish with it)
    "announcement_mirrors",
    "announcement_dates",
    "announcement_targets",
    "announcement_posts",
    "announcement_settings",
    "guild_events",
    "trivia_daily_answers",
    "trivia_daily_posts",
    "trivia_daily",
    "trivia_daily_settings",
    "trivia_recent_questions",
    "trivia_answers",
    "trivia_running",
    "trivia_games",
    "trivia_settings",
    "guild_settings",
    "guild_departures",
)


class GuildDataRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def departed(self, guild_id: int, now: dt.datetime) -> None:
        """Record that the bot was removed from a server (the first time counts)."""
        await self._db.execute(
            "INSERT INTO guild_departures (guild_id, left_at) VALUES (?, ?) ON CONFLICT (guild_id) DO NOTHING",
            (guild_id, stamp(now)),
        )

    async def returned(self, guild_id: int) -> bool:
        """The bot is back in the server: nothing will be deleted. True if a departure was pending."""
        return await self._db.execute("DELETE FROM guild_departures WHERE guild_id = ?", (guild_id,)) > 0

    async def departures(self) -> dict[int, dt.datetime]:
        rows = await self._db.fetch_all("SELECT guild_id, left_at FROM guild_departures")
        return {row["guild_id"]: dt.datetime.fromisoformat(row["left_at"]) for row in rows}

    async def known_guilds(self) -> set[int]:
        """Servers with anything stored about them."""
        # A reminder asked for in a DM (or kept after its server was purged) belongs to no server.
        union = " UNION ".join(f"SELECT guild_id FROM {table} WHERE guild_id IS NOT NULL" for table in GUILD_TABLES)
        return {row[0] for row in await self._db.fetch_all(union)}

    async def purge(self, guild_id: int) -> int:
        """Delete every row about a server, in one transaction; returns the rows deleted."""
        deleted = 0
        async with self._db.transaction() as tx:
            # A film reminder is the member's, wherever they asked for it; a server event's goes with the server.
            await tx.execute(
                "UPDATE reminder_subscriptions SET guild_id = NULL "
                "WHERE guild_id = ? AND target_key NOT LIKE 'event:%'",
                (guild_id,),
            )
            for table in GUILD_TABLES:
                deleted += await tx.execute(f"DELETE FROM {table} WHERE guild_id = ?", (guild_id,))
        return deleted
