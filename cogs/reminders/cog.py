"""`/remind`: opt-in DM reminders for releases and server events. The engine plans and delivers."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError
from bot.formatting import BUTTON_LABEL, EMBED_DESCRIPTION, chunk_lines, discord_timestamp, quote, truncate
from bot.i18n import N_
from bot.localtime import local_day, zone
from bot.regions import member_region
from bot.replies import send_ephemeral
from bot.targets import parse_target_key
from bot.views import PagedView
from cogs.films.service import LookupService
from cogs.reminders import render
from cogs.reminders.engine import ReminderEngine
from cogs.reminders.timing import PRESETS, offsets_text, parse_offsets
from cogs.reminders.views import RETRY_LABEL, CancelButton, RetryButton
from db.repositories.reminders import TooManyReminders

if TYPE_CHECKING:
    from bot.client import MarqueeBot

log = logging.getLogger(__name__)

DEFAULT_WHEN = "default"
NO_SUCH_TARGET = N_("This server has no such event, and no film goes by that key.")
BUTTONS_PER_LIST = 25
# A line of /remind list: a title cut to this and the next few DM times keep 25 reminders on one page.
LIST_TITLE = 60
LIST_TIMES = 3


def when_choices(current: str) -> list[app_commands.Choice[str]]:
    typed = current.strip().casefold()
    choices = [
        app_commands.Choice(name=f"{name}: {text}", value=name)
        for name, text in PRESETS.items()
        if not typed or name.startswith(typed)
    ]
    if typed and not choices:
        choices.append(app_commands.Choice(name=truncate(current, 100), value=truncate(current, 100)))
    return choices


class Reminders(commands.GroupCog, group_name="remind", group_description="DM reminders for releases and events."):
    """Reminders by DM, only for members who ask."""

    def __init__(self, bot: MarqueeBot, engine: ReminderEngine, lookup: LookupService) -> None:
        self.bot = bot
        self.engine = engine
        self.lookup = lookup
        super().__init__()

    @commands.Cog.listener()
    async def on_app_command_completion(self, interaction: discord.Interaction[Any], command: Any) -> None:
        """Tell a member, once, that their reminder DMs cannot be delivered, and how to fix it."""
        reason = await self.engine.take_notice(interaction.user.id)
        if reason:
            t = self.bot.languages.for_member(interaction)
            view = discord.ui.View(timeout=None)
            view.add_item(RetryButton(t(RETRY_LABEL)))
            await send_ephemeral(
                interaction,
                t(
                    "⚠️ I couldn't send you a reminder: {reason}. Your reminders are on hold. Allow direct messages "
                    "from this server's members (Privacy Settings), then press the button.",
                    # the reason is stored as the English catalogue message (`engine.UNREACHABLE`)
                    reason=t(reason),
                ),
                view=view,
            )

    # ---- subscribing --------------------------------------------------------------------------------------
    async def fallbacks(self, interaction: discord.Interaction[Any]) -> tuple[str, str]:
        """(region, timezone) for a new subscription: the member's choices, their language, the server's."""
        member = await self.engine.member_place(interaction.user.id)
        guild_region, guild_timezone = await self.engine.server_place(
            interaction.guild.id if interaction.guild else None
        )
        region = member_region(
            member.region, str(interaction.locale), guild_region, default=self.bot.settings.defaults.region
        )
        return region, member.timezone or guild_timezone

    async def subscribe(self, interaction: discord.Interaction[Any], target_key: str, when: str | None) -> None:
        began = self.bot.clock.now()
        t = self.bot.languages.for_member(interaction)
        try:
            offsets = offsets_text(parse_offsets(when or DEFAULT_WHEN))
        except ValueError as error:
            # parse_offsets's messages are written to be shown verbatim (they echo the input safely).
            raise UserFacingError(str(error)) from None
        key = parse_target_key(target_key)
        guild_id = interaction.guild.id if interaction.guild else None
        if key is None or (key.startswith("event:") and guild_id is None):
            raise UserFacingError(NO_SUCH_TARGET)
        region, timezone = await self.fallbacks(interaction)
        # An event is looked for only among the server's own: a key naming another server's is nothing here.
        dates = await self.engine.target_dates(key, region, timezone, guild_id=guild_id)
        if dates is None:
            if key.startswith("event:"):
                raise UserFacingError(NO_SUCH_TARGET)
            raise UserFacingError("I have no date for that yet, so there is nothing to remind you of.")
        now = self.bot.clock.now()
        if dates.target.day < local_day(now, zone(timezone)):
            raise UserFacingError(
                "**{title}** is already out; there is nothing to remind you of.", title=quote(dates.target.title)
            )
        try:
            subscribed = await self.engine.subscribe(
                interaction.user.id, guild_id, key, offsets, now, region=region, timezone=timezone, since=began
            )
        except TooManyReminders as error:
            raise UserFacingError(
                "You already follow {limit} films and events, the most Marquee keeps for one member. "
                "Cancel one with `/remind cancel` first.",
                limit=error.limit,
            ) from None
        if subscribed is None:
            raise UserFacingError("Your data was deleted while this was being set up, so no reminder was kept.")
        subscription, new = subscribed
        # Reminder DMs come with no interaction at hand: they speak the language the member uses now.
        await self.engine.remember_locale(interaction.user.id, str(interaction.locale), since=began)
        reminders = await self.engine.plan(subscription)
        await send_ephemeral(
            interaction, render.subscribed_text(t, dates.target.title, [r.due_at for r in reminders], new=new)
        )
        await self.engine.open_dm_channel(interaction.user.id, since=began)

    @app_commands.command(name="film")
    @app_commands.describe(
        title="The film",
        when="When to remind you, e.g. “7d, 1d, release” (default: 1d, release)",
    )
    async def film(self, interaction: discord.Interaction[MarqueeBot], title: str, when: str | None = None) -> None:
        """Get a DM before a film opens in your region."""
        await self.subscribe(interaction, "film:" + self.lookup.film_key(title), when)

    @app_commands.command(name="event")
    @app_commands.describe(name="The server event", when="When to remind you, e.g. “1d, 2h, release”")
    @app_commands.guild_only()
    async def event(self, interaction: discord.Interaction[MarqueeBot], name: str, when: str | None = None) -> None:
        """Get a DM before one of this server's events."""
        assert interaction.guild is not None
        found = await self.engine.find_event(interaction.guild.id, name)
        if found is None:
            raise UserFacingError("This server has no event called “{name}”.", name=quote(name))
        await self.subscribe(interaction, found.target_key, when)

    async def remind_from_button(self, interaction: discord.Interaction[Any], target_key: str) -> None:
        await self.subscribe(interaction, target_key, None)

    # ---- seeing and stopping ------------------------------------------------------------------------------
    async def titles(self, target_keys: list[str]) -> dict[str, str]:
        return await self.engine.titles(target_keys)

    @app_commands.command(name="list")
    async def list_reminders(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Your reminders and when each DM comes, with a button to cancel each."""
        t = self.bot.languages.for_member(interaction)
        subscriptions = await self.engine.subscriptions(interaction.user.id)
        if not subscriptions:
            await send_ephemeral(interaction, t("You have no reminders. Add one with `/remind film`."))
            return
        titles = await self.titles([s.target_key for s in subscriptions])
        upcoming = await self.engine.scheduled(interaction.user.id)
        lines = []
        cancels: list[CancelButton] = []
        for subscription in subscriptions:
            title = titles.get(subscription.target_key, subscription.target_key)
            times = [r.due_at for r in upcoming if r.target_key == subscription.target_key]
            # Discord timestamps show in each member's own language and timezone; only the joining is ours.
            stamps = [discord_timestamp(when, "f") for when in times[:LIST_TIMES]]
            when = t.list(stamps) if stamps else t("nothing left to send")
            lines.append(f"• **{quote(title, LIST_TITLE)}**: {when}")
            cancels.append(
                CancelButton(subscription.target_key, truncate(t("Cancel {title}", title=title), BUTTON_LABEL))
            )
        # A member may follow more than one page holds (`reminders.max_per_member`): pages, never a cut.
        pages = [
            discord.Embed(title=t("Your reminders"), description=block, colour=render.COLOUR)
            for block in chunk_lines(lines, EMBED_DESCRIPTION)
        ]
        if len(pages) == 1:
            view = discord.ui.View(timeout=None)
            for button in cancels[:BUTTONS_PER_LIST]:
                view.add_item(button)
            await interaction.response.send_message(embed=pages[0], view=view, ephemeral=True)
            return
        # No cancel buttons beside the pages: a paged view that ends takes the dynamic items it held
        # out of discord.py's registry, which would silence every Cancel button until a restart.
        for page in pages:
            page.set_footer(text=t("Stop one with /remind cancel."))
        await PagedView(interaction.user.id, pages).send(interaction, ephemeral=True)

    @app_commands.command(name="cancel")
    @app_commands.describe(target="The film or event to stop reminding you about")
    async def cancel(self, interaction: discord.Interaction[MarqueeBot], target: str) -> None:
        """Stop one reminder."""
        await self.cancel_target(interaction, self.subscription_key(target))

    def subscription_key(self, text: str) -> str | None:
        """The target a typed or picked `target` names; None for a key that can name nothing."""
        if text.startswith(("film:", "event:")):
            return parse_target_key(text)
        return "film:" + self.lookup.film_key(text)

    async def cancel_target(self, interaction: discord.Interaction[Any], target_key: str | None) -> None:
        """Stop the member's own reminder about `target_key`.

        The key is resolved within the member's own subscriptions, and a name is shown only for a film,
        an event the member follows, or one of this server's events: never another server's event.
        """
        t = self.bot.languages.for_member(interaction)
        user_id = interaction.user.id
        subscription = None
        if target_key is not None:
            subscription = await self.engine.subscription(user_id, target_key)
        title = await self.title_for(interaction, target_key, followed=subscription is not None)
        stopped = target_key is not None and await self.engine.unsubscribe(user_id, target_key)
        if title is None:
            answer = t("No more reminders about that.") if stopped else t("You had no reminder for that.")
        elif stopped:
            answer = t("No more reminders about **{title}**.", title=quote(title))
        else:
            answer = t("You had no reminder for **{title}**.", title=quote(title))
        await send_ephemeral(interaction, answer)

    async def title_for(
        self, interaction: discord.Interaction[Any], target_key: str | None, *, followed: bool
    ) -> str | None:
        """The name the member may see for a target: None when the caller has no business knowing it."""
        if target_key is None:
            return None
        if followed or target_key.startswith("film:"):
            return (await self.titles([target_key])).get(target_key)
        if interaction.guild is None:
            return None
        event = await self.engine.find_event(interaction.guild.id, target_key)
        return event.name if event is not None else None

    async def cancel_from_button(self, interaction: discord.Interaction[Any], target_key: str) -> None:
        await self.cancel_target(interaction, target_key)

    @app_commands.command(name="stop-all")
    async def stop_all(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Stop every reminder Marquee would send you."""
        t = self.bot.languages.for_member(interaction)
        count = await self.engine.unsubscribe_all(interaction.user.id)
        await send_ephemeral(
            interaction,
            t.plural("Stopped {n} reminder.", "Stopped {n} reminders.", count) if count else t("You had no reminders."),
        )

    async def stop_from_dm(self, interaction: discord.Interaction[Any], batch_id: int | None) -> None:
        # a batch id beyond SQLite's range names nothing; the member's own rows are the only ones looked at
        t = self.bot.languages.for_member(interaction)
        keys = [] if batch_id is None else await self.engine.batch_targets(interaction.user.id, batch_id)
        stopped = [key for key in keys if await self.engine.unsubscribe(interaction.user.id, key)]
        if not stopped:
            await send_ephemeral(interaction, t("These reminders were already stopped."))
            return
        titles = await self.titles(stopped)
        names = t.list(f"**{quote(titles.get(key, key), LIST_TITLE)}**" for key in stopped)
        await send_ephemeral(
            interaction, t("Stopped your reminders about {names}. `/remind list` shows any others.", names=names)
        )

    async def retry_dms(self, interaction: discord.Interaction[Any]) -> None:
        t = self.bot.languages.for_member(interaction)
        if await self.engine.retry_dms(interaction.user.id):
            await self.engine.remember_locale(interaction.user.id, str(interaction.locale))
            await send_ephemeral(interaction, t("Thanks. I'll try your reminders again now."))
        else:
            await send_ephemeral(interaction, t("Your reminders are not on hold."))

    # ---- autocomplete -------------------------------------------------------------------------------------
    @film.autocomplete("title")
    async def film_titles(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return self.lookup.film_choices(current)

    @film.autocomplete("when")
    @event.autocomplete("when")
    async def when_options(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return when_choices(current)

    @event.autocomplete("name")
    async def event_names(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        guild_id = interaction.guild.id if interaction.guild else None
        return await self.engine.event_choices(guild_id, current)

    @cancel.autocomplete("target")
    async def subscribed_targets(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        subscriptions = await self.engine.subscriptions(interaction.user.id)
        titles = await self.titles([s.target_key for s in subscriptions])
        needle = current.casefold().strip()
        return [
            app_commands.Choice(name=truncate(titles.get(s.target_key, s.target_key), 100), value=s.target_key)
            for s in subscriptions
            if needle in titles.get(s.target_key, s.target_key).casefold()
        ][:25]
