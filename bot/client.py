"""The Marquee bot: a `commands.Bot` that receives everything it uses from `bot.runner`."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import pkgutil
import traceback
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import discord
from discord.ext import commands

import cogs
from bot import __version__
from bot.clock import Clock
from bot.delivery import InvalidRequestBreaker, RequestWindow, pacer_for
from bot.discord_tuning import sweep_idle_ratelimits_rarely
from bot.i18n import Catalogues
from bot.scheduler import AlarmClock
from bot.services import Services, build_services
from bot.settings import Settings
from bot.sharding import ShardPlan
from bot.translator import Languages, MarqueeTranslator
from bot.tree import MarqueeTree
from db import (
    BotStateRepository,
    CatalogueRepository,
    Database,
    Pack,
    PackFiles,
    load_pack,
    migrate,
    parse_pack,
    resolve_pack,
)
from db.repositories.leases import Lease, new_process_id

log = logging.getLogger(__name__)


def cog_extensions() -> list[str]:
    """Every module or package in `cogs/`: a new cog is loaded without being listed anywhere."""
    return sorted(f"{cogs.__name__}.{module.name}" for module in pkgutil.iter_modules(cogs.__path__))


def describe_failure(error: BaseException) -> str:
    """What went wrong and where, in one line: "RuntimeError: boom (cogs/x.py, line 9)"."""
    if isinstance(error, commands.ExtensionFailed):
        error = error.original
    frames = traceback.extract_tb(error.__traceback__)
    where = f" ({frames[-1].filename}, line {frames[-1].lineno})" if frames else ""
    return f"{type(error).__name__}: {error}{where}"


def bot_intents() -> discord.Intents:
    """Guilds only: every feature works through slash commands and components, no privileged intent."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


LOADED_PACKS = "content_packs_loaded"
"""The `bot_state` key of the fingerprint (`db.PackFiles`) of the packs the last start loaded."""


async def packs_unchanged(database: Database, files: PackFiles) -> bool:
    """Whether the pack `files` (their fingerprint) are what the last start loaded, and are still what the
    catalogue holds (a `pack load` since may have loaded other versions of them)."""
    if await BotStateRepository(database).get(LOADED_PACKS) != files.fingerprint:
        return False
    loaded = await CatalogueRepository(database).pack_checksums()
    return all(checksum in loaded for checksum in files.checksums)


class MarqueeBot(commands.Bot):
    """The application. Owns no resources: the database and clock are passed in and closed by the runner."""

    def __init__(
        self,
        *,
        settings: Settings,
        database: Database,
        clock: Clock,
        packs: Iterable[Pack] | None = None,
        pack_files: PackFiles | None = None,
        shards: ShardPlan | None = None,
        catalogues: Catalogues | None = None,
    ) -> None:
        """`packs` are the configured content packs already parsed (the runner checks them before
        connecting); None parses `settings.packs.load` when they are loaded. `pack_files` are their files
        as the runner read them; None reads them then. `shards`: the shards this process runs (None:
        unsharded); a sharded plan needs :class:`ShardedMarqueeBot` (:func:`bot_class`). `catalogues`: the
        message catalogues (None reads the shipped ones)."""
        plan = shards or ShardPlan()
        sharding: dict[str, Any] = {}
        if plan.sharded:
            if not isinstance(self, commands.AutoShardedBot):
                raise TypeError(f"{plan.describe()} needs ShardedMarqueeBot (bot_class), not {type(self).__name__}")
            sharding = {"shard_count": plan.count, "shard_ids": None if plan.ids is None else list(plan.ids)}
        breaker = InvalidRequestBreaker(settings.delivery.invalid_request_limit)
        # The pace holds where requests leave too: at most `delivery.pace` of the bot's own in any second.
        window = RequestWindow(settings.delivery.pace, settings.discord.api_base_url)
        # One pace for every bulk sender (announcements, reminder DMs): they share Discord's global limit,
        # and so do the bot's other processes on a PostgreSQL database.
        pacer = pacer_for(database, settings.delivery.pace)
        super().__init__(
            http_trace=window.trace_config(breaker, pacer),
            command_prefix=commands.when_mentioned,
            intents=bot_intents(),
            tree_cls=MarqueeTree,
            help_command=None,
            # Nobody is pinged unless a feature opens mentions for one admin-chosen role.
            allowed_mentions=discord.AllowedMentions.none(),
            **sharding,
        )
        self.shard_plan = plan
        self.settings = settings
        self.database = database
        self.clock = clock
        self.version = __version__
        self.alarms = AlarmClock(clock)
        self.pacer = pacer
        self.request_window = window
        self.breaker = breaker
        sweep_idle_ratelimits_rarely(self.http)
        self.catalogue = CatalogueRepository(database)
        self.catalogues = catalogues if catalogues is not None else Catalogues.load()
        self.languages = Languages(self.catalogues, database, clock.now, self.guild_locale)
        # Who this process is to the other processes sharing the database: the owner of the outbox rows it
        # claims. New at every start, so a restarted process never mistakes a dead run's claims for its own.
        self.process_id = new_process_id()
        # How long its claims hold unrenewed: after a crash, how long the others wait before taking them over.
        self.lease = Lease(self.process_id, timedelta(seconds=settings.delivery.lease_seconds))
        self.started_at: datetime = clock.now()
        self.failed_extensions: dict[str, str] = {}
        self._packs = None if packs is None else tuple(packs)
        self._pack_files = pack_files
        self._prepared = False
        # Set when setup is over: cogs loaded and the command tree synced, or found unchanged, or
        # deliberately left alone because a cog failed to load.
        self.commands_synced = asyncio.Event()
        self.services: Services = build_services(self)

    async def prepare(self) -> None:
        """Migrate the database and load the content packs, once. Nothing here needs Discord, so
        the runner does it before connecting: a problem stops the start before any network."""
        if self._prepared:
            return
        result = await migrate(self.database)
        if result.applied:
            log.info("database migrated from version %s to %s", result.from_version, result.to_version)
        await self.load_content_packs()
        self._prepared = True

    async def setup_hook(self) -> None:
        self.started_at = self.clock.now()
        await self.prepare()
        await self.services.start()
        await self.tree.set_translator(MarqueeTranslator(self.catalogues))
        await self.load_cogs()
        self.alarms.start()
        await self.sync_commands_if_changed()
        self.commands_synced.set()

    async def load_content_packs(self) -> None:
        """Load the configured packs, unless they are byte for byte what the last start loaded (with the same
        rules): a catalogue of 100,000 films takes a minute to parse and load, and would change nothing."""
        files = self._pack_files
        if files is None:
            paths = [resolve_pack(ref) for ref in self.settings.packs.load]
            files = await asyncio.to_thread(PackFiles.read, paths)
        self._pack_files = None
        state = BotStateRepository(self.database)
        if await packs_unchanged(self.database, files):
            self._packs = None
            log.info("content packs unchanged since they were last loaded: %s", ", ".join(self.settings.packs.load))
            return
        if self._packs is None:
            packs = [await asyncio.to_thread(parse_pack, path) for path in files.paths]
        else:
            packs = list(self._packs)
        # Parsed packs are large and needed only for loading: not kept for the bot's lifetime.
        self._packs = None
        for pack in packs:
            report = await load_pack(self.database, pack, source_path=str(pack.path))
            log.info(
                "content pack %s loaded: %s films, %s questions; %s merged into other packs' entries, %s renamed",
                report.pack_id,
                report.films,
                report.questions,
                report.merged,
                report.renamed_people,
            )
        await state.set(LOADED_PACKS, files.fingerprint)

    async def load_cogs(self, extensions: Iterable[str] | None = None) -> None:
        """Load every cog (or `extensions`); one that fails is logged and skipped so the rest still works."""
        for extension in cog_extensions() if extensions is None else extensions:
            try:
                await self.load_extension(extension)
            except Exception as error:
                self.failed_extensions[extension] = describe_failure(error)
                log.exception("cog %s failed to load", extension)

    async def sync_commands_if_changed(self) -> None:
        """Sync the command tree only when it differs from what was last synced for this scope,
        and never when a cog failed to load.

        Discord rate-limits command sync hard (about 200 creates a day per guild), so a restart
        must not resync an unchanged tree. A tree missing a broken cog's commands would take them
        off every server until someone noticed: Discord keeps the last good set instead.
        """
        if not self.settings.commands.sync:
            return
        if not self.shard_plan.syncs_commands:
            # Several processes share one application: one sync is enough, and each would spend the quota.
            log.info("commands are synced by the process running shard 0; this one runs %s", self.shard_plan.describe())
            return
        if self.failed_extensions:
            log.error(
                "commands NOT synced: %d cog(s) failed to load (%s); Discord keeps the commands last synced. "
                "Fix them (`python -m bot check` names what broke) and restart.",
                len(self.failed_extensions),
                "; ".join(f"{name}: {error}" for name, error in sorted(self.failed_extensions.items())),
            )
            return
        guild = discord.Object(self.settings.commands.dev_guild_id) if self.settings.commands.dev_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        payload = await self.command_payload(guild)
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        scope = f"guild:{guild.id}" if guild else "global"
        key = f"command_sync_hash:{self.application_id}:{scope}"
        state = BotStateRepository(self.database)
        if await state.get(key) == digest:
            log.info("commands unchanged since the last sync (%s); not syncing", scope)
            return
        synced = await self.tree.sync(guild=guild)
        await state.set(key, digest)
        log.info("synced %d commands (%s)", len(synced), scope)

    async def command_payload(self, guild: discord.abc.Snowflake | None = None) -> list[dict[str, Any]]:
        """What a sync of the tree (for `guild`, or global) sends Discord, localisations included: what
        `sync_commands_if_changed` compares, so that a changed translation is a changed tree."""
        translator = self.tree.translator
        return [
            await command.get_translated_payload(self.tree, translator) if translator else command.to_dict(self.tree)
            for command in self.tree.get_commands(guild=guild)
        ]

    def guild_locale(self, guild_id: int) -> str | None:
        """A server's Discord language as the gateway last told it (None: a server not in the cache)."""
        guild = self.get_guild(guild_id)
        return str(guild.preferred_locale) if guild is not None else None

    async def close(self) -> None:
        """Stop the services and their alarms, then disconnect."""
        self.services.stop()
        # Work an alarm started must be over before the runner closes the database under it.
        await self.alarms.stop()
        await super().close()


class ShardedMarqueeBot(MarqueeBot, commands.AutoShardedBot):
    """The application as discord.py's AutoShardedBot: several shards (or Discord's recommended count) in one
    process, each its own gateway session; the REST client, cache and command tree are shared."""


def bot_class(shards: ShardPlan) -> type[MarqueeBot]:
    """The bot class a shard plan runs as: unsharded is a plain `commands.Bot`, anything else AutoShardedBot."""
    return ShardedMarqueeBot if shards.sharded else MarqueeBot
