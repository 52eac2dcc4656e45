"""Noticing a catalogue changed by someone else: `pack load` or `pack refresh --yes` run from the command
line while the bot runs, or another bot process on the same database.

Every pack load changes the packs' digest (`CatalogueRepository.packs_digest`), one small read. The watch
compares it, once a minute, with the digest of the catalogue the bot serves, and when they differ tells
the bot as a pack loaded into it would (`Services.catalogue_changed`): the look-up indexes it again, the
announcer replans (one "release date changed" post per server, nothing twice: the plans are in the
database) and the reminders are re-timed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from bot.clock import Clock
from bot.delivery import DueWorkRunner
from bot.scheduler import AlarmClock
from db import CatalogueRepository

ALARM = "catalogue-watch"
EVERY = dt.timedelta(minutes=1)


class CatalogueWatch:
    """Calls `changed` when the loaded packs are no longer those of `served()` (a digest)."""

    def __init__(self, catalogue: CatalogueRepository, clock: Clock, alarms: AlarmClock) -> None:
        self.catalogue = catalogue
        self.clock = clock
        self.runner = DueWorkRunner(ALARM, alarms, clock, self._due)
        self._served: Callable[[], str] = str
        self._changed: Callable[[], Awaitable[None]] | None = None

    def start(self, served: Callable[[], str], changed: Callable[[], Awaitable[None]]) -> None:
        """Look a minute from now, and every minute after."""
        self._served, self._changed = served, changed
        self.runner.poke(self.clock.now() + EVERY)

    def stop(self) -> None:
        self.runner.stop()

    async def _due(self) -> dt.datetime:
        served = self._served()
        if served and self._changed is not None and await self.catalogue.packs_digest() != served:
            await self._changed()
        return self.clock.now() + EVERY
