"""What can be counted down to, announced and reminded of: a film's release or a server event (no Discord here).

Countdowns plan posts for targets and reminders time DMs from them; both take targets from the
announcer and name them by key, so the model and the keys live here, where both features import them
without importing each other.

A target key is "film:<film key>" or "event:<id>". Anything else, including an event id beyond
SQLite's integer range, names nothing: `parse_target_key` refuses it before it reaches a query.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from bot.i18n import Speech
from bot.regions import country_name

# SQLite integers are signed 64-bit; ids are handed out from 1.
MAX_ID = 2**63 - 1
FILM_KEY = r"[a-z0-9_-]{1,80}"
# A target key as it may appear inside a custom id (an event id is checked further by `parse_id`).
TARGET_KEY = rf"(?:film:{FILM_KEY})|(?:event:[0-9]{{1,20}})"
_FILM = re.compile(FILM_KEY)


@dataclass(frozen=True)
class Target:
    """Something to count down to: a film's release or a server event."""

    key: str  # "film:<film_key>" or "event:<id>"
    title: str
    day: dt.date  # the release/event date: a local calendar date in its own country/timezone
    kind: Literal["film", "event"]
    starts_at: dt.datetime | None = None  # events with a time: the UTC instant; None for all-day / films

    def __post_init__(self) -> None:
        if self.starts_at is not None and self.starts_at.tzinfo is None:
            raise ValueError("a target's starts_at must be an aware datetime")


@dataclass(frozen=True)
class TargetDates:
    """A target with what is shown about it beyond its date, for one region and timezone."""

    target: Target
    country: str | None = None  # whose release date counts (films)
    description: str | None = None  # events
    starts_at: dt.datetime | None = None  # the instant the day starts in the server's timezone (for <t:…>)
    poster: str | None = None  # films: the poster's URL, shown as the post's thumbnail


def parse_id(text: str) -> int | None:
    """A database id written in decimal ASCII digits, or None when it cannot be one."""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def parse_target_key(text: str) -> str | None:
    """The canonical target key `text` names ("event:007" is "event:7"), or None."""
    kind, _, rest = text.partition(":")
    if kind == "film" and _FILM.fullmatch(rest):
        return text
    if kind == "event" and (event_id := parse_id(rest)) is not None:
        return f"event:{event_id}"
    return None


def spelled(day: dt.date, t: Speech | None = None) -> str:
    """The day written out in full, month in words so that it is unambiguous in every locale: "Friday,
    May 23, 2025", "vendredi 23 mai 2025", "2025年5月23日金曜日" (without `t`: "Friday 23 May 2025")."""
    if t is not None:
        return t.date(day, "full")
    return f"{day.strftime('%A')} {day.day} {day.strftime('%B %Y')}"


def country_in(code: str, t: Speech | None = None) -> str:
    """A country's name in `t`'s language (Babel's CLDR names), English when `t` is English or None."""
    if t is None or t.language == "en":
        return country_name(code)
    return str(t.locale.territories.get(code.upper()) or country_name(code))


def where(dates: TargetDates, t: Speech | None = None) -> str:
    """ " in France" after a film's release, when the date is one country's; nothing for an event."""
    if dates.target.kind == "event" or not dates.country:
        return ""
    country = country_in(dates.country, t)
    if t is None:
        return f" in {country}"
    # TRANSLATORS: follows a verb ("opens{where}"), leading space included; the country may need an
    # article in your language, so a form without one ("— {country}") reads better there.
    return t(" in {country}", country=country)
