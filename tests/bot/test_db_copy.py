"""`db copy --to`, `db backup`, `db migrate` and `check` with PostgreSQL, run as an operator runs them:
`python -m bot ...` in a fresh folder, against a fresh schema of the test PostgreSQL server (named in the URL
by `?options=-csearch_path%3D<schema>`, which both asyncpg and PostgreSQL's own tools understand)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from bot.database_lock import sole_holder_of
from db import (
    LATEST_VERSION,
    AnnouncementRepository,
    BotStateRepository,
    CatalogueRepository,
    Database,
    TriviaRepository,
    connect_database,
    migrate,
)
from db.copy import shapes, table_sum
from db.dump import dump_command, url_without_password
from db.repositories.announcements import AnnouncementSettings, NewPost
from db.repositories.reminders import NewReminder, ReminderRepository
from tests.postgres import fresh_schema, require_postgres, test_database_url

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "never-print-me-7f3a"
GUILD = 1_000_000_000_000_000_001
CHANNEL = 1_100_000_000_000_000_001
MEMBER = 1_500_000_000_000_000_001
NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("MARQUEE_", "DISCORD_"))}
    clean.update(env)
    clean["PYTHONPATH"] = str(ROOT)
    clean.setdefault("MARQUEE_DATABASE_PATH", str(tmp_path / "marquee.db"))
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=tmp_path, env=clean, capture_output=True, text=True, timeout=300
    )


def with_password(url: str) -> str:
    """``url`` carrying a password (the test server trusts local logins, so any password is accepted)."""
    parts = urlsplit(url)
    if parts.password is not None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"{parts.username or 'postgres'}:{PASSWORD}@{host}", parts.path, parts.query, ""))


def schema_url(url: str, schema: str) -> str:
    """The URL of ``schema`` in the server at ``url``, for a command line: its search_path in the URL."""
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="module")
def server() -> str:
    url = test_database_url()
    require_postgres(url)
    return url


@pytest.fixture
def schema(server: str) -> Iterator[str]:
    """A fresh schema, dropped afterwards (on a loop of its own, kept for both ends: the CLI tests are not
    async, and a loop that closes would close the schema's context early)."""
    with asyncio.Runner() as runner:
        context = fresh_schema(server)
        name = runner.run(context.__aenter__())
        try:
            yield name
        finally:
            runner.run(context.__aexit__(None, None, None))


async def add_running_data(db: Database) -> None:
    """Announcements, events (one deleted: its id must never be handed out again), reminders, a trivia game,
    bot state and the blob caches, through the repositories."""
    announcements = AnnouncementRepository(db)
    await announcements.save_settings(
        AnnouncementSettings(
            guild_id=GUILD,
            channel_id=CHANNEL,
            post_time="09:30",
            timezone="Europe/Paris",
            region="FR",
            milestones="30,7,1,0",
            role_id=None,
            anniversaries=True,
            mirror_events=False,
            paused_reason=None,
            notice_pending=True,
            targets=("film:mission-impossible", "event:1"),
            updated_at=NOW,
        )
    )
    posts = [
        NewPost("film:mission-impossible", dt.date(2024, 7, 1), "7", "countdown", NOW + dt.timedelta(days=23), "n1"),
        NewPost("film:mission-impossible", dt.date(2024, 7, 1), "0", "release", NOW + dt.timedelta(days=30), "n2"),
    ]
    await announcements.replace_plan(GUILD, posts, NOW)
    for name in ("Première night ✓", "Cancelled"):
        await announcements.add_event(
            GUILD,
            name,
            dt.date(2024, 8, 1),
            start_time="20:00",
            timezone="Europe/Paris",
            description="Ça commence à 20 h",
            created_by=MEMBER,
            now=NOW,
            limit=10,
        )
    assert await announcements.remove_event(GUILD, "Cancelled") is not None
    reminders = ReminderRepository(db)
    subscribed = await reminders.subscribe(
        MEMBER, GUILD, "film:mission-impossible", "7d,1d", NOW, region="FR", timezone="Europe/Paris", limit=10
    )
    assert subscribed is not None
    await reminders.replace_plan(
        subscribed[0], [NewReminder(dt.date(2024, 7, 1), "7d", NOW + dt.timedelta(days=23))], NOW
    )
    trivia = TriviaRepository(db)
    game = await trivia.start_game(
        guild_id=GUILD,
        channel_id=CHANNEL,
        starter_id=MEMBER,
        mode="buttons",
        difficulty="medium",
        film_key=None,
        question_count=3,
        seconds=20,
        now=NOW,
    )
    assert game is not None
    await trivia.add_round(game.id, 1, "q-1", '{"q": "Qui ?"}', NOW)
    await trivia.record_answer(
        game_id=game.id,
        round_number=1,
        guild_id=GUILD,
        user_id=MEMBER,
        answer="Ethan",
        correct=True,
        time_ms=1234,
        points=10,
        now=NOW,
    )
    await BotStateRepository(db).set("packs.loaded", "mission-impossible 1.0.0")
    catalogue = CatalogueRepository(db)
    films = [row[0] for row in await db.fetch_all("SELECT id FROM films ORDER BY id")]
    await catalogue.store_cards("catalogue-1", {film: bytes(range(256)) * (film + 1) for film in films})
    await catalogue.store_question_pool("catalogue-1", b"\x00\xff\x80" * 5000)


def build_source(tmp_path: Path) -> Path:
    """The SQLite database an operator would copy: the bundled pack loaded (with its look-up indexes) and the
    running bot's rows."""
    loaded = run(tmp_path, "pack", "load", "mission-impossible")
    assert loaded.returncode == 0, loaded.stderr

    async def add() -> None:
        async with Database.connect(tmp_path / "marquee.db") as db:
            await add_running_data(db)

    asyncio.run(add())
    return tmp_path / "marquee.db"


async def all_sums(db: Database) -> dict[str, tuple[int, str]]:
    found = await shapes(db)
    sums = {name: await table_sum(db, shape, sorted(shape.columns)) for name, shape in found.items()}
    return {name: (found.rows, found.checksum) for name, found in sums.items()}


def table_lines(output: str) -> dict[str, str]:
    return {line.strip().split(":", 1)[0]: line.strip() for line in output.splitlines() if line.startswith("  ")}


def test_copy_into_postgresql_keeps_every_row_and_id_and_verifies_each_table(
    tmp_path: Path, server: str, schema: str
) -> None:
    source = build_source(tmp_path)
    target = schema_url(with_password(server), schema)
    result = run(tmp_path, "db", "copy", "--to", target)
    assert result.returncode == 0, result.stdout + result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    lines = table_lines(result.stdout)
    assert lines["films"] == "films: 8 rows, ok"
    for table in ("search_indexes", "film_cards", "trivia_pools", "bot_state", "guild_events", "reminders"):
        assert lines[table].endswith(", ok") and not lines[table].startswith(f"{table}: 0 rows"), lines[table]
    assert all(line.endswith(", ok") for line in lines.values())
    assert (
        result.stdout.strip().splitlines()[-1]
        == f"verification: all {len(lines)} tables match (row counts and checksums)"
    )

    async def compare() -> None:
        async with Database.connect(source) as sqlite, connect_database(server, schema=schema) as pg:
            assert await all_sums(pg) == await all_sums(sqlite)
            settings = await AnnouncementRepository(pg).settings(GUILD)
            assert settings is not None and settings.anniversaries and not settings.mirror_events
            assert settings == await AnnouncementRepository(sqlite).settings(GUILD)
            assert await CatalogueRepository(pg).stored_question_pool("catalogue-1") == b"\x00\xff\x80" * 5000
            # Event 2 was deleted in SQLite, which never hands its id out again; neither may PostgreSQL.
            event = await AnnouncementRepository(pg).add_event(
                GUILD, "Next", dt.date(2024, 9, 1), start_time=None, timezone=None, description=None,
                created_by=MEMBER, now=NOW, limit=10,
            )  # fmt: skip
            assert event is not None and event.id == 3
            film = await pg.fetch_value(
                "INSERT INTO franchises (key, name, pack_id) SELECT 'x', 'X', min(id) FROM packs RETURNING id"
            )
            assert film == 1 + await sqlite.fetch_value("SELECT max(id) FROM franchises")

    asyncio.run(compare())
    check = run(tmp_path, "check", MARQUEE_DATABASE_URL=target, DISCORD_TOKEN="t")
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"schema version {LATEST_VERSION} of {LATEST_VERSION}; 8 films" in check.stdout
    # The look-up indexes were copied byte for byte, and the copy's catalogue is the one they were made from.
    assert "look-up indexes: kept for this catalogue" in check.stdout


def test_a_changed_or_missing_target_row_is_reported_as_a_mismatch(tmp_path: Path, server: str, schema: str) -> None:
    build_source(tmp_path)
    target = schema_url(server, schema)
    assert run(tmp_path, "db", "copy", "--to", target).returncode == 0

    async def corrupt() -> None:
        conn = await asyncpg.connect(server, server_settings={"search_path": schema})
        try:
            await conn.execute("UPDATE films SET title = title || '!' WHERE id = (SELECT min(id) FROM films)")
            await conn.execute("DELETE FROM trivia_answers")
        finally:
            await conn.close()

    asyncio.run(corrupt())
    result = run(tmp_path, "db", "copy", "--to", target, "--verify-only")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = table_lines(result.stdout)
    assert lines["films"] == "films: 8 rows, mismatch (the rows' checksums differ)"
    assert lines["trivia_answers"] == "trivia_answers: mismatch (1 row in the source, 0 in the target)"
    assert lines["people"] == "people: 109 rows, ok"
    assert result.stdout.strip().splitlines()[-1] == f"verification: 2 of {len(lines)} tables differ"


def test_a_target_holding_data_is_refused_unless_replace(tmp_path: Path, server: str, schema: str) -> None:
    build_source(tmp_path)
    target = schema_url(with_password(server), schema)
    assert run(tmp_path, "db", "copy", "--to", target).returncode == 0
    again = run(tmp_path, "db", "copy", "--to", target)
    assert again.returncode == 2 and again.stdout == ""
    [line] = again.stderr.strip().splitlines()
    assert "already holds Marquee data" in line and "--replace" in line and PASSWORD not in line
    assert ":***@" in line
    replaced = run(tmp_path, "db", "copy", "--to", target, "--replace")
    assert replaced.returncode == 0, replaced.stdout + replaced.stderr
    assert "its earlier data replaced" in replaced.stdout


def test_a_source_behind_the_schema_is_refused_and_the_target_left_alone(
    tmp_path: Path, server: str, schema: str
) -> None:
    async def old_database() -> None:
        async with Database.connect(tmp_path / "marquee.db") as db:
            await migrate(db, 3)

    asyncio.run(old_database())
    result = run(tmp_path, "db", "copy", "--to", schema_url(server, schema))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"problem: database {tmp_path / 'marquee.db'} is at schema version 3 of {LATEST_VERSION}: "
        "run `marquee db migrate` on it first (the copy never writes to its source)"
    ]

    async def target_tables() -> int:
        async with connect_database(server, schema=schema) as pg:
            return len(await shapes(pg))

    assert asyncio.run(target_tables()) == 0
    with sqlite3.connect(tmp_path / "marquee.db") as sqlite:
        assert sqlite.execute("PRAGMA user_version").fetchone()[0] == 3


def test_copy_back_from_postgresql_into_a_new_sqlite_file(tmp_path: Path, server: str, schema: str) -> None:
    source = build_source(tmp_path)
    target = schema_url(server, schema)
    assert run(tmp_path, "db", "copy", "--to", target).returncode == 0
    result = run(tmp_path, "db", "copy", "--to", "back/marquee.db", MARQUEE_DATABASE_URL=target)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verification: all" in result.stdout

    async def compare() -> None:
        async with Database.connect(source) as first, Database.connect(tmp_path / "back" / "marquee.db") as back:
            assert await all_sums(back) == await all_sums(first)

    asyncio.run(compare())
    with sqlite3.connect(tmp_path / "back" / "marquee.db") as back:
        # The deleted event's id stays used in the copy of the copy.
        assert back.execute("SELECT seq FROM sqlite_sequence WHERE name = 'guild_events'").fetchone() == (2,)
        assert back.execute("PRAGMA foreign_key_check").fetchall() == []


def test_copy_between_two_databases_of_one_kind_is_refused_in_one_line(tmp_path: Path) -> None:
    result = run(tmp_path, "db", "copy", "--to", "other.db")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "postgresql://" in result.stderr
    assert not (tmp_path / "other.db").exists()
    # No SQLite file to copy: said before any connection is tried (nothing answers on port 1).
    missing = run(tmp_path, "db", "copy", "--to", "postgresql://marquee@127.0.0.1:1/marquee")
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        f"problem: no database at {tmp_path / 'marquee.db'} to copy (setting database.path)"
    ]
    assert not (tmp_path / "marquee.db").exists()


def test_a_copy_is_refused_while_a_bot_runs_on_the_sqlite_file(tmp_path: Path, server: str, schema: str) -> None:
    build_source(tmp_path)
    database = tmp_path / "marquee.db"
    # A running bot holds its file's lock (bot.runner); the copy must not read data being changed under it.
    with sole_holder_of(database, "one bot per file"):
        result = run(tmp_path, "db", "copy", "--to", schema_url(server, schema))
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert f"database {database} is in use by another running Marquee (process {os.getpid()})" in line
    assert "stop it before copying" in line
    assert not (tmp_path / "marquee.db.lock").exists()
    # With the bot stopped, the same copy goes through (and the lock it took is gone afterwards).
    assert run(tmp_path, "db", "copy", "--to", schema_url(server, schema)).returncode == 0
    assert not (tmp_path / "marquee.db.lock").exists()


def test_a_refused_copy_into_sqlite_leaves_no_file_behind(tmp_path: Path, server: str, schema: str) -> None:
    # An empty PostgreSQL schema holds no Marquee data: nothing to copy, and the new file is removed again.
    result = run(tmp_path, "db", "copy", "--to", "back.db", MARQUEE_DATABASE_URL=schema_url(server, schema))
    assert result.returncode == 2
    assert "holds no Marquee data to copy" in result.stderr
    assert not (tmp_path / "back.db").exists()


def test_backup_on_postgresql_writes_a_dump_pg_restore_can_list(tmp_path: Path, server: str, schema: str) -> None:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore (PostgreSQL's client tools) are not on PATH")
    build_source(tmp_path)
    target = schema_url(with_password(server), schema)
    assert run(tmp_path, "db", "copy", "--to", target).returncode == 0
    result = run(tmp_path, "db", "backup", "backups/marquee.dump", MARQUEE_DATABASE_URL=target)
    assert result.returncode == 0, result.stdout + result.stderr
    [line] = result.stdout.strip().splitlines()
    # Every table of the SQLite source, and PostgreSQL's schema_version.
    with sqlite3.connect(tmp_path / "marquee.db") as source:
        tables = source.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchone()[0]
    assert f"(schema {schema})" in line and f"pg_restore --list ok: data of {tables + 1} tables" in line
    assert PASSWORD not in result.stdout + result.stderr
    dump = tmp_path / "backups" / "marquee.dump"
    assert dump.read_bytes().startswith(b"PGDMP")
    assert not dump.with_name("marquee.dump.partial").exists()
    listing = subprocess.run(["pg_restore", "--list", str(dump)], capture_output=True, text=True, check=True).stdout
    assert f"TABLE DATA {schema} films " in listing and f"TABLE DATA {schema} search_indexes " in listing
    assert restored_films(server, dump, schema) == 8
    # A document where the dump would go is never overwritten.
    (tmp_path / "notes.txt").write_text("mine")
    refused = run(tmp_path, "db", "backup", "notes.txt", MARQUEE_DATABASE_URL=target)
    assert refused.returncode == 2 and "is not a pg_dump file" in refused.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"


def restored_films(server: str, dump: Path, schema: str) -> int:
    """``pg_restore`` the dump into a new database of the test server; the films found there."""
    name = f"restore_{schema}"
    parts = urlsplit(server)
    restored = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))

    async def admin(statement: str) -> None:
        conn = await asyncpg.connect(server)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    async def films() -> int:
        conn = await asyncpg.connect(restored, server_settings={"search_path": schema})
        try:
            return int(await conn.fetchval("SELECT count(*) FROM films"))
        finally:
            await conn.close()

    asyncio.run(admin(f"CREATE DATABASE {name}"))
    try:
        subprocess.run(["pg_restore", "--exit-on-error", "--dbname", restored, str(dump)], check=True, timeout=120)
        return asyncio.run(films())
    finally:
        asyncio.run(admin(f"DROP DATABASE {name}"))


def test_backup_on_postgresql_without_pg_dump_says_what_to_run(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    url = "postgresql://marquee:secret@127.0.0.1:1/marquee"
    result = run(tmp_path, "db", "backup", "marquee.dump", MARQUEE_DATABASE_URL=url, PATH=str(empty))
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("problem: pg_dump is not on PATH") and "marquee db backup PATH" in line


def test_pg_dump_gets_the_password_in_its_environment_never_its_arguments(tmp_path: Path) -> None:
    url = "postgresql://marquee:s3cr%2Ft@db.example:5433/marquee?options=-csearch_path%3Dbot"
    arguments, environment = dump_command(url, tmp_path / "x.dump", "bot")
    assert not any("s3cr" in argument for argument in arguments)
    assert environment["PGPASSWORD"] == "s3cr/t"  # percent-decoded, as libpq reads a URL's password
    assert arguments[-2:] == ["--dbname", "postgresql://marquee@db.example:5433/marquee?options=-csearch_path%3Dbot"]
    assert arguments[arguments.index("--schema") : arguments.index("--schema") + 2] == ["--schema", "bot"]
    assert url_without_password("postgresql://db.example/marquee") == ("postgresql://db.example/marquee", None)


def test_migrate_and_check_work_with_database_url(tmp_path: Path, server: str, schema: str) -> None:
    url = schema_url(with_password(server), schema)
    migrated = run(tmp_path, "db", "migrate", MARQUEE_DATABASE_URL=url)
    assert migrated.returncode == 0, migrated.stderr
    assert migrated.stdout.strip().endswith(f"schema version 0 -> {LATEST_VERSION}")
    assert PASSWORD not in migrated.stdout
    check = run(tmp_path, "check", MARQUEE_DATABASE_URL=url, DISCORD_TOKEN="t")
    assert check.returncode == 0, check.stdout + check.stderr
    assert (
        f"schema version {LATEST_VERSION} of {LATEST_VERSION}; 0 films, 0 people, 0 questions stored; "
        "server answers: ok" in check.stdout
    )
    assert not (tmp_path / "marquee.db").exists()


def test_check_names_an_unreachable_server_in_one_line_without_its_password(tmp_path: Path) -> None:
    url = "postgresql://marquee:hunter2hunter2@127.0.0.1:1/marquee"
    check = run(tmp_path, "check", MARQUEE_DATABASE_URL=url, DISCORD_TOKEN="t")
    assert check.returncode == 2
    problems = [line for line in check.stderr.splitlines() if line.startswith("problem:")]
    assert len(problems) == 1 and "postgresql://marquee:***@127.0.0.1:1/marquee: cannot connect" in problems[0]
    assert "hunter2" not in check.stdout + check.stderr
    migrate_result = run(tmp_path, "db", "migrate", MARQUEE_DATABASE_URL=url)
    assert migrate_result.returncode == 2 and "hunter2" not in migrate_result.stderr
    assert len(migrate_result.stderr.strip().splitlines()) == 1
