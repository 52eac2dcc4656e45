"""How instants are stored: fixed-width ISO-8601 text in UTC, so that comparing the text compares the times."""

from __future__ import annotations

import datetime as dt


def stamp(moment: dt.datetime) -> str:
    """Fixed-width ISO-8601 UTC text; naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {moment!r}")
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def instant(text: str | None) -> dt.datetime | None:
    """A stored instant back as an aware datetime (None stays None)."""
    return None if text is None else dt.datetime.fromisoformat(text)
