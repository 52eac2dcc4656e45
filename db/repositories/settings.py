"""Per-guild and per-user timezone and region preferences, and a server's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from db.connection import Database, Row
from db.repositories.models import PlaceSettings

Clock = Callable[[], dt.datetime]


def _settings(row: Row | None) -> PlaceSettings | None:
    if row is None:
        return None
    return PlaceSettings(row[0], row["timezone"], row["region"], dt.datetime.fromisoformat(row["updated_at"]))


class _PlaceSettingsRepository:
    """Shared code for the two settings tables, which differ only in their names.

    Subclasses supply ``_TABLE``/``_ID`` as class constants; they are interpolated
    into the SQL because identifiers cannot be bound parameters. Values always are.
    """

    _TABLE: str
    _ID: str

    def __init__(self, db: Database, clock: Clock) -> None:
        """`clock` is the bot's (`bot.clock.now`): the one source of "now" stamps ``updated_at``."""
        self._db = db
        self._clock = clock

    def _stamp(self) -> str:
        return self._clock().isoformat()

    async def get(self, owner_id: int) -> PlaceSettings | None:
        """The stored settings, or None if nothing was ever set."""
        row = await self._db.fetch_one(
            f"SELECT {self._ID}, timezone, region, updated_at FROM {self._TABLE} WHERE {self._ID} = ?",
            (owner_id,),
        )
        return _settings(row)

    async def upsert(self, owner_id: int, *, timezone: str | None, region: str | None) -> PlaceSettings:
        """Store both values (None clears one) and return the result."""
        await self._db.execute(
            f"""
            INSERT INTO {self._TABLE} ({self._ID}, timezone, region, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT ({self._ID}) DO UPDATE SET
                timezone = excluded.timezone, region = excluded.region, updated_at = excluded.updated_at
            """,
            (owner_id, timezone, region, self._stamp()),
        )
        return await self._require(owner_id)

    async def set_timezone(self, owner_id: int, timezone: str | None) -> PlaceSettings:
        """Store the timezone (an IANA name, or None to clear), keeping the region."""
        await self._db.execute(
            f"""
            INSERT INTO {self._TABLE} ({self._ID}, timezone, updated_at) VALUES (?, ?, ?)
            ON CONFLICT ({self._ID}) DO UPDATE SET
                timezone = excluded.timezone, updated_at = excluded.updated_at
            """,
            (owner_id, timezone, self._stamp()),
        )
        return await self._require(owner_id)

    async def set_region(self, owner_id: int, region: str | None) -> PlaceSettings:
        """Store the region (ISO 3166-1 alpha-2, or None to clear), keeping the timezone."""
        await self._db.execute(
            f"""
            INSERT INTO {self._TABLE} ({self._ID}, region, updated_at) VALUES (?, ?, ?)
            ON CONFLICT ({self._ID}) DO UPDATE SET
                region = excluded.region, updated_at = excluded.updated_at
            """,
            (owner_id, region, self._stamp()),
        )
        return await self._require(owner_id)

    async def delete(self, owner_id: int) -> bool:
        """Forget every setting; True if there was something to forget."""
        changed = await self._db.execute(f"DELETE FROM {self._TABLE} WHERE {self._ID} = ?", (owner_id,))
        return changed > 0

    async def _require(self, owner_id: int) -> PlaceSettings:
        settings = await self.get(owner_id)
        if settings is None:
            raise LookupError(f"{self._TABLE} row {owner_id} vanished right after being written")
        return settings


class GuildSettingsRepository(_PlaceSettingsRepository):
    """Timezone and region of a Discord guild (server)."""

    _TABLE = "guild_settings"
    _ID = "guild_id"

    async def language(self, guild_id: int) -> str | None:
        """The language the server's public posts are written in, or None for its Discord language."""
        row = await self._db.fetch_one("SELECT language FROM guild_settings WHERE guild_id = ?", (guild_id,))
        return row["language"] if row is not None else None

    async def set_language(self, guild_id: int, language: str | None) -> None:
        """Store the server's language (a catalogue name), or None to follow its Discord language."""
        await self._db.execute(
            """
            INSERT INTO guild_settings (guild_id, language, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (guild_id) DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at
            """,
            (guild_id, language, self._stamp()),
        )


class UserSettingsRepository(_PlaceSettingsRepository):
    """Timezone, region and quiet hours of a Discord user."""

    _TABLE = "user_settings"
    _ID = "user_id"

    async def quiet_hours(self, user_id: int) -> tuple[str, str] | None:
        """(start, end) as HH:MM, or None when the member has none."""
        row = await self._db.fetch_one("SELECT quiet_start, quiet_end FROM user_settings WHERE user_id = ?", (user_id,))
        if row is None or row["quiet_start"] is None or row["quiet_end"] is None:
            return None
        return row["quiet_start"], row["quiet_end"]

    async def set_quiet_hours(self, user_id: int, window: tuple[str, str] | None) -> None:
        """Store quiet hours (HH:MM start and end) or clear them with None."""
        start, end = window if window is not None else (None, None)
        await self._db.execute(
            """
            INSERT INTO user_settings (user_id, quiet_start, quiet_end, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET
                quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end, updated_at = excluded.updated_at
            """,
            (user_id, start, end, self._stamp()),
        )


async def preferred_regions(db: Database, user_id: int, guild_id: int | None) -> tuple[str | None, str | None]:
    """The member's and the server's chosen regions, in one round trip (a lookup reads both)."""
    row = await db.fetch_one(
        """
        SELECT (SELECT region FROM user_settings WHERE user_id = ?) AS user_region,
               (SELECT region FROM guild_settings WHERE guild_id = ?) AS guild_region
        """,
        (user_id, guild_id or 0),
    )
    return (row["user_region"], row["guild_region"]) if row is not None else (None, None)
