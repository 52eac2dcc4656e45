"""The running bot's daily refresh of the packs imported from TMDB (`tmdb.refresh = "daily"`).

Once a day it asks TMDB which films changed (`/movie/changes`) and fetches again only the packs holding
one of them. What it loads flows on like any pack loaded into the running bot: moved release dates
replan the announcements (one "release date changed" post per announcing server) and re-time the
reminders. The database is the truth: the last refresh's time is kept there, so a restart neither
skips a day nor asks twice, and a refresh cut short by a crash is simply done again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from bot.clock import Clock
from bot.delivery import DueWorkRunner
from bot.scheduler import AlarmClock
from bot.tmdb.client import TmdbClient, TmdbError
from bot.tmdb.fetch import changed_films
from bot.tmdb.pack_file import OverridesError
from bot.tmdb.refresh import RefreshError, apply_refresh, plan_refresh
from db import BotStateRepository, CatalogueRepository, Database, PackConflictError, PackValidationError

log = logging.getLogger(__name__)

ALARM = "tmdb-refresh"
REFRESHED_AT = "tmdb_refreshed_at"
"""The `bot_state` key of the last daily refresh's instant (ISO 8601, UTC)."""
EVERY = dt.timedelta(days=1)
RETRY_AFTER = dt.timedelta(hours=1)
"""When TMDB could not be reached: tried again this much later, not a day later."""

ClientFactory = Callable[[], AbstractAsyncContextManager[TmdbClient]]


class DailyRefresh:
    """Refreshes the TMDB packs once a day; `start` arms it, `refresh` runs one refresh now."""

    def __init__(self, database: Database, clock: Clock, alarms: AlarmClock, client: ClientFactory) -> None:
        self.database = database
        self.catalogue = CatalogueRepository(database)
        self.clock = clock
        self.client = client
        self.runner = DueWorkRunner(ALARM, alarms, clock, self._due)
        self._changed: Callable[[], Awaitable[None]] | None = None

    async def start(self, catalogue_changed: Callable[[], Awaitable[None]]) -> None:
        """Arm the alarm; `catalogue_changed` is told whenever a refresh loaded something."""
        self._changed = catalogue_changed
        self.runner.poke()

    def stop(self) -> None:
        self.runner.stop()

    async def _due(self) -> dt.datetime | None:
        state = BotStateRepository(self.database)
        stored = await state.get(REFRESHED_AT)
        last = dt.datetime.fromisoformat(stored) if stored else None
        now = self.clock.now()
        if last is not None and now < last + EVERY:
            return last + EVERY
        try:
            await self.refresh(since=last, now=now)
        except TmdbError as error:
            log.warning("daily TMDB refresh: %s; trying again in %s", error, RETRY_AFTER)
            return now + RETRY_AFTER
        except Exception:  # a bug would fail again at once: not worth asking TMDB every minute
            log.exception("daily TMDB refresh failed; trying again in %s", RETRY_AFTER)
            return now + RETRY_AFTER
        await state.set(REFRESHED_AT, now.isoformat())
        return now + EVERY

    async def refresh(self, *, since: dt.datetime | None, now: dt.datetime) -> list[str]:
        """Refresh the packs holding a film TMDB changed since `since` (every pack when None or too long
        ago); returns the ids of the packs that changed."""
        records = await self.catalogue.tmdb_packs()
        if not records:
            return []
        films = await self.catalogue.films()
        refreshed = []
        async with self.client() as client:
            changed = await changed_films(client, since, now) if since is not None else None
            for record in records:
                keys = {film.tmdb_id: film.key for film in films if film.pack_id == record.pack_id and film.tmdb_id}
                if changed is not None and set(keys).isdisjoint(changed):
                    continue
                kept = Path(record.source_path)
                path = kept if await asyncio.to_thread(kept.is_file) else None
                try:
                    plan = await plan_refresh(
                        client,
                        pack_id=record.pack_id,
                        path=path,
                        origin=record.origin,
                        film_keys=keys,
                        changed=changed,
                        now=now,
                    )
                    if not plan.changed:
                        continue
                    if plan.hand_edited:
                        log.warning("pack %s: %s edited by hand; only the database is refreshed", record.pack_id, path)
                        plan.path = None
                    report = await apply_refresh(self.database, plan, source_path=record.source_path)
                except (RefreshError, OverridesError, PackValidationError, PackConflictError) as error:
                    log.warning("daily TMDB refresh of pack %s: %s", record.pack_id, str(error).splitlines()[0])
                    continue
                log.info(
                    "daily TMDB refresh: pack %s changed (%s); %d films loaded",
                    record.pack_id,
                    "; ".join(plan.changes[:5]),
                    report.films,
                )
                refreshed.append(record.pack_id)
        if refreshed and self._changed is not None:
            await self._changed()
        return refreshed
