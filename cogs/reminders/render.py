"""What reminder DMs and `/remind` answers look like, in the member's language. Pure functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot.formatting import EMBED_DESCRIPTION, QUOTE_LIMIT, discord_timestamp, fit_lines, quote, when_it_starts
from bot.i18n import N_, Speech
from bot.regions import country_name
from bot.targets import TargetDates

COLOUR = discord.Colour.dark_teal()
INTRODUCTION = N_(
    "👋 You asked Marquee to remind you about a release, so here is your reminder. "
    "Press **Stop these reminders** below, or use `/remind stop-all`, and they stop."
)
# A reminder line without its title: emoji, markup, verb, two timestamps (room for the longest language's words)
LINE_FRAME = 110
LATE_NOTE = N_("Sent late: this reminder could not be delivered at its time.")


@dataclass(frozen=True)
class ReminderLine:
    dates: TargetDates
    offset_text: str


def line_text(t: Speech, line: ReminderLine, title_limit: int = QUOTE_LIMIT) -> str:
    """One reminder of a DM: what starts, where and when."""
    target = line.dates.target
    title = quote(target.title, title_limit)
    when = when_it_starts(line.dates, t)
    # A film's release date is one country's; an event has no country.
    country = country_name(line.dates.country, t) if target.kind == "film" and line.dates.country else None
    if line.offset_text == "release":
        if target.kind != "film":
            return t("📅 **{title}** is today: {when}.", title=title, when=when)
        if country:
            return t("🎬 **{title}** is out today in {country}!", title=title, country=country)
        return t("🎬 **{title}** is out today!", title=title)
    if target.kind != "film":
        return t("📅 **{title}** starts {when}.", title=title, when=when)
    if country:
        return t("🎬 **{title}** opens in {country} {when}.", title=title, country=country, when=when)
    return t("🎬 **{title}** opens {when}.", title=title, when=when)


def digest_embed(t: Speech, lines: Sequence[ReminderLine], *, late: bool = False) -> discord.Embed:
    """One DM for every reminder of a member due together."""
    title = t("Reminder") if len(lines) == 1 else t.plural("{n} reminder", "{n} reminders", len(lines))
    # Every reminder due together must show in the one DM: the more there are, the shorter each title.
    title_limit = max(min(QUOTE_LIMIT, EMBED_DESCRIPTION // max(len(lines), 1) - LINE_FRAME), 20)
    embed = discord.Embed(
        title=title,
        description=fit_lines(
            [line_text(t, line, title_limit) for line in lines], EMBED_DESCRIPTION, more=t("…and {more} more")
        ),
        colour=COLOUR,
    )
    if late:
        embed.set_footer(text=t(LATE_NOTE))
    return embed


def subscribed_text(t: Speech, title: str, times: Sequence[dt.datetime], *, new: bool) -> str:
    """The answer to subscribing: the exact times, as timestamps every member sees in their own timezone."""
    name = quote(title)
    if not times:
        if new:
            return t(
                "I'll remind you about **{title}** by DM, but every reminder time you chose has already passed.",
                title=name,
            )
        return t(
            "Updated your reminders for **{title}**, but every reminder time you chose has already passed.",
            title=name,
        )
    listed = "\n".join(f"• {discord_timestamp(when, 'F')} ({discord_timestamp(when, 'R')})" for when in times)
    if new:
        return t(
            "I'll remind you about **{title}** by DM:\n{times}\nStop them with `/remind cancel` or the button in "
            "each DM.",
            title=name,
            times=listed,
        )
    return t(
        "Updated your reminders for **{title}**:\n{times}\nStop them with `/remind cancel` or the button in each DM.",
        title=name,
        times=listed,
    )
