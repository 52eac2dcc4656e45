"""`/countdown` and `/event`: the Discord side of countdowns. The engine does the work."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import MISSING

from bot import options
from bot.components import remind_view
from bot.errors import UserFacingError
from bot.formatting import quote
from bot.i18n import Speech
from bot.localtime import local_day, parse_hhmm, zone
from bot.replies import send_ephemeral
from bot.targets import TargetDates
from bot.views import PagedView
from cogs.countdowns import render
from cogs.countdowns.dates import EventDateError, countdown, event_start
from cogs.countdowns.engine import Announcer
from cogs.films.service import LookupService
from db.names import NAME_LIMIT, clean_name, one_line
from db.repositories.announcements import GuildEvent, TooManyEvents

if TYPE_CHECKING:
    from bot.client import MarqueeBot

log = logging.getLogger(__name__)

DESCRIPTION_LIMIT = 1000
MAX_EVENTS = 100


class Countdowns(commands.Cog):
    """Countdowns to releases and server events; tells the announcer when Marquee leaves or rejoins a server."""

    def __init__(self, bot: MarqueeBot, announcer: Announcer, lookup: LookupService) -> None:
        self.bot = bot
        self.announcer = announcer
        self.lookup = lookup

    @commands.Cog.listener()
    async def on_app_command_completion(self, interaction: discord.Interaction[Any], command: Any) -> None:
        """Tell an admin, once, that announcements were paused by a failure they can fix, or lost their role."""
        if interaction.guild is None or not isinstance(interaction.user, discord.Member):
            return
        if not interaction.user.guild_permissions.manage_guild:
            return
        notice = await self.announcer.take_notice(interaction.guild.id, self.bot.languages.for_member(interaction))
        if notice:
            await send_ephemeral(interaction, notice)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        await self.announcer.server_removed(guild.id)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.announcer.server_back(guild.id)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        # discord.py says "available", not "join", for every server at startup (so for one that added
        # Marquee back while it was offline) and for a GUILD_CREATE marked `unavailable: false`. Either
        # way the bot is in the server; an outage never paused anything, so then this changes nothing.
        await self.announcer.server_back(guild.id)

    async def resolve_target(self, guild_id: int | None, text: str, region: str, tz_name: str) -> TargetDates:
        event = await self.announcer.find_event(guild_id, text) if guild_id is not None else None
        if event is not None:
            return self.announcer.event_target(event, tz_name)
        dates = await self.announcer.target_dates("film:" + self.lookup.film_key(text), region, tz_name)
        if dates is None:
            raise UserFacingError("I have no release date for “{title}” yet.", title=quote(text))
        return dates

    async def public_speech(self, interaction: discord.Interaction[MarqueeBot]) -> Speech:
        """The language of an answer everyone in the channel sees: the server's (the member's in a DM)."""
        if interaction.guild is None:
            return self.bot.languages.for_member(interaction)
        return await self.bot.languages.for_server(interaction.guild.id)

    # ---- /countdown ---------------------------------------------------------------------------------------
    @app_commands.command(name="countdown")
    @app_commands.describe(target="A film or server event (default: whatever opens next)")
    async def countdown_command(self, interaction: discord.Interaction[MarqueeBot], target: str | None = None) -> None:
        """How long until a release or server event: the next one, or the one you pick."""
        guild_id = interaction.guild.id if interaction.guild else None
        region, tz_name = await self.announcer.place(guild_id)
        now = self.bot.clock.now()
        tz = zone(tz_name)
        if target is not None:
            dates = await self.resolve_target(guild_id, target, region, tz_name)
        else:
            today = local_day(now, tz)
            candidates = await self.announcer.all_targets(guild_id, region, tz_name)
            upcoming = sorted((v for v in candidates if v.target.day >= today), key=lambda v: v.target.day)
            if not upcoming:
                raise UserFacingError(
                    "Nothing is coming up. Pick a film to see how long it has been out, or ask an admin to add "
                    "a watch party with `/event add`."
                )
            dates = upcoming[0]
        state = countdown(dates.target, now, tz)
        buttons = remind_view(dates.target.key) if state.state == "upcoming" else MISSING
        t = await self.public_speech(interaction)
        await interaction.response.send_message(embed=render.countdown_embed(t, dates, state), view=buttons)

    @countdown_command.autocomplete("target")
    async def target_choices(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        guild_id = interaction.guild.id if interaction.guild else None
        return (await self.announcer.event_choices(guild_id, current) + self.lookup.film_choices(current))[:25]


@app_commands.guild_only()
@app_commands.default_permissions(manage_events=True)
class Events(commands.GroupCog, group_name="event", group_description="Server events that count down like releases."):
    """Watch parties, re-releases, trailer drops (Manage Events)."""

    def __init__(self, bot: MarqueeBot, announcer: Announcer) -> None:
        self.bot = bot
        self.announcer = announcer
        super().__init__()

    @app_commands.command(name="add")
    @app_commands.describe(
        name="What it is, e.g. “Dead Reckoning watch party”",
        date="The day, as YYYY-MM-DD",
        time="Start time as HH:MM (leave out for an all-day event)",
        timezone="Timezone of the time (default: the server's announcement timezone)",
        description="A line about it, shown in countdowns and announcements",
    )
    async def add(
        self,
        interaction: discord.Interaction[MarqueeBot],
        name: app_commands.Range[str, 1, NAME_LIMIT],
        date: str,
        time: str | None = None,
        timezone: str | None = None,
        description: app_commands.Range[str, 1, DESCRIPTION_LIMIT] | None = None,
    ) -> None:
        """Add a server event to count down to and announce."""
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        # One form per name, so that names which look the same are the same (and one of nothing
        # but invisible characters is refused).
        event_name = clean_name(name)
        if not event_name:
            raise UserFacingError("Give the event a name with something visible in it.")
        day = options.calendar_date(date)
        start_time = options.time_of_day(time) if time is not None else None
        tz_name = options.timezone(timezone) if timezone is not None else None
        _, default_tz = await self.announcer.place(guild_id)
        now = self.bot.clock.now()
        tz = zone(tz_name or default_tz)
        try:
            event_start(day, parse_hhmm(start_time) if start_time else None, tz, now)
        except EventDateError as error:
            # PAST_EVENT or FAR_EVENT: catalogue messages, shown in the member's language.
            raise UserFacingError(str(error)) from None
        try:
            event = await self.announcer.add_event(
                guild_id,
                event_name,
                day,
                start_time=start_time,
                # A start time means a moment: keep the zone it was given in, even if the server's changes later.
                timezone=tz_name or (default_tz if start_time else None),
                description=one_line(description) or None,  # "a line": no bidi tricks or blank lines either
                created_by=interaction.user.id,
                now=now,
                limit=MAX_EVENTS,
            )
        except TooManyEvents:
            raise UserFacingError(
                "This server has {count} events already; remove some with `/event remove`.", count=MAX_EVENTS
            ) from None
        if event is None:
            raise UserFacingError("There is already an event called “{name}”.", name=quote(event_name))
        dates = self.announcer.event_target(event, default_tz)
        # The answer is public: the server's language.
        t = await self.bot.languages.for_server(guild_id)
        await interaction.response.send_message(
            t("Added **{name}**.", name=quote(event.name)),
            embed=render.countdown_embed(t, dates, countdown(dates.target, now, tz)),
        )

    @app_commands.command(name="remove")
    @app_commands.describe(name="The event to remove")
    async def remove(self, interaction: discord.Interaction[MarqueeBot], name: str) -> None:
        """Remove a server event and its scheduled announcements."""
        assert interaction.guild is not None
        event = await self.find(interaction.guild.id, name)
        removed = await self.announcer.remove_event(interaction.guild.id, event.name)
        if removed is None:
            raise UserFacingError("There is no event called “{name}”.", name=quote(name))
        await self.bot.services.server_event_removed(removed.target_key)
        t = self.bot.languages.for_member(interaction)
        await interaction.response.send_message(t("Removed **{name}**.", name=quote(removed.name)), ephemeral=True)

    @app_commands.command(name="list")
    async def list_events(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """List this server's events."""
        assert interaction.guild is not None
        _, tz_name = await self.announcer.place(interaction.guild.id)
        events = await self.announcer.events(interaction.guild.id)
        starts = {}
        for event in events:
            dates = self.announcer.event_target(event, tz_name)
            starts[event.id] = dates.target.starts_at or dates.starts_at or self.bot.clock.now()
        pages = render.events_embeds(self.bot.languages.for_member(interaction), events, starts)
        await PagedView(interaction.user.id, pages).send(interaction, ephemeral=True)

    async def find(self, guild_id: int, text: str) -> GuildEvent:
        event = await self.announcer.find_event(guild_id, text)
        if event is None:
            raise UserFacingError("There is no event called “{name}”. `/event list` shows them.", name=quote(text))
        return event

    @remove.autocomplete("name")
    async def event_choices(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.announcer.event_choices(interaction.guild.id if interaction.guild else None, current)

    @add.autocomplete("timezone")
    async def timezone_choices(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return options.timezone_choices(current)
