"""Marquee sharded: two processes (here two in-process bots) each running one of two shards against one
local Discord, one process auto-sharded, and `python -m bot run --shards` as a child process.

Each in-process bot has its own SQLite file: two processes on one SQLite file is not a supported setup
(several processes share a PostgreSQL database), and this test is about the gateway and command sync.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from tests.discord_sim import Sim
from tests.e2e.running import eventually, marquee_serve, marquee_serve_shards

PUT_GLOBAL_COMMANDS = "PUT /applications/{application_id}/commands"
CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"


def interactions_seen_by(client: Any) -> list[int]:
    """The ids of the interactions `client` receives from now on (discord.py's on_interaction)."""
    seen: list[int] = []

    async def on_interaction(interaction: Any) -> None:
        seen.append(interaction.id)

    listener: Callable[[Any], Awaitable[None]] = on_interaction
    client.add_listener(listener, "on_interaction")
    return seen


async def test_two_processes_answer_their_own_shards_and_sync_commands_once(tmp_path: Path) -> None:
    sim = Sim(tmp_path, serve=marquee_serve_shards("0", "2"))
    try:
        await sim.start()
        first = sim.client
        second = await sim.start_another_bot(
            marquee_serve_shards("1", "2"), env={"MARQUEE_DATABASE_PATH": str(tmp_path / "marquee-shard-1.db")}
        )
        assert (first.shard_count, first.shard_ids, second.shard_count, second.shard_ids) == (2, [0], 2, [1])
        shards = sorted(s.shard for s in sim.server.gateway.live_sessions() if s.shard is not None)
        assert shards == [(0, 2), (1, 2)]
        assert len(sim.requests_to(PUT_GLOBAL_COMMANDS)) == 1
        assert "about" in {c["name"] for c in sim.commands()}

        even = await sim.create_guild_on_shard("Even", 0, 2)
        odd = await sim.create_guild_on_shard("Odd", 1, 2)
        assert first.get_guild(even.id) is not None and first.get_guild(odd.id) is None
        assert second.get_guild(odd.id) is not None and second.get_guild(even.id) is None
        alice = await sim.create_user("alice", guild=even)
        bob = await sim.create_user("bob", guild=odd)
        seen_first, seen_second = interactions_seen_by(first), interactions_seen_by(second)

        in_even = await sim.slash(alice, even.channel("general"), "about")
        in_odd = await sim.slash(bob, odd.channel("general"), "about")
        in_dm = await sim.slash(bob, None, "about")

        for reply in (in_even, in_odd, in_dm):
            assert reply.embeds and reply.embeds[0]["title"] == "Marquee"
        assert seen_first == [in_even.interaction.id, in_dm.interaction.id]
        assert seen_second == [in_odd.interaction.id]
        callbacks = [r.path for r in sim.requests_to(CALLBACK)]
        assert len(callbacks) == 3
        for reply in (in_even, in_odd, in_dm):
            assert sum(f"/interactions/{reply.interaction.id}/" in path for path in callbacks) == 1

        # A restart of each syncs nothing more: shard 1's never syncs, shard 0's finds the commands unchanged.
        await sim.restart_bot()
        assert len(sim.requests_to(PUT_GLOBAL_COMMANDS)) == 1
        sim.check_violations()
    finally:
        await sim.close()


async def test_auto_sharding_runs_the_recommended_shards_in_one_process(tmp_path: Path) -> None:
    sim = Sim(tmp_path, serve=marquee_serve, env={"MARQUEE_SHARDING_COUNT": "auto"}, timeout=30.0)
    sim.server.gateway.recommended_shards = 2
    try:
        await sim.start()
        bot = sim.client
        assert bot.shard_count == 2 and sorted(bot.shards) == [0, 1]
        assert sorted(s.shard for s in sim.server.gateway.live_sessions() if s.shard is not None) == [(0, 2), (1, 2)]
        assert len(sim.requests_to("GET /gateway/bot")) >= 1
        assert len(sim.requests_to(PUT_GLOBAL_COMMANDS)) == 1
        even = await sim.create_guild_on_shard("Even", 0, 2)
        odd = await sim.create_guild_on_shard("Odd", 1, 2)
        alice = await sim.create_user("alice", guild=even)
        await sim.add_member(odd, alice)
        for guild in (even, odd):
            reply = await sim.slash(alice, guild.channel("general"), "about")
            assert reply.embeds and reply.embeds[0]["title"] == "Marquee"
        sim.check_violations()
    finally:
        await sim.close()


async def test_run_with_shards_identifies_as_those_shards_and_leaves_sync_to_shard_0(tmp_path: Path) -> None:
    sim = Sim(tmp_path)
    try:
        await sim.start()
        await sim.spawn_bot(["-m", "bot", "run", "--shards", "1", "--shard-count", "2"])
        assert [s.shard for s in sim.server.gateway.live_sessions()] == [(1, 2)]
        assert sim.requests_to(PUT_GLOBAL_COMMANDS) == []
        assert sim.requests_to("GET /gateway/bot") == []  # the count was given: nothing to ask
    finally:
        await sim.close()


def on_ready_running() -> bool:
    # discord.py names the task of each on_ready listener so.
    return any(not task.done() and task.get_name() == "discord.py: on_ready" for task in asyncio.all_tasks())


def departures(database: Path) -> set[int]:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return {row[0] for row in db.execute("SELECT guild_id FROM guild_departures")}


async def test_a_process_does_not_take_other_shards_servers_for_removed(sim: Sim) -> None:
    even = await sim.create_guild_on_shard("Even", 0, 2)
    odd = await sim.create_guild_on_shard("Odd", 1, 2)
    for guild in (even, odd):
        admin = await sim.create_user(f"admin-{guild.name}", guild=guild, admin=True)
        reply = await sim.slash(admin, guild.channel("general"), "settings server set", timezone="Europe/London")
        assert "Europe/London" in reply.content
    await sim.stop_bot()
    await sim.remove_bot(odd)  # removed while no process runs

    # The process for shard 1 only, on the same database: it sees Odd gone, and nothing of Even.
    shard_1 = await sim.start_another_bot(marquee_serve_shards("1", "2"))
    await eventually(lambda: not on_ready_running(), "the bot's on_ready listeners to finish")
    assert shard_1.get_guild(even.id) is None
    assert departures(sim.database_path) == {odd.id}


def game_statuses(database: Path) -> dict[int, str]:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return {guild: status for guild, status in db.execute("SELECT guild_id, status FROM trivia_games")}


async def test_a_process_ends_only_its_own_shards_interrupted_trivia_games(sim: Sim) -> None:
    even = await sim.create_guild_on_shard("Even", 0, 2)
    odd = await sim.create_guild_on_shard("Odd", 1, 2)
    for guild in (even, odd):
        player = await sim.create_user(f"player-{guild.name}", guild=guild)
        await sim.slash(player, guild.channel("general"), "trivia start", questions=5)
    assert game_statuses(sim.database_path) == {even.id: "running", odd.id: "running"}
    await sim.stop_bot()

    # The process for shard 1 starts first: Odd's game was cut short, Even's belongs to shard 0's process.
    await sim.start_another_bot(marquee_serve_shards("1", "2"))
    await eventually(lambda: game_statuses(sim.database_path)[odd.id] == "interrupted", "Odd's game to end")
    assert game_statuses(sim.database_path)[even.id] == "running"
    interrupted = [m for m in sim.channel_messages(even.channel("general")) if "interrupted" in str(m.embeds)]
    assert interrupted == []
