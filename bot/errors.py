"""Errors a user can cause and fix themselves; the command tree shows their message as-is."""

from __future__ import annotations

from discord import app_commands


class UserFacingError(app_commands.AppCommandError):
    """Bad input or a refused request: shown to the member as one short ephemeral line.

    The message must make sense to a member of a Discord server; it is never logged as a fault.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
