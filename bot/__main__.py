"""Command line: `python -m bot [run|check|db ...|pack ...]`, also installed as `marquee`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import aiohttp
import discord

from bot import __version__
from bot.logs import configure_logging
from bot.settings import DEFAULT_CONFIG_FILE, Settings, SettingsError, load_settings
from db import SchemaTooNewError

PROG = "marquee"
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Marquee, a Discord bot for film fan communities."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--config",
        type=Path,
        help="settings file (default: $MARQUEE_CONFIG, else ./config.toml when it exists)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="connect to Discord and run the bot (the default)")
    commands.add_parser("check", help="validate settings, database and packs; print what is loaded; no network")

    database = commands.add_parser("db", help="database maintenance").add_subparsers(
        dest="db_command", metavar="ACTION", required=True
    )
    database.add_parser("migrate", help="apply pending migrations")
    backup = database.add_parser("backup", help="copy the live database safely (SQLite online backup)")
    backup.add_argument("path", type=Path, help="where to write the copy")

    pack = commands.add_parser("pack", help="content packs").add_subparsers(
        dest="pack_command", metavar="ACTION", required=True
    )
    validate = pack.add_parser("validate", help="check content pack files and list every problem")
    validate.add_argument("file", type=Path, nargs="+")
    load = pack.add_parser(
        "load",
        help="validate content packs and load them into the database, then build the look-up indexes "
        "and keep them there for the next start",
    )
    load.add_argument("file", type=Path, nargs="+")
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
            return run_bot(load_settings(path, env))
        # Offline commands: a missing token is not their problem (check reports it itself).
        settings = load_settings(path, env, require_token=False)
        from bot import offline  # deferred: `run` needs none of it

        if command == "check":
            return asyncio.run(offline.check(settings, token_set=bool(settings.discord.token)))
        if command == "db":
            backup_path = getattr(arguments, "path", None)
            return asyncio.run(offline.database_command(settings, arguments.db_command, backup_path))
        return asyncio.run(offline.pack_command(settings, arguments.pack_command, arguments.file))
    except SettingsError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except SchemaTooNewError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return EXIT_USAGE


def run_bot(settings: Settings) -> int:
    from bot.runner import serve  # deferred: importing discord.py's gateway is not free
    from db import PackConflictError, PackNotFoundError, PackValidationError

    configure_logging(settings.logging.level, secrets=[settings.discord.token])
    try:
        asyncio.run(serve(settings, handle_signals=True))
    except (PackConflictError, PackNotFoundError, PackValidationError, SchemaTooNewError) as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (aiohttp.ClientConnectionError, OSError) as error:
        print(f"{PROG}: cannot reach Discord at {settings.discord.api_base_url}: {error}", file=sys.stderr)
        return EXIT_FAILED
    except discord.LoginFailure:
        print(f"{PROG}: Discord rejected the token; check DISCORD_TOKEN", file=sys.stderr)
        return EXIT_USAGE
    except discord.PrivilegedIntentsRequired:
        print(f"{PROG}: Discord refused the gateway intents requested", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
