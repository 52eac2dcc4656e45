"""Announcement embeds stay within Discord's limits whatever the server configured."""

from __future__ import annotations

import datetime as dt

from bot.formatting import EMBED_TOTAL
from bot.targets import Target, TargetDates
from bot.translator import english
from cogs.countdowns.dates import Countdown
from cogs.countdowns.render import (
    anniversary_post,
    countdown_embed,
    countdown_post,
    date_change_post,
    release_post,
    status_embed,
)
from db.repositories.announcements import AnnouncementPost, AnnouncementSettings

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
ENGLISH = english()


def settings(reason: str) -> AnnouncementSettings:
    return AnnouncementSettings(
        1, 2, "09:00", "UTC", "US", "default", None, False, False, reason, True, ("event:1",) * 25, NOW
    )


def post(number: int, status: str, reason: str | None) -> AnnouncementPost:
    return AnnouncementPost(
        number, 1, f"event:{number}", NOW.date(), "7", "countdown", None, NOW, NOW, status,  # type: ignore[arg-type]
        1, False, reason, "n", None, None, NOW,
    )  # fmt: skip


def test_the_status_embed_never_exceeds_discords_total_however_long_its_parts() -> None:
    name = "Ж" * 100
    describe = "• Targets: " + ", ".join([name] * 25) + "\n" + "x" * 3000
    titles = {f"event:{number}": name for number in range(20)}
    upcoming = [post(number, "scheduled", None) for number in range(5)]
    recent = [post(number, "failed", "y" * 300) for number in range(10)]
    embed = status_embed(ENGLISH, settings("z" * 2000), describe, upcoming, recent, titles)
    assert len(embed) <= EMBED_TOTAL
    assert [field.name for field in embed.fields] == ["⚠️ Paused", "Next posts", "Last posts"]
    assert (embed.description or "").startswith("• Targets: ")


def test_posts_about_a_film_with_a_poster_show_it_as_their_thumbnail() -> None:
    poster = "https://image.tmdb.org/t/p/w500/poster.jpg"
    film = Target("film:one", "Film One", dt.date(2026, 5, 1), "film")
    with_poster = TargetDates(film, country="US", starts_at=NOW, poster=poster)
    posts = [
        countdown_post(ENGLISH, with_poster, 7),
        release_post(ENGLISH, with_poster),
        anniversary_post(ENGLISH, with_poster, 10, late=True),
        date_change_post(ENGLISH, with_poster, dt.date(2026, 4, 1)),
        countdown_embed(ENGLISH, with_poster, Countdown("upcoming", 7, NOW, None)),
    ]
    assert [post.thumbnail.url for post in posts] == [poster] * len(posts)
    without = countdown_post(ENGLISH, TargetDates(film, country="US", starts_at=NOW), 7)
    assert without.thumbnail.url is None
