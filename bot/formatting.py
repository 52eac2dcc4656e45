"""Plain text helpers shared by cogs: durations, truncation and Discord's embed limits."""

from __future__ import annotations

import math
import re
from datetime import timedelta

import discord

# Discord's documented limits for one message's embeds.
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER_TEXT = 2048
EMBED_TOTAL = 6000
# ...and for a button's label.
BUTTON_LABEL = 80
ELLIPSIS = "…"
_MENTION = re.compile(r"<(@[!&]?|#)(\d+)>")


def safe(text: str | None) -> str:
    """Pack or member text made inert: markdown escaped, and @everyone/@here and user, role and
    channel mentions broken with a zero-width space, so the text neither formats nor pings."""
    text = discord.utils.escape_mentions(text or "")
    return discord.utils.escape_markdown(_MENTION.sub("<\u200b\\1\\2>", text))


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
