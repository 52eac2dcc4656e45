"""A member can only pick, press or run what Discord's client offers them where they are."""

from __future__ import annotations

import pytest

from tests.discord_sim import Sim, SimError
from tests.discord_sim.state import CATEGORY, VOICE, Overwrite, Perm


@pytest.fixture
async def world(testbot_sim: Sim):  # type: ignore[no-untyped-def]
    sim = testbot_sim
    home = await sim.create_guild("MI Fans")
    away = await sim.create_guild("Other Fans")
    alice = await sim.create_user("alice", guild=home)
    return sim, home, away, alice


async def test_channel_option_only_from_this_server(world) -> None:  # type: ignore[no-untyped-def]
    sim, home, away, alice = world
    general = home.channel("general")
    reply = await sim.slash(alice, general, "where", channel=general)
    assert reply.content.startswith(f"channel <#{general.id}> in {home.id}")
    with pytest.raises(SimError, match="not a channel of MI Fans"):
        await sim.slash(alice, general, "where", channel=away.channel("general"))
    assert sim.channel_messages(general) == [reply.message]


async def test_channel_option_not_a_hidden_or_deleted_one(world) -> None:  # type: ignore[no-untyped-def]
    sim, home, _away, alice = world
    general = home.channel("general")
    secret = await home.create_channel("secret")
    secret.overwrites[home.id] = Overwrite(home.id, 0, deny=Perm.VIEW_CHANNEL)
    with pytest.raises(SimError, match="cannot see #secret"):
        await sim.slash(alice, general, "where", channel=secret)
    gone = await home.create_channel("gone")
    await sim.delete_channel(gone)
    with pytest.raises(SimError, match="deleted"):
        await sim.slash(alice, general, "where", channel=gone)


async def test_resolved_channel_permissions_are_the_members(world) -> None:  # type: ignore[no-untyped-def]
    sim, home, _away, alice = world
    general = home.channel("general")
    lobby = await home.create_channel("lobby", type=VOICE)
    reply = await sim.slash(alice, general, "where", channel=lobby)
    assert reply.content.endswith(f"perms={sim.world.permissions(alice.id, lobby)}")
    assert sim.world.permissions(alice.id, lobby) != sim.world.permissions(sim.world.bot_user.id, lobby)


async def test_user_and_role_options_only_from_this_server(world) -> None:  # type: ignore[no-untyped-def]
    sim, home, away, alice = world
    general = home.channel("general")
    outsider = await sim.create_user("outsider", guild=away)
    away_role = await away.create_role("Away")
    with pytest.raises(SimError, match="not a member of MI Fans"):
        await sim.slash(alice, general, "greet", member=outsider)
    with pytest.raises(SimError, match="not a role of MI Fans"):
        await sim.slash(alice, general, "greet", member=alice, role=away_role)
    assert (await sim.slash(alice, general, "greet", member=alice)).content == f"hello <@{alice.id}>"


async def test_channel_select_only_from_this_server(world) -> None:  # type: ignore[no-untyped-def]
    sim, home, away, alice = world
    general = home.channel("general")
    reply = await sim.slash(alice, general, "pickchannel")
    with pytest.raises(SimError, match="not a channel of MI Fans"):
        await sim.select(alice, reply, [away.channel("general")])
    picked = await sim.select(alice, reply, [general])
    assert picked.content == f"picked <#{general.id}>"


async def test_button_in_another_members_dm(world) -> None:  # type: ignore[no-untyped-def]
    sim, home, _away, alice = world
    bob = await sim.create_user("bob", guild=home)
    reply = await sim.slash(alice, None, "pager")  # in alice's DM with the bot
    with pytest.raises(SimError, match="bob is not in that DM"):
        await sim.click(bob, reply, label="Next")
    with pytest.raises(SimError, match="bob is not in that DM"):
        await sim.slash(bob, sim.world.dm_channel(alice), "about")
    assert (await sim.click(alice, reply, label="Next")).content == "page 2"


async def test_nobody_types_in_a_category(world) -> None:  # type: ignore[no-untyped-def]
    sim, home, _away, alice = world
    films = await home.create_channel("films", type=CATEGORY)
    with pytest.raises(SimError, match="category or forum"):
        await sim.slash(alice, films, "about")


async def test_use_application_commands_is_needed(world) -> None:  # type: ignore[no-untyped-def]
    sim, home, _away, alice = world
    general = home.channel("general")
    general.overwrites[alice.id] = Overwrite(alice.id, 1, deny=Perm.USE_APPLICATION_COMMANDS)
    with pytest.raises(SimError, match="may not use application commands"):
        await sim.slash(alice, general, "about")


async def test_a_pasted_id_names_someone_who_is_not_a_member(world) -> None:  # type: ignore[no-untyped-def]
    from tests.discord_sim import pasted_id

    sim, home, away, alice = world
    general = home.channel("general")
    outsider = await sim.create_user("outsider", guild=away)
    assert (await sim.slash(alice, general, "whois", user=alice)).content == "alice member=True"
    assert (await sim.slash(alice, general, "whois", user=pasted_id(outsider))).content == "outsider member=False"
    with pytest.raises(SimError, match="only a user option"):
        await sim.slash(alice, general, "where", channel=pasted_id(outsider))
