"""`/preferences`: each member's own timezone, region and quiet hours (for their reminders and lookups).

A top-level command of its own: Discord applies default permissions per top-level command, and
`/settings` is for admins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError
from bot.localtime import search_timezones, valid_timezone
from bot.options import not_a_country, not_a_timezone
from bot.regions import country_name, search_regions, valid_region
from bot.replies import send_ephemeral
from cogs.reminders.engine import ReminderEngine
from cogs.reminders.timing import parse_quiet_hours
from db import UserSettingsRepository

if TYPE_CHECKING:
    from bot.client import MarqueeBot


class Preferences(commands.GroupCog, group_name="preferences", group_description="Your own Marquee preferences."):
    """Per-member preferences: timezone, region, quiet hours."""

    def __init__(self, bot: MarqueeBot, reminders: ReminderEngine) -> None:
        self.bot = bot
        self.reminders = reminders
        super().__init__()

    @property
    def repository(self) -> UserSettingsRepository:
        return UserSettingsRepository(self.bot.database, self.bot.clock.now)

    async def replan(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Reminders follow the member's new preferences at once, and their DMs the language they use now."""
        user_id = interaction.user.id
        await self.reminders.remember_locale(user_id, str(interaction.locale))
        await self.reminders.replan_user(user_id)

    @app_commands.command(name="timezone")
    @app_commands.describe(timezone="Your IANA timezone, e.g. Europe/Paris (leave out to see the current one)")
    async def timezone(self, interaction: discord.Interaction[MarqueeBot], timezone: str | None = None) -> None:
        """Your timezone, for the times of your reminders."""
        t = self.bot.languages.for_member(interaction)
        user_id = interaction.user.id
        if timezone is None:
            current = await self.repository.get(user_id)
            if current and current.timezone:
                shown = t("Your timezone: {timezone}.", timezone=current.timezone)
            else:
                shown = t(
                    "Your timezone: not set (using {default} or the server's).",
                    default=self.bot.settings.defaults.timezone,
                )
            await send_ephemeral(interaction, shown)
            return
        try:
            name = valid_timezone(timezone)
        except ValueError:
            raise not_a_timezone(timezone) from None
        await self.repository.set_timezone(user_id, name)
        await self.replan(interaction)
        await send_ephemeral(interaction, t("Your timezone is now {timezone}.", timezone=name))

    @app_commands.command(name="region")
    @app_commands.describe(region="The country whose release dates you follow (leave out to see the current one)")
    async def region(self, interaction: discord.Interaction[MarqueeBot], region: str | None = None) -> None:
        """Your region, for release dates."""
        t = self.bot.languages.for_member(interaction)
        user_id = interaction.user.id
        if region is None:
            current = await self.repository.get(user_id)
            if current and current.region:
                shown = t("Your region: {country}.", country=country_name(current.region, t))
            else:
                shown = t("Your region: not set (your Discord language's country, else the server's).")
            await send_ephemeral(interaction, shown)
            return
        try:
            code = valid_region(region, t)
        except ValueError:
            raise not_a_country(region) from None
        await self.repository.set_region(user_id, code)
        self.bot.services.member_region_changed(user_id)
        await self.replan(interaction)
        await send_ephemeral(
            interaction,
            t("Your region is now {country}: release dates there count for you.", country=country_name(code, t)),
        )

    @app_commands.command(name="quiet-hours")
    @app_commands.describe(
        start="When quiet hours begin, HH:MM (e.g. 22:00)",
        end="When they end, HH:MM (e.g. 07:00)",
        off="Turn quiet hours off",
    )
    async def quiet_hours(
        self,
        interaction: discord.Interaction[MarqueeBot],
        start: str | None = None,
        end: str | None = None,
        off: bool = False,
    ) -> None:
        """Hours in which reminders wait (release-day reminders still come)."""
        t = self.bot.languages.for_member(interaction)
        user_id = interaction.user.id
        if off:
            await self.repository.set_quiet_hours(user_id, None)
            await self.replan(interaction)
            await send_ephemeral(interaction, t("Quiet hours are off."))
            return
        if start is None and end is None:
            window = await self.repository.quiet_hours(user_id)
            if window:
                shown = t("Your quiet hours: {start}–{end}.", start=window[0], end=window[1])
            else:
                shown = t("Your quiet hours: none.")
            await send_ephemeral(interaction, shown)
            return
        if start is None or end is None:
            raise UserFacingError("Give both start and end, e.g. start 22:00 end 07:00.")
        try:
            quiet = parse_quiet_hours(start, end)
        except ValueError as error:
            # parse_quiet_hours's messages are written to be shown verbatim (they echo the input safely).
            raise UserFacingError(str(error)) from None
        window = (quiet.start.strftime("%H:%M"), quiet.end.strftime("%H:%M"))
        await self.repository.set_quiet_hours(user_id, window)
        await self.replan(interaction)
        await send_ephemeral(
            interaction,
            t(
                "Quiet hours: {start}–{end} in your timezone. Reminders due then come at {end}; "
                "release-day reminders are never held back.",
                start=window[0],
                end=window[1],
            ),
        )

    @timezone.autocomplete("timezone")
    async def timezone_choices(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=name, value=name) for name in search_timezones(current)]

    @region.autocomplete("region")
    async def region_choices(
        self, interaction: discord.Interaction[MarqueeBot], current: str
    ) -> list[app_commands.Choice[str]]:
        t = self.bot.languages.for_member(interaction)
        return [app_commands.Choice(name=f"{name} ({code})", value=code) for code, name in search_regions(current, t=t)]


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(Preferences(bot, bot.services.reminders))
