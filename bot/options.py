"""Option values members type that several features share: times of day, dates, timezones, countries.

Each parser returns the clean value or raises `UserFacingError` with a message the member sees;
each `*_choices` function answers an autocomplete.
"""

from __future__ import annotations

import datetime as dt
import re

from discord import app_commands

from bot.errors import UserFacingError
from bot.formatting import quote, safe
from bot.localtime import search_timezones, valid_timezone
from bot.regions import search_regions, valid_region
from db.names import one_line

_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def time_of_day(text: str) -> str:
    """ "9:05" or "09:05" → "09:05" (24-hour clock)."""
    match = _TIME.fullmatch(text.strip())
    if match is None:
        raise UserFacingError(
            "“{text}” is not a time of day; use 24-hour HH:MM such as 09:00 or 18:30.", text=quote(text, 80)
        )
    return f"{int(match[1]):02d}:{match[2]}"


def calendar_date(text: str) -> dt.date:
    """ "2026-05-23" → that date; nothing looser, so nobody's day and month get swapped."""
    cleaned = text.strip()
    try:
        if len(cleaned) != 10:
            raise ValueError(cleaned)
        return dt.date.fromisoformat(cleaned)
    except ValueError:
        raise UserFacingError(
            "“{text}” is not a date; use YYYY-MM-DD, e.g. 2026-05-23.", text=quote(text, 80)
        ) from None


def timezone(text: str) -> str:
    """An IANA timezone name, in its canonical spelling."""
    try:
        return valid_timezone(text)
    except ValueError:
        raise not_a_timezone(text) from None


def not_a_timezone(text: str) -> UserFacingError:
    """The error for a `timezone` option that names no IANA timezone, in the member's language."""
    return UserFacingError(
        # Markdown-escaped as the rest of the answer is: Discord shows "New_York".
        "“{text}” is not a timezone; pick one from the list, e.g. Europe/London or America/New\\_York.",
        text=safe(one_line(text)[:60]),
    )


def region(text: str) -> str:
    """A country, as its ISO 3166-1 alpha-2 code."""
    try:
        return valid_region(text)
    except ValueError:
        raise not_a_country(text) from None


def not_a_country(text: str) -> UserFacingError:
    """The error for a `region` option that names no country, in the member's language."""
    return UserFacingError(
        "“{text}” is not a country; pick one from the list (a two-letter code such as US or GB).",
        text=safe(one_line(text.strip())[:60]),
    )


def timezone_choices(current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=name, value=name) for name in search_timezones(current)]


def region_choices(current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=f"{name} ({code})", value=code) for code, name in search_regions(current)]
