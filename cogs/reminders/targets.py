"""What a reminder can be about, as it arrives from options, autocomplete values and custom ids.

A target key is "film:<film key>" or "event:<id>". Anything else, including an event id beyond
SQLite's integer range, names nothing: it is refused here, before it reaches a query.
"""

from __future__ import annotations

import re

# SQLite integers are signed 64-bit; ids are handed out from 1.
MAX_ID = 2**63 - 1
_FILM = re.compile(r"[a-z0-9_-]{1,80}")


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
