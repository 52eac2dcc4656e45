"""What happens to a server's data when Marquee is removed from it.

A removal (GUILD_DELETE without `unavailable`) starts a grace period (`database.removed_guild_days`);
if the bot is not added back by its end, everything stored about the server is deleted. An outage
(`unavailable: true`) deletes nothing. Removals that happened while the bot was offline are found
at READY: servers with stored data that the bot is no longer in.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from db import GuildDataRepository

if TYPE_CHECKING:
    from bot.client import MarqueeBot

log = logging.getLogger(__name__)

ALARM = "server-data-purge"


class ServerData(commands.Cog):
    def __init__(self, bot: MarqueeBot) -> None:
        self.bot = bot
        self.repository = GuildDataRepository(bot.database)
        self.grace = dt.timedelta(days=bot.settings.database.removed_guild_days)

    async def cog_load(self) -> None:
        await self.schedule_purge()

    async def cog_unload(self) -> None:
        self.bot.alarms.cancel(ALARM)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        present = {guild.id for guild in self.bot.guilds}
        departures = set(await self.repository.departures())
        for guild_id in departures & present:
            await self.repository.returned(guild_id)
        # A process running some of the shards sees only their servers: the others' are not gone.
        known = {guild_id for guild_id in await self.repository.known_guilds() if self.bot.shard_plan.owns(guild_id)}
        gone = known - present - departures
        for guild_id in gone:
            await self.repository.departed(guild_id, self.bot.clock.now())
        if gone:
            log.info("%d servers removed Marquee while it was offline; their data goes in %s", len(gone), self.grace)
            await self.schedule_purge()

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        await self.repository.departed(guild.id, self.bot.clock.now())
        await self.schedule_purge()

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        if await self.repository.returned(guild.id):
            log.info("guild %s added Marquee back; its data is kept", guild.id)

    async def schedule_purge(self) -> None:
        departures = await self.repository.departures()
        if departures:
            self.bot.alarms.set(ALARM, min(departures.values()) + self.grace, self.purge_due)
        else:
            self.bot.alarms.cancel(ALARM)

    async def purge_due(self) -> None:
        cutoff = self.bot.clock.now() - self.grace
        for guild_id, left_at in (await self.repository.departures()).items():
            if not self.bot.shard_plan.owns(guild_id):
                continue  # the process running its shard knows whether it came back
            if self.bot.get_guild(guild_id) is not None:
                await self.repository.returned(guild_id)  # added back while we were offline
            elif left_at <= cutoff:
                deleted = await self.repository.purge(guild_id)
                log.info("deleted %d rows of guild %s, which removed Marquee on %s", deleted, guild_id, left_at)
        await self.schedule_purge()


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(ServerData(bot))
