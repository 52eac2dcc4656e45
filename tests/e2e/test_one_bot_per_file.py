"""One SQLite file serves one running bot: a second `run` on it is refused before it connects."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.discord_sim import Sim

ROOT = Path(__file__).resolve().parents[2]


async def run_child(sim: Sim) -> tuple[int, str]:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        env={**os.environ, **sim.env()}, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(child.communicate(), 60)
    assert child.returncode is not None
    return child.returncode, err.decode()


async def test_a_second_bot_on_the_same_sqlite_file_is_refused_in_one_line(sim: Sim) -> None:
    assert sim.client is not None  # the in-process bot runs on sim.database_path
    sessions = len(sim.server.gateway.sessions)
    code, err = await run_child(sim)
    assert code == 2, err
    (line,) = err.strip().splitlines()
    assert f"database {sim.database_path} is in use by another running Marquee (process {os.getpid()})" in line
    assert len(sim.server.gateway.sessions) == sessions  # it never connected
    # Once the first bot stops, the file is free again (the lock goes with the process holding it).
    await sim.stop_bot()
    await sim.spawn_bot()
    assert sim.bot_driver is not None and sim.bot_driver.running
