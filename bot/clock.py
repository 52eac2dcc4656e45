"""The single source of "now" for everything in Marquee that depends on time.

Every component receives a `Clock` instead of calling `datetime.now()` so that tests can
move time forward without sleeping, and the bot and the local Discord simulator agree on
what time it is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback` whenever time jumps; return a function that unsubscribes."""
        ...


class SystemClock:
    """The wall clock. Time never jumps, so subscribers are never called."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        return lambda: None


class ManualClock:
    """A clock that only moves when told to; for tests and the simulator."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._subscribers: list[Callable[[], None]] = []
        # advance() may be called from a test thread while the bot reads now().
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move time forward by `delta` and notify subscribers; time never moves back."""
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        with self._lock:
            self._now += delta
            now = self._now
        for callback in list(self._subscribers):
            callback()
        return now

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe
