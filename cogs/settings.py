"""`/settings`: what server admins configure (Manage Server)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import options
from bot.client import MarqueeBot
from bot.errors import UserFacingError
from bot.formatting import discord_timestamp, fit_lines, quote, truncate
from bot.permissions import missing_post_permissions
from bot.regions import country_name
from cogs.countdowns import render
from cogs.countdowns.dates import MILESTONE_PRESETS, countdown, parse_milestones
from cogs.countdowns.engine import Announcer
from cogs.films import current_lookup, film_choices, film_key_for
from cogs.trivia.game import DEFAULT_SECONDS
from db import GuildSettingsRepository, TriviaRepository
from db.repositories.announcements import AnnouncementSettings

# The announcement settings are an answer's text: 25 targets of up to this many characters each
# (escaped), within this much, leave the rest of the message room.
TARGET_NAME = 60
TARGETS_TEXT = 900


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Settings(commands.GroupCog, group_name="settings", group_description="Server settings for Marquee."):
    """Server settings (Manage Server)."""

    trivia = app_commands.Group(name="trivia", description="Trivia settings for this server or one channel.")
    announcements = app_commands.Group(
        name="announcements", description="Scheduled release countdown posts in a channel."
    )
    server = app_commands.Group(name="server", description="The server's timezone and region.")

    def __init__(self, bot: MarqueeBot, announcer: Announcer) -> None:
        self.bot = bot
        self.announcer = announcer
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

    # ---- announcements ----------------------------------------------------------------------------------
    @announcements.command(name="set")
    @app_commands.describe(
        channel="Where countdown posts go",
        time="Time of day to post, HH:MM (default 09:00)",
        timezone="Timezone of that time (default: the bot's)",
        region="Whose release dates count (default: the server's, else US)",
        milestones="Days before release to post: a preset (default, weekly, final-week, release-day, daily) "
        "or a list such as 30,7,1,0",
        role="A role to ping with each post (nobody else is ever pinged)",
        targets="“all” upcoming releases and events, or names separated by commas",
        anniversaries="Also post each film's yearly anniversary",
        discord_events="Mirror upcoming releases and events as Discord scheduled events (needs Manage Events)",
        clear_role="Stop pinging the role set before",
    )
    async def announcements_set(
        self,
        interaction: discord.Interaction[MarqueeBot],
        channel: discord.TextChannel,
        time: str | None = None,
        timezone: str | None = None,
        region: str | None = None,
        milestones: str | None = None,
        role: discord.Role | None = None,
        targets: str | None = None,
        anniversaries: bool | None = None,
        discord_events: bool | None = None,
        clear_role: bool = False,
    ) -> None:
        """Post release countdowns in a channel on milestone days."""
        guild = interaction.guild
        assert guild is not None
        announcer = self.announcer
        current = await announcer.announcement_settings(guild.id)
        missing = missing_post_permissions(channel, guild.me)
        if not channel.permissions_for(guild.me).read_message_history:
            # Before retrying a post whose answer was lost, the bot looks whether it went out (bot.delivery).
            missing.append("Read Message History")
        if missing:
            raise UserFacingError(f"I can't post in {channel.mention}: I need {', '.join(missing)} there.")
        try:
            # parse_milestones's messages are written to be shown verbatim (they echo the input safely).
            milestone_text = parse_milestones(milestones).to_text() if milestones is not None else None
        except ValueError as error:
            raise UserFacingError(str(error)) from None
        region_code = options.region(region) if region is not None else None
        if role is not None:
            if role.is_default():
                raise UserFacingError("Pick a role to ping; @everyone is never pinged.")
            if not role.mentionable and not channel.permissions_for(guild.me).mention_everyone:
                raise UserFacingError(
                    f"{role.mention} can't be pinged: make it mentionable (Server Settings → Roles), "
                    "or give me Mention @everyone, @here and All Roles."
                )
        mirror = discord_events if discord_events is not None else (current.mirror_events if current else False)
        if mirror and not guild.me.guild_permissions.manage_events:
            raise UserFacingError("To mirror releases as Discord events I need the Manage Events permission.")
        region_default, tz_default = await announcer.place(guild.id)
        settings = AnnouncementSettings(
            guild_id=guild.id,
            channel_id=channel.id,
            post_time=options.time_of_day(time) if time is not None else (current.post_time if current else "09:00"),
            timezone=options.timezone(timezone)
            if timezone is not None
            else (current.timezone if current else tz_default),
            region=region_code or (current.region if current else region_default),
            milestones=milestone_text or (current.milestones if current else "default"),
            role_id=None if clear_role else (role.id if role else (current.role_id if current else None)),
            anniversaries=anniversaries if anniversaries is not None else (current.anniversaries if current else False),
            mirror_events=mirror,
            paused_reason=None,
            notice_pending=False,
            targets=await self.announcement_targets(guild.id, targets)
            if targets is not None
            else (current.targets if current else ()),
            updated_at=self.bot.clock.now(),
        )
        await announcer.configure(settings)
        await interaction.response.send_message(await self.describe_announcements(guild.id), ephemeral=True)

    async def announcement_targets(self, guild_id: int, text: str) -> tuple[str, ...]:
        """ "all" → (); otherwise each comma-separated name is a server event or a film."""
        if text.strip().casefold() in ("", "all"):
            return ()
        announcer = self.announcer
        keys = []
        for part in text.split(","):
            name = part.strip()
            if not name:
                continue
            # Only this server's events: an "event:<id>" typed by hand must not reach another server's.
            event = await announcer.find_event(guild_id, name)
            if event is not None:
                keys.append(event.target_key)
            elif name.startswith("film:") and announcer.knows_film(name[5:]):
                keys.append(name)
            else:
                keys.append("film:" + film_key_for(self.bot, name))
        if len(keys) > 25:
            raise UserFacingError("Choose at most 25 targets, or “all”.")
        return tuple(dict.fromkeys(keys))

    @announcements.command(name="off")
    async def announcements_off(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Stop release countdown posts (the history of past posts is kept)."""
        assert interaction.guild is not None
        announcer = self.announcer
        await announcer.turn_off(interaction.guild.id)
        await interaction.response.send_message("Release announcements are off.", ephemeral=True)

    @announcements.command(name="test")
    async def announcements_test(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Post a preview of the next countdown post in the announcement channel now."""
        guild = interaction.guild
        assert guild is not None
        announcer = self.announcer
        settings = await announcer.announcement_settings(guild.id)
        if settings is None:
            raise UserFacingError("Announcements are not set up; use `/settings announcements set` first.")
        all_dates = await announcer.targets(settings)
        now = self.bot.clock.now()
        tz = announcer.schedule(settings).tz
        today = now.astimezone(tz).date()
        upcoming = sorted((v for v in all_dates if v.target.day >= today), key=lambda v: v.target.day)
        if upcoming:
            dates = upcoming[0]
            embed = render.countdown_embed(dates, countdown(dates.target, now, tz))
        else:
            embed = discord.Embed(title="Release announcements", description="Nothing is coming up right now.")
        embed.set_footer(text="Preview: scheduled posts look like this.")
        channel = self.bot.get_partial_messageable(settings.channel_id, guild_id=guild.id)
        # Not an interaction response, so not exempt from Discord's global limit: it shares the pace.
        await self.bot.pacer.wait_turn()
        try:
            await channel.send(embed=embed)
        except (discord.Forbidden, discord.NotFound) as error:
            raise UserFacingError(
                f"I couldn't post in <#{settings.channel_id}>: {error.text or error.status}."
            ) from None
        note = f" Real posts will ping <@&{settings.role_id}>." if settings.role_id else ""
        await interaction.response.send_message(f"Posted a preview in <#{settings.channel_id}>.{note}", ephemeral=True)

    @announcements.command(name="status")
    async def announcements_status(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Show the announcement settings, the next 5 posts and what happened to the last 10."""
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        announcer = self.announcer
        settings = await announcer.announcement_settings(guild_id)
        embed = render.status_embed(
            settings,
            await self.describe_announcements(guild_id),
            await announcer.upcoming(guild_id, 5),
            await announcer.recent(guild_id, 10),
            await announcer.titles(guild_id),
        )
        if settings is not None and settings.paused_reason:
            await announcer.take_notice(guild_id)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @announcements_set.autocomplete("timezone")
    async def announcement_timezones(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return options.timezone_choices(current)

    @announcements_set.autocomplete("region")
    async def announcement_regions(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return options.region_choices(current)

    @announcements_set.autocomplete("milestones")
    async def announcement_milestones(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        presets = [*MILESTONE_PRESETS, "daily"]
        found = [name for name in presets if name.startswith(current.strip().casefold())]
        choices = [
            app_commands.Choice(name=truncate(f"{name}: {parse_milestones(name).describe()}", 100), value=name)
            for name in found
        ]
        if current.strip() and not found:
            choices.append(app_commands.Choice(name=truncate(current, 100), value=truncate(current, 100)))
        return choices

    @announcements_set.autocomplete("targets")
    async def announcement_target_choices(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        """Complete the last name of a comma-separated list."""
        done, _, last = current.rpartition(",")
        prefix = f"{done}, " if done else ""
        events = await self.announcer.events_named(interaction.guild_id, last)
        names = [event.name for event in events] + [choice.name for choice in film_choices(self.bot, last.strip())]
        choices = [] if done else [app_commands.Choice(name="all upcoming releases and events", value="all")]
        for name in names:
            value = prefix + name
            if len(value) <= 100:
                choices.append(app_commands.Choice(name=value, value=value))
        return choices[:25]

    async def describe_announcements(self, guild_id: int) -> str:
        announcer = self.announcer
        settings = await announcer.announcement_settings(guild_id)
        if settings is None:
            return "Release announcements are off. Turn them on with `/settings announcements set`."
        titles = await announcer.titles(guild_id)
        # Up to 25 targets, each named by a member: the whole answer must stay inside one message.
        names = [quote(titles.get(key, key), TARGET_NAME) for key in settings.targets]
        chosen = fit_lines(names, TARGETS_TEXT, separator=", ") or "every upcoming release and event"
        lines = [
            f"• Channel: <#{settings.channel_id}>",
            f"• Time: {settings.post_time} ({settings.timezone})",
            f"• Release dates of: {country_name(settings.region)}",
            f"• Posts: {parse_milestones(settings.milestones).describe()}",
            f"• Ping: {f'<@&{settings.role_id}>' if settings.role_id else 'nobody'}",
            f"• Targets: {chosen}",
            f"• Anniversaries: {'yes' if settings.anniversaries else 'no'}",
            f"• Discord events: {'mirrored' if settings.mirror_events else 'no'}",
        ]
        upcoming = await announcer.upcoming(guild_id, 1)
        if upcoming:
            lines.append(f"Next post {discord_timestamp(upcoming[0].due_at, 'R')}.")
        return "\n".join(lines)


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(Settings(bot, bot.services.announcer))
