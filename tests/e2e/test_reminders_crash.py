"""2,000 reminder DMs due at once; the bot (a child process) is SIGKILLed three times mid fan-out.

Every member still gets their reminder exactly once, judged from the DMs members received.

The child runs on the real clock, so the simulator's clock starts ten minutes in the past: the
in-process bot plans reminders due five minutes ago in real time, and the child finds all 2,000
overdue (within the grace window) the moment it starts. The simulator's clock never moves, so a
resent DM always falls inside Discord's nonce window (the bot restarts within seconds).

Members are put in the server directly (no slash command per member: 2,000 of them would take
minutes). One member subscribes with `/remind event`; the other 1,999 subscriptions are made the
same way through the bot's own code (its repository and engine, in process), with the same
region, timezone and offsets. Their DM channels are stored as the bot stores them after its first
DM to a member, so each DM is one request (opening 2,000 DM channels would wait on Discord's
limit of 10 such requests per 10 seconds).

Each kill comes when a seeded random number of DMs has arrived. Just before it, the answers to the
next few sends are held back after Discord has created the message, so every kill lands with DMs
delivered but not yet recorded: the worst moment, which the restart must not send twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.discord_sim import Sim
from tests.discord_sim.harness import open_sim
from tests.discord_sim.state import User
from tests.e2e.running import eventually, marquee_serve

POST = "POST /channels/{channel_id}/messages"
MEMBERS = 2_000
KILLS = 3
SEED = 20260301
PACE = 400  # DMs a second: about 5 s of fan-out, long enough to kill in it three times
HELD = 8  # sends whose answers are held back (after Discord created the DM) at each kill
HOLD = 1.5  # seconds
EVENT = "Premiere night"




def reminder_rows(database: Path) -> list[tuple[int, str, int | None, int]]:
    """(user_id, status, message_id, attempts) of every reminder."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return db.execute("SELECT user_id, status, message_id, attempts FROM reminders ORDER BY id").fetchall()


class Inbox:
    """Counts DMs members received, cheaply enough to poll during the fan-out."""

    def __init__(self, sim: Sim, members: list[User]) -> None:
        self.sim = sim
        self.channels = {sim.world.dm_channel(member).id: member.id for member in members}

    def per_member(self) -> Counter[int]:
        return Counter(
            self.channels[m.channel_id]
            for m in list(self.sim.world.messages.values())
            if m.channel_id in self.channels and not m.deleted
        )

    def delivered(self) -> int:
        return sum(1 for m in list(self.sim.world.messages.values()) if m.channel_id in self.channels and not m.deleted)


async def subscribe_everyone(sim: Sim, guild_id: int, target_key: str, members: list[User]) -> None:
    """The first member subscribes by slash command; the rest the same way through the bot's own code."""
    engine = sim.client.services.reminders
    first = await engine.repository.subscription(members[0].id, target_key)
    assert first is not None
    now = sim.now()
    for member in members:
        if member is not members[0]:
            subscription, new = await engine.repository.subscribe(
                member.id,
                guild_id,
                target_key,
                first.offsets,
                now,
                region=first.region,
                timezone=first.timezone,
                limit=sim.client.settings.reminders.max_per_member,
            )
            assert new
            assert len(await engine.plan(subscription)) == 1
        await engine.repository.set_dm_channel(member.id, sim.world.dm_channel(member).id, now)
    await sim.settle()


async def test_two_thousand_reminders_survive_three_kills_mid_fan_out(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    real_now = datetime.now(UTC).replace(second=0, microsecond=0)
    due = real_now - timedelta(minutes=5)
    sim: Sim = await open_sim(
        tmp_path, start=real_now - timedelta(minutes=10), serve=marquee_serve, env={"MARQUEE_DELIVERY_PACE": str(PACE)}
    )
    try:
        guild = await sim.create_guild("MI Fans")
        general = guild.channel("general")
        admin = await sim.create_user("admin", guild=guild, admin=True)
        members = [sim.world.add_user(f"fan{i:04d}") for i in range(MEMBERS)]
        for member in members:
            sim.world.add_member(guild.model, member)

        added = await sim.slash(
            admin, general, "event add", name=EVENT, date=due.date().isoformat(), time=due.strftime("%H:%M"),
            timezone="UTC",
        )  # fmt: skip
        assert EVENT in (added.content or ""), added.content
        reply = await sim.slash(members[0], general, "remind event", name=EVENT, when="release")
        assert reply.ephemeral and EVENT in (reply.content or ""), reply.content
        (subscription,) = await sim.client.services.reminders.repository.subscriptions(members[0].id)
        await subscribe_everyone(sim, guild.id, subscription.target_key, members)
        await sim.stop_bot()

        rows = reminder_rows(sim.database_path)
        assert len(rows) == MEMBERS and {row[1] for row in rows} == {"scheduled"}
        assert len({row[0] for row in rows}) == MEMBERS

        # The pace is above Discord's global limit of 50 requests a second (2,000 DMs would take 40 s);
        # the simulator's global limit is raised with it, so the run is spent in the fan-out, not in 429s.
        sim.ratelimits.global_limit = 2 * PACE
        inbox = Inbox(sim, members)
        cuts = sorted(rng.sample(range(MEMBERS // 20, MEMBERS - MEMBERS // 20), KILLS))
        kills: list[dict[str, int]] = []
        for cut in cuts:
            before = inbox.delivered()
            spawning = asyncio.create_task(sim.spawn_bot())
            target = max(cut, before + 1)
            await eventually(lambda t=target: inbox.delivered() >= t, f"{target} DMs (this run started at {before})")
            # Hold back the answers to the next sends once Discord has created the DMs, then kill.
            held = sim.slow_next(POST, HOLD, times=HELD, after_commit=True)
            await eventually(lambda h=held: h.hits >= HELD, "the held sends to reach Discord", within=5.0)
            await asyncio.sleep(0.05)
            sim.kill_bot()
            with contextlib.suppress(Exception):
                await spawning
            assert await sim.wait_bot_exit() == -9
            received = inbox.per_member()
            state = reminder_rows(sim.database_path)
            sending = [user for user, status, _, _ in state if status == "sending"]
            kills.append(
                {
                    "cut": cut,
                    "delivered": sum(received.values()),
                    "sent": sum(1 for row in state if row[1] == "sent"),
                    "sending": len(sending),
                    "delivered_unrecorded": sum(1 for user in sending if received[user]),
                }
            )
            # The kill landed mid fan-out, with DMs delivered that the bot had not recorded.
            assert 0 < kills[-1]["sent"] < MEMBERS, kills
            assert kills[-1]["delivered_unrecorded"] >= 1, kills
            assert max(received.values()) == 1, (kills, received.most_common(3))
            await sim.settle()

        await sim.spawn_bot()
        await eventually(
            lambda: all(row[1] == "sent" for row in reminder_rows(sim.database_path)),
            "every reminder to be recorded as sent",
            within=20.0,
        )
        await sim.settle()

        # Judged from what members received: one DM each, about the event.
        dms = {member.id: sim.dms(member) for member in members}
        counts = Counter(len(got) for got in dms.values())
        assert counts == {1: MEMBERS}, (counts, kills)
        assert all(EVENT in got[0].embeds[0]["description"] for got in dms.values())
        # And the database agrees: every reminder sent, as the message the member got.
        rows = reminder_rows(sim.database_path)
        assert all(status == "sent" and message_id == dms[user][0].id for user, status, message_id, _ in rows)
        # Sends cut short by a kill were made again; Discord's nonce folded each into the DM already there.
        posts = len(sim.requests_to(POST))
        claims = sum(attempts for *_, attempts in rows)
        assert MEMBERS + sum(kill["delivered_unrecorded"] for kill in kills) <= posts <= claims, (posts, claims, kills)
        # Whether each member is still in the server was asked through the gateway, a hundred at a time.
        assert sim.requests_to("GET /guilds/{guild_id}/members/{user_id}") == []
        assert all(len(asked["user_ids"]) <= 100 for asked in sim.member_requests())
        await sim.stop_bot()
        sim.check_violations()
    finally:
        await sim.close()
