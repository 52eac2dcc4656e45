"""`/about`: what is running and what it knows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.formatting import format_duration, format_latency
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
        embed = discord.Embed(
            title="Marquee",
            description="Film lookups, trivia, release countdowns and reminders for fan communities.",
            colour=discord.Colour.dark_gold(),
        )
        embed.add_field(name="Version", value=self.bot.version)
        embed.add_field(name="Films", value=str(counts.films))
        embed.add_field(name="People", value=str(counts.people))
        embed.add_field(name="Trivia questions", value=str(counts.questions))
        embed.add_field(name="Uptime", value=format_duration(self.bot.clock.now() - self.bot.started_at))
        embed.add_field(name="Gateway latency", value=format_latency(self.bot.latency))
        # Always: any pack may come from TMDB (`pack import tmdb`), and its terms ask for the notice.
        embed.set_footer(text=TMDB_NOTICE)
        await interaction.response.send_message(embed=embed)


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(About(bot))
