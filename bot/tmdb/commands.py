"""`python -m bot pack import tmdb` and `python -m bot pack refresh`."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time
import tomllib
from pathlib import Path

from bot.settings import TMDB_TOKEN_ENV, Settings
from bot.tmdb import NOTICE
from bot.tmdb.client import TmdbError
from bot.tmdb.connect import tmdb_client
from bot.tmdb.document import ImportRequest, Names, default_pack_table, known_names
from bot.tmdb.fetch import Match, fetch_answers, search
from bot.tmdb.pack_file import OverridesError, edited_by_hand, overrides_path
from bot.tmdb.refresh import PackRefresh, RefreshError, apply_refresh, build_text, plan_refresh
from db import (
    CatalogueRepository,
    PackConflictError,
    PackValidationError,
    connect_database,
    migrate,
    parse_pack,
)
from db.packs.model import PackTmdbOrigin
from db.packs.write import write_pack_file

EXIT_OK, EXIT_PROBLEMS = 0, 2
NOTES_SHOWN = 20


def _problem(message: str) -> int:
    print(f"problem: {message}", file=sys.stderr)
    return EXIT_PROBLEMS


async def tmdb_command(settings: Settings, arguments: argparse.Namespace) -> int:
    if not settings.tmdb.token:
        return _problem(f"no TMDB token: set {TMDB_TOKEN_ENV} (or tmdb.token in the settings file)")
    try:
        if arguments.pack_command == "import":
            return await import_tmdb(settings, arguments)
        return await refresh_packs(settings, arguments.pack, apply=arguments.yes)
    except TmdbError as error:
        return _problem(str(error))
    except (OverridesError, RefreshError) as error:
        return _problem(str(error))


def _print_notes(notes: list[str]) -> None:
    for note in notes[:NOTES_SHOWN]:
        print(f"  note: {note}")
    if len(notes) > NOTES_SHOWN:
        print(f"  ... and {len(notes) - NOTES_SHOWN} more notes")


async def import_tmdb(settings: Settings, arguments: argparse.Namespace) -> int:
    movies = list(arguments.movie)
    if arguments.search is None and not movies and not arguments.collection:
        return _problem("say what to import: --collection ID, --movie ID or --search TITLE")
    if (arguments.year is not None or arguments.pick is not None) and arguments.search is None:
        return _problem("--year and --pick go with --search")
    started = time.perf_counter()
    async with tmdb_client(settings.tmdb) as client:
        if arguments.search is not None:
            picked = await _pick(await search(client, arguments.search, arguments.year, arguments.language), arguments)
            if picked is None:
                return EXIT_PROBLEMS
            movies.append(picked.movie_id)
        request = ImportRequest(
            language=arguments.language, collections=tuple(arguments.collection), movies=tuple(dict.fromkeys(movies))
        )
        answers, notes = await fetch_answers(client, request)
        requests, cached = client.requests_made, client.cache_hits
    pack = default_pack_table(answers, arguments.pack_id)
    output: Path = arguments.output or Path(f"{pack['id']}.toml")
    earlier = await asyncio.to_thread(_earlier_import, output)
    if earlier is None:
        return _problem(
            f"{output} exists and is not a pack Marquee wrote, or was edited by hand since: choose another --output "
            f"(or move your edits to {overrides_path(output).name} and delete it)"
        )
    fetched = dt.datetime.now(dt.UTC)
    document, text, more = build_text(answers, request, pack, path=output, fetched=fetched, names=earlier)
    candidate = output.with_name(f".{output.name}.import")
    await asyncio.to_thread(write_pack_file, candidate, text)
    try:
        parsed = await asyncio.to_thread(parse_pack, candidate)
    except PackValidationError as error:
        for problem in error.problems[:NOTES_SHOWN]:
            print(problem, file=sys.stderr)
        return _problem(f"the imported pack does not validate ({len(error.problems)} problem(s)); {output} not written")
    finally:
        candidate.unlink(missing_ok=True)
    await asyncio.to_thread(write_pack_file, output, text)
    print(
        f"wrote {output}: pack {parsed.id}, {len(parsed.films)} films, {len(parsed.people)} people, "
        f"{parsed.credit_count} credits, {parsed.release_count} releases, "
        f"{sum(len(film.get('alias', [])) for film in document['film'])} aliases; valid "
        f"({requests} requests to TMDB, {cached} answered from the cache, {time.perf_counter() - started:.1f} s)"
    )
    _print_notes(notes + more)
    overrides = overrides_path(output)
    print(f"load it with: python -m bot pack load {output}   (your own changes go in {overrides.name})")
    print(NOTICE)
    return EXIT_OK


def _earlier_import(output: Path) -> Names | None:
    """The keys the file at `output` gave each film, to keep them (empty when there is no file yet); None
    when the file is not one Marquee wrote unchanged, which an import must not overwrite."""
    try:
        text = output.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Names()
    except (OSError, UnicodeDecodeError):
        return None
    if edited_by_hand(text):
        return None
    return known_names(tomllib.loads(text))


async def _pick(matches: list[Match], arguments: argparse.Namespace) -> Match | None:
    year = f" ({arguments.year})" if arguments.year else ""
    if not matches:
        _problem(f"TMDB found no film called {arguments.search[:100]!r}{year}")
        return None
    for number, match in enumerate(matches, start=1):
        print(f"{number:>2}. {match.describe()}")
    choice = arguments.pick
    if choice is None:
        if len(matches) == 1:
            return matches[0]
        if not sys.stdin.isatty():
            _problem(f"{len(matches)} films match; choose one with --pick N")
            return None
        answer = await asyncio.to_thread(input, f"which one (1-{len(matches)})? ")
        choice = int(answer) if answer.strip().isdigit() else 0
    if not 1 <= choice <= len(matches):
        _problem(f"--pick must be between 1 and {len(matches)}")
        return None
    print(f"importing {matches[choice - 1].describe()}")
    return matches[choice - 1]


async def refresh_packs(settings: Settings, named: list[str], *, apply: bool) -> int:
    """Fetch the named packs (ids or files; none: every pack imported from TMDB) again, print what
    changed, and with `apply` load it and rewrite the files."""
    now = dt.datetime.now(dt.UTC)
    failed = 0
    async with connect_database(settings.database.target) as database:
        await migrate(database)
        catalogue = CatalogueRepository(database)
        targets = await _targets(catalogue, named)
        if not targets:
            print(f"no pack imported from TMDB in {settings.database.shown}; nothing to refresh")
            return EXIT_OK if not named else EXIT_PROBLEMS
        films = await catalogue.films()
        async with tmdb_client(settings.tmdb) as client:
            plans = []
            for pack_id, path, origin in targets:
                keys = {film.tmdb_id: film.key for film in films if film.pack_id == pack_id and film.tmdb_id}
                plans.append(
                    await plan_refresh(client, pack_id=pack_id, path=path, origin=origin, film_keys=keys, now=now)
                )
        for plan in plans:
            _print_plan(plan)
            if not apply or not plan.changed:
                continue
            try:
                report = await apply_refresh(database, plan)
            except (RefreshError, PackValidationError, PackConflictError) as error:
                failed += 1
                _problem(str(error).splitlines()[0] if isinstance(error, PackValidationError) else str(error))
                continue
            print(f"  applied: {report.films} films, {report.releases} releases loaded")
        if apply and any(plan.changed for plan in plans) and not failed:
            from bot.offline import keep_lookup_indexes  # the look-up indexes, rebuilt for the next start

            await keep_lookup_indexes(catalogue)
    if not apply and any(plan.changed for plan in plans):
        print("run again with --yes to apply these changes")
    return EXIT_PROBLEMS if failed else EXIT_OK


def _print_plan(plan: PackRefresh) -> None:
    where = f" ({plan.path})" if plan.path else " (its file is gone: only the database is updated)"
    if not plan.changed:
        print(f"pack {plan.pack_id}{where}: up to date")
    else:
        print(f"pack {plan.pack_id}{where}: {len(plan.changes)} change(s)")
        for line in plan.changes:
            print(f"  {line}")
    _print_notes(plan.notes)
    if plan.hand_edited and plan.path:
        print(f"  warning: {plan.path} was edited by hand; put the edits in {overrides_path(plan.path).name}")


async def _targets(
    catalogue: CatalogueRepository, named: list[str]
) -> list[tuple[str, Path | None, PackTmdbOrigin | None]]:
    """(pack id, its file if it still lies there, its [tmdb] table as stored) for each pack to refresh."""
    stored = {record.pack_id: record for record in await catalogue.tmdb_packs()}
    targets: list[tuple[str, Path | None, PackTmdbOrigin | None]] = []
    for name in named or sorted(stored):
        record = stored.get(name)
        if record is None:
            path = Path(name)
            if not await asyncio.to_thread(path.is_file):
                raise RefreshError(f"{name}: neither a pack imported from TMDB in the database nor a pack file")
            targets.append((path.stem, path, None))
            continue
        path = Path(record.source_path)
        targets.append((record.pack_id, path if await asyncio.to_thread(path.is_file) else None, record.origin))
    return targets
