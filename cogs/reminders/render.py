"""What reminder DMs and `/remind` answers look like. Pure functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot.formatting import EMBED_DESCRIPTION, QUOTE_LIMIT, discord_timestamp, fit_lines, quote, when_it_starts
from bot.targets import TargetDates, where

COLOUR = discord.Colour.dark_teal()
INTRODUCTION = (
    "👋 You asked Marquee to remind you about a release, so here is your reminder. "
    "Press **Stop these reminders** below, or use `/remind stop-all`, and they stop."
)
LINE_FRAME = 90  # a reminder line without its title: emoji, markup, verb, two timestamps
LATE_NOTE = "Sent late: this reminder could not be delivered at its time."


@dataclass(frozen=True)
class ReminderLine:
    dates: TargetDates
    offset_text: str


def line_text(line: ReminderLine, title_limit: int = QUOTE_LIMIT) -> str:
    target = line.dates.target
    title = quote(target.title, title_limit)
    when = when_it_starts(line.dates)
    if line.offset_text == "release":
        if target.kind == "film":
            return f"🎬 **{title}** is out today{where(line.dates)}!"
        return f"📅 **{title}** is today: {when}."
    verb = "opens" if target.kind == "film" else "starts"
    return f"{'🎬' if target.kind == 'film' else '📅'} **{title}** {verb}{where(line.dates)} {when}."


def digest_embed(lines: Sequence[ReminderLine], *, late: bool = False) -> discord.Embed:
    """One DM for every reminder of a member due together."""
    title = "Reminder" if len(lines) == 1 else f"{len(lines)} reminders"
    # Every reminder due together must show in the one DM: the more there are, the shorter each title.
    title_limit = max(min(QUOTE_LIMIT, EMBED_DESCRIPTION // max(len(lines), 1) - LINE_FRAME), 20)
    embed = discord.Embed(
        title=title,
        description=fit_lines([line_text(line, title_limit) for line in lines], EMBED_DESCRIPTION),
        colour=COLOUR,
    )
    if late:
        embed.set_footer(text=LATE_NOTE)
    return embed


def subscribed_text(title: str, times: Sequence[dt.datetime], *, new: bool) -> str:
    """The answer to subscribing: the exact times, as timestamps every member sees in their own timezone."""
    name = quote(title)
    head = f"I'll remind you about **{name}** by DM" if new else f"Updated your reminders for **{name}**"
    if not times:
        return head + ", but every reminder time you chose has already passed."
    listed = "\n".join(f"• {discord_timestamp(when, 'F')} ({discord_timestamp(when, 'R')})" for when in times)
    return f"{head}:\n{listed}\nStop them with `/remind cancel` or the button in each DM."
