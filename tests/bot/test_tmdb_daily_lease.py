"""The daily TMDB refresh with several bot processes on one database: every process arms it, the one holding
the job's lease runs it, and the others wait for that lease instead of refreshing too. Two connections to
one SQLite file stand for two processes (the repository's own tests run the lease on PostgreSQL too)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

from bot.clock import ManualClock
from bot.scheduler import AlarmClock
from bot.tmdb.client import TmdbClient
from bot.tmdb.daily import ALARM, EVERY, JOB, REFRESHED_AT, DailyRefresh
from db import BotStateRepository, connect_database, migrate
from db.repositories.leases import LEASE_LENGTH, JobLeaseRepository, Lease

START = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)


@contextlib.asynccontextmanager
async def no_tmdb() -> AsyncIterator[TmdbClient]:
    # No pack here comes from TMDB, so a refresh has nothing to ask: reaching TMDB would be a bug.
    raise AssertionError("the refresh asked TMDB although no pack was imported from it")
    yield  # pragma: no cover


async def next_alarm_moves(alarms: AlarmClock, away_from: datetime | None) -> datetime | None:
    for _ in range(500):
        await asyncio.sleep(0.01)
        if (when := alarms.next_alarm(ALARM)) != away_from:
            return when
    raise AssertionError(f"the refresh's alarm stayed at {away_from}")


async def test_a_process_waits_for_the_refresh_another_holds_and_takes_it_over_when_that_one_dies(
    tmp_path: Path,
) -> None:
    clock = ManualClock(START)
    alarms = AlarmClock(clock)
    alarms.start()
    async with (
        connect_database(tmp_path / "marquee.db") as first,
        connect_database(tmp_path / "marquee.db") as second,
    ):
        await migrate(first)
        state = BotStateRepository(first)
        # Another process took the job a moment ago and is refreshing.
        assert await JobLeaseRepository(second, Lease("other")).claim(JOB, START)
        refresh = DailyRefresh(first, clock, alarms, no_tmdb, lease=Lease("this"))

        async def changed() -> None:
            raise AssertionError("nothing was refreshed, so nothing changed")

        try:
            await refresh.start(changed)
            assert await next_alarm_moves(alarms, None) == START + LEASE_LENGTH  # back when the lease runs out
            assert await state.get(REFRESHED_AT) is None

            # The other process died mid-refresh: once its lease ran out, this one refreshes and records it.
            clock.advance(LEASE_LENGTH)
            assert await next_alarm_moves(alarms, START + LEASE_LENGTH) == START + LEASE_LENGTH + EVERY
            assert await state.get(REFRESHED_AT) == (START + LEASE_LENGTH).isoformat()
            assert await JobLeaseRepository(second, Lease("other")).held_until(JOB) is None  # given up when done

            # A third process starting now finds today's refresh done and waits for tomorrow's.
            late_alarms = AlarmClock(clock)
            late_alarms.start()
            late = DailyRefresh(second, clock, late_alarms, no_tmdb, lease=Lease("late"))
            try:
                await late.start(changed)
                assert await next_alarm_moves(late_alarms, None) == START + LEASE_LENGTH + EVERY
            finally:
                late.stop()
                late_alarms.shutdown()
        finally:
            refresh.stop()
            alarms.shutdown()
