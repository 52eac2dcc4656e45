"""Lifetimes: open the database, build the bot, run it, and close everything in order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from pathlib import Path

import discord
import yarl
from discord.gateway import DiscordWebSocket

from bot.client import MarqueeBot, bot_class, packs_unchanged
from bot.clock import Clock, SystemClock
from bot.database_lock import sole_holder_of
from bot.i18n import Catalogues
from bot.memory import collector_paused
from bot.settings import Settings
from bot.sharding import ShardPlan, shard_plan
from db import (
    LATEST_VERSION,
    Pack,
    PackFiles,
    SchemaTooNewError,
    connect_database,
    parse_pack,
    resolve_pack,
    schema_version,
)
from db.connection import new_database_parts, remove_new_database

log = logging.getLogger(__name__)

ONE_BOT_PER_FILE = "run one bot per SQLite file, or several on PostgreSQL (database.url)"


def point_discord_py_at(settings: Settings) -> None:
    """Aim discord.py's REST and gateway at the configured URLs (Discord's unless overridden).

    discord.py keeps both as class attributes, read whenever a request or connection is made;
    a proxy or the local test Discord is just another base URL.
    """
    discord.http.Route.BASE = settings.discord.api_base_url.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord.gateway_url)


async def serve(
    settings: Settings,
    *,
    clock: Clock | None = None,
    started: Callable[[MarqueeBot], None] | None = None,
    handle_signals: bool = False,
    shards: ShardPlan | None = None,
) -> None:
    """Run the bot until it is closed (by `bot.close()`, SIGINT or SIGTERM), then release everything.

    `started` receives the bot as soon as it exists, before login, so that a caller (the test
    harness) can wait for it to be ready and close it later. `shards`: the shards this process runs
    (`run --shards`); None runs every shard of `sharding.count`.
    """
    plan = shards if shards is not None else shard_plan(settings.sharding.count)
    point_discord_py_at(settings)
    # Everything local is checked before the network (settings already are): the packs and catalogues, then the
    # database, which is opened and brought up to date, so that a broken pack or file is never
    # hidden behind an unreachable Discord.
    pack_paths = [resolve_pack(ref) for ref in settings.packs.load]
    pack_files = await asyncio.to_thread(PackFiles.read, pack_paths)
    catalogues = await asyncio.to_thread(Catalogues.load)
    path = settings.database.path
    on_file = not settings.database.url
    created = await asyncio.to_thread(new_database_parts, path) if on_file else []
    bot: MarqueeBot | None = None
    try:
        async with connect_database(settings.database.target) as database:
            # Several processes may share a PostgreSQL database (their scheduled work is leased); a SQLite
            # file serves one.
            with sole_holder_of(path, ONE_BOT_PER_FILE) if on_file else contextlib.nullcontext():
                version = await schema_version(database)
                if version > LATEST_VERSION:
                    raise SchemaTooNewError(version, LATEST_VERSION)
                packs = None  # unchanged since the last start: the bot finds them so and loads nothing
                if version < FIRST_VERSION_WITH_BOT_STATE or not await packs_unchanged(database, pack_files):
                    packs = await asyncio.to_thread(_parse_packs, pack_paths)
                bot = bot_class(plan)(
                    settings=settings,
                    database=database,
                    clock=clock or SystemClock(),
                    packs=packs,
                    pack_files=pack_files,
                    shards=plan,
                    catalogues=catalogues,
                )
                if plan.sharded:
                    log.info("running %s", plan.describe())
                async with bot:
                    if handle_signals:
                        _close_on_signals(bot)
                    if started is not None:
                        started(bot)
                    await bot.prepare()
                    await bot.start(settings.discord.token)
    except BaseException:
        # A start that never got going leaves no database behind that it created itself.
        if created and (bot is None or not bot.commands_synced.is_set()):
            try:
                await asyncio.to_thread(remove_new_database, created)
            except OSError as error:  # the start's own error is the one to report
                log.warning("could not remove the database this failed start created at %s: %s", path, error)
        raise
    log.info("stopped cleanly")


FIRST_VERSION_WITH_BOT_STATE = 2
"""The schema version that added `bot_state`, where a start finds which packs it loaded last."""


def _parse_packs(paths: list[Path]) -> list[Pack]:
    with collector_paused():
        return [parse_pack(path) for path in paths]


def _close_on_signals(bot: MarqueeBot) -> None:
    loop = asyncio.get_running_loop()
    closing: list[asyncio.Task[None]] = []

    def close() -> None:
        if not closing:
            log.info("signal received; shutting down")
            closing.append(loop.create_task(bot.close()))

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, close)
