"""The sub-commands that never connect to Discord: check, db and pack."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import heapq
import json
import os
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from bot import __version__, cog_check
from bot.database_lock import DatabaseInUseError, sole_holder_of
from bot.memory import collector_paused
from bot.settings import TOKEN_ENV, DatabaseSettings, Settings
from db import (
    LATEST_VERSION,
    CatalogueRepository,
    Database,
    DatabaseFileError,
    LoadReport,
    PackNotFoundError,
    PackValidationError,
    SchemaTooNewError,
    connect_database,
    database_file_problem,
    load_pack,
    migrate,
    parse_pack,
    resolve_pack,
    schema_version,
)
from db.connection import new_database_parts, remove_new_database
from db.copy import DATABASE_ERRORS, CopyFailedError, CopyRefusedError, copy_database, table_names, verify_copy
from db.dump import DumpError, dump_database, missing_tool_message
from db.packs.model import Pack
from db.postgres import DatabaseUnreachableError, is_postgresql_url, redacted_url

EXIT_OK, EXIT_MISMATCH, EXIT_PROBLEMS = 0, 1, 2


def _problem(message: str) -> None:
    print(f"problem: {message}", file=sys.stderr)


FILMS_LISTED = 20
"""How many films `check` lists per pack; a large catalogue is summed up, not printed."""
DIFFERENCES_SHOWN = 5
"""How many of a load's differences with other packs `pack load` prints; the count says the rest."""


def summarise_pack(pack: Pack) -> str:
    """A pack's contents on one line, as `check`, `pack validate` and `pack load` print them."""
    return (
        f"pack {pack.id} {pack.version} ({pack.path}): {len(pack.films)} films, {len(pack.people)} people, "
        f"{pack.credit_count} credits, {pack.release_count} releases, {len(pack.trivia)} trivia questions"
    )


def describe_pack(pack: Pack, limit: int = FILMS_LISTED) -> list[str]:
    """The summary line, then the first `limit` films in series order (and how many more there are)."""
    order = heapq.nsmallest(limit, pack.films, key=lambda film: (film.franchise_order or 0, film.year, film.title))
    lines = [summarise_pack(pack)]
    lines += [f"  {film.franchise_order or '-'}. {film.title} ({film.year})" for film in order]
    if len(pack.films) > limit:
        lines.append(f"  ... and {len(pack.films) - limit} more films")
    return lines


def describe_load(report: LoadReport, database: str | Path, seconds: float) -> list[str]:
    """One line per loaded pack, then the first few differences with the packs it met."""
    line = (
        f"loaded pack {report.pack_id} into {database} in {seconds:.1f} s: {report.films} films, "
        f"{report.people} people, {report.credits} credits, {report.releases} releases, "
        f"{report.questions} trivia questions"
    )
    if report.merged or report.renamed_people:
        line += (
            f"; merged into other packs' entries: {report.merged_films} films, {report.merged_people} people; "
            f"{report.renamed_people} people renamed (another pack's person has their key)"
        )
    lines = [line]
    lines += [f"  differs: {_shortened(difference)}" for difference in report.differences[:DIFFERENCES_SHOWN]]
    if len(report.differences) > DIFFERENCES_SHOWN:
        lines.append(f"  ... and {len(report.differences) - DIFFERENCES_SHOWN} more differences")
    return lines


def _shortened(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def check(settings: Settings, *, token_set: bool, extensions: Iterable[str] | None = None) -> int:
    """Validate settings, database, packs and cogs, printing what would be loaded; 0 when all is well.

    `extensions` are the cogs to try (default: every cog the bot loads).
    """
    problems: list[str] = []
    print(f"Marquee {__version__}: checking settings, database, content packs and cogs (no network)")
    print(f"settings: ok; token {'set' if token_set else 'missing'}; REST {settings.discord.api_base_url}")
    if not token_set:
        problems.append(f"setting discord.token: missing; set the {TOKEN_ENV} environment variable")
    problems += await _check_database(settings.database)
    packs: list[Pack] = []
    for ref in settings.packs.load:
        try:
            pack = parse_pack(resolve_pack(ref))
        except (PackNotFoundError, PackValidationError) as error:
            problems.append(f"pack {ref}: {error}")
            continue
        print("\n".join(describe_pack(pack)))
        packs.append(pack)
    if len(packs) == len(settings.packs.load):
        problems += await _check_cogs(settings, packs, extensions)
    else:
        print("cogs: not loaded, the packs they need are broken")
    for message in problems:
        _problem(message)
    print("check: ok" if not problems else f"check: {len(problems)} problem(s)")
    return EXIT_PROBLEMS if problems else EXIT_OK


async def _check_database(database: DatabaseSettings) -> list[str]:
    if database.url:
        return await _check_postgresql(database.url)
    path = database.path
    problem = await asyncio.to_thread(database_file_problem, path)
    if problem is not None:
        return [str(DatabaseFileError(path, problem))]
    if not await asyncio.to_thread(path.exists):
        print(f"database: {path} does not exist yet; it is created at first start")
        return []
    try:
        async with Database.connect(path) as opened:
            return await _describe_database(opened)
    except DatabaseFileError as error:
        return [str(error)]
    except sqlite3.Error as error:
        return [f"database {path}: {error}"]


async def _check_postgresql(url: str) -> list[str]:
    """Reach the server, then read what SQLite's check reads; nothing is created or migrated."""
    try:
        async with connect_database(url) as opened:
            return await _describe_database(opened)
    except DatabaseUnreachableError as error:
        return [str(error)]
    except DATABASE_ERRORS as error:
        return [f"database {redacted_url(url)}: {error}"]


async def _describe_database(database: Database) -> list[str]:
    """Print the schema version, the catalogue's counts and the kept indexes; the integrity problems."""
    where = database.description
    version = await schema_version(database)
    integrity = await database.integrity_problems(quick=True)
    if version > LATEST_VERSION:
        return [str(SchemaTooNewError(version, LATEST_VERSION))]
    pending = LATEST_VERSION - version
    catalogue = CatalogueRepository(database)
    counts = await catalogue.counts() if version == LATEST_VERSION else None
    kept = await _kept_lookup_indexes(catalogue) if counts and counts.films else None
    # PostgreSQL checks its own pages; what it offers without an extension is that the server answers.
    checked = "integrity check" if database.dialect == "sqlite" else "server answers"
    print(
        f"database: {where}, schema version {version} of {LATEST_VERSION}"
        + (f" ({pending} migration(s) pending, applied at start)" if pending else "")
        + (f"; {counts.films} films, {counts.people} people, {counts.questions} questions stored" if counts else "")
        + (f"; {checked}: ok" if not integrity else "")
    )
    if kept is not None:
        print(f"look-up indexes: {kept}")
    return [f"database {where}: integrity check failed: {problem}" for problem in integrity]


async def _check_cogs(settings: Settings, packs: list[Pack], extensions: Iterable[str] | None) -> list[str]:
    """Load every cog into a bot that never connects, on a throwaway database holding the packs,
    so that a cog that would fail at start (and keep the commands from being synced) is named now.

    The bot is built in a child process (`bot.cog_check`): this one stays free of discord.py."""
    request = cog_check.request(settings, packs, None if extensions is None else list(extensions))
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        cog_check.__name__,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=_child_environment(),
    )
    out, err = await child.communicate(request)
    tried = [json.loads(line) for line in out.decode().splitlines() if line.startswith("{")]
    if child.returncode != 0:
        last = err.decode(errors="replace").strip().splitlines()[-1:] or [f"exit status {child.returncode}"]
        print("cogs: not checked, the cog check itself failed")
        return [f"cogs could not be loaded to check them: {last[0]}"]
    failed = {entry["cog"]: entry["error"] for entry in tried if entry["error"] is not None}
    print(f"cogs: {len(tried) - len(failed)} of {len(tried)} load")
    return [f"cog {name} fails to load: {error}; the bot would not sync its commands" for name, error in failed.items()]


def _child_environment() -> dict[str, str]:
    """This environment, with the folder holding `bot` first on the import path, so that the child
    finds `bot.cog_check` wherever it was started; it then takes this process's path from `request`."""
    home = str(Path(cog_check.__file__).resolve().parents[1])
    inherited = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": home if not inherited else os.pathsep.join([home, inherited])}


async def _kept_lookup_indexes(catalogue: CatalogueRepository) -> str:
    from cogs.films.lookup import Lookup

    size = await Lookup.kept_size(catalogue)
    if size is not None:
        return f"kept for this catalogue ({size / 1e6:.1f} MB); a start reads them back"
    return "none kept for this catalogue; the next start builds them (`pack load` builds them beforehand)"


async def database_command(
    settings: Settings,
    action: str,
    backup_path: Path | None = None,
    *,
    copy_to: str | None = None,
    replace: bool = False,
    verify_only: bool = False,
) -> int:
    """`db migrate`, `db backup PATH` and `db copy --to TARGET` on the configured database (database.url when
    set, else the SQLite file database.path); 0 when done, 1 when a copy does not match, 2 for a problem."""
    try:
        if action == "migrate":
            return await _migrate_command(settings.database)
        if action == "copy":
            assert copy_to is not None
            return await _copy_command(settings.database, copy_to, replace=replace, verify_only=verify_only)
        assert backup_path is not None
        if settings.database.url:
            return await _dump_command(settings.database.url, backup_path)
        return await _backup_command(settings.database.path, backup_path)
    except (DatabaseUnreachableError, DatabaseInUseError, CopyRefusedError, CopyFailedError, DumpError) as error:
        _problem(str(error))
        return EXIT_PROBLEMS
    except DATABASE_ERRORS as error:
        if isinstance(error, sqlite3.Error):
            raise  # the command line names the SQLite file itself
        _problem(f"database {_where(settings.database)}: {error}")
        return EXIT_PROBLEMS


def _where(database: DatabaseSettings) -> str:
    """The configured database for messages: the file, or the URL without its password."""
    return redacted_url(database.url) if database.url else str(database.path)


async def _migrate_command(database: DatabaseSettings) -> int:
    async with connect_database(database.url or database.path) as opened:
        result = await migrate(opened)
    print(f"database {_where(database)}: schema version {result.from_version} -> {result.to_version}")
    return EXIT_OK


async def _backup_command(path: Path, backup_path: Path) -> int:
    problem = await asyncio.to_thread(database_file_problem, path)
    if problem is not None:
        _problem(str(DatabaseFileError(path, problem)))
        return EXIT_PROBLEMS
    if not await asyncio.to_thread(path.exists):
        _problem(f"no database at {path} to back up (setting database.path)")
        return EXIT_PROBLEMS
    async with Database.connect(path) as database:
        written = await database.backup(backup_path)
    print(f"backed up {path} to {written}; integrity check ok")
    return EXIT_OK


async def _dump_command(url: str, backup_path: Path) -> int:
    """PostgreSQL: pg_dump, verified by pg_restore --list; the tools are looked for before connecting."""
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            _problem(missing_tool_message(tool))
            return EXIT_PROBLEMS
    async with connect_database(url) as database:
        tables = await table_names(database)
        result = await dump_database(database, url, backup_path, tables)
    scope = f"schema {result.schema}" if result.schema else "the whole database"
    print(
        f"backed up {database.description} ({scope}) to {result.path} with pg_dump; "
        f"pg_restore --list ok: data of {result.tables} tables"
    )
    return EXIT_OK


async def _copy_command(database: DatabaseSettings, copy_to: str, *, replace: bool, verify_only: bool) -> int:
    """`db copy --to TARGET`: the configured database into TARGET (the other backend), then verified."""
    source_target: str | Path = database.url or database.path
    if is_postgresql_url(copy_to) == bool(database.url):
        if database.url:
            _problem("db copy copies between SQLite and PostgreSQL; to copy a PostgreSQL database use pg_dump")
        else:
            _problem("db copy --to needs a postgresql:// URL here (the database is SQLite); `db backup` copies a file")
        return EXIT_PROBLEMS
    if not database.url and not await asyncio.to_thread(database.path.exists):
        _problem(f"no database at {database.path} to copy (setting database.path)")
        return EXIT_PROBLEMS
    target_name = redacted_url(copy_to) if is_postgresql_url(copy_to) else copy_to
    # A SQLite file the copy creates is removed again if nothing gets copied into it.
    created = [] if is_postgresql_url(copy_to) else await asyncio.to_thread(new_database_parts, Path(copy_to))
    copied = False
    # The SQLite side is held for the whole copy: a running bot would change it while it is read or written
    # (a file the copy creates has no bot yet).
    sqlite_side = Path(copy_to) if database.url else database.path
    held = (
        contextlib.nullcontext()
        if created
        else sole_holder_of(sqlite_side, "stop it before copying, so that the copy catches no half-done work")
    )
    try:
        with held:
            code, copied = await _copy_and_verify(
                source_target, copy_to, target_name, replace=replace, verify_only=verify_only
            )
            return code
    except DATABASE_ERRORS as error:
        source_name = redacted_url(database.url) if database.url else database.path
        _problem(f"db copy from {source_name} to {target_name}: {str(error).strip() or type(error).__name__}")
        return EXIT_PROBLEMS
    finally:
        if created and not copied:
            await asyncio.to_thread(remove_new_database, created)


async def _copy_and_verify(
    source_target: str | Path, copy_to: str, target_name: str, *, replace: bool, verify_only: bool
) -> tuple[int, bool]:
    """Copy (unless `verify_only`) and verify table by table; the exit code, and whether anything was copied."""
    copied = False
    async with connect_database(source_target) as source, connect_database(copy_to) as target:
        started = time.perf_counter()
        if verify_only:
            print(f"comparing {source.description} with {target_name}")
        else:
            result = await copy_database(source, target, replace=replace)
            copied = True
            print(
                f"copied {sum(result.rows.values())} rows of {len(result.rows)} tables from "
                f"{source.description} to {target_name} (schema version {result.schema_version}) in "
                f"{time.perf_counter() - started:.1f} s" + ("; its earlier data replaced" if result.replaced else "")
            )
        checks = await verify_copy(source, target, progress=lambda check: print(f"  {check.describe()}"))
    failed = [check for check in checks if not check.ok]
    if failed:
        print(f"verification: {len(failed)} of {len(checks)} tables differ")
        return EXIT_MISMATCH, copied
    print(f"verification: all {len(checks)} tables match (row counts and checksums)")
    return EXIT_OK, copied


async def keep_lookup_indexes(catalogue: CatalogueRepository) -> bool:
    """Build the film, person and character indexes and keep them in the database (seconds for a
    large catalogue: better spent here than at the bot's next start); False if the catalogue
    changed meanwhile (a running bot loading its packs), when they are not kept."""
    # The cogs are imported only here: the other sub-commands stay light.
    from cogs.films.lookup import Lookup

    lookup = await Lookup.load(catalogue, stored=False)
    await asyncio.to_thread(lookup.prepare)
    return await lookup.store(catalogue, dt.datetime.now(dt.UTC))


async def pack_command(settings: Settings, action: str, files: list[Path]) -> int:
    """Validate the packs (nothing is loaded unless every one is valid); with "load", load them, then
    build the look-up indexes once and keep them, so the bot's next start reads them back."""
    packs: list[Pack] = []
    failed = 0
    for file in files:
        try:
            # Parsing makes millions of small objects and frees them at once: the cycle collector would only
            # walk them again and again meanwhile.
            with collector_paused():
                pack = parse_pack(resolve_pack(str(file)))
        except PackNotFoundError as error:
            _problem(str(error))
            failed += 1
            continue
        except PackValidationError as error:
            for problem in error.problems:
                print(problem, file=sys.stderr)
            _problem(f"{file}: {len(error.problems)} problem(s)")
            failed += 1
            continue
        if action == "validate":
            print(f"{summarise_pack(pack)}: valid")
        packs.append(pack)
    if failed:
        nothing = "; nothing loaded" if action == "load" else ""
        _problem(f"{failed} of {len(files)} pack file(s) have problems{nothing}")
        return EXIT_PROBLEMS
    if action == "validate":
        return EXIT_OK
    # The parsed packs are millions of objects, alive until the end: with the cycle collector on, writing
    # them and building the indexes (millions more) set off passes that walk them all, again and again.
    with collector_paused():
        async with connect_database(settings.database.target) as database:
            await migrate(database)
            for pack in packs:
                started = time.perf_counter()
                report = await load_pack(database, pack, source_path=str(pack.path))
                print("\n".join(describe_load(report, settings.database.shown, time.perf_counter() - started)))
            started = time.perf_counter()
            kept = await keep_lookup_indexes(CatalogueRepository(database))
    if kept:
        print(f"look-up indexes built and kept for the next start in {time.perf_counter() - started:.1f} s")
    else:
        print("look-up indexes not kept: the catalogue changed while they were built; the bot builds them")
    return EXIT_OK
