"""The command line, run as a newcomer runs it: `python -m bot ...` in a fresh folder."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cogs.films.lookup import Lookup
from db import CatalogueRepository, Database

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "cli-test-token-that-must-never-be-printed-0123456789"


def run(tmp_path: Path, *args: str, token: bool = False, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("MARQUEE_", "DISCORD_"))}
    clean.update(env)
    clean["PYTHONPATH"] = str(ROOT)
    clean.setdefault("MARQUEE_DATABASE_PATH", str(tmp_path / "marquee.db"))
    if token:
        clean["DISCORD_TOKEN"] = TOKEN
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=tmp_path, env=clean, capture_output=True, text=True, timeout=120
    )


def test_run_without_a_token_exits_2_with_one_line(tmp_path: Path) -> None:
    result = run(tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "marquee: setting discord.token: missing; set the DISCORD_TOKEN environment variable"
    ]
    assert not (tmp_path / "marquee.db").exists()


def test_bad_setting_exits_2_naming_the_key_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[defaults]\ntimezone = 'Nowhere/Special'\n")
    result = run(tmp_path, "run", token=True)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "defaults.timezone" in lines[0]
    assert "Traceback" not in result.stderr and TOKEN not in result.stderr + result.stdout


def test_bad_environment_value_exits_2(tmp_path: Path) -> None:
    result = run(tmp_path, "check", MARQUEE_DELIVERY_PACE="fast")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "marquee: setting delivery.pace: MARQUEE_DELIVERY_PACE must be a number, got 'fast'"
    ]


@pytest.mark.parametrize(
    "args",
    [
        [], ["run"], ["check"], ["db"], ["db", "migrate"], ["db", "backup"],
        ["pack"], ["pack", "validate"], ["pack", "load"],
    ],
)
def test_every_sub_command_has_help(tmp_path: Path, args: list[str]) -> None:
    result = run(tmp_path, *args, "--help")
    assert result.returncode == 0
    assert "usage: marquee" in result.stdout


def test_check_reports_the_eight_films(tmp_path: Path) -> None:
    result = run(tmp_path, "check", token=True)
    assert result.returncode == 0, result.stderr
    assert "8 films" in result.stdout
    for title in ("Mission: Impossible (1996)", "Fallout (2018)", "The Final Reckoning (2025)"):
        assert title in result.stdout
    assert TOKEN not in result.stdout + result.stderr
    assert "check: ok" in result.stdout


def test_check_without_a_token_still_lists_the_films_but_fails(tmp_path: Path) -> None:
    result = run(tmp_path, "check")
    assert result.returncode == 2
    assert "8 films" in result.stdout
    assert "DISCORD_TOKEN" in result.stderr


def test_migrate_then_backup_gives_an_intact_copy(tmp_path: Path) -> None:
    migrated = run(tmp_path, "db", "migrate")
    assert migrated.returncode == 0, migrated.stderr
    loaded = run(tmp_path, "pack", "load", "mission-impossible")
    assert loaded.returncode == 0, loaded.stderr
    assert "8 films" in loaded.stdout
    backup = run(tmp_path, "db", "backup", "copies/backup.db")
    assert backup.returncode == 0, backup.stderr
    copy = sqlite3.connect(tmp_path / "copies" / "backup.db")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT COUNT(*) FROM films").fetchone()[0] == 8
    finally:
        copy.close()
    checked = run(tmp_path, "check", token=True)
    assert checked.returncode == 0, checked.stderr
    assert "8 films, " in checked.stdout


def test_backup_without_a_database_fails_clearly(tmp_path: Path) -> None:
    result = run(tmp_path, "db", "backup", "copy.db")
    assert result.returncode == 2
    assert "no database at" in result.stderr


def test_broken_pack_is_refused_with_its_problems(tmp_path: Path) -> None:
    pack = tmp_path / "broken.toml"
    pack.write_text('[pack]\nid = "broken"\nname = "Broken"\nversion = "1"\n\n[[film]]\nkey = "x"\ntitle = 3\n')
    result = run(tmp_path, "pack", "load", str(pack))
    assert result.returncode == 2
    assert "broken.toml" in result.stderr and "title" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_pack_is_reported(tmp_path: Path) -> None:
    result = run(tmp_path, "pack", "validate", "no-such-pack")
    assert result.returncode == 2
    assert "no-such-pack" in result.stderr


def test_console_script_is_declared() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert 'marquee = "bot.__main__:main"' in text


def test_a_database_from_a_newer_marquee_is_refused(tmp_path: Path) -> None:
    database = sqlite3.connect(tmp_path / "marquee.db")
    database.execute("PRAGMA user_version = 99")
    database.close()
    for args in (["db", "migrate"], ["pack", "load", "mission-impossible"]):
        result = run(tmp_path, *args)
        assert result.returncode == 2, args
        assert "newer than this Marquee" in result.stderr and "Traceback" not in result.stderr
    checked = run(tmp_path, "check", token=True)
    assert checked.returncode == 2 and "newer than this Marquee" in checked.stderr
    started = run(tmp_path, "run", token=True, MARQUEE_DISCORD_API_BASE_URL="http://127.0.0.1:9/api/v10")
    assert started.returncode == 2
    assert "newer than this Marquee" in started.stderr and "Traceback" not in started.stderr


def test_unreachable_discord_is_one_line(tmp_path: Path) -> None:
    result = run(tmp_path, "run", token=True, MARQUEE_DISCORD_API_BASE_URL="http://127.0.0.1:9/api/v10")
    assert result.returncode == 1
    assert "cannot reach Discord at http://127.0.0.1:9/api/v10" in result.stderr
    assert "Traceback" not in result.stderr and TOKEN not in result.stderr


def test_pack_load_keeps_the_look_up_indexes_for_the_next_start(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('[pack]\nid = "broken"\nname = "Broken"\nversion = "1"\n')
    refused = run(tmp_path, "pack", "load", "mission-impossible", str(broken))
    assert refused.returncode == 2 and "nothing loaded" in refused.stderr
    assert not (tmp_path / "marquee.db").exists()  # one bad pack: none of them is loaded

    loaded = run(tmp_path, "pack", "load", "mission-impossible")
    assert loaded.returncode == 0, loaded.stderr
    assert "look-up indexes built and kept for the next start" in loaded.stdout
    asyncio.run(_assert_a_start_reads_the_indexes_back(tmp_path / "marquee.db"))
    checked = run(tmp_path, "check", token=True)
    assert checked.returncode == 0, checked.stderr
    assert "look-up indexes: kept for this catalogue" in checked.stdout

    with contextlib.closing(sqlite3.connect(tmp_path / "marquee.db")) as database, database:
        database.execute("UPDATE people SET name = 'Someone Else' WHERE key = 'ving-rhames'")
    checked = run(tmp_path, "check", token=True)
    assert "look-up indexes: none kept for this catalogue; the next start builds them" in checked.stdout


async def _assert_a_start_reads_the_indexes_back(path: Path) -> None:
    async with Database.connect(path) as database:
        lookup = await Lookup.load(CatalogueRepository(database))
        assert lookup.restored
        best = lookup.prepare().films.resolve("MI3").best
        assert best is not None and best.key == "mi3"
