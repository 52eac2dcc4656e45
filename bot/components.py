"""Buttons one feature puts on its messages for another to answer, built where both can import them.

The 🔔 "Remind me" button goes on countdown posts, `/countdown` answers and film cards; the reminders
feature answers its clicks with the dynamic item it registers for `REMIND_TEMPLATE`
(`cogs.reminders.views.RemindButton`). The custom id is the contract between them: the features that
show the button never import reminders, and reminders never import them.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.targets import TARGET_KEY

REMIND_TEMPLATE = re.compile(rf"remind:(?P<target>{TARGET_KEY})")
REMIND_LABEL = "Remind me"
REMIND_EMOJI = "🔔"


def remind_custom_id(target_key: str) -> str:
    """The custom id of the 🔔 button for a target key ("film:…" or "event:…")."""
    custom_id = f"remind:{target_key}"
    if not REMIND_TEMPLATE.fullmatch(custom_id):
        raise ValueError(f"{target_key!r} is not a target key a reminder can be about")
    return custom_id


def remind_button(target_key: str, label: str = REMIND_LABEL) -> discord.ui.Button[Any]:
    """The 🔔 button for a target, as it is sent."""
    return discord.ui.Button(
        label=label, emoji=REMIND_EMOJI, style=discord.ButtonStyle.secondary, custom_id=remind_custom_id(target_key)
    )


class AnsweredElsewhere(discord.ui.View):
    """A never-ending view of buttons whose clicks the dynamic items registered for their custom ids answer.

    discord.py keeps every view it could dispatch a click to after the message is sent, for good when
    it has no timeout; this one holds plain buttons that nothing here answers, so it says it cannot be
    dispatched to and is dropped once sent (as a view of dynamic items would be).
    """

    def __init__(self, *items: discord.ui.Item[Any]) -> None:
        super().__init__(timeout=None)
        for item in items:
            self.add_item(item)

    def is_dispatchable(self) -> bool:
        return False


def remind_view(target_key: str) -> discord.ui.View:
    """A message's only button: 🔔 "Remind me" about `target_key`."""
    return AnsweredElsewhere(remind_button(target_key))
