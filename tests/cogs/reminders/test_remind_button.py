"""The 🔔 button: built by bot.components for countdowns and film cards, answered by reminders' RemindButton."""

from __future__ import annotations

import discord
import pytest

from bot.components import REMIND_TEMPLATE, remind_custom_id, remind_view
from cogs.reminders.views import RemindButton


@pytest.mark.parametrize("target_key", ["film:mi-7", "event:42"])
async def test_the_button_others_send_is_the_one_reminders_answers(target_key: str) -> None:
    answered = discord.ui.View(timeout=None)
    answered.add_item(RemindButton(target_key))
    sent = remind_view(target_key)
    assert sent.to_components() == answered.to_components()
    assert RemindButton.__discord_ui_compiled_template__.pattern == REMIND_TEMPLATE.pattern
    # discord.py keeps no copy of it per message: the registered RemindButton answers the clicks.
    assert not sent.is_dispatchable()


@pytest.mark.parametrize("text", ["film:Not A Key", "event:", "event:x", "person:7", "mi-7"])
def test_a_key_that_names_no_target_gets_no_button(text: str) -> None:
    with pytest.raises(ValueError):
        remind_custom_id(text)
