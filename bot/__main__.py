"""Command line: `python -m bot [run|check|db ...|pack ...]`, also installed as `marquee`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import __version__
from bot.logs import configure_logging
from bot.settings import DEFAULT_CONFIG_FILE, Settings, SettingsError, load_settings
from bot.sharding import ShardingError, ShardPlan, shard_plan
from db import (
    BackupDestinationError,
    BackupVerificationError,
    DatabaseFileError,
    DatabaseUnreachableError,
    MigrationError,
    SchemaTooNewError,
    UnsupportedOperationError,
)

PROG = "marquee"
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# Problems of the machine Marquee runs on (files, settings), each worded as one line to print.
LOCAL_PROBLEMS = (
    SettingsError,
    SchemaTooNewError,
    MigrationError,
    DatabaseFileError,
    DatabaseUnreachableError,
    UnsupportedOperationError,
    BackupDestinationError,
    BackupVerificationError,
)
CONFIG_HELP = "settings file (default: $MARQUEE_CONFIG, else ./config.toml when it exists)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Marquee, a Discord bot for film fan communities.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--config", type=Path, help=CONFIG_HELP)
    # Every sub-command takes --config too, so `marquee check --config x.toml` works as well as
    # `marquee --config x.toml check`; SUPPRESS keeps a later parser from resetting an earlier value.
    config = argparse.ArgumentParser(add_help=False)
    config.add_argument("--config", type=Path, default=argparse.SUPPRESS, help=CONFIG_HELP)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser("run", parents=[config], help="connect to Discord and run the bot (the default)")
    # Checked by bot.sharding, not argparse, so that a mistake is one line naming it (and exit status 2).
    run.add_argument(
        "--shards",
        metavar="IDS",
        help="run only these shards: a range A-B or a list A,B,C (needs a shard count; see --shard-count)",
    )
    run.add_argument(
        "--shard-count",
        metavar="N",
        help='the total number of shards, over every process (default: sharding.count); "auto" with no --shards',
    )
    commands.add_parser(
        "check", parents=[config], help="validate settings, database, packs and cogs; print what is loaded; no network"
    )

    database = commands.add_parser("db", parents=[config], help="database maintenance").add_subparsers(
        dest="db_command", metavar="ACTION", required=True
    )
    database.add_parser("migrate", parents=[config], help="apply pending migrations")
    backup = database.add_parser(
        "backup",
        parents=[config],
        help="copy the live database safely (SQLite: online backup; PostgreSQL: pg_dump, checked by pg_restore)",
    )
    backup.add_argument("path", type=Path, help="where to write the copy (a new file or an older backup)")
    copy = database.add_parser(
        "copy",
        parents=[config],
        help="copy the database into another of the other kind (SQLite into PostgreSQL or back), then verify "
        "every table's rows",
    )
    copy.add_argument(
        "--to",
        required=True,
        metavar="TARGET",
        help="a postgresql:// URL (from SQLite), or a SQLite file path (from database.url)",
    )
    copy.add_argument("--replace", action="store_true", help="overwrite the data the target already holds")
    copy.add_argument(
        "--verify-only", action="store_true", help="copy nothing: compare the target with the database, table by table"
    )

    pack = commands.add_parser("pack", parents=[config], help="content packs").add_subparsers(
        dest="pack_command", metavar="ACTION", required=True
    )
    validate = pack.add_parser(
        "validate", parents=[config], help="check content pack files and list every problem of every file"
    )
    validate.add_argument("file", type=Path, nargs="+")
    load = pack.add_parser(
        "load",
        parents=[config],
        help="validate content packs and load them into the database, then build the look-up indexes "
        "and keep them there for the next start",
    )
    load.add_argument("file", type=Path, nargs="+")
    imports = pack.add_parser(
        "import", parents=[config], help="write a content pack from another source (TMDB, a Red trivia list)"
    ).add_subparsers(dest="import_source", metavar="SOURCE", required=True)
    tmdb = imports.add_parser(
        "tmdb",
        parents=[config],
        help="fetch films from The Movie Database (needs tmdb.token) and write them as a pack file",
    )
    tmdb.add_argument("--collection", type=int, action="append", default=[], metavar="ID", help="a TMDB collection")
    tmdb.add_argument("--movie", type=int, action="append", default=[], metavar="ID", help="a TMDB film")
    tmdb.add_argument("--search", metavar="TITLE", help="search TMDB for a film by title and pick one")
    tmdb.add_argument("--year", type=int, help="with --search: the film's year")
    tmdb.add_argument("--pick", type=int, metavar="N", help="with --search: take the Nth match without asking")
    tmdb.add_argument("--output", type=Path, metavar="FILE", help="the pack file to write (default: <pack id>.toml)")
    tmdb.add_argument("--language", default="en-US", help="language of titles and synopses (default en-US)")
    tmdb.add_argument("--pack-id", help="the pack's id (default: from the collection's or film's name)")
    red = imports.add_parser(
        "red-trivia", parents=[config], help="turn a Red-DiscordBot trivia list (YAML) into a pack of questions"
    )
    red.add_argument("file", type=Path, metavar="FILE.yaml")
    red.add_argument("--film", metavar="KEY", help="the film every question is about (a film key)")
    red.add_argument("--output", type=Path, metavar="FILE", help="the pack file to write (default: <pack id>.toml)")
    red.add_argument("--pack-id", help="the pack's id (default: from the list's file name)")
    refresh = pack.add_parser(
        "refresh",
        parents=[config],
        help="fetch packs imported from TMDB again and print what changed; --yes applies it",
    )
    refresh.add_argument("pack", nargs="*", metavar="PACK", help="pack ids or files (default: every TMDB pack)")
    refresh.add_argument("--yes", action="store_true", help="load the changes and rewrite the pack files")
    return parser


def config_path(arguments: argparse.Namespace, env: dict[str, str]) -> Path | None:
    if arguments.config is not None:
        return Path(arguments.config)
    if env.get("MARQUEE_CONFIG"):
        return Path(env["MARQUEE_CONFIG"])
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    env = dict(os.environ)
    command = arguments.command or "run"
    try:
        path = config_path(arguments, env)
        if command == "run":
            settings = load_settings(path, env)
            shards = shard_plan(
                settings.sharding.count, getattr(arguments, "shards", None), getattr(arguments, "shard_count", None)
            )
            return run_bot(settings, shards)
        # Offline commands: a missing token is not their problem (check reports it itself).
        settings = load_settings(path, env, require_token=False)
    except (ShardingError, *LOCAL_PROBLEMS) as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return EXIT_USAGE
    return run_offline(command, arguments, settings)


def run_offline(command: str, arguments: argparse.Namespace, settings: Settings) -> int:
    from asyncpg import PostgresError

    from bot import offline  # deferred: `run` needs none of it
    from db import PackConflictError

    try:
        if command == "check":
            return asyncio.run(offline.check(settings, token_set=bool(settings.discord.token)))
        if command == "db":
            return asyncio.run(
                offline.database_command(
                    settings,
                    arguments.db_command,
                    getattr(arguments, "path", None),
                    copy_to=getattr(arguments, "to", None),
                    replace=getattr(arguments, "replace", False),
                    verify_only=getattr(arguments, "verify_only", False),
                )
            )
        if arguments.pack_command == "import" and arguments.import_source == "red-trivia":
            from bot.red_trivia import import_red_trivia

            return import_red_trivia(settings, arguments)
        if arguments.pack_command in ("import", "refresh"):
            from bot.tmdb.commands import tmdb_command

            return asyncio.run(tmdb_command(settings, arguments))
        return asyncio.run(offline.pack_command(settings, arguments.pack_command, arguments.file))
    except (sqlite3.Error, PostgresError) as error:
        # What the checks before opening cannot foresee: a lock held too long, a full disk, damage.
        print(f"{PROG}: database {settings.database.shown}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (PackConflictError, *LOCAL_PROBLEMS) as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return EXIT_USAGE


def run_bot(settings: Settings, shards: ShardPlan | None = None) -> int:
    """`run`: serve until stopped; a problem is one line on stderr and an exit status (2: ours to fix)."""
    # Deferred: only `run` talks to Discord; the offline commands must not load discord.py at all.
    import aiohttp
    import discord

    from bot.database_lock import DatabaseInUseError
    from bot.runner import serve
    from db import PackConflictError, PackNotFoundError, PackValidationError

    configure_logging(
        settings.logging.level, secrets=[settings.discord.token, settings.tmdb.token, settings.database.password]
    )
    try:
        # serve() checks the database and the packs before it connects: those problems are ours.
        asyncio.run(serve(settings, handle_signals=True, shards=shards))
    except (PackConflictError, PackNotFoundError, PackValidationError, DatabaseInUseError, *LOCAL_PROBLEMS) as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except aiohttp.ClientConnectionError as error:
        print(f"{PROG}: cannot reach Discord at {settings.discord.api_base_url}: {error}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as error:  # not necessarily Discord's fault: say what failed, blame nobody
        print(f"{PROG}: {error}", file=sys.stderr)
        return EXIT_FAILED
    except discord.LoginFailure:
        print(f"{PROG}: Discord rejected the token; check DISCORD_TOKEN", file=sys.stderr)
        return EXIT_USAGE
    except discord.PrivilegedIntentsRequired:
        print(f"{PROG}: Discord refused the gateway intents requested", file=sys.stderr)
        return EXIT_FAILED
    except discord.HTTPException as error:  # a 5xx discord.py no longer retries, or an unexpected refusal
        print(
            f"{PROG}: Discord at {settings.discord.api_base_url} answered {error.status} {error.response.reason}; "
            "try again later",
            file=sys.stderr,
        )
        return EXIT_FAILED
    except TimeoutError:
        print(f"{PROG}: Discord at {settings.discord.api_base_url} did not answer in time", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
