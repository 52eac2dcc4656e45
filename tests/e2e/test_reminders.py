"""Opt-in DM reminders end to end on the shared clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.discord_sim import Sim

DAY = timedelta(days=1)


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_a_member_gets_event_reminders_by_dm(sim: Sim) -> None:
    guild = await sim.create_guild("MI Fans")
    general = guild.channel("general")
    admin = await sim.create_user("admin", guild=guild, admin=True)
    fan = await sim.create_user("fan", guild=guild)
    await sim.slash(admin, general, "event add", name="Watch party", date="2026-03-11", time="20:00", timezone="UTC")
    reply = await sim.slash(fan, general, "remind event", name="Watch party", when="7d, 1d, release")
    assert reply.ephemeral and "Watch party" in (reply.content or ""), reply.content
    assert (reply.content or "").count("<t:") == 6
    for _ in range(11):
        await sim.advance(DAY)
    dms = sim.dms(fan)
    assert len(dms) == 3, [m.embeds for m in dms]
    assert "remind you" in (dms[0].content or "")
    assert dms[1].content in (None, "")
