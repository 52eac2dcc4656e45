"""Lifetimes: open the database, build the bot, run it, and close everything in order."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

import discord
import yarl
from discord.gateway import DiscordWebSocket

from bot.client import MarqueeBot
from bot.clock import Clock, SystemClock
from bot.settings import Settings
from db import LATEST_VERSION, Database, SchemaTooNewError, schema_version

log = logging.getLogger(__name__)


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
) -> None:
    """Run the bot until it is closed (by `bot.close()`, SIGINT or SIGTERM), then release everything.

    `started` receives the bot as soon as it exists, before login, so that a caller (the test
    harness) can wait for it to be ready and close it later.
    """
    point_discord_py_at(settings)
    async with Database.connect(settings.database.path) as database:
        # Refuse a database from a newer Marquee before touching the network (setup_hook migrates).
        version = await schema_version(database)
        if version > LATEST_VERSION:
            raise SchemaTooNewError(version, LATEST_VERSION)
        bot = MarqueeBot(settings=settings, database=database, clock=clock or SystemClock())
        async with bot:
            if handle_signals:
                _close_on_signals(bot)
            if started is not None:
                started(bot)
            await bot.start(settings.discord.token)
    log.info("stopped cleanly")


def _close_on_signals(bot: MarqueeBot) -> None:
    loop = asyncio.get_running_loop()
    closing: list[asyncio.Task[None]] = []

    def close() -> None:
        if not closing:
            log.info("signal received; shutting down")
            closing.append(loop.create_task(bot.close()))

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, close)
