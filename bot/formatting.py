"""Plain text helpers shared by cogs: durations, truncation, Discord's embed limits, and the one way
member-typed text is echoed back (quotes); names are cleaned by `db.names`."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

import discord

from bot.i18n import Speech
from bot.targets import TargetDates, spelled
from db.names import one_line

# Discord's documented limits for one message's embeds.
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER_TEXT = 2048
EMBED_TOTAL = 6000
# ...for a message's text...
MESSAGE_CONTENT = 2000
# ...and for a button's label.
BUTTON_LABEL = 80
ELLIPSIS = "…"
_MENTION = re.compile(r"<(@[!&]?|#)(\d+)>")
# What a member's text may take in an answer: short enough that any sentence around it, or several
# echoes in one answer, stay far inside a message's 2000 characters.
QUOTE_LIMIT = 200


def safe(text: str | None) -> str:
    """Pack or member text made inert: markdown escaped, and @everyone/@here and user, role and
    channel mentions broken with a zero-width space, so the text neither formats nor pings.

    Unbounded: text a member typed goes through `quote`, which also caps the length.
    """
    # discord.py escapes a masked link "[**a**](x)" only by its first bracket, leaving the markup
    # inside it live: breaking the "](" makes it plain text, escaped character by character.
    text = discord.utils.escape_mentions(text or "").replace("](", "]\u200b(")
    return discord.utils.escape_markdown(_MENTION.sub("<\u200b\\1\\2>", text))


def quote(text: str | None, limit: int = QUOTE_LIMIT) -> str:
    """Member-typed text as it may be echoed back in any answer: on one line, without invisible
    characters, escaped (`safe`), and at most `limit` characters *after* escaping, an ellipsis marking
    a cut (escaping can double a text's length: 1,000 asterisks are 2,000 characters escaped)."""
    line = one_line(text)
    escaped = safe(line)
    if len(escaped) <= limit:
        return escaped
    # The longest start of the text whose escaped form leaves room for the ellipsis.
    low, high = 0, min(len(line), limit)
    while low < high:
        middle = (low + high + 1) // 2
        if len(safe(line[:middle].rstrip())) + len(ELLIPSIS) <= limit:
            low = middle
        else:
            high = middle - 1
    return safe(line[:low].rstrip()) + ELLIPSIS


def discord_timestamp(instant: datetime, style: str) -> str:
    """`<t:…:style>`: Discord writes the instant in each reader's own timezone and language
    (R "in 3 days", D the date, F date and time, f the same shorter)."""
    return f"<t:{int(instant.timestamp())}:{style}>"


def when_it_starts(dates: TargetDates, t: Speech | None = None) -> str:
    """ "<t:…:R> (<t:…:D>)" for the moment a film or event starts (date and time for a timed event),
    or its day spelled out (in `t`'s language) when it has no instant."""
    instant = dates.target.starts_at or dates.starts_at
    if instant is None:
        return spelled(dates.target.day, t)
    style = "F" if dates.target.starts_at else "D"
    return f"{discord_timestamp(instant, 'R')} ({discord_timestamp(instant, style)})"


def format_duration(duration: timedelta) -> str:
    """A short human duration: "2d 3h 4m", "5m 6s", "0s"; never negative."""
    seconds = max(int(duration.total_seconds()), 0)
    days, seconds = divmod(seconds, 86_400)
    hours, seconds = divmod(seconds, 3_600)
    minutes, seconds = divmod(seconds, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{minutes}m" if minutes else ""]
    if not days and not hours:
        parts.append(f"{seconds}s" if seconds or not minutes else "")
    return " ".join(part for part in parts if part)


def format_latency(seconds: float) -> str:
    """Gateway heartbeat latency in milliseconds, or a dash before the first heartbeat."""
    if not math.isfinite(seconds) or seconds < 0:
        return "—"
    return f"{seconds * 1000:.0f} ms"


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)] + ELLIPSIS


def chunk_lines(lines: list[str], limit: int) -> list[str]:
    """Join lines into as few blocks of at most `limit` characters as possible (long lines truncated)."""
    blocks: list[str] = []
    current = ""
    for line in (truncate(line, limit) for line in lines):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            blocks.append(current)
            candidate = line
        current = candidate
    if current:
        blocks.append(current)
    return blocks


def fit_lines(lines: list[str], limit: int, *, separator: str = "\n", more: str = "…and {} more") -> str:
    """As many whole items as fit in `limit` characters, joined by `separator`, then a note saying
    how many were left out: a list that grows with members' data is shortened visibly, never cut.
    `more` holds the count as "{}" or "{more}" (a catalogue message)."""
    for count in range(len(lines), -1, -1):
        kept = [truncate(line, limit) for line in lines[:count]]
        if count < len(lines):
            kept.append(more.format(len(lines) - count, more=len(lines) - count))
        text = separator.join(kept)
        if len(text) <= limit:
            return text
    return truncate(more.format(len(lines), more=len(lines)), limit)


def embed_length(embed: discord.Embed) -> int:
    """Characters that count towards Discord's 6000 across a message's embeds."""
    return len(embed)


def add_fields_within_limits(embed: discord.Embed, fields: list[tuple[str, str]], *, inline: bool = False) -> int:
    """Add as many `(name, value)` fields as fit in Discord's limits; returns how many were left out."""
    left_out = 0
    for name, value in fields:
        name, value = truncate(name or "\u200b", FIELD_NAME), truncate(value or "—", FIELD_VALUE)
        if len(embed.fields) >= EMBED_FIELDS or len(embed) + len(name) + len(value) > EMBED_TOTAL:
            left_out += 1
            continue
        embed.add_field(name=name, value=value, inline=inline)
    return left_out


def ordinal(number: int) -> str:
    """1 → "1st", 2 → "2nd", 11 → "11th", 23 → "23rd"."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
