"""The command tree: one place that turns every app-command error into one clear answer."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError
from bot.formatting import MESSAGE_CONTENT, quote, truncate
from bot.i18n import N_, Speech
from bot.replies import send_ephemeral
from bot.translator import english, member_speech

log = logging.getLogger(__name__)

APOLOGY = N_("Sorry, something went wrong on our side. It has been logged; please try again in a moment.")


def describe_expected_error(error: app_commands.AppCommandError, t: Speech | None = None) -> str | None:
    """The one-line answer for an error the member can understand (in `t`'s language, default English),
    or None for a fault of ours."""
    t = t or english()
    if isinstance(error, UserFacingError):
        return error.localised(t)
    if isinstance(error, app_commands.TransformerError):
        kind = error.type.name.lower().replace("_", " ")
        return t(
            "“{value}” is not a valid {kind}.", value=quote(str(error.value)), kind=t(OPTION_TYPES.get(kind, kind))
        )
    if isinstance(error, app_commands.CommandOnCooldown):
        seconds = round(error.retry_after)
        return t.plural("Slow down: try again in {n} second.", "Slow down: try again in {n} seconds.", seconds)
    if isinstance(error, app_commands.MissingPermissions):
        return t(
            "You need the {permissions} permission to do that.",
            permissions=_permission_list(error.missing_permissions, t),
        )
    if isinstance(error, app_commands.BotMissingPermissions):
        return t(
            "I need the {permissions} permission here to do that.",
            permissions=_permission_list(error.missing_permissions, t),
        )
    if isinstance(error, app_commands.NoPrivateMessage):
        return t("This command only works in a server.")
    if isinstance(error, app_commands.CheckFailure):
        return t("You can't use this command here.")
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return t("This command has changed since your app loaded it; please try again in a minute.")
    if isinstance(error, app_commands.CommandInvokeError) and isinstance(error.original, UserFacingError):
        return error.original.localised(t)
    return None


def _permission_list(permissions: list[str], t: Speech) -> str:
    names = [
        t(PERMISSION_NAMES.get(name) or name.replace("_", " ").replace("guild", "server").title())
        for name in permissions
    ]
    return t.list(names)


PERMISSION_NAMES: dict[str, str] = {
    "manage_guild": N_("Manage Server"),
    "manage_events": N_("Manage Events"),
    "manage_messages": N_("Manage Messages"),
    "manage_channels": N_("Manage Channels"),
    "manage_roles": N_("Manage Roles"),
    "send_messages": N_("Send Messages"),
    "embed_links": N_("Embed Links"),
    "read_message_history": N_("Read Message History"),
    "view_channel": N_("View Channel"),
    "mention_everyone": N_("Mention Everyone"),
    "add_reactions": N_("Add Reactions"),
    "administrator": N_("Administrator"),
}
"""The permissions Marquee's commands check, as Discord's client names them."""

OPTION_TYPES: dict[str, str] = {
    "string": N_("string"),
    "integer": N_("integer"),
    "number": N_("number"),
    "boolean": N_("boolean"),
    "user": N_("user"),
    "channel": N_("channel"),
    "role": N_("role"),
    "mentionable": N_("mentionable"),
    "attachment": N_("attachment"),
}
"""An option's type in "is not a valid ...", for a value its transformer refused."""


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
    t = member_speech(interaction)
    message = describe_expected_error(original, t) if isinstance(original, app_commands.AppCommandError) else None
    if message is None:
        log.error("unexpected error in %s", _source(interaction), exc_info=original)
        message = t(APOLOGY)
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
