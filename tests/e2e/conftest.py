"""Harness fixtures for end-to-end tests: a simulated Discord (``tests.discord_sim``) and the bot.

``sim``: a fresh simulator plus Marquee (``bot.runner.serve``) on an empty temp database, ready.
``testbot_sim``: the same with the simulator's own tiny test bot (used by the simulator's tests).
Mark a test ``@pytest.mark.sim_start("2023-06-01T12:00:00+00:00")`` to start the world at that instant.
At teardown a test fails if the bot made an invalid request it did not expect
(``with sim.expect_violation(): ...`` or ``sim.take_violations()``).
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.discord_sim import Sim  # noqa: E402
from tests.discord_sim import testbot as _testbot  # noqa: E402
from tests.e2e.running import marquee_serve  # noqa: E402


def _start_instant(request: pytest.FixtureRequest) -> datetime | None:
    marker = request.node.get_closest_marker("sim_start")
    if marker is None:
        return None
    start = datetime.fromisoformat(marker.args[0])
    if start.tzinfo is None:
        raise pytest.UsageError("sim_start needs an aware ISO-8601 instant, e.g. 2023-06-01T12:00:00+00:00")
    return start


async def _make(request: pytest.FixtureRequest, tmp_path: Path, serve: Any, argv: list[str]) -> AsyncIterator[Sim]:
    sim = Sim(tmp_path, start=_start_instant(request), serve=serve, spawn_argv=argv)
    try:
        await sim.start()
        yield sim
        await sim.settle()
        sim.check_violations()
    finally:
        await sim.close()


@pytest.fixture
async def sim(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Sim]:
    """A simulator with Marquee logged in to it, on an empty temp database."""
    try:
        import bot.runner
        import bot.settings  # noqa: F401
    except ImportError as exc:  # pragma: no cover - until the bot exists
        pytest.skip(f"Marquee's bot.runner is not importable yet: {exc}")
    async for s in _make(request, tmp_path, marquee_serve, ["-m", "bot", "run"]):
        yield s


@pytest.fixture
async def testbot_sim(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Sim]:
    """A simulator with the simulator's own test bot logged in."""
    async for s in _make(request, tmp_path, _testbot.serve, ["-m", "tests.discord_sim.testbot"]):
        yield s


@pytest.fixture
async def bare_sim(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Sim]:
    """A simulator with no bot started (for child-process and low-level tests)."""
    async for s in _make(request, tmp_path, None, ["-m", "tests.discord_sim.testbot"]):
        yield s
