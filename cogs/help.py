"""`/help`: every command with its description, grouped by feature."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.formatting import EMBED_DESCRIPTION, FIELD_VALUE, add_fields_within_limits, chunk_lines, truncate
from bot.views import PagedView

if TYPE_CHECKING:
    from bot.client import MarqueeBot


def command_lines(tree: app_commands.CommandTree[MarqueeBot]) -> dict[str, list[str]]:
    """Leaf commands as "`/path` — description", grouped by the cog that defines them."""
    groups: dict[str, list[str]] = {}
    for command in tree.walk_commands():
        if isinstance(command, app_commands.Group):
            continue
        cog = command.binding.qualified_name if isinstance(command.binding, commands.Cog) else "General"
        groups.setdefault(cog, []).append(f"`/{command.qualified_name}` — {command.description}")
    return {cog: sorted(lines) for cog, lines in sorted(groups.items())}


def help_pages(groups: dict[str, list[str]]) -> list[discord.Embed]:
    """The command lines as embeds: one field per feature (continued when long), and more commands
    than one embed holds on further pages, never dropped."""
    fields = [
        (cog if index == 0 else f"{cog} (continued)", block)
        for cog, lines in groups.items()
        for index, block in enumerate(chunk_lines(lines, FIELD_VALUE))
    ]
    pages: list[discord.Embed] = []
    while fields or not pages:
        embed = discord.Embed(
            title="Marquee commands",
            description=truncate("Type `/` and pick a command; options show as you type.", EMBED_DESCRIPTION),
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
        pages = help_pages(command_lines(self.bot.tree))
        await PagedView(interaction.user.id, pages).send(interaction, ephemeral=True)


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(Help(bot))
