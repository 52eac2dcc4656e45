"""`/settings`: what server admins configure (Manage Server)."""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import MarqueeBot
from bot.errors import UserFacingError
from bot.formatting import safe
from bot.permissions import missing_post_permissions
from cogs.films import current_lookup, film_choices, film_key_for
from cogs.trivia.game import DEFAULT_SECONDS
from db import TriviaRepository

_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_time_of_day(text: str) -> str:
    """"9:05", "09:05" → "09:05"; anything else is refused with a clear message."""
    cleaned = text.strip()
    if re.fullmatch(r"\d:\d\d", cleaned):
        cleaned = "0" + cleaned
    if not _TIME.match(cleaned):
        raise UserFacingError(f"“{safe(text)}” is not a time of day; use 24-hour HH:MM such as 09:00 or 18:30.")
    return cleaned


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Settings(commands.GroupCog, group_name="settings", group_description="Server settings for Marquee."):
    """Server settings (Manage Server)."""

    trivia = app_commands.Group(name="trivia", description="Trivia settings for this server or one channel.")

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
    )
    async def trivia_set(
        self,
        interaction: discord.Interaction[MarqueeBot],
        seconds: app_commands.Range[int, 10, 60] | None = None,
        daily_channel: discord.TextChannel | None = None,
        daily_time: str | None = None,
        newest_film: str | None = None,
        channel: discord.TextChannel | None = None,
    ) -> None:
        """Trivia settings: answer time, daily question, spoiler gate."""
        assert interaction.guild is not None  # guild_only
        if all(value is None for value in (seconds, daily_channel, daily_time, newest_film)):
            raise UserFacingError("Give at least one setting to change.")
        repository = TriviaRepository(self.bot.database)
        now = self.bot.clock.now()
        film_key = film_key_for(self.bot, newest_film) if newest_film is not None else None
        post_time = parse_time_of_day(daily_time) if daily_time is not None else None
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

    @trivia_set.autocomplete("newest_film")
    async def film_choices(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return film_choices(self.bot, current)

    async def describe_trivia(self, guild_id: int, channel: discord.TextChannel | None) -> str:
        repository = TriviaRepository(self.bot.database)
        effective = await repository.get_settings(guild_id, channel.id if channel else 0)
        daily = await repository.daily_settings(guild_id)
        film = current_lookup(self.bot).film(effective.newest_film_key) if effective.newest_film_key else None
        where = f"in {channel.mention}" if channel else "in this server"
        lines = [
            f"Trivia settings {where}:",
            f"• Seconds per question: {effective.seconds or DEFAULT_SECONDS}",
            f"• Newest film allowed: {safe(film.title) if film else 'any'}",
        ]
        if daily and daily.channel_id:
            lines.append(f"• Daily question: <#{daily.channel_id}> at {daily.post_time or '09:00'}")
        else:
            lines.append("• Daily question: not posted automatically")
        return "\n".join(lines)


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(Settings(bot))
