"""Server settings end to end (Manage Server)."""

from __future__ import annotations

from tests.discord_sim import Sim


async def test_trivia_settings_round_trip(sim: Sim) -> None:
    guild = await sim.create_guild("MI Fans")
    general = guild.channel("general")
    admin = await sim.create_user("admin", guild=guild, admin=True)
    reply = await sim.slash(admin, general, "settings trivia set", seconds=30, newest_film="fallout", daily_time="9:30")
    assert reply.ephemeral
    assert "Seconds per question: 30" in reply.content
    assert "Newest film allowed: Mission: Impossible – Fallout" in reply.content
    channel_only = await sim.slash(admin, general, "settings trivia set", seconds=15, channel=general)
    assert "Seconds per question: 15" in channel_only.content
    server = await sim.slash(admin, general, "settings trivia show")
    assert "Seconds per question: 30" in server.content


async def test_trivia_settings_are_checked(sim: Sim) -> None:
    guild = await sim.create_guild("MI Fans")
    general = guild.channel("general")
    admin = await sim.create_user("admin", guild=guild, admin=True)
    nothing = await sim.slash(admin, general, "settings trivia set")
    assert nothing.ephemeral and nothing.content == "Give at least one setting to change."
    bad_time = await sim.slash(admin, general, "settings trivia set", daily_time="25:00")
    assert "not a time of day" in bad_time.content
    bad_film = await sim.slash(admin, general, "settings trivia set", newest_film="Top Gun")
    assert "No single film called “Top Gun”" in bad_film.content
    await sim.set_bot_permissions(general, embed_links=False)
    blind = await sim.slash(admin, general, "settings trivia set", daily_channel=general)
    assert blind.ephemeral and "I need Embed Links there" in blind.content


async def test_settings_need_manage_server(sim: Sim) -> None:
    commands = {command["name"]: command for command in sim.commands()}
    assert commands["settings"]["default_member_permissions"] == str(1 << 5)
    assert commands["settings"].get("contexts") in (None, [0]) or commands["settings"].get("dm_permission") is False
