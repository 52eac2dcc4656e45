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

from bot.i18n import N_, Speech
from bot.replies import send_ephemeral
from bot.translator import member_speech
from bot.views import cog_of, reports_errors
from db.repositories.privacy import PrivacyRepository

if TYPE_CHECKING:
    from bot.client import MarqueeBot

# A confirmation older than this asks again: what "everything" means may have changed meanwhile.
CONFIRM_WINDOW = dt.timedelta(minutes=15)
WARNING = N_(
    "This deletes your reminders, preferences, trivia answers and scores, and removes your name from "
    "games and events you started. It cannot be undone."
)
NOT_YOURS = N_("Only the member who asked can answer this.")
EXPIRED = N_("This confirmation has expired; nothing was deleted. Run `/privacy delete` again.")
ERASE_LABEL = N_("Delete everything")
KEEP_LABEL = N_("Keep my data")


def privacy_cog(interaction: discord.Interaction[Any]) -> Privacy:
    return cog_of(interaction, "Privacy", Privacy)


class ConfirmButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"privacy:(?P<action>erase|keep):(?P<user>[0-9]{1,20}):(?P<issued>[0-9]{1,12})",
):
    """Under the warning: delete everything, or keep it. A dynamic item, so it still answers after a restart;
    the custom id names who asked and when, and only they can press it, for a while."""

    def __init__(self, action: str, user_id: int, issued: int, label: str | None = None) -> None:
        erase = action == "erase"
        super().__init__(
            discord.ui.Button(
                label=label or (ERASE_LABEL if erase else KEEP_LABEL),
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
        label = item.label if isinstance(item, discord.ui.Button) and item.label else None
        return cls(match["action"], int(match["user"]), int(match["issued"]), label)

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await privacy_cog(interaction).confirmed(interaction, self.action, self.user_id, self.issued)


def confirm_view(t: Speech, user_id: int, issued: int) -> discord.ui.View:
    """Delete or keep, labelled in the member's language."""
    view = discord.ui.View(timeout=None)
    view.add_item(ConfirmButton("erase", user_id, issued, t(ERASE_LABEL)))
    view.add_item(ConfirmButton("keep", user_id, issued, t(KEEP_LABEL)))
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
        t = self.bot.languages.for_member(interaction)
        data = await self.repository.export(interaction.user.id)
        count = sum(len(rows) for rows in data.values())
        document = {"user_id": interaction.user.id, "exported_at": self.bot.clock.now().isoformat(), "tables": data}
        payload = json.dumps(document, indent=2, sort_keys=True, default=str).encode()
        file = discord.File(io.BytesIO(payload), filename=f"marquee-data-{interaction.user.id}.json")
        await interaction.response.send_message(
            t.plural(
                "Marquee stores {n} record about you; here they all are.",
                "Marquee stores {n} records about you; here they all are.",
                count,
            ),
            file=file,
            ephemeral=True,
        )

    @app_commands.command(name="delete")
    async def delete(self, interaction: discord.Interaction[MarqueeBot]) -> None:
        """Delete everything Marquee stores about you (asks first)."""
        t = self.bot.languages.for_member(interaction)
        issued = int(self.bot.clock.now().timestamp())
        await send_ephemeral(interaction, t(WARNING), view=confirm_view(t, interaction.user.id, issued))

    async def confirmed(self, interaction: discord.Interaction[Any], action: str, user_id: int, issued: int) -> None:
        """A press on the confirmation: only its member's, and only while it is fresh, deletes anything."""
        t = member_speech(interaction)
        if interaction.user.id != user_id:
            await send_ephemeral(interaction, t(NOT_YOURS))
            return
        now = self.bot.clock.now()
        if action == "keep":
            content = t("Nothing was deleted.")
        elif not 0 <= now.timestamp() - issued <= CONFIRM_WINDOW.total_seconds():
            content = t(EXPIRED)
        else:
            count = await self.erase(user_id)
            content = t.plural(
                "Done: {n} record about you were deleted or anonymised.",
                "Done: {n} records about you were deleted or anonymised.",
                count,
            )
        await interaction.response.edit_message(content=content, view=None)

    async def erase(self, user_id: int) -> int:
        count = await self.repository.erase(user_id, self.bot.clock.now())
        self.bot.services.member_data_erased(user_id)
        return count


async def setup(bot: MarqueeBot) -> None:
    bot.add_dynamic_items(ConfirmButton)
    await bot.add_cog(Privacy(bot))
