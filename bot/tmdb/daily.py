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
from db.repositories.leases import JobLeaseRepository, Lease, Renewal

log = logging.getLogger(__name__)

ALARM = "tmdb-refresh"
JOB = "tmdb-refresh"
"""The job lease's name: of several processes on one database, its holder refreshes."""
REFRESHED_AT = "tmdb_refreshed_at"
"""The `bot_state` key of the last daily refresh's instant (ISO 8601, UTC)."""
EVERY = dt.timedelta(days=1)
RETRY_AFTER = dt.timedelta(hours=1)
"""When TMDB could not be reached: tried again this much later, not a day later."""

ClientFactory = Callable[[], AbstractAsyncContextManager[TmdbClient]]


class LeaseLostError(Exception):
    """This process's lease on a job ran out mid-way (it stalled) and another process holds it now."""


class DailyRefresh:
    """Refreshes the TMDB packs once a day; `start` arms it, `refresh` runs one refresh now."""

    def __init__(
        self, database: Database, clock: Clock, alarms: AlarmClock, client: ClientFactory, lease: Lease
    ) -> None:
        self.database = database
        self.catalogue = CatalogueRepository(database)
        self.jobs = JobLeaseRepository(database, lease)
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
        now = self.clock.now()
        last = await self._last_refresh(state)
        if last is not None and now < last + EVERY:
            return last + EVERY
        # Every process of the bot arms this alarm; the one holding the job's lease refreshes.
        if not await self.jobs.claim(JOB, now):
            # Look again when the holder's lease runs out: by then it has recorded its refresh, or it died.
            return await self.jobs.held_until(JOB) or now + RETRY_AFTER
        try:
            # Read again under the lease: a holder that finished just before the claim has recorded its run.
            last = await self._last_refresh(state)
            if last is not None and now < last + EVERY:
                return last + EVERY
            await self.refresh(since=last, now=now)
        except TmdbError as error:
            log.warning("daily TMDB refresh: %s; trying again in %s", error, RETRY_AFTER)
            return now + RETRY_AFTER
        except LeaseLostError:
            log.warning("daily TMDB refresh: its lease ran out mid-way and another process took it over")
            return now + EVERY
        except Exception:  # a bug would fail again at once: not worth asking TMDB every minute
            log.exception("daily TMDB refresh failed; trying again in %s", RETRY_AFTER)
            return now + RETRY_AFTER
        else:
            await state.set(REFRESHED_AT, now.isoformat())
            return now + EVERY
        finally:
            await self.jobs.give_up(JOB)

    @staticmethod
    async def _last_refresh(state: BotStateRepository) -> dt.datetime | None:
        stored = await state.get(REFRESHED_AT)
        return dt.datetime.fromisoformat(stored) if stored else None

    async def refresh(self, *, since: dt.datetime | None, now: dt.datetime) -> list[str]:
        """Refresh the packs holding a film TMDB changed since `since` (every pack when None or too long
        ago); returns the ids of the packs that changed."""
        records = await self.catalogue.tmdb_packs()
        if not records:
            return []
        films = await self.catalogue.films()
        refreshed = []
        lost = False
        async with self.client() as client:
            changed = await changed_films(client, since, now) if since is not None else None
            renewal = Renewal(self.jobs.lease, self.clock.now())
            for record in records:
                if renewal.due(self.clock.now()) and not await self.jobs.renew(JOB, self.clock.now()):
                    lost = True  # the new holder refreshes every pack again; what this one loaded still counts
                    break
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
        if lost:
            raise LeaseLostError(JOB)
        return refreshed
