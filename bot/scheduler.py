"""The alarm clock: APScheduler 3.x wakes work up at the right moment, and nothing more.

What must happen lives in the database; an alarm only says "look now". Alarms are named with
deterministic ids, so setting one twice replaces it. Times are instants of the bot's `Clock`:
when a test moves a `ManualClock` forward, every alarm that became due fires at once and the
others are re-aimed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock

log = logging.getLogger(__name__)

AlarmCallback = Callable[[], Awaitable[None]]
# Seconds a ringing alarm gets to finish when the bot stops (what it was doing is in the database and
# resumes at the next start if it is cut short).
STOP_GRACE = 10.0


@dataclass
class _Alarm:
    when: datetime
    callback: AlarmCallback


class AlarmClock:
    """Named one-shot alarms measured on the bot's clock."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        # A late wake-up must still run (the default grace of 1 s would drop it), and two wake-ups
        # that piled up are one. Two instances: an alarm re-set for "now" from inside its own ring
        # must ring again, not be dropped as a second instance of a running job.
        self._scheduler = AsyncIOScheduler(
            timezone=UTC, job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 2}
        )
        self._alarms: dict[str, _Alarm] = {}
        self._ringing = 0
        self._rings: set[asyncio.Task[object]] = set()
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def start(self) -> None:
        """Start ticking; needs a running event loop (call from `setup_hook`)."""
        self._scheduler.start()
        self._unsubscribe = self._clock.subscribe(self._time_jumped)
        for name in list(self._alarms):
            self._aim(name)

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Ring no more, and return only once no alarm is ringing.

        Alarms already ringing get `grace` seconds to finish, then are cancelled: either way none is
        still at work when the caller goes on to close the database under it.
        """
        if self._scheduler.running:
            self._scheduler.pause()
        ringing = {task for task in self._rings if task is not asyncio.current_task()}
        if ringing:
            await asyncio.wait(ringing, timeout=grace)
        self.shutdown()  # APScheduler cancels the rings still running
        late = {task for task in ringing if not task.done()}
        if late:
            await asyncio.wait(late)

    def shutdown(self) -> None:
        """Ring no more; APScheduler cancels the alarms still ringing (`stop` gives them time first)."""
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def set(self, name: str, when: datetime, callback: AlarmCallback) -> None:
        """Ring `callback` at `when` (clock time); replaces any alarm of the same name."""
        self._alarms[name] = _Alarm(when, callback)
        if self.running:
            self._aim(name)

    @property
    def busy(self) -> bool:
        """True while an alarm is ringing or one is due but has not rung yet.

        Lets a caller that just moved a test clock wait until everything that became due has run.
        """
        now = self._clock.now()
        return self._ringing > 0 or any(alarm.when <= now for alarm in self._alarms.values())

    def cancel(self, name: str) -> None:
        self._alarms.pop(name, None)
        if self.running and self._scheduler.get_job(name):
            self._scheduler.remove_job(name)

    def next_alarm(self, name: str) -> datetime | None:
        alarm = self._alarms.get(name)
        return alarm.when if alarm else None

    def _aim(self, name: str) -> None:
        # The scheduler counts real seconds; translate the clock's instant into a real one.
        delay = max(self._alarms[name].when - self._clock.now(), timedelta(0))
        self._scheduler.add_job(
            self._ring, "date", run_date=datetime.now(UTC) + delay, args=[name], id=name, replace_existing=True
        )

    def _time_jumped(self) -> None:
        for name in list(self._alarms):
            self._aim(name)

    async def _ring(self, name: str) -> None:
        alarm = self._alarms.pop(name, None)
        if alarm is None:
            return
        self._ringing += 1
        ring = asyncio.current_task()
        if ring is not None:
            self._rings.add(ring)
        try:
            await alarm.callback()
        except asyncio.CancelledError:
            # The bot is shutting down mid-ring; what the alarm was doing is in the database and resumes at start.
            log.info("alarm %s was interrupted by shutdown", name)
        except Exception:
            log.exception("alarm %s failed", name)
        finally:
            self._ringing -= 1
            if ring is not None:
                self._rings.discard(ring)
