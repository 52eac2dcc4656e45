"""The simulator's own tests: login, sync, interactions, components."""

from __future__ import annotations

from tests.discord_sim import Sim


async def test_login_ready_and_sync(testbot_sim: Sim) -> None:
    sim = testbot_sim
    routes = [r.key for r in sim.requests]
    assert "GET /users/@me" in routes
    assert "PUT /applications/{application_id}/commands" in routes
    names = {c["name"] for c in sim.commands()}
    assert {"about", "film", "pager"} <= names
    assert sim.client.user.id == sim.world.bot_user.id


async def test_about_round_trip(testbot_sim: Sim) -> None:
    sim = testbot_sim
    guild = await sim.create_guild("MI Fans")
    general = guild.channel("general")
    alice = await sim.create_user("alice", guild=guild)
    reply = await sim.slash(alice, general, "about")
    assert reply.embeds[0]["title"] == "Marquee test bot"
    assert not reply.ephemeral
    assert sim.channel_messages(general)[-1].embeds[0]["title"] == "Marquee test bot"
