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


async def test_member_actions_and_their_metadata_match_the_spec(testbot_sim: Sim) -> None:
    sim = testbot_sim
    if sim.validator is None:
        pytest.skip("Discord's OpenAPI description is not available")
    guild = await sim.create_guild("MI Fans")
    general = guild.channel("general")
    alice = await sim.create_user("alice", guild=guild)
    said = await sim.post(alice, general, "Fallout")
    quoted = await sim.message_command(alice, said, "Quote")
    waved = await sim.user_command(alice, general, "Wave", alice)
    picked = await sim.select(alice, await sim.slash(alice, general, "pick"), ["0"], custom_id="films")
    form = await sim.slash(alice, general, "feedback")
    thanked = await sim.submit_modal(alice, form, text="great")
    await sim.client.http.logs_from(general.id, 10)
    assert sim.server.response_problems == []
    meta = [r.message.to_dict(sim.world)["interaction_metadata"] for r in (quoted, waved, picked, thanked)]
    assert meta[0]["target_message_id"] == str(said.id)
    assert meta[1]["target_user"]["id"] == str(alice.id)
    assert (meta[2]["type"], meta[2]["interacted_message_id"]) == (3, str(picked.interaction.source_message_id))
    assert meta[3]["type"] == 5 and meta[3]["triggering_interaction_metadata"]["id"] == str(form.interaction.id)
