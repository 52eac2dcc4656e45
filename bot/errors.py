"""Errors a user can cause and fix themselves; the command tree shows their message in the member's language."""

from __future__ import annotations

from typing import Any

from discord import app_commands

from bot.i18n import Speech


class UserFacingError(app_commands.AppCommandError):
    """Bad input or a refused request: shown to the member as one short ephemeral line.

    The message must make sense to a member of a Discord server; it is never logged as a fault. It is
    a catalogue message (English, extracted from `UserFacingError("...")`): with `values`, its `{named}`
    placeholders are filled in the member's language; without, it is shown as written when no
    catalogue translates it (an already formatted message, which the later pass of issue 17 turns into
    messages with values).
    """

    def __init__(self, message: str, /, **values: Any) -> None:
        self.template = message
        self.values = values
        self.message = message.format_map(values) if values else message
        super().__init__(self.message)

    def localised(self, speech: Speech) -> str:
        """The message in `speech`'s language."""
        return speech(self.template, **self.values)
