"""Marquee itself on the simulator: login, command sync, /about, restart, child process."""

from __future__ import annotations

from tests.discord_sim import Sim


async def test_marquee_logs_in_and_syncs(sim: Sim) -> None:
    routes = {r.key for r in sim.requests}
    assert {"GET /users/@me", "GET /oauth2/applications/@me", "PUT /applications/{application_id}/commands"} <= routes
    assert "about" in {c["name"] for c in sim.commands()}


async def test_about_round_trip(sim: Sim) -> None:
    guild = await sim.create_guild("MI Fans")
    alice = await sim.create_user("alice", guild=guild)
    reply = await sim.slash(alice, guild.channel("general"), "about")
    assert reply.embeds and reply.embeds[0]["title"] == "Marquee"
    assert not reply.ephemeral


async def test_restart_does_not_resync_unchanged_commands(sim: Sim) -> None:
    await sim.restart_bot()
    puts = sim.requests_to("PUT /applications/{application_id}/commands")
    assert len(puts) == 1
    guild = await sim.create_guild("MI Fans")
    alice = await sim.create_user("alice", guild=guild)
    assert (await sim.slash(alice, guild.channel("general"), "about")).embeds


async def test_help(sim: Sim) -> None:
    guild = await sim.create_guild("MI Fans")
    alice = await sim.create_user("alice", guild=guild)
    reply = await sim.slash(alice, guild.channel("general"), "help")
    assert reply.text()


async def test_child_process_marquee_killed_and_restarted(sim: Sim) -> None:
    await sim.stop_bot()
    guild = await sim.create_guild("MI Fans")
    alice = await sim.create_user("alice", guild=guild)
    await sim.spawn_bot()
    assert (await sim.slash(alice, guild.channel("general"), "about")).embeds
    sim.kill_bot()
    assert await sim.wait_bot_exit() == -9
    await sim.spawn_bot()
    assert (await sim.slash(alice, guild.channel("general"), "about")).embeds
