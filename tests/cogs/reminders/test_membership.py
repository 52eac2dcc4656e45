"""`Membership` at a start: reminders that fell due while the bot was away are claimed before the gateway has
brought the servers; the question waits for them and goes to the gateway, not one REST request per member.

The client is a stand-in for discord.py's (not our code): a cache that fills when the gateway is ready."""

from __future__ import annotations

import asyncio
import datetime as dt
from types import SimpleNamespace
from typing import Any

from bot.clock import ManualClock
from bot.delivery import Pacer
from cogs.reminders.membership import Answer, Membership

GUILD = 1000 << 22
MEMBERS = [11, 12, 13]


class StartingClient:
    """discord.py's client while it connects: no servers in its cache until it is ready."""

    def __init__(self) -> None:
        self.ready = asyncio.Event()
        self.guilds: dict[int, Any] = {}
        self.rest_asks: list[tuple[int, int]] = []
        self.gateway_asks: list[list[int]] = []
        self.ws = SimpleNamespace(session_id="s1")
        self.http = SimpleNamespace(get_member=self._get_member)

    async def _get_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        self.rest_asks.append((guild_id, user_id))
        return {"user": {"id": str(user_id)}}

    def get_guild(self, guild_id: int) -> Any:
        return self.guilds.get(guild_id)

    def is_ready(self) -> bool:
        return self.ready.is_set()

    async def wait_until_ready(self) -> None:
        await self.ready.wait()

    def connect(self) -> None:
        """The gateway brings the server (GUILD_CREATE), then READY is done."""

        async def query_members(*, user_ids: list[int], limit: int, cache: bool) -> list[Any]:
            self.gateway_asks.append(list(user_ids))
            return [SimpleNamespace(id=user_id) for user_id in user_ids]

        self.guilds[GUILD] = SimpleNamespace(unavailable=False, query_members=query_members)
        self.ready.set()


async def test_a_question_before_the_servers_arrived_waits_for_the_gateway() -> None:
    client = StartingClient()
    clock = ManualClock(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC))
    membership = Membership(client, clock, Pacer(1000.0))  # type: ignore[arg-type]
    asking = asyncio.create_task(membership.check((GUILD, user) for user in MEMBERS))
    for _ in range(5):
        await asyncio.sleep(0)
    assert not asking.done() and client.rest_asks == []
    client.connect()
    await asyncio.wait_for(asking, 5)
    assert client.rest_asks == [] and client.gateway_asks == [MEMBERS]
    assert await membership.left(MEMBERS[0], {GUILD}) == set()
    assert membership._known((GUILD, MEMBERS[0]), clock.now()) is Answer.MEMBER


async def test_a_server_not_in_the_cache_of_a_ready_client_is_asked_over_rest() -> None:
    client = StartingClient()
    client.ready.set()  # ready, and the server is not among its servers (the bot was removed from it)
    clock = ManualClock(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC))
    membership = Membership(client, clock, Pacer(1000.0))  # type: ignore[arg-type]
    await asyncio.wait_for(membership.check([(GUILD, MEMBERS[0])]), 5)
    assert client.rest_asks == [(GUILD, MEMBERS[0])] and client.gateway_asks == []
