"""`/settings`: what server admins configure (Manage Server). Each feature brings its own group."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from bot import options
from bot.errors import UserFacingError
from bot.i18n import SHIPPED_LANGUAGES, Speech, native_name
from bot.regions import country_name
from bot.translator import FIXED
from cogs.countdowns.settings import AnnouncementSettingsCommands
from cogs.trivia.settings import TriviaSettings
from db import GuildSettingsRepository

if TYPE_CHECKING:
    from bot.client import MarqueeBot

FOLLOW_DISCORD = "discord"
"""The `/settings language set` choice that forgets the chosen language: the server's Discord language again."""
LANGUAGE_CHOICES = [
    # Each language in its own name, untranslated: a member finds theirs whatever their client's language.
    *(
        app_commands.Choice(name=locale_str(native_name(code), **{FIXED: True}), value=code)
        for code in SHIPPED_LANGUAGES
    ),
    app_commands.Choice(name="The server's Discord language", value=FOLLOW_DISCORD),
]


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Settings(commands.GroupCog, group_name="settings", group_description="Server settings for Marquee."):
    """Server settings (Manage Server)."""

    trivia = TriviaSettings()  # the trivia feature's own settings commands
    announcements = AnnouncementSettingsCommands()  # the countdowns feature's own settings commands
    server = app_commands.Group(name="server", description="The server's timezone and region.")
    language = app_commands.Group(name="language", description="The language of Marquee's public posts here.")

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
        await interaction.response.send_message(await self.describe_server(interaction), ephemeral=True)

    @server.command(name="show")
    async def server_show(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Show the server's timezone, region and language."""
        assert interaction.guild is not None
        await interaction.response.send_message(await self.describe_server(interaction), ephemeral=True)

    # ---- the server's language -----------------------------------------------------------------------------
    @language.command(name="set")
    @app_commands.describe(language="The language of announcements, trivia and the daily question")
    @app_commands.choices(language=LANGUAGE_CHOICES)
    async def language_set(self, interaction: discord.Interaction[MarqueeBot], language: str) -> None:
        """Choose the language Marquee posts in here (default: the server's Discord language)."""
        assert interaction.guild is not None  # guild_only
        chosen = None if language == FOLLOW_DISCORD else language
        if chosen is not None and chosen not in SHIPPED_LANGUAGES:
            raise UserFacingError("Marquee does not speak that language yet.")
        await GuildSettingsRepository(self.bot.database, self.bot.clock.now).set_language(interaction.guild.id, chosen)
        self.bot.languages.forget(interaction.guild.id)
        await interaction.response.send_message(await self.describe_language(interaction), ephemeral=True)

    @language.command(name="show")
    async def language_show(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Show the language of Marquee's public posts here."""
        assert interaction.guild is not None
        await interaction.response.send_message(await self.describe_language(interaction), ephemeral=True)

    async def describe_language(self, interaction: discord.Interaction[MarqueeBot]) -> str:
        """The server's language in a sentence, in the member's language."""
        t = self.bot.languages.for_member(interaction)
        return t(
            "Public posts here (announcements, trivia, the daily question): {language}.",
            language=self.language_line(interaction, await self.bot.languages.chosen(interaction.guild_id or 0), t),
        )

    def language_line(self, interaction: discord.Interaction[MarqueeBot], chosen: str | None, t: Speech) -> str:
        """The language public posts use here, and why, named in `t`'s language."""
        if chosen is not None:
            return t.language_name(chosen)
        serving = self.bot.catalogues.language_for(str(interaction.guild_locale))
        return t("{language} (the server's Discord language)", language=t.language_name(serving))

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

    async def describe_server(self, interaction: discord.Interaction[MarqueeBot]) -> str:
        """The server's timezone, region and language, in the member's language."""
        assert interaction.guild is not None
        t = self.bot.languages.for_member(interaction)
        repository = GuildSettingsRepository(self.bot.database, self.bot.clock.now)
        place = await repository.get(interaction.guild.id)
        defaults = self.bot.settings.defaults
        timezone = (
            place.timezone
            if place and place.timezone
            else t("{timezone} (the bot's default)", timezone=defaults.timezone)
        )
        region = (
            f"{country_name(place.region)} ({place.region})"
            if place and place.region
            else t("{country} ({code}, the bot's default)", country=country_name(defaults.region), code=defaults.region)
        )
        language = self.language_line(interaction, await repository.language(interaction.guild.id), t)
        return t(
            "This server:\n• Timezone: {timezone}\n• Region: {region}\n• Language: {language}\n"
            "Members' own `/preferences` win over these; "
            "announcements keep the timezone and region they were set with.",
            timezone=timezone,
            region=region,
            language=language,
        )


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(Settings(bot))
