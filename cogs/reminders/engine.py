"""The reminder engine: plans members' reminders into the DM outbox and delivers them as digests.

One sender queue serves every DM. Each run claims due batches (a member's reminders due within ten
minutes of each other), sends one DM per batch, paced with the announcements under one pace, and
records the outcome. DM channel ids are stored, so a DM is one request rather than two.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Protocol

import discord
from discord import app_commands

from bot.clock import Clock
from bot.delivery import (
    MAX_ATTEMPTS,
    DueWorkRunner,
    InvalidRequestBreaker,
    Pacer,
    classify,
    earlier_try_posted,
    retry_delay,
)
from bot.i18n import N_, Catalogues
from bot.localtime import parse_hhmm, zone
from bot.scheduler import AlarmClock
from bot.settings import Settings
from bot.targets import TargetDates, parse_target_key
from cogs.reminders import render
from cogs.reminders.membership import Membership
from cogs.reminders.timing import QuietHours, parse_offsets, plan_reminders
from cogs.reminders.views import stop_view
from db import BotStateRepository, Database
from db.repositories.announcements import GuildEvent, Shards
from db.repositories.leases import Lease, Renewal
from db.repositories.privacy import ERASURE_MEMORY
from db.repositories.reminders import (
    OVERDUE,
    Batch,
    MemberPlace,
    NewReminder,
    Reminder,
    ReminderRepository,
    Subscription,
)

log = logging.getLogger(__name__)

ALARM = "reminders"
CATALOGUE_STATE = "reminders:catalogue"
DIGEST = dt.timedelta(minutes=10)
LATE_AFTER = dt.timedelta(minutes=5)
BATCH = 100
CONCURRENCY = 16
DISCORD_LOCALES = frozenset(locale.value for locale in discord.Locale)
# The member cannot be reached by DM: retrying will not help until they change something.
# Each is stored as written and shown translated (`t(reason)`) in the notice to the member.
UNREACHABLE = {
    50007: N_("your privacy settings do not allow direct messages from Marquee"),
    50278: N_("you no longer share a server with Marquee"),
    10013: N_("your Discord account could not be found"),
}
UNKNOWN_CHANNEL = 10003
LEFT_SERVER = "you are no longer a member of the server whose event this is"


@dataclass(frozen=True)
class Place:
    """Where a member is, for their reminders: timezone, region and quiet hours."""

    timezone: str
    region: str
    quiet: QuietHours | None


class TargetDirectory(Protocol):
    """What reminders need of the release dates and server events the announcer keeps (the countdowns
    feature's `Announcer` fits; reminders do not import it)."""

    fingerprint: str  # of the release dates: it changes when any film's dates do

    async def place(self, guild_id: int | None) -> tuple[str, str]: ...

    async def target_dates(
        self,
        target_key: str,
        region: str,
        timezone: str,
        events: dict[int, GuildEvent | None] | None = None,
        *,
        guild_id: int | None = None,
    ) -> TargetDates | None: ...

    async def event(self, event_id: int) -> GuildEvent | None: ...

    async def find_event(self, guild_id: int, text: str) -> GuildEvent | None: ...

    async def event_choices(self, guild_id: int | None, current: str) -> list[app_commands.Choice[str]]: ...

    async def titles_of(self, target_keys: list[str]) -> dict[str, str]: ...


class ReminderEngine:
    def __init__(
        self,
        client: discord.Client,
        targets: TargetDirectory,
        *,
        database: Database,
        clock: Clock,
        settings: Settings,
        alarms: AlarmClock,
        pacer: Pacer,
        breaker: InvalidRequestBreaker,
        lease: Lease | None = None,
        shards: Shards | None = None,
        catalogues: Catalogues | None = None,
    ) -> None:
        """`lease`: whose claims this process's are (the bot's process id); None: a new owner. `shards`: the
        shards this process runs, when other processes run the rest; None: every shard. `catalogues`: the
        languages DMs are written in (None: English only)."""
        self.client = client  # sends the DMs (and closes the bot when Discord refuses its token)
        # Reminders are timed from the release dates and server events the announcer keeps.
        self.targets = targets
        self.database = database
        self.clock = clock
        self.settings = settings
        self.pacer = pacer
        self.breaker = breaker
        self.repository = ReminderRepository(database, lease)
        self.catalogues = catalogues if catalogues is not None else Catalogues(())
        # DMs about servers' events are sent first by the process running the server's shard (it can ask the
        # gateway whether the members are still in the server; any other would ask over REST, one per DM).
        self.shards = shards
        # How long a reminder about an event of a server on another process's shards waits, unclaimed past its
        # wake time, before this process takes it (`ReminderRepository.claim_due`): a lease's length, after
        # which the other process's own claims would be taken over too.
        self.handover = self.repository.lease.length
        self.runner = DueWorkRunner(ALARM, alarms, clock, self.deliver_due)
        self.notices: set[int] = set()
        self._closing: asyncio.Task[None] | None = None
        # Without the members intent the bot hears nothing when a member leaves: it asks before a DM about a
        # server's event, for a whole claimed set at once.
        self.membership = Membership(client, clock, pacer)
        # user id -> when they erased their data here (batches claimed before are not sent)
        self._erasures: dict[int, dt.datetime] = {}

    # ---- lifecycle ----------------------------------------------------------------------------------------
    async def start(self) -> None:
        now = self.clock.now()
        grace = dt.timedelta(hours=self.settings.delivery.grace_hours)
        # One bot per SQLite file (bot.database_lock.sole_holder_of): there, a batch being sent was a dead run's.
        result = await self.repository.reconcile(now, grace, sole=self.database.dialect == "sqlite")
        if result.resumed or result.skipped:
            log.info("reminders: %d interrupted will be resent, %d missed skipped", result.resumed, result.skipped)
        await self.release_dates_changed()
        self.notices = set(await self.repository.users_with_notices())
        self.runner.poke()

    def stop(self) -> None:
        self.runner.stop()

    @property
    def grace(self) -> dt.timedelta:
        return dt.timedelta(hours=self.settings.delivery.grace_hours)

    async def release_dates_changed(self) -> None:
        """Re-time every film reminder when the catalogue's dates differ from those last planned."""
        fingerprint = self.targets.fingerprint
        state = BotStateRepository(self.database)
        if await state.get(CATALOGUE_STATE) == fingerprint:
            return
        for subscription in await self.repository.all_subscriptions():
            if subscription.target_key.startswith("film:"):
                await self.plan(subscription)
        await state.set(CATALOGUE_STATE, fingerprint)

    # ---- places and targets -------------------------------------------------------------------------------
    def resolve_place(self, member: MemberPlace, subscribed: tuple[str, str] | None) -> Place:
        """The member's own preferences, else what applied when they subscribed, else the bot's defaults."""
        defaults = self.settings.defaults
        region, timezone = subscribed or (defaults.region, defaults.timezone)
        quiet = None
        if member.quiet_start and member.quiet_end:
            quiet = QuietHours(parse_hhmm(member.quiet_start), parse_hhmm(member.quiet_end))
        return Place(member.timezone or timezone, member.region or region, quiet)

    async def place(self, user_id: int, subscription: Subscription | None = None) -> Place:
        member = await self.repository.member_place(user_id)
        return self.resolve_place(member, (subscription.region, subscription.timezone) if subscription else None)

    async def target_dates(
        self,
        target_key: str,
        region: str,
        timezone: str,
        events: dict[int, GuildEvent | None] | None = None,
        *,
        guild_id: int | None = None,
    ) -> TargetDates | None:
        """What a reminder is about, for the member's region and timezone (`events`: a cache for a burst).

        With `guild_id`, an event of another server is None, as is an unknown or malformed key.
        """
        key = parse_target_key(target_key)
        if key is None:
            return None
        return await self.targets.target_dates(key, region, timezone, events, guild_id=guild_id)

    # ---- planning -----------------------------------------------------------------------------------------
    async def plan(self, subscription: Subscription) -> list[NewReminder]:
        """Bring one subscription's reminders in line; returns the reminders still to come."""
        place = await self.place(subscription.user_id, subscription)
        dates = await self.target_dates(subscription.target_key, place.region, place.timezone)
        now = self.clock.now()
        reminders: list[NewReminder] = []
        if dates is not None:
            planned = plan_reminders(
                dates.target, parse_offsets(subscription.offsets), zone(place.timezone), place.quiet, now
            )
            reminders = [NewReminder(dates.target.day, p.offset.to_text(), p.due_at) for p in planned]
        if await self.repository.replace_plan(subscription, reminders, now):
            self.runner.poke()
        return reminders

    async def replan_user(self, user_id: int) -> None:
        for subscription in await self.repository.subscriptions(user_id):
            await self.plan(subscription)

    async def replan_target(self, target_key: str) -> None:
        for subscription in await self.repository.subscribers(target_key):
            await self.plan(subscription)

    # ---- delivery -----------------------------------------------------------------------------------------
    async def deliver_due(self) -> dt.datetime | None:
        """Send every due batch, then say when the next reminder is due.

        One task claims batches while CONCURRENCY senders work through them, so the senders never
        wait for a claim: the queue holds the next claim before the current one is sent.
        """
        now = self.clock.now()
        # A process that died mid-send holds its batches only until its lease runs out; then they are anyone's.
        taken = await self.repository.take_over_expired(now)
        if taken:
            log.info("reminders: %d whose sender stopped mid-send will be resent", taken)
        renewal = Renewal(self.repository.lease, now)
        queue: asyncio.Queue[Batch | None] = asyncio.Queue()
        events: dict[int, GuildEvent | None] = {}  # a burst is often one event's subscribers
        held_back: dt.datetime | None = None
        room = asyncio.Event()  # set by the senders when the queue is short enough for the next claim

        async def claim() -> None:
            nonlocal held_back
            try:
                while not self.client.is_closed():
                    if self.breaker.open:
                        wait = dt.timedelta(seconds=self.breaker.seconds_until_closed())
                        held_back = self.clock.now() + max(wait, dt.timedelta(seconds=1))
                        return
                    batches = await self.repository.claim_due(
                        self.clock.now(), DIGEST, BATCH, grace=self.grace, shards=self.shards, handover=self.handover
                    )
                    if not batches:
                        return
                    await self.membership.check(await self.event_servers(batches, events))
                    for batch in batches:
                        queue.put_nowait(batch)
                    while queue.qsize() > BATCH:  # one claim ahead of the senders is enough
                        room.clear()
                        await room.wait()
            finally:
                for _ in range(CONCURRENCY):
                    queue.put_nowait(None)

        async def send() -> None:
            while (batch := await queue.get()) is not None:
                if queue.qsize() <= BATCH:
                    room.set()
                if renewal.due(self.clock.now()):  # a long run of sends keeps the batches still queued in hand
                    await self.repository.renew_leases(self.clock.now())
                try:
                    await self.deliver(batch, events)
                except Exception:
                    log.exception("reminder batch %d for user %s failed unexpectedly", batch.batch_id, batch.user_id)
                    await self.repository.mark_finished(batch, "failed", "unexpected error", self.clock.now())

        await asyncio.gather(claim(), *(send() for _ in range(CONCURRENCY)))
        return held_back or await self.repository.next_wake(self.shards, self.handover)

    async def deliver(self, batch: Batch, events: dict[int, GuildEvent | None] | None = None) -> None:
        now = self.clock.now()
        # What this delivery writes about the member must not outlive an erasure since the claim.
        since = batch.claimed_at or now
        if all(now - r.due_at > self.grace for r in batch.reminders):
            # claimed in time, but the loop stalled or the clock jumped before its turn came
            await self.repository.mark_finished(batch, "skipped", OVERDUE, now)
            return
        events = {} if events is None else events
        lines = []
        servers: dict[str, int] = {}  # event target -> its server
        for reminder in batch.reminders:
            place = self.resolve_place(batch.member, batch.subscribed_from.get(reminder.subscription_id))
            dates = await self.target_dates(reminder.target_key, place.region, place.timezone, events)
            if dates is not None and dates.target.day == reminder.release_date:
                lines.append(render.ReminderLine(dates, reminder.offset_text))
                kind, _, event_id = reminder.target_key.partition(":")
                event = events.get(int(event_id)) if kind == "event" else None
                if event is not None:
                    servers[reminder.target_key] = event.guild_id
        if servers:
            left = await self.membership.left(batch.user_id, set(servers.values()))
            gone = {key for key, guild_id in servers.items() if guild_id in left}
            # Only these reminders are skipped: later ones ask again, so a member who comes back gets them.
            for key in gone:
                await self.repository.skip_in_batch(batch, key, LEFT_SERVER, now)
            lines = [line for line in lines if line.dates.target.key not in gone]
            if not lines:
                rest = tuple(r for r in batch.reminders if r.target_key not in gone)
                if rest:
                    await self.repository.mark_finished(
                        dataclasses.replace(batch, reminders=rest),
                        "skipped",
                        "the film or event changed or is gone",
                        now,
                    )
                return
        if not lines:
            await self.repository.mark_finished(batch, "skipped", "the film or event changed or is gone", now)
            return
        introduce = not batch.introduced
        late = any(now - r.due_at > LATE_AFTER for r in batch.reminders)
        # No interaction is at hand: the DM speaks the language the member's Discord client last told us.
        t = self.catalogues.speech(batch.locale)
        embed = render.digest_embed(t, lines, late=late)
        content = t(render.INTRODUCTION) if introduce else None
        buttons = stop_view(t, batch.batch_id)
        erased = self._erasures.get(batch.user_id)
        if erased is not None and erased >= since:
            log.info("reminder batch %d not sent: user %s erased their data meanwhile", batch.batch_id, batch.user_id)
            return
        try:
            channel_id = batch.dm_channel_id
            if channel_id is None:
                await self.pacer.wait_turn()  # two requests for this DM: the pace counts both
                dm = await self.client.create_dm(discord.Object(batch.user_id))
                channel_id = dm.id
                await self.repository.set_dm_channel(batch.user_id, channel_id, now, since=since)
            channel = self.client.get_partial_messageable(channel_id, type=discord.ChannelType.private)
            # No try is made before a reminder is due, so the earliest due time bounds the batch's first try;
            # without a stored DM channel no earlier try got as far as sending.
            earlier = await earlier_try_posted(
                self.client,
                self.pacer,
                channel_id,
                guild_id=None,
                first_try_at=min(r.due_at for r in batch.reminders) if batch.dm_channel_id is not None else None,
                attempts=batch.attempts,
                now=now,
                nonce=batch.nonce,
                content=content,
                embed=embed,
                view=buttons,
            )
            if earlier is None:
                # The turn is taken right before the send, after any look at the channel's history (which
                # takes its own): a turn taken before it would be spent by then, and the send would leave
                # unpaced, in a burst with the sends of the turns given meanwhile.
                await self.pacer.wait_turn()
            message = earlier or await channel.send(content=content, embed=embed, view=buttons, nonce=batch.nonce)
        except Exception as error:
            await self.failed(batch, error)
            return
        if not await self.repository.mark_sent(batch, message.id, self.clock.now(), LATE_AFTER):
            # Its lease ran out mid-send and another process took it over: that one records it (and finds
            # this DM by its nonce, or the earlier-try check, instead of sending a second). Or the member
            # erased their data meanwhile, and the rows went with it.
            log.warning("reminder batch %d: sent, but no longer held here (taken over, or erased)", batch.batch_id)
        if introduce:
            await self.repository.set_introduced(batch.user_id, now, since=since)

    async def failed(self, batch: Batch, error: Exception) -> None:
        now = self.clock.now()
        failure = classify(error)
        if isinstance(error, discord.HTTPException) and error.status == 401:
            log.critical("Discord refused the bot's token (401): it was reset or revoked; shutting down")
            await self.repository.retry_later(batch, now, "the bot's token was refused")
            # Closing stops the alarm clock, which cancels the ring this runs in: close from outside it.
            self._closing = asyncio.get_running_loop().create_task(self.client.close())
            return
        if failure.code in UNREACHABLE:
            await self.repository.mark_undeliverable(
                batch.user_id, UNREACHABLE[failure.code], now, since=batch.claimed_at
            )
            await self.repository.retry_later(batch, now, UNREACHABLE[failure.code])
            self.notices.add(batch.user_id)
            log.info("user %s cannot receive DMs (%s); their reminders wait", batch.user_id, failure.code)
            return
        if failure.code == UNKNOWN_CHANNEL:
            # The stored DM channel is gone; the next try opens a new one.
            await self.repository.set_dm_channel(batch.user_id, None, now, since=batch.claimed_at)
        if not failure.lasting or failure.code == UNKNOWN_CHANNEL:
            if batch.attempts < MAX_ATTEMPTS:
                await self.repository.retry_later(batch, now + retry_delay(batch.attempts), failure.reason)
                return
            await self.repository.mark_finished(batch, "failed", f"gave up after {batch.attempts} tries", now)
            return
        await self.repository.mark_finished(batch, "failed", failure.reason, now)

    async def open_dm_channel(self, user_id: int, *, since: dt.datetime | None = None) -> None:
        """Open (and store) the member's DM channel now, when they subscribe, one at a time.

        A burst of reminders then costs one request per DM instead of two; a failure here is no
        matter: the channel is opened at the first DM instead.
        """
        began = since or self.clock.now()
        recipient = await self.repository.recipient(user_id)
        if recipient is not None and recipient.dm_channel_id is not None:
            return
        try:
            channel = await self.client.create_dm(discord.Object(user_id))
        except discord.HTTPException as error:
            log.info("could not open a DM channel with user %s yet: %s", user_id, error.status)
            return
        await self.repository.set_dm_channel(user_id, channel.id, self.clock.now(), since=began)

    async def event_servers(self, batches: list[Batch], events: dict[int, GuildEvent | None]) -> set[tuple[int, int]]:
        """(server, member) for every reminder about a server's event in these batches (`events`: the cache)."""
        pairs = set()
        for batch in batches:
            for reminder in batch.reminders:
                kind, _, event_id = reminder.target_key.partition(":")
                if kind != "event" or not event_id.isdigit():
                    continue
                key = int(event_id)
                if key not in events:
                    events[key] = await self.targets.event(key)
                event = events[key]
                if event is not None:
                    pairs.add((event.guild_id, batch.user_id))
        return pairs

    # ---- what members ask ---------------------------------------------------------------------------------
    async def subscribe(
        self,
        user_id: int,
        guild_id: int | None,
        target_key: str,
        offsets: str,
        now: dt.datetime,
        *,
        region: str,
        timezone: str,
        since: dt.datetime | None = None,
    ) -> tuple[Subscription, bool] | None:
        """Follow a target (or change the offsets of one followed): (the subscription, whether it is new);
        None when the member erased their data since `since`. Raises `TooManyReminders` past the limit."""
        return await self.repository.subscribe(
            user_id,
            guild_id,
            target_key,
            offsets,
            now,
            region=region,
            timezone=timezone,
            limit=self.settings.reminders.max_per_member,
            since=since,
        )

    async def remember_locale(self, user_id: int, locale: str, *, since: dt.datetime | None = None) -> None:
        """Note the member's Discord locale (from an interaction of theirs): their DMs' language. Only a locale
        Discord defines is kept: an interaction's fields are the client's word, and a crafted one could carry
        any text."""
        if locale not in DISCORD_LOCALES:
            return
        await self.repository.set_locale(user_id, locale, self.clock.now(), since=since)

    async def member_place(self, user_id: int) -> MemberPlace:
        return await self.repository.member_place(user_id)

    async def subscriptions(self, user_id: int) -> list[Subscription]:
        return await self.repository.subscriptions(user_id)

    async def subscription(self, user_id: int, target_key: str) -> Subscription | None:
        return await self.repository.subscription(user_id, target_key)

    async def scheduled(self, user_id: int) -> list[Reminder]:
        """The member's reminders still to be sent, soonest first."""
        return await self.repository.scheduled(user_id)

    async def batch_targets(self, user_id: int, batch_id: int) -> list[str]:
        """What the member's DM `batch_id` reminded them of (nothing for another member's)."""
        return await self.repository.batch_targets(user_id, batch_id)

    async def unsubscribe(self, user_id: int, target_key: str) -> bool:
        return await self.repository.unsubscribe(user_id, target_key)

    async def unsubscribe_all(self, user_id: int) -> int:
        return await self.repository.unsubscribe_all(user_id)

    async def event_removed(self, target_key: str) -> None:
        """A server event was removed: nobody follows it any more."""
        await self.repository.unsubscribe_everyone(target_key)

    async def server_place(self, guild_id: int | None) -> tuple[str, str]:
        """(region, timezone) of a server, for members who chose neither."""
        return await self.targets.place(guild_id)

    async def find_event(self, guild_id: int, text: str) -> GuildEvent | None:
        return await self.targets.find_event(guild_id, text)

    async def event_choices(self, guild_id: int | None, current: str) -> list[app_commands.Choice[str]]:
        return await self.targets.event_choices(guild_id, current)

    async def titles(self, target_keys: list[str]) -> dict[str, str]:
        """Titles of films and events by key (a removed event says so)."""
        return await self.targets.titles_of(target_keys)

    # ---- members ------------------------------------------------------------------------------------------
    def erased(self, user_id: int) -> None:
        """The member erased their data: a DM already claimed for them is not sent (the rows are gone)."""
        now = self.clock.now()
        self.notices.discard(user_id)
        self._erasures = {user: at for user, at in self._erasures.items() if now - at <= ERASURE_MEMORY}
        self._erasures[user_id] = now

    async def take_notice(self, user_id: int) -> str | None:
        if user_id not in self.notices:
            return None
        self.notices.discard(user_id)
        return await self.repository.take_notice(user_id)

    async def retry_dms(self, user_id: int) -> bool:
        """The member says DMs should work now: resume their reminders (overdue ones follow the grace rule)."""
        if not await self.repository.clear_undeliverable(user_id, self.clock.now()):
            return False
        self.notices.discard(user_id)
        grace = dt.timedelta(hours=self.settings.delivery.grace_hours)
        await self.repository.skip_overdue(
            user_id, self.clock.now() - grace, "missed: your DMs could not be delivered when it was due"
        )
        self.runner.poke()
        return True
