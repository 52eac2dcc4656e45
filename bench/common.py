"""Pieces shared by the benchmarks in ``bench/``: statistics, the report, the simulator probes.

``bench/lookup.py`` and ``bench/trivia.py`` import from here; see bench/README.md.
"""

from __future__ import annotations

import argparse
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


DIST_HEADER = "| measure | n | p50 ms | p95 ms | p99 ms | max ms |\n| --- | ---: | ---: | ---: | ---: | ---: |"


# --------------------------------------------------------------------------- results


@dataclass
class Check:
    name: str
    result: str
    target: str
    ok: bool | None  # None: informative only


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

    def check(self, name: str, result: str, target: str, ok: bool | None) -> None:
        self.checks.append(Check(name, result, target, ok))

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
            *self.details(),
            "",
            "| target | result | limit | verdict |",
            "| --- | --- | --- | --- |",
        ]
        for c in self.checks:
            verdict = "info" if c.ok is None else ("**pass**" if c.ok else "**FAIL**")
            lines.append(f"| {c.name} | {c.result} | {c.target} | {verdict} |")
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
