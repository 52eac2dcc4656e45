"""Gateway resilience, rate limits, the shared clock, restarts and child processes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord
import pytest

from tests.discord_sim import Sim
from tests.discord_sim import testbot as tb
from tests.discord_sim.gateway import AppFlag


@pytest.fixture
async def world(testbot_sim: Sim):  # type: ignore[no-untyped-def]
    guild = await testbot_sim.create_guild("MI Fans")
    alice = await testbot_sim.create_user("alice", guild=guild)
    return testbot_sim, guild, guild.channel("general"), alice


async def test_ready_then_guild_create_with_increasing_sequence(world) -> None:  # type: ignore[no-untyped-def]
    sim, guild, _general, _alice = world
    (session,) = sim.server.gateway.sessions.values()
    events = [(p["t"], p["s"]) for p in session.buffer]
    assert events[0] == ("READY", 1)
    assert ("GUILD_CREATE", 2) in events
    assert [s for _, s in events] == sorted({s for _, s in events})
    sent = next(p for p in sim.server.gateway.log if p["op"] == 2)["d"]
    assert sent["intents"] == discord.Intents(guilds=True).value
    assert sim.client.get_guild(guild.id).name == "MI Fans"


async def test_intents_are_honoured(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    await sim.slash(alice, general, "say", text="no MESSAGE_CREATE for a guilds-only bot")
    (session,) = sim.server.gateway.sessions.values()
    kinds = {p["t"] for p in session.buffer}
    assert "MESSAGE_CREATE" not in kinds and "GUILD_MEMBER_ADD" not in kinds
    assert "INTERACTION_CREATE" in kinds


async def test_resume_after_a_drop(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    before = sim.client.ws.session_id
    await sim.drop_gateway()
    assert sim.client.ws.session_id == before
    (session,) = sim.server.gateway.sessions.values()
    assert session.resumes == 1 and session.buffer[-1]["t"] == "RESUMED"
    reply = await sim.slash(alice, general, "about")
    assert reply.embeds


async def test_events_sent_while_down_are_replayed(world) -> None:  # type: ignore[no-untyped-def]
    sim, guild, _general, _alice = world
    await sim.server.gateway.drop()
    role = await guild.create_role("Late")  # dispatched while the socket is down
    await sim._wait_until(
        lambda: any(s.ws is not None and s.resumes for s in sim.server.gateway.sessions.values()), "resume"
    )
    await sim._wait_until(lambda: sim.client.get_guild(guild.id).get_role(role.id) is not None, "replay")


async def test_reconnect_and_resumable_invalid_session(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    await sim.gateway_reconnect()
    await sim.invalidate_session(resumable=True)
    assert len(sim.server.gateway.sessions) == 1
    assert (await sim.slash(alice, general, "about")).embeds


@pytest.mark.slow
async def test_invalid_session_identifies_again(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    await sim.invalidate_session(resumable=False)  # discord.py waits 5 s before a non-initial IDENTIFY
    assert len(sim.server.gateway.sessions) == 2
    assert (await sim.slash(alice, general, "about")).embeds


async def test_privileged_intent_closes_with_4014(bare_sim: Sim) -> None:
    sim = bare_sim
    tb.configure(sim.env())
    client = discord.Client(intents=discord.Intents(guilds=True, members=True))
    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with client:
            await asyncio.wait_for(client.start(sim.world.token), 10)
    assert 4014 in sim.server.gateway.close_codes
    sim.world.application_flags |= AppFlag.GATEWAY_GUILD_MEMBERS
    client = discord.Client(intents=discord.Intents(guilds=True, members=True), guild_ready_timeout=0.05)
    async with client:
        task = asyncio.create_task(client.start(sim.world.token))
        await asyncio.wait_for(client.wait_until_ready(), 10)
        await client.close()
        await task


async def test_bad_token_is_401(bare_sim: Sim) -> None:
    tb.configure(bare_sim.env())
    client = discord.Client(intents=discord.Intents(guilds=True))
    with pytest.raises(discord.LoginFailure):
        async with client:
            await client.login("wrong")
    assert bare_sim.invalid_request_count() == 1


async def test_rate_limit_headers_and_a_429_honoured(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    await sim.slash(alice, general, "say", text="one")
    post = sim.requests_to("POST /channels/{channel_id}/messages")[-1]
    assert post.status == 200
    sim.fail_next("POST /channels/{channel_id}/messages", status=429, retry_after=0.1)
    await sim.slash(alice, general, "say", text="two")
    statuses = [r.status for r in sim.requests_to("POST /channels/{channel_id}/messages")]
    assert statuses == [200, 429, 200]
    assert [m.content for m in sim.channel_messages(general)] == ["one", "two"]
    assert sim.invalid_request_count() == 1


async def test_global_limit_429_and_exemption(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    sim.ratelimits.global_limit = 2
    sim.ratelimits.configure("POST /channels/{channel_id}/messages", 50, 1.0)
    http = sim.client.http
    from discord.http import handle_message_parameters as hmp

    await asyncio.gather(*(http.send_message(general.id, params=hmp(content=f"m{i}", nonce=f"n{i}")) for i in range(4)))
    statuses = [r.status for r in sim.requests_to("POST /channels/{channel_id}/messages")]
    assert statuses.count(429) >= 1 and statuses.count(200) == 4
    limited = next(r for r in sim.requests_to("POST /channels/{channel_id}/messages") if r.status == 429)
    assert limited.response["global"] is True
    reply = await sim.slash(alice, general, "about")  # interaction responses are exempt
    assert reply.embeds


async def test_bucket_headers(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, _alice = world
    route = sim.client.http  # the client reads X-RateLimit-* from every response
    from discord.http import Route

    data, headers = None, None
    async with route._HTTPClient__session.get(  # type: ignore[attr-defined]
        Route.BASE + f"/channels/{general.id}", headers={"Authorization": "Bot " + sim.world.token}
    ) as resp:
        data, headers = await resp.json(), resp.headers
    assert data["name"] == "general"
    assert headers["Content-Type"] == "application/json"
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset-After", "X-RateLimit-Bucket"} <= set(
        headers
    )


@pytest.mark.sim_start("2023-06-01T12:00:00+00:00")
async def test_clock_starts_at_marker_and_moves_forward(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    assert sim.now() == datetime(2023, 6, 1, 12, tzinfo=UTC)
    reply = await sim.slash(alice, general, "about")
    assert reply.message.timestamp == sim.now()
    snowflake_ms = (reply.message.id >> 22) + 1420070400000
    assert snowflake_ms == int(sim.now().timestamp() * 1000)
    await sim.advance(timedelta(days=1))
    assert sim.now() == datetime(2023, 6, 2, 12, tzinfo=UTC)


async def test_interaction_token_expires_after_15_minutes(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    reply = await sim.slash(alice, general, "about")
    await sim.advance(timedelta(minutes=16))
    webhook = discord.Webhook.partial(sim.world.application_id, reply.interaction.token, client=sim.client)
    with pytest.raises(discord.HTTPException, match="50027"):
        await webhook.send("too late")


async def test_restart_bot_keeps_the_world(world) -> None:  # type: ignore[no-untyped-def]
    sim, guild, general, alice = world
    await sim.slash(alice, general, "say", text="before")
    await sim.restart_bot()
    assert sim.client.get_guild(guild.id) is not None
    await sim.slash(alice, general, "say", text="after")
    assert [m.content for m in sim.channel_messages(general)] == ["before", "after"]
    assert len(sim.server.gateway.sessions) == 2


async def test_child_process_bot_killed_and_restarted(bare_sim: Sim, tmp_path: Path) -> None:
    sim = bare_sim
    guild = await sim.create_guild("MI Fans")
    alice = await sim.create_user("alice", guild=guild)
    general = guild.channel("general")
    await sim.spawn_bot()
    assert (await sim.slash(alice, general, "film info", title="Fallout")).content == "Film: Fallout"
    sim.kill_bot()
    assert await sim.wait_bot_exit() == -9
    await sim.spawn_bot()
    assert (await sim.slash(alice, general, "about")).embeds[0]["title"] == "Marquee test bot"
    assert (tmp_path / "bot-1.log").exists()


async def test_spawn_replaces_in_process_bot_and_respawns_after_kill(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    await sim.spawn_bot()  # the in-process bot is stopped first
    assert sim.client is None
    sim.kill_bot()
    await sim.spawn_bot()  # the killed child is reaped
    assert (await sim.slash(alice, general, "about")).embeds


async def test_a_crashed_bot_is_reported(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    await sim.client.close()  # serve() returns while the harness still expects the bot
    with pytest.raises(Exception, match="stopped unexpectedly"):
        await sim.slash(alice, general, "about")
