"""Chaos: three bot processes on one PostgreSQL database, SIGKILLed at random and restarted, deliver
5,000 reminder DMs and 500 announcement posts all due in the same minute, each exactly once, with
never a 429 from the local Discord at Discord's own limits.

The three processes are `python -m bot run --shards i --shard-count 3` (i = 0, 1, 2) as child
processes. Any of them sends reminders; a server's posts are sent only by the process holding its
shard, so the servers are spread over all three. They share one rate budget in the database at the
default pace of 40 requests a second, under Discord's global limit of 50 (not raised here: Discord counts
where requests arrive, and on a busy machine the three processes' and the simulator's event loops stall
now and then, so arrivals bunch), and Discord's per-channel limit of 5 posts in 5 seconds holds too: each
server's channel gets 5 posts.

Every few seconds (a seeded random pause) a seeded random process is SIGKILLed and started again.
Before some kills the answers to the next sends are held back after Discord has created the message,
so those kills land with posts or DMs delivered but not yet recorded. The lease is 10 seconds
(`delivery.lease_seconds`), so what a killed process had claimed is taken over soon by whichever
process gets to it first. The loop stops when everything has arrived and every row is recorded as
sent, or at an overall deadline (which fails the test).

As in tests/e2e/test_reminders_crash.py, the children run on the real clock and the simulator's
clock starts ten minutes in the past and never moves: the in-process bot plans everything due five
minutes ago in real time, and a resend always falls in Discord's nonce window. The rows are made
through the bot's own code, in process; DM channels are stored, so each DM is one request.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.discord_sim import Sim
from tests.discord_sim.bots import ChildProcessBot
from tests.discord_sim.harness import GuildHandle, open_sim
from tests.discord_sim.state import User
from tests.e2e.running import eventually, marquee_serve
from tests.e2e.test_reminders_crash import subscribe_everyone
from tests.postgres import fresh_schema, require_postgres, test_database_url

POST = "POST /channels/{channel_id}/messages"
SHARDS = 3
SEED = 20261207
MEMBERS = 5_000
SERVERS = 100  # with announcements, spread over the three shards
EVENTS_PER_SERVER = 5  # posts in each server's channel: Discord allows 5 in 5 seconds
PACE = 40  # requests a second, all processes together (the default); Discord allows 50
LEASE_SECONDS = 10
EVENT = "Premiere night"
HELD = 9  # sends whose answers are held back (after Discord created the message) before a held kill
HOLD = 1.5  # seconds
PAUSE = (2.0, 5.0)  # seconds between kills
WATCH_PARTY = re.compile(r"Watch party (\d+-\d+)")
DEADLINE = 600.0  # seconds for the whole fan-out (the floor is 5,500 / 40 = 138 s); a busy machine is slower


@pytest.fixture
async def schema() -> AsyncIterator[tuple[str, str]]:
    """(the server's URL, a fresh schema in it)."""
    server = test_database_url()
    require_postgres(server)
    async with fresh_schema(server) as name:
        yield server, name


class Database:
    """The test's own look at the bot's tables (another connection, read only)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def reminders(self) -> list[asyncpg.Record]:
        return await self.conn.fetch("SELECT user_id, status, message_id, attempts FROM reminders ORDER BY id")

    async def posts(self, before: datetime) -> list[asyncpg.Record]:
        return await self.conn.fetch(
            "SELECT guild_id, nonce, status, message_id, attempts FROM announcement_posts WHERE due_at <= $1 "
            "ORDER BY id",
            before.isoformat(),
        )

    async def unfinished(self, before: datetime) -> int:
        """Due rows not yet recorded as sent."""
        reminders = await self.conn.fetchval("SELECT COUNT(*) FROM reminders WHERE status <> 'sent'")
        posts = await self.conn.fetchval(
            "SELECT COUNT(*) FROM announcement_posts WHERE due_at <= $1 AND status <> 'sent'", before.isoformat()
        )
        return int(reminders) + int(posts)

    async def sending(self) -> int:
        reminders = await self.conn.fetchval("SELECT COUNT(*) FROM reminders WHERE status = 'sending'")
        posts = await self.conn.fetchval("SELECT COUNT(*) FROM announcement_posts WHERE status = 'sending'")
        return int(reminders) + int(posts)


class Received:
    """What members and servers received, cheaply enough to poll during the fan-out."""

    def __init__(self, sim: Sim, members: list[User], news: list[int]) -> None:
        self.sim = sim
        self.dm_channels = {sim.world.dm_channel(member).id: member.id for member in members}
        self.news = set(news)
        self.bot_id = sim.world.bot_user.id

    def _messages(self) -> list[Any]:
        return [m for m in list(self.sim.world.messages.values()) if not m.deleted and m.author.id == self.bot_id]

    def dms(self) -> Counter[int]:
        return Counter(self.dm_channels[m.channel_id] for m in self._messages() if m.channel_id in self.dm_channels)

    def posts(self) -> list[Any]:
        return [m for m in self._messages() if m.channel_id in self.news]

    def count(self) -> int:
        return sum(1 for m in self._messages() if m.channel_id in self.dm_channels or m.channel_id in self.news)


async def report(sim: Sim, db: Database, received: Received, now: datetime, kills: list[dict[str, Any]]) -> str:
    """What a failed run looked like: what arrived, the rows not sent, the requests by route and status."""
    stuck = await db.conn.fetch(
        "SELECT 'reminder' AS kind, status, attempts, lease_owner, lease_until, wake_at, reason FROM reminders "
        "WHERE status <> 'sent' UNION ALL SELECT 'post', status, attempts, lease_owner, lease_until, wake_at, "
        "reason FROM announcement_posts WHERE status <> 'sent' AND due_at <= $1 LIMIT 20",
        now.isoformat(),
    )
    routes = Counter((r.key, r.status) for r in sim.requests)
    return f"received {received.count()}; not sent: {[dict(r) for r in stuck]}; requests: {routes}; kills: {kills}"


async def announcing_servers(sim: Sim, due: datetime) -> list[tuple[GuildHandle, int]]:
    """SERVERS servers, a third on each shard, each announcing EVENTS_PER_SERVER events on the day at `due`
    in its #news; returns each with its #news channel id."""
    servers = []
    for number in range(SERVERS):
        guild = await sim.create_guild_on_shard(f"Club {number}", number % SHARDS, SHARDS)
        news = await guild.create_channel("news")
        admin = await sim.create_user(f"club-{number}-admin", guild=guild, admin=True)
        configured = await sim.slash(
            admin, guild.channel("general"), "settings announcements set", channel=news, time=due.strftime("%H:%M"),
            timezone="UTC", milestones="0",
        )  # fmt: skip
        assert "UTC" in (configured.content or ""), configured.content
        for event in range(EVENTS_PER_SERVER):
            added = await sim.client.services.announcer.add_event(
                guild.id,
                f"Watch party {number}-{event}",
                due.date(),
                start_time=None,
                timezone=None,
                description=None,
                created_by=admin.id,
                now=sim.now(),
                limit=100,
            )
            assert added is not None
        servers.append((guild, news.id))
    return servers


async def test_three_processes_killed_at_random_deliver_everything_exactly_once(
    tmp_path: Path, schema: tuple[str, str]
) -> None:
    # Another run's kills: CHAOS_SEED=<number> (not MARQUEE_...: the children inherit the environment, and
    # the bot refuses a MARQUEE_ variable that is no setting).
    await chaos(tmp_path, schema, seed=int(os.environ.get("CHAOS_SEED") or SEED))


async def chaos(tmp_path: Path, schema: tuple[str, str], *, seed: int) -> None:
    server, schema_name = schema
    rng = random.Random(seed)
    url = f"{server}{'&' if '?' in server else '?'}search_path={schema_name}"
    real_now = datetime.now(UTC).replace(second=0, microsecond=0)
    due = real_now - timedelta(minutes=5)
    env = {
        "MARQUEE_DATABASE_URL": url,
        "MARQUEE_DELIVERY_PACE": str(PACE),
        "MARQUEE_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    sim: Sim = await open_sim(
        tmp_path, start=real_now - timedelta(minutes=10), serve=marquee_serve, env=env, timeout=30.0
    )
    conn = await asyncpg.connect(server, server_settings={"search_path": schema_name})
    db = Database(conn)
    try:
        assert sim.client.database.dialect == "postgresql"
        # The reminders: one server's event, each member reminded when it starts.
        fans = await sim.create_guild_on_shard("MI Fans", 0, SHARDS)
        admin = await sim.create_user("admin", guild=fans, admin=True)
        members = [sim.world.add_user(f"fan{i:04d}") for i in range(MEMBERS)]
        for member in members:
            sim.world.add_member(fans.model, member)
        general = fans.channel("general")
        added = await sim.slash(
            admin, general, "event add", name=EVENT, date=due.date().isoformat(), time=due.strftime("%H:%M"),
            timezone="UTC",
        )  # fmt: skip
        assert EVENT in (added.content or ""), added.content
        reply = await sim.slash(members[0], general, "remind event", name=EVENT, when="release")
        assert reply.ephemeral and EVENT in (reply.content or ""), reply.content
        (subscription,) = await sim.client.services.reminders.repository.subscriptions(members[0].id)
        await subscribe_everyone(sim, fans.id, subscription.target_key, members)
        servers = await announcing_servers(sim, due)
        await sim.stop_bot()

        rows = await db.reminders()
        assert len(rows) == MEMBERS and {row["status"] for row in rows} == {"scheduled"}
        posts = await db.posts(real_now)
        assert len(posts) == SERVERS * EVENTS_PER_SERVER and {row["status"] for row in posts} == {"scheduled"}
        assert {(row["guild_id"] >> 22) % SHARDS for row in posts} == set(range(SHARDS))
        assert sim.ratelimits.global_limit == 50  # Discord's, not raised
        expected = MEMBERS + SERVERS * EVENTS_PER_SERVER
        received = Received(sim, members, [news for _, news in servers])

        began = time.monotonic()
        children: list[ChildProcessBot] = []
        for shard in range(SHARDS):
            argv = ["-m", "bot", "run", "--shards", str(shard), "--shard-count", str(SHARDS)]
            children.append(await sim.spawn_child(argv))
        kills: list[dict[str, Any]] = []

        async def finished_within(seconds: float) -> bool:
            """Whether everything arrived and was recorded, looking until `seconds` have passed."""
            until = time.monotonic() + seconds
            while True:
                if received.count() >= expected and await db.unfinished(real_now) == 0:
                    return True
                if time.monotonic() >= until:
                    return False
                await asyncio.sleep(0.1)

        while not await finished_within(rng.uniform(*PAUSE)):
            assert time.monotonic() - began < DEADLINE, await report(sim, db, received, real_now, kills)
            victim = rng.randrange(SHARDS)
            held = rng.random() < 0.5
            if held:
                fault = sim.slow_next(POST, HOLD, times=HELD, after_commit=True)
                with contextlib.suppress(AssertionError):  # the fan-out may be near its end
                    await eventually(lambda f=fault: f.hits >= HELD, "the held sends to reach Discord", within=3.0)
                await asyncio.sleep(0.05)
            children[victim].kill()
            assert await children[victim].wait_exit(sim.timeout) == -9
            kills.append(
                {
                    "at": round(time.monotonic() - began, 1),
                    "shard": victim,
                    "held": held,
                    "received": received.count(),
                    "sending": await db.sending(),
                }
            )
            children[victim] = await sim.respawn_child(children[victim])
        duration = time.monotonic() - began
        for child in children:
            await child.stop(sim.timeout)

        # Judged from what Discord received: each member one DM, each event one post in its server's channel.
        dms = received.dms()
        assert Counter(dms[member.id] for member in members) == {1: MEMBERS}, kills
        got = Counter((m.channel_id, *WATCH_PARTY.findall(m.embeds[0]["description"])) for m in received.posts())
        wanted = {
            (news, f"{number}-{event}")
            for number, (_, news) in enumerate(servers)
            for event in range(EVENTS_PER_SERVER)
        }
        assert set(got) == wanted and set(got.values()) == {1}, got.most_common(3)
        # Not one request was refused for going too fast, on any route.
        assert [r for r in sim.requests if r.status == 429] == []
        # And the database agrees: every row sent, as the message that arrived.
        by_member = {member.id: sim.dms(member)[0].id for member in members}
        reminders = await db.reminders()
        assert all(r["status"] == "sent" and r["message_id"] == by_member[r["user_id"]] for r in reminders)
        posts = await db.posts(real_now)
        post_ids = {m.id for m in received.posts()}
        assert all(p["status"] == "sent" and p["message_id"] in post_ids for p in posts)
        assert len({p["message_id"] for p in posts}) == len(posts)
        # The kills landed mid fan-out, and some of what the killed processes held was taken over and resent.
        assert len(kills) >= 5 and any(kill["sending"] for kill in kills), kills
        resent = sum(1 for r in reminders if r["attempts"] > 1) + sum(1 for p in posts if p["attempts"] > 1)
        assert resent >= 1, kills
        print(
            f"chaos seed {seed}: {expected} delivered in {duration:.1f} s with {len(kills)} kills "
            f"({sum(k['held'] for k in kills)} with sends held), {resent} rows resent, "
            f"{len(sim.requests_to(POST))} message POSTs"
        )
        sim.check_violations()
    finally:
        await conn.close()
        await sim.close()
