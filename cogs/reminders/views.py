"""Reminder buttons, as dynamic items: they keep working after a restart.

`remind:<target>` subscribes the clicker (on film cards and countdown posts);
`remind-stop:<batch>` stops the reminders a DM was about; `remind-retry` resumes DMs after the
member fixed what blocked them; `remind-cancel:<target>` cancels one reminder from `/remind list`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.views import cog_of, reports_errors
from cogs.reminders.targets import parse_id

if TYPE_CHECKING:
    from cogs.reminders.cog import Reminders

TARGET = r"(?P<target>(?:film:[a-z0-9_-]{1,80})|(?:event:[0-9]{1,20}))"


def reminders_cog(interaction: discord.Interaction[Any]) -> Reminders:
    from cogs.reminders.cog import Reminders

    return cog_of(interaction, "Reminders", Reminders)


class RemindButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"remind:" + TARGET):
    """Subscribe to this film or event with the default reminders."""

    def __init__(self, target_key: str, label: str = "Remind me") -> None:
        super().__init__(
            discord.ui.Button(
                label=label, emoji="🔔", style=discord.ButtonStyle.secondary, custom_id=f"remind:{target_key}"
            )
        )
        self.target_key = target_key

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RemindButton:
        return cls(match["target"])

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await reminders_cog(interaction).remind_from_button(interaction, self.target_key)


class StopButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"remind-stop:(?P<batch>[0-9]{1,20})"):
    """In every reminder DM: stop the reminders this DM was about."""

    def __init__(self, batch_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Stop these reminders", style=discord.ButtonStyle.danger, custom_id=f"remind-stop:{batch_id}"
            )
        )
        self.batch_id = batch_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> StopButton:
        return cls(int(match["batch"]))

    @property
    def batch(self) -> int | None:
        return parse_id(str(self.batch_id))

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await reminders_cog(interaction).stop_from_dm(interaction, self.batch)


class CancelButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"remind-cancel:" + TARGET):
    """In `/remind list`: cancel one reminder."""

    def __init__(self, target_key: str, label: str) -> None:
        super().__init__(
            discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, custom_id=f"remind-cancel:{target_key}")
        )
        self.target_key = target_key

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> CancelButton:
        label = item.label if isinstance(item, discord.ui.Button) and item.label else "Cancel"
        return cls(match["target"], label)

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await reminders_cog(interaction).cancel_from_button(interaction, self.target_key)


class RetryButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"remind-retry"):
    """In the notice about undeliverable DMs: try again once the member has fixed it."""

    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(
                label="I fixed it, try again", style=discord.ButtonStyle.primary, custom_id="remind-retry"
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RetryButton:
        return cls()

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await reminders_cog(interaction).retry_dms(interaction)


def stop_view(batch_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(StopButton(batch_id))
    return view


def remind_view(target_key: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(RemindButton(target_key))
    return view
