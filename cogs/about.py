"""`/about`: what is running and what it knows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.formatting import format_latency
from bot.tmdb import NOTICE as TMDB_NOTICE

if TYPE_CHECKING:
    from bot.client import MarqueeBot


class About(commands.Cog):
    """Facts about this Marquee."""

    def __init__(self, bot: MarqueeBot) -> None:
        self.bot = bot

    @app_commands.command(name="about")
    async def about(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Version, what is loaded, uptime and latency of this Marquee."""
        counts = await self.bot.catalogue.counts()
        # A public answer: in the server's language (the member's own in a DM).
        if interaction.guild is not None:
            t = await self.bot.languages.for_server(interaction.guild.id)
        else:
            t = self.bot.languages.for_member(interaction)
        embed = discord.Embed(
            title="Marquee",
            description=t("Film lookups, trivia, release countdowns and reminders for fan communities."),
            colour=discord.Colour.dark_gold(),
        )
        embed.add_field(name=t("Version"), value=self.bot.version)
        embed.add_field(name=t("Films"), value=t.number(counts.films))
        embed.add_field(name=t("People"), value=t.number(counts.people))
        embed.add_field(name=t("Trivia questions"), value=t.number(counts.questions))
        embed.add_field(name=t("Uptime"), value=t.duration(self.bot.clock.now() - self.bot.started_at))
        embed.add_field(name=t("Gateway latency"), value=format_latency(self.bot.latency))
        # Always: any pack may come from TMDB (`pack import tmdb`), and its terms ask for the notice.
        embed.set_footer(text=TMDB_NOTICE)
        await interaction.response.send_message(embed=embed)


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(About(bot))
