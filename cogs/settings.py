"""`/settings`: what server admins configure (Manage Server). Each feature brings its own group."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import options
from bot.errors import UserFacingError
from bot.regions import country_name
from cogs.countdowns.settings import AnnouncementSettingsCommands
from cogs.trivia.settings import TriviaSettings
from db import GuildSettingsRepository

if TYPE_CHECKING:
    from bot.client import MarqueeBot


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Settings(commands.GroupCog, group_name="settings", group_description="Server settings for Marquee."):
    """Server settings (Manage Server)."""

    trivia = TriviaSettings()  # the trivia feature's own settings commands
    announcements = AnnouncementSettingsCommands()  # the countdowns feature's own settings commands
    server = app_commands.Group(name="server", description="The server's timezone and region.")

    def __init__(self, bot: MarqueeBot) -> None:
        self.bot = bot
        super().__init__()

    # ---- the server's place --------------------------------------------------------------------------------
    @server.command(name="set")
    @app_commands.describe(
        timezone="The server's timezone, e.g. Europe/London: countdowns and the daily question follow it",
        region="Whose release dates count for members who chose none, e.g. GB",
    )
    async def server_set(
        self, interaction: discord.Interaction[MarqueeBot], timezone: str | None = None, region: str | None = None
    ) -> None:
        """The server's timezone and region, for members and features that chose none of their own."""
        assert interaction.guild is not None  # guild_only
        if timezone is None and region is None:
            raise UserFacingError("Give a timezone, a region or both.")
        tz_name = options.timezone(timezone) if timezone is not None else None
        region_code = options.region(region) if region is not None else None
        repository = GuildSettingsRepository(self.bot.database, self.bot.clock.now)
        if tz_name is not None:
            await repository.set_timezone(interaction.guild.id, tz_name)
        if region_code is not None:
            await repository.set_region(interaction.guild.id, region_code)
        self.bot.services.server_place_changed(interaction.guild.id)
        await interaction.response.send_message(await self.describe_server(interaction.guild.id), ephemeral=True)

    @server.command(name="show")
    async def server_show(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Show the server's timezone and region."""
        assert interaction.guild is not None
        await interaction.response.send_message(await self.describe_server(interaction.guild.id), ephemeral=True)

    @server_set.autocomplete("timezone")
    async def server_timezones(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return options.timezone_choices(current)

    @server_set.autocomplete("region")
    async def server_regions(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return options.region_choices(current)

    async def describe_server(self, guild_id: int) -> str:
        place = await GuildSettingsRepository(self.bot.database, self.bot.clock.now).get(guild_id)
        defaults = self.bot.settings.defaults
        timezone = place.timezone if place and place.timezone else f"{defaults.timezone} (the bot's default)"
        region = (
            f"{country_name(place.region)} ({place.region})"
            if place and place.region
            else f"{country_name(defaults.region)} ({defaults.region}, the bot's default)"
        )
        return (
            f"This server:\n• Timezone: {timezone}\n• Region: {region}\n"
            "Members' own `/preferences` win over these; announcements keep the timezone and region they were set with."
        )


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(Settings(bot))
