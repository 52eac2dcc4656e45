"""A bot killed (SIGKILL) after Discord created a post but before the bot recorded it posts it once.

The child process runs on the real clock, so the simulator's clock starts ten minutes in the past:
the in-process bot plans a post due five minutes ago in real time, then the child finds it overdue
(within the grace window) as soon as it starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.discord_sim import Sim
from tests.discord_sim.harness import open_sim
from tests.e2e.running import eventually, marquee_serve

POST = "POST /channels/{channel_id}/messages"




def post_rows(database: Path) -> list[tuple[str, int | None, int]]:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return db.execute("SELECT status, message_id, attempts FROM announcement_posts ORDER BY id").fetchall()


async def test_killed_between_send_and_record_posts_exactly_once(tmp_path: Path) -> None:
    real_now = datetime.now(UTC).replace(second=0, microsecond=0)
    due = real_now - timedelta(minutes=5)
    sim: Sim = await open_sim(tmp_path, start=real_now - timedelta(minutes=10), serve=marquee_serve)
    try:
        guild = await sim.create_guild("MI Fans")
        general = guild.channel("general")
        news = await guild.create_channel("news")
        admin = await sim.create_user("admin", guild=guild, admin=True)
        added = await sim.slash(admin, general, "event add", name="Premiere night", date=due.date().isoformat())
        assert "Premiere night" in added.content, added.content
        configured = await sim.slash(
            admin,
            general,
            "settings announcements set",
            channel=news,
            time=due.strftime("%H:%M"),
            timezone="UTC",
            milestones="0",
        )
        assert "UTC" in configured.content, configured.content
        assert [row[0] for row in post_rows(sim.database_path)] == ["scheduled"]
        await sim.stop_bot()

        # Discord creates the message, then the answer is held back while the bot is killed.
        sim.slow_next(POST, 3.0, after_commit=True)
        spawning = asyncio.create_task(sim.spawn_bot())
        await eventually(lambda: len(sim.channel_messages(news)) == 1, "the post to reach the channel")
        sim.kill_bot()
        with contextlib.suppress(Exception):
            await spawning
        assert await sim.wait_bot_exit() == -9
        assert [row[0] for row in post_rows(sim.database_path)] == ["sending"]

        await sim.settle()
        await sim.spawn_bot()
        await eventually(lambda: post_rows(sim.database_path)[0][0] == "sent", "the post to be recorded as sent")
        messages = sim.channel_messages(news)
        assert len(messages) == 1
        _, message_id, attempts = post_rows(sim.database_path)[0]
        assert message_id == messages[0].id and attempts == 2
        assert len(sim.requests_to(POST)) == 2  # sent twice, one message: the nonce made the second the same
        assert "Posted late" in messages[0].embeds[0]["footer"]["text"]
        await sim.stop_bot()
        sim.check_violations()
    finally:
        await sim.close()
