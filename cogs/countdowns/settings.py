"""`/settings announcements`: where and when a server's release countdowns are posted.

The commands belong to countdowns; the settings cog composes the group under `/settings` (and its Manage
Server default). discord.py builds the group with the cog's class, before any service exists, so the
commands find the announcer on the bot that each interaction carries.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord
from discord import app_commands

from bot import options
from bot.errors import UserFacingError
from bot.formatting import discord_timestamp, fit_lines, quote, truncate
from bot.i18n import Speech
from bot.permissions import missing_post_permissions
from bot.targets import TargetDates, country_in
from cogs.countdowns import render
from cogs.countdowns.dates import DEFAULT_POST_TIME, MILESTONE_PRESETS, MilestoneError, countdown, parse_milestones
from db.repositories.announcements import AnnouncementSettings

if TYPE_CHECKING:
    from bot.client import MarqueeBot
    from cogs.countdowns.engine import Announcer

# The announcement settings are an answer's text: 25 targets of up to this many characters each
# (escaped), within this much, leave the rest of the message room.
TARGET_NAME = 60
TARGETS_TEXT = 900


class AnnouncementSettingsCommands(
    app_commands.Group, name="announcements", description="Scheduled release countdown posts in a channel."
):
    """Channel, time, milestones, ping and targets of the countdown posts."""

    @app_commands.command(name="set")
    @app_commands.describe(
        channel="Where countdown posts go",
        time=f"Time of day to post, HH:MM (default {DEFAULT_POST_TIME})",
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
        bot = interaction.client
        announcer = bot.services.announcer
        current = await announcer.announcement_settings(guild.id)
        missing = missing_post_permissions(channel, guild.me)
        if not channel.permissions_for(guild.me).read_message_history:
            # Before retrying a post whose answer was lost, the bot looks whether it went out (bot.delivery).
            missing.append("Read Message History")
        if missing:
            raise UserFacingError(
                "I can't post in {channel}: I need {permissions} there.",
                channel=channel.mention,
                permissions=", ".join(missing),
            )
        try:
            # parse_milestones's messages are written to be shown as they are (they echo the input safely).
            milestone_text = parse_milestones(milestones).to_text() if milestones is not None else None
        except MilestoneError as error:
            raise UserFacingError(error.template, **error.values) from None
        region_code = options.region(region) if region is not None else None
        if role is not None:
            if role.is_default():
                raise UserFacingError("Pick a role to ping; @everyone is never pinged.")
            if not role.mentionable and not channel.permissions_for(guild.me).mention_everyone:
                raise UserFacingError(
                    "{role} can't be pinged: make it mentionable (Server Settings → Roles), "
                    "or give me Mention @everyone, @here and All Roles.",
                    role=role.mention,
                )
        mirror = discord_events if discord_events is not None else (current.mirror_events if current else False)
        if mirror and not guild.me.guild_permissions.manage_events:
            raise UserFacingError("To mirror releases as Discord events I need the Manage Events permission.")
        region_default, tz_default = await announcer.place(guild.id)
        post_time_default = current.post_time if current else DEFAULT_POST_TIME
        settings = AnnouncementSettings(
            guild_id=guild.id,
            channel_id=channel.id,
            post_time=options.time_of_day(time) if time is not None else post_time_default,
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
            targets=await targets_named(bot, guild.id, targets)
            if targets is not None
            else (current.targets if current else ()),
            updated_at=bot.clock.now(),
        )
        await announcer.configure(settings)
        t = bot.languages.for_member(interaction)
        await interaction.response.send_message(await describe(t, announcer, guild.id), ephemeral=True)

    @app_commands.command(name="off")
    async def announcements_off(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Stop release countdown posts (the history of past posts is kept)."""
        assert interaction.guild is not None
        await interaction.client.services.announcer.turn_off(interaction.guild.id)
        t = interaction.client.languages.for_member(interaction)
        await interaction.response.send_message(t("Release announcements are off."), ephemeral=True)

    @app_commands.command(name="test")
    async def announcements_test(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Post a preview of the next countdown post in the announcement channel now."""
        guild = interaction.guild
        assert guild is not None
        bot = interaction.client
        announcer = bot.services.announcer
        settings = await announcer.announcement_settings(guild.id)
        if settings is None:
            raise UserFacingError("Announcements are not set up; use `/settings announcements set` first.")
        all_dates = await announcer.targets(settings)
        now = bot.clock.now()
        tz = announcer.schedule(settings).tz
        today = now.astimezone(tz).date()
        upcoming = sorted((v for v in all_dates if v.target.day >= today), key=lambda v: v.target.day)
        # The preview is posted in the channel: the server's language, as the real posts are.
        embed = preview(await bot.languages.for_server(guild.id), upcoming[0] if upcoming else None, now, tz)
        channel = bot.get_partial_messageable(settings.channel_id, guild_id=guild.id)
        mention = channel_mention(settings.channel_id)
        # Not an interaction response, so not exempt from Discord's global limit: it shares the pace.
        await bot.pacer.wait_turn()
        try:
            await channel.send(embed=embed)
        except (discord.Forbidden, discord.NotFound) as error:
            raise UserFacingError(
                "I couldn't post in {channel}: {error}.", channel=mention, error=error.text or error.status
            ) from None
        t = bot.languages.for_member(interaction)
        answer = t("Posted a preview in {channel}.", channel=mention)
        if settings.role_id:
            answer += " " + t("Real posts will ping {role}.", role=role_mention(settings.role_id))
        await interaction.response.send_message(answer, ephemeral=True)

    @app_commands.command(name="status")
    async def announcements_status(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Show the announcement settings, the next 5 posts and what happened to the last 10."""
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        announcer = interaction.client.services.announcer
        settings = await announcer.announcement_settings(guild_id)
        t = interaction.client.languages.for_member(interaction)
        embed = render.status_embed(
            t,
            settings,
            await describe(t, announcer, guild_id),
            await announcer.upcoming(guild_id, 5),
            await announcer.recent(guild_id, 10),
            await announcer.titles(guild_id),
        )
        if settings is not None and settings.paused_reason:
            await announcer.take_notice(guild_id, t)
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
        t = interaction.client.languages.for_member(interaction)
        presets = [*MILESTONE_PRESETS, "daily"]
        found = [name for name in presets if name.startswith(current.strip().casefold())]
        choices = [
            app_commands.Choice(name=truncate(f"{name}: {parse_milestones(name).describe(t)}", 100), value=name)
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
        events = await interaction.client.services.announcer.events_named(interaction.guild_id, last)
        names = [event.name for event in events] + [
            choice.name for choice in interaction.client.services.lookup.film_choices(last.strip())
        ]
        t = interaction.client.languages.for_member(interaction)
        choices = [] if done else [app_commands.Choice(name=t("all upcoming releases and events"), value="all")]
        for name in names:
            value = prefix + name
            if len(value) <= 100:
                choices.append(app_commands.Choice(name=value, value=value))
        return choices[:25]


def preview(t: Speech, dates: TargetDates | None, now: dt.datetime, tz: ZoneInfo) -> discord.Embed:
    """`/settings announcements test`'s post: the next target's countdown (or that nothing is coming up)."""
    if dates is not None:
        embed = render.countdown_embed(t, dates, countdown(dates.target, now, tz))
    else:
        embed = discord.Embed(title=t("Release announcements"), description=t("Nothing is coming up right now."))
    embed.set_footer(text=t("Preview: scheduled posts look like this."))
    return embed


def channel_mention(channel_id: int) -> str:
    """<#id>: the channel, as each reader's client names it."""
    return f"<#{channel_id}>"


def role_mention(role_id: int) -> str:
    """<@&id>: the role, as each reader's client names it."""
    return f"<@&{role_id}>"


async def targets_named(bot: MarqueeBot, guild_id: int, text: str) -> tuple[str, ...]:
    """ "all" → (); otherwise each comma-separated name is a server event or a film."""
    if text.strip().casefold() in ("", "all"):
        return ()
    announcer = bot.services.announcer
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
            keys.append("film:" + bot.services.lookup.film_key(name))
    if len(keys) > 25:
        raise UserFacingError("Choose at most {count} targets, or “all”.", count=25)
    return tuple(dict.fromkeys(keys))


async def describe(t: Speech, announcer: Announcer, guild_id: int) -> str:
    """The server's announcement settings in words (`t`'s language), with when the next post goes out."""
    settings = await announcer.announcement_settings(guild_id)
    if settings is None:
        return t("Release announcements are off. Turn them on with `/settings announcements set`.")
    titles = await announcer.titles(guild_id)
    # Up to 25 targets, each named by a member: the whole answer must stay inside one message.
    names = [quote(titles.get(key, key), TARGET_NAME) for key in settings.targets]
    chosen = fit_lines(names, TARGETS_TEXT, separator=", ") or t("every upcoming release and event")
    yes, no = t.context("setting value", "yes"), t.context("setting value", "no")
    lines = [
        t("• Channel: {channel}", channel=channel_mention(settings.channel_id)),
        t("• Time: {time} ({timezone})", time=settings.post_time, timezone=settings.timezone),
        t("• Release dates of: {country}", country=country_in(settings.region, t)),
        t("• Posts: {milestones}", milestones=parse_milestones(settings.milestones).describe(t)),
        t("• Ping: {role}", role=role_mention(settings.role_id) if settings.role_id else t("nobody")),
        t("• Targets: {targets}", targets=chosen),
        t("• Anniversaries: {answer}", answer=yes if settings.anniversaries else no),
        t("• Discord events: {answer}", answer=t("mirrored") if settings.mirror_events else no),
    ]
    upcoming = await announcer.upcoming(guild_id, 1)
    if upcoming:
        lines.append(t("Next post {when}.", when=discord_timestamp(upcoming[0].due_at, "R")))
    return "\n".join(lines)
