"""The command tree: one place that turns every app-command error into one clear answer."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError
from bot.formatting import MESSAGE_CONTENT, quote, truncate
from bot.replies import send_ephemeral

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on our side. It has been logged; please try again in a moment."


def describe_expected_error(error: app_commands.AppCommandError) -> str | None:
    """The one-line answer for an error the member can understand, or None for a fault of ours."""
    if isinstance(error, UserFacingError):
        return error.message
    if isinstance(error, app_commands.TransformerError):
        return f"“{quote(str(error.value))}” is not a valid {error.type.name.lower().replace('_', ' ')}."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.MissingPermissions):
        return f"You need the {_permission_list(error.missing_permissions)} permission to do that."
    if isinstance(error, app_commands.BotMissingPermissions):
        return f"I need the {_permission_list(error.missing_permissions)} permission here to do that."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return "This command has changed since your app loaded it; please try again in a minute."
    if isinstance(error, app_commands.CommandInvokeError) and isinstance(error.original, UserFacingError):
        return error.original.message
    return None


def _permission_list(permissions: list[str]) -> str:
    names = [name.replace("_", " ").replace("guild", "server").title() for name in permissions]
    return " and ".join(names)


class MarqueeTree(app_commands.CommandTree[commands.Bot]):
    """Every error ends as exactly one ephemeral message; faults are logged with a traceback."""

    async def on_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError, /) -> None:
        await report_error(interaction, error)


async def report_error(interaction: discord.Interaction[Any], error: Exception) -> None:
    """Answer `interaction` for `error`; shared by the tree and by components (buttons, menus, forms).

    Never raises: this is the last place an error can be answered. A component has no command, so
    an error from one is never wrapped as a command's (`CommandInvokeError` needs the command).
    """
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    message = describe_expected_error(original) if isinstance(original, app_commands.AppCommandError) else None
    if message is None:
        log.error("unexpected error in %s", _source(interaction), exc_info=original)
        message = APOLOGY
    try:
        # Every echo inside is quoted; the cut only guards against a message nobody would see at all.
        await send_ephemeral(interaction, truncate(message, MESSAGE_CONTENT))
    except Exception:
        log.warning("could not tell the member about an error in interaction %s", interaction.id, exc_info=True)


def _source(interaction: discord.Interaction[Any]) -> str:
    """What the member used, for the log: "/film info", or a component's custom id."""
    command = interaction.command
    if command is not None:
        return "/" + command.qualified_name
    data: dict[str, Any] = dict(interaction.data or {})
    return f"component {data.get('custom_id', '?')!r}"
