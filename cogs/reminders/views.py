"""Reminder buttons, as dynamic items: they keep working after a restart.

`remind:<target>` subscribes the clicker (on film cards and countdown posts);
`remind-stop:<batch>` stops the reminders a DM was about; `remind-retry` resumes DMs after the
member fixed what blocked them; `remind-cancel:<target>` cancels one reminder from `/remind list`.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, runtime_checkable

import discord

from bot.components import REMIND_LABEL, REMIND_TEMPLATE, remind_button
from bot.i18n import N_, Speech
from bot.targets import TARGET_KEY, parse_id
from bot.views import cog_of, reports_errors

TARGET = rf"(?P<target>{TARGET_KEY})"
STOP_LABEL = N_("Stop these reminders")
RETRY_LABEL = N_("I fixed it, try again")


@runtime_checkable
class ReminderButtonsHandler(Protocol):
    """What the reminder buttons ask of the reminders cog."""

    async def remind_from_button(self, interaction: discord.Interaction[Any], target_key: str) -> None: ...

    async def stop_from_dm(self, interaction: discord.Interaction[Any], batch_id: int | None) -> None: ...

    async def cancel_from_button(self, interaction: discord.Interaction[Any], target_key: str) -> None: ...

    async def retry_dms(self, interaction: discord.Interaction[Any]) -> None: ...


def reminders_cog(interaction: discord.Interaction[Any]) -> ReminderButtonsHandler:
    return cog_of(interaction, "Reminders", ReminderButtonsHandler)  # type: ignore[type-abstract]


class RemindButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=REMIND_TEMPLATE):
    """Subscribe to this film or event with the default reminders.

    Other features show the button (`bot.components.remind_button`); this item answers its clicks.
    """

    def __init__(self, target_key: str, label: str = REMIND_LABEL) -> None:
        super().__init__(remind_button(target_key, label))
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

    def __init__(self, batch_id: int, label: str = STOP_LABEL) -> None:
        super().__init__(
            discord.ui.Button(label=label, style=discord.ButtonStyle.danger, custom_id=f"remind-stop:{batch_id}")
        )
        self.batch_id = batch_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> StopButton:
        label = item.label if isinstance(item, discord.ui.Button) and item.label else STOP_LABEL
        return cls(int(match["batch"]), label)

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

    def __init__(self, label: str = RETRY_LABEL) -> None:
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.primary, custom_id="remind-retry"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RetryButton:
        label = item.label if isinstance(item, discord.ui.Button) and item.label else RETRY_LABEL
        return cls(label)

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await reminders_cog(interaction).retry_dms(interaction)


def stop_view(t: Speech, batch_id: int) -> discord.ui.View:
    """The button under a reminder DM, labelled in the DM's language."""
    view = discord.ui.View(timeout=None)
    view.add_item(StopButton(batch_id, t(STOP_LABEL)))
    return view
