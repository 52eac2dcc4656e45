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


async def test_the_server_timezone_and_region_can_be_set_and_are_used(sim: Sim) -> None:
    guild = await sim.create_guild("MI Fans")
    general = guild.channel("general")
    admin = await sim.create_user("admin", guild=guild, admin=True)
    # Latin American Spanish names no country, so the server's region is what counts for this member (who
    # reads the card in Spanish).
    fan = await sim.create_user("fan", guild=guild, locale="es-419")
    before = await sim.slash(fan, general, "film info", title="fallout")
    assert "Estreno en Estados Unidos" in {field["name"] for field in before.embeds[0]["fields"]}

    shown = await sim.slash(admin, general, "settings server show")
    assert shown.ephemeral and "UTC (the bot's default)" in shown.content and "(US, the bot's default)" in shown.content
    nothing = await sim.slash(admin, general, "settings server set")
    assert nothing.ephemeral and nothing.content == "Give a timezone, a region or both."
    bad = await sim.slash(admin, general, "settings server set", region="XX")
    assert bad.ephemeral and "Sorry" not in bad.content

    reply = await sim.slash(admin, general, "settings server set", timezone="Europe/London", region="GB")
    assert reply.ephemeral and "Europe/London" in reply.content and "United Kingdom (GB)" in reply.content
    # The film card's remembered region for this member and server is forgotten at once.
    after = await sim.slash(fan, general, "film info", title="fallout")
    assert "Estreno en Reino Unido" in {field["name"] for field in after.embeds[0]["fields"]}
    countdown = await sim.slash(fan, general, "countdown", target="fallout")
    assert "United Kingdom" in (countdown.embeds[0].get("description") or "") + (countdown.content or "")

