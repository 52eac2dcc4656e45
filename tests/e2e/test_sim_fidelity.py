"""The simulator sends what Discord sends and no more: nonces, message history, voice channels."""

from __future__ import annotations

import pytest

from tests.discord_sim import Sim
from tests.discord_sim.state import VOICE


@pytest.fixture
async def world(testbot_sim: Sim):  # type: ignore[no-untyped-def]
    guild = await testbot_sim.create_guild("MI Fans")
    alice = await testbot_sim.create_user("alice", guild=guild)
    return testbot_sim, guild, guild.channel("general"), alice


async def test_nonce_only_in_the_create_answer(world) -> None:  # type: ignore[no-untyped-def]
    """Discord keeps no nonce: a later GET cannot tell which attempt a message came from."""
    sim, _guild, general, alice = world
    await sim.slash(alice, general, "say", text="once", nonce="n-1")
    (post,) = sim.requests_to("POST /channels/{channel_id}/messages")
    assert post.response["nonce"] == "n-1"
    listed = await sim.client.http.logs_from(general.id, 50)
    assert [m["content"] for m in listed] == ["once"] and "nonce" not in listed[0]
    fetched = await sim.client.http.get_message(general.id, int(post.response["id"]))
    assert "nonce" not in fetched


async def test_history_without_read_message_history_is_empty(world) -> None:  # type: ignore[no-untyped-def]
    """Documented: listing messages without Read Message History answers 200 with no messages, not 403."""
    sim, _guild, general, alice = world
    await sim.slash(alice, general, "say", text="hello")
    await sim.set_bot_permissions(general, read_message_history=False)
    assert await sim.client.http.logs_from(general.id, 50) == []
    with pytest.raises(Exception, match="50001"):
        await sim.client.http.get_message(general.id, sim.channel_messages(general)[0].id)


async def test_voice_history_needs_connect(world) -> None:  # type: ignore[no-untyped-def]
    sim, guild, _general, _alice = world
    lobby = await guild.create_channel("lobby", type=VOICE)
    assert await sim.client.http.logs_from(lobby.id, 50) == []
    await sim.set_bot_permissions(lobby, connect=False)
    with pytest.raises(Exception, match="50001"):
        await sim.client.http.logs_from(lobby.id, 50)


async def test_history_query_is_checked_like_discord(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    for text in ("one", "two", "three", "four", "five"):
        await sim.slash(alice, general, "say", text=text)
    ids = [m.id for m in sim.channel_messages(general)]
    around = await sim.client.http.logs_from(general.id, 3, around=ids[2])
    assert [m["content"] for m in around] == ["four", "three", "two"]
    with sim.expect_violation() as got, pytest.raises(Exception, match="50035"):
        await sim.client.http.logs_from(general.id, 500)
    assert "limit" in got[0].errors
    with sim.expect_violation(), pytest.raises(Exception, match="50035"):
        await sim.client.http.logs_from(general.id, 10, before=ids[3], after=ids[0])


async def test_no_message_in_a_category_or_forum(world) -> None:  # type: ignore[no-untyped-def]
    from tests.discord_sim.state import CATEGORY, FORUM

    sim, guild, _general, _alice = world
    for ctype in (CATEGORY, FORUM):
        target = await guild.create_channel(f"c{ctype}", type=ctype)
        with pytest.raises(Exception, match="50008"):
            await sim.client.http.send_message(target.id, params=_params("lost"))


def _params(content: str):  # type: ignore[no-untyped-def]
    from discord.http import handle_message_parameters

    return handle_message_parameters(content=content)


async def _members_seen(tmp_path, intents: int, flags: int) -> bool:  # type: ignore[no-untyped-def]
    from tests.discord_sim import testbot

    sim = Sim(tmp_path, serve=testbot.serve, env={"SIM_TESTBOT_INTENTS": str(intents)})
    sim.world.application_flags = flags
    await sim.start()
    try:
        guild = await sim.create_guild("MI Fans")
        alice = await sim.create_user("alice", guild=guild)
        await sim.restart_bot()  # alice now arrives (or not) in GUILD_CREATE
        cached = sim.client.get_guild(guild.id)
        assert cached.member_count == 3 and cached.get_member(sim.world.bot_user.id) is not None
        # Judged from GUILD_CREATE itself: with the members intent discord.py also asks for the whole list
        # (op 8) at start, and the answer caches everyone whatever GUILD_CREATE held.
        session = next(s for s in sim.server.gateway.sessions.values() if s.ws is not None)
        (created,) = [p["d"] for p in session.buffer if p["t"] == "GUILD_CREATE" and p["d"]["id"] == str(guild.id)]
        return any(m["user"]["id"] == str(alice.id) for m in created["members"])
    finally:
        await sim.close()


async def test_guild_create_lists_only_the_bot_without_presences(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Without the Guild Presences intent Discord sends only the bot in GUILD_CREATE's members."""
    from tests.discord_sim.gateway import AppFlag, Intent

    intents = Intent.GUILDS | Intent.GUILD_MEMBERS
    assert not await _members_seen(tmp_path, intents, AppFlag.GATEWAY_GUILD_MEMBERS)


async def test_guild_create_lists_members_with_presences(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.discord_sim.gateway import AppFlag, Intent

    intents = Intent.GUILDS | Intent.GUILD_MEMBERS | Intent.GUILD_PRESENCES  # discord.py caches only with members
    assert await _members_seen(tmp_path, intents, AppFlag.GATEWAY_PRESENCE | AppFlag.GATEWAY_GUILD_MEMBERS)


async def test_scheduled_event_channel_must_fit(world) -> None:  # type: ignore[no-untyped-def]
    """A voice event names a voice channel of that server; an external one names none."""
    from datetime import timedelta

    from discord.http import Route

    sim, guild, general, _alice = world
    other = await sim.create_guild("Other")
    lobby = await guild.create_channel("lobby", type=VOICE)
    far_lobby = await other.create_channel("lobby", type=VOICE)
    start = (sim.now() + timedelta(days=1)).isoformat()
    route = Route("POST", "/guilds/{guild_id}/scheduled-events", guild_id=guild.id)
    base = {"name": "Premiere", "privacy_level": 2, "scheduled_start_time": start}
    made = await sim.client.http.request(route, json={**base, "entity_type": 2, "channel_id": str(lobby.id)})
    assert made["channel_id"] == str(lobby.id)
    for channel in (general, far_lobby):
        with sim.expect_violation(), pytest.raises(Exception, match="50035"):
            await sim.client.http.request(route, json={**base, "entity_type": 2, "channel_id": str(channel.id)})


async def test_a_bot_cannot_dm_another_bot(world) -> None:  # type: ignore[no-untyped-def]
    sim, guild, _general, _alice = world
    other_bot = sim.world.add_user("OtherBot", bot=True)
    await sim.add_member(guild, other_bot)
    channel = await sim.client.http.start_private_message(other_bot.id)
    with pytest.raises(Exception, match="50007"):
        await sim.client.http.send_message(int(channel["id"]), params=_params("hi"))
