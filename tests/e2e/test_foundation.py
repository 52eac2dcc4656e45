"""The foundation end to end: /about and /help, the error handler, logs and clean shutdown."""

from __future__ import annotations

import logging
import signal

import discord
import pytest
from discord import app_commands

from bot.errors import UserFacingError
from bot.tree import APOLOGY
from tests.discord_sim import Sim


async def member(sim: Sim) -> tuple[object, object]:
    guild = await sim.create_guild("MI Fans")
    alice = await sim.create_user("alice", guild=guild)
    return alice, guild.channel("general")


def field(embed: dict, name: str) -> str:
    return next(f["value"] for f in embed["fields"] if f["name"] == name)


async def test_about_reports_the_catalogue(sim: Sim) -> None:
    alice, general = await member(sim)
    reply = await sim.slash(alice, general, "about")
    embed = reply.embeds[0]
    assert field(embed, "Films") == "8"
    assert int(field(embed, "Trivia questions")) >= 150
    assert int(field(embed, "People")) > 50
    assert field(embed, "Version") == sim.client.version
    assert embed["footer"]["text"] == "This product uses the TMDB API but is not endorsed or certified by TMDB."


async def test_help_lists_every_command_with_its_description(sim: Sim) -> None:
    alice, general = await member(sim)
    reply = await sim.slash(alice, general, "help")
    assert reply.ephemeral
    text = reply.text()

    def leaves(command: dict, path: str) -> list[tuple[str, str]]:
        subcommands = [option for option in command.get("options", []) if option["type"] in (1, 2)]
        if not subcommands:
            return [(path, command["description"])]
        return [leaf for sub in subcommands for leaf in leaves(sub, f"{path} {sub['name']}")]

    listed = [leaf for command in sim.commands() for leaf in leaves(command, command["name"])]
    assert len(listed) >= 10
    for path, description in listed:
        assert f"`/{path}` — {description}" in text


async def add_failing_commands(sim: Sim) -> None:
    tree = sim.client.tree

    @app_commands.command(name="bad-input")
    async def bad_input(interaction: discord.Interaction) -> None:
        """Always refuses."""
        raise UserFacingError("No film called “Top Gun”.")

    @app_commands.command(name="crash")
    async def crash(interaction: discord.Interaction) -> None:
        """Always crashes."""
        raise RuntimeError("boom")

    @app_commands.command(name="crash-late")
    async def crash_late(interaction: discord.Interaction) -> None:
        """Crashes after answering."""
        await interaction.response.send_message("working on it")
        raise RuntimeError("late boom")

    for command in (bad_input, crash, crash_late):
        tree.add_command(command)
    await tree.sync()


async def test_expected_errors_are_one_ephemeral_line(sim: Sim, caplog: pytest.LogCaptureFixture) -> None:
    await add_failing_commands(sim)
    alice, general = await member(sim)
    reply = await sim.slash(alice, general, "bad-input")
    assert reply.ephemeral
    assert reply.content == "No film called “Top Gun”."
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_unexpected_errors_apologise_and_log_a_traceback(sim: Sim, caplog: pytest.LogCaptureFixture) -> None:
    await add_failing_commands(sim)
    alice, general = await member(sim)
    reply = await sim.slash(alice, general, "crash")
    assert reply.ephemeral and reply.content == APOLOGY
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info and "boom" in str(errors[0].exc_info[1])


async def test_an_error_after_answering_becomes_a_follow_up(sim: Sim) -> None:
    await add_failing_commands(sim)
    alice, general = await member(sim)
    reply = await sim.slash(alice, general, "crash-late")
    assert reply.content == "working on it"
    assert [message.content for message in reply.followups] == [APOLOGY]
    assert reply.followups[0].flags & 64


async def test_nobody_is_pinged_by_default(sim: Sim) -> None:
    assert sim.client.allowed_mentions.to_dict() == {"parse": []}


async def test_token_never_reaches_the_logs_at_debug(sim: Sim) -> None:
    await sim.stop_bot()
    sim.extra_env["MARQUEE_LOGGING_LEVEL"] = "DEBUG"
    alice, general = await member(sim)
    await sim.spawn_bot()
    assert (await sim.slash(alice, general, "about")).embeds
    driver = sim.bot_driver
    driver.process.send_signal(signal.SIGTERM)
    assert await sim.wait_bot_exit() == 0
    log = driver.log_text()
    assert "DEBUG" in log and "discord.gateway" in log
    assert sim.world.token not in log


async def test_sigterm_shuts_down_cleanly(sim: Sim) -> None:
    await sim.stop_bot()
    sim.extra_env["MARQUEE_LOGGING_LEVEL"] = "INFO"
    await sim.spawn_bot()
    driver = sim.bot_driver
    driver.process.send_signal(signal.SIGTERM)
    assert await sim.wait_bot_exit() == 0
    log = driver.log_text()
    assert "shutting down" in log and "stopped cleanly" in log
    assert "Traceback" not in log
    assert not sim.database_path.with_name(sim.database_path.name + "-wal").exists()


async def test_a_development_guild_gets_the_commands_instantly(sim: Sim) -> None:
    await sim.stop_bot()
    guild = await sim.create_guild("Dev server")
    sim.extra_env["MARQUEE_COMMANDS_DEV_GUILD_ID"] = str(guild.id)
    await sim.start_bot()
    assert sim.requests_to("PUT /applications/{application_id}/guilds/{guild_id}/commands")
    assert "about" in {command["name"] for command in sim.commands(guild=guild)}
    alice = await sim.create_user("alice", guild=guild)
    assert (await sim.slash(alice, guild.channel("general"), "about")).embeds


async def test_a_cog_that_fails_to_load_leaves_the_last_good_commands_on_discord(
    sim: Sim, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import bot.client

    good = {command["name"] for command in sim.commands()}
    assert "help" in good
    syncs = len(sim.requests_to("PUT /applications/{application_id}/commands"))
    await sim.stop_bot()
    every = bot.client.cog_extensions()
    # /help's cog breaks (a bad edit, a missing dependency): every other cog still loads.
    broken = [*(name for name in every if name != "cogs.help"), "tests.cogs.broken_extension"]
    monkeypatch.setattr(bot.client, "cog_extensions", lambda: broken)
    await sim.start_bot()
    assert len(sim.requests_to("PUT /applications/{application_id}/commands")) == syncs
    assert {command["name"] for command in sim.commands()} == good
    alice, general = await member(sim)
    assert (await sim.slash(alice, general, "about")).embeds  # the cogs that loaded still work
    refusals = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR and "NOT synced" in r.getMessage()]
    assert len(refusals) == 1 and "tests.cogs.broken_extension" in refusals[0]

    # Once the cog is fixed, a restart finds the tree it last synced and leaves Discord alone.
    monkeypatch.setattr(bot.client, "cog_extensions", lambda: every)
    await sim.restart_bot()
    assert len(sim.requests_to("PUT /applications/{application_id}/commands")) == syncs
    assert {command["name"] for command in sim.commands()} == good
