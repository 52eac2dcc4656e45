"""Every guild channel type is sent with the fields Discord sends, so discord.py can parse it."""

from __future__ import annotations

import pytest

from tests.discord_sim import Sim, SimError
from tests.discord_sim.state import ANNOUNCEMENT, CATEGORY, FORUM, STAGE, TEXT, VOICE

TYPES = {"lobby": VOICE, "premieres": STAGE, "films": CATEGORY, "news": ANNOUNCEMENT, "forum": FORUM}


async def test_marquee_ready_with_every_channel_type(sim: Sim) -> None:
    """Voice/stage/category/announcement/forum channels, at READY and as CHANNEL_CREATE: the bot still answers."""
    guild = await sim.create_guild("MI Fans")
    category = await guild.create_channel("films", type=CATEGORY)
    for name, ctype in TYPES.items():
        if ctype != CATEGORY:
            await guild.create_channel(name, type=ctype, parent=category)
    alice = await sim.create_user("alice", guild=guild)
    assert (await sim.slash(alice, guild.channel("general"), "about")).embeds
    await sim.restart_bot()  # the channels now arrive in GUILD_CREATE after IDENTIFY
    client_guild = sim.client.get_guild(guild.id)
    assert client_guild is not None
    seen = {c.name: c.type.value for c in client_guild.channels}
    assert seen == {"general": TEXT, **TYPES}
    lobby = client_guild.get_channel(guild.channel("lobby").id)
    assert (lobby.bitrate, lobby.user_limit, lobby.category_id) == (64000, 0, category.id)
    assert (await sim.slash(alice, guild.channel("general"), "about")).embeds


async def test_channel_fields_by_type(bare_sim: Sim) -> None:
    sim = bare_sim
    guild = sim.world.add_guild("MI Fans")
    fields = {}
    for name, ctype in TYPES.items():
        fields[ctype] = sim.world.add_channel(guild, name, type=ctype).to_dict(sim.world)
    assert {"bitrate", "user_limit", "rtc_region"} <= set(fields[VOICE]) and "topic" not in fields[VOICE]
    assert {"bitrate", "user_limit", "rtc_region", "topic"} <= set(fields[STAGE])
    assert not {"topic", "last_message_id", "bitrate"} & set(fields[CATEGORY])
    assert {"topic", "last_message_id"} <= set(fields[ANNOUNCEMENT])
    assert {"available_tags", "default_forum_layout", "topic"} <= set(fields[FORUM])


async def test_parent_must_be_a_category_of_the_guild(testbot_sim: Sim) -> None:
    sim = testbot_sim
    guild = await sim.create_guild("MI Fans")
    other = await sim.create_guild("Other")
    with pytest.raises(SimError, match="parent"):
        await guild.create_channel("x", parent=guild.channel("general"))
    with pytest.raises(SimError, match="parent"):
        await guild.create_channel("x", parent=await other.create_channel("cat", type=CATEGORY))
    with pytest.raises(SimError, match="no guild channel type"):
        await guild.create_channel("x", type=1)
