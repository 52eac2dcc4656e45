"""Pieces shared by the benchmarks in ``bench/``: statistics, the report, the simulator probes, the baselines.

Every benchmark imports from here; see bench/README.md. Targets are ratios against a baseline measured in the
same run (a command answering a constant, a smaller size, a bare discord.py loop), so that they hold on any
machine of the kind; absolute times are printed for information only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import datetime as dt
import gc
import io
import math
import os
import platform
import pstats
import shutil
import subprocess
import sys
import threading
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"


# --------------------------------------------------------------------------- statistics


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..1); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Distribution:
    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    @property
    def n(self) -> int:
        return len(self.values)

    def p(self, share: float) -> float:
        return percentile(self.values, share)

    @property
    def max(self) -> float:
        return max(self.values) if self.values else math.nan

    def row(self, name: str, scale: float = 1e3) -> str:
        """A Markdown row: name, n, p50, p95, p99, max (in ms for seconds with the default scale)."""
        cells = [self.p(0.5), self.p(0.95), self.p(0.99), self.max]
        return f"| {name} | {self.n} | " + " | ".join(f"{v * scale:.2f}" for v in cells) + " |"


QUICK_NOTE = "- quick run (`--quick`): small sizes; timing targets and those of the full load are shown, not judged"
DIST_HEADER = "| measure | n | p50 ms | p95 ms | p99 ms | max ms |\n| --- | ---: | ---: | ---: | ---: | ---: |"


# --------------------------------------------------------------------------- results


@dataclass
class Check:
    name: str
    result: str
    target: str
    ok: bool | None  # None: informative only
    # A target judged only in full runs: a timing target (a ratio of two times), or one that holds only at the
    # full load. Quick runs are too small and too short for these to mean anything, so there they are shown
    # but do not fail the run; whatever else fails (an error, a lost or doubled message), fails.
    full_only: bool = False


@dataclass
class Report:
    """What a benchmark found: its checks (targets), sections and notes, as Markdown.

    Subclasses name the benchmark (``title``) and describe its setup (``details``).
    """

    command: str
    args: argparse.Namespace
    checks: list[Check] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tmpdir: Path | None = None
    title: str = "Benchmark"

    def check(self, name: str, result: str, target: str, ok: bool | None, *, full_only: bool = False) -> None:
        self.checks.append(Check(name, result, target, ok, full_only))

    @property
    def quick(self) -> bool:
        return bool(getattr(self.args, "quick", False))

    def judged(self, check: Check) -> bool:
        """Whether this check's verdict decides the run: not a full-run target in a quick run."""
        return check.ok is not None and not (check.full_only and self.quick)

    def failed(self) -> list[Check]:
        """The checks that make the run fail (its exit status 1)."""
        return [check for check in self.checks if check.ok is False and self.judged(check)]

    def verdict(self, check: Check) -> str:
        if check.ok is None:
            return "info"
        word = "pass" if check.ok else "FAIL"
        return f"**{word}**" if self.judged(check) else f"{word.lower()} (quick run: not judged)"

    def section(self, title: str, body: str) -> None:
        self.sections.append(f"#### {title}\n\n{body}\n")

    def details(self) -> list[str]:
        """Bullet lines describing the setup, after the command, machine and commit."""
        return []

    def markdown(self) -> str:
        machine = machine_info()
        lines = [
            f"### {self.title}, {machine['date']}",
            "",
            f"- command: `{self.command}`",
            f"- machine: {machine['cpu']}, {machine['cores']}; Python {machine['python']} on {machine['os']}",
            f"- commit: {machine['commit']}",
            *([QUICK_NOTE] if self.quick else []),
            *self.details(),
            "",
            "| target | result | limit | verdict |",
            "| --- | --- | --- | --- |",
        ]
        for c in self.checks:
            lines.append(f"| {c.name} | {c.result} | {c.target} | {self.verdict(c)} |")
        lines.append("")
        lines += self.sections
        if self.notes:
            lines += ["#### Notes", ""] + [f"- {note}" for note in self.notes] + [""]
        return "\n".join(lines)


def machine_info() -> dict[str, str]:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        date = subprocess.run(["date", "-u"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        date = dt.datetime.now(dt.UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "describe", "--always", "--dirty"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "cpu": cpu,
        "cores": f"{os.cpu_count()} logical cores ({usable} usable)",
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "date": date,
        "commit": commit,
    }


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def profiled(enabled: bool, title: str, sink: list[str], top: int = 18) -> Iterator[None]:
    """cProfile the block when ``enabled``; the summary (by own time and cumulative) goes to ``sink``."""
    if not enabled:
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.strip_dirs().sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(top)
        sink.append(f"===== profile: {title} =====\n{out.getvalue()}")


# --------------------------------------------------------------------------- the simulator


class Probe:
    """Timestamps (``time.perf_counter``) of each interaction, on both sides of the loopback.

    sim_sent: the simulator starts sending INTERACTION_CREATE on the gateway socket;
    bot_received: discord.py starts handling the socket message that carried it;
    bot_responded: discord.py starts the interaction callback request;
    sim_received: the simulator starts handling the callback POST;
    sim_answered: the simulator has stored the response (the user sees it) and answered the POST.
    """

    def __init__(self) -> None:
        self.marks: dict[int, dict[str, float]] = defaultdict(dict)
        self._last_socket_message = 0.0
        self._undo: list[Callable[[], None]] = []

    def install(self, sim: Any) -> None:
        import discord
        from discord.gateway import DiscordWebSocket
        from discord.webhook.async_ import AsyncWebhookAdapter

        clock = time.perf_counter
        marks = self.marks
        gateway = sim.server.gateway
        send = gateway._send

        async def gateway_send(ws: Any, payload: dict[str, Any]) -> None:
            if payload.get("t") == "INTERACTION_CREATE":
                marks[int(payload["d"]["id"])]["sim_sent"] = clock()
            await send(ws, payload)

        gateway._send = gateway_send
        self._undo.append(lambda: delattr(gateway, "_send"))

        server = sim.server
        handle = server._handle

        async def server_handle(request: Any, template: str, handler: Any) -> Any:
            if not template.endswith("/callback"):
                return await handle(request, template, handler)
            mark = marks[int(request.match_info["interaction_id"])]
            mark["sim_received"] = clock()
            try:
                return await handle(request, template, handler)
            finally:
                mark["sim_answered"] = clock()

        server._handle = server_handle
        self._undo.append(lambda: delattr(server, "_handle"))

        received = DiscordWebSocket.received_message

        async def received_message(ws: Any, msg: Any, /) -> None:
            self._last_socket_message = clock()
            await received(ws, msg)

        DiscordWebSocket.received_message = received_message  # type: ignore[method-assign]
        self._undo.append(lambda: setattr(DiscordWebSocket, "received_message", received))

        parsers = sim.client._connection.parsers
        parse = parsers["INTERACTION_CREATE"]

        def parse_interaction(data: dict[str, Any]) -> None:
            mark = marks[int(data["id"])]
            mark["bot_received"] = self._last_socket_message
            mark["bot_parsed"] = clock()
            parse(data)

        parsers["INTERACTION_CREATE"] = parse_interaction
        self._undo.append(lambda: parsers.__setitem__("INTERACTION_CREATE", parse))

        respond = AsyncWebhookAdapter.create_interaction_response

        def create_interaction_response(adapter: Any, interaction_id: int, *args: Any, **kwargs: Any) -> Any:
            marks[int(interaction_id)]["bot_responded"] = clock()
            return respond(adapter, interaction_id, *args, **kwargs)

        AsyncWebhookAdapter.create_interaction_response = create_interaction_response  # type: ignore[method-assign]
        self._undo.append(lambda: setattr(AsyncWebhookAdapter, "create_interaction_response", respond))
        _ = discord

    def uninstall(self) -> None:
        for undo in reversed(self._undo):
            with contextlib.suppress(Exception):
                undo()
        self._undo.clear()

    def last_interaction(self) -> int:
        """The id of the interaction the simulator sent last (the marks keep the order they were made in)."""
        return next(reversed(self.marks))

    def span(self, interaction_id: int, start: str, end: str) -> float | None:
        mark = self.marks.get(interaction_id, {})
        if start in mark and end in mark:
            return mark[end] - mark[start]
        return None


SEGMENTS = {
    "simulator sends → bot reads the gateway message": ("sim_sent", "bot_received"),
    "bot handles (reads the message → starts the callback)": ("bot_received", "bot_responded"),
    "callback request → simulator receives it": ("bot_responded", "sim_received"),
    "simulator checks and stores the response": ("sim_received", "sim_answered"),
}


async def _marquee_serve(env: Mapping[str, str], clock: Any, started: Any) -> None:
    """How the end-to-end tests start Marquee (tests/e2e/conftest.py), on the synthetic database."""
    from bot.runner import serve
    from bot.settings import load_settings

    await serve(load_settings(None, env), clock=clock, started=started)


def hook(owner: Any, name: str) -> Any:
    """``owner.name``, for a bench reaching into the bot; None when ``owner`` is None (a cog left out).

    A missing attribute is an error, never a silent default: a renamed attribute would otherwise leave a
    bench timing nothing or not waiting for what it should, and nobody would notice."""
    if owner is None:
        return None
    if not hasattr(owner, name):
        raise RuntimeError(f"bench hook gone: {type(owner).__name__}.{name} (the bot changed; update bench/)")
    return getattr(owner, name)


@contextlib.contextmanager
def cogs_left_out(names: Sequence[str]) -> Iterator[None]:
    """Make the bot load every cog but ``names`` (``bot.client.cog_extensions`` lists what it loads)."""
    import bot.client

    original = bot.client.cog_extensions
    unknown = [name for name in names if f"cogs.{name}" not in original()]
    if unknown:
        raise SystemExit(f"no such cog: {', '.join(unknown)}; cogs are {', '.join(original())}")
    bot.client.cog_extensions = lambda: [ext for ext in original() if ext.removeprefix("cogs.") not in names]
    try:
        yield
    finally:
        bot.client.cog_extensions = original


async def add_constant_command(sim: Any) -> None:
    """A command that answers a constant: the baseline for the round trip (see tests/e2e/test_foundation.py)."""
    import discord
    from discord import app_commands

    @app_commands.command(name="bench-constant")
    async def constant(interaction: discord.Interaction) -> None:
        """Answers a constant (benchmark baseline)."""
        await interaction.response.send_message("constant")

    sim.client.tree.add_command(constant)
    await sim.client.tree.sync()
    await sim.settle()


async def add_constant_autocomplete(sim: Any) -> None:
    """A command whose option autocompletes to a constant list: the baseline for autocomplete."""
    import discord
    from discord import app_commands

    choices = [app_commands.Choice(name=f"Constant {n}", value=f"constant-{n}") for n in range(1, 26)]

    async def constant_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return choices

    @app_commands.command(name="bench-constant-complete")
    @app_commands.autocomplete(text=constant_choices)
    async def constant(interaction: discord.Interaction, text: str) -> None:
        """Autocompletes to a constant list (benchmark baseline)."""
        await interaction.response.send_message("constant")

    sim.client.tree.add_command(constant)
    await sim.client.tree.sync()
    await sim.settle()


POST_ROUTE = "POST /channels/{channel_id}/messages"


class PostRecorder:
    """Real-time stamps of every REST call the simulator handles (it stamps its own records with the
    manual clock, which does not move during a burst), with the client's TCP port (bots run as child
    processes each have their own connections)."""

    def __init__(self) -> None:
        # key, status, received, answered, channel id, client port
        self.calls: list[tuple[str, int, float, float, str, int]] = []
        self.posted = 0  # successful POSTs of a message (polled by the benches: a counter, not a scan)
        self._undo: Callable[[], None] | None = None

    def install(self, sim: Any) -> None:
        server = sim.server
        handle = server._handle
        calls = self.calls
        recorder = self

        async def timed(request: Any, template: str, handler: Any) -> Any:
            received = time.perf_counter()
            peer = request.transport.get_extra_info("peername") if request.transport is not None else None
            response = await handle(request, template, handler)
            key = f"{request.method} {template}"
            port = int(peer[1]) if peer else 0
            calls.append(
                (key, response.status, received, time.perf_counter(), request.match_info.get("channel_id", ""), port)
            )
            if key == POST_ROUTE and response.status < 300:
                recorder.posted += 1
            return response

        server._handle = timed
        self._undo = lambda: delattr(server, "_handle")

    def uninstall(self) -> None:
        if self._undo is not None:
            self._undo()
            self._undo = None


@dataclass
class BareRun:
    """What the bare loop measured: the baseline of a paced sender."""

    sends: int
    pace: float
    stored: int = 0  # messages the simulator stored
    refused: int = 0  # 429 answers to the loop's POSTs
    first: float = math.nan  # start → the first message stored
    total: float = math.nan  # start → the last message stored

    @property
    def floor(self) -> float:
        return self.sends / self.pace


def message_posts(sim: Any, channel_ids: set[int], since: int = 0) -> list[tuple[int, dict[str, Any]]]:
    """(channel id, JSON body) of each message the bot posted successfully to one of ``channel_ids``
    (``sim.requests`` from index ``since`` on): what the bare loop sends again."""
    posts = []
    for record in sim.server.requests[since:]:
        if record.key != POST_ROUTE or not 200 <= record.status < 300 or not isinstance(record.body, dict):
            continue
        channel_id = int(record.params.get("channel_id", 0))
        if channel_id in channel_ids:
            posts.append((channel_id, record.body))
    return posts


async def bare_loop(
    sim: Any, posts: Sequence[tuple[int, dict[str, Any]]], pace: float, recorder: PostRecorder
) -> BareRun:
    """The baseline for the bot's paced senders: the same messages (bodies as the bot sent them, each with a
    fresh nonce) sent again to the same channels through the same simulator, by a bare discord.py loop at the
    same pace: a fresh ``discord.http.HTTPClient`` (its own rate-limit buckets, as the bot's were at the start of
    its run), one ``request`` per message, started at most ``pace`` per second (never catching up in a burst),
    no database, no claims, no pacer of the bot's. ``recorder`` must be installed on the simulator: the times
    are the simulator's, as for the bot (start → each message stored)."""
    from discord.http import HTTPClient, Route

    run = BareRun(len(posts), pace)
    if not posts:
        return run
    http = HTTPClient(asyncio.get_running_loop())
    await http.static_login(sim.world.token)
    interval = 1.0 / pace
    channels = {str(channel_id) for channel_id, _ in posts}
    before = len(recorder.calls)

    async def send(number: int, channel_id: int, body: dict[str, Any]) -> None:
        payload = dict(body)
        if "nonce" in payload:
            payload["nonce"] = f"bare-{number}"
        route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id)
        await http.request(route, json=payload)

    tasks: list[asyncio.Task[None]] = []
    try:
        started = time.perf_counter()
        slot = started
        for number, (channel_id, body) in enumerate(posts):
            now = time.perf_counter()
            if slot > now:
                await asyncio.sleep(slot - now)
            tasks.append(asyncio.ensure_future(send(number, channel_id, body)))
            slot = max(slot + interval, time.perf_counter())
        results = await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await http.close()
    errors = [result for result in results if isinstance(result, BaseException)]
    if errors:
        raise RuntimeError(f"the bare loop: {len(errors)} of {len(posts)} sends failed, first: {errors[0]!r}")
    mine = [c for c in recorder.calls[before:] if c[0] == POST_ROUTE and c[4] in channels and c[2] >= started]
    stored = sorted(c[3] for c in mine if c[1] < 300)
    run.stored = len(stored)
    run.refused = sum(1 for c in mine if c[1] == 429)
    if stored:
        run.first, run.total = stored[0] - started, stored[-1] - started
    return run


class Watchdog:
    """Ends the run if a step blocks the event loop for longer than ``seconds``.

    It records a FAIL with the main thread's stack at that moment, prints and (with ``--write``)
    writes the report, removes the temporary directory and exits with status 1.
    """

    def __init__(self, seconds: float, report: Report, what: str) -> None:
        self.seconds = seconds
        self.report = report
        self.what = what
        self._main = threading.main_thread().ident
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        frame = sys._current_frames().get(self._main or 0)
        stack = "".join(traceback.format_stack(frame)[-14:]) if frame is not None else "(no stack)"
        self.report.check(f"{self.what}, within {self.seconds:g} s", "did not finish", f"{self.seconds:g} s", False)
        self.report.section(
            f"Stopped: {self.what} took more than {self.seconds:g} s",
            "The event loop was blocked; the main thread was here when the watchdog fired:\n\n"
            f"```text\n{stack.rstrip()}\n```",
        )
        log(f"watchdog: {self.what} took more than {self.seconds:g} s; stopping")
        emit(self.report, [])
        if self.report.tmpdir is not None:
            shutil.rmtree(self.report.tmpdir, ignore_errors=True)
        os._exit(1)


class GcWatch:
    """Durations of the garbage collector's passes while installed (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.pauses: dict[int, Distribution] = defaultdict(Distribution)
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses[info["generation"]].add(time.perf_counter() - self._started)

    def __enter__(self) -> GcWatch:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


def emit(report: Report, profiles: list[str]) -> None:
    """Print the report (and the profiles); with ``--write`` append it to docs/benchmarks.md."""
    text = report.markdown()
    print(text, flush=True)
    for profile in profiles:
        print(profile)
    if report.args.write:
        if not DOC.exists():
            DOC.write_text(
                "# Benchmarks\n\nResults of `bench/` runs, newest last. See bench/README.md.\n\n", encoding="utf-8"
            )
        with DOC.open("a", encoding="utf-8") as doc:
            doc.write("\n" + text + "\n")
        log(f"appended to {DOC}")
    for check in report.failed():
        log(f"FAIL: {check.name}: {check.result} (target {check.target})")
    unjudged = [c for c in report.checks if c.ok is False and not report.judged(c)]
    if unjudged:
        log(f"quick run: {len(unjudged)} full-run target(s) missed, not judged: " + "; ".join(c.name for c in unjudged))
