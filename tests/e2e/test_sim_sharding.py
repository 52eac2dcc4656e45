"""The local Discord's sharding, as Discord documents it: IDENTIFY's `shard`, events routed by
`(guild_id >> 22) % shard_count`, DMs on shard 0, 4010 and 4011, and `GET /gateway/bot`."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from tests.discord_sim import Sim
from tests.discord_sim.gateway import Intent, Session

INTENTS = Intent.GUILDS | Intent.DIRECT_MESSAGES | Intent.GUILD_MESSAGES


class Raw:
    """A bare gateway connection that identifies as one shard and keeps what it received."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ready: dict[str, Any] = {}

    async def identify(self, sim: Sim, shard: list[Any] | None) -> None:
        await self.ws.receive()  # HELLO
        data: dict[str, Any] = {"token": sim.world.token, "intents": INTENTS, "properties": {}}
        if shard is not None:
            data["shard"] = shard
        await self.ws.send_str(json.dumps({"op": 2, "d": data}))

    async def next_dispatch(self, name: str) -> dict[str, Any]:
        async for msg in self.ws:
            payload = json.loads(msg.data)
            if payload.get("t") == name:
                return dict(payload["d"])
        raise AssertionError(f"the socket closed ({self.ws.close_code}) before {name}")

    async def close_code(self) -> int | None:
        async for _msg in self.ws:
            pass
        return self.ws.close_code


async def connect(http: aiohttp.ClientSession, sim: Sim, shard: list[Any] | None) -> Raw:
    raw = Raw(await http.ws_connect(sim.server.ws_url))
    await raw.identify(sim, shard)
    return raw


def session_of(sim: Sim, shard: tuple[int, int] | None) -> Session:
    (session,) = [s for s in sim.server.gateway.sessions.values() if s.shard == shard]
    return session


def received(session: Session, event: str) -> list[dict[str, Any]]:
    return [p["d"] for p in session.buffer if p["t"] == event]


async def test_a_shard_gets_only_its_guilds_and_dms_go_to_shard_0(bare_sim: Sim) -> None:
    sim = bare_sim
    even = await sim.create_guild_on_shard("Even", 0, 2)
    odd = await sim.create_guild_on_shard("Odd", 1, 2)
    alice = await sim.create_user("alice", guild=even)
    async with aiohttp.ClientSession() as http:
        zero = await connect(http, sim, [0, 2])
        one = await connect(http, sim, [1, 2])
        unsharded = await connect(http, sim, None)

        ready = await one.next_dispatch("READY")
        assert ready["shard"] == [1, 2]
        assert [g["id"] for g in ready["guilds"]] == [str(odd.id)]
        assert (await one.next_dispatch("GUILD_CREATE"))["id"] == str(odd.id)
        assert [g["id"] for g in (await zero.next_dispatch("READY"))["guilds"]] == [str(even.id)]
        assert "shard" not in await unsharded.next_dispatch("READY")

        await sim.post(alice, None, "hello in a DM")
        await sim.post(alice, even.channel("general"), "hello in Even")
        await odd.create_channel("odd-news")

        shard_0, shard_1, everything = session_of(sim, (0, 2)), session_of(sim, (1, 2)), session_of(sim, None)
        assert [g["id"] for g in received(shard_0, "GUILD_CREATE")] == [str(even.id)]
        assert [g["id"] for g in received(shard_1, "GUILD_CREATE")] == [str(odd.id)]
        assert [g["id"] for g in received(everything, "GUILD_CREATE")] == [str(even.id), str(odd.id)]
        # Without the Message Content intent a server message's content is empty; the DM's is not.
        dm, in_even = received(shard_0, "MESSAGE_CREATE")
        assert (dm["content"], dm.get("guild_id"), in_even.get("guild_id")) == ("hello in a DM", None, str(even.id))
        assert received(shard_1, "MESSAGE_CREATE") == []
        assert len(received(everything, "MESSAGE_CREATE")) == 2
        assert [c["name"] for c in received(shard_1, "CHANNEL_CREATE")] == ["odd-news"]
        assert received(shard_0, "CHANNEL_CREATE") == []
        # What a socket read is what the session was sent.
        assert (await one.next_dispatch("CHANNEL_CREATE"))["name"] == "odd-news"
        assert (await zero.next_dispatch("MESSAGE_CREATE"))["content"] == "hello in a DM"


async def test_interactions_go_to_their_guilds_shard_and_dm_ones_to_shard_0(bare_sim: Sim) -> None:
    sim = bare_sim
    odd = await sim.create_guild_on_shard("Odd", 1, 2)
    async with aiohttp.ClientSession() as http:
        for shard in ([0, 2], [1, 2]):
            await (await connect(http, sim, shard)).next_dispatch("READY")
        gateway = sim.server.gateway
        assert await gateway.dispatch("INTERACTION_CREATE", {"id": "1", "type": 2, "guild_id": str(odd.id)}) == 1
        assert await gateway.dispatch("INTERACTION_CREATE", {"id": "2", "type": 2, "user": {"id": "5"}}) == 1
        assert [i["id"] for i in received(session_of(sim, (1, 2)), "INTERACTION_CREATE")] == ["1"]
        assert [i["id"] for i in received(session_of(sim, (0, 2)), "INTERACTION_CREATE")] == ["2"]


async def test_an_invalid_shard_closes_with_4010(bare_sim: Sim) -> None:
    sim = bare_sim
    async with aiohttp.ClientSession() as http:
        for shard in ([2, 2], [0, 0], [-1, 2], [0], ["0", "2"], [True, 2]):
            raw = await connect(http, sim, shard)
            assert await raw.close_code() == 4010, shard
    assert sim.server.gateway.sessions == {}


async def test_too_few_shards_for_the_guilds_close_with_4011_only_when_configured(bare_sim: Sim) -> None:
    sim = bare_sim
    for name in ("A", "B", "C"):
        sim.world.add_guild(name)
    async with aiohttp.ClientSession() as http:
        await (await connect(http, sim, None)).next_dispatch("READY")  # off by default
        sim.server.gateway.max_guilds_per_shard = 2
        assert await (await connect(http, sim, None)).close_code() == 4011
        assert await (await connect(http, sim, [0, 1])).close_code() == 4011
        assert "guilds" in await (await connect(http, sim, [1, 2])).next_dispatch("READY")


async def test_gateway_bot_recommends_the_configured_shard_count(bare_sim: Sim) -> None:
    sim = bare_sim
    sim.server.gateway.recommended_shards = 3
    sim.server.gateway.max_concurrency = 16
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bot {sim.world.token}"}
        async with http.get(sim.server.api_url + "/gateway/bot", headers=headers) as answer:
            body = await answer.json()
        await (await connect(http, sim, [0, 3])).next_dispatch("READY")
        async with http.get(sim.server.api_url + "/gateway/bot", headers=headers) as answer:
            after = await answer.json()
    assert body["url"] == sim.server.ws_url
    assert body["shards"] == 3
    limit = body["session_start_limit"]
    assert limit["max_concurrency"] == 16
    assert limit["remaining"] == limit["total"]
    assert after["session_start_limit"]["remaining"] == limit["total"] - 1
