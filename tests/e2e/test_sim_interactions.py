"""Interactions through the simulator: slash, autocomplete, buttons, selects, modals, deferrals."""

from __future__ import annotations

import pytest

from tests.discord_sim import Sim, SimError


@pytest.fixture
async def world(testbot_sim: Sim):  # type: ignore[no-untyped-def]
    guild = await testbot_sim.create_guild("MI Fans")
    alice = await testbot_sim.create_user("alice", guild=guild)
    return testbot_sim, guild, guild.channel("general"), alice


async def test_slash_with_options_and_subcommand(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    reply = await sim.slash(alice, general, "film info", title="Fallout")
    assert reply.content == "Film: Fallout"
    req = [r for r in sim.requests if r.route.endswith("/callback")][-1]
    assert req.query == {"with_response": "1"} and req.status == 200


async def test_slash_checks_options_like_discord(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    with pytest.raises(SimError, match="missing required"):
        await sim.slash(alice, general, "film info")
    with pytest.raises(SimError, match="no option"):
        await sim.slash(alice, general, "film info", title="x", year=1996)
    with pytest.raises(SimError, match="needs a subcommand"):
        await sim.slash(alice, general, "film")
    with pytest.raises(SimError, match="no command /nope"):
        await sim.slash(alice, general, "nope")


async def test_autocomplete(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    choices = await sim.autocomplete(alice, general, "film info", "title", "reck")
    assert [c["name"] for c in choices] == ["Dead Reckoning Part One", "The Final Reckoning"]


async def test_button_round_trip(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    reply = await sim.slash(alice, general, "pager")
    assert reply.content == "page 1"
    assert [b["label"] for b in reply.buttons()] == ["Prev", "Next"]
    page2 = await sim.click(alice, reply, label="Next")
    assert page2.content == "page 2"
    assert page2.message is reply.message  # type 7 updates the message in place
    page3 = await sim.click(alice, sim.channel_messages(general)[-1], custom_id="pager:next")
    assert page3.content == "page 3" and reply.content == "page 3"
    with pytest.raises(SimError, match="no component"):
        await sim.click(alice, reply, label="Last")


async def test_persistent_view_survives_restart(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    reply = await sim.slash(alice, general, "pager")
    await sim.restart_bot()
    again = await sim.click(alice, reply, label="Next")
    assert again.content == "page 2"


async def test_select_and_ephemeral(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    reply = await sim.slash(alice, general, "pick")
    picked = await sim.select(alice, reply, ["0", "2"], custom_id="films")
    assert picked.content == "you picked Mission: Impossible, Fallout"
    assert picked.ephemeral
    assert picked.message not in sim.channel_messages(general)
    with pytest.raises(SimError, match="not options"):
        await sim.select(alice, reply, ["9"])


async def test_modal(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    reply = await sim.slash(alice, general, "feedback")
    assert reply.modal is not None and reply.modal["title"] == "Feedback"
    done = await sim.submit_modal(alice, reply, text="great")
    assert done.content == "thanks: great" and done.ephemeral


async def test_deferred_with_followups(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    reply = await sim.slash(alice, general, "slow")
    assert reply.deferred
    assert reply.content == "done thinking"  # the first follow-up fills the "thinking" message
    assert reply.ephemeral
    assert [m.content for m in reply.followups] == ["and one more"]


async def test_user_and_role_options_resolve(world) -> None:  # type: ignore[no-untyped-def]
    sim, guild, general, alice = world
    fans = await guild.create_role("Fans")
    bob = await sim.create_user("bob", guild=guild, roles=[fans])
    reply = await sim.slash(alice, general, "greet", member=bob, role=fans)
    assert reply.content == f"hello <@{bob.id}> of Fans"
    assert sim.pings(bob) == [reply.message]
    assert sim.pings(alice) == []


async def test_dm_from_a_command(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    reply = await sim.slash(alice, general, "dm")
    assert reply.content == "sent"
    assert [m.content for m in sim.dms(alice)] == ["hello in your DMs"]


async def test_scheduled_event(world) -> None:  # type: ignore[no-untyped-def]
    sim, guild, general, alice = world
    reply = await sim.slash(alice, general, "event", name="Premiere")
    events = list(guild.model.scheduled_events.values())
    assert len(events) == 1 and events[0]["name"] == "Premiere" and events[0]["entity_type"] == 3
    assert reply.content == f"event {events[0]['id']}"


async def test_reply_waits_for_the_handler_to_finish(world) -> None:  # type: ignore[no-untyped-def]
    """A follow-up sent after a pause in the handler is part of the reply, however loaded the machine is."""
    sim, _guild, general, alice = world
    reply = await sim.slash(alice, general, "later")
    assert reply.content == "first"
    assert [m.content for m in reply.followups] == ["second"]
