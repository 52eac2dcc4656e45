"""Marquee's catalogues on Discord: command names and descriptions translated at sync, and which language
speaks to whom (the member's own for what only they see, the server's for public posts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation, TranslationContextTypes, locale_str

from bot.i18n import SOURCE_LANGUAGE, Catalogues, Speech
from db import Database, GuildSettingsRepository

CONTEXTS: dict[TranslationContextLocation, str] = {
    TranslationContextLocation.command_name: "command name",
    TranslationContextLocation.command_description: "command description",
    TranslationContextLocation.group_name: "group name",
    TranslationContextLocation.group_description: "group description",
    TranslationContextLocation.parameter_name: "parameter name",
    TranslationContextLocation.parameter_description: "parameter description",
    TranslationContextLocation.choice_name: "choice name",
    TranslationContextLocation.other: "other",
}
"""The msgctxt of each place a command string is shown: "set" the command and "set" elsewhere may differ."""

NAME_CONTEXTS = frozenset({"command name", "group name", "parameter name"})
"""Contexts whose translations are names, which Discord wants lowercase, 1-32 letters, digits, - or _."""

FIXED = "fixed"
"""A `locale_str` extra: this string is never translated (a language's own name in the language menu)."""


class MarqueeTranslator(app_commands.Translator):
    """Translates the command tree from the catalogues: a locale gets a translation only from the catalogue
    made for it or its language (es-419 gets Spanish); English locales keep the names as written."""

    def __init__(self, catalogues: Catalogues) -> None:
        self.catalogues = catalogues

    async def translate(
        self, string: locale_str, locale: discord.Locale, context: TranslationContextTypes
    ) -> str | None:
        if string.extras.get(FIXED):
            return None
        language = self.catalogues.serving(locale.value)
        if language is None or language == SOURCE_LANGUAGE:
            return None
        return self.catalogues.speech(language).lookup(CONTEXTS[context.location], string.message)


class RecordingTranslator(app_commands.Translator):
    """Translates nothing and notes every command string asked for, with its context: how the catalogue
    template learns the tree's strings (`bot.i18n_extract`)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], set[str]] = {}

    async def translate(
        self, string: locale_str, locale: discord.Locale, context: TranslationContextTypes
    ) -> str | None:
        if not string.extras.get(FIXED):
            self.seen.setdefault((CONTEXTS[context.location], string.message), set()).add(_where(context.data))
        return None


def _where(data: Any) -> str:
    """Which command a string belongs to, for the template's comments ("/remind list")."""
    for candidate in (data, getattr(data, "command", None)):
        name = getattr(candidate, "qualified_name", None)
        if isinstance(name, str):
            return "/" + name
    return ""


class Languages:
    """Which catalogue speaks: the member's Discord language for what only they see (ephemeral answers,
    DMs), the server's chosen language (else its Discord language) for what everyone sees."""

    def __init__(
        self,
        catalogues: Catalogues,
        database: Database,
        clock: Callable[[], dt.datetime],
        preferred_locale: Callable[[int], str | None],
    ) -> None:
        """`preferred_locale(guild_id)`: the server's Discord language as the gateway last told it."""
        self.catalogues = catalogues
        self._settings = GuildSettingsRepository(database, clock)
        self._preferred_locale = preferred_locale
        # Every public post asks for its server's choice: remembered per server (a few bytes each), and
        # forgotten when `/settings language set` changes it (`forget`).
        self._chosen: dict[int, str | None] = {}

    def for_member(self, interaction: discord.Interaction[Any]) -> Speech:
        """The speech for an answer only the member sees."""
        return self.catalogues.speech(str(interaction.locale))

    def for_locale(self, code: str | None) -> Speech:
        """The speech for a Discord locale (or catalogue name)."""
        return self.catalogues.speech(code)

    async def chosen(self, guild_id: int) -> str | None:
        """The language the server's admins chose (`/settings language set`), or None."""
        if guild_id not in self._chosen:
            self._chosen[guild_id] = await self._settings.language(guild_id)
        return self._chosen[guild_id]

    def forget(self, guild_id: int) -> None:
        """The server's choice changed: read it again at the next post."""
        self._chosen.pop(guild_id, None)

    async def for_server(self, guild_id: int | None) -> Speech:
        """The speech for a public post in a server: its chosen language, else its Discord language."""
        if guild_id is None:
            return self.catalogues.speech(None)
        chosen = await self.chosen(guild_id)
        return self.catalogues.speech(chosen or self._preferred_locale(guild_id))


def english() -> Speech:
    """English, for a client that holds no catalogues (a test bot): the messages as written."""
    return Catalogues(()).speech(None)


def member_speech(interaction: discord.Interaction[Any]) -> Speech:
    """The member's speech from whatever bot received `interaction`: the tree and components reach it so."""
    languages = getattr(interaction.client, "languages", None)
    return languages.for_member(interaction) if isinstance(languages, Languages) else english()
