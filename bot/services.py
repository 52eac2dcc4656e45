"""The long-lived services, built once with the bot and handed to the cogs that need them.

A cog is a thin Discord adapter: it receives in its constructor the services it uses (from its
package's `setup`) and never looks another cog up. What one feature must tell another (a member's
data erased, a server's place changed, the catalogue's dates moved) goes through a method here or a
service the caller was handed, so every path between features can be read in this file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cogs.countdowns.engine import Announcer
from cogs.reminders.engine import ReminderEngine

if TYPE_CHECKING:
    from bot.client import MarqueeBot


@dataclass(frozen=True)
class Services:
    announcer: Announcer
    reminders: ReminderEngine

    async def start(self) -> None:
        """Reconcile after downtime and arm the alarms; the announcer first, whose release dates
        the reminders are timed from (the reminders re-time themselves when those dates changed)."""
        await self.announcer.start()
        await self.reminders.start()

    def stop(self) -> None:
        self.reminders.stop()
        self.announcer.stop()

    async def catalogue_changed(self) -> None:
        """A pack loaded into the running bot: the announcer reloads the release dates and replans if
        they moved, then the reminders re-time themselves from them."""
        await self.announcer.catalogue_changed()
        await self.reminders.release_dates_changed()

    def member_data_erased(self, user_id: int) -> None:
        """A member erased their data (`/privacy delete`): forget what is kept of them in memory."""
        self.reminders.erased(user_id)

    async def server_event_removed(self, target_key: str) -> None:
        """A server event was removed: nobody is reminded of it any more."""
        await self.reminders.event_removed(target_key)


def build_services(bot: MarqueeBot) -> Services:
    announcer = Announcer(
        bot,
        database=bot.database,
        catalogue=bot.catalogue,
        clock=bot.clock,
        settings=bot.settings,
        alarms=bot.alarms,
        pacer=bot.pacer,
        breaker=bot.breaker,
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
    )
    return Services(announcer=announcer, reminders=reminders)
