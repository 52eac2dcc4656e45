"""The one place Marquee changes discord.py's private behaviour: idle rate-limit buckets swept rarely.

discord.py keeps a bucket per route it writes to and, once it holds 256, scans all of them for idle
ones each time it makes a new one (`HTTPClient.get_ratelimit` calls `_try_clear_expired_ratelimits`).
A burst of reminder DMs writes to thousands of new DM channels, so those scans grow with the square of
the burst (measured in docs/benchmarks.md, fan-out). The patch relies on private names: the
test `tests/bot/test_discord_tuning.py` fails when a discord.py release changes them, instead of the
patch silently doing nothing.
"""

from __future__ import annotations

import time

import discord

RATELIMIT_SWEEP_EVERY = 60.0


def sweep_idle_ratelimits_rarely(http: discord.http.HTTPClient) -> None:
    """Let discord.py forget idle rate-limit buckets at most once a minute.

    Buckets idle for five minutes are still forgotten, a minute later at worst.
    """
    sweep = getattr(http, "_try_clear_expired_ratelimits", None)
    if sweep is None:  # a discord.py without the scan: nothing to tame (the test says so loudly)
        return
    last = -RATELIMIT_SWEEP_EVERY

    def sweep_rarely() -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= RATELIMIT_SWEEP_EVERY:
            last = now
            sweep()

    http._try_clear_expired_ratelimits = sweep_rarely  # type: ignore[method-assign]
