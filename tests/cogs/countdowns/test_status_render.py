"""`/settings announcements status` stays inside an embed's limits however much members named."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from bot.formatting import EMBED_DESCRIPTION, EMBED_TOTAL, FIELD_VALUE
from bot.translator import english
from cogs.countdowns import render
from db.repositories.announcements import AnnouncementPost, AnnouncementSettings

NOW = dt.datetime(2030, 1, 1, 9, tzinfo=dt.UTC)
LONG_NAME = "*_" * 50  # the longest event name, every character escaped


def _make(model: type[Any], /, **given: Any) -> Any:
    # Fields other features add later default to None, so this test keeps describing only the limits.
    return model(**{field.name: given.get(field.name) for field in dataclasses.fields(model)})


def _post(number: int, status: str) -> AnnouncementPost:
    return _make(
        AnnouncementPost,
        id=number,
        guild_id=1,
        target_key=f"event:{number}",
        release_date=dt.date(2030, 2, 1),
        milestone="7",
        kind="milestone",
        due_at=NOW,
        wake_at=NOW,
        status=status,
        attempts=1,
        late=False,
        reason="Missing Access " + LONG_NAME if status == "failed" else None,
        nonce=str(number),
        finished_at=NOW,
    )


def test_status_with_the_longest_names_fits_one_embed() -> None:
    settings = _make(
        AnnouncementSettings,
        guild_id=1,
        channel_id=2,
        post_time="09:00",
        timezone="UTC",
        region="US",
        milestones="default",
        role_id=None,
        anniversaries=False,
        mirror_events=False,
        paused_reason="I can't see the channel " + "x" * 2000,
        notice_pending=False,
        targets=tuple(f"event:{n}" for n in range(25)),
        updated_at=NOW,
    )
    titles = {f"event:{n}": LONG_NAME for n in range(25)}
    describe = "\n".join(f"• {render.quote(LONG_NAME)}" for _ in range(40))
    upcoming = [_post(n, "scheduled") for n in range(5)]
    recent = [_post(n, "failed") for n in range(10)]
    embed = render.status_embed(english(), settings, describe, upcoming, recent, titles)
    assert len(embed) <= EMBED_TOTAL
    assert embed.description is not None and len(embed.description) <= EMBED_DESCRIPTION
    for field in embed.fields:
        assert field.value is not None and len(field.value) <= FIELD_VALUE
    # Lines are dropped whole, and the reader is told so.
    last = next(field.value for field in embed.fields if field.name == "Last posts")
    assert last is not None and last.splitlines()[-1].startswith("…and ")
