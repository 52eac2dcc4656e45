"""Countdown and announcement embeds. Pure functions of their arguments, in the language of the `Speech`
given (the server's for posts, the member's for what only they see).

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
from bot.i18n import N_, Speech
from bot.targets import TargetDates, spelled, where
from cogs.countdowns.dates import Countdown
from db.repositories.announcements import AnnouncementPost, AnnouncementSettings, GuildEvent

COLOUR = discord.Colour.dark_red()
LATE_NOTE = N_("Posted late: Marquee was offline at the planned time.")


def days_phrase(t: Speech, days: int) -> str:
    """ "1 day", "3 days" in `t`'s language."""
    return t.plural("{n} day", "{n} days", days)


def _embed(t: Speech, dates: TargetDates, description: str, *, late: bool = False) -> discord.Embed:
    embed = discord.Embed(
        title=truncate(f"{'🎬' if dates.target.kind == 'film' else '📅'} {dates.target.title}", EMBED_TITLE),
        description=truncate(description, EMBED_DESCRIPTION),
        colour=COLOUR,
    )
    if dates.description:
        embed.add_field(
            name=t.context("embed field", "About"), value=truncate(safe(dates.description), FIELD_VALUE), inline=False
        )
    if dates.poster:
        embed.set_thumbnail(url=dates.poster)
    if late:
        embed.set_footer(text=t(LATE_NOTE))
    return embed


def countdown_post(t: Speech, dates: TargetDates, days_left: int, *, late: bool = False) -> discord.Embed:
    """A milestone's post: "**7 days to go.** Dune opens in France <t:…:R> (<t:…:D>)." """
    # Every value is worked out before the message: Babel's extractor takes a plural message whose
    # arguments name `t` (`where(dates, t)`) for a singular one, and the translation is never found.
    title, when, place = quote(dates.target.title), when_it_starts(dates, t), where(dates, t)
    if dates.target.kind == "film":
        text = t.plural(
            "**{n} day to go.** {title} opens{where} {when}.",
            "**{n} days to go.** {title} opens{where} {when}.",
            days_left,
            title=title,
            where=place,
            when=when,
        )
    else:
        text = t.plural(
            "**{n} day to go.** {title} starts {when}.",
            "**{n} days to go.** {title} starts {when}.",
            days_left,
            title=title,
            when=when,
        )
    return _embed(t, dates, text, late=late)


def release_post(t: Speech, dates: TargetDates, *, late: bool = False) -> discord.Embed:
    """The release day's (or the event day's) post."""
    title = quote(dates.target.title)
    if dates.target.kind == "film":
        text = t(
            "**Out today{where}!** {title} opens {day}.",
            where=where(dates, t),
            title=title,
            day=spelled(dates.target.day, t),
        )
    else:
        text = t("**Today!** {title} is on {when}.", title=title, when=when_it_starts(dates, t))
    return _embed(t, dates, text, late=late)


def anniversary_post(t: Speech, dates: TargetDates, years: int, *, late: bool = False) -> discord.Embed:
    """A film's yearly anniversary post."""
    target = dates.target
    place, day = where(dates, t), spelled(target.day, t)
    text = t.plural(
        # The English singular is written out, so that the two English forms differ (gettext needs them to).
        "**{title} turned 1 today.** It opened{where} on {day}.",
        "**{title} turned {n} today.** It opened{where} on {day}.",
        years,
        title=quote(target.title),
        where=place,
        day=day,
    )
    return _embed(t, dates, text, late=late)


def date_change_post(t: Speech, dates: TargetDates, old_day: dt.date, *, late: bool = False) -> discord.Embed:
    """The notice that a release date moved."""
    text = t(
        "**Release date changed{where}:** {old} → {new}.\n{title} now opens {when}.",
        where=where(dates, t),
        old=spelled(old_day, t),
        new=spelled(dates.target.day, t),
        title=quote(dates.target.title),
        when=when_it_starts(dates, t),
    )
    return _embed(t, dates, text, late=late)


def countdown_embed(t: Speech, dates: TargetDates, countdown: Countdown) -> discord.Embed:
    """The answer to `/countdown`."""
    title = quote(dates.target.title)
    film = dates.target.kind == "film"
    place, when, day = where(dates, t), when_it_starts(dates, t), spelled(dates.target.day, t)
    if countdown.state == "upcoming":
        if film:
            text = t.plural(
                "{title} opens{where} {when}: **{n} day** to go.",
                "{title} opens{where} {when}: **{n} days** to go.",
                countdown.days,
                title=title,
                where=place,
                when=when,
            )
        else:
            text = t.plural(
                "{title} starts {when}: **{n} day** to go.",
                "{title} starts {when}: **{n} days** to go.",
                countdown.days,
                title=title,
                when=when,
            )
    elif countdown.state == "today":
        text = t("**Out today{where}!**", where=place) if film else t("**Today!** {when}", when=when)
    else:
        text = t.plural(
            "Out{where} since {day} ({n} day ago).",
            "Out{where} since {day} ({n} days ago).",
            countdown.days,
            where=place,
            day=day,
        )
        if countdown.next_anniversary is not None:
            years, birthday = countdown.next_anniversary
            when_next = spelled(birthday, t)
            text += "\n" + t.plural("It turns 1 on {day}.", "It turns {n} on {day}.", years, day=when_next)
    return _embed(t, dates, text)


def events_embeds(t: Speech, events: Sequence[GuildEvent], starts: dict[int, dt.datetime]) -> list[discord.Embed]:
    """`/event list`: the server's events by date, in as many pages as they need (never cut)."""
    if not events:
        nothing = t("No events yet. Add one with `/event add`.")
        return [discord.Embed(title=t("Server events"), colour=COLOUR, description=nothing)]
    lines = []
    for event in events:
        when = (
            discord_timestamp(starts[event.id], "F" if event.start_time else "D")
            if event.id in starts
            else spelled(event.day, t)
        )
        lines.append(f"• **{quote(event.name)}**: {when}")
    blocks = chunk_lines(lines, EMBED_DESCRIPTION)
    return [
        discord.Embed(
            title=t("Server events")
            if len(blocks) == 1
            else t("Server events ({number} of {count})", number=t.number(number), count=t.number(len(blocks))),
            colour=COLOUR,
            description=block,
        )
        for number, block in enumerate(blocks, start=1)
    ]


STATUS_TITLE = 80  # a film or event title in one line of the status
STATUS_WORDS = {"sent": N_("✅ sent"), "failed": N_("❌ failed"), "skipped": N_("⏭️ skipped")}


def post_label(t: Speech, post: AnnouncementPost, titles: dict[str, str]) -> str:
    """One planned or past post in a line: "Dune: 7 days to go"."""
    title = quote(titles.get(post.target_key, post.target_key), STATUS_TITLE)
    if post.kind == "release":
        what = t("release day")
    elif post.kind == "anniversary":
        years = int(post.milestone.partition(":")[2])
        # English writes "3rd"; the other languages put the number in their own ordinal pattern.
        what = t("{ordinal} anniversary", ordinal=ordinal(years) if t.language == "en" else t.number(years))
    elif post.kind == "date_change":
        what = t("date change notice")
    else:
        days = int(post.milestone)
        what = t.plural("{n} day to go", "{n} days to go", days)
    return t("{title}: {what}", title=title, what=what)


def status_embed(
    t: Speech,
    settings: AnnouncementSettings | None,
    describe: str,
    upcoming: Sequence[AnnouncementPost],
    recent: Sequence[AnnouncementPost],
    titles: dict[str, str],
) -> discord.Embed:
    """`/settings announcements status`: the configuration, the next posts and what became of the last ones."""
    embed = discord.Embed(title=t("Announcements"), colour=COLOUR)
    if settings is not None and settings.paused_reason:
        embed.add_field(
            name=t("⚠️ Paused"),
            value=truncate(
                t(
                    "{reason}. Fix it, then run `/settings announcements set` again.",
                    reason=settings.paused_reason,
                ),
                1024,
            ),
            inline=False,
        )
    next_lines = [f"{discord_timestamp(p.due_at, 'f')}: {post_label(t, p, titles)}" for p in upcoming]
    embed.add_field(
        name=t("Next posts"), value=fit_lines(next_lines, FIELD_VALUE) or t("Nothing scheduled."), inline=False
    )
    recent_lines = []
    for post in recent:
        word = t(STATUS_WORDS[post.status])
        if post.status == "sent" and post.late:
            word = t("⏰ sent late")
        line = f"{word} {discord_timestamp(post.finished_at or post.due_at, 'f')}: {post_label(t, post, titles)}"
        if post.status != "sent" and post.reason:
            # Marquee's own reasons are in the catalogue; Discord's error texts stay as Discord wrote them.
            line += f" ({quote(t(post.reason))})"
        recent_lines.append(line)
    embed.add_field(name=t("Last posts"), value=fit_lines(recent_lines, FIELD_VALUE) or t("None yet."), inline=False)
    # The settings (their list of chosen targets can be long) get what the fields leave of the 6,000
    # characters an embed may hold in all.
    embed.description = truncate(describe, min(EMBED_DESCRIPTION, EMBED_TOTAL - len(embed)))
    return embed
