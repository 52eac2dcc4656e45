"""The discord.py internals `bot.discord_tuning` relies on are still there and still used as it assumes."""

from __future__ import annotations

import asyncio
import inspect

import discord

from bot.discord_tuning import sweep_idle_ratelimits_rarely


async def test_discord_py_still_has_the_bucket_sweep_we_tame_and_it_runs_at_most_once_a_minute() -> None:
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    assert callable(getattr(http, "_try_clear_expired_ratelimits", None)), "discord.py renamed its bucket sweep"
    sweeps = 0

    def counting_sweep() -> None:
        nonlocal sweeps
        sweeps += 1

    http._try_clear_expired_ratelimits = counting_sweep  # type: ignore[method-assign]
    sweep_idle_ratelimits_rarely(http)
    for _ in range(1000):
        http._try_clear_expired_ratelimits()
    assert sweeps == 1
    await http.close()


async def test_discord_py_still_sweeps_through_the_instance_each_time_it_makes_a_bucket() -> None:
    # The patch replaces the method on the instance: it works only while discord.py calls it through
    # `self` when a request makes a new bucket, which is what a request does (`request` -> `get_ratelimit`).
    assert "self.get_ratelimit(" in inspect.getsource(discord.http.HTTPClient.request), (
        "discord.py no longer finds a request's bucket with get_ratelimit: see bot/discord_tuning.py"
    )
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    real_sweep = http._try_clear_expired_ratelimits
    sweeps = 0

    def counting_sweep() -> None:
        nonlocal sweeps
        sweeps += 1
        real_sweep()

    http._try_clear_expired_ratelimits = counting_sweep  # type: ignore[method-assign]
    sweep_idle_ratelimits_rarely(http)
    buckets = [http.get_ratelimit(f"POST /channels/{{channel_id}}/messages:{channel}") for channel in range(1000)]
    assert len(set(map(id, buckets))) == 1000
    assert sweeps == 1, "discord.py no longer sweeps idle buckets when it makes one: the patch is useless"
    await http.close()
