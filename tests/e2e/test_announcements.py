"""Release countdowns and scheduled announcements, end to end on the shared clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.discord_sim import Sim

DAY = timedelta(days=1)


def descriptions(sim: Sim, channel: Any) -> list[str]:
    return [embed.get("description", "") for message in sim.channel_messages(channel) for embed in message.embeds]


@pytest.mark.sim_start("2026-03-01T12:00:00+00:00")
async def test_an_event_counts_down_on_milestone_days(sim: Sim) -> None:
    guild = await sim.create_guild("MI Fans")
    general = guild.channel("general")
    news = await guild.create_channel("news")
    admin = await sim.create_user("admin", guild=guild, admin=True)
    added = await sim.slash(admin, general, "event add", name="Watch party", date="2026-03-11", time="20:00")
    assert "Watch party" in added.content, added.content
    reply = await sim.slash(
        admin, general, "settings announcements set", channel=news, time="09:00", timezone="Europe/London",
        milestones="7,1,0",
    )
    assert reply.ephemeral and "Europe/London" in reply.content, reply.content
    status = await sim.slash(admin, general, "settings announcements status")
    print(status.embeds)
    for _ in range(11):
        await sim.advance(DAY)
    texts = descriptions(sim, news)
    print(texts)
    assert len(texts) == 3
