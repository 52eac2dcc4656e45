"""Every cog loads, and together they make a command tree Discord will accept."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from discord import app_commands

from bot.client import MarqueeBot, cog_extensions
from bot.clock import ManualClock
from bot.settings import load_settings
from db import Database, migrate

NAME = re.compile(r"^[-_\w]{1,32}$")


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[MarqueeBot]:
    settings = load_settings(None, {"DISCORD_TOKEN": "unused-token-for-offline-test"})
    async with Database.connect(tmp_path / "marquee.db") as database:
        marquee = MarqueeBot(settings=settings, database=database, clock=ManualClock(datetime.now(UTC)))
        await migrate(database)
        await marquee.load_content_packs()
        await marquee.load_cogs()
        yield marquee
        await marquee.close()


def test_extensions_are_discovered() -> None:
    assert {"cogs.about", "cogs.help", "cogs.films"} <= set(cog_extensions())


async def test_every_cog_loads(bot: MarqueeBot) -> None:
    assert bot.failed_extensions == {}
    assert set(bot.extensions) == set(cog_extensions())


async def test_command_names_are_unique_and_valid(bot: MarqueeBot) -> None:
    top_level = [command.name for command in bot.tree.get_commands()]
    assert len(top_level) <= 100, "Discord allows at most 100 global slash commands"
    duplicates = [name for name, count in Counter(top_level).items() if count > 1]
    assert duplicates == []
    paths = [command.qualified_name for command in bot.tree.walk_commands()]
    assert len(paths) == len(set(paths))
    for command in bot.tree.walk_commands():
        assert NAME.match(command.name) and command.name == command.name.lower(), command.name


async def test_every_command_has_a_real_description(bot: MarqueeBot) -> None:
    for command in bot.tree.walk_commands():
        assert command.description and command.description != "…", f"/{command.qualified_name} has no docstring"
        assert len(command.description) <= 100
        if isinstance(command, app_commands.Command):
            for parameter in command.parameters:
                assert parameter.description and parameter.description != "…", (
                    f"/{command.qualified_name} option {parameter.name} has no description"
                )


async def test_a_broken_cog_is_logged_and_the_others_load(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = load_settings(None, {"DISCORD_TOKEN": "unused-token-for-offline-test"})
    async with Database.connect(tmp_path / "marquee.db") as database:
        marquee = MarqueeBot(settings=settings, database=database, clock=ManualClock(datetime.now(UTC)))
        await migrate(database)
        await marquee.load_cogs(["cogs.about", "tests.cogs.broken_extension", "cogs.help"])
        assert set(marquee.extensions) == {"cogs.about", "cogs.help"}
        assert list(marquee.failed_extensions) == ["tests.cogs.broken_extension"]
        assert any("broken_extension failed to load" in record.getMessage() for record in caplog.records)
        await marquee.close()


async def _sync_after_loading(
    tmp_path: Path, extensions: list[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[MarqueeBot, list[object]]:
    settings = load_settings(None, {"DISCORD_TOKEN": "unused-token-for-offline-test"})
    synced: list[object] = []

    async def sync(*, guild: object = None) -> list[object]:
        synced.append(guild)
        return []

    async with Database.connect(tmp_path / "marquee.db") as database:
        marquee = MarqueeBot(settings=settings, database=database, clock=ManualClock(datetime.now(UTC)))
        monkeypatch.setattr(marquee.tree, "sync", sync)
        await marquee.prepare()
        await marquee.load_cogs(extensions)
        await marquee.sync_commands_if_changed()
        await marquee.close()
    return marquee, synced


async def test_a_partial_tree_is_never_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _, synced = await _sync_after_loading(tmp_path / "good", ["cogs.about", "cogs.help"], monkeypatch)
    assert synced == [None]  # the whole tree, once

    caplog.clear()
    _, synced = await _sync_after_loading(
        tmp_path / "broken", ["cogs.about", "tests.cogs.broken_extension", "cogs.help"], monkeypatch
    )
    assert synced == []
    errors = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    refusal = [message for message in errors if "NOT synced" in message]
    assert len(refusal) == 1
    assert "tests.cogs.broken_extension" in refusal[0] and "broken on purpose" in refusal[0]
