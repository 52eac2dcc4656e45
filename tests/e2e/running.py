"""Shared by end-to-end tests that build their own simulator or run Marquee as a child process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any


async def marquee_serve(env: Mapping[str, str], clock: Any, started: Any) -> None:
    """The production entry point, as the simulator's in-process bot driver calls it."""
    from bot.runner import serve
    from bot.settings import load_settings

    await serve(load_settings(None, env), clock=clock, started=started)


def marquee_serve_shards(shards: str, shard_count: str) -> Callable[[Mapping[str, str], Any, Any], Awaitable[None]]:
    """The production entry point running some shards, as `python -m bot run --shards ... --shard-count ...`."""

    async def serve_shards(env: Mapping[str, str], clock: Any, started: Any) -> None:
        from bot.runner import serve
        from bot.settings import load_settings
        from bot.sharding import shard_plan

        settings = load_settings(None, env)
        plan = shard_plan(settings.sharding.count, shards, shard_count)
        await serve(settings, clock=clock, started=started, shards=plan)

    return serve_shards


async def eventually(condition: Callable[[], bool], what: str, within: float = 15.0, step: float = 0.02) -> None:
    """Wait (real time) until `condition()` holds; fail after `within` seconds."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(step)
