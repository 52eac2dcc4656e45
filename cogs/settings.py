"""`/settings`: what server admins configure (Manage Server)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import options
from bot.client import MarqueeBot
from bot.errors import UserFacingError
from bot.formatting import quote
from bot.permissions import missing_post_permissions
from bot.regions import country_name
from cogs.countdowns.settings import AnnouncementSettingsCommands
from cogs.films import current_lookup, film_choices, film_key_for
from cogs.trivia.game import DEFAULT_SECONDS
from db import GuildSettingsRepository, TriviaRepository


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Settings(commands.GroupCog, group_name="settings", group_description="Server settings for Marquee."):
    """Server settings (Manage Server)."""

    trivia = app_commands.Group(name="trivia", description="Trivia settings for this server or one channel.")
    announcements = AnnouncementSettingsCommands()  # the countdowns feature's own settings commands
    server = app_commands.Group(name="server", description="The server's timezone and region.")

    def __init__(self, bot: MarqueeBot) -> None:
        self.bot = bot
        super().__init__()

    @trivia.command(name="set")
    @app_commands.describe(
        seconds="Seconds to answer each question (10 to 60)",
        daily_channel="Where the daily question is posted automatically",
        daily_time="When to post it, as HH:MM in the server's timezone",
        newest_film="The newest film questions may be about (spoiler gate)",
        channel="Apply seconds and newest film to this channel only",
        timezone="The server's timezone, e.g. Europe/London: it dates the daily question and times its post",
    )
    async def trivia_set(
        self,
        interaction: discord.Interaction[MarqueeBot],
        seconds: app_commands.Range[int, 10, 60] | None = None,
        daily_channel: discord.TextChannel | None = None,
        daily_time: str | None = None,
        newest_film: str | None = None,
        channel: discord.TextChannel | None = None,
        timezone: str | None = None,
    ) -> None:
        """Trivia settings: answer time, daily question, spoiler gate, the server's timezone."""
        assert interaction.guild is not None  # guild_only
        if all(value is None for value in (seconds, daily_channel, daily_time, newest_film, timezone)):
            raise UserFacingError("Give at least one setting to change.")
        repository = TriviaRepository(self.bot.database)
        now = self.bot.clock.now()
        film_key = film_key_for(self.bot, newest_film) if newest_film is not None else None
        post_time = options.time_of_day(daily_time) if daily_time is not None else None
        tz_name = options.timezone(timezone) if timezone is not None else None
        if daily_channel is not None:
            missing = missing_post_permissions(daily_channel, interaction.guild.me)
            if missing:
                raise UserFacingError(f"I can't post in {daily_channel.mention}: I need {', '.join(missing)} there.")
        changes: dict[str, Any] = {}
        if seconds is not None:
            changes["seconds"] = seconds
        if film_key is not None:
            changes["newest_film_key"] = film_key
        scope = channel.id if channel else 0
        if changes:
            await repository.set_settings(interaction.guild.id, scope, now=now, **changes)
        daily: dict[str, Any] = {}
        if daily_channel is not None:
            daily["channel_id"] = daily_channel.id
        if post_time is not None:
            daily["post_time"] = post_time
        if daily:
            await repository.set_daily_settings(interaction.guild.id, now=now, **daily)
        if tz_name is not None:
            await GuildSettingsRepository(self.bot.database, self.bot.clock.now).set_timezone(
                interaction.guild.id, tz_name
            )
        self.bot.dispatch("trivia_settings_changed", interaction.guild.id)
        await interaction.response.send_message(
            await self.describe_trivia(interaction.guild.id, channel), ephemeral=True
        )

    @trivia.command(name="show")
    @app_commands.describe(channel="Show the settings that apply in this channel")
    async def trivia_show(
        self, interaction: discord.Interaction[MarqueeBot], channel: discord.TextChannel | None = None
    ) -> None:
        """Show the trivia settings in force."""
        assert interaction.guild is not None
        await interaction.response.send_message(
            await self.describe_trivia(interaction.guild.id, channel), ephemeral=True
        )

    @trivia_set.autocomplete("timezone")
    async def trivia_timezones(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return options.timezone_choices(current)

    @trivia_set.autocomplete("newest_film")
    async def film_choices(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return film_choices(self.bot, current)

    async def describe_trivia(self, guild_id: int, channel: discord.TextChannel | None) -> str:
        repository = TriviaRepository(self.bot.database)
        effective = await repository.get_settings(guild_id, channel.id if channel else 0)
        daily = await repository.daily_settings(guild_id)
        place = await GuildSettingsRepository(self.bot.database, self.bot.clock.now).get(guild_id)
        film = current_lookup(self.bot).film(effective.newest_film_key) if effective.newest_film_key else None
        where = f"in {channel.mention}" if channel else "in this server"
        lines = [
            f"Trivia settings {where}:",
            f"• Seconds per question: {effective.seconds or DEFAULT_SECONDS}",
            f"• Newest film allowed: {quote(film.title) if film else 'any'}",
        ]
        if daily and daily.channel_id:
            paused = f" (paused: {daily.paused_reason})" if daily.paused_reason else ""
            lines.append(f"• Daily question: <#{daily.channel_id}> at {daily.post_time or '09:00'}{paused}")
        else:
            lines.append("• Daily question: not posted automatically")
        if place is not None and place.timezone:
            lines.append(f"• Timezone: {quote(place.timezone)}")
        else:
            lines.append(f"• Timezone: {self.bot.settings.defaults.timezone} (the bot's default)")
        return "\n".join(lines)

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
        self.bot.dispatch("server_place_changed", interaction.guild.id)
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
