"""`pack import tmdb` and `pack refresh` against the local TMDB stand-in, whose every request and answer is
checked against TMDB's OpenAPI description (`sim.problems`)."""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import socket
import sqlite3
import sys
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings, load_settings
from bot.tmdb import commands, connect
from bot.tmdb.commands import import_tmdb, refresh_packs, tmdb_command
from bot.tmdb.pack_file import overrides_path
from db import Database, load_pack, migrate, parse_pack
from tests.tmdb_sim import TmdbSim, TmdbWorld

ROOT = Path(__file__).resolve().parents[2]
SAGA = 1000
FIRST = SAGA * 1000 + 1  # the stand-in numbers a made-up collection's films from here


@pytest.fixture
async def tmdb() -> AsyncIterator[TmdbSim]:
    world = TmdbWorld()
    world.make_collection(SAGA, "Test Saga Collection", count=30, first_year=1990)
    async with TmdbSim(world) as sim:
        yield sim
        assert sim.problems == []


def env_for(sim: TmdbSim, tmp_path: Path) -> dict[str, str]:
    return {
        "MARQUEE_TMDB_TOKEN": sim.token,
        "MARQUEE_TMDB_API_URL": sim.api_url,
        "MARQUEE_TMDB_CACHE_PATH": str(tmp_path / "tmdb-cache.db"),
        "MARQUEE_DATABASE_PATH": str(tmp_path / "marquee.db"),
    }


def settings_for(sim: TmdbSim, tmp_path: Path) -> Settings:
    return load_settings(None, env_for(sim, tmp_path), require_token=False)


def import_arguments(output: Path, **given: Any) -> argparse.Namespace:
    values: dict[str, Any] = dict(
        pack_command="import", collection=[], movie=[], search=None, year=None, pick=None, output=output,
        language="en-US", pack_id=None,
    )  # fmt: skip
    values.update(given)
    return argparse.Namespace(**values)


async def test_a_collection_of_thirty_films_becomes_a_valid_pack_in_release_order(
    tmdb: TmdbSim, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "saga.toml"
    assert await import_tmdb(settings_for(tmdb, tmp_path), import_arguments(output, collection=[SAGA])) == 0
    pack = parse_pack(output)
    assert len(pack.films) == 30 and pack.franchise is not None
    assert sorted(film.franchise_order or 0 for film in pack.films) == list(range(1, 31))
    ordered = sorted(pack.films, key=lambda film: film.franchise_order or 0)
    assert [film.year for film in ordered] == sorted(film.year for film in ordered)
    assert all(film.tmdb_id and film.cast and film.crew and film.releases for film in pack.films)
    out = capsys.readouterr().out
    assert f"wrote {output}: pack {pack.id}, 30 films" in out and "valid" in out
    assert "This product uses the TMDB API but is not endorsed or certified by TMDB." in out
    # One request for the configuration, one for the collection, one per film.
    assert len(tmdb.requests) == 32


async def test_importing_again_asks_with_conditional_requests_and_writes_the_same_pack(
    tmdb: TmdbSim, tmp_path: Path
) -> None:
    settings = settings_for(tmdb, tmp_path)
    first, second = tmp_path / "one.toml", tmp_path / "two.toml"
    await import_tmdb(settings, import_arguments(first, collection=[SAGA]))
    asked = len(tmdb.requests)
    await import_tmdb(settings, import_arguments(second, collection=[SAGA]))
    again = tmdb.requests[asked:]
    assert again and all(request.if_none_match and request.status == 304 for request in again)
    assert tomllib.loads(first.read_text())["film"] == tomllib.loads(second.read_text())["film"]


async def test_an_import_never_overwrites_a_file_it_did_not_write(
    tmdb: TmdbSim, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(tmdb, tmp_path)
    output = tmp_path / "saga.toml"
    output.write_text("# my own notes\n", encoding="utf-8")
    assert await import_tmdb(settings, import_arguments(output, collection=[SAGA])) == 2
    assert "is not a pack Marquee wrote" in capsys.readouterr().err
    assert output.read_text(encoding="utf-8") == "# my own notes\n"


async def test_search_shows_the_matches_and_imports_the_one_picked(tmdb: TmdbSim, tmp_path: Path) -> None:
    settings = settings_for(tmdb, tmp_path)
    output = tmp_path / "picked.toml"
    arguments = import_arguments(output, search="test saga", year=None, pick=2)
    assert await import_tmdb(settings, arguments) == 0
    (film,) = parse_pack(output).films
    assert film.franchise_order is None  # imported alone, outside its collection


async def test_a_search_that_finds_nothing_or_too_much_without_a_pick_says_so(
    tmdb: TmdbSim, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(tmdb, tmp_path)
    assert await import_tmdb(settings, import_arguments(tmp_path / "x.toml", search="no such film")) == 2
    assert "TMDB found no film called 'no such film'" in capsys.readouterr().err
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    assert await import_tmdb(settings, import_arguments(tmp_path / "x.toml", search="test saga")) == 2
    assert "choose one with --pick N" in capsys.readouterr().err
    assert not (tmp_path / "x.toml").exists()


async def test_passing_troubles_are_waited_out(tmdb: TmdbSim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(commands, "tmdb_client", functools.partial(connect.tmdb_client, request_timeout=0.5))
    settings = settings_for(tmdb, tmp_path)
    first = FIRST
    tmdb.fail(f"/3/movie/{first}", status=429, times=1, retry_after=1)
    tmdb.fail(f"/3/movie/{first + 1}", status=503, times=2)
    tmdb.malformed(f"/3/movie/{first + 2}", times=1)
    tmdb.hang(f"/3/movie/{first + 3}", times=1, seconds=5)
    output = tmp_path / "saga.toml"
    assert await import_tmdb(settings, import_arguments(output, collection=[SAGA])) == 0
    assert len(parse_pack(output).films) == 30


@pytest.mark.parametrize(
    ("trouble", "message"),
    [
        ("revoked", "TMDB refused the token"),
        ("missing film", "999999"),
        ("always malformed", "TMDB"),
        ("no token", "no TMDB token: set MARQUEE_TMDB_TOKEN"),
        ("no network", "cannot reach TMDB at 127.0.0.1"),
    ],
)
async def test_lasting_troubles_give_one_clear_line_and_exit_2(
    tmdb: TmdbSim, tmp_path: Path, capsys: pytest.CaptureFixture[str], trouble: str, message: str
) -> None:
    env = env_for(tmdb, tmp_path)
    arguments = import_arguments(tmp_path / "out.toml", collection=[SAGA])
    if trouble == "revoked":
        tmdb.revoke()
    elif trouble == "missing film":
        arguments = import_arguments(tmp_path / "out.toml", movie=[999999])
    elif trouble == "always malformed":
        tmdb.malformed("/3/configuration", times=10)
    elif trouble == "no network":
        with socket.socket() as unused:
            unused.bind(("127.0.0.1", 0))
            env["MARQUEE_TMDB_API_URL"] = f"http://127.0.0.1:{unused.getsockname()[1]}/3"
    else:
        del env["MARQUEE_TMDB_TOKEN"]
    settings = load_settings(None, env, require_token=False)
    assert await tmdb_command(settings, arguments) == 2
    err = capsys.readouterr().err
    (line,) = err.strip().splitlines()
    assert message in line and tmdb.token not in err
    assert not (tmp_path / "out.toml").exists()


async def test_the_command_line_exits_2_with_one_line_and_never_prints_the_token(tmdb: TmdbSim, tmp_path: Path) -> None:
    tmdb.revoke()
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "pack", "import", "tmdb", "--movie", "1",
        env={**os.environ, **env_for(tmdb, tmp_path)}, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await child.communicate()
    assert child.returncode == 2
    assert len(err.decode().strip().splitlines()) == 1 and "token" in err.decode()
    assert tmdb.token not in (out + err).decode()


# ---- refresh ------------------------------------------------------------------------------------------------
async def imported_and_loaded(tmdb: TmdbSim, tmp_path: Path) -> tuple[Settings, Path]:
    settings = settings_for(tmdb, tmp_path)
    output = tmp_path / "saga.toml"
    assert await import_tmdb(settings, import_arguments(output, collection=[SAGA])) == 0
    async with Database.connect(settings.database.path) as database:
        await migrate(database)
        await load_pack(database, parse_pack(output), source_path=str(output))
    return settings, output


def stored_release(settings: Settings, tmdb_id: int, country: str = "US", kind: int = 3) -> str:
    with sqlite3.connect(settings.database.path) as db:
        row = db.execute(
            "SELECT r.release_date FROM releases r JOIN films f ON f.id = r.film_id "
            "WHERE f.tmdb_id = ? AND r.country = ? AND r.release_type = ?",
            (tmdb_id, country, kind),
        ).fetchone()
    return str(row[0])


async def test_a_refresh_prints_what_moved_and_applies_it_only_when_asked(
    tmdb: TmdbSim, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings, output = await imported_and_loaded(tmdb, tmp_path)
    film = FIRST
    before = stored_release(settings, film)
    tmdb.world.move_release(film, "US", type=3, new_date="2027-05-01")
    capsys.readouterr()
    assert await refresh_packs(settings, [], apply=False) == 0
    out = capsys.readouterr().out
    assert f"US theatrical release {before} → 2027-05-01" in out and "--yes" in out
    assert stored_release(settings, film) == before
    assert await refresh_packs(settings, [], apply=True) == 0
    assert stored_release(settings, film) == "2027-05-01"
    rewritten = parse_pack(output)
    assert rewritten.version == "1.0.1"
    capsys.readouterr()
    assert await refresh_packs(settings, [], apply=True) == 0
    assert "up to date" in capsys.readouterr().out


async def test_a_renamed_film_keeps_its_key_and_hand_edits_in_the_overrides_survive(
    tmdb: TmdbSim, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings, output = await imported_and_loaded(tmdb, tmp_path)
    film = FIRST
    key = next(f.key for f in parse_pack(output).films if f.tmdb_id == film)
    overrides_path(output).write_text(f'[[film]]\nkey = "{key}"\nsynopsis = "In our own words."\n', encoding="utf-8")
    tmdb.world.rename(film, "A Brand New Name")
    assert await refresh_packs(settings, [str(output)], apply=True) == 0
    assert "renamed A Brand New Name" in capsys.readouterr().out
    (renamed,) = [f for f in parse_pack(output).films if f.tmdb_id == film]
    assert (renamed.key, renamed.title, renamed.synopsis) == (key, "A Brand New Name", "In our own words.")


async def test_a_pack_file_edited_by_hand_is_never_overwritten(
    tmdb: TmdbSim, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings, output = await imported_and_loaded(tmdb, tmp_path)
    edited = output.read_text(encoding="utf-8").replace('version = "1.0.0"', 'version = "1.0.0"\n# mine', 1)
    output.write_text(edited, encoding="utf-8")
    tmdb.world.move_release(FIRST, "US", type=3, new_date="2027-05-01")
    assert await refresh_packs(settings, [], apply=True) == 2
    assert "edited by hand" in capsys.readouterr().err
    assert output.read_text(encoding="utf-8") == edited
