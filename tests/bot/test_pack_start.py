"""A start loads the configured packs only when they changed since the last start loaded them."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.client import MarqueeBot, packs_unchanged
from bot.clock import ManualClock
from bot.settings import load_settings
from db import CatalogueRepository, Database, PackFiles, bundled_pack_path, load_pack, parse_pack
from db.packs import load as load_module

TAGLINE = "One stolen list, one dead team, and one agent nobody believes."


async def start(database: Database, pack: Path) -> None:
    """What a start does with the packs (the runner's `prepare`), without Discord."""
    settings = load_settings(None, {"DISCORD_TOKEN": "unused-token-for-offline-test", "MARQUEE_PACKS_LOAD": str(pack)})
    bot = MarqueeBot(settings=settings, database=database, clock=ManualClock(datetime.now(UTC)))
    try:
        await bot.prepare()
    finally:
        await bot.close()


async def tagline(database: Database) -> str | None:
    film = await CatalogueRepository(database).get_film("mi1")
    assert film is not None
    return film.tagline


async def test_unchanged_packs_are_not_loaded_again(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    pack = tmp_path / "mission-impossible.toml"
    pack.write_text(bundled_pack_path("mission-impossible").read_text(encoding="utf-8"), encoding="utf-8")
    async with Database.connect(tmp_path / "marquee.db") as database:
        with caplog.at_level(logging.INFO, logger="bot.client"):
            await start(database, pack)
            assert any("content pack mission-impossible loaded" in r.getMessage() for r in caplog.records)
            caplog.clear()
            await start(database, pack)
            assert any("content packs unchanged" in r.getMessage() for r in caplog.records)
            assert not any("content pack mission-impossible loaded" in r.getMessage() for r in caplog.records)
        assert await tagline(database) == TAGLINE

        # An edited file is loaded at the next start.
        pack.write_text(pack.read_text(encoding="utf-8").replace(TAGLINE, "Edited."), encoding="utf-8")
        await start(database, pack)
        assert await tagline(database) == "Edited."

        # Another version loaded by hand since (`pack load`) is replaced by the configured one at the next start.
        await load_pack(database, parse_pack(bundled_pack_path("mission-impossible")))
        assert await tagline(database) == TAGLINE
        await start(database, pack)
        assert await tagline(database) == "Edited."


async def test_a_new_database_loads_the_packs(tmp_path: Path) -> None:
    pack = bundled_pack_path("mission-impossible")
    async with Database.connect(tmp_path / "first.db") as database:
        await start(database, pack)
    async with Database.connect(tmp_path / "second.db") as database:
        await start(database, pack)
        assert await tagline(database) == TAGLINE


async def test_a_start_reads_each_pack_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = tmp_path / "mission-impossible.toml"
    pack.write_text(bundled_pack_path("mission-impossible").read_text(encoding="utf-8"), encoding="utf-8")
    async with Database.connect(tmp_path / "marquee.db") as database:
        await start(database, pack)  # loads it
        reads: list[Path] = []
        checksum = load_module.pack_file_checksum
        monkeypatch.setattr(load_module, "pack_file_checksum", lambda path: reads.append(path) or checksum(path))
        # As the runner does: the files read once, handed to the bot, which finds them unchanged.
        files = PackFiles.read([pack])
        assert await packs_unchanged(database, files)
        settings = load_settings(
            None, {"DISCORD_TOKEN": "unused-token-for-offline-test", "MARQUEE_PACKS_LOAD": str(pack)}
        )
        bot = MarqueeBot(settings=settings, database=database, clock=ManualClock(datetime.now(UTC)), pack_files=files)
        try:
            await bot.prepare()
        finally:
            await bot.close()
        assert reads == [pack]
