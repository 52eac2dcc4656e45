"""The announcement engine: turns settings, events and the catalogue into outbox rows, and delivers them.

Planning is idempotent (rows are keyed by guild, target, date and milestone), so it runs whenever
anything it depends on changes. Delivery claims due rows, posts each once (a nonce derived from
the row makes a resend after a crash the same message) and records what happened. The alarm
clock only holds the next wake-up.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import discord
from discord import app_commands
from discord.utils import MISSING

from bot.clock import Clock
from bot.components import remind_view
from bot.delivery import (
    BROKEN_SETUP_ERRORS,
    MAX_ATTEMPTS,
    CannotTell,
    DueWorkRunner,
    InvalidRequestBreaker,
    Pacer,
    classify,
    earlier_try_posted,
    retry_delay,
)
from bot.formatting import truncate
from bot.i18n import N_, Catalogues, Speech
from bot.localtime import at_local_time, local_day, parse_hhmm, zone
from bot.scheduler import AlarmClock
from bot.settings import Settings
from bot.targets import Target, TargetDates
from bot.translator import Languages
from cogs.countdowns import render
from cogs.countdowns.dates import Schedule, parse_milestones, plan_posts, release_for_region
from cogs.countdowns.mirror import sync_mirrors
from db import AnnouncementRepository, BotStateRepository, CatalogueRepository, Database, GuildSettingsRepository
from db.repositories.announcements import (
    AnnouncementPost,
    AnnouncementSettings,
    GuildEvent,
    NewPost,
    Shards,
    name_key,
)
from db.repositories.leases import Lease, Renewal
from db.repositories.models import Release

log = logging.getLogger(__name__)

ALARM = "announcements"
CATALOGUE_STATE = "announcements:catalogue"
LATE_AFTER = dt.timedelta(minutes=5)  # a post this much after its time says it is late
BATCH = 50
CONCURRENCY = 8  # sends in flight at once; the pacer still spaces them
# Stored as the pause's (or the warning's) reason, in English, and translated when an admin is told.
REMOVED_FROM_SERVER = N_("Marquee was removed from the server")
ROLE_GONE = N_(
    "the role to ping was deleted, so posts go out without a ping; choose another with "
    "`/settings announcements set role:`."
)
# The reasons a post was skipped are stored in English and shown translated (`render.status_embed`).
OVERDUE = N_("missed: it was past the grace window when Marquee could send it")


def nonce_for(guild_id: int, target_key: str, release_date: dt.date, milestone: str) -> str:
    """A deterministic nonce (24 characters; Discord allows 25) naming one post for good."""
    key = f"{guild_id}|{target_key}|{release_date.isoformat()}|{milestone}"
    return hashlib.blake2b(key.encode(), digest_size=12).hexdigest()


@dataclass(frozen=True)
class FilmDates:
    key: str
    title: str
    releases: tuple[Release, ...]
    poster: str | None = None


class Announcer:
    """Plans and delivers one bot's announcements."""

    def __init__(
        self,
        client: discord.Client,
        *,
        database: Database,
        catalogue: CatalogueRepository,
        clock: Clock,
        settings: Settings,
        alarms: AlarmClock,
        pacer: Pacer,
        breaker: InvalidRequestBreaker,
        lease: Lease | None = None,
        shards: Shards | None = None,
        languages: Languages | None = None,
    ) -> None:
        """`lease`: whose claims this process's are (the bot's process id); None: a new owner. `shards`: the
        servers this process plans and posts for (None: every server). `languages`: which language each
        server's posts are in (None: English)."""
        self.client = client  # posts, and finds the servers it posts in
        self.database = database
        self.catalogue = catalogue
        self.clock = clock
        self.settings = settings
        self.pacer = pacer
        self.breaker = breaker
        self.repository = AnnouncementRepository(database, lease)
        self.runner = DueWorkRunner(ALARM, alarms, clock, self.deliver_due)
        self.shards = shards or Shards()
        self.languages = languages
        self.films: dict[str, FilmDates] = {}
        self._release_days: dict[tuple[str, str], tuple[dt.date, str] | None] = {}
        self.fingerprint = ""  # of the release dates in `films`, so other features can tell when they change
        self.notices: set[int] = set()  # guilds whose admins have not yet been told of a pause
        self.removed: set[int] = set()  # guilds paused because the bot was removed from them
        self.paused: set[int] = set()  # guilds paused while this process ran (claimed rows may still be in hand)
        self._plan_lock = asyncio.Lock()
        self._mirror_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    # ---- lifecycle ----------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Reconcile after downtime, replan if the catalogue changed, and arm the alarm."""
        now = self.clock.now()
        grace = dt.timedelta(hours=self.settings.delivery.grace_hours)
        # One bot per SQLite file (bot.database_lock.sole_holder_of): there, a post being sent was a dead run's.
        result = await self.repository.reconcile(now, grace, self.shards, sole=self.database.dialect == "sqlite")
        if result.resumed or result.skipped:
            log.info(
                "announcements: %d interrupted posts will be resent, %d missed ones skipped",
                result.resumed,
                result.skipped,
            )
        await self.catalogue_changed()
        self.notices = set(await self.repository.guilds_with_notices())
        self.removed = set(await self.repository.guilds_paused_for(REMOVED_FROM_SERVER))
        self.runner.poke()

    def stop(self) -> None:
        self.runner.stop()
        for task in self._tasks:
            task.cancel()

    async def catalogue_changed(self) -> None:
        """Reload release dates; if they differ from what the plans used, replan every server."""
        films = await self.catalogue.films()
        by_film: dict[int, list[Release]] = defaultdict(list)
        for release in await self.catalogue.all_releases():
            by_film[release.film_id].append(release)
        posters = await self.catalogue.film_posters()
        self.films = {
            film.key: FilmDates(film.key, film.title, tuple(by_film[film.id]), posters.get(film.id)) for film in films
        }
        self._release_days.clear()
        digest = hashlib.sha256()
        for film in sorted(self.films.values(), key=lambda f: f.key):
            digest.update(f"{film.key}|{film.title}|".encode())
            for r in film.releases:
                digest.update(f"{r.country}{r.date}{r.release_type};".encode())
        fingerprint = self.fingerprint = digest.hexdigest()
        state = BotStateRepository(self.database)
        if await state.get(CATALOGUE_STATE) != fingerprint:
            await self.replan_all()
            await state.set(CATALOGUE_STATE, fingerprint)

    async def place(self, guild_id: int | None) -> tuple[str, str]:
        """(region, timezone) for a server: from its announcements, else its settings, else the bot's defaults."""
        defaults = self.settings.defaults
        if guild_id is None:
            return defaults.region, defaults.timezone
        settings = await self.repository.settings(guild_id)
        if settings is not None:
            return settings.region, settings.timezone
        place = await GuildSettingsRepository(self.database, self.clock.now).get(guild_id)
        return (
            (place.region if place and place.region else defaults.region),
            (place.timezone if place and place.timezone else defaults.timezone),
        )

    async def speech_for(self, guild_id: int) -> Speech:
        """The language of the server's public posts."""
        if self.languages is None:
            return Catalogues(()).speech(None)
        return await self.languages.for_server(guild_id)

    # ---- targets ------------------------------------------------------------------------------------------
    def film_target(self, film: FilmDates, region: str, tz_name: str) -> TargetDates | None:
        # Planning every server and every /countdown asks this for each film: remember the answer per region.
        cache_key = (film.key, region)
        if cache_key not in self._release_days:
            self._release_days[cache_key] = release_for_region(film.releases, region)
        found = self._release_days[cache_key]
        if found is None:
            return None
        day, country = found
        target = Target(f"film:{film.key}", film.title, day, "film")
        starts_at = at_local_time(day, dt.time(0, 0), zone(tz_name))
        return TargetDates(target, country=country, starts_at=starts_at, poster=film.poster)

    def event_target(self, event: GuildEvent, tz_name: str) -> TargetDates:
        starts = None
        if event.start_time:
            starts = at_local_time(event.day, parse_hhmm(event.start_time), zone(event.timezone, tz_name))
        target = Target(event.target_key, event.name, event.day, "event", starts)
        day_start = at_local_time(event.day, dt.time(0, 0), zone(event.timezone, tz_name))
        return TargetDates(target, description=event.description, starts_at=day_start)

    async def all_targets(self, guild_id: int | None, region: str, tz_name: str) -> list[TargetDates]:
        """Every film with a date and every event of the server (none outside one), past or not."""
        all_dates = [dates for film in self.films.values() if (dates := self.film_target(film, region, tz_name))]
        if guild_id is not None:
            all_dates += [self.event_target(event, tz_name) for event in await self.repository.events(guild_id)]
        return all_dates

    async def targets(self, settings: AnnouncementSettings) -> list[TargetDates]:
        """What the server announces: its chosen targets, or every upcoming release and event.

        Released films stay in when anniversaries are on, for their yearly post.
        """
        all_dates = await self.all_targets(settings.guild_id, settings.region, settings.timezone)
        if settings.targets:
            chosen = set(settings.targets)
            return [dates for dates in all_dates if dates.target.key in chosen]
        today = local_day(self.clock.now(), zone(settings.timezone))
        return [
            dates
            for dates in all_dates
            if dates.target.day >= today or (settings.anniversaries and dates.target.kind == "film")
        ]

    # ---- server events -------------------------------------------------------------------------------------
    async def add_event(
        self,
        guild_id: int,
        name: str,
        day: dt.date,
        *,
        start_time: str | None,
        timezone: str | None,
        description: str | None,
        created_by: int,
        now: dt.datetime,
        limit: int,
    ) -> GuildEvent | None:
        """Add a server event and plan its posts; None if the server has one by that name.

        Raises `TooManyEvents` when the server has `limit` events already.
        """
        event = await self.repository.add_event(
            guild_id,
            name,
            day,
            start_time=start_time,
            timezone=timezone,
            description=description,
            created_by=created_by,
            now=now,
            limit=limit,
        )
        if event is not None:
            await self.replan_guild(guild_id)
        return event

    async def remove_event(self, guild_id: int, name: str) -> GuildEvent | None:
        """Remove the server's event called `name` and the posts planned for it; None if there is none."""
        removed = await self.repository.remove_event(guild_id, name)
        if removed is not None:
            await self.replan_guild(guild_id)
        return removed

    async def events(self, guild_id: int) -> list[GuildEvent]:
        """The server's events, by date."""
        return await self.repository.events(guild_id)

    async def event(self, event_id: int) -> GuildEvent | None:
        return await self.repository.event(event_id)

    async def find_event(self, guild_id: int, text: str) -> GuildEvent | None:
        """The server's event named `text` (any case and spacing) or picked from autocomplete ("event:<id>")."""
        for event in await self.repository.events(guild_id):
            if text == event.target_key or name_key(text) == name_key(event.name):
                return event
        return None

    async def event_choices(self, guild_id: int | None, current: str) -> list[app_commands.Choice[str]]:
        """Autocomplete: the server's events whose names contain what was typed, by date."""
        return [
            app_commands.Choice(name=truncate(f"📅 {e.name} ({e.day.isoformat()})", 100), value=e.target_key)
            for e in await self.events_named(guild_id, current)
        ][:25]

    async def events_named(self, guild_id: int | None, part: str) -> list[GuildEvent]:
        """The server's events whose names contain `part` (compared as names are: `name_key`), by date."""
        if guild_id is None:
            return []
        needle = name_key(part)
        return [event for event in await self.repository.events(guild_id) if needle in name_key(event.name)]

    def knows_film(self, film_key: str) -> bool:
        """Whether the catalogue has a film by this key."""
        return film_key in self.films

    async def titles(self, guild_id: int) -> dict[str, str]:
        titles = {f"film:{film.key}": film.title for film in self.films.values()}
        titles.update({event.target_key: event.name for event in await self.repository.events(guild_id)})
        return titles

    async def target_dates(
        self,
        target_key: str,
        region: str,
        timezone: str,
        events: dict[int, GuildEvent | None] | None = None,
        *,
        guild_id: int | None = None,
    ) -> TargetDates | None:
        """A film or server event by key, for a region and timezone; None if it is gone (or, with
        `guild_id`, an event of another server).

        `events` caches server events across calls (a burst of posts or reminders is often about one).
        """
        kind, _, key = target_key.partition(":")
        if kind == "film":
            film = self.films.get(key)
            return self.film_target(film, region, timezone) if film else None
        if kind != "event" or not key.isdigit():
            return None
        event_id = int(key)
        if events is not None and event_id in events:
            event = events[event_id]
        else:
            event = await self.repository.event(event_id)
            if events is not None:
                events[event_id] = event
        if event is None or (guild_id is not None and event.guild_id != guild_id):
            return None
        return self.event_target(event, timezone)

    async def titles_of(self, target_keys: list[str]) -> dict[str, str]:
        """Titles of films and events by key (a removed event says so)."""
        titles = {}
        for key in target_keys:
            kind, _, rest = key.partition(":")
            if kind == "film" and rest in self.films:
                titles[key] = self.films[rest].title
            elif kind == "event" and rest.isdigit():
                event = await self.repository.event(int(rest))
                titles[key] = event.name if event else "a removed event"
        return titles

    # ---- planning -----------------------------------------------------------------------------------------
    @staticmethod
    def schedule(settings: AnnouncementSettings) -> Schedule:
        return Schedule(
            parse_hhmm(settings.post_time),
            zone(settings.timezone),
            parse_milestones(settings.milestones),
            settings.anniversaries,
        )

    async def plan(self, settings: AnnouncementSettings) -> None:
        """Bring one server's outbox in line with its settings, events and the catalogue."""
        guild_id = settings.guild_id
        now = self.clock.now()
        all_dates = await self.targets(settings)
        planned = [
            post
            for post in plan_posts([dates.target for dates in all_dates], self.schedule(settings), now)
            # A watch party has no birthday: anniversaries are for films.
            if post.kind != "anniversary" or post.target_key.startswith("film:")
        ]
        posts = [
            NewPost(
                p.target_key,
                p.release_day,
                p.milestone,
                p.kind,
                p.due_at,
                nonce_for(guild_id, p.target_key, p.release_day, p.milestone),
            )
            for p in planned
        ]
        async with self._plan_lock:
            change = await self.repository.replace_plan(guild_id, posts, now)
            moved = await self.notice_date_changes(settings, all_dates, now)
        if change.added or change.moved or moved:
            self.runner.poke()
        if settings.mirror_events or await self.repository.mirrors(guild_id):
            self.mirror_later(guild_id)

    async def notice_date_changes(
        self, settings: AnnouncementSettings, all_dates: Sequence[TargetDates], now: dt.datetime
    ) -> list[tuple[str, dt.date, dt.date]]:
        """Queue one "release date changed" post per target whose date moved since the last plan."""
        known = await self.repository.known_dates(settings.guild_id)
        today = local_day(now, zone(settings.timezone))
        moved = []
        for dates in all_dates:
            target = dates.target
            old = known.get(target.key)
            if old is None or old == target.day or max(old, target.day) < today:
                continue
            milestone = f"changed-from:{old.isoformat()}"
            await self.repository.add_post(
                settings.guild_id,
                NewPost(
                    target.key,
                    target.day,
                    milestone,
                    "date_change",
                    now,
                    nonce_for(settings.guild_id, target.key, target.day, milestone),
                    detail=old.isoformat(),
                ),
            )
            moved.append((target.key, old, target.day))
        days = {dates.target.key: dates.target.day for dates in all_dates}
        await self.repository.remember_dates(settings.guild_id, days)
        return moved

    async def replan_all(self) -> None:
        everything = await self.repository.all_settings()
        for settings in everything:
            if self.shards.owns(settings.guild_id):
                await self.plan(settings)
        if everything:
            log.info("announcements: replanned %d servers", len(everything))

    async def configure(self, settings: AnnouncementSettings) -> None:
        """Save new settings (which lifts a pause) and plan from them."""
        await self.repository.save_settings(settings)
        self.notices.discard(settings.guild_id)
        self.paused.discard(settings.guild_id)
        grace = dt.timedelta(hours=self.settings.delivery.grace_hours)
        await self.repository.skip_overdue(settings.guild_id, self.clock.now() - grace)
        await self.plan(settings)
        # A pause took the server's posts out of the runner's schedule: look at them again.
        self.runner.poke()

    async def turn_off(self, guild_id: int) -> None:
        """Stop announcing in a server and remove the Discord events mirrored for it."""
        guild = self.client.get_guild(guild_id)
        if guild is not None:
            # Before the settings go: the record of which events are ours goes with them.
            await self.mirror(guild, None)
        await self.repository.turn_off(guild_id)
        self.notices.discard(guild_id)

    def mirror_later(self, guild_id: int) -> None:
        """Bring the server's mirrored Discord events in step, in the background once connected."""
        task = asyncio.create_task(self.sync_mirror(guild_id), name=f"mirror-{guild_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def sync_mirror(self, guild_id: int) -> None:
        await self.client.wait_until_ready()
        guild = self.client.get_guild(guild_id)
        if guild is None or guild.unavailable:
            return
        await self.mirror(guild, await self.repository.settings(guild_id))

    async def mirror(self, guild: discord.Guild, settings: AnnouncementSettings | None) -> None:
        all_dates = await self.targets(settings) if settings is not None else []
        async with self._mirror_lock:
            try:
                await sync_mirrors(
                    guild,
                    self.repository,
                    settings,
                    all_dates,
                    self.clock.now(),
                    self.pacer,
                    await self.speech_for(guild.id),
                )
            except discord.HTTPException as error:
                log.warning("guild %s: could not update its scheduled events: %s", guild.id, error)

    async def announcement_settings(self, guild_id: int) -> AnnouncementSettings | None:
        """The server's announcement settings; None when it has none (announcements are off)."""
        return await self.repository.settings(guild_id)

    async def upcoming(self, guild_id: int, limit: int) -> list[AnnouncementPost]:
        """The server's next posts, soonest first."""
        return await self.repository.upcoming(guild_id, limit)

    async def recent(self, guild_id: int, limit: int) -> list[AnnouncementPost]:
        """What became of the server's last posts, latest first."""
        return await self.repository.recent(guild_id, limit)

    async def replan_guild(self, guild_id: int) -> None:
        settings = await self.repository.settings(guild_id)
        if settings is not None:
            await self.plan(settings)

    # ---- delivery -----------------------------------------------------------------------------------------
    async def deliver_due(self) -> dt.datetime | None:
        """Send everything due now, then say when the next post is due."""
        now = self.clock.now()
        # A process that died mid-send holds its posts only until its lease runs out; then they are anyone's.
        taken = await self.repository.take_over_expired(now, self.shards)
        if taken:
            log.info("announcements: %d posts whose sender stopped mid-send will be resent", taken)
        renewal = Renewal(self.repository.lease, now)
        replan: set[int] = set()
        gate = asyncio.Semaphore(CONCURRENCY)
        settings_of: dict[int, AnnouncementSettings | None] = {}
        events: dict[int, GuildEvent | None] = {}

        async def one(post: AnnouncementPost) -> None:
            settings = settings_of[post.guild_id]
            async with gate:
                if renewal.due(self.clock.now()):  # a long run of sends keeps the posts still waiting in hand
                    await self.repository.renew_leases(self.clock.now())
                await self.deliver(post, settings, events)
            # A film just out, or an anniversary posted or skipped: the next anniversary can now be planned.
            if settings is not None and settings.anniversaries and post.kind in ("release", "anniversary"):
                replan.add(post.guild_id)

        while True:
            posts = await self.repository.claim_due(self.clock.now(), self.shards, BATCH)
            if not posts:
                break
            for guild_id in {post.guild_id for post in posts} - settings_of.keys():
                settings_of[guild_id] = await self.repository.settings(guild_id)
            await asyncio.gather(*(one(post) for post in posts))
        for guild_id in replan:
            await self.replan_guild(guild_id)
        return await self.repository.next_wake(self.shards)

    async def deliver(
        self,
        post: AnnouncementPost,
        settings: AnnouncementSettings | None,
        events: dict[int, GuildEvent | None] | None = None,
    ) -> bool:
        """Post one claimed row and record the outcome; True if it was sent."""
        now = self.clock.now()
        if settings is None:
            await self.repository.mark_finished(post.id, "skipped", N_("announcements were turned off"), now)
            return False
        if self.breaker.open:
            wait = dt.timedelta(seconds=self.breaker.seconds_until_closed())
            await self.repository.retry_later(post.id, now + wait, N_("held back: too many refused requests"))
            return False
        if post.guild_id in self.paused:
            # Paused by a failure earlier in this batch: keep it for when an admin has fixed the cause.
            await self.repository.retry_later(post.id, post.wake_at, N_("announcements are paused"))
            return False
        grace = dt.timedelta(hours=self.settings.delivery.grace_hours)
        if now - post.due_at > grace:
            # The overdue rule holds at every send, not only at start: a clock jump or a stalled loop
            # must not post days late.
            await self.repository.mark_finished(post.id, "skipped", OVERDUE, now)
            return False
        dates = await self.target_dates(
            post.target_key, settings.region, settings.timezone, events, guild_id=settings.guild_id
        )
        if dates is None:
            await self.repository.mark_finished(post.id, "skipped", N_("the film or event no longer exists"), now)
            return False
        if dates.target.day != post.release_date and post.kind != "anniversary":
            await self.repository.mark_finished(post.id, "skipped", N_("the date changed before it was due"), now)
            return False
        late = now - post.due_at > LATE_AFTER
        embed = self.embed_for(await self.speech_for(settings.guild_id), post, dates, late)
        content, mentions = None, discord.AllowedMentions.none()
        role_id = await self.role_to_ping(settings)
        if role_id:
            content = f"<@&{role_id}>"
            mentions = discord.AllowedMentions(everyone=False, users=False, roles=[discord.Object(role_id)])
        buttons = remind_view(post.target_key) if post.kind in ("countdown", "date_change") else None
        channel = self.client.get_partial_messageable(settings.channel_id, guild_id=settings.guild_id)
        try:
            earlier = await earlier_try_posted(
                self.client,
                self.pacer,
                settings.channel_id,
                guild_id=settings.guild_id,
                first_try_at=post.first_try_at,
                attempts=post.attempts,
                now=now,
                nonce=post.nonce,
                content=content,
                embed=embed,
                view=buttons,
            )
            if earlier is not None:
                # An earlier try was posted though its answer was lost: that is the post, not a reason for a second.
                late = earlier.created_at - post.due_at > LATE_AFTER
                message = earlier
            else:
                await self.pacer.wait_turn()
                message = await channel.send(
                    content=content,
                    embed=embed,
                    view=buttons or MISSING,
                    nonce=post.nonce,
                    allowed_mentions=mentions,
                )
        except CannotTell as unknown:
            await self.repository.mark_finished(post.id, "failed", unknown.reason, now)
            if unknown.admin_can_fix:
                await self.pause(settings.guild_id, unknown.reason)
            return False
        except Exception as error:
            await self.failed(post, settings, error)
            return False
        if not await self.repository.mark_sent(
            post.id, channel_id=settings.channel_id, message_id=message.id, late=late, now=self.clock.now()
        ):
            # Its lease ran out mid-send and another process took it over: that one records it (and finds
            # this message by its nonce, or the earlier-try check, instead of posting a second).
            log.warning("announcement %d: sent, but another process had taken it over", post.id)
        return True

    def embed_for(self, t: Speech, post: AnnouncementPost, dates: TargetDates, late: bool) -> discord.Embed:
        """A post's embed, in the server's language `t`."""
        if post.kind == "release":
            return render.release_post(t, dates, late=late)
        if post.kind == "anniversary":
            return render.anniversary_post(t, dates, int(post.milestone.partition(":")[2]), late=late)
        if post.kind == "date_change":
            return render.date_change_post(t, dates, dt.date.fromisoformat(post.detail or ""), late=late)
        return render.countdown_post(t, dates, int(post.milestone), late=late)

    async def failed(self, post: AnnouncementPost, settings: AnnouncementSettings, error: Exception) -> None:
        failure = classify(error)
        now = self.clock.now()
        if not failure.lasting and post.attempts < MAX_ATTEMPTS:
            wake = now + retry_delay(post.attempts)
            log.info("announcement %d: %s; try %d again at %s", post.id, failure.reason, post.attempts + 1, wake)
            await self.repository.retry_later(post.id, wake, failure.reason)
            return
        reason = failure.reason if failure.lasting else f"gave up after {post.attempts} tries: {failure.reason}"
        await self.repository.mark_finished(post.id, "failed", reason, now)
        if failure.code in BROKEN_SETUP_ERRORS:
            await self.pause(settings.guild_id, reason)
        elif failure.reason.startswith("unexpected"):
            log.error("announcement %d failed", post.id, exc_info=error)

    async def pause(self, guild_id: int, reason: str) -> None:
        self.paused.add(guild_id)
        if await self.repository.pause(guild_id, reason):
            self.notices.add(guild_id)
            log.warning("announcements paused in guild %s: %s", guild_id, reason)

    async def server_removed(self, guild_id: int) -> None:
        self.removed.add(guild_id)
        await self.pause(guild_id, REMOVED_FROM_SERVER)

    async def server_back(self, guild_id: int) -> None:
        """The bot is in the server again (added back, or it came back from an outage)."""
        # Every server becomes available at each start: only those paused for removal cost a query.
        if guild_id in self.removed:
            self.removed.discard(guild_id)
            await self.resume(guild_id, REMOVED_FROM_SERVER)

    async def resume(self, guild_id: int, reason: str) -> None:
        """Lift a pause made for `reason`; posts that fell due meanwhile follow the grace rule."""
        if await self.repository.resume(guild_id, reason):
            self.notices.discard(guild_id)
            self.paused.discard(guild_id)
            grace = dt.timedelta(hours=self.settings.delivery.grace_hours)
            await self.repository.skip_overdue(guild_id, self.clock.now() - grace)
            await self.replan_guild(guild_id)
            self.runner.poke()

    async def take_notice(self, guild_id: int, t: Speech) -> str | None:
        """What to tell an admin, once, in their language `t`: why announcements are paused, and what
        configured thing has gone."""
        if guild_id not in self.notices:
            return None
        self.notices.discard(guild_id)
        told = []
        reason = await self.repository.take_notice(guild_id)
        if reason is not None:
            # A reason Marquee wrote itself (ROLE_GONE, REMOVED_FROM_SERVER) is in the catalogue; Discord's
            # own error texts are not, and stay as Discord wrote them.
            told.append(
                t(
                    "⚠️ Release announcements are paused: {reason}. "
                    "Fix that, then run `/settings announcements set` to resume them.",
                    reason=t(reason),
                )
            )
        warning = await self.repository.take_warning(guild_id)
        if warning is not None:
            told.append(t("⚠️ Release announcements: {warning}", warning=t(warning)))
        return "\n".join(told) or None

    async def role_to_ping(self, settings: AnnouncementSettings) -> int | None:
        """The configured role, checked again before each post: a deleted role is dropped and the admins told."""
        role_id = settings.role_id
        guild = self.client.get_guild(settings.guild_id)
        if role_id is None or guild is None or guild.get_role(role_id) is not None:
            return role_id
        if await self.repository.drop_role(settings.guild_id, role_id, ROLE_GONE):
            self.notices.add(settings.guild_id)
            log.info("guild %s: the announcement role %s was deleted; posting without a ping", guild.id, role_id)
        return None
