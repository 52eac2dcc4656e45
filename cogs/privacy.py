"""`/privacy`: what Marquee stores about you, and deleting it."""

from __future__ import annotations

import io
import json
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import MarqueeBot
from bot.replies import send_ephemeral
from bot.views import MarqueeView
from db.repositories.privacy import PrivacyRepository

CONFIRM_TIMEOUT = 120.0


class ConfirmErase(MarqueeView):
    """Two buttons under the warning; only the member who asked can press them."""

    def __init__(self, cog: Privacy, user_id: int) -> None:
        super().__init__(timeout=CONFIRM_TIMEOUT)
        self.cog = cog
        self.user_id = user_id

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        return interaction.user.id == self.user_id

    @discord.ui.button(label="Delete everything", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction[Any], button: discord.ui.Button[ConfirmErase]) -> None:
        self.stop()
        count = await self.cog.erase(self.user_id)
        await interaction.response.edit_message(
            content=f"Done: {count} record{'s' if count != 1 else ''} about you were deleted or anonymised.",
            view=None,
        )

    @discord.ui.button(label="Keep my data", style=discord.ButtonStyle.secondary)
    async def keep(self, interaction: discord.Interaction[Any], button: discord.ui.Button[ConfirmErase]) -> None:
        self.stop()
        await interaction.response.edit_message(content="Nothing was deleted.", view=None)


class Privacy(commands.GroupCog, group_name="privacy", group_description="What Marquee stores about you."):
    """See or delete your data."""

    def __init__(self, bot: MarqueeBot) -> None:
        self.bot = bot
        self.repository = PrivacyRepository(bot.database)
        super().__init__()

    @app_commands.command(name="show")
    async def show(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Everything Marquee stores about you, as a JSON file only you see."""
        data = await self.repository.export(interaction.user.id)
        count = sum(len(rows) for rows in data.values())
        document = {"user_id": interaction.user.id, "exported_at": self.bot.clock.now().isoformat(), "tables": data}
        payload = json.dumps(document, indent=2, sort_keys=True, default=str).encode()
        file = discord.File(io.BytesIO(payload), filename=f"marquee-data-{interaction.user.id}.json")
        await interaction.response.send_message(
            f"Marquee stores {count} record{'s' if count != 1 else ''} about you; here they all are.",
            file=file,
            ephemeral=True,
        )

    @app_commands.command(name="delete")
    async def delete(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Delete everything Marquee stores about you (asks first)."""
        await send_ephemeral(
            interaction,
            "This deletes your reminders, preferences, trivia answers and scores, and removes your name from "
            "games and events you started. It cannot be undone.",
            view=ConfirmErase(self, interaction.user.id),
        )

    async def erase(self, user_id: int) -> int:
        count = await self.repository.erase(user_id)
        self.bot.dispatch("member_data_erased", user_id)
        return count


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(Privacy(bot))
