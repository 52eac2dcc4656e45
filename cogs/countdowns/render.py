"""Countdown and announcement embeds. Pure functions of their arguments.

Dates are shown twice: as Discord timestamps (`<t:…:R>` "in 3 days", `<t:…:D>` the date in the
reader's own locale) and, where the calendar date itself matters, spelled out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import discord

from bot.formatting import (
    EMBED_DESCRIPTION,
    EMBED_TITLE,
    EMBED_TOTAL,
    FIELD_VALUE,
    chunk_lines,
    discord_timestamp,
    fit_lines,
    ordinal,
    quote,
    safe,
    truncate,
    when_it_starts,
)
from bot.targets import TargetDates, spelled, where
from cogs.countdowns.dates import Countdown
from db.repositories.announcements import AnnouncementPost, AnnouncementSettings, GuildEvent

COLOUR = discord.Colour.dark_red()
LATE_NOTE = "Posted late: Marquee was offline at the planned time."


def days_phrase(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def _embed(dates: TargetDates, description: str, *, late: bool = False) -> discord.Embed:
    embed = discord.Embed(
        title=truncate(f"{'🎬' if dates.target.kind == 'film' else '📅'} {dates.target.title}", EMBED_TITLE),
        description=truncate(description, EMBED_DESCRIPTION),
        colour=COLOUR,
    )
    if dates.description:
        embed.add_field(name="About", value=truncate(safe(dates.description), FIELD_VALUE), inline=False)
    if dates.poster:
        embed.set_thumbnail(url=dates.poster)
    if late:
        embed.set_footer(text=LATE_NOTE)
    return embed


def countdown_post(dates: TargetDates, days_left: int, *, late: bool = False) -> discord.Embed:
    verb = "opens" if dates.target.kind == "film" else "starts"
    text = (
        f"**{days_phrase(days_left)} to go.** {quote(dates.target.title)} {verb}{where(dates)} {when_it_starts(dates)}."
    )
    return _embed(dates, text, late=late)


def release_post(dates: TargetDates, *, late: bool = False) -> discord.Embed:
    if dates.target.kind == "film":
        text = f"**Out today{where(dates)}!** {quote(dates.target.title)} opens {spelled(dates.target.day)}."
    else:
        text = f"**Today!** {quote(dates.target.title)} is on {when_it_starts(dates)}."
    return _embed(dates, text, late=late)


def anniversary_post(dates: TargetDates, years: int, *, late: bool = False) -> discord.Embed:
    target = dates.target
    text = f"**{quote(target.title)} turned {years} today.** It opened{where(dates)} on {spelled(target.day)}."
    return _embed(dates, text, late=late)


def date_change_post(dates: TargetDates, old_day: dt.date, *, late: bool = False) -> discord.Embed:
    text = (
        f"**Release date changed{where(dates)}:** {spelled(old_day)} → {spelled(dates.target.day)}.\n"
        f"{quote(dates.target.title)} now opens {when_it_starts(dates)}."
    )
    return _embed(dates, text, late=late)


def countdown_embed(dates: TargetDates, countdown: Countdown) -> discord.Embed:
    """The answer to `/countdown`."""
    title = quote(dates.target.title)
    verb = "opens" if dates.target.kind == "film" else "starts"
    if countdown.state == "upcoming":
        text = f"{title} {verb}{where(dates)} {when_it_starts(dates)}: **{days_phrase(countdown.days)}** to go."
    elif countdown.state == "today":
        text = f"**Out today{where(dates)}!**" if dates.target.kind == "film" else f"**Today!** {when_it_starts(dates)}"
    else:
        text = f"Out{where(dates)} since {spelled(dates.target.day)} ({days_phrase(countdown.days)} ago)."
        if countdown.next_anniversary is not None:
            years, day = countdown.next_anniversary
            text += f"\nIt turns {years} on {spelled(day)}."
    return _embed(dates, text)


def events_embeds(events: Sequence[GuildEvent], starts: dict[int, dt.datetime]) -> list[discord.Embed]:
    """`/event list`: the server's events by date, in as many pages as they need (never cut)."""
    if not events:
        nothing = "No events yet. Add one with `/event add`."
        return [discord.Embed(title="Server events", colour=COLOUR, description=nothing)]
    lines = []
    for event in events:
        when = (
            discord_timestamp(starts[event.id], "F" if event.start_time else "D")
            if event.id in starts
            else spelled(event.day)
        )
        lines.append(f"• **{quote(event.name)}**: {when}")
    blocks = chunk_lines(lines, EMBED_DESCRIPTION)
    return [
        discord.Embed(
            title="Server events" if len(blocks) == 1 else f"Server events ({number} of {len(blocks)})",
            colour=COLOUR,
            description=block,
        )
        for number, block in enumerate(blocks, start=1)
    ]


STATUS_TITLE = 80  # a film or event title in one line of the status
STATUS_WORDS = {"sent": "✅ sent", "failed": "❌ failed", "skipped": "⏭️ skipped"}


def post_label(post: AnnouncementPost, titles: dict[str, str]) -> str:
    title = quote(titles.get(post.target_key, post.target_key), STATUS_TITLE)
    if post.kind == "release":
        what = "release day"
    elif post.kind == "anniversary":
        what = f"{ordinal(int(post.milestone.partition(':')[2]))} anniversary"
    elif post.kind == "date_change":
        what = "date change notice"
    else:
        what = f"{days_phrase(int(post.milestone))} to go"
    return f"{title}: {what}"


def status_embed(
    settings: AnnouncementSettings | None,
    describe: str,
    upcoming: Sequence[AnnouncementPost],
    recent: Sequence[AnnouncementPost],
    titles: dict[str, str],
) -> discord.Embed:
    """`/settings announcements status`: the configuration, the next posts and what became of the last ones."""
    embed = discord.Embed(title="Announcements", colour=COLOUR)
    if settings is not None and settings.paused_reason:
        embed.add_field(
            name="⚠️ Paused",
            value=truncate(f"{settings.paused_reason}. Fix it, then run `/settings announcements set` again.", 1024),
            inline=False,
        )
    next_lines = [f"{discord_timestamp(p.due_at, 'f')}: {post_label(p, titles)}" for p in upcoming]
    embed.add_field(name="Next posts", value=fit_lines(next_lines, FIELD_VALUE) or "Nothing scheduled.", inline=False)
    recent_lines = []
    for post in recent:
        word = STATUS_WORDS[post.status]
        if post.status == "sent" and post.late:
            word = "⏰ sent late"
        line = f"{word} {discord_timestamp(post.finished_at or post.due_at, 'f')}: {post_label(post, titles)}"
        if post.status != "sent" and post.reason:
            line += f" ({quote(post.reason)})"
        recent_lines.append(line)
    embed.add_field(name="Last posts", value=fit_lines(recent_lines, FIELD_VALUE) or "None yet.", inline=False)
    # The settings (their list of chosen targets can be long) get what the fields leave of the 6,000
    # characters an embed may hold in all.
    embed.description = truncate(describe, min(EMBED_DESCRIPTION, EMBED_TOTAL - len(embed)))
    return embed
