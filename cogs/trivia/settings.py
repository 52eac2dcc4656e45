"""`/settings trivia`: the trivia settings a server's admins choose.

The commands belong to trivia; the settings cog composes the group under `/settings` (and its Manage
Server default). discord.py builds the group with the cog's class, before any service exists, so the
commands find the services on the bot that each interaction carries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot import options
from bot.errors import UserFacingError
from bot.formatting import quote
from bot.i18n import Speech
from bot.permissions import missing_post_permissions
from cogs.trivia.game import DEFAULT_DAILY_TIME, DEFAULT_SECONDS
from db import GuildSettingsRepository, TriviaRepository

if TYPE_CHECKING:
    from bot.client import MarqueeBot


class TriviaSettings(app_commands.Group, name="trivia", description="Trivia settings for this server or one channel."):
    """Answer time, spoiler gate, the daily question and the server's timezone."""

    @app_commands.command(name="set")
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
        bot = interaction.client
        repository = TriviaRepository(bot.database)
        now = bot.clock.now()
        film_key = bot.services.lookup.film_key(newest_film) if newest_film is not None else None
        post_time = options.time_of_day(daily_time) if daily_time is not None else None
        tz_name = options.timezone(timezone) if timezone is not None else None
        if daily_channel is not None:
            missing = missing_post_permissions(daily_channel, interaction.guild.me)
            if missing:
                raise UserFacingError(
                    "I can't post in {channel}: I need {permissions} there.",
                    channel=daily_channel.mention,
                    permissions=", ".join(missing),
                )
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
            await GuildSettingsRepository(bot.database, bot.clock.now).set_timezone(interaction.guild.id, tz_name)
        await bot.services.trivia.settings_changed(interaction.guild.id)
        await interaction.response.send_message(
            await describe_trivia(bot, bot.languages.for_member(interaction), interaction.guild.id, channel),
            ephemeral=True,
        )

    @app_commands.command(name="show")
    @app_commands.describe(channel="Show the settings that apply in this channel")
    async def trivia_show(
        self, interaction: discord.Interaction[MarqueeBot], channel: discord.TextChannel | None = None
    ) -> None:
        """Show the trivia settings in force."""
        assert interaction.guild is not None
        bot = interaction.client
        await interaction.response.send_message(
            await describe_trivia(bot, bot.languages.for_member(interaction), interaction.guild.id, channel),
            ephemeral=True,
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
        return interaction.client.services.lookup.film_choices(current)


async def describe_trivia(bot: MarqueeBot, t: Speech, guild_id: int, channel: discord.TextChannel | None) -> str:
    """The trivia settings in force in the server, or in one of its channels, in `t`'s language."""
    repository = TriviaRepository(bot.database)
    effective = await repository.get_settings(guild_id, channel.id if channel else 0)
    daily = await repository.daily_settings(guild_id)
    place = await GuildSettingsRepository(bot.database, bot.clock.now).get(guild_id)
    film = bot.services.lookup.film(effective.newest_film_key) if effective.newest_film_key else None
    lines = [
        t("Trivia settings in {channel}:", channel=channel.mention)
        if channel
        else t("Trivia settings in this server:"),
        t("• Seconds per question: {seconds}", seconds=t.number(effective.seconds or DEFAULT_SECONDS)),
        t("• Newest film allowed: {film}", film=quote(film.title)) if film else t("• Newest film allowed: any"),
    ]
    if daily and daily.channel_id:
        where = {"channel": f"<#{daily.channel_id}>", "time": daily.post_time or DEFAULT_DAILY_TIME}
        if daily.paused_reason:
            lines.append(
                t("• Daily question: {channel} at {time} (paused: {reason})", reason=daily.paused_reason, **where)
            )
        else:
            lines.append(t("• Daily question: {channel} at {time}", **where))
    else:
        lines.append(t("• Daily question: not posted automatically"))
    if place is not None and place.timezone:
        lines.append(t("• Timezone: {timezone}", timezone=quote(place.timezone)))
    else:
        lines.append(t("• Timezone: {timezone} (the bot's default)", timezone=bot.settings.defaults.timezone))
    return "\n".join(lines)
