"""The simulator answers like Discord: schema and limits (50035), permissions, mentions, faults, nonces."""

from __future__ import annotations

import time

import pytest

from tests.discord_sim import Sim, SimViolationError


@pytest.fixture
async def world(testbot_sim: Sim):  # type: ignore[no-untyped-def]
    guild = await testbot_sim.create_guild("MI Fans")
    alice = await testbot_sim.create_user("alice", guild=guild)
    return testbot_sim, guild, guild.channel("general"), alice


async def test_oversized_embed_is_rejected_and_raised(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    with pytest.raises(SimViolationError) as info:
        await sim.slash(alice, general, "bigembed")
    (v,) = info.value.violations
    assert v.status == 400 and v.code == 50035
    assert v.errors["data"]["embeds"]["0"]["description"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    await sim.settle()


async def test_expect_violation_unknown_field(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    if sim.validator is None:
        pytest.skip("unknown fields are found by the OpenAPI check, and Discord's description is not available")
    with sim.expect_violation() as got:
        reply = await sim.slash(alice, general, "rawsend")
    assert got[0].errors == {
        "colour_of_sky": {"_errors": [{"code": "UNKNOWN_FIELD", "message": "Unknown field 'colour_of_sky'."}]}
    }
    assert reply.content == "failed: 400 50035"
    assert sim.channel_messages(general) == []


async def test_second_initial_response_is_40060(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    with sim.expect_violation():
        reply = await sim.slash(alice, general, "twice")
    assert reply.content == "one"
    assert [m.content for m in reply.followups] == ["failed: 40060"]


async def test_late_answer_is_10062(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    sim.server.interaction_deadline = 0.05
    sim.slow_next("POST /interactions/{interaction_id}/{interaction_token}/callback", 0.1)
    with pytest.raises(Exception, match="did not respond"):
        await sim.slash(alice, general, "about")
    late = sim.requests_to("POST /interactions/{interaction_id}/{interaction_token}/callback")[-1]
    assert late.status == 404 and late.response["code"] == 10062


async def test_missing_send_messages_is_50013(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    await sim.set_bot_permissions(general, send_messages=False)
    reply = await sim.slash(alice, general, "say", text="hello")
    assert [m.content for m in reply.followups] == ["failed: 403 50013"]
    await sim.set_bot_permissions(general, view_channel=False)
    reply = await sim.slash(alice, general, "about")  # interaction responses need no channel permission
    assert reply.embeds
    await sim.set_bot_permissions(general, view_channel=True, send_messages=True)
    await sim.slash(alice, general, "say", text="back")
    assert sim.channel_messages(general)[-1].content == "back"


async def test_allowed_mentions_decide_who_is_pinged(world) -> None:  # type: ignore[no-untyped-def]
    sim, guild, general, alice = world
    bob = await sim.create_user("bob", guild=guild)
    await sim.slash(alice, general, "say", text=f"hi <@{bob.id}>", mentions=False)
    await sim.slash(alice, general, "say", text=f"hey <@{bob.id}> @everyone")
    assert [m.content for m in sim.pings(bob)] == [f"hey <@{bob.id}> @everyone"]
    assert sim.pings(alice) == []  # @everyone was not allowed


async def test_nonce_is_deduplicated(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    await sim.slash(alice, general, "say", text="once", nonce="n-1")
    await sim.slash(alice, general, "say", text="once", nonce="n-1")
    assert [m.content for m in sim.channel_messages(general)] == ["once"]
    posts = sim.requests_to("POST /channels/{channel_id}/messages")
    assert [p.body["enforce_nonce"] for p in posts] == [True, True]
    assert posts[0].response["id"] == posts[1].response["id"]


async def test_502_after_commit_and_the_clients_retry(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    route = "POST /channels/{channel_id}/messages"
    sim.fail_next(route, status=502, after_commit=True)
    started = time.monotonic()
    await sim.slash(alice, general, "say", text="saved by the nonce")
    assert time.monotonic() - started < 5
    # discord.py's channel.send() adds a nonce with enforce_nonce, so its retry is deduplicated.
    assert [m.content for m in sim.channel_messages(general)] == ["saved by the nonce"]
    assert [r.status for r in sim.requests_to(route)] == [502, 200]
    # Without a nonce, a blind retry after a 502 that was stored duplicates the message.
    sim.fail_next(route, status=502, after_commit=True)
    await sim.client.http.send_message(general.id, params=_params("twice"))
    assert [m.content for m in sim.channel_messages(general)][-2:] == ["twice", "twice"]


async def test_dms_closed_and_no_mutual_guild(world) -> None:  # type: ignore[no-untyped-def]
    sim, guild, general, _alice = world
    erin = await sim.create_user("erin", guild=guild, dms_closed=True)
    reply = await sim.slash(erin, general, "dm")
    assert reply.content == "failed: 403 50007"
    frank = await sim.create_user("frank", guild=guild)
    await sim.remove_bot(guild, unavailable=False)
    assert f"remove:{guild.id}" in sim.client.events
    other = await sim.create_guild("Other")
    await sim.add_member(other, frank)
    reply = await sim.slash(frank, other.channel("general"), "dm")
    assert reply.content == "sent"
    lonely = await sim.create_user("lonely")
    route = "POST /channels/{channel_id}/messages"
    channel = await sim.client.create_dm(sim.client.get_user(lonely.id) or await sim.client.fetch_user(lonely.id))
    with pytest.raises(Exception, match="50278"):
        await channel.send("hi")
    assert sim.requests_to(route)[-1].status == 403


async def test_deleted_channel_is_10003(world) -> None:  # type: ignore[no-untyped-def]
    sim, guild, _general, _alice = world
    second = await guild.create_channel("second")
    await sim.delete_channel(second)
    with pytest.raises(Exception, match="10003"):
        await sim.client.http.send_message(second.id, params=_params("lost"))


async def test_outage_is_guild_delete_unavailable(world) -> None:  # type: ignore[no-untyped-def]
    sim, guild, _general, _alice = world
    await sim.remove_bot(guild, unavailable=True)
    assert f"unavailable:{guild.id}" in sim.client.events
    await sim.restore_guild(guild)
    assert sim.client.get_guild(guild.id) is not None


def _params(content: str):  # type: ignore[no-untyped-def]
    from discord.http import handle_message_parameters

    return handle_message_parameters(content=content)
