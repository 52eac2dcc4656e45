"""The command line, run as a newcomer runs it: `python -m bot ...` in a fresh folder."""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from cogs.films.lookup import Lookup
from db import CatalogueRepository, Database
from tests.read_only import read_only

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
        [],
        ["run"],
        ["check"],
        ["db"],
        ["db", "migrate"],
        ["db", "backup"],
        ["db", "copy"],
        ["pack"],
        ["pack", "validate"],
        ["pack", "load"],
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
        # What the indexes are read from changed other than by a pack load (a migration rewriting rows).
        database.execute("DELETE FROM film_titles WHERE kind <> 'title'")
    checked = run(tmp_path, "check", token=True)
    assert "look-up indexes: none kept for this catalogue; the next start builds them" in checked.stdout


async def _assert_a_start_reads_the_indexes_back(path: Path) -> None:
    async with Database.connect(path) as database:
        lookup = await Lookup.load(CatalogueRepository(database))
        assert lookup.restored
        best = lookup.prepare().films.resolve("MI3").best
        assert best is not None and best.key == "mi3"


UNREACHABLE = {"MARQUEE_DISCORD_API_BASE_URL": "http://127.0.0.1:9/api/v10"}
DATABASE_COMMANDS = (["run"], ["check"], ["db", "migrate"], ["db", "backup", "copy.db"])


def assert_one_line_naming(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.stderr and "Discord" not in lines[0] and TOKEN not in result.stderr


def assert_each_database_command_says(tmp_path: Path, database: Path, *fragments: str) -> None:
    for args in DATABASE_COMMANDS:
        result = run(tmp_path, *args, token=True, MARQUEE_DATABASE_PATH=str(database), **UNREACHABLE)
        if args == ["check"]:  # check also lists what it read; its problems are the one line on stderr
            assert "check: 1 problem(s)" in result.stdout
        assert_one_line_naming(result, str(database), *fragments)


def test_a_file_that_is_not_a_database_is_one_line_for_every_command(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("shopping list: eggs, milk\n" * 50)
    assert_each_database_command_says(tmp_path, notes, "is not a SQLite database")
    assert notes.read_text() == "shopping list: eggs, milk\n" * 50
    assert not (tmp_path / "copy.db").exists()


def test_a_database_path_naming_a_folder_is_one_line_for_every_command(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    assert_each_database_command_says(tmp_path, folder, "is a folder, not a database file")


def test_a_database_path_below_a_regular_file_is_one_line_for_every_command(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    assert_each_database_command_says(tmp_path, blocker / "marquee.db", f"{blocker} is a file, not a folder")


def test_a_read_only_database_is_one_line_for_every_command(tmp_path: Path) -> None:
    database = tmp_path / "marquee.db"
    assert run(tmp_path, "db", "migrate", MARQUEE_DATABASE_PATH=str(database)).returncode == 0
    with read_only(database):
        assert_each_database_command_says(tmp_path, database, "is read-only")


def test_a_database_in_a_read_only_folder_is_one_line_for_every_command(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    database = folder / "marquee.db"
    assert run(tmp_path, "db", "migrate", MARQUEE_DATABASE_PATH=str(database)).returncode == 0
    with read_only(folder):
        assert_each_database_command_says(tmp_path, database, f"its folder {folder} is read-only")


def test_backup_refuses_the_live_file_a_folder_and_a_document(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "migrate").returncode == 0
    (tmp_path / "backups").mkdir()
    (tmp_path / "letter.txt").write_text("Dear Ethan,")
    for target, fragment in (
        ("marquee.db", "it is the live database itself"),
        ("./marquee.db", "it is the live database itself"),
        ("backups", "it is a folder"),
        ("letter.txt", "it exists and is not a SQLite database; refusing to overwrite it"),
        ("letter.txt/copy.db", "letter.txt is a file, not a folder"),
    ):
        result = run(tmp_path, "db", "backup", target)
        assert_one_line_naming(result, f"cannot back up to {Path(target)}", fragment)
    assert (tmp_path / "letter.txt").read_text() == "Dear Ethan,"
    again = run(tmp_path, "db", "backup", "backups/copy.db")
    assert again.returncode == 0, again.stderr
    assert run(tmp_path, "db", "backup", "backups/copy.db").returncode == 0  # replacing an older backup is fine


def test_a_config_file_that_is_a_folder_or_not_utf8_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "latin1.toml").write_bytes('[defaults]\ntimezone = "Europe/Zürich"\n'.encode("latin-1"))
    (tmp_path / "conf.d").mkdir()
    for args, env in (
        (["--config", "latin1.toml", "check"], {}),
        (["check"], {"MARQUEE_CONFIG": "latin1.toml"}),
        (["--config", "conf.d", "run"], {}),
        (["check"], {"MARQUEE_CONFIG": "conf.d"}),
    ):
        result = run(tmp_path, *args, token=True, **env)
        assert_one_line_naming(result, "latin1.toml" if "latin1.toml" in args + list(env.values()) else "conf.d")


def test_config_works_before_and_after_the_sub_command(tmp_path: Path) -> None:
    (tmp_path / "x.toml").write_text("[defaults]\nregion = 'UK'\n")
    for args in (
        ["--config", "x.toml", "check"],
        ["check", "--config", "x.toml"],
        ["db", "migrate", "--config", "x.toml"],
        ["db", "--config", "x.toml", "migrate"],
        ["pack", "validate", "mission-impossible", "--config", "x.toml"],
        ["run", "--config", "x.toml"],
    ):
        result = run(tmp_path, *args, token=True)
        assert_one_line_naming(result, "defaults.region", "'UK'")
    assert not (tmp_path / "marquee.db").exists()


def test_a_top_level_token_says_it_belongs_in_discord(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(f'token = "{TOKEN}"\n')
    result = run(tmp_path, "run")
    assert_one_line_naming(result, "setting token: must be in the [discord] section", "DISCORD_TOKEN")
    assert "unknown section" not in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MARQUEE_DELIVERY_PACE", "inf"),
        ("MARQUEE_DELIVERY_GRACE_HOURS", "inf"),
        ("MARQUEE_DELIVERY_PACE", "nan"),
        ("MARQUEE_DATABASE_REMOVED_GUILD_DAYS", "1e300"),
    ],
)
def test_numbers_out_of_range_stop_the_start_with_one_line(tmp_path: Path, name: str, value: str) -> None:
    result = run(tmp_path, "run", token=True, **{name: value}, **UNREACHABLE)
    key = name.removeprefix("MARQUEE_").lower().replace("_", ".", 1)
    assert_one_line_naming(result, f"setting {key}: must be a number from")
    assert not (tmp_path / "marquee.db").exists()


def test_pack_validate_lists_the_problems_of_every_file(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('[pack]\nid = "a"\nname = "A"\nversion = "1"\n\n[[film]]\nkey = "x"\ntitle = 3\n')
    (tmp_path / "b.toml").write_text('[pack]\nid = "b"\nname = "B"\nversion = "1"\n\n[[film]]\nkey = "y"\nyear = "x"\n')
    result = run(tmp_path, "pack", "validate", "a.toml", "mission-impossible", "b.toml", "c.toml")
    assert result.returncode == 2
    assert "a.toml" in result.stderr and "title" in result.stderr
    assert "b.toml" in result.stderr and "year" in result.stderr
    assert "c.toml" in result.stderr
    assert "3 of 4 pack file(s) have problems" in result.stderr
    assert "8 films" in result.stdout  # the valid one is still described
    assert "Traceback" not in result.stderr


def test_a_start_that_fails_leaves_no_database_behind(tmp_path: Path) -> None:
    database = tmp_path / "var" / "lib" / "marquee.db"
    result = run(tmp_path, "run", token=True, MARQUEE_DATABASE_PATH=str(database), **UNREACHABLE)
    assert result.returncode == 1 and "cannot reach Discord" in result.stderr
    assert not (tmp_path / "var").exists()
    # A database that was there before is kept, whatever happens to the start.
    assert run(tmp_path, "db", "migrate", MARQUEE_DATABASE_PATH=str(database)).returncode == 0
    result = run(tmp_path, "run", token=True, MARQUEE_DATABASE_PATH=str(database), **UNREACHABLE)
    assert result.returncode == 1 and database.exists()


def test_a_bad_pack_is_reported_before_the_network(tmp_path: Path) -> None:
    result = run(tmp_path, "run", token=True, MARQUEE_PACKS_LOAD="mission-impossible,no-such-pack", **UNREACHABLE)
    assert result.returncode == 2
    assert "no-such-pack" in result.stderr and "Discord" not in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "marquee.db").exists()


async def test_check_loads_every_cog_and_names_the_broken_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.client import cog_extensions
    from bot.offline import check
    from bot.settings import load_settings

    settings = load_settings(None, {"DISCORD_TOKEN": TOKEN, "MARQUEE_DATABASE_PATH": str(tmp_path / "marquee.db")})
    assert await check(settings, token_set=True) == 0
    out = capsys.readouterr()
    assert f"cogs: {len(cog_extensions())} of {len(cog_extensions())} load" in out.out
    extensions = [*cog_extensions(), "tests.cogs.broken_extension"]
    assert await check(settings, token_set=True, extensions=extensions) == 2
    out = capsys.readouterr()
    problems = [line for line in out.err.splitlines() if line.startswith("problem:")]
    assert len(problems) == 1
    assert "tests.cogs.broken_extension" in problems[0] and "broken on purpose" in problems[0]
    assert "broken_extension.py, line" in problems[0] and "Traceback" not in out.err
    assert not (tmp_path / "marquee.db").exists()  # check writes nothing where the bot keeps its data


def test_a_pack_that_claims_another_packs_films_is_one_line(tmp_path: Path) -> None:
    bundled = (ROOT / "db" / "packs" / "mission-impossible.toml").read_text(encoding="utf-8")
    # Without the external ids that would make its films the bundled ones (merged, not claimed).
    copy = "\n".join(line for line in bundled.splitlines() if not line.startswith(("imdb_id", "tmdb_id")))
    (tmp_path / "copy.toml").write_text(copy.replace('id = "mission-impossible"', 'id = "mi-copy"', 1))
    assert run(tmp_path, "pack", "load", "mission-impossible").returncode == 0
    result = run(tmp_path, "pack", "load", "copy.toml")
    assert_one_line_naming(result, 'cannot load pack "mi-copy"', 'film "mi1" belongs to pack "mission-impossible"')


def test_discord_answering_an_error_at_login_is_one_line(tmp_path: Path) -> None:
    class Unavailable(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b'{"message": "upstream connect error", "code": 0}'
            self.send_response(503)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Unavailable) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/api/v10"
        result = run(tmp_path, "run", token=True, MARQUEE_DISCORD_API_BASE_URL=url)
        server.shutdown()
    assert result.returncode == 1
    # run logs as it goes; its verdict is the last line
    verdict = result.stderr.strip().splitlines()[-1]
    assert verdict == f"marquee: Discord at {url} answered 503 Service Unavailable; try again later"
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "marquee.db").exists()


OFFLINE_COMMANDS = (
    ["db", "migrate"],
    ["pack", "validate", "mission-impossible"],
    ["pack", "load", "mission-impossible"],
    ["check"],  # after the load, so that it reads the kept look-up indexes too
    ["db", "backup", "copy.db"],
)


def test_the_offline_commands_load_no_discord_py(tmp_path: Path) -> None:
    # One interpreter runs them all in turn: each must leave discord.py (and aiohttp) unimported.
    (tmp_path / "config.toml").write_text(f'[database]\npath = "{tmp_path / "marquee.db"}"\n')
    script = (
        "import sys\n"
        "from bot.__main__ import main\n"
        f"for args in {[list(args) for args in OFFLINE_COMMANDS]!r}:\n"
        "    code = main([*args, '--config', 'config.toml'])\n"
        "    loaded = sorted({'discord', 'aiohttp'} & set(sys.modules))\n"
        "    print('after', ' '.join(args), code, ','.join(loaded) or '-')\n"
    )
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("MARQUEE_", "DISCORD_"))}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={**clean, "PYTHONPATH": str(ROOT), "DISCORD_TOKEN": TOKEN},
        capture_output=True,
        text=True,
        timeout=120,
    )
    verdicts = [line for line in result.stdout.splitlines() if line.startswith("after ")]
    assert verdicts == [f"after {' '.join(args)} 0 -" for args in OFFLINE_COMMANDS], result.stdout + result.stderr


async def test_check_loads_the_cogs_from_its_own_import_path_and_survives_a_cog_that_kills_the_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.offline import check
    from bot.settings import load_settings

    extra = tmp_path / "extra_cogs"
    extra.mkdir()
    (extra / "fine_cog.py").write_text("async def setup(bot):\n    pass\n")
    (extra / "exiting_cog.py").write_text("import os\n\nos._exit(3)\n")
    monkeypatch.syspath_prepend(str(extra))  # only this process's path: the child must be told
    settings = load_settings(None, {"DISCORD_TOKEN": TOKEN, "MARQUEE_DATABASE_PATH": str(tmp_path / "marquee.db")})
    assert await check(settings, token_set=True, extensions=["fine_cog"]) == 0
    assert "cogs: 1 of 1 load" in capsys.readouterr().out
    assert await check(settings, token_set=True, extensions=["fine_cog", "exiting_cog"]) == 2
    out = capsys.readouterr()
    assert [line for line in out.err.splitlines() if line.startswith("problem:")] == [
        "problem: cogs could not be loaded to check them: exit status 3"
    ]
    assert "Traceback" not in out.err


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["--shards", "0-8", "--shard-count", "8"],
            "marquee: --shards 0-8: there is no shard 8 of 8 (shard ids are 0 to 7)",
        ),
        (["--shards", "3-1", "--shard-count", "8"], "marquee: --shards range 3-1 runs backwards; write 1-3"),
        (
            ["--shards", "0..3", "--shard-count", "8"],
            "marquee: --shards takes a range like 0-3 or a list like 0,2,5, not '0..3'",
        ),
        (["--shards", "1"], "marquee: --shards 1: there is no shard 1 of 1 (shard ids are 0 to 0)"),
        (
            ["--shards", "0-1", "--shard-count", "auto"],
            'marquee: --shards needs a shard count: give --shard-count N (sharding.count is "auto")',
        ),
        (
            ["--shard-count", "0"],
            "marquee: --shard-count must be auto or a whole number of shards from 1 to 1,000,000, not '0'",
        ),
    ],
)
def test_bad_shards_exit_2_with_one_line_before_any_network(tmp_path: Path, args: list[str], line: str) -> None:
    # The API base points nowhere reachable: a plan that got as far as connecting would fail differently.
    result = run(tmp_path, "run", *args, token=True, MARQUEE_DISCORD_API_BASE_URL="http://127.0.0.1:9/api/v10")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [line]
    assert not (tmp_path / "marquee.db").exists()


def test_shards_with_a_count_of_auto_from_the_settings_exit_2(tmp_path: Path) -> None:
    result = run(tmp_path, "run", "--shards", "0", token=True, MARQUEE_SHARDING_COUNT="auto")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        'marquee: --shards needs a shard count: give --shard-count N (sharding.count is "auto")'
    ]


def test_run_help_documents_the_shard_options(tmp_path: Path) -> None:
    result = run(tmp_path, "run", "--help")
    assert result.returncode == 0
    assert "--shards IDS" in result.stdout and "--shard-count N" in result.stdout
