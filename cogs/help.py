"""`/help`: every command with its description, grouped by feature."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.formatting import EMBED_DESCRIPTION, FIELD_VALUE, add_fields_within_limits, chunk_lines, truncate
from bot.i18n import N_, Speech
from bot.translator import english
from bot.views import PagedView

if TYPE_CHECKING:
    from bot.client import MarqueeBot


FEATURES: dict[str, str] = {
    "About": N_("About"),
    "Countdowns": N_("Countdowns"),
    "Events": N_("Events"),
    "Films": N_("Films"),
    "General": N_("General"),
    "Help": N_("Help"),
    "People": N_("People"),
    "Preferences": N_("Preferences"),
    "Privacy": N_("Privacy"),
    "Reminders": N_("Reminders"),
    "ServerData": N_("Server data"),
    "Settings": N_("Settings"),
    "Trivia": N_("Trivia"),
}
"""Each cog's heading; a cog not listed is headed by its class name until it is."""


def command_path(command: app_commands.Command[Any, ..., Any], t: Speech) -> str:
    """A command's path as the member's Discord client shows it: each name in their language."""
    names = [t.context("command name", command.name)]
    parent = command.parent
    while parent is not None:
        names.append(t.context("group name", parent.name))
        parent = parent.parent
    return "/" + " ".join(reversed(names))


def command_lines(tree: app_commands.CommandTree[MarqueeBot], t: Speech | None = None) -> dict[str, list[str]]:
    """Leaf commands as "`/path` — description" in `t`'s language (default English), grouped by the
    feature (cog) that defines them."""
    t = t or english()
    groups: dict[str, list[str]] = {}
    for command in tree.walk_commands():
        if isinstance(command, app_commands.Group):
            continue
        cog = command.binding.qualified_name if isinstance(command.binding, commands.Cog) else "General"
        description = t.context("command description", command.description)
        groups.setdefault(t(FEATURES.get(cog, cog)), []).append(f"`{command_path(command, t)}` — {description}")
    return {cog: sorted(lines) for cog, lines in sorted(groups.items())}


def help_pages(groups: dict[str, list[str]], t: Speech | None = None) -> list[discord.Embed]:
    """The command lines as embeds: one field per feature (continued when long), and more commands
    than one embed holds on further pages, never dropped."""
    t = t or english()
    fields = [
        (cog if index == 0 else t("{feature} (continued)", feature=cog), block)
        for cog, lines in groups.items()
        for index, block in enumerate(chunk_lines(lines, FIELD_VALUE))
    ]
    pages: list[discord.Embed] = []
    while fields or not pages:
        embed = discord.Embed(
            title=t("Marquee commands"),
            description=truncate(t("Type `/` and pick a command; options show as you type."), EMBED_DESCRIPTION),
            colour=discord.Colour.dark_gold(),
        )
        fitting = 0
        while fitting < len(fields) and not add_fields_within_limits(embed, fields[fitting : fitting + 1]):
            fitting += 1
        pages.append(embed)
        fields = fields[max(fitting, 1) :]  # (one field always fits an empty embed)
    return pages


class Help(commands.Cog):
    """How to use Marquee."""

    def __init__(self, bot: MarqueeBot) -> None:
        self.bot = bot

    @app_commands.command(name="help")
    async def help(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Every Marquee command and what it does."""
        t = self.bot.languages.for_member(interaction)
        pages = help_pages(command_lines(self.bot.tree, t), t)
        await PagedView(interaction.user.id, pages).send(interaction, ephemeral=True)


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(Help(bot))
