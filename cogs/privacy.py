"""`/privacy`: what Marquee stores about you, and deleting it."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.replies import send_ephemeral
from bot.views import cog_of, reports_errors
from db.repositories.privacy import PrivacyRepository

if TYPE_CHECKING:
    from bot.client import MarqueeBot

# A confirmation older than this asks again: what "everything" means may have changed meanwhile.
CONFIRM_WINDOW = dt.timedelta(minutes=15)
WARNING = (
    "This deletes your reminders, preferences, trivia answers and scores, and removes your name from "
    "games and events you started. It cannot be undone."
)
NOT_YOURS = "Only the member who asked can answer this."
EXPIRED = "This confirmation has expired; nothing was deleted. Run `/privacy delete` again."


def privacy_cog(interaction: discord.Interaction[Any]) -> Privacy:
    return cog_of(interaction, "Privacy", Privacy)


class ConfirmButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"privacy:(?P<action>erase|keep):(?P<user>[0-9]{1,20}):(?P<issued>[0-9]{1,12})",
):
    """Under the warning: delete everything, or keep it. A dynamic item, so it still answers after a restart;
    the custom id names who asked and when, and only they can press it, for a while."""

    def __init__(self, action: str, user_id: int, issued: int) -> None:
        erase = action == "erase"
        super().__init__(
            discord.ui.Button(
                label="Delete everything" if erase else "Keep my data",
                style=discord.ButtonStyle.danger if erase else discord.ButtonStyle.secondary,
                custom_id=f"privacy:{action}:{user_id}:{issued}",
            )
        )
        self.action = action
        self.user_id = user_id
        self.issued = issued

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ConfirmButton:
        return cls(match["action"], int(match["user"]), int(match["issued"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await privacy_cog(interaction).confirmed(interaction, self.action, self.user_id, self.issued)


def confirm_view(user_id: int, issued: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ConfirmButton("erase", user_id, issued))
    view.add_item(ConfirmButton("keep", user_id, issued))
    return view


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
        issued = int(self.bot.clock.now().timestamp())
        await send_ephemeral(interaction, WARNING, view=confirm_view(interaction.user.id, issued))

    async def confirmed(self, interaction: discord.Interaction[Any], action: str, user_id: int, issued: int) -> None:
        """A press on the confirmation: only its member's, and only while it is fresh, deletes anything."""
        if interaction.user.id != user_id:
            await send_ephemeral(interaction, NOT_YOURS)
            return
        now = self.bot.clock.now()
        if action == "keep":
            content = "Nothing was deleted."
        elif not 0 <= now.timestamp() - issued <= CONFIRM_WINDOW.total_seconds():
            content = EXPIRED
        else:
            count = await self.erase(user_id)
            content = f"Done: {count} record{'s' if count != 1 else ''} about you were deleted or anonymised."
        await interaction.response.edit_message(content=content, view=None)

    async def erase(self, user_id: int) -> int:
        count = await self.repository.erase(user_id, self.bot.clock.now())
        self.bot.services.member_data_erased(user_id)
        return count


async def setup(bot: MarqueeBot) -> None:
    bot.add_dynamic_items(ConfirmButton)
    await bot.add_cog(Privacy(bot))
