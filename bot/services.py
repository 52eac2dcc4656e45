"""The long-lived services, built once with the bot and handed to the cogs that need them.

A cog is a thin Discord adapter: it receives in its constructor the services it uses (from its
package's `setup`) and never looks another cog up. What one feature must tell another (a member's
data erased, a server's place changed, the catalogue's dates moved) goes through a method here or a
service the caller was handed, so every path between features can be read in this file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.catalogue_watch import CatalogueWatch
from bot.tmdb.connect import tmdb_client
from bot.tmdb.daily import DailyRefresh
from cogs.countdowns.engine import Announcer
from cogs.films.service import LookupService
from cogs.reminders.engine import ReminderEngine
from cogs.trivia.engine import TriviaEngine
from db.repositories import Shards

if TYPE_CHECKING:
    from bot.client import MarqueeBot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Services:
    lookup: LookupService
    announcer: Announcer
    reminders: ReminderEngine
    trivia: TriviaEngine
    watch: CatalogueWatch
    tmdb: DailyRefresh | None = None
    """The daily refresh of the packs imported from TMDB, when `tmdb.refresh = "daily"` and a token is set."""

    async def start(self) -> None:
        """Reconcile after downtime, arm the alarms and start indexing the catalogue.

        The announcer first: its start reads every release date, and the look-up's index build, once
        started, runs in a worker thread that would compete with it for the interpreter. The reminders
        after the announcer, since they are timed from its release dates (and re-time themselves when
        those dates changed); trivia last, whose question pool is built from the indexes."""
        await self.announcer.start()
        await self.lookup.start()
        await self.reminders.start()
        await self.trivia.start()
        self.watch.start(lambda: self.lookup.packs_digest, self.catalogue_changed)
        if self.tmdb is not None:
            await self.tmdb.start(self.catalogue_changed)

    def stop(self) -> None:
        self.watch.stop()
        if self.tmdb is not None:
            self.tmdb.stop()
        self.trivia.stop()
        self.reminders.stop()
        self.announcer.stop()
        self.lookup.stop()

    async def catalogue_changed(self) -> None:
        """A pack loaded into the running bot (or by another process, which `watch` notices): index the
        catalogue again, reload the release dates (the announcer replans if they moved), re-time the
        reminders from them, and rebuild the trivia pool once the new indexes are ready."""
        await self.lookup.reload()
        await self.announcer.catalogue_changed()
        await self.reminders.release_dates_changed()
        self.trivia.catalogue_changed()

    def member_region_changed(self, user_id: int) -> None:
        """A member chose a region (/preferences region): film cards read it again."""
        self.lookup.forget_member(user_id)

    def server_place_changed(self, guild_id: int) -> None:
        """A server's timezone or region changed (/settings server): film cards and trivia read it again."""
        self.lookup.forget_server(guild_id)
        self.trivia.server_place_changed(guild_id)

    def member_data_erased(self, user_id: int) -> None:
        """A member erased their data (/privacy delete): nothing kept of them in memory may outlive it."""
        self.lookup.forget_member(user_id)
        self.reminders.erased(user_id)

    async def server_event_removed(self, target_key: str) -> None:
        """A server event was removed: nobody is reminded of it any more."""
        await self.reminders.event_removed(target_key)


def build_services(bot: MarqueeBot) -> Services:
    lookup = LookupService(bot.catalogue, bot.database, bot.clock)
    plan = bot.shard_plan
    # Announcements of servers on other processes' shards are theirs to plan and post, and DMs about their
    # events theirs to send first.
    shards = Shards(plan.count, plan.ids) if plan.count is not None and plan.ids is not None else None
    announcer = Announcer(
        bot,
        database=bot.database,
        catalogue=bot.catalogue,
        clock=bot.clock,
        settings=bot.settings,
        alarms=bot.alarms,
        pacer=bot.pacer,
        breaker=bot.breaker,
        lease=bot.lease,
        shards=shards,
        languages=bot.languages,
    )
    reminders = ReminderEngine(
        bot,
        announcer,
        database=bot.database,
        clock=bot.clock,
        settings=bot.settings,
        alarms=bot.alarms,
        pacer=bot.pacer,
        breaker=bot.breaker,
        lease=bot.lease,
        shards=shards,
        catalogues=bot.catalogues,
    )
    tmdb = None
    if bot.settings.tmdb.refresh == "daily" and not bot.settings.tmdb.token:
        log.warning("tmdb.refresh is daily but no TMDB token is set (MARQUEE_TMDB_TOKEN): nothing is refreshed")
    elif bot.settings.tmdb.refresh == "daily":
        # Every process arms the refresh and the one holding its lease runs it (the others notice the new packs
        # through their catalogue watch), so it survives the death of any one process.
        settings = bot.settings.tmdb
        tmdb = DailyRefresh(bot.database, bot.clock, bot.alarms, lambda: tmdb_client(settings), lease=bot.lease)
    return Services(
        lookup=lookup,
        announcer=announcer,
        reminders=reminders,
        trivia=TriviaEngine(bot, lookup),
        watch=CatalogueWatch(bot.catalogue, bot.clock, bot.alarms),
        tmdb=tmdb,
    )
