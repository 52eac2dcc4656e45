"""Retries that may land after Discord's nonce window, for reminder DMs (announcements: test_announcements.py).

Discord returns the earlier message for a reused nonce only for a few minutes (the local Discord: 5).
A retry later than that, after a try whose answer was lost, must find that try's message instead of
sending a second one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.discord_sim import Sim

DM_POST = "POST /channels/{channel_id}/messages"
HISTORY = "GET /channels/{channel_id}/messages"


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_dm_retried_after_the_nonce_window_is_found_not_sent_twice(sim: Sim) -> None:
    sim.ratelimits.configure(DM_POST, 50, 1.0)
    guild = await sim.create_guild("MI Fans")
    general = guild.channel("general")
    admin = await sim.create_user("admin", guild=guild, admin=True)
    fan = await sim.create_user("fan", guild=guild)
    added = await sim.slash(admin, general, "event add", name="Premiere", date="2026-03-04", time="20:00")
    assert added.content == "Added **Premiere**.", added.content
    reply = await sim.slash(fan, general, "remind event", name="Premiere", when="1d")
    assert reply.ephemeral and (reply.content or "").startswith("I'll remind you about **Premiere** by DM:"), reply
    due = datetime(2026, 3, 3, 20, tzinfo=UTC)
    sim.timeout = 40.0  # discord.py retries a 502 four times itself, 16 real seconds
    # Discord delivers the DM but answers 502 (discord.py's own retries get the same message back by nonce,
    # and 502 again), then 503 to the bot's retries at +30 s, +90 s and +210 s.
    sim.fail_next(DM_POST, status=502, after_commit=True, times=5)
    refusals = sim.fail_next(DM_POST, status=503, times=3)
    await sim.advance(due - sim.now())
    (dm,) = sim.dms(fan)
    for seconds in (30, 90, 210, 450):
        await sim.advance(due + timedelta(seconds=seconds) - sim.now())
    assert sim.dms(fan) == [dm]
    channel_id = str(sim.world.dm_channels[fan.id])
    statuses = [r.status for r in sim.requests_to(DM_POST) if r.params.get("channel_id") == channel_id]
    assert statuses == [502] * 5 + [503]
    assert [r for r in sim.requests_to(HISTORY) if r.params.get("channel_id") == channel_id and r.status == 200]
    sim.server.faults.remove(refusals)
    await sim.advance(timedelta(days=2))
    assert sim.dms(fan) == [dm]
