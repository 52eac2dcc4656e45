"""Announcement benchmark: start-up with a large outbox, and a burst of posts due in the same minute.

Run from the repository root::

    .venv/bin/python -m bench.announce               # 10,000 guilds / 100,000 rows; 2,000 posts at once
    .venv/bin/python -m bench.announce --quick       # 1,000 guilds / 10,000 rows; 200 posts (smoke run)
    .venv/bin/python -m bench.announce --write       # also append the results to docs/benchmarks.md
    .venv/bin/python -m bench.announce --profile     # also print cProfile summaries (one start, the burst)

Targets (the issue's benchmark contract), with Marquee in-process against the simulator:

* start-up: 10,000 guilds with announcement settings and 100,000 scheduled posts (plus their events
  and some sent history) load at start in at most 1.5 × the time with an empty database and the same
  guilds (median time from starting ``serve`` to the bot being ready with its commands synced);
* a burst of 2,000 posts due in the same minute, each in its own guild's channel, is delivered
  under Discord's global limit of 50 requests/s with no 429: exactly one message per post, at
  most 1.15 × the time a bare discord.py loop takes to send the same posts through the same
  simulator at the same pace (``delivery.pace``, 40/s by default), in the same run.

Timing targets are judged in full runs; ``--quick`` prints them and fails only when the benchmark
breaks or a post is lost or doubled. See bench/README.md for what each number measures exactly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gc
import itertools
import logging
import random
import re
import shlex
import sqlite3
import statistics
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `python bench/announce.py` as well as `python -m bench.announce`
    sys.path.insert(0, str(REPO))

from bench.common import (  # noqa: E402
    DOC,
    POST_ROUTE,
    BareRun,
    Distribution,
    PostRecorder,
    Report,
    Watchdog,
    _marquee_serve,
    bare_loop,
    emit,
    hook,
    log,
    message_posts,
    profiled,
)

# Targets are ratios against a baseline measured in the same run, so that they hold on any machine of the kind.
TARGET_START_RATIO = 1.5  # start on the loaded database ≤ 1.5 × on the empty one (same guilds), medians
TARGET_BURST_RATIO = 1.15  # due → last post ≤ 1.15 × a bare discord.py loop sending the same posts at the same pace
DISCORD_GLOBAL_PER_S = 50
PACK = "mission-impossible"

ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Pacific/Auckland",
)
REGIONS = ("US", "GB", "FR", "DE", "JP", "AU", "IN", "BR", "CA", "ES", "IT", "NZ")
POST_TIMES = ("09:00", "08:15", "12:00", "17:30", "18:00", "19:30", "20:00")
# (milestones as stored, weight): what admins pick, roughly.
PRESETS = (("default", 50), ("weekly", 20), ("final-week", 15), ("30,7,1,0", 10), ("release-day", 5))
EVENT_NAMES = ("Watch party", "Re-release night", "Trailer drop", "Marathon", "Premiere screening", "Quiz night")


@dataclass
class AnnounceReport(Report):
    title: str = "Announcement benchmark"
    sizes: list[str] = field(default_factory=list)

    def details(self) -> list[str]:
        a = self.args
        return [
            f"- start-up: {a.guilds:,} guilds with announcement settings, {a.rows:,} scheduled posts "
            f"(seed {a.seed}); {a.reps} measured starts per database, alternating, after one warm-up start each",
            f"- burst: {a.posts:,} posts due at the same instant in {a.posts:,} guilds (one channel each); "
            f"simulator global limit {DISCORD_GLOBAL_PER_S}/s (Discord's); the bot's pace is `delivery.pace` "
            "(default 40/s)",
            f"- catalogue: the bundled `{PACK}` pack, loaded into the database beforehand "
            '(`MARQUEE_PACKS_LOAD=""`: no pack is loaded at start)',
            "- simulator OpenAPI checks: " + ("on" if a.spec_check else "off (see --spec-check)"),
            *self.sizes,
        ]


# --------------------------------------------------------------------------- building the databases


@dataclass(frozen=True)
class SimGuild:
    """A guild that exists in the simulator (so its channel is real), with what the settings point at."""

    guild_id: int
    channel_id: int
    owner_id: int
    role_id: int | None


def make_guilds(sim: Any, count: int, rng: random.Random, prefix: str) -> list[SimGuild]:
    """``count`` guilds straight into the simulator's world (no gateway event: the bot is not connected
    yet; it receives each one as a GUILD_CREATE when it identifies). Each has #general; one in ten a
    mentionable role the announcements ping."""
    world = sim.world
    guilds = []
    for number in range(count):
        guild = world.add_guild(f"{prefix} {number + 1:05d}")
        role = world.add_role(guild, "Countdown fans", mentionable=True) if rng.random() < 0.1 else None
        guilds.append(SimGuild(guild.id, guild.channel_ids[0], guild.owner_id, role.id if role else None))
    return guilds


async def base_database(path: Path, clock: Any) -> tuple[str, list[str], dict[str, float]]:
    """A migrated database with the bundled pack loaded and the announcement catalogue fingerprint stored.

    The fingerprint is computed by the engine itself (``Announcer.catalogue_changed``, with
    ``replan_all`` stubbed out: there is nothing to plan yet), so a later start finds the catalogue
    unchanged and does not replan every server, as on a normal restart.
    Returns the fingerprint, the film keys and the step timings.
    """
    from types import SimpleNamespace

    from bot.scheduler import AlarmClock
    from cogs.countdowns.engine import CATALOGUE_STATE, Announcer
    from db import BotStateRepository, CatalogueRepository, Database, load_pack, migrate, parse_pack, resolve_pack

    timings: dict[str, float] = {}
    started = time.perf_counter()
    async with Database.connect(path) as db:
        await migrate(db)
        timings["migrate"] = time.perf_counter() - started
        begun = time.perf_counter()
        pack = parse_pack(resolve_pack(PACK))
        await load_pack(db, pack, source_path=str(pack.path))
        timings["load the pack"] = time.perf_counter() - begun
        begun = time.perf_counter()
        # Storing the fingerprint needs neither Discord, the settings nor the pace.
        nothing = SimpleNamespace()
        announcer = Announcer(
            nothing,  # type: ignore[arg-type]
            database=db,
            catalogue=CatalogueRepository(db),
            clock=clock,
            settings=nothing,  # type: ignore[arg-type]
            alarms=AlarmClock(clock),
            pacer=nothing,  # type: ignore[arg-type]
            breaker=nothing,  # type: ignore[arg-type]
        )

        async def nothing_to_replan() -> None:
            return None

        announcer.replan_all = nothing_to_replan  # type: ignore[method-assign]
        await announcer.catalogue_changed()
        fingerprint = await BotStateRepository(db).get(CATALOGUE_STATE)
        films = sorted(announcer.films)
        timings["store the catalogue fingerprint"] = time.perf_counter() - begun
    if not fingerprint:
        raise RuntimeError("the engine did not store its catalogue fingerprint")
    return fingerprint, films, timings


def copy_database(source: Path, target: Path) -> None:
    with contextlib.closing(sqlite3.connect(source)) as src, contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


@dataclass
class Tables:
    settings: list[tuple[Any, ...]] = field(default_factory=list)
    targets: list[tuple[Any, ...]] = field(default_factory=list)
    dates: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    posts: list[tuple[Any, ...]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        status = Counter(row[8] for row in self.posts)
        return {
            "announcement_settings": len(self.settings),
            "announcement_targets": len(self.targets),
            "announcement_dates": len(self.dates),
            "guild_events": len(self.events),
            "announcement_posts": len(self.posts),
            **{f"  posts {name}": n for name, n in sorted(status.items())},
        }


class RowMaker:
    """Rows as the engine writes them: its nonce, its time format, its date arithmetic."""

    def __init__(self, now: dt.datetime, rng: random.Random) -> None:
        from cogs.countdowns.engine import nonce_for
        from db.repositories.announcements import name_key
        from db.repositories.stamps import stamp

        self.now = now
        self.rng = rng
        self.tables = Tables()
        self.event_id = 0
        self._nonce = nonce_for
        self._stamp = stamp
        self._name_key = name_key

    def schedule(self, post_time: str, tz: str, milestones: str) -> Any:
        from bot.localtime import parse_hhmm, zone
        from cogs.countdowns.dates import Schedule, parse_milestones

        return Schedule(parse_hhmm(post_time), zone(tz), parse_milestones(milestones))

    def settings(self, guild: SimGuild, post_time: str, tz: str, milestones: str, paused: bool = False) -> None:
        rng = self.rng
        self.tables.settings.append(
            (
                guild.guild_id,
                guild.channel_id,
                post_time,
                tz,
                rng.choice(REGIONS),
                milestones,
                guild.role_id,
                False,  # anniversaries: the pack's films are all released; see the README
                False,  # mirror_events: mirroring is a separate feature, with its own REST calls
                "Marquee is missing a permission in the channel (Send Messages or Embed Links)" if paused else None,
                paused,
                self._stamp(self.now - dt.timedelta(days=rng.uniform(1, 200))),
            )
        )

    def event(self, guild: SimGuild, day: dt.date, tz: str) -> str:
        rng = self.rng
        self.event_id += 1
        name = f"{rng.choice(EVENT_NAMES)} #{self.event_id}"
        start_time = rng.choice(("19:30", "20:00", "18:45")) if rng.random() < 0.3 else None
        self.tables.events.append(
            (
                self.event_id,
                guild.guild_id,
                name,
                self._name_key(name),
                day.isoformat(),
                start_time,
                rng.choice(ZONES) if rng.random() < 0.1 else None,
                "Bring snacks. Spoilers in #spoilers only." if rng.random() < 0.5 else None,
                guild.owner_id,
                self._stamp(self.now - dt.timedelta(days=rng.uniform(0, 30))),
            )
        )
        return f"event:{self.event_id}"

    def post(
        self,
        guild: SimGuild,
        key: str,
        day: dt.date,
        milestone: int,
        due: dt.datetime,
        status: str = "scheduled",
    ) -> None:
        rng = self.rng
        kind = "release" if milestone == 0 else "countdown"
        stamp = self._stamp(due)
        finished = reason = message_id = channel_id = None
        attempts, late = 0, False
        if status != "scheduled":
            attempts = 1
            finished = self._stamp(due + dt.timedelta(seconds=rng.uniform(0.05, 40)))
            if status == "sent":
                channel_id, message_id = guild.channel_id, rng.randrange(1 << 60, 1 << 62)
                late = rng.random() < 0.02
            elif status == "skipped":
                reason = "missed: Marquee was offline when it was due, and the grace window had passed"
            else:
                reason = "Marquee is missing a permission in the channel (Send Messages or Embed Links)"
        self.tables.posts.append(
            (
                guild.guild_id,
                key,
                day.isoformat(),
                str(milestone),
                kind,
                None,
                stamp,
                stamp,
                status,
                attempts,
                late,
                reason,
                self._nonce(guild.guild_id, key, day, str(milestone)),
                channel_id,
                message_id,
                finished,
            )
        )


def startup_tables(guilds: list[SimGuild], rows: int, now: dt.datetime, rng: random.Random, films: list[str]) -> Tables:
    """Settings for every guild and exactly ``rows`` scheduled posts, as the planner would write them.

    Per guild: a preset (default, weekly, final week, "30,7,1,0" or release day), a timezone, a post
    time, and upcoming events 1 to ~100 days away with a post for each milestone still ahead (the
    last event's date is chosen so the guild's count comes out exact: the plan stays what
    ``plan_posts`` would make); each guild also has one past event whose posts were sent (a few
    skipped or failed). 15 % of guilds chose their targets, 1 % are paused with a notice pending.
    """
    from bot.localtime import local_day
    from cogs.countdowns.dates import post_instant

    maker = RowMaker(now, rng)
    presets = [name for name, _ in PRESETS]
    weights = [weight for _, weight in PRESETS]
    quotas = [rng.randint(2, 18) for _ in guilds]
    # Make the quotas add up to exactly `rows`, a row at a time on random guilds (bounded loop).
    difference = rows - sum(quotas)
    for _ in range(abs(difference) * 20 + 100):
        if difference == 0:
            break
        index = rng.randrange(len(guilds))
        if difference > 0 and quotas[index] < 60:
            quotas[index] += 1
            difference -= 1
        elif difference < 0 and quotas[index] > 1:
            quotas[index] -= 1
            difference += 1
    if difference:
        raise RuntimeError(f"cannot spread {rows} rows over {len(guilds)} guilds")
    for guild, quota in zip(guilds, quotas, strict=True):
        tz = rng.choice(ZONES)
        post_time = rng.choice(POST_TIMES)
        preset = rng.choices(presets, weights)[0]
        schedule = maker.schedule(post_time, tz, preset)
        offsets = sorted(schedule.milestones.offsets)  # ascending
        maker.settings(guild, post_time, tz, preset, paused=rng.random() < 0.01)
        today = local_day(now, schedule.tz)
        count = 0
        keys: list[str] = []
        for _ in range(200):  # bounded: each pass adds at least one post
            if count >= quota:
                break
            need = quota - count
            days = rng.randint(1, 100)
            ahead = [m for m in offsets if m < days]  # posts whose local day is after today
            if len(ahead) > need:
                # The last event: a date with exactly `need` milestones still ahead of it.
                low = offsets[need - 1] + 1
                high = offsets[need] if need < len(offsets) else max(low, 100)
                days = rng.randint(low, high)
                ahead = [m for m in offsets if m < days]
            day = today + dt.timedelta(days=days)
            key = maker.event(guild, day, tz)
            keys.append(key)
            maker.tables.dates.append((guild.guild_id, key, day.isoformat()))
            for milestone in ahead:
                maker.post(guild, key, day, milestone, post_instant(day - dt.timedelta(days=milestone), schedule))
            count += len(ahead)
        if count != quota:
            raise RuntimeError(f"guild {guild.guild_id}: planned {count} posts, wanted {quota}")
        # History: one event that has passed, its posts sent (a few skipped or failed).
        past_day = today - dt.timedelta(days=rng.randint(1, 40))
        past_key = maker.event(guild, past_day, tz)
        for milestone in offsets:
            due = post_instant(past_day - dt.timedelta(days=milestone), schedule)
            if past_day - dt.timedelta(days=milestone) < today - dt.timedelta(days=45) or due >= now:
                continue
            roll = rng.random()
            maker.post(
                guild,
                past_key,
                past_day,
                milestone,
                due,
                "sent" if roll < 0.92 else "skipped" if roll < 0.97 else "failed",
            )
        if rng.random() < 0.15:
            chosen = keys + ([f"film:{rng.choice(films)}"] if films and rng.random() < 0.3 else [])
            maker.tables.targets += [(guild.guild_id, key) for key in sorted(set(chosen))]
    return maker.tables


def burst_tables(guilds: list[SimGuild], due: dt.datetime, now: dt.datetime, rng: random.Random) -> Tables:
    """Each guild one event and one post due exactly at ``due`` (the same minute everywhere).

    The guilds' timezones differ; each one's post time is ``due`` in its own zone, so the local
    times differ but the instant is the same. Milestones still ahead of that post are scheduled
    later; those before it were sent.
    """
    from bot.localtime import local_day
    from cogs.countdowns.dates import post_instant

    maker = RowMaker(now, rng)
    presets = [name for name, _ in PRESETS]
    weights = [weight for _, weight in PRESETS]
    for number, guild in enumerate(guilds):
        tz = ZONES[number % len(ZONES)]
        preset = rng.choices(presets, weights)[0]
        local = due.astimezone(maker.schedule("00:00", tz, preset).tz)
        post_time = local.strftime("%H:%M")
        schedule = maker.schedule(post_time, tz, preset)
        milestone = rng.choice(schedule.milestones.offsets)
        day = local_day(due, schedule.tz) + dt.timedelta(days=milestone)
        if post_instant(day - dt.timedelta(days=milestone), schedule) != due:  # a DST fold: use UTC
            tz, post_time = "UTC", due.strftime("%H:%M")
            schedule = maker.schedule(post_time, tz, preset)
            day = local_day(due, schedule.tz) + dt.timedelta(days=milestone)
        maker.settings(guild, post_time, tz, preset)
        key = maker.event(guild, day, tz)
        maker.tables.dates.append((guild.guild_id, key, day.isoformat()))
        for offset in schedule.milestones.offsets:
            when = post_instant(day - dt.timedelta(days=offset), schedule)
            if offset == milestone:
                assert when == due, (guild, tz, post_time, when, due)
                maker.post(guild, key, day, offset, when)
            elif when > due:
                maker.post(guild, key, day, offset, when)
            elif when < now:
                maker.post(guild, key, day, offset, when, "sent")
    return maker.tables


def write_tables(path: Path, tables: Tables) -> float:
    """Bulk inserts (``executemany``, one transaction) into a migrated database; returns the seconds."""
    started = time.perf_counter()
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA foreign_keys = ON")
        with connection:
            connection.executemany(
                "INSERT INTO announcement_settings (guild_id, channel_id, post_time, timezone, region, milestones, "
                "role_id, anniversaries, mirror_events, paused_reason, notice_pending, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                tables.settings,
            )
            connection.executemany(
                "INSERT INTO announcement_targets (guild_id, target_key) VALUES (?, ?)", tables.targets
            )
            connection.executemany(
                "INSERT INTO announcement_dates (guild_id, target_key, release_date) VALUES (?, ?, ?)", tables.dates
            )
            connection.executemany(
                "INSERT INTO guild_events (id, guild_id, name, name_key, event_date, start_time, timezone, "
                "description, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                tables.events,
            )
            connection.executemany(
                "INSERT INTO announcement_posts (guild_id, target_key, release_date, milestone, kind, detail, "
                "due_at, wake_at, status, attempts, late, reason, nonce, channel_id, message_id, finished_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                tables.posts,
            )
        connection.execute("ANALYZE")  # what `PRAGMA optimize` would leave behind on a long-lived database
    return time.perf_counter() - started


def read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def post_fingerprint(path: Path) -> tuple[int, int, str]:
    """(scheduled rows, all rows, a digest of every post row): to prove starts changed nothing."""
    import hashlib

    with contextlib.closing(read_only(path)) as connection:
        scheduled = connection.execute("SELECT COUNT(*) FROM announcement_posts WHERE status = 'scheduled'").fetchone()
        digest = hashlib.sha256()
        total = 0
        for row in connection.execute("SELECT * FROM announcement_posts ORDER BY id"):
            digest.update(repr(row).encode())
            total += 1
    return int(scheduled[0]), total, digest.hexdigest()[:16]


# --------------------------------------------------------------------------- timing the bot's own steps


class Spans:
    """Wraps async methods and records (start, end) in real time per call.

    ``bot.close()`` unloads every extension, which removes the ``cogs.*`` modules from
    ``sys.modules``; the next start imports them afresh, with new classes. So cog classes are
    wrapped from a hook on ``MarqueeBot.add_cog`` (after the cog's module was imported, before its
    ``cog_load`` runs), on every start. The announcement runner keeps the bound ``deliver_due`` it
    was made with, so that one is wrapped on the instance, in the same hook.
    """

    def __init__(self) -> None:
        self.calls: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self._undo: list[Callable[[], None]] = []
        self._cog_methods: list[tuple[str, str, str, str]] = []  # module, class, method, label
        self._deliver_label: str | None = None

    def _timed(self, original: Any, label: str) -> Any:
        calls = self.calls[label]

        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                calls.append((started, time.perf_counter()))

        timed.__name__ = getattr(original, "__name__", "timed")
        timed.__qualname__ = getattr(original, "__qualname__", "timed")
        timed.__bench_timed__ = True  # type: ignore[attr-defined]
        for attribute in ("__cog_listener__", "__cog_listener_names__"):  # discord.py listener markers
            if hasattr(original, attribute):
                setattr(timed, attribute, getattr(original, attribute))
        return timed

    def wrap(self, cls: type, name: str, label: str) -> None:
        original = cls.__dict__[name]
        if getattr(original, "__bench_timed__", False):
            return
        setattr(cls, name, self._timed(original, label))
        self._undo.append(lambda: setattr(cls, name, original))

    def wrap_cog(self, module: str, cls: str, name: str, label: str) -> None:
        self._cog_methods.append((module, cls, name, label))

    def install_hook(self, deliver_label: str) -> None:
        from discord.ext import commands

        from bot.client import MarqueeBot

        self._deliver_label = deliver_label
        original = MarqueeBot.__dict__.get("add_cog")
        spans = self

        async def add_cog(bot: Any, cog: Any, /, **kwargs: Any) -> None:
            for module, cls, name, label in spans._cog_methods:
                loaded = sys.modules.get(module)
                if loaded is not None:
                    spans.wrap(hook(loaded, cls), name, label)
            runner: Any = hook(getattr(cog, "announcer", None), "runner")
            deliver = hook(runner, "_deliver_due")
            if deliver is not None and spans._deliver_label and not getattr(deliver, "__bench_timed__", False):
                runner._deliver_due = spans._timed(deliver, spans._deliver_label)
            if original is None:
                await commands.Bot.add_cog(bot, cog, **kwargs)
            else:
                await original(bot, cog, **kwargs)

        MarqueeBot.add_cog = add_cog  # type: ignore[method-assign]
        if original is None:
            self._undo.append(lambda: delattr(MarqueeBot, "add_cog"))
        else:
            self._undo.append(lambda: setattr(MarqueeBot, "add_cog", original))

    def install_startup(self) -> None:
        from bot.client import MarqueeBot
        from db.repositories.announcements import AnnouncementRepository

        self.wrap(MarqueeBot, "setup_hook", "`setup_hook` (migrate, load cogs, sync check)")
        engine = "cogs.countdowns.engine"
        self.wrap_cog(engine, "Announcer", "start", "`Announcer.start` (in `Services.start`, before the cogs load)")
        self.wrap(AnnouncementRepository, "reconcile", "  `reconcile` (resume / skip after downtime)")
        self.wrap_cog(engine, "Announcer", "catalogue_changed", "  `catalogue_changed` (films, releases, fingerprint)")
        self.wrap(AnnouncementRepository, "guilds_with_notices", "  `guilds_with_notices`")
        self.wrap_cog(engine, "Announcer", "replan_all", "`replan_all` (must not run on a restart)")
        self.wrap(AnnouncementRepository, "claim_due", "  `claim_due`")
        self.wrap(AnnouncementRepository, "next_wake", "  `next_wake`")
        self.wrap_cog("cogs.server_data", "ServerData", "on_ready", "`ServerData.on_ready` (stored guilds vs present)")
        self.wrap_cog("cogs.countdowns.cog", "Countdowns", "on_guild_available", GUILD_AVAILABLE)
        self.install_hook("first `deliver_due` (alarm armed by `start`)")

    def install_burst(self) -> None:
        from db.repositories.announcements import AnnouncementRepository

        self.wrap(AnnouncementRepository, "claim_due", "claim_due")
        self.wrap(AnnouncementRepository, "next_wake", "next_wake")
        self.wrap(AnnouncementRepository, "settings", "settings")
        self.wrap(AnnouncementRepository, "events", "events")
        self.wrap(AnnouncementRepository, "mark_sent", "mark_sent")
        self.install_hook("deliver_due")

    def uninstall(self) -> None:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()

    def reset(self) -> None:
        for calls in self.calls.values():
            calls.clear()

    def first(self, label: str, since: float) -> tuple[float, float] | None:
        for started, ended in self.calls.get(label, []):
            if started >= since:
                return started, ended
        return None

    def total(self, label: str) -> float:
        return sum(ended - started for started, ended in self.calls.get(label, []))


class LogTally(logging.Handler):
    """Counts warnings and errors (the bot's and discord.py's), numbers folded."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()
        self.samples: dict[str, str] = {}  # the first message of each kind, numbers intact
        self.first_traceback: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        message = re.sub(r"\d[\d.]*", "N", record.getMessage().splitlines()[0])[:110]
        key = f"{record.levelname} {record.name}: {message}"
        self.counts[key] += 1
        self.samples.setdefault(key, record.getMessage().splitlines()[0][:160])
        if record.exc_info and self.first_traceback is None:
            self.first_traceback = "".join(traceback.format_exception(*record.exc_info))[-2500:]

    def summary(self) -> str:
        return (
            ", ".join(f"{n} × `{what}` (first: “{self.samples[what]}”)" for what, n in self.counts.most_common(6))
            or "none"
        )


class LoopLag:
    """How late a 10 ms sleep wakes up: how long the event loop was busy (bot and simulator share it)."""

    def __init__(self) -> None:
        self.lags = Distribution()
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.01)
            self.lags.add(max(time.perf_counter() - started - 0.01, 0.0))

    def __enter__(self) -> LoopLag:
        self._task = asyncio.ensure_future(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()


async def background_done(bot: Any, limit: float) -> None:
    """Wait (bounded) for the work the bot starts in the background: film indexes, trivia pool."""
    tasks = [
        task
        for task in (
            hook(bot.services.lookup, "indexing"),
            hook(bot.services.trivia.pool, "task"),
        )
        if task is not None
    ]
    if tasks:
        await asyncio.wait(tasks, timeout=limit)


def new_sim(folder: Path, args: argparse.Namespace, start: dt.datetime) -> Any:
    from tests.discord_sim import Sim

    env = {"MARQUEE_PACKS_LOAD": "", "MARQUEE_LOGGING_LEVEL": "WARNING"}
    sim = Sim(folder, serve=_marquee_serve, env=env, timeout=args.sim_timeout, start=start)
    if not args.spec_check:
        # As in the other benches: the simulator's jsonschema checks are the test suite's assertion,
        # not Discord's work, and would take CPU from the bot on this shared event loop.
        sim.server.validator = None
        sim.server.check_responses = False
    sim.tmp_path.mkdir(parents=True, exist_ok=True)
    # The harness waits `quiet` s without REST calls after each step (for follow-ups); not needed here.
    sim.quiet = 0.0
    return sim


def sim_start_time() -> dt.datetime:
    """The simulator's clock starts at the current minute (UTC)."""
    return dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)


def _fmt(seconds: float) -> str:
    return f"{seconds:.3f}"


# --------------------------------------------------------------------------- 1. start-up


async def bench_startup(args: argparse.Namespace, report: AnnounceReport, folder: Path, profiles: list[str]) -> None:
    rng = random.Random(args.seed)
    start = sim_start_time()
    sim = new_sim(folder / "startup", args, start)
    began = time.perf_counter()
    guilds = make_guilds(sim, args.guilds, rng, "Bench Server")
    world_s = time.perf_counter() - began
    log(f"start-up: {args.guilds:,} guilds in the simulator's world in {world_s:.1f} s; building the databases")
    empty, loaded = folder / "empty.db", folder / "loaded.db"
    _, films, base_timings = await base_database(empty, sim.clock)
    copy_database(empty, loaded)
    began = time.perf_counter()
    tables = startup_tables(guilds, args.rows, sim.clock.now(), rng, films)
    generate_s = time.perf_counter() - began
    write_s = write_tables(loaded, tables)
    counts = tables.counts()
    size_mb = loaded.stat().st_size / 1e6
    log(f"loaded database: {counts} ({size_mb:.0f} MB); generated in {generate_s:.1f} s, written in {write_s:.1f} s")
    due = sorted(row[6] for row in tables.posts if row[8] == "scheduled")
    report.sizes.append(
        "- start-up database: "
        + ", ".join(f"{n:,} {name.strip()}" for name, n in counts.items())
        + f"; {size_mb:.0f} MB; scheduled posts due {due[0][:16]} … {due[-1][:16]} UTC "
        f"(clock at {start:%Y-%m-%d %H:%M} UTC)"
    )
    before = post_fingerprint(loaded)

    spans = Spans()
    spans.install_startup()
    results: dict[str, list[dict[str, float]]] = {"empty": [], "loaded": []}
    replans = 0
    try:
        await sim.server.start()

        async def one_start(which: str, path: Path, measured: bool) -> None:
            nonlocal replans
            sim.database_path = path
            tidy(sim)
            spans.reset()
            t0 = time.perf_counter()
            await sim.start_bot()
            ready = time.perf_counter() - t0
            bot = sim.client
            if len(bot.guilds) != len(guilds):
                raise RuntimeError(f"the bot sees {len(bot.guilds)} guilds, the simulator has {len(guilds)}")
            # Work that follows readiness: the first delivery pass (armed by Announcer.start),
            # ServerData.on_ready (stored guilds vs present ones) and one on_guild_available per
            # guild; then the film and trivia indexes.
            deadline = time.perf_counter() + args.sim_timeout
            available: list[tuple[float, float]] = []
            while time.perf_counter() < deadline:
                first = spans.first("first `deliver_due` (alarm armed by `start`)", t0)
                on_ready = spans.first("`ServerData.on_ready` (stored guilds vs present)", t0)
                available = [span for span in spans.calls.get(GUILD_AVAILABLE, []) if span[0] >= t0]
                if first is not None and on_ready is not None and len(available) >= len(guilds):
                    break
                await asyncio.sleep(0.005)
            ends = [span[1] for span in (first, on_ready) if span is not None] + [e for _, e in available]
            settled = max(ends, default=time.perf_counter()) - t0
            await background_done(bot, args.sim_timeout)
            row = {"ready": ready, "settled": settled}
            for label, calls in spans.calls.items():
                row[label] = sum(e - s for s, e in calls if s >= t0) if calls else 0.0
            # Those handlers run concurrently: their sum means nothing; when they ran does.
            row[GUILD_AVAILABLE] = len(available)
            row["available from"] = min((s for s, _ in available), default=t0) - t0
            row["available to"] = max((e for _, e in available), default=t0) - t0
            replans += len(spans.calls.get("`replan_all` (must not run on a restart)", []))
            await sim.stop_bot()
            if measured:
                results[which].append(row)
            log(
                f"  {'' if measured else 'warm-up '}start on the {which} database: ready {ready:.2f} s, "
                f"Announcer.start {_start_of(row):.3f} s, settled {settled:.2f} s"
            )

        for which, path in (("empty", empty), ("loaded", loaded)):
            await one_start(which, path, measured=False)  # syncs the commands once; warms the page cache
        for rep in range(args.reps):
            order = (("empty", empty), ("loaded", loaded)) if rep % 2 == 0 else (("loaded", loaded), ("empty", empty))
            for which, path in order:
                await one_start(which, path, measured=True)
        if args.profile:
            with profiled(True, f"one start on the loaded database ({args.guilds:,} guilds)", profiles, top=25):
                await one_start("loaded", loaded, measured=False)
    finally:
        spans.uninstall()
        await sim.close()
    log("the start-up database calls one at a time, on an idle loop")
    guild_ids = [guild.guild_id for guild in guilds]
    isolated = {
        which: await isolated_queries(path, sim.clock.now(), guild_ids, 3)
        for which, path in (("empty", empty), ("loaded", loaded))
    }
    plans = query_plans(loaded, sim.clock.now())
    after = post_fingerprint(loaded)

    # ---- the report -------------------------------------------------------------------------------------
    def median(which: str, key: str) -> float:
        values = [row.get(key, 0.0) for row in results[which]]
        return statistics.median(values) if values else float("nan")

    def spread(which: str, key: str) -> str:
        values = [row.get(key, 0.0) for row in results[which]]
        return f"{min(values):.2f}–{max(values):.2f}" if values else "–"

    delta = median("loaded", "ready") - median("empty", "ready")
    ratio = median("loaded", "ready") / median("empty", "ready")
    report.check(
        "start-up: ready (commands synced), loaded ÷ empty database (the same guilds), medians",
        f"{ratio:.2f} ({median('loaded', 'ready'):.2f} s ÷ {median('empty', 'ready'):.2f} s, {delta:+.2f} s; "
        f"n={len(results['loaded'])} each; {args.guilds:,} guilds, {args.rows:,} scheduled posts)",
        f"≤ {TARGET_START_RATIO:g}",
        ratio <= TARGET_START_RATIO,
        full_only=True,
    )
    start_label = STARTUP_ROWS[1]
    report.check(
        "start-up: `Announcer.start` on the loaded database (median), informative",
        f"{median('loaded', start_label) * 1e3:.0f} ms (empty: {median('empty', start_label) * 1e3:.0f} ms)",
        "none",
        None,
    )
    settled_delta = median("loaded", "settled") - median("empty", "settled")
    report.check(
        "start-up: until the work after ready finished (first delivery pass, `on_ready`, `on_guild_available`), "
        "loaded − empty, informative",
        f"{settled_delta:+.2f} s ({median('loaded', 'settled'):.2f} s vs {median('empty', 'settled'):.2f} s)",
        "none",
        None,
    )
    report.check(
        "start-up: a restart does not replan or change the outbox",
        f"{replans} `replan_all` calls; posts before {before[0]:,} scheduled / {before[1]:,} rows, after "
        f"{after[0]:,} / {after[1]:,} ({'identical' if before == after else 'CHANGED'})",
        "0 calls, identical rows",
        replans == 0 and before == after,
    )
    body = (
        "Each start: `sim.start_bot()` runs `bot.runner.serve` as the end-to-end tests do, and returns "
        "once the bot is ready (READY and every GUILD_CREATE handled) with `commands_synced` set. The "
        f"simulator holds the same {args.guilds:,} guilds for both databases, so the bot receives "
        f"{args.guilds:,} GUILD_CREATEs either way; only the database differs. Starts alternate "
        "between the two databases; the first start on each (not counted) synced the commands.\n\n"
        "| step (seconds, median; range for the totals) | empty database | loaded database |\n"
        "| --- | ---: | ---: |\n"
        f"| **`serve` → ready, commands synced** | **{median('empty', 'ready'):.3f}** ({spread('empty', 'ready')}) "
        f"| **{median('loaded', 'ready'):.3f}** ({spread('loaded', 'ready')}) |\n"
    )
    for label in STARTUP_ROWS:
        body += f"| {label} | {_fmt(median('empty', label))} | {_fmt(median('loaded', label))} |\n"
    body += (
        f"| {GUILD_AVAILABLE}: calls, and from → to (s after `serve` started) | "
        f"{median('empty', GUILD_AVAILABLE):,.0f}, {median('empty', 'available from'):.2f} → "
        f"{median('empty', 'available to'):.2f} | {median('loaded', GUILD_AVAILABLE):,.0f}, "
        f"{median('loaded', 'available from'):.2f} → {median('loaded', 'available to'):.2f} |\n"
        f"| `serve` → the first delivery pass, `on_ready` and every `on_guild_available` done | "
        f"{median('empty', 'settled'):.3f} ({spread('empty', 'settled')}) | "
        f"{median('loaded', 'settled'):.3f} ({spread('loaded', 'settled')}) |\n"
    )
    body += (
        "\nThe steps are wall times inside the starting bot: they include waiting for the event loop "
        "(busy with the GUILD_CREATEs) and for the database lock, so the same call can take longer on the "
        "empty database than on the loaded one. The same database calls one at a time on an idle loop, "
        "after the starts (median of 3; the `resume` row is one pass over every guild):\n\n"
        "| database call (ms) | empty database | loaded database |\n| --- | ---: | ---: |\n"
    )
    for name in isolated["loaded"]:
        body += f"| {name} | {isolated['empty'][name] * 1e3:.1f} | {isolated['loaded'][name] * 1e3:.1f} |\n"
    body += "\nSQLite's plans on the loaded database: " + "; ".join(f"`{plan}`" for plan in plans) + ".\n"
    body += (
        f"\nSetup (not part of the target): {args.guilds:,} guilds added to the simulator's world in "
        f"{world_s:.2f} s; base database "
        + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in base_timings.items())
        + f"; rows generated in {generate_s:.2f} s and written with `executemany` in {write_s:.2f} s."
    )
    report.section("Start-up with a large outbox", body)


GUILD_AVAILABLE = "`Countdowns.on_guild_available` (→ `Announcer.resume`)"
GRACE = dt.timedelta(hours=6)  # delivery.grace_hours, the default


def tidy(sim: Any) -> None:
    """Between starts: forget the simulator's closed gateway sessions (each keeps its last 1,000
    payloads: here 1,000 GUILD_CREATEs) and its request log, and collect the previous bot's garbage,
    so that no start pays for an earlier one."""
    gateway = sim.server.gateway
    for session_id in [key for key, session in gateway.sessions.items() if session.ws is None]:
        del gateway.sessions[session_id]
    sim.server.requests.clear()
    gc.collect()


async def isolated_queries(path: Path, now: dt.datetime, guild_ids: list[int], repeats: int) -> dict[str, float]:
    """The database calls the bot makes at start, one at a time on an idle event loop (median of
    ``repeats``): what they cost without the GUILD_CREATE flood around them. None changes a row here
    (no post is due or mid-send, no guild was paused for leaving); the bench checks the outbox after."""
    from cogs.countdowns.engine import REMOVED_FROM_SERVER
    from db import AnnouncementRepository, Database, GuildDataRepository
    from db.repositories.announcements import Shards

    results: dict[str, float] = {}
    async with Database.connect(path) as db:
        repository = AnnouncementRepository(db)
        shards = Shards()
        steps: dict[str, Callable[[], Any]] = {
            "`reconcile`": lambda: repository.reconcile(now, GRACE, shards),
            "`guilds_with_notices`": repository.guilds_with_notices,
            "`claim_due` (nothing due)": lambda: repository.claim_due(now, shards, 50),
            "`next_wake`": lambda: repository.next_wake(shards),
            "`known_guilds` (in `ServerData.on_ready`)": GuildDataRepository(db).known_guilds,
        }
        await repository.next_wake(shards)  # open the file, warm the page cache
        for name, step in steps.items():
            timings = []
            for _ in range(repeats):
                started = time.perf_counter()
                await step()
                timings.append(time.perf_counter() - started)
            results[name] = statistics.median(timings)
        started = time.perf_counter()
        for guild_id in guild_ids:
            await repository.resume(guild_id, REMOVED_FROM_SERVER)
        results[f"`resume` × {len(guild_ids):,} (one per `on_guild_available`)"] = time.perf_counter() - started
    return results


def query_plans(path: Path, now: dt.datetime) -> list[str]:
    """SQLite's plans for the two start-up queries that read every scheduled row."""
    from db.repositories.stamps import stamp as _stamp

    queries = {
        "reconcile (skip)": (
            "UPDATE announcement_posts SET status = 'skipped' WHERE status = 'scheduled' AND due_at < ? AND 1 = 1",
            (_stamp(now - GRACE),),
        ),
        "next_wake": (
            "SELECT MIN(p.wake_at) FROM announcement_posts p JOIN announcement_settings s ON s.guild_id = p.guild_id "
            "WHERE p.status = 'scheduled' AND s.paused_reason IS NULL AND 1 = 1",
            (),
        ),
    }
    plans = []
    with contextlib.closing(read_only(path)) as connection:
        for name, (sql, params) in queries.items():
            steps = [row[-1] for row in connection.execute("EXPLAIN QUERY PLAN " + sql, params)]
            plans.append(f"{name}: " + "; ".join(steps))
    return plans


STARTUP_ROWS = (
    "`setup_hook` (migrate, load cogs, sync check)",
    "`Announcer.start` (in `Services.start`, before the cogs load)",
    "  `reconcile` (resume / skip after downtime)",
    "  `catalogue_changed` (films, releases, fingerprint)",
    "  `guilds_with_notices`",
    "first `deliver_due` (alarm armed by `start`)",
    "  `claim_due`",
    "  `next_wake`",
    "`ServerData.on_ready` (stored guilds vs present)",
)


def _start_of(row: dict[str, float]) -> float:
    return row.get(STARTUP_ROWS[1], 0.0)


# --------------------------------------------------------------------------- 2. the burst


def peak_per_second(stamps: Sequence[float]) -> int:
    """The most stamps in any window of one second."""
    ordered = sorted(stamps)
    best = start = 0
    for end, stamp in enumerate(ordered):
        while ordered[start] <= stamp - 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def bench_burst(args: argparse.Namespace, report: AnnounceReport, folder: Path, profiles: list[str]) -> None:
    from tests.discord_sim.ratelimit import is_global_exempt

    rng = random.Random(args.seed + 1)
    start = sim_start_time()
    due = start + dt.timedelta(hours=1)
    sim = new_sim(folder / "burst", args, start)
    began = time.perf_counter()
    guilds = make_guilds(sim, args.posts, rng, "Burst Server")
    world_s = time.perf_counter() - began
    path = sim.database_path
    await base_database(path, sim.clock)
    tables = burst_tables(guilds, due, sim.clock.now(), rng)
    write_tables(path, tables)
    expected = {
        row[12]: row for row in tables.posts if row[8] == "scheduled" and dt.datetime.fromisoformat(row[6]) == due
    }
    if len(expected) != args.posts:
        raise RuntimeError(f"{len(expected)} posts due at {due}, wanted {args.posts}")
    log(f"burst: {args.posts:,} guilds in the simulator's world in {world_s:.2f} s; {tables.counts()}")
    limits = sim.ratelimits
    limits.enabled = True
    limits.global_limit = DISCORD_GLOBAL_PER_S  # Discord's global limit (the simulator's default, set explicitly)
    tally = LogTally()
    logging.getLogger().addHandler(tally)
    recorder = PostRecorder()
    spans = Spans()
    lag = LoopLag()
    pace = float("nan")
    sent_at: list[float] = []
    try:
        spans.install_burst()
        began = time.perf_counter()
        await sim.start()
        ready_s = time.perf_counter() - began
        bot = sim.client
        pace = 1.0 / bot.pacer.interval
        seen = len(bot.guilds)
        log(f"bot ready with {seen:,} guilds in {ready_s:.1f} s (pace {pace:g}/s); waiting for its background work")
        await background_done(bot, args.sim_timeout)
        await sim.settle()
        if seen != args.posts:
            raise RuntimeError(f"the bot sees {seen} guilds, the simulator has {args.posts}")
        announcer = bot.services.announcer
        armed = bot.alarms.next_alarm("announcements")
        early = [r for r in sim.requests_to(POST_ROUTE)]
        report.check(
            "burst: setup, informative",
            f"{args.posts:,} guilds in the world {world_s:.2f} s; bot ready with them {ready_s:.1f} s; "
            f"alarm armed for {armed:%H:%M:%S} (posts due {due:%H:%M:%S}); {len(early)} posts before the clock moved",
            "none",
            None,
        )
        recorder.install(sim)
        requests_before = len(sim.server.requests)
        spans.reset()  # the first delivery pass at start is not part of the burst
        cpu0 = time.process_time()
        t_due = time.perf_counter()
        with lag, profiled(args.profile, f"the burst: {args.posts:,} posts due at once", profiles, top=25):
            sim.clock.advance(due - sim.clock.now())  # the shared ManualClock: every post is due now
            limit = args.posts / pace * 1.5 + 60.0
            deadline = t_due + limit
            last_count, last_change = 0, time.perf_counter()
            while time.perf_counter() < deadline:
                count = recorder.posted
                if count != last_count:
                    last_count, last_change = count, time.perf_counter()
                if count >= args.posts:
                    break
                idle = not announcer.runner._lock.locked() and not bot.alarms.busy
                if idle and time.perf_counter() - last_change > 15.0:
                    report.notes.append(f"the burst stalled: {count} posts sent, the runner idle for 15 s")
                    break
                await asyncio.sleep(0.05)
            else:
                report.notes.append(f"the burst was stopped at its time limit ({limit:.0f} s)")
            # Anything still in flight (a duplicate, a retry) has a second to show up.
            await asyncio.sleep(1.0)
            with contextlib.suppress(Exception):
                await sim.settle()
        cpu = time.process_time() - cpu0
        wall = time.perf_counter() - t_due

        # ---- what Discord saw -----------------------------------------------------------------------
        posts = [c for c in recorder.calls if c[0] == POST_ROUTE]
        statuses = Counter(c[1] for c in posts)
        too_many = Counter(c[0] for c in recorder.calls if c[1] == 429)
        all_429 = sum(1 for r in sim.requests if r.status == 429)
        ok = [c for c in posts if c[1] < 300]
        sent_at = sorted(c[3] for c in ok)
        channels = Counter(c[4] for c in ok)
        counted = [c[2] for c in recorder.calls if not is_global_exempt(c[0]) and c[1] != 429]
        peak_global = peak_per_second(counted)
        peak_posts = peak_per_second([c[2] for c in ok])
        expected_channels = {str(g.channel_id) for g in guilds}
        per_channel = Counter(len(sim.channel_messages(sim.world.channels[g.channel_id])) for g in guilds)
        nonces = Counter(m.nonce for g in guilds for m in sim.channel_messages(sim.world.channels[g.channel_id]))
        violations = sim.take_violations()
        warnings = tally.summary()
        # The baseline, same run, same simulator: the bot's posts sent again by a bare discord.py loop at the
        # same pace, after every count above was taken (each channel then has a second message).
        # Only once the bot is done: a burst that stalled or ran out of time may still be sending.
        finished = recorder.posted >= args.posts
        bare = BareRun(len(ok), pace)
        if finished:
            spans.uninstall()
            gc.collect()
            log(f"burst: the bare discord.py loop sends the same {len(ok):,} posts at {pace:g}/s (the baseline)")
            posts_again = message_posts(sim, {g.channel_id for g in guilds}, requests_before)
            bare = await bare_loop(sim, posts_again, pace, recorder)
        else:
            log(f"burst: the bot did not finish ({recorder.posted:,} posts); no baseline to compare with")
    finally:
        spans.uninstall()
        recorder.uninstall()
        logging.getLogger().removeHandler(tally)
        await sim.close()

    with contextlib.closing(read_only(path)) as connection:
        rows = connection.execute(
            "SELECT nonce, status, message_id, attempts, late FROM announcement_posts WHERE due_at = ?",
            (expected[next(iter(expected))][6],),
        ).fetchall()
    db_status = Counter(row[1] for row in rows)
    message_ids = {row[2] for row in rows if row[2] is not None}
    attempts = Counter(row[3] for row in rows)

    # ---- the report -------------------------------------------------------------------------------------
    n = args.posts
    lateness = Distribution([t - t_due for t in sent_at])
    span = (sent_at[-1] - sent_at[0]) if len(sent_at) > 1 else float("nan")
    total = (sent_at[-1] - t_due) if sent_at else float("nan")
    rate = (len(sent_at) - 1) / span if len(sent_at) > 1 else float("nan")
    # Where the pace lapsed: gaps between consecutive posts longer than 1.5 pacing intervals.
    interval = 1.0 / pace
    gaps = [b - a for a, b in itertools.pairwise(sent_at) if b - a > 1.5 * interval]
    lost = sum(gap - interval for gap in gaps)
    report.check(
        f"burst: no 429 on `{POST_ROUTE}`",
        f"{statuses.get(429, 0)} × 429 of {len(posts):,} POSTs ({all_429} × 429 on any route)",
        "0",
        statuses.get(429, 0) == 0 and all_429 == 0,
    )
    exact = (
        len(ok) == n
        and set(channels) == expected_channels
        and set(channels.values()) == {1}
        and per_channel == Counter({1: n})
        and set(nonces) == set(expected)
        and set(nonces.values()) == {1}
        and db_status == Counter({"sent": n})
        and len(message_ids) == n
    )
    report.check(
        "burst: exactly one message per post, no duplicates",
        f"{len(ok):,} messages stored in {len(channels):,} channels ({dict(sorted(per_channel.items()))} "
        f"messages per channel → guilds); {len(nonces):,} distinct nonces, all the posts' own; database: "
        f"{', '.join(f'{v:,} {k}' for k, v in db_status.items())}, {len(message_ids):,} distinct message ids",
        f"{n:,}, one per channel",
        exact,
    )
    report.check(
        "burst: peak requests in any one second (global limit)",
        f"{peak_global} requests counted by the global limit ({peak_posts} posts)",
        f"≤ {DISCORD_GLOBAL_PER_S}",
        peak_global <= DISCORD_GLOBAL_PER_S,
    )
    report.check(
        f"burst: due → the last post stored, ÷ a bare discord.py loop sending the same {n:,} posts",
        f"{total / bare.total:.3f} ({total:.2f} s ÷ {bare.total:.2f} s; the bare loop: {bare.stored:,} stored, "
        f"{bare.total / bare.floor:.3f} × the floor {n:,} ÷ {pace:g}/s, {bare.refused} × 429)",
        f"≤ {TARGET_BURST_RATIO:g} × the bare loop = {TARGET_BURST_RATIO * bare.total:.1f} s",
        finished and total <= TARGET_BURST_RATIO * bare.total,
        full_only=finished,  # a burst that did not finish fails any run
    )
    report.check(
        "burst: achieved rate, informative",
        f"{rate:.1f} posts/s between the first and the last post ({len(sent_at):,} in {span:.1f} s); "
        f"{total:.1f} s from due to the last post",
        f"≈ the pace, {pace:g}/s ({n / pace:.0f} s)",
        None,
    )
    report.check(
        "burst: lateness (due → stored by the simulator), informative",
        f"p50 {lateness.p(0.5):.1f} s, p99 {lateness.p(0.99):.1f} s, max {lateness.max:.1f} s; first post "
        f"{lateness.values and min(lateness.values) * 1e3:.0f} ms after due",
        "none (pacing: the last of N waits N ÷ pace)",
        None,
    )
    deliver = spans.calls.get("deliver_due", [])
    claims = spans.calls.get("claim_due", [])
    body = (
        "The shared `ManualClock` is moved to the posts' due instant in one step (`sim.clock.advance`), "
        "so the alarm rings once and `deliver_due` finds every post due; the bench then waits, in real "
        "time, until every post reached the simulator. Each POST is stamped when the simulator receives "
        "it and when it has stored the message (the lateness uses the latter). The bot and the "
        "simulator share one event loop.\n\n"
        "| measure | value |\n| --- | ---: |\n"
        f"| posts due at once | {n:,} |\n"
        f"| POSTs by status | {', '.join(f'{k}: {v:,}' for k, v in sorted(statuses.items()))} |\n"
        f"| 429 answers, any route | {all_429} ({', '.join(f'{k}: {v}' for k, v in too_many.items()) or 'none'}) |\n"
        f"| first post after due | {min(lateness.values, default=float('nan')) * 1e3:.0f} ms |\n"
        f"| due → last post | {total:.2f} s |\n"
        f"| the bare discord.py loop, same posts and pace: start → last stored (its first) | {bare.total:.2f} s "
        f"({bare.first * 1e3:.0f} ms) |\n"
        f"| achieved rate (first → last post) | {rate:.2f}/s (pace {pace:g}/s) |\n"
        f"| peak in any 1 s: globally counted requests / posts | {peak_global} / {peak_posts} |\n"
        f"| gaps between consecutive posts > 1.5 × the pacing interval | {len(gaps)}, "
        f"{lost:.2f} s beyond the interval in all (longest {max(gaps, default=0.0) * 1e3:.0f} ms) |\n"
        f"| lateness p50 / p99 / max | {lateness.p(0.5):.2f} / {lateness.p(0.99):.2f} / {lateness.max:.2f} s |\n"
        f"| `deliver_due` runs | {len(deliver)} ({sum(e - s for s, e in deliver):.1f} s) |\n"
        f"| `claim_due` calls (batches of 50) / total time | {len(claims)} / "
        f"{spans.total('claim_due') * 1e3:.0f} ms |\n"
        f"| `settings` / `events` / `mark_sent` total time | {spans.total('settings') * 1e3:.0f} / "
        f"{spans.total('events') * 1e3:.0f} / {spans.total('mark_sent') * 1e3:.0f} ms |\n"
        f"| attempts per post (database) | {dict(sorted(attempts.items()))} |\n"
        f"| process CPU during the burst | {cpu:.1f} s of {wall:.1f} s wall ({cpu / wall * 100:.0f} %) |\n"
        f"| event-loop lag (10 ms sleeps) p50 / p99 / max | {lag.lags.p(0.5) * 1e3:.1f} / "
        f"{lag.lags.p(0.99) * 1e3:.1f} / {lag.lags.max * 1e3:.0f} ms |\n"
        f"| bot warnings and errors | {warnings} |\n"
        f"| invalid requests (violations) | {len(violations)}{': ' + str(violations[0]) if violations else ''} |\n"
    )
    if tally.first_traceback:
        body += f"\nFirst logged exception:\n\n```text\n{tally.first_traceback.rstrip()}\n```\n"
    report.section(f"Burst: {n:,} posts due in the same minute", body)


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.announce", description=__doc__.split("\n\n")[0])
    parser.add_argument("--guilds", type=int, default=10_000, help="guilds with announcement settings (start-up)")
    parser.add_argument("--rows", type=int, default=100_000, help="scheduled posts in the start-up database")
    parser.add_argument("--reps", type=int, default=5, help="measured starts per database")
    parser.add_argument("--posts", type=int, default=2_000, help="posts due at once (burst), one guild each")
    parser.add_argument("--seed", type=int, default=20250601, help="seed of the generated rows")
    parser.add_argument("--quick", action="store_true", help="1,000 guilds / 10,000 rows, 3 reps; 200 posts")
    parser.add_argument("--write", action="store_true", help=f"append the results to {DOC.relative_to(REPO)}")
    parser.add_argument("--profile", action="store_true", help="print cProfile summaries (one start, the burst)")
    parser.add_argument("--skip-startup", action="store_true", help="skip the start-up measurement")
    parser.add_argument("--skip-burst", action="store_true", help="skip the burst")
    parser.add_argument("--sim-timeout", type=float, default=60.0, help="seconds to wait for the bot to start")
    parser.add_argument("--budget", type=float, default=900.0, help="seconds at most for the whole run")
    parser.add_argument(
        "--spec-check",
        action="store_true",
        help="keep the simulator's OpenAPI checks on (off by default: they cost more than the bot)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        given = set(argv if argv is not None else sys.argv[1:])
        for option, value in {"--guilds": 1_000, "--rows": 10_000, "--reps": 3, "--posts": 200}.items():
            if not any(arg == option or arg.startswith(option + "=") for arg in given):
                setattr(args, option.lstrip("-"), value)
    if args.rows < args.guilds:
        parser.error("--rows must be at least --guilds (every guild has a scheduled post)")
    return args


async def run(args: argparse.Namespace, report: AnnounceReport) -> list[str]:
    profiles: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="marquee-bench-") as tmp:
        report.tmpdir = Path(tmp)
        with Watchdog(args.budget, report, "the whole run"):
            if not args.skip_startup:
                await bench_startup(args, report, Path(tmp), profiles)
            if not args.skip_burst:
                await bench_burst(args, report, Path(tmp), profiles)
    report.notes.append(f"whole run: {time.perf_counter() - started:.0f} s.")
    return profiles


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    main_spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    runner = "-m bench.announce" if main_spec is not None or argv is not None else "bench/announce.py"
    given = argv if argv is not None else sys.argv[1:]
    command = f".venv/bin/python {runner}" + (" " + shlex.join(given) if given else "")
    report = AnnounceReport(command, args)
    try:
        profiles = asyncio.run(run(args, report))
    except Exception as error:  # still report what was measured, and fail
        report.check("the run", f"stopped: {type(error).__name__}: {error}", "completes", False)
        profiles = []
        with contextlib.suppress(Exception):
            report.section("Stopped by an error", f"```text\n{traceback.format_exc().rstrip()}\n```")
    emit(report, profiles)
    failed = report.failed()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
