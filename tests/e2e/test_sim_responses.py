"""The simulator's own answers match the response schemas of Discord's OpenAPI description."""

from __future__ import annotations

import pytest

from tests.discord_sim import Sim


async def test_responses_match_the_spec(testbot_sim: Sim) -> None:
    sim = testbot_sim
    if sim.validator is None:
        pytest.skip("Discord's OpenAPI description is not available")
    guild = await sim.create_guild("MI Fans")
    general = guild.channel("general")
    alice = await sim.create_user("alice", guild=guild)
    await sim.slash(alice, general, "about")
    pager = await sim.slash(alice, general, "pager")
    await sim.click(alice, pager, label="Next")
    await sim.slash(alice, general, "say", text="hi")
    await sim.slash(alice, general, "slow")
    await sim.slash(alice, general, "dm")
    await sim.slash(alice, general, "event", name="Premiere")
    await sim.slash(alice, general, "feedback")
    await sim.autocomplete(alice, general, "film info", "title", "f")
    await sim.client.http.get_channel(general.id)
    await sim.client.fetch_guild(guild.id)
    await sim.client.http.logs_from(general.id, 10)
    assert sim.server.response_problems == []
