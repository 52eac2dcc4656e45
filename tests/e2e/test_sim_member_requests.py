"""Request Guild Members (gateway op 8) and its GUILD_MEMBERS_CHUNK answers, as Discord documents them."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import discord

from tests.discord_sim import Sim
from tests.discord_sim.gateway import Intent


async def test_query_members_by_id_finds_members_and_says_who_is_not_one(testbot_sim: Sim) -> None:
    sim = testbot_sim
    guild = await sim.create_guild("MI Fans")
    alice = await sim.create_user("alice", guild=guild)
    bob = await sim.create_user("bob", guild=guild)
    stranger = await sim.create_user("stranger")
    client_guild = sim.client.get_guild(guild.id)

    found = await client_guild.query_members(user_ids=[alice.id, stranger.id, bob.id], limit=3, cache=False)

    assert sorted(m.id for m in found) == sorted([alice.id, bob.id])
    assert all(isinstance(m, discord.Member) and m.guild.id == guild.id for m in found)
    (asked,) = sim.member_requests()
    (session,) = sim.server.gateway.sessions.values()
    (chunk,) = [p["d"] for p in session.buffer if p["t"] == "GUILD_MEMBERS_CHUNK"]
    assert chunk["not_found"] == [str(stranger.id)]
    assert (chunk["chunk_index"], chunk["chunk_count"], chunk["guild_id"]) == (0, 1, str(guild.id))
    assert chunk["nonce"] == asked["nonce"]
    assert all("user" in m for m in chunk["members"])


async def test_a_member_who_left_is_not_found(testbot_sim: Sim) -> None:
    sim = testbot_sim
    guild = await sim.create_guild("MI Fans")
    alice = await sim.create_user("alice", guild=guild)
    await sim.remove_member(guild, alice)
    found = await sim.client.get_guild(guild.id).query_members(user_ids=[alice.id], limit=1, cache=False)
    assert found == []


class RawSession:
    """A bare gateway connection, to send what discord.py would refuse to."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws

    async def send(self, op: int, data: Any) -> None:
        await self.ws.send_str(json.dumps({"op": op, "d": data}))

    async def next_dispatch(self, name: str) -> dict[str, Any]:
        async for msg in self.ws:
            payload = json.loads(msg.data)
            if payload.get("t") == name:
                return dict(payload["d"])
        raise AssertionError(f"the socket closed ({self.ws.close_code}) before {name}")

    async def close_code(self) -> int | None:
        """Read until the server closes the socket; its close code."""
        async for _msg in self.ws:
            pass
        return self.ws.close_code


async def identified(session: aiohttp.ClientSession, sim: Sim, intents: int) -> RawSession:
    ws = await session.ws_connect(sim.server.ws_url)
    raw = RawSession(ws)
    await ws.receive()  # HELLO
    await raw.send(2, {"token": sim.world.token, "intents": intents, "properties": {}})
    await raw.next_dispatch("READY")
    return raw


async def test_more_than_100_user_ids_or_neither_query_nor_ids_close_the_socket(bare_sim: Sim) -> None:
    sim = bare_sim
    guild = sim.world.add_guild("MI Fans")
    async with aiohttp.ClientSession() as http:
        raw = await identified(http, sim, Intent.GUILDS)
        await raw.send(8, {"guild_id": str(guild.id), "user_ids": [str(n) for n in range(1, 102)], "limit": 0})
        assert await raw.close_code() == 4001
        raw = await identified(http, sim, Intent.GUILDS)
        await raw.send(8, {"guild_id": str(guild.id), "limit": 5})
        assert await raw.close_code() == 4001
    assert sim.server.gateway.close_codes == [4001, 4001]


async def test_the_whole_list_needs_the_members_intent_and_a_long_nonce_is_dropped(bare_sim: Sim) -> None:
    sim = bare_sim
    guild = sim.world.add_guild("MI Fans")
    for name in ("ethan", "luther", "benji"):
        sim.world.add_member(guild, sim.world.add_user(name))
    sim.world.application_flags |= 1 << 15  # GATEWAY_GUILD_MEMBERS_LIMITED
    async with aiohttp.ClientSession() as http:
        plain = await identified(http, sim, Intent.GUILDS)
        await plain.send(8, {"guild_id": str(guild.id), "query": "", "limit": 0, "nonce": "whole"})
        await plain.send(8, {"guild_id": str(guild.id), "query": "LU", "limit": 5, "nonce": "x" * 33})
        answered = await plain.next_dispatch("GUILD_MEMBERS_CHUNK")  # the first request got nothing
        assert "nonce" not in answered
        assert [m["user"]["username"] for m in answered["members"]] == ["luther"]
        members = await identified(http, sim, Intent.GUILDS | Intent.GUILD_MEMBERS)
        await members.send(8, {"guild_id": str(guild.id), "query": "", "limit": 0, "nonce": "whole"})
        everyone = await members.next_dispatch("GUILD_MEMBERS_CHUNK")
        assert everyone["nonce"] == "whole" and len(everyone["members"]) == len(guild.members) > 3
