"""A reminder DM names every reminder due together, however long the names members gave."""

from __future__ import annotations

import datetime as dt

from bot.formatting import EMBED_DESCRIPTION
from bot.targets import Target, TargetDates
from bot.translator import english
from cogs.reminders.render import ReminderLine, digest_embed

START = dt.datetime(2031, 3, 1, 20, tzinfo=dt.UTC)


def test_a_digest_of_25_long_named_events_shows_every_one() -> None:
    lines = [
        ReminderLine(
            TargetDates(Target(f"event:{n}", f"{n:02d} " + "*_" * 48, START.date(), "event", START), starts_at=START),
            "1d",
        )
        for n in range(25)
    ]
    description = digest_embed(english(), lines).description or ""
    assert len(description) <= EMBED_DESCRIPTION
    shown = description.splitlines()
    assert len(shown) == 25
    assert all(f"{n:02d} " in line and line.endswith(").") for n, line in enumerate(shown))
