"""What a member can do besides slash commands: context-menu commands and posting messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.discord_sim import Sim, SimError
from tests.discord_sim import testbot as _testbot
from tests.discord_sim.gateway import AppFlag, Intent
from tests.discord_sim.state import Overwrite, Perm


@pytest.fixture
async def world(testbot_sim: Sim):  # type: ignore[no-untyped-def]
    guild = await testbot_sim.create_guild("MI Fans")
    alice = await testbot_sim.create_user("alice", guild=guild)
    return testbot_sim, guild, guild.channel("general"), alice


async def test_user_command(world) -> None:  # type: ignore[no-untyped-def]
    sim, guild, general, alice = world
    bob = await sim.create_user("bob", guild=guild)
    reply = await sim.user_command(alice, general, "Wave", bob)
    assert reply.content == f"waved at <@{bob.id}>" and reply.ephemeral
    data = sim.server.interactions[reply.interaction.id].payload["data"]
    assert data["type"] == 2 and data["target_id"] == str(bob.id)
    assert set(data["resolved"]) == {"users", "members"}
    other = await sim.create_guild("Other")
    outsider = await sim.create_user("outsider", guild=other)
    with pytest.raises(SimError, match="not a member of MI Fans"):
        await sim.user_command(alice, general, "Wave", outsider)
    with pytest.raises(SimError, match="no user command Quote"):
        await sim.user_command(alice, general, "Quote", bob)


async def test_message_command(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    said = await sim.post(alice, general, "the best one is Fallout")
    reply = await sim.message_command(alice, said, "Quote")
    assert reply.content == "quoted alice: the best one is Fallout"
    assert reply.message is not None and reply.message.type == 23  # CONTEXT_MENU_COMMAND
    data = sim.server.interactions[reply.interaction.id].payload["data"]
    assert data["type"] == 3 and data["target_id"] == str(said.id)
    ephemeral = await sim.slash(alice, general, "slow")
    with pytest.raises(SimError, match="ephemeral"):
        await sim.message_command(alice, ephemeral, "Quote")


async def test_post_is_stored_and_refused_where_a_member_cannot_write(world) -> None:  # type: ignore[no-untyped-def]
    sim, guild, general, alice = world
    said = await sim.post(alice, general, "hello")
    assert sim.channel_messages(general) == [said] and said.author is alice
    got = await sim.client.http.get_message(general.id, said.id)
    assert got["content"] == "hello" and "nonce" not in got
    general.overwrites[alice.id] = Overwrite(alice.id, 1, deny=Perm.SEND_MESSAGES)
    with pytest.raises(SimError, match="may not send messages"):
        await sim.post(alice, general, "again")
    with pytest.raises(SimError, match="2000"):
        await sim.post(alice, None, "x" * 2001)
    bob = await sim.create_user("bob", guild=guild)
    await sim.post(alice, None, "hi bot")
    with pytest.raises(SimError, match="bob is not in that DM"):
        await sim.post(bob, sim.world.dm_channel(alice), "let me in")
    loner = await sim.create_user("loner")
    with pytest.raises(SimError, match="shares no server"):
        await sim.post(loner, None, "hi")


async def test_guilds_only_bot_gets_no_message_events(world) -> None:  # type: ignore[no-untyped-def]
    sim, _guild, general, alice = world
    await sim.post(alice, general, "anyone?")
    await sim.post(alice, None, "hello?")
    assert sim.client.seen_messages == []


async def _sim_with_intents(tmp_path: Path, intents: int) -> Sim:
    sim = Sim(tmp_path, serve=_testbot.serve, env={"SIM_TESTBOT_INTENTS": str(intents)})
    sim.world.application_flags = AppFlag.GATEWAY_MESSAGE_CONTENT
    await sim.start()
    return sim


@pytest.mark.parametrize("content_intent", [False, True])
async def test_message_create_follows_intents(tmp_path: Path, content_intent: bool) -> None:
    intents = Intent.GUILDS | Intent.GUILD_MESSAGES | (Intent.MESSAGE_CONTENT if content_intent else 0)
    sim = await _sim_with_intents(tmp_path, intents)
    try:
        guild = await sim.create_guild("MI Fans")
        general = guild.channel("general")
        alice = await sim.create_user("alice", guild=guild)
        await sim.post(alice, general, "plain words")
        await sim.post(alice, general, f"hey <@{sim.world.bot_user.id}>")
        await sim.post(alice, None, "in my DM")  # DIRECT_MESSAGES was not asked for
        seen = [(m.channel.id, m.author.id, m.content) for m in sim.client.seen_messages]
        assert seen == [
            (general.id, alice.id, "plain words" if content_intent else ""),
            (general.id, alice.id, f"hey <@{sim.world.bot_user.id}>"),  # a mention always shows the content
        ]
        assert sim.client.seen_messages[0].nonce is not None  # MESSAGE_CREATE carries the client's nonce
        sim.check_violations()
    finally:
        await sim.close()


async def test_dm_reaches_a_bot_that_asks_for_direct_messages(tmp_path: Path) -> None:
    sim = await _sim_with_intents(tmp_path, Intent.GUILDS | Intent.DIRECT_MESSAGES)
    try:
        guild = await sim.create_guild("MI Fans")
        alice = await sim.create_user("alice", guild=guild)
        await sim.post(alice, guild.channel("general"), "not for a DM-only bot")
        said = await sim.post(alice, None, "psst")
        # A DM shows its content without the Message Content intent.
        assert [(m.id, m.content) for m in sim.client.seen_messages] == [(said.id, "psst")]
    finally:
        await sim.close()


async def test_a_member_leaves_and_a_role_is_deleted(world) -> None:  # type: ignore[no-untyped-def]
    sim, guild, general, alice = world
    fans = await guild.create_role("Fans", mentionable=True)
    bob = await sim.create_user("bob", guild=guild, roles=[fans])
    await guild.delete_role(fans)
    assert guild.model.members[bob.id].roles == []
    with pytest.raises(SimError, match="no role Fans"):
        guild.role("Fans")
    await sim.post(alice, general, f"<@&{fans.id}> anyone?")
    assert sim.pings(bob) == []
    await sim.remove_member(guild, bob)
    with pytest.raises(SimError, match="not a member"):
        await sim.slash(bob, general, "about")
    with pytest.raises(SimError, match="not a member of MI Fans"):
        await sim.slash(alice, general, "greet", member=bob)
    with pytest.raises(SimError, match="not a member"):
        await sim.remove_member(guild, bob)
