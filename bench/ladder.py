"""The size ladder of ``bench.lookup``: the real bot started on catalogues of growing size.

Each rung's bot runs in a process of its own (``python -m bench.lookup --rung-child SPEC``), so that
its resident memory is the bot's (and the simulator's, which is small before traffic) rather than the
bench's: the parent holds the generated catalogues, their queries and the larger rungs' builds.
The child reads its memory from /proc once the bot's start-up work is done, then times autocomplete
and ``/film info`` through the simulator, typo'd queries included, and prints its findings as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.common import REPO, Distribution, Probe, _marquee_serve, cogs_left_out, hook, log

MEMORY_LIMIT_MIB = 1536.0
"""The issue's ceiling on the bot's resident memory after start (1.5 GiB, on a 2 GiB machine)."""
TARGET_READ_SCALING = 1.0
"""The index read at start on a rung ≤ this × (its films ÷ the first rung's) × the first rung's read."""
TARGET_P99_RATIO = 1.5
"""Autocomplete and ``/film info`` p99 on a rung ≤ this × the first rung's, measured in the same run."""


@dataclass(frozen=True)
class Rung:
    films: int
    people: int

    @property
    def name(self) -> str:
        return f"{self.films:,} films / {self.people:,} people"


def parse_ladder(text: str) -> list[Rung]:
    """``"10000x50000,100000x500000"``: films × people of each rung, smallest first."""
    rungs: list[Rung] = []
    for part in text.split(","):
        films, _, people = part.strip().partition("x")
        if not films.isdecimal() or not people.isdecimal() or int(films) < 1 or int(people) < 1:
            raise argparse.ArgumentTypeError(f"a rung is FILMSxPEOPLE, like 10000x50000, not {part.strip()[:40]!r}")
        rungs.append(Rung(int(films), int(people)))
    if len(rungs) < 2:
        raise argparse.ArgumentTypeError("a ladder needs at least two rungs")
    return sorted(rungs, key=lambda rung: (rung.films, rung.people))


def memory_now() -> tuple[float, float]:
    """This process's resident memory now and at its peak (``VmRSS``, ``VmHWM`` of /proc), in MiB."""
    found: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) / 1024
    return found.get("VmRSS", float("nan")), found.get("VmHWM", float("nan"))


@dataclass
class RungResult:
    """What a rung's child process measured (times in seconds, memory in MiB)."""

    started: float
    settled: float
    rss: float
    hwm: float
    rss_indexed: float
    """``VmRSS`` once the indexes were ready, before the film cards and the trivia pool were (they run alongside)."""
    complete: list[float]
    info: list[float]
    failures: list[str]
    unfinished: list[str]
    traced: list[str]
    """With ``--trace-memory``: the lines that allocated most of what is alive after start."""


# --------------------------------------------------------------------------- the bot, started


async def start_marquee(database_path: Path, patience: float, spec_check: bool) -> tuple[Any, float]:
    """The simulator and Marquee in this process on ``database_path``; returns them and the start time."""
    from tests.discord_sim import Sim

    env = {
        "MARQUEE_DATABASE_PATH": str(database_path),
        # An empty list: load no pack at start (the catalogue is already in the database; the
        # settings loader drops empty items, and without this the bundled pack would be loaded).
        "MARQUEE_PACKS_LOAD": "",
        "MARQUEE_LOGGING_LEVEL": "WARNING",
    }
    sim = Sim(database_path.parent / "sim", serve=_marquee_serve, env=env, timeout=patience)
    if not spec_check:
        # The OpenAPI check is the test suite's assertion, not part of Discord: jsonschema costs the
        # simulator more per embed (about 6 ms) than the bot spends answering.
        sim.server.validator = None
        sim.server.check_responses = False
    sim.tmp_path.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    await sim.start()
    return sim, time.perf_counter() - started


async def settle(
    sim: Any, patience: float, started: float, memory: dict[str, float] | None = None
) -> tuple[dict[str, float], list[str]]:
    """Wait for the bot's start-up work in worker threads (indexes, then the film cards, and the trivia
    pool): when each finished (seconds after ``started``), and what is still running after ``patience`` seconds.
    With ``memory``, the resident memory (MiB) once the indexes are ready goes into it as "indexes"."""
    finished: dict[str, float] = {}

    def watch(what: str, task: asyncio.Task[Any] | None) -> asyncio.Task[Any] | None:
        if task is not None:
            task.add_done_callback(lambda _: finished.setdefault(what, time.perf_counter() - started))
        return task

    lookup_service, trivia_engine = sim.client.services.lookup, sim.client.services.trivia
    indexing = watch("film indexes", hook(lookup_service, "indexing"))
    trivia_pool = watch("trivia question pool", hook(trivia_engine.pool, "task"))
    if indexing is not None:
        await asyncio.wait([indexing], timeout=patience)
    if memory is not None:
        memory["indexes"] = memory_now()[0]
    # The cards are started once the indexes are built.
    cards = watch("film cards", hook(lookup_service, "cards_and_keeping"))
    later = [task for task in (cards, trivia_pool) if task is not None]
    deadline = time.perf_counter() + patience
    if later:
        await asyncio.wait(later, timeout=patience)
    # A pool build may be replaced by another (the first cancelled, its worker thread still running):
    # the pool is ready when it holds questions.
    pool = trivia_engine.pool if trivia_engine is not None else None
    while pool is not None and not pool.questions and pool.task is not None and time.perf_counter() < deadline:
        await asyncio.wait([pool.task], timeout=max(0.0, deadline - time.perf_counter()))
        if pool.task.done() and not pool.questions:
            break
    unfinished = [
        what
        for what, task in (("film indexes", indexing), ("film cards", cards))
        if task is not None and not task.done()
    ]
    if pool is not None and not pool.questions:
        unfinished.append("trivia question pool")
    return finished, unfinished


AUTOCOMPLETED = {"films": ("film info", "title"), "people": ("person", "name")}


async def measure_rung(spec: dict[str, Any]) -> RungResult:
    """The child's work: start the bot, read its memory, then time its answers through the simulator."""
    database_path = Path(spec["database"])
    timeout = float(spec["timeout"])
    if spec["trace"]:
        tracemalloc.start()
    begun = time.perf_counter()
    sim, started = await start_marquee(database_path, timeout, bool(spec["spec_check"]))
    try:
        at_indexes: dict[str, float] = {}
        finished, unfinished = await settle(sim, timeout, begun, at_indexes)
        rss, hwm = memory_now()
        traced = _largest_allocations(tracemalloc.take_snapshot()) if spec["trace"] else []
        tracemalloc.stop()
        log(f"rung child: bot settled {max(finished.values(), default=started):.1f} s after start; RSS {rss:.0f} MiB")
        guild = await sim.create_guild("Ladder Fans")
        user = await sim.create_user("ladder", guild=guild)
        channel = guild.channel("general")
        sim.quiet = 0.0
        probe = Probe()
        probe.install(sim)
        failures: list[str] = []
        complete, info = Distribution(), Distribution()
        try:
            for _, index, query in spec["completions"][:5]:  # warm-up
                await sim.autocomplete(user, channel, *AUTOCOMPLETED[index], query)
            deadline = time.perf_counter() + float(spec["budget"])
            for _, index, query in spec["completions"]:
                try:
                    await sim.autocomplete(user, channel, *AUTOCOMPLETED[index], query)
                except Exception as error:  # a failed interaction is reported, and fails the run
                    failures.append(f"autocomplete {query!r}: {error}")
                    continue
                span = probe.span(probe.last_interaction(), "sim_sent", "sim_received")
                if span is not None:
                    complete.add(span)
                if time.perf_counter() > deadline:
                    break
            deadline = time.perf_counter() + float(spec["budget"])
            for _, title in spec["titles"]:
                try:
                    reply = await sim.slash(user, channel, "film info", title=title)
                except Exception as error:
                    failures.append(f"/film info {title!r}: {error}")
                    continue
                span = probe.span(reply.interaction.id, "sim_sent", "sim_received")
                if span is not None:
                    info.add(span)
                if time.perf_counter() > deadline:
                    break
        finally:
            probe.uninstall()
    finally:
        await sim.close()
    return RungResult(
        started=started,
        settled=max(finished.values(), default=started),
        rss=rss,
        hwm=hwm,
        rss_indexed=at_indexes.get("indexes", float("nan")),
        complete=complete.values,
        info=info.values,
        failures=failures,
        unfinished=unfinished,
        traced=traced,
    )


def _largest_allocations(snapshot: tracemalloc.Snapshot, top: int = 20) -> list[str]:
    """The source lines holding most of the memory still allocated, biggest first."""
    statistics = snapshot.statistics("lineno")
    total = sum(stat.size for stat in statistics)
    lines = [f"all traced: {total / 2**20:.1f} MiB in {sum(stat.count for stat in statistics):,} blocks"]
    for stat in statistics[:top]:
        frame = stat.traceback[0]
        where = os.path.relpath(frame.filename, REPO) if frame.filename.startswith(str(REPO)) else frame.filename
        lines.append(f"{stat.size / 2**20:.1f} MiB in {stat.count:,} blocks: {where}:{frame.lineno}")
    return lines


def rung_child(spec_path: Path) -> int:
    """``python -m bench.lookup --rung-child SPEC``: measure one rung and print the result as JSON."""
    spec = json.loads(spec_path.read_text())
    with cogs_left_out(spec["exclude_cog"]):
        # Not `asyncio.run`: closing its loop waits for the worker threads, and a build still running
        # (reported as unfinished) would keep the process alive until it ends.
        result = asyncio.new_event_loop().run_until_complete(measure_rung(spec))
    print(json.dumps(asdict(result)), flush=True)
    os._exit(0)


def run_rung_child(
    database_path: Path,
    completions: Sequence[tuple[str, str, str]],
    titles: Sequence[tuple[str, str]],
    *,
    timeout: float,
    budget: float,
    spec_check: bool,
    trace: bool = False,
    exclude_cog: Sequence[str] = (),
) -> RungResult:
    """Measure a rung in a fresh process (see the module docstring)."""
    spec_path = database_path.with_name(f"{database_path.stem}-rung-spec.json")
    spec = {
        "database": str(database_path),
        "completions": list(completions),
        "titles": list(titles),
        "timeout": timeout,
        "budget": budget,
        "spec_check": spec_check,
        "trace": trace,
        "exclude_cog": list(exclude_cog),
    }
    spec_path.write_text(json.dumps(spec))
    command = [sys.executable, "-m", "bench.lookup", "--rung-child", str(spec_path)]
    done = subprocess.run(
        command, cwd=REPO, stdout=subprocess.PIPE, text=True, timeout=3 * timeout + 4 * budget, env=dict(os.environ)
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"the rung child on {database_path.name} exited with {done.returncode}")
    return RungResult(**json.loads(done.stdout.strip().splitlines()[-1]))
