"""Reminder fan-out benchmark: 10,000 members' reminder DMs due in the same minute.

Run from the repository root::

    .venv/bin/python -m bench.fanout               # 10,000 DMs at L=500/s, then 1,000 at 50/s: about 2 minutes
    .venv/bin/python -m bench.fanout --quick       # 1,000 DMs at L=500/s, then 200 at 50/s (smoke run)
    .venv/bin/python -m bench.fanout --write       # also append the results to docs/benchmarks.md
    .venv/bin/python -m bench.fanout --profile     # also print cProfile summaries of each fan-out
    .venv/bin/python -m bench.fanout --skip-main --skip-real   # only the runs of processes and start-up

Targets (the issue's benchmark contract), with Marquee in-process against the simulator:

* 10,000 members, each with one reminder due at the same instant and a stored DM channel (one
  request per DM), the simulator enforcing a global limit L = 500 requests/s and the bot's pace
  (``delivery.pace``) at 0.9 L = 450/s: every DM delivered within 1.15 × the time a bare discord.py
  loop takes to send the same DMs through the same simulator at the same pace, in the same run (at
  450/s an in-process simulator is bound by the CPU, not by the pace, so the floor N ÷ pace is shown
  but not judged); no 429 on any route, nothing lost, nothing doubled; peak memory recorded;
* the same projected for Discord's real global limit of 50/s (pace 45/s: 10,000 DMs have a floor
  of 222 s), from a scaled-down run at L = 50 (1,000 DMs, and its own bare loop) and the per-DM
  costs measured;
* the bot as 1, 2 and 4 processes on PostgreSQL (``python -m bot run --shards A-B --shard-count 4``,
  child processes sharing one fresh schema) and as 1 process on SQLite, in the same run: 1,200 members
  of four servers (one per shard) with a reminder due, the simulator at L = 50/s and the pace at 45/s;
  the whole bot's DM rate at the simulator ≥ 0.95 × the pace, no 429 on any route, nothing lost or
  doubled;
* start-up with bench.announce's 100,000 scheduled posts on PostgreSQL (copied by ``db.copy``) at
  most 1.5 × the start on the same SQLite file, in the same run (median ``serve`` → ready).

See bench/README.md for what each number measures exactly.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import contextvars
import datetime as dt
import gc
import itertools
import logging
import math
import os
import random
import re
import resource
import shlex
import statistics
import sys
import tempfile
import time
import traceback
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `python bench/fanout.py` as well as `python -m bench.fanout`
    sys.path.insert(0, str(REPO))

from bench.announce import (  # noqa: E402
    LogTally,
    LoopLag,
    background_done,
    new_sim,
    peak_per_second,
    read_only,
    sim_start_time,
)
from bench.common import (  # noqa: E402
    DOC,
    POST_ROUTE,
    BareRun,
    Distribution,
    GcWatch,
    PostRecorder,
    Report,
    Watchdog,
    bare_loop,
    emit,
    log,
    message_posts,
    profiled,
)


class GcTimes(GcWatch):
    """`GcWatch` that also keeps when each pass of the oldest generation ran (start, end)."""

    def __init__(self) -> None:
        super().__init__()
        self.full: list[tuple[float, float]] = []

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        super().__call__(phase, info)
        if phase != "start" and info["generation"] == 2:
            self.full.append((self._started, time.perf_counter()))


DISCORD_GLOBAL_PER_S = 50
EVENT = "Premiere night"
TARGET_RATIO = 1.15  # done within 1.15 × the bare discord.py loop's time, same run


@dataclass
class FanoutReport(Report):
    title: str = "Reminder fan-out benchmark"

    def details(self) -> list[str]:
        a = self.args
        main = f"- fan-out: {a.members:,} members in one server, each with one reminder due at the same instant "
        main += f"and a stored DM channel; simulator global limit {a.limit}/s, the bot's pace {a.pace_share:g} × "
        main += f"that = {a.pace_share * a.limit:g}/s (`MARQUEE_DELIVERY_PACE`)"
        lines = [main]
        if a.what_if_sweep:
            lines.append(
                "- **experiment, not the bot as shipped** (`--what-if-sweep`): discord.py's sweep of inactive "
                "rate-limit buckets (`HTTPClient._try_clear_expired_ratelimits`) runs at most once a minute"
            )
        if not a.skip_real:
            lines.append(
                f"- at Discord's limit: {a.real_members:,} members, simulator global limit {DISCORD_GLOBAL_PER_S}/s, "
                f"pace {a.pace_share * DISCORD_GLOBAL_PER_S:g}/s; projected to {a.members:,}"
            )
        if not a.skip_processes:
            lines.append(
                f"- the bot as {', '.join(str(c) for c in a.process_counts)} child processes on PostgreSQL "
                f"(`python -m bot run --shards A-B --shard-count {PROCESS_SHARDS}`, one fresh schema each run) and "
                f"as 1 on SQLite: {a.proc_members:,} members of {PROCESS_SHARDS} servers (one per shard), a reminder "
                f"each due when the processes start; simulator global limit {a.proc_limit}/s, pace "
                f"{a.proc_pace_share * a.proc_limit:g}/s"
            )
        if not a.skip_startup:
            lines.append(
                f"- start-up: {a.startup_guilds:,} guilds, {a.startup_rows:,} scheduled posts (bench.announce's "
                f"database), on SQLite and the same rows on PostgreSQL; {a.startup_reps} measured starts each"
            )
        lines += [
            "- the bot in-process (`bot.runner.serve` against `tests.discord_sim.Sim`, one event loop); no pack "
            'loaded (`MARQUEE_PACKS_LOAD=""`): the reminders are for a server event',
            "- simulator OpenAPI checks: " + ("on" if a.spec_check else "off (see --spec-check)"),
            "- memory: "
            + (
                "tracemalloc on during the fan-out (its times are not comparable)"
                if a.tracemalloc
                else "resident set size of the process (bot and simulator), sampled every 50 ms, and "
                "`getrusage` peak (`ru_maxrss`)"
            ),
        ]
        return lines


# --------------------------------------------------------------------------- measuring


CURRENT_USER: contextvars.ContextVar[int | None] = contextvars.ContextVar("fanout_user", default=None)


class Timeline:
    """Real-time marks per member along one DM's way through the bot, and the delivery runs.

    ``ReminderEngine.deliver`` runs in its own task per batch, so a context variable set by its
    wrapper tells the pacer's wrapper whose turn it is.
    """

    def __init__(self) -> None:
        self.marks: dict[int, dict[str, float]] = defaultdict(dict)
        self.calls: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self.sent = 0  # mark_sent calls finished (polled)
        self.buckets_before = 0
        self.swept = 0  # buckets looked at by discord.py's sweeps
        self.db_calls = 0  # aiosqlite round trips
        self.db_busy = 0.0  # seconds the worker thread spent in sqlite3
        self.db_wait = 0.0  # seconds from submitting a statement to its result, summed
        self.db_held = 0.0  # seconds the Database's lock was held
        self._http: Any = None
        self._undo: list[Callable[[], None]] = []

    def install(self, bot: Any, engine: Any) -> None:
        from db.repositories.reminders import ReminderRepository

        clock = time.perf_counter
        marks = self.marks
        calls = self.calls
        timeline = self

        deliver = engine.deliver

        async def timed_deliver(batch: Any, *args: Any, **kwargs: Any) -> None:
            token = CURRENT_USER.set(batch.user_id)
            mark = marks[batch.user_id]
            mark["deliver"] = clock()
            try:
                await deliver(batch, *args, **kwargs)
            finally:
                mark["deliver_end"] = clock()
                CURRENT_USER.reset(token)

        engine.deliver = timed_deliver
        self._undo.append(lambda: delattr(engine, "deliver"))

        pacer = bot.pacer
        wait_turn = pacer.wait_turn

        async def timed_wait_turn() -> None:
            user = CURRENT_USER.get()
            started = clock()
            await wait_turn()
            if user is not None:
                marks[user]["turn"] = started
                marks[user]["turn_end"] = clock()

        pacer.wait_turn = timed_wait_turn
        self._undo.append(lambda: delattr(pacer, "wait_turn"))

        # discord.py keeps a rate-limit bucket per route and channel; each new bucket, past 256 of them,
        # sweeps every bucket for inactive ones (`HTTPClient._try_clear_expired_ratelimits`).
        http = bot.http
        sweep = http._try_clear_expired_ratelimits

        def timed_sweep() -> None:
            timeline.swept += len(http._buckets) if len(http._buckets) >= 256 else 0  # what it scans
            started = clock()
            sweep()
            calls["bucket sweep"].append((started, clock()))

        http._try_clear_expired_ratelimits = timed_sweep
        self._undo.append(lambda: delattr(http, "_try_clear_expired_ratelimits"))
        self.buckets_before = len(http._buckets)
        self._http = http

        # Every database statement goes through aiosqlite's one worker thread, a round trip each
        # (execute, fetch, closing the cursor, BEGIN and COMMIT are one each).
        from aiosqlite.core import Connection

        execute = Connection.__dict__["_execute"]

        async def counted_execute(connection: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
            def run() -> Any:
                begun = clock()
                try:
                    return fn(*args, **kwargs)
                finally:
                    timeline.db_busy += clock() - begun  # only the worker thread adds to it

            timeline.db_calls += 1
            started = clock()
            try:
                return await execute(connection, run)
            finally:
                timeline.db_wait += clock() - started

        Connection._execute = counted_execute  # type: ignore[method-assign,assignment]
        self._undo.append(lambda: setattr(Connection, "_execute", execute))

        # Reads and transactions all take the Database's one lock: how long it is held.
        database = bot.database
        lock = database._lock
        if lock.locked():
            raise RuntimeError("the database is busy at due; the bench cannot time its lock")

        class TimedLock(asyncio.Lock):
            since = 0.0

            async def acquire(self) -> Literal[True]:
                await super().acquire()
                self.since = clock()
                return True

            def release(self) -> None:
                timeline.db_held += clock() - self.since
                super().release()

        database._lock = TimedLock()
        self._undo.append(lambda: setattr(database, "_lock", lock))

        runner = engine.runner
        deliver_due = runner._deliver_due

        async def timed_deliver_due() -> Any:
            started = clock()
            try:
                return await deliver_due()
            finally:
                calls["deliver_due"].append((started, clock()))

        runner._deliver_due = timed_deliver_due
        self._undo.append(lambda: setattr(runner, "_deliver_due", deliver_due))

        def wrap(name: str, per_user: Callable[[tuple[Any, ...]], int | None] | None = None) -> None:
            original = ReminderRepository.__dict__.get(name)
            if original is None:  # not (or no longer) a method of the repository
                return

            async def timed(*args: Any, **kwargs: Any) -> Any:
                started = clock()
                try:
                    return await original(*args, **kwargs)
                finally:
                    ended = clock()
                    calls[name].append((started, ended))
                    if per_user is not None:
                        user = per_user(args)
                        if user is not None:
                            marks[user][name] = started
                            marks[user][name + "_end"] = ended
                    if name == "mark_sent":
                        timeline.sent += 1

            setattr(ReminderRepository, name, timed)
            self._undo.append(lambda: setattr(ReminderRepository, name, original))

        wrap("claim_due")
        wrap("next_wake")
        wrap("recipient")
        wrap("subscription")
        wrap("mark_sent", lambda args: args[1].user_id)
        wrap("set_introduced", lambda args: args[1])

    def uninstall(self) -> None:
        for undo in reversed(self._undo):
            with contextlib.suppress(Exception):
                undo()
        self._undo.clear()

    @property
    def buckets(self) -> int:
        return len(self._http._buckets) if self._http is not None else 0

    def total(self, name: str) -> float:
        return sum(end - start for start, end in self.calls.get(name, []))


class Memory:
    """The process's resident set size, sampled every 50 ms while installed (bot and simulator share
    the process), and ``getrusage``'s peak before and after."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, int]] = []
        self.maxrss_before = self.maxrss_after = 0
        self._task: asyncio.Task[None] | None = None
        self._page = os.sysconf("SC_PAGE_SIZE")

    def rss(self) -> int:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * self._page

    async def _run(self) -> None:
        while True:
            self.samples.append((time.perf_counter(), self.rss()))
            await asyncio.sleep(0.05)

    def __enter__(self) -> Memory:
        self.maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        self.samples.append((time.perf_counter(), self.rss()))
        self._task = asyncio.ensure_future(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
        self.samples.append((time.perf_counter(), self.rss()))
        self.maxrss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    @property
    def start(self) -> int:
        return self.samples[0][1]

    @property
    def peak(self) -> int:
        return max(rss for _, rss in self.samples)

    @property
    def end(self) -> int:
        return self.samples[-1][1]


def _mb(size: float) -> str:
    return f"{size / 2**20:.1f} MiB"


TRACE_GROUPS = (
    ("the bot: `bot/`, `cogs/`, `db/`", ("/bot/", "/cogs/", "/db/")),
    ("the simulator: `tests/discord_sim/`", ("/tests/discord_sim/",)),
    ("discord.py", ("/discord/",)),
    ("aiohttp, yarl, multidict", ("/aiohttp/", "/yarl/", "/multidict/")),
    ("aiosqlite, sqlite3", ("/aiosqlite/", "/sqlite3/")),
    ("asyncio", ("/asyncio/",)),
    ("this bench's own records: `bench/`", ("/bench/",)),
)


def trace_sites(snapshot: tracemalloc.Snapshot, top: int = 10) -> list[tuple[str, int, int]]:
    """The lines that allocated the most memory still held (path shortened to the package)."""
    sites = []
    for stat in snapshot.statistics("lineno")[:top]:
        frame = stat.traceback[0]
        name = frame.filename.replace(os.sep, "/").removeprefix(str(REPO) + "/")
        name = re.sub(r"^.*/(site-packages|lib/python3\.\d+)/", "", name)
        sites.append((f"{name}:{frame.lineno}", stat.size, stat.count))
    return sites


# Standard-library code that allocates on behalf of its caller: memory is charged to the caller.
TRACE_PASS_THROUGH = ("/json/", "/re/", "/copy.py", "/functools.py", "/enum.py", "/typing.py", "/dataclasses.py")
TRACE_FRAMES = 12


def trace_groups(snapshot: tracemalloc.Snapshot) -> list[tuple[str, int, int]]:
    """Memory still allocated, by package: the most recent frame of the allocation that is not generic
    standard-library code (so ``json.loads`` counts for whoever called it)."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for stat in snapshot.statistics("traceback"):
        frames = [frame.filename.replace(os.sep, "/") for frame in stat.traceback]
        name = next((f for f in reversed(frames) if not any(p in f for p in TRACE_PASS_THROUGH)), frames[-1])
        group = next((label for label, parts in TRACE_GROUPS if any(p in name for p in parts)), "other")
        totals[group][0] += stat.size
        totals[group][1] += stat.count
    return sorted(((g, s, c) for g, (s, c) in totals.items()), key=lambda item: -item[1])


# --------------------------------------------------------------------------- one fan-out


@dataclass
class Fanout:
    """What one fan-out measured (the projection uses the L = 50 one)."""

    label: str
    members: int
    limit: int
    pace: float
    total: float = float("nan")  # due → the last DM stored by the simulator
    first: float = float("nan")  # due → the first DM stored
    lost: float = 0.0  # time beyond the pacing interval between consecutive DMs, summed
    boundaries: int = 0  # batch boundaries (claims after the first)
    exact: bool = False
    no_429: bool = False
    bare: float = float("nan")  # the bare discord.py loop's start → its last DM stored, same run
    bare_ratio: float = float("nan")  # the bare loop's time ÷ its floor
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def floor(self) -> float:
        return self.members / self.pace

    @property
    def ratio(self) -> float:
        return self.total / self.floor


async def remind_of_event(sim: Any, admin: Any, channel: Any, member: Any, due: dt.datetime) -> str:
    """`/event add` (by `admin`) of the event due at `due`, and `member`'s `/remind event` for it, as a server
    does; returns the reminders' target key."""
    added = await sim.slash(
        admin, channel, "event add", name=EVENT, date=due.date().isoformat(), time=due.strftime("%H:%M"),
        timezone="UTC",
    )  # fmt: skip
    if EVENT not in (added.content or ""):
        raise RuntimeError(f"/event add answered {added.content!r}")
    reply = await sim.slash(member, channel, "remind event", name=EVENT, when="release")
    if not reply.ephemeral or EVENT not in (reply.content or ""):
        raise RuntimeError(f"/remind event answered {reply.content!r}")
    (subscription,) = await sim.client.services.reminders.repository.subscriptions(member.id)
    return str(subscription.target_key)


async def subscribe_everyone(sim: Any, guild_id: int, target_key: str, members: list[Any]) -> None:
    """As tests/e2e/test_reminders_crash.py does: the first member subscribed by slash command, the rest
    the same way through the bot's own code (its repository and engine, in process), with the same
    region, timezone and offsets; every member's DM channel stored as the bot stores it after a first DM."""
    engine = sim.client.services.reminders
    first = await engine.repository.subscription(members[0].id, target_key)
    if first is None:
        raise RuntimeError("the first member's /remind event made no subscription")
    now = sim.now()
    limit = sim.client.settings.reminders.max_per_member
    for member in members:
        if member is not members[0]:
            subscription, new = await engine.repository.subscribe(
                member.id, guild_id, target_key, first.offsets, now,
                region=first.region, timezone=first.timezone, limit=limit,
            )  # fmt: skip
            if not new or len(await engine.plan(subscription)) != 1:
                raise RuntimeError(f"member {member.id}: the subscription did not plan one reminder")
        await engine.repository.set_dm_channel(member.id, sim.world.dm_channel(member).id, now)


async def armed_for(bot: Any, engine: Any, due: dt.datetime, limit: float) -> dt.datetime:
    """Wait (bounded) until the reminder alarm is armed for ``due`` with no delivery run in flight.

    Each subscription planned pokes the runner, whose run (nothing is due yet) re-arms the alarm for
    the reminders' due instant; the last such run may still be going when the setup ends. Moving the
    clock then would make that run re-arm an alarm that is already due while its own scheduler job
    still counts as running, and APScheduler drops that ring (see the README: a bug found by this
    bench), so nothing would be delivered.
    """
    from cogs.reminders.engine import ALARM

    alarms = bot.alarms
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        quiet = not alarms.busy and not engine.runner._lock.locked()
        if quiet and alarms.next_alarm(ALARM) == due and alarms._scheduler.get_job(ALARM) is not None:
            await asyncio.sleep(0.1)  # the ring's job is counted as running until its task's callback ran
            if not alarms.busy and alarms.next_alarm(ALARM) == due:
                return due
        await asyncio.sleep(0.02)
    raise RuntimeError(f"the reminder alarm is set for {alarms.next_alarm(ALARM)}, not {due}, after {limit:g} s")


def reminder_rows(path: Path) -> list[tuple[int, str, int | None, int, int, str]]:
    """(user_id, status, message_id, attempts, late, due_at) of every reminder, read-only."""
    with contextlib.closing(read_only(path)) as connection:
        return connection.execute(
            "SELECT user_id, status, message_id, attempts, late, due_at FROM reminders ORDER BY id"
        ).fetchall()


async def fanout(
    args: argparse.Namespace,
    report: FanoutReport,
    folder: Path,
    profiles: list[str],
    *,
    label: str,
    members_n: int,
    limit: int,
) -> Fanout:
    from tests.discord_sim.ratelimit import is_global_exempt

    pace = args.pace_share * limit
    result = Fanout(label, members_n, limit, pace)
    start = sim_start_time()
    due = start + dt.timedelta(hours=1)
    sim = new_sim(folder / label.replace(" ", "-"), args, start)
    sim.extra_env["MARQUEE_DELIVERY_PACE"] = f"{pace:g}"
    limits = sim.ratelimits
    limits.enabled = True
    limits.global_limit = limit
    route_limit = limits.route_limits.get(POST_ROUTE, limits.default_limit)
    tally = LogTally()
    recorder = PostRecorder()
    timeline = Timeline()
    lag = LoopLag()
    memory = Memory()
    traced: tuple[int, int] | None = None
    groups: list[tuple[str, int, int]] = []
    sites: list[tuple[str, int, int]] = []
    try:
        began = time.perf_counter()
        await sim.start()
        bot = sim.client
        seen_pace = 1.0 / bot.pacer.interval
        if abs(seen_pace - pace) > 1e-6:
            raise RuntimeError(f"the bot's pace is {seen_pace:g}/s, wanted {pace:g}/s")
        await background_done(bot, args.sim_timeout)
        guild = await sim.create_guild("Fan-out Server")
        general = guild.channel("general")
        admin = await sim.create_user("admin", guild=guild, admin=True)
        # Straight into the world: the bot asks for no member intent, so Discord would tell it nothing.
        members = [sim.world.add_user(f"fan{i:05d}") for i in range(members_n)]
        for member in members:
            sim.world.add_member(guild.model, member)
        engine = bot.services.reminders
        target_key = await remind_of_event(sim, admin, general, members[0], due)
        subscribed_at = time.perf_counter()
        await subscribe_everyone(sim, guild.id, target_key, members)
        await sim.settle()
        subscribe_s = time.perf_counter() - subscribed_at
        setup_s = time.perf_counter() - began
        rows = reminder_rows(sim.database_path)
        due_stamps = Counter(row[5] for row in rows)
        if len(rows) != members_n or {row[1] for row in rows} != {"scheduled"} or len(due_stamps) != 1:
            raise RuntimeError(f"{len(rows)} reminders, statuses {Counter(r[1] for r in rows)}, due {due_stamps}")
        if dt.datetime.fromisoformat(next(iter(due_stamps))) != due:
            raise RuntimeError(f"the reminders are due at {next(iter(due_stamps))}, wanted {due}")
        armed = await armed_for(bot, engine, due, args.sim_timeout)
        log(
            f"{label}: {members_n:,} members subscribed with stored DM channels in {subscribe_s:.1f} s "
            f"(setup {setup_s:.1f} s); alarm armed for {armed}; pace {pace:g}/s, global limit {limit}/s"
        )
        dm_channels = {sim.world.dm_channels[m.id]: m.id for m in members}
        requests_before = len(sim.requests)
        gc.collect()  # the setup's garbage is not the fan-out's

        recorder.install(sim)
        timeline.install(bot, engine)
        logging.getLogger().addHandler(tally)  # what the bot logs from due on
        cpu0, main0 = time.process_time(), time.thread_time()
        t_due = time.perf_counter()
        gc_watch = GcTimes()
        with lag, memory, gc_watch, profiled(args.profile, f"{label}: {members_n:,} DMs due at once", profiles, top=30):
            if args.tracemalloc:
                tracemalloc.start(TRACE_FRAMES)
            # The shared ManualClock moves to the due instant in one step: the alarm rings once and
            # deliver_due finds every reminder due. (`sim.advance` would wait at most sim.timeout.)
            sim.clock.advance(due - sim.clock.now())
            # Tracing allocations (a dozen frames each) slows the fan-out about tenfold, profiling twofold.
            slowdown = 12.0 if args.tracemalloc else 3.0 if args.profile else 1.0
            # Generous: where the process is bound by the CPU (not the pace) the bot needs several times the floor,
            # and the bare loop is the judge of that, not this bound; a stall is caught separately below.
            bound = (members_n / pace * 5 + 60.0) * slowdown
            deadline = t_due + bound
            last_count, last_change = 0, time.perf_counter()
            while time.perf_counter() < deadline:
                count = recorder.posted + timeline.sent
                if count != last_count:
                    last_count, last_change = count, time.perf_counter()
                if recorder.posted >= members_n and timeline.sent >= members_n:
                    break
                idle = not engine.runner._lock.locked() and not bot.alarms.busy
                if idle and time.perf_counter() - last_change > 15.0:
                    report.notes.append(
                        f"{label}: the fan-out stalled: {recorder.posted:,} DMs, {timeline.sent:,} recorded, "
                        "the runner idle for 15 s"
                    )
                    break
                await asyncio.sleep(0.02)
            else:
                report.notes.append(f"{label}: the fan-out was stopped at its time limit ({bound:.0f} s)")
            done_wall = time.perf_counter() - t_due
            cpu, main_cpu = time.process_time() - cpu0, time.thread_time() - main0
            # Anything still in flight (a duplicate, a retry) has a second to show up.
            await asyncio.sleep(1.0)
            with contextlib.suppress(Exception):
                await sim.settle()
            if args.tracemalloc:
                traced = tracemalloc.get_traced_memory()
                snapshot = tracemalloc.take_snapshot()
                groups, sites = trace_groups(snapshot), trace_sites(snapshot)
                del snapshot
                tracemalloc.stop()

        # ---- what Discord saw ---------------------------------------------------------------------------
        calls = list(recorder.calls)
        dm_posts = [c for c in calls if c[0] == POST_ROUTE and c[4] and int(c[4]) in dm_channels]
        statuses = Counter(c[1] for c in dm_posts)
        burst_429 = Counter(c[0] for c in calls if c[1] == 429)
        all_429 = sum(1 for r in sim.requests if r.status == 429)
        other_routes = Counter(c[0] for c in calls if not (c[0] == POST_ROUTE and c[4] and int(c[4]) in dm_channels))
        ok = [c for c in dm_posts if c[1] < 300]
        stored_at = sorted(c[3] for c in ok)
        received_at = sorted(c[2] for c in ok)
        posts_per_channel = Counter(c[4] for c in dm_posts)
        counted = [c[2] for c in calls if not is_global_exempt(c[0]) and c[1] != 429]
        peak_global = peak_per_second(counted)
        # Members' DMs: one pass over the world's messages (sim.dms(member) scans them all, per member).
        per_channel: dict[int, list[Any]] = defaultdict(list)
        for message in list(sim.world.messages.values()):
            if message.channel_id in dm_channels and not message.deleted and message.ephemeral_for is None:
                per_channel[message.channel_id].append(message)
        received = {dm_channels[cid]: got for cid, got in per_channel.items()}
        per_member = Counter(len(received.get(m.id, [])) for m in members)
        about_event = sum(
            1 for got in received.values() for m in got if m.embeds and EVENT in (m.embeds[0].get("description") or "")
        )
        nonces = Counter(m.nonce for got in received.values() for m in got)
        sample = [*random.Random(args.seed).sample(members, min(50, members_n)), members[0], members[-1]]
        sample_agrees = all(
            [m.id for m in sim.dms(member)] == [m.id for m in received.get(member.id, [])] for member in sample
        )
        violations = sim.take_violations()
        warnings = tally.summary()
        buckets_after = timeline.buckets
        db_calls, db_busy, db_wait, db_held = timeline.db_calls, timeline.db_busy, timeline.db_wait, timeline.db_held
        sweeps = [c for c in timeline.calls.get("bucket sweep", []) if c[0] >= t_due]
        sweep_total = sum(end - begin for begin, end in sweeps)
        requests_total = len(sim.requests) - requests_before
        # The baseline, same run, same simulator: the bot's DMs sent again by a bare discord.py loop at the
        # same pace, after every count above was taken (each member then has a second DM). Only once the bot
        # is done: a fan-out that stalled or ran out of time may still be sending, and is not compared.
        logging.getLogger().removeHandler(tally)
        finished = recorder.posted >= members_n and timeline.sent >= members_n
        bare = BareRun(len(ok), pace)
        if finished:
            gc.collect()
            log(f"{label}: the bare discord.py loop sends the same {len(ok):,} DMs at {pace:g}/s (the baseline)")
            bare = await bare_loop(sim, message_posts(sim, set(dm_channels), requests_before), pace, recorder)
        else:
            log(f"{label}: the fan-out did not finish ({recorder.posted:,} DMs); no baseline to compare with")
    finally:
        timeline.uninstall()
        recorder.uninstall()
        logging.getLogger().removeHandler(tally)
        await sim.close()

    rows = reminder_rows(sim.database_path)
    db_status = Counter(row[1] for row in rows)
    attempts = Counter(row[3] for row in rows)
    late = sum(1 for row in rows if row[4])
    dm_ids = {member_id: got[0].id for member_id, got in received.items() if len(got) == 1}
    matching = sum(1 for row in rows if row[1] == "sent" and row[2] is not None and dm_ids.get(row[0]) == row[2])

    # ---- the numbers -------------------------------------------------------------------------------------
    n = members_n
    result.first = (stored_at[0] - t_due) if stored_at else float("nan")
    result.total = (stored_at[-1] - t_due) if stored_at else float("nan")
    recorded = [end for _, end in timeline.calls.get("mark_sent", [])]
    recorded_total = (max(recorded) - t_due) if recorded else float("nan")
    interval = 1.0 / pace
    gaps = [b - a for a, b in itertools.pairwise(received_at) if b - a > 1.5 * interval]
    result.lost = sum(gap - interval for gap in gaps)
    claims = timeline.calls.get("claim_due", [])
    result.boundaries = max(len([c for c in claims if c[0] >= t_due]) - 2, 0)  # the last claim finds nothing
    span = (received_at[-1] - received_at[0]) if len(received_at) > 1 else float("nan")
    rate = (len(received_at) - 1) / span if len(received_at) > 1 else float("nan")
    result.no_429 = statuses.get(429, 0) == 0 and all_429 == 0
    result.exact = (
        len(ok) == n
        and per_member == Counter({1: n})
        and about_event == n
        and len(nonces) == n
        and set(nonces.values()) == {1}
        and db_status == Counter({"sent": n})
        and matching == n
        and sample_agrees
    )
    lateness = Distribution([t - t_due for t in stored_at])
    # Each 429: how many DMs reached the simulator in the second before it, and the longest pause
    # between DMs in the two seconds before (with the last full garbage collection there): the DMs held
    # up by a stall arrive together when it ends, and a sliding second then holds more than the pace.
    refused = sorted(c[2] for c in dm_posts if c[1] == 429)
    all_received = sorted(c[2] for c in dm_posts)
    context = []
    for stamp in refused[:8]:
        second = bisect.bisect_left(all_received, stamp) - bisect.bisect_right(all_received, stamp - 1.0)
        recent = all_received[bisect.bisect_right(all_received, stamp - 2.0) : bisect.bisect_left(all_received, stamp)]
        pause, ended = max(((b - a, b) for a, b in itertools.pairwise(recent)), default=(0.0, stamp))
        full = [(begin, end) for begin, end in gc_watch.full if stamp - 2.0 <= end <= stamp]
        full_gc = (
            f"a full collection of {(full[-1][1] - full[-1][0]) * 1e3:.0f} ms ended {(stamp - full[-1][1]) * 1e3:.0f} "
            "ms before"
            if full
            else "no full collection in the two seconds before"
        )
        context.append(
            f"{stamp - t_due:.2f} s after due: {second} DM POSTs in the second before; the longest pause between "
            f"DMs in the two seconds before {pause * 1e3:.0f} ms, ended {(stamp - ended) * 1e3:.0f} ms before; "
            + full_gc
        )
    gc_text = (
        "; ".join(
            f"gen {generation}: {pauses.n}, {sum(pauses.values) * 1e3:.0f} ms, {pauses.max * 1e3:.0f} ms"
            for generation, pauses in sorted(gc_watch.pauses.items())
        )
        or "none"
    )
    # One DM's way through the bot (per member; the pacer's wait is what the pace asks for).
    segments = {
        "`deliver` starts → asks the pacer (what it reads, the render)": (
            "deliver", "turn"),
        "waits for its turn (the pace)": ("turn", "turn_end"),
        "turn → the simulator receives the POST (discord.py builds and sends it)": ("turn_end", "post"),
        "the simulator handles the POST": ("post", "stored"),
        "the simulator answers → `mark_sent` starts (discord.py reads the answer)": ("stored", "mark_sent"),
        "`mark_sent`": ("mark_sent", "mark_sent_end"),
        "`mark_sent` ends → `deliver` returns (`set_introduced` after a first DM)": ("mark_sent_end", "deliver_end"),
    }  # fmt: skip
    for c in ok:
        mark = timeline.marks.get(dm_channels[int(c[4])])
        if mark is not None:
            mark["post"], mark["stored"] = c[2], c[3]
    seg_rows = []
    busy_total = 0.0
    for name, (a, b) in segments.items():
        values = Distribution([m[b] - m[a] for m in timeline.marks.values() if a in m and b in m])
        seg_rows.append(values.row(name))
        if a != "turn":
            busy_total += sum(values.values)
    work_per_dm = Distribution(
        [
            (m["deliver_end"] - m["deliver"]) - (m["turn_end"] - m["turn"])
            for m in timeline.marks.values()
            if {"deliver", "deliver_end", "turn", "turn_end"} <= m.keys()
        ]
    )
    boundary_lapses = batch_boundary_lapses(received_at, claims, t_due, interval)
    result.extras.update(
        work_p50=work_per_dm.p(0.5),
        claim_mean=(sum(e - s for s, e in claims if s >= t_due) / max(len([c for c in claims if c[0] >= t_due]), 1)),
        boundary_lapse_mean=(sum(boundary_lapses) / len(boundary_lapses)) if boundary_lapses else 0.0,
        recorded_total=recorded_total,
        rss_growth=memory.peak - memory.start,
        loop_cpu_per_dm=(main_cpu - sweep_total) / n,  # the event loop's CPU (bot and simulator), sweeps apart
        db_held_per_dm=db_held / n,
        sweep_total=sweep_total,
        swept=timeline.swept,
        interval_lost_in_batches=result.lost - sum(boundary_lapses),
    )

    result.bare = bare.total
    result.bare_ratio = bare.total / bare.floor

    # ---- the report --------------------------------------------------------------------------------------
    floor = result.floor
    target = TARGET_RATIO * bare.total
    prefix = f"{label}: "
    report.check(
        prefix + f"{n:,} DMs due at once, due → the last DM stored, ÷ the bare discord.py loop",
        f"{result.total / bare.total:.3f} ({result.total:.2f} s ÷ {bare.total:.2f} s; all recorded as sent in the "
        f"database at {recorded_total:.2f} s)",
        f"≤ {TARGET_RATIO:g} × the bare loop = {target:.1f} s",
        finished and result.total <= target,
        full_only=finished,  # a fan-out that did not finish fails any run
    )
    report.check(
        prefix + "the bare loop (baseline), informative",
        f"{bare.stored:,} of {bare.sends:,} DMs stored in {bare.total:.2f} s = {bare.total / bare.floor:.3f} × the "
        f"floor {bare.sends:,} ÷ {pace:g}/s; first {bare.first * 1e3:.0f} ms after its start; {bare.refused} × 429",
        "none",
        None,
    )
    report.check(
        prefix + "due → the last DM stored ÷ the floor N ÷ pace, informative",
        f"{result.ratio:.3f} ({result.total:.2f} s ÷ {n:,} ÷ {pace:g}/s = {floor:.1f} s)",
        "none (bound by the CPU, not by the pace, when the process cannot send at the pace)",
        None,
    )
    report.check(
        prefix + "no 429",
        f"{statuses.get(429, 0)} × 429 of {len(dm_posts):,} DM POSTs; {all_429} × 429 on any route in the "
        f"whole run (setup included); peak {peak_global} globally counted requests in any one second",
        f"0; ≤ {limit} per second",
        result.no_429 and peak_global <= limit,
    )
    spread = ", ".join(f"{v:,} members {k} DM{'s' if k != 1 else ''}" for k, v in sorted(per_member.items()))
    report.check(
        prefix + "nothing lost, nothing doubled",
        f"{spread}; "
        f"{about_event:,} about the event; {len(nonces):,} distinct nonces; database: "
        f"{', '.join(f'{v:,} {k}' for k, v in db_status.items())}, {matching:,} with the id of the member's DM; "
        f"`sim.dms` agrees on {len(sample)} sampled members: {'yes' if sample_agrees else 'NO'}",
        f"exactly 1 DM for each of {n:,} members, all `sent`",
        result.exact,
    )
    report.check(
        prefix + "peak memory, informative",
        (
            f"RSS {_mb(memory.start)} at due → peak {_mb(memory.peak)} (+{_mb(memory.peak - memory.start)}), "
            f"{_mb(memory.end)} after; `ru_maxrss` {_mb(memory.maxrss_before)} → {_mb(memory.maxrss_after)}"
            + (f"; tracemalloc peak {_mb(traced[1])}, {_mb(traced[0])} still allocated" if traced else "")
        ),
        "recorded (bot and simulator in one process)",
        None,
    )
    report.check(
        prefix + "event-loop lag, informative",
        f"p50 {lag.lags.p(0.5) * 1e3:.1f} ms, p99 {lag.lags.p(0.99) * 1e3:.1f} ms, max {lag.lags.max * 1e3:.0f} ms "
        f"(a 10 ms sleep's lateness); main thread CPU {main_cpu / done_wall * 100:.0f} % of due → done",
        "none",
        None,
    )

    body = (
        "The shared `ManualClock` is moved to the reminders' due instant in one step (`sim.clock.advance`), "
        "so the alarm rings once and `deliver_due` finds every reminder due; the bench then waits, in real "
        "time, until every DM reached the simulator and every batch was recorded as sent. Each POST is "
        "stamped when the simulator receives it and when it has stored the message. The bot and the "
        "simulator share one event loop and one process.\n\n"
        "| measure | value |\n| --- | ---: |\n"
        f"| members, one reminder each, due at the same instant | {n:,} |\n"
        f"| simulator limits: global / `{POST_ROUTE}` per channel | {limit}/s / {route_limit[0]} per "
        f"{route_limit[1]:g} s (each member has their own DM channel: at most "
        f"{max(posts_per_channel.values(), default=0)} POST per channel) |\n"
        f"| the bot's pace; floor N ÷ pace; the bare loop; target | {pace:g}/s; {floor:.2f} s; {bare.total:.2f} s; "
        f"≤ {target:.2f} s |\n"
        f"| DM POSTs by status | {', '.join(f'{k}: {v:,}' for k, v in sorted(statuses.items()))} |\n"
        f"| other requests during the fan-out | "
        f"{', '.join(f'`{k}` {v}' for k, v in other_routes.most_common(4)) or 'none'} ({requests_total:,} in all) |\n"
        f"| 429 answers during the fan-out | {sum(burst_429.values())}"
        + (" (" + "; ".join(context) + ("; …" if len(refused) > len(context) else "") + ")" if context else "")
        + " |\n"
        f"| due → first DM stored | {result.first * 1e3:.0f} ms |\n"
        f"| **due → last DM stored** | **{result.total:.2f} s** ({result.ratio:.3f} × floor) |\n"
        f"| due → the last batch recorded `sent` | {recorded_total:.2f} s |\n"
        f"| achieved rate (first → last POST received) | {rate:.1f}/s (pace {pace:g}/s) |\n"
        f"| peak in any 1 s: globally counted requests | {peak_global} (limit {limit}) |\n"
        f"| gaps between consecutive POSTs > 1.5 × the pacing interval ({interval * 1e3:.2f} ms) | {len(gaps)}, "
        f"{result.lost:.2f} s beyond the interval in all (longest {max(gaps, default=0.0) * 1e3:.0f} ms) |\n"
        f"| `claim_due` calls (batches of 100 members) / mean / total time | "
        f"{len([c for c in claims if c[0] >= t_due])} / {result.extras['claim_mean'] * 1e3:.1f} ms / "
        f"{sum(e - s for s, e in claims if s >= t_due):.2f} s |\n"
        f"| pause at each batch boundary (last POST of a batch → first of the next, less one interval), "
        f"mean / max | {result.extras['boundary_lapse_mean'] * 1e3:.1f} / "
        f"{max(boundary_lapses, default=0.0) * 1e3:.0f} ms over {len(boundary_lapses)} boundaries |\n"
        f"| lateness (due → stored) p50 / p99 / max | {lateness.p(0.5):.2f} / {lateness.p(0.99):.2f} / "
        f"{lateness.max:.2f} s |\n"
        f"| attempts per reminder (database) / marked late | {dict(sorted(attempts.items()))} / {late} |\n"
        f"| database round trips (aiosqlite statements, fetches, cursor closes) during the fan-out / per DM | "
        f"{db_calls:,} / {db_calls / n:.1f} |\n"
        f"| the `Database` lock (every read and transaction takes it) held | {db_held:.2f} s, "
        f"{db_held / done_wall * 100:.0f} % of due → done ({db_held / n * 1e3:.2f} ms per DM) |\n"
        f"| database round trips: submit → result, mean; summed | {db_wait / max(db_calls, 1) * 1e3:.3f} ms; "
        f"{db_wait:.2f} s |\n"
        f"| the database worker thread, in sqlite3 | {db_busy:.2f} s ({db_busy / done_wall * 100:.0f} % of due → "
        "done) |\n"
        f"| discord.py rate-limit buckets before / after; sweeps for inactive ones (each scans every bucket) | "
        f"{timeline.buckets_before:,} / {buckets_after:,}; {len(sweeps):,} sweeps, {sweep_total:.2f} s "
        f"(the last {(sweeps[-1][1] - sweeps[-1][0]) * 1e3 if sweeps else 0.0:.2f} ms) |\n"
        f"| process CPU (all threads) / main thread (the event loop) | {cpu:.1f} s / {main_cpu:.1f} s of "
        f"{done_wall:.1f} s from due to done ({cpu / done_wall * 100:.0f} % / {main_cpu / done_wall * 100:.0f} %) |\n"
        f"| event-loop lag (10 ms sleeps) p50 / p99 / max | {lag.lags.p(0.5) * 1e3:.1f} / "
        f"{lag.lags.p(0.99) * 1e3:.1f} / {lag.lags.max * 1e3:.0f} ms |\n"
        f"| garbage collector passes during the fan-out, by generation: count, total, longest | {gc_text} |\n"
        f"| RSS at due / peak / after; growth | {_mb(memory.start)} / {_mb(memory.peak)} / {_mb(memory.end)}; "
        f"+{_mb(memory.peak - memory.start)} ({(memory.peak - memory.start) / n / 1024:.1f} KiB per DM) |\n"
        f"| `ru_maxrss` before / after the fan-out | {_mb(memory.maxrss_before)} / {_mb(memory.maxrss_after)} |\n"
        f"| bot warnings and errors logged from due on | {warnings} |\n"
        f"| invalid requests (violations) | {len(violations)}{': ' + str(violations[0]) if violations else ''} |\n"
        f"| setup: members subscribed through the bot's repository and engine, DM channels stored | "
        f"{subscribe_s:.1f} s (whole setup, bot start included, {setup_s:.1f} s) |\n"
        "\nOne DM's way through the bot (per member, real time; the bot's own work per DM, the pacer's wait "
        f"left out, p50 {work_per_dm.p(0.5) * 1e3:.1f} ms, p99 {work_per_dm.p(0.99) * 1e3:.1f} ms; up to 16 "
        "run at once, so these overlap):\n\n"
        "| segment | n | p50 ms | p95 ms | p99 ms | max ms |\n| --- | ---: | ---: | ---: | ---: | ---: |\n"
        + "\n".join(seg_rows)
        + "\n"
    )
    if groups:
        body += (
            "\nStill allocated at the end of the fan-out (tracemalloc, started at due; by the package of the "
            "code that allocated it, standard-library helpers such as `json` charged to their caller):\n\n"
            "| allocated in | size | blocks |\n| --- | ---: | ---: |\n"
            + "\n".join(f"| {g} | {_mb(s)} | {c:,} |" for g, s, c in groups)
            + "\n\nThe lines that allocated most of it:\n\n| line | size | blocks |\n| --- | ---: | ---: |\n"
            + "\n".join(f"| `{line}` | {_mb(s)} | {c:,} |" for line, s, c in sites)
            + "\n"
        )
    if tally.first_traceback:
        body += f"\nFirst logged exception:\n\n```text\n{tally.first_traceback.rstrip()}\n```\n"
    report.section(f"{label}: {n:,} reminder DMs due in the same minute, global limit {limit}/s", body)
    log(
        f"{label}: due → last DM {result.total:.2f} s ({result.total / bare.total:.3f} × the bare loop's "
        f"{bare.total:.2f} s; {result.ratio:.3f} × floor {floor:.1f} s); "
        f"{sum(statuses.values()):,} POSTs, {all_429} × 429; exact {result.exact}; RSS peak {_mb(memory.peak)}; "
        f"done in {done_wall:.1f} s"
    )
    return result


def batch_boundary_lapses(
    received_at: Sequence[float], claims: Sequence[tuple[float, float]], t_due: float, interval: float
) -> list[float]:
    """For each claim after the first: the gap from the last POST before it to the first POST after it,
    less one pacing interval (what a batch boundary costs beyond the pace)."""
    lapses = []
    starts = sorted(s for s, _ in claims if s >= t_due)[1:]
    for claim_start in starts:
        index = bisect.bisect_left(received_at, claim_start)
        if 0 < index < len(received_at):
            lapses.append(max(received_at[index] - received_at[index - 1] - interval, 0.0))
    return lapses


# --------------------------------------------------------------------------- the projection


def project(args: argparse.Namespace, report: FanoutReport, main: Fanout | None, real: Fanout) -> None:
    """N DMs at Discord's 50/s from the scaled-down run at that limit and the costs the runs measured."""
    n = args.members
    pace = args.pace_share * DISCORD_GLOBAL_PER_S
    interval = 1.0 / pace
    floor = n / pace
    # The bare loop's time at this pace, scaled from its run of real.members to n (its ratio to its floor).
    bare = real.bare_ratio * floor
    target = TARGET_RATIO * bare
    batches = -(-n // 100)
    x = real.extras
    # Time = due → first DM + (N − 1) intervals + what the pace lost. At this pace the only losses
    # are at batch boundaries (a claim, the batch's last sends finishing), which scale with the batches.
    lapse = x["boundary_lapse_mean"]
    by_model = real.first + (n - 1) / pace + (batches - 1) * lapse
    by_ratio = real.ratio * floor
    projected = max(by_model, by_ratio)
    # What grows with N besides: discord.py's sweep scans every bucket (one per DM channel written to,
    # none old enough to drop within 300 s) each time a new one is made: Σ k for k = 256 … N buckets.
    source = main if main is not None and main.extras["swept"] > x["swept"] else real
    per_bucket = source.extras["sweep_total"] / source.extras["swept"] if source.extras["swept"] else 0.0
    sweep_n = per_bucket * (n * (n + 1) / 2 - 255 * 256 / 2) if n >= 256 else 0.0
    loop_busy = (x["loop_cpu_per_dm"] + sweep_n / n) * pace
    db_busy = x["db_held_per_dm"] * pace
    holds = loop_busy < 0.7 and db_busy < 0.7
    report.check(
        f"projected: {n:,} DMs at Discord's {DISCORD_GLOBAL_PER_S}/s (pace {pace:g}/s), due → last DM",
        f"{projected:.1f} s = {projected / floor:.3f} × the floor {floor:.1f} s (from the run of {real.members:,} "
        f"at {DISCORD_GLOBAL_PER_S}/s: ratio {real.ratio:.3f} → {by_ratio:.1f} s; first DM + N intervals + "
        f"{batches - 1} batch boundaries × {lapse * 1e3:.1f} ms → {by_model:.1f} s); the event loop busy "
        f"{loop_busy * 100:.0f} % and the database lock {db_busy * 100:.0f} % of the time at that pace",
        f"≤ {TARGET_RATIO:g} × the bare loop's {real.bare_ratio:.3f} × floor = {target:.1f} s",
        projected <= target and real.exact and real.no_429 and holds,
        full_only=True,
    )
    lines = [
        f"The run at Discord's limit: {real.members:,} DMs in {real.total:.2f} s against a floor of "
        f"{real.floor:.2f} s ({real.ratio:.3f} ×), {real.first * 1e3:.0f} ms to the first DM, "
        f"{real.lost:.2f} s lost to lapses of the pace; a batch boundary costs {lapse * 1e3:.1f} ms on average "
        f"beyond the {interval * 1e3:.1f} ms interval.",
        f"What bounds it: at {pace:g}/s a send has a slot every {interval * 1e3:.1f} ms. Per DM the event loop "
        f"spent {x['loop_cpu_per_dm'] * 1e3:.2f} ms of CPU (bot and simulator together, discord.py's bucket "
        f"sweeps apart) and the database lock was held {x['db_held_per_dm'] * 1e3:.2f} ms; a claim of 100 "
        f"members took {x['claim_mean'] * 1e3:.0f} ms. Both fit in the interval many times over, so the time is "
        "the pace's: N ÷ pace, plus the first DM's delay, plus what a batch boundary costs beyond one interval.",
        f"What grows with N: discord.py makes a rate-limit bucket per DM channel and, past 256 buckets, scans "
        f"all of them each time it makes a new one; none is old enough (300 s) to be dropped during the "
        f"fan-out. Measured {per_bucket * 1e9:.0f} ns per bucket scanned (the {source.label} run, "
        f"{source.extras['swept']:,} scanned in {source.extras['sweep_total']:.2f} s), so {n:,} DMs cost about "
        f"{sweep_n:.1f} s of sweeps ({sweep_n / n * 1e3:.2f} ms per DM on average, "
        f"{per_bucket * n * 1e3:.1f} ms for the last). With it the event loop is busy about "
        f"{loop_busy * 100:.0f} % of the time at {pace:g}/s and the database lock {db_busy * 100:.0f} %: the pace "
        "still sets the time." + ("" if holds else " **Not so here: the loop or the database would not keep up.**"),
    ]
    if main is not None:
        m = main.extras
        lines.append(
            f"For comparison, at {main.pace:g}/s (an interval of {1e3 / main.pace:.2f} ms) the run lost "
            f"{main.lost:.1f} s to lapses of the pace: {main.boundaries} batch boundaries at "
            f"{m['boundary_lapse_mean'] * 1e3:.0f} ms each and {m['interval_lost_in_batches']:.1f} s within "
            f"batches, where the bot could not keep the pace: the database lock was held "
            f"{m['db_held_per_dm'] * 1e3:.2f} ms per DM ({'more' if m['db_held_per_dm'] > 1 / main.pace else 'less'} "
            f"than the interval) and discord.py's sweeps took "
            f"{m['sweep_total']:.1f} s of the event loop."
        )
    lines.append(
        f"Projection for {n:,}: the larger of the ratio measured at {DISCORD_GLOBAL_PER_S}/s applied to the floor "
        f"({by_ratio:.1f} s) and first DM + {n - 1:,} intervals + {batches - 1} boundaries ({by_model:.1f} s): "
        f"**{projected:.1f} s** against {target:.1f} s ({TARGET_RATIO:g} × the bare discord.py loop's time, "
        f"{real.bare_ratio:.3f} × the floor at {real.members:,}). Run it for real with "
        f"`--skip-main --real-members {n}` "
        f"(about {floor / 60 + 1:.0f} min)."
    )
    report.section(f"Projection: {n:,} DMs at Discord's {DISCORD_GLOBAL_PER_S}/s", "\n\n".join(lines) + "\n")


# --------------------------------------------------------------------------- the bot as several processes

PROCESS_SHARDS = 4  # the fan-out's servers, one on each of 4 shards; 1, 2 or 4 processes run them
PROCESS_RATE_SHARE = 0.95  # the whole bot's DM rate ≥ 0.95 × its pace, in every configuration
START_RATIO = 1.5  # start-up on PostgreSQL ≤ 1.5 × on SQLite, the same rows, the same run


def postgres_problem(url: str) -> str | None:
    """Why no PostgreSQL answers at ``url`` (None when one does)."""

    async def probe() -> str | None:
        import asyncpg

        try:
            connection = await asyncpg.connect(url, timeout=5)
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            return f"{type(error).__name__}: {error}"
        await connection.close()
        return None

    # Its own event loop on a thread of its own: called from inside the bench's running loop.
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, probe()).result()


def schema_url(server: str, schema: str) -> str:
    """The bot's `MARQUEE_DATABASE_URL` for ``schema`` on ``server`` (as tests/e2e/test_postgres.py)."""
    return f"{server}{'&' if '?' in server else '?'}search_path={schema}"


def socket_ports(pids: Sequence[int]) -> dict[int, int]:
    """The local TCP port of each socket the processes ``pids`` hold open -> the pid holding it (Linux /proc):
    which child process sent a request, from the port it arrived from."""
    inodes: dict[str, int] = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if target.startswith("socket:["):
                        inodes[target[8:-1]] = pid
    ports: dict[int, int] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text(encoding="ascii").splitlines()[1:]:
                fields = line.split()
                owner = inodes.get(fields[9]) if len(fields) > 9 else None
                if owner is not None:
                    ports[int(fields[1].rsplit(":", 1)[1], 16)] = owner
    return ports


@dataclass
class ProcessRun:
    """What one fan-out by the bot as child processes measured."""

    label: str
    backend: str
    processes: int
    members: int
    pace: float
    rate: float = float("nan")  # DMs a second, first → last DM received
    window_rate: float = float("nan")  # while every process was sending
    window: float = float("nan")
    exact: bool = False
    no_429: bool = False
    shares: list[int] = field(default_factory=list)


def spread_rate(stamps: Sequence[float], begin: float, end: float) -> float:
    """DMs a second between ``begin`` and ``end``: the intervals between the DMs inside, over their span."""
    inside = [s for s in stamps if begin <= s <= end]
    return (len(inside) - 1) / (inside[-1] - inside[0]) if len(inside) > 1 and inside[-1] > inside[0] else math.nan


async def read_reminders(backend: str, path: Path, url: str | None) -> list[tuple[int, str, int | None]]:
    """(user_id, status, message_id) of every reminder, from the SQLite file or the PostgreSQL schema."""
    if backend == "sqlite":
        return [(r[0], r[1], r[2]) for r in reminder_rows(path)]
    import asyncpg

    assert url is not None
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch("SELECT user_id, status, message_id FROM reminders ORDER BY id")
    finally:
        await connection.close()
    return [(int(r[0]), str(r[1]), None if r[2] is None else int(r[2])) for r in rows]


async def processes_fanout(
    args: argparse.Namespace, report: FanoutReport, folder: Path, *, backend: str, processes: int, url: str | None
) -> ProcessRun:
    """The reminder fan-out with the bot as ``processes`` child processes (`python -m bot run --shards A-B
    --shard-count 4`, each an equal range) on one database: set up by an in-process bot, which then stops;
    the reminders are due when the children start, so each starts delivering as soon as its reminder engine
    runs."""
    from tests.discord_sim.bots import ChildProcessBot

    limit = args.proc_limit
    pace = args.proc_pace_share * limit
    n = args.proc_members
    name = "PostgreSQL" if backend == "postgresql" else "SQLite"
    label = f"{processes} process{'es' if processes > 1 else ''} on {name}"
    result = ProcessRun(label, backend, processes, n, pace)
    # Due at the current minute: the in-process bot's clock (an hour before) never reaches it, the children's
    # (the system clock) has passed it, by less than LATE_AFTER (five minutes) if the setup is quick.
    due = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    sim = new_sim(folder / f"processes-{backend}-{processes}", args, due - dt.timedelta(hours=1))
    sim.extra_env["MARQUEE_DELIVERY_PACE"] = f"{pace:g}"
    if url is not None:
        sim.extra_env["MARQUEE_DATABASE_URL"] = url
    sim.ratelimits.enabled = True
    sim.ratelimits.global_limit = limit
    recorder = PostRecorder()
    children: list[ChildProcessBot] = []
    ports: dict[int, int] = {}
    pids: list[int] = []
    began = time.perf_counter()
    try:
        await sim.start()
        bot = sim.client
        if bot.database.dialect != backend:
            raise RuntimeError(f"the setup bot runs on {bot.database.dialect}, wanted {backend}")
        members = [sim.world.add_user(f"fan{i:05d}") for i in range(n)]
        # One server on each of PROCESS_SHARDS shards, the members split evenly between them: every process
        # has its servers' members to remind, however many processes share the shards.
        for shard in range(PROCESS_SHARDS):
            guild = await sim.create_guild_on_shard(f"Fan-out Server {shard}", shard, PROCESS_SHARDS)
            general = guild.channel("general")
            admin = await sim.create_user(f"admin{shard}", guild=guild, admin=True)
            mine = members[shard::PROCESS_SHARDS]
            for member in mine:
                sim.world.add_member(guild.model, member)
            target_key = await remind_of_event(sim, admin, general, mine[0], due)
            await subscribe_everyone(sim, guild.id, target_key, mine)
        await sim.settle()
        await sim.stop_bot()
        rows = await read_reminders(backend, sim.database_path, url)
        if len(rows) != n or {r[1] for r in rows} != {"scheduled"}:
            raise RuntimeError(f"{len(rows)} reminders before the fan-out, statuses {Counter(r[1] for r in rows)}")
        setup_s = time.perf_counter() - began
        dm_channels = {sim.world.dm_channels[m.id]: m.id for m in members}
        recorder.install(sim)
        log(f"{label}: {n:,} members subscribed in {setup_s:.1f} s; starting {processes} bot process(es)")

        env = sim.env()
        started = time.perf_counter()
        for number in range(processes):
            argv = ["-m", "bot", "run"]
            if processes > 1:
                per = PROCESS_SHARDS // processes
                argv += ["--shards", f"{number * per}-{(number + 1) * per - 1}", "--shard-count", str(PROCESS_SHARDS)]
            child = ChildProcessBot(argv, sim.tmp_path / f"process-{number}.log")
            children.append(child)
            await child.start(env, sim.clock, args.sim_timeout)
        pids = [child.process.pid for child in children if child.process is not None]
        bound = n / pace * 3 + 60.0
        deadline = started + bound
        last_count, last_change = 0, time.perf_counter()
        while time.perf_counter() < deadline:
            ports.update(socket_ports(pids))
            if recorder.posted != last_count:
                last_count, last_change = recorder.posted, time.perf_counter()
            if recorder.posted >= n:
                break
            if not all(child.running for child in children):
                raise RuntimeError(
                    f"{label}: a bot process exited:\n" + "\n".join(c.log_text()[-1500:] for c in children)
                )
            if recorder.posted and time.perf_counter() - last_change > 20.0:
                report.notes.append(f"{label}: the fan-out stalled at {recorder.posted:,} DMs for 20 s")
                break
            await asyncio.sleep(0.2)
        else:
            report.notes.append(f"{label}: the fan-out was stopped at its time limit ({bound:.0f} s)")
        # Anything still in flight (a duplicate, a retry) has time to show up, and the last batches to be
        # recorded as sent.
        for _ in range(50):
            await asyncio.sleep(0.2)
            ports.update(socket_ports(pids))
            done = await read_reminders(backend, sim.database_path, url)
            if all(r[1] == "sent" for r in done):
                break
        await asyncio.sleep(1.0)
        logs = [child.log_text() for child in children]
    finally:
        for child in children:
            with contextlib.suppress(Exception):
                await child.stop(args.sim_timeout)
        recorder.uninstall()
        await sim.close()

    # ---- what Discord saw ---------------------------------------------------------------------------------
    calls = list(recorder.calls)
    dm_posts = [c for c in calls if c[0] == POST_ROUTE and c[4] and int(c[4]) in dm_channels]
    statuses = Counter(c[1] for c in dm_posts)
    all_429 = sum(1 for r in sim.server.requests if r.status == 429)  # the setup's requests included
    ok = sorted((c for c in dm_posts if c[1] < 300), key=lambda c: c[2])
    received_at = [c[2] for c in ok]
    others = Counter(c[0] for c in calls if not (c[0] == POST_ROUTE and c[4] and int(c[4]) in dm_channels))
    pid_index = {pid: i for i, pid in enumerate(pids)}
    by_process: dict[int, list[float]] = defaultdict(list)
    for c in ok:
        by_process[pid_index.get(ports.get(c[5], -1), -1)].append(c[2])
    result.shares = [len(by_process.get(i, [])) for i in range(processes)]
    unknown = len(by_process.get(-1, []))
    per_channel: dict[int, int] = Counter()
    for message in list(sim.world.messages.values()):
        if message.channel_id in dm_channels and not message.deleted and message.ephemeral_for is None:
            per_channel[message.channel_id] += 1
    per_member = Counter(per_channel.get(channel, 0) for channel in dm_channels)
    rows = await read_reminders(backend, sim.database_path, url)
    db_status = Counter(r[1] for r in rows)
    stored = {c_id: m.id for m in sim.world.messages.values() for c_id in [m.channel_id] if c_id in dm_channels}
    matching = sum(
        1 for r in rows if r[1] == "sent" and r[2] is not None and stored.get(sim.world.dm_channels[r[0]]) == r[2]
    )
    result.exact = (
        len(ok) == n and per_member == Counter({1: n}) and db_status == Counter({"sent": n}) and matching == n
    )
    result.no_429 = statuses.get(429, 0) == 0 and all_429 == 0
    counted = [c[2] for c in calls if c[1] != 429 and not c[0].startswith("POST /interactions/")]
    peak = peak_per_second(counted)
    if len(received_at) > 1:
        result.rate = (len(received_at) - 1) / (received_at[-1] - received_at[0])
    firsts = [min(stamps) for i, stamps in by_process.items() if i >= 0]
    lasts = [max(stamps) for i, stamps in by_process.items() if i >= 0]
    if processes > 1 and len(firsts) == processes:
        begin, end = max(firsts), min(lasts)
        result.window = max(end - begin, 0.0)
        result.window_rate = spread_rate(received_at, begin, end)
    else:
        result.window = (received_at[-1] - received_at[0]) if len(received_at) > 1 else math.nan
        result.window_rate = result.rate
    interval = 1.0 / pace
    gaps = [(b - a, a) for a, b in itertools.pairwise(received_at) if b - a > 1.5 * interval]
    lost = sum(gap - interval for gap, _ in gaps)
    longest = sorted(gaps, reverse=True)[:3]
    gap_text = (
        f"{len(gaps)}, {lost:.2f} s beyond the interval in all; longest "
        + ", ".join(f"{gap * 1e3:.0f} ms at {at - received_at[0]:.1f} s" for gap, at in longest)
        if gaps
        else "none"
    )
    warnings = sum(1 for text in logs for line in text.splitlines() if " WARNING " in line or " ERROR " in line)
    first_dm = (received_at[0] - started) if received_at else math.nan

    target = PROCESS_RATE_SHARE * pace
    judged_window = result.window >= 5.0 and processes > 1
    ok_rate = result.rate >= target and (not judged_window or result.window_rate >= target)
    report.check(
        f"{label}: the whole bot's DM rate",
        f"{result.rate:.2f}/s first → last DM ({len(received_at):,} DMs in "
        f"{(received_at[-1] - received_at[0]) if len(received_at) > 1 else math.nan:.1f} s)"
        + (
            f"; {result.window_rate:.2f}/s over the {result.window:.1f} s every process was sending"
            if processes > 1
            else ""
        )
        + f"; = {result.rate / limit:.3f} × the global limit {limit}/s",
        f"≥ {PROCESS_RATE_SHARE:g} × the pace {pace:g}/s = {target:.2f}/s",
        ok_rate,
        full_only=True,
    )
    report.check(
        f"{label}: no 429, nothing lost, nothing doubled",
        f"{statuses.get(429, 0)} × 429 of {len(dm_posts):,} DM POSTs, {all_429} on any route in the whole run; "
        + ", ".join(f"{v:,} members {k} DM{'s' if k != 1 else ''}" for k, v in sorted(per_member.items()))
        + f"; database {', '.join(f'{v:,} {k}' for k, v in db_status.items())}, {matching:,} with the DM's id; "
        f"peak {peak} requests in any 1 s",
        f"0 × 429; exactly 1 DM for each of {n:,} members, all `sent`; ≤ {limit} a second",
        result.exact and result.no_429 and peak <= limit,
    )
    sharded = f" --shards A-B --shard-count {PROCESS_SHARDS}" if processes > 1 else ""
    share_text = ", ".join(f"{count:,}" for count in result.shares) + (
        f" (+{unknown:,} unattributed)" if unknown else ""
    )
    report.sections.append(
        f"#### {label}: {n:,} reminder DMs, global limit {limit}/s, pace {pace:g}/s\n\n"
        "| measure | value |\n| --- | ---: |\n"
        f"| processes (`python -m bot run`{sharded}) | {processes} |\n"
        f"| DMs sent by each process (from the TCP port each arrived from) | {share_text} |\n"
        f"| processes started → first DM received | {first_dm:.2f} s |\n"
        f"| first → last DM | {(received_at[-1] - received_at[0]) if len(received_at) > 1 else math.nan:.2f} s, "
        f"{result.rate:.2f}/s |\n"
        f"| while every process was sending | {result.window:.2f} s, {result.window_rate:.2f}/s |\n"
        f"| gaps between consecutive DMs > 1.5 × the pacing interval ({interval * 1e3:.1f} ms) | {gap_text} |\n"
        f"| DM POSTs by status | {', '.join(f'{k}: {v:,}' for k, v in sorted(statuses.items()))} |\n"
        f"| other requests from the processes | "
        f"{', '.join(f'`{k}` {v:,}' for k, v in others.most_common(5)) or 'none'} |\n"
        f"| peak requests in any 1 s (interaction callbacks apart) | {peak} (limit {limit}) |\n"
        f"| warnings and errors in the processes' logs | {warnings} |\n"
        f"| setup by an in-process bot (not timed in the rate) | {setup_s:.1f} s |\n"
    )
    log(
        f"{label}: {len(ok):,} DMs at {result.rate:.2f}/s (window {result.window_rate:.2f}/s over "
        f"{result.window:.1f} s), by process {share_text}; {statuses.get(429, 0)} × 429; exact {result.exact}"
    )
    return result


async def startup_backends(args: argparse.Namespace, report: FanoutReport, folder: Path, server: str) -> None:
    """Start-up with the same 100,000 scheduled posts on SQLite and on PostgreSQL, in one run: the database
    bench.announce builds for its start-up, copied into a fresh PostgreSQL schema by `db.copy` (what
    `marquee db copy` runs); starts alternate between the two, against one simulator with the same guilds."""
    from bench.announce import Spans, base_database, make_guilds, startup_tables, tidy, write_tables
    from db import connect_database
    from db.copy import copy_database
    from tests.postgres import fresh_schema

    rng = random.Random(args.seed)
    start = sim_start_time()
    sim = new_sim(folder / "startup", args, start)
    guilds = make_guilds(sim, args.startup_guilds, rng, "Bench Server")
    loaded = folder / "startup.db"
    _, films, _ = await base_database(loaded, sim.clock)
    tables = startup_tables(guilds, args.startup_rows, sim.clock.now(), rng, films)
    write_tables(loaded, tables)
    counts = tables.counts()
    log(f"start-up: the SQLite database holds {counts}; copying it into PostgreSQL")
    spans = Spans()
    results: dict[str, list[dict[str, float]]] = {"SQLite": [], "PostgreSQL": []}
    async with fresh_schema(server) as schema:
        url = schema_url(server, schema)
        began = time.perf_counter()
        async with connect_database(loaded) as source, connect_database(url) as target:
            copied = await copy_database(source, target)
        copy_s = time.perf_counter() - began
        import asyncpg

        # What autovacuum leaves behind on a live database, as ANALYZE does for the SQLite file.
        connection = await asyncpg.connect(url)
        try:
            await connection.execute("ANALYZE")
        finally:
            await connection.close()
        log(f"start-up: copied in {copy_s:.1f} s; starts alternate between SQLite and PostgreSQL")
        deliver_label = "first `deliver_due` (alarm armed by `start`)"
        spans.install_startup()
        try:
            await sim.server.start()
            sim.database_path = loaded

            async def one_start(which: str, measured: bool) -> None:
                if which == "PostgreSQL":
                    sim.extra_env["MARQUEE_DATABASE_URL"] = url
                else:
                    sim.extra_env.pop("MARQUEE_DATABASE_URL", None)
                tidy(sim)
                spans.reset()
                t0 = time.perf_counter()
                await sim.start_bot()
                ready = time.perf_counter() - t0
                bot = sim.client
                if bot.database.dialect != ("postgresql" if which == "PostgreSQL" else "sqlite"):
                    raise RuntimeError(f"the bot runs on {bot.database.dialect}, wanted {which}")
                if len(bot.guilds) != len(guilds):
                    raise RuntimeError(f"the bot sees {len(bot.guilds)} guilds, the simulator has {len(guilds)}")
                deadline = time.perf_counter() + args.sim_timeout
                first = None
                while time.perf_counter() < deadline and first is None:
                    first = spans.first(deliver_label, t0)
                    await asyncio.sleep(0.005)
                row = {"ready": ready, "first delivery pass done": (first[1] - t0) if first else math.nan}
                await background_done(bot, args.sim_timeout)
                await sim.stop_bot()
                if measured:
                    results[which].append(row)
                log(
                    f"  {'' if measured else 'warm-up '}start on {which}: ready {ready:.2f} s, the announcer's "
                    f"first delivery pass done {row['first delivery pass done']:.2f} s"
                )

            for which in ("SQLite", "PostgreSQL"):
                await one_start(which, measured=False)  # syncs the commands once; warms the caches
            for rep in range(args.startup_reps):
                order = ("SQLite", "PostgreSQL") if rep % 2 == 0 else ("PostgreSQL", "SQLite")
                for which in order:
                    await one_start(which, measured=True)
        finally:
            spans.uninstall()
            await sim.close()

    def median(which: str, key: str) -> float:
        values = [row[key] for row in results[which]]
        return statistics.median(values) if values else math.nan

    ratio = median("PostgreSQL", "ready") / median("SQLite", "ready")
    report.check(
        "start-up: `serve` → ready (commands synced), PostgreSQL ÷ SQLite, the same rows, medians",
        f"{ratio:.2f} ({median('PostgreSQL', 'ready'):.2f} s ÷ {median('SQLite', 'ready'):.2f} s; n = "
        f"{len(results['SQLite'])} each; {args.startup_guilds:,} guilds, {args.startup_rows:,} scheduled posts)",
        f"≤ {START_RATIO:g}",
        ratio <= START_RATIO,
        full_only=True,
    )
    contents = ", ".join(f"{v:,} {k.strip()}" for k, v in counts.items())
    body = (
        f"The database bench.announce builds for its start-up ({contents}) "
        f"as a SQLite file, and the same rows copied into a fresh PostgreSQL schema by `db.copy.copy_database` "
        f"(what `marquee db copy` runs; {sum(copied.rows.values()):,} rows "
        f"in {copy_s:.1f} s), then `ANALYZE` on both. One simulator holds the same {args.startup_guilds:,} guilds for "
        "both; starts alternate between the two databases, the first start on each not counted. Ready: "
        "`sim.start_bot()` returns (READY, every GUILD_CREATE handled, `commands_synced` set); the announcer "
        "and reminder engines start before the bot connects (`Services.start`).\n\n"
        "| step (seconds, median; range) | SQLite | PostgreSQL |\n| --- | ---: | ---: |\n"
    )
    for key, words in (
        ("ready", "**`serve` → ready, commands synced**"),
        ("first delivery pass done", "`serve` → the announcer's first delivery pass done (armed by `Announcer.start`)"),
    ):
        cells = [median(which, key) for which in ("SQLite", "PostgreSQL")]
        spread = [
            f"{min(r[key] for r in results[which]):.2f}–{max(r[key] for r in results[which]):.2f}"
            for which in ("SQLite", "PostgreSQL")
        ]
        body += f"| {words} | {cells[0]:.3f} ({spread[0]}) | {cells[1]:.3f} ({spread[1]}) |\n"
    report.section("Start-up with 100,000 scheduled posts: PostgreSQL and SQLite", body)


async def several_processes(args: argparse.Namespace, report: FanoutReport, folder: Path) -> None:
    """The runs of child processes (on PostgreSQL, then one on SQLite) and start-up on both databases."""
    from tests.postgres import fresh_schema

    if args.skip_processes and args.skip_startup:
        return
    problem = postgres_problem(args.database_url)
    if problem is not None:
        message = f"no PostgreSQL at {redacted(args.database_url)} (set MARQUEE_TEST_DATABASE_URL): {problem}"
        if os.environ.get("CI") == "true":
            report.check("PostgreSQL for the runs of several processes and the start-up", message, "reachable", False)
        else:
            log(f"skipping the PostgreSQL parts: {message}")
            report.notes.append(f"PostgreSQL parts skipped: {message}.")
    if not args.skip_processes:
        runs = []
        for count in args.process_counts if problem is None else []:
            async with fresh_schema(args.database_url) as schema:
                url = schema_url(args.database_url, schema)
                runs.append(
                    await processes_fanout(args, report, folder, backend="postgresql", processes=count, url=url)
                )
        runs.append(await processes_fanout(args, report, folder, backend="sqlite", processes=1, url=None))
        report.sections.append(
            "#### The whole bot's DM rate by processes\n\n"
            "| configuration | DMs | DMs per process | first → last DM | while every process sent |\n"
            "| --- | ---: | --- | ---: | ---: |\n"
            + "\n".join(
                f"| {r.label} | {r.members:,} | {', '.join(f'{s:,}' for s in r.shares)} | {r.rate:.2f}/s "
                f"({r.rate / r.pace:.3f} × pace) | {r.window_rate:.2f}/s over {r.window:.1f} s |"
                for r in runs
            )
            + "\n"
        )
    if not args.skip_startup and problem is None:
        await startup_backends(args, report, folder, args.database_url)


def redacted(url: str) -> str:
    from db.postgres import redacted_url

    return redacted_url(url)


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000, help="members with a reminder due at once")
    parser.add_argument("--limit", type=int, default=500, help="the simulator's global limit (requests/s)")
    parser.add_argument("--pace-share", type=float, default=0.9, help="the bot's pace as a share of the limit")
    parser.add_argument(
        "--real-members", type=int, default=1_000, help=f"members for the run at Discord's {DISCORD_GLOBAL_PER_S}/s"
    )
    parser.add_argument("--skip-real", action="store_true", help=f"skip the run at {DISCORD_GLOBAL_PER_S}/s")
    parser.add_argument("--skip-main", action="store_true", help="skip the main run (at --limit)")
    parser.add_argument("--seed", type=int, default=20261126, help="seed of the members sampled for `sim.dms`")
    parser.add_argument("--quick", action="store_true", help="1,000 members at --limit, 200 at 50/s")
    parser.add_argument("--write", action="store_true", help=f"append the results to {DOC.relative_to(REPO)}")
    parser.add_argument("--profile", action="store_true", help="print cProfile summaries of each fan-out")
    parser.add_argument("--tracemalloc", action="store_true", help="trace allocations during the fan-outs (slows them)")
    parser.add_argument(
        "--what-if-sweep",
        action="store_true",
        help="experiment, not the bot as shipped: discord.py sweeps its rate-limit buckets at most once a minute",
    )
    parser.add_argument("--sim-timeout", type=float, default=60.0, help="seconds to wait for the bot to start")
    parser.add_argument("--budget", type=float, default=1800.0, help="seconds at most for the whole run")
    parser.add_argument(
        "--processes", default="1,2,4", help="the bot as this many child processes on PostgreSQL, one run each"
    )
    parser.add_argument("--proc-members", type=int, default=1_200, help="members for each run of child processes")
    parser.add_argument(
        "--proc-pace-share",
        type=float,
        default=None,
        help="the processes' pace as a share of --proc-limit (default: --pace-share; the quick run: 0.8, the "
        "bot's default pace of 40 at Discord's 50, which keeps 4 processes and the simulator on 2 cores clear of "
        "the odd 429 that 45 can meet)",
    )
    parser.add_argument(
        "--proc-limit", type=int, default=DISCORD_GLOBAL_PER_S, help="the simulator's global limit for those runs"
    )
    parser.add_argument("--skip-processes", action="store_true", help="skip the runs of child processes")
    parser.add_argument("--skip-startup", action="store_true", help="skip start-up on PostgreSQL vs SQLite")
    parser.add_argument("--startup-guilds", type=int, default=10_000, help="guilds in the start-up database")
    parser.add_argument("--startup-rows", type=int, default=100_000, help="scheduled posts in the start-up database")
    parser.add_argument("--startup-reps", type=int, default=3, help="measured starts per database")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("MARQUEE_TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test",
        help="the PostgreSQL server (a fresh schema per run; default $MARQUEE_TEST_DATABASE_URL or the local one)",
    )
    parser.add_argument(
        "--spec-check",
        action="store_true",
        help="keep the simulator's OpenAPI checks on (off by default: they cost more than the bot)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        given = set(argv if argv is not None else sys.argv[1:])
        quick = {
            "--members": 1_000, "--real-members": 200, "--proc-members": 120, "--startup-guilds": 1_000,
            "--startup-rows": 10_000, "--startup-reps": 1, "--proc-pace-share": 0.8,
        }  # fmt: skip
        for option, value in quick.items():
            if not any(arg == option or arg.startswith(option + "=") for arg in given):
                setattr(args, option.lstrip("-").replace("-", "_"), value)
    if args.members < 1 or args.real_members < 1:
        parser.error("--members and --real-members must be at least 1")
    if not 0 < args.pace_share <= 1:
        parser.error("--pace-share must be in (0, 1]")
    if args.proc_pace_share is None:
        args.proc_pace_share = args.pace_share
    if not 0 < args.proc_pace_share <= 1:
        parser.error("--proc-pace-share must be in (0, 1]")
    try:
        args.process_counts = [int(part) for part in args.processes.split(",") if part.strip()]
    except ValueError:
        parser.error("--processes takes a comma list of process counts, such as 1,2,4")
    if any(count < 1 or PROCESS_SHARDS % count for count in args.process_counts):
        parser.error(f"--processes: each count must divide the {PROCESS_SHARDS} shards (1, 2 or 4)")
    if args.proc_members < PROCESS_SHARDS:
        parser.error(f"--proc-members must be at least {PROCESS_SHARDS} (one member in each server)")
    return args


@contextlib.contextmanager
def sweep_at_most_once_a_minute(enabled: bool) -> Iterator[None]:
    """The experiment behind ``--what-if-sweep``: discord.py's ``HTTPClient._try_clear_expired_ratelimits``
    (which, past 256 buckets, scans every bucket each time a new one is made) runs at most once a minute."""
    if not enabled:
        yield
        return
    from discord.http import HTTPClient

    original = HTTPClient.__dict__["_try_clear_expired_ratelimits"]
    last: dict[int, float] = {}

    def throttled(http: Any) -> None:
        now = time.monotonic()
        if now - last.get(id(http), -math.inf) >= 60.0:
            last[id(http)] = now
            original(http)

    HTTPClient._try_clear_expired_ratelimits = throttled  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        HTTPClient._try_clear_expired_ratelimits = original  # type: ignore[method-assign]


async def run(args: argparse.Namespace, report: FanoutReport) -> list[str]:
    profiles: list[str] = []
    started = time.perf_counter()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="marquee-bench-") as tmp:
        report.tmpdir = Path(tmp)
        with Watchdog(args.budget, report, "the whole run"), sweep_at_most_once_a_minute(args.what_if_sweep):
            main = real = None
            if not args.skip_main:
                main = await fanout(
                    args, report, Path(tmp), profiles, label=f"L={args.limit}", members_n=args.members,
                    limit=args.limit,
                )  # fmt: skip
            if not args.skip_real:
                real = await fanout(
                    args, report, Path(tmp), profiles, label=f"L={DISCORD_GLOBAL_PER_S}",
                    members_n=args.real_members, limit=DISCORD_GLOBAL_PER_S,
                )  # fmt: skip
                if args.real_members < args.members:
                    project(args, report, main, real)
            await several_processes(args, report, Path(tmp))
    report.notes.append(f"whole run: {time.perf_counter() - started:.0f} s.")
    load_after = os.getloadavg()
    report.notes.append(
        f"machine load (1, 5, 15 min averages) at the start {', '.join(f'{v:.2f}' for v in load_before)}, at the "
        f"end {', '.join(f'{v:.2f}' for v in load_after)} ({os.cpu_count()} cores): other work may share the machine."
    )
    if args.profile or args.tracemalloc:
        report.notes.append("profiled or traced: the times above are slower than an unobserved run.")
    return profiles


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    main_spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    runner = "-m bench.fanout" if main_spec is not None or argv is not None else "bench/fanout.py"
    given = argv if argv is not None else sys.argv[1:]
    command = f".venv/bin/python {runner}" + (" " + shlex.join(given) if given else "")
    report = FanoutReport(command, args)
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
