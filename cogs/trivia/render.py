"""Trivia embeds: questions, reveals, standings, leaderboards and stats. Pure functions, each in the
`Speech` it is given (the server's for public posts, the member's for what only they see).

Members are shown as `<@id>` mentions inside embeds: Discord renders their names without any
member list (no privileged intent) and mentions in embeds never ping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import discord
from babel import numbers as babel_numbers

from bot.formatting import (
    EMBED_DESCRIPTION,
    EMBED_TITLE,
    FIELD_VALUE,
    add_fields_within_limits,
    fit_lines,
    safe,
    truncate,
)
from bot.i18n import N_, Speech
from cogs.trivia.game import Round, RoundResult
from cogs.trivia.questions import Question
from cogs.trivia.scoring import Standing
from db.names import one_line
from db.repositories.trivia import LeaderboardRow, MemberStats, TriviaDailyAnswer

COLOUR = discord.Colour.blurple()
LETTERS = "ABCD"
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}
DIFFICULTY_NAMES = {"easy": N_("Easy"), "medium": N_("Medium"), "hard": N_("Hard"), "mixed": N_("Mixed")}
FINAL_STANDINGS = N_("Trivia — final standings")
INTERRUPTED = N_("This game was interrupted by a restart of the bot.")

FilmTitle = Callable[[str | None], str | None]


def mention(user_id: int) -> str:
    return f"<@{user_id}>"


def question_text(t: Speech, question: Question) -> str:
    """A question's text in `t`'s language: a generated one from its template, a pack's as written."""
    if question.template:
        return t(question.template, **dict(question.values))
    return question.text


def shown_text(t: Speech, shown: dict[str, Any]) -> str:
    """A stored question's text (`question_json`) in `t`'s language; one stored before questions kept
    their template is shown as it was asked."""
    template, values = shown.get("template"), shown.get("values")
    if isinstance(template, str) and isinstance(values, dict):
        return t(template, **values)
    return str(shown["text"])


def difficulty_name(t: Speech, difficulty: str) -> str:
    """A difficulty as shown ("Easy"), in `t`'s language."""
    name = DIFFICULTY_NAMES.get(difficulty)
    return t(name) if name else difficulty.title()


def percent(t: Speech, share: float) -> str:
    """A share as a whole percentage in the locale's way ("42%", "42 %")."""
    return babel_numbers.format_percent(share, locale=t.locale)


def seconds(t: Speech, milliseconds: float) -> str:
    """Milliseconds as seconds with one decimal, with the locale's decimal sign ("1.5 s", "1,5 s")."""
    return t("{seconds} s", seconds=babel_numbers.format_decimal(milliseconds / 1000, format="0.0", locale=t.locale))


def question_embed(t: Speech, round_: Round, total: int, seconds_each: int, answered: int) -> discord.Embed:
    """The question as posted: its text, lettered choices (buttons mode) and the answer count."""
    question = round_.question
    lines = [safe(question_text(t, question))]
    if round_.choices:
        lines.append("")
        lines += [f"**{LETTERS[index]}.** {safe(choice)}" for index, choice in enumerate(round_.choices)]
    embed = discord.Embed(
        title=t("Question {number} of {total}", number=t.number(round_.number), total=t.number(total)),
        description=truncate("\n".join(lines), EMBED_DESCRIPTION),
        colour=COLOUR,
    )
    closes = int(round_.deadline.timestamp())
    embed.add_field(name=t("Closes"), value=f"<t:{closes}:R>")
    embed.add_field(name=t("Difficulty"), value=difficulty_name(t, question.difficulty))
    embed.set_footer(
        text=t(
            "{answered} · {seconds} s per question",
            answered=t.plural("{n} answered", "{n} answered", answered),
            seconds=t.number(seconds_each),
        )
    )
    return embed


def reveal_embed(t: Speech, result: RoundResult, total: int, film_title: FilmTitle) -> discord.Embed:
    """The closed question: the right answer, how players split, who was right and fastest, the film."""
    question = result.question
    lines = [safe(question_text(t, question)), "", f"✅ **{safe(result.right_answer)}**"]
    if result.choices:
        for index, choice in enumerate(result.choices):
            mark = "✅" if index == result.right_index else "▫️"
            share = result.shares[index] if index < len(result.shares) else 0.0
            count = result.counts[index] if index < len(result.counts) else 0
            lines.append(f"{mark} {LETTERS[index]}. {safe(choice)} — {percent(t, share)} ({t.number(count)})")
    embed = discord.Embed(
        title=t("Question {number} of {total} — closed", number=t.number(result.number), total=t.number(total)),
        description=truncate("\n".join(lines), EMBED_DESCRIPTION),
        colour=discord.Colour.green() if result.correct_users else discord.Colour.dark_grey(),
    )
    right = t.list([mention(user) for user in result.correct_users]) if result.correct_users else t("Nobody")
    fields = [(t("Right"), right)]
    if result.fastest is not None and result.fastest_ms is not None:
        fields.append(
            (t("Fastest"), t("{member} in {time}", member=mention(result.fastest), time=seconds(t, result.fastest_ms)))
        )
    title = film_title(result.film_key)
    if title:
        fields.append((t("From"), safe(title)))
    if question.author:
        # Pack text naming a person: made inert like every pack text, so a "<@id>" in it never pings.
        fields.append((t("Question by"), safe(question.author)))
    add_fields_within_limits(embed, fields)
    embed.set_footer(text=t.plural("{n} answered", "{n} answered", len(result.answers)))
    return embed


def standings_embed(
    t: Speech, title: str, standings: Sequence[Standing], winner: int | None, note: str = ""
) -> discord.Embed:
    """A game's final standings (`title` and `note` already in `t`'s language)."""
    lines = [
        t(
            "{rank} {member} — {points} pts ({correct}/{answered} right, {time})",
            rank=MEDALS.get(standing.rank, f"{t.number(standing.rank)}."),
            member=mention(standing.user_id),
            points=t.number(standing.points),
            correct=t.number(standing.correct),
            answered=t.number(standing.answered),
            time=seconds(t, standing.total_time_ms),
        )
        for standing in standings
    ]
    if winner is not None:
        lines.insert(0, t("🏆 Winner: {member}", member=mention(winner)) + "\n")
    elif standings:
        lines.insert(0, t("No winner: a win needs at least two players who answered.") + "\n")
    if note:
        lines.insert(0, note + "\n")
    # A game can have more players than a page of standings holds: say how many are not shown.
    more = t("…and {count} more players", count="{}")
    return discord.Embed(
        title=truncate(title, EMBED_TITLE),
        description=fit_lines(lines, EMBED_DESCRIPTION, more=more) or t("Nobody answered."),
        colour=discord.Colour.gold(),
    )


def leaderboard_embed(
    t: Speech, heading: str, rows: Sequence[LeaderboardRow], own: LeaderboardRow | None, viewer: int
) -> discord.Embed:
    """A server's leaderboard (`heading` already in `t`'s language), the viewer's own row in bold."""
    lines = [_leaderboard_line(t, row, viewer) for row in rows]
    if own is not None and all(row.user_id != own.user_id for row in rows):
        lines += ["…", _leaderboard_line(t, own, viewer)]
    return discord.Embed(
        title=truncate(heading, EMBED_TITLE),
        description=truncate("\n".join(lines) or t("Nobody has played yet."), EMBED_DESCRIPTION),
        colour=discord.Colour.gold(),
    )


def _leaderboard_line(t: Speech, row: LeaderboardRow, viewer: int) -> str:
    line = t(
        "{rank} {member} — {points} pts · {wins} · {accuracy} right",
        rank=MEDALS.get(row.rank, f"{t.number(row.rank)}."),
        member=mention(row.user_id),
        points=t.number(row.points),
        wins=t.plural("{n} win", "{n} wins", row.wins),
        accuracy=percent(t, row.accuracy),
    )
    return f"**{line}**" if row.user_id == viewer else line


def stats_embed(t: Speech, user_id: int, stats: MemberStats, favourite: str | None) -> discord.Embed:
    """A member's trivia stats."""
    embed = discord.Embed(
        title=t("Trivia stats"), description=t("For {member}", member=mention(user_id)), colour=COLOUR
    )
    fields = [
        (t("Games"), t.number(stats.games)),
        (t("Answers"), t.number(stats.answers)),
        (t("Accuracy"), percent(t, stats.accuracy)),
        (t("Points"), t.number(stats.points)),
        (t("Wins"), t.number(stats.wins)),
        (t("Best streak"), t.number(stats.best_streak)),
        (t("Daily streak"), t.plural("{n} day", "{n} days", stats.daily_streak)),
        (t("Favourite film"), truncate(safe(favourite), FIELD_VALUE) if favourite else "—"),
    ]
    add_fields_within_limits(embed, fields, inline=True)
    return embed


def daily_embed(t: Speech, day: dt.date, shown: dict[str, Any]) -> discord.Embed:
    """The day's question: text and lettered choices (`shown` is the stored question)."""
    lines = [safe(shown_text(t, shown)), ""]
    lines += [f"**{LETTERS[index]}.** {safe(choice)}" for index, choice in enumerate(shown["choices"])]
    embed = discord.Embed(
        title=t("Daily question — {date}", date=t.date(day, "long")),
        description=truncate("\n".join(lines), EMBED_DESCRIPTION),
        colour=COLOUR,
    )
    embed.set_footer(text=t("One answer each. The answer and results are revealed tomorrow."))
    return embed


def daily_reveal_embed(
    t: Speech, day: dt.date, shown: dict[str, Any], answers: Sequence[TriviaDailyAnswer]
) -> discord.Embed:
    """A past daily question with its answer and how the server did."""
    right = [answer for answer in answers if answer.correct]
    lines = [safe(shown_text(t, shown)), "", f"✅ **{safe(shown['answer'])}**", ""]
    if answers:
        lines.append(
            t.plural(
                "{right} of {n} answered correctly.",
                "{right} of {n} answered correctly.",
                len(answers),
                right=t.number(len(right)),
            )
        )
    else:
        lines.append(t("Nobody answered."))
    if right:
        lines.append(t("Right: {members}", members=t.list([mention(answer.user_id) for answer in right[:40]])))
    if shown.get("author"):
        lines.append(t("Question by {author}", author=safe(one_line(shown["author"]))))
    return discord.Embed(
        title=t("Daily question — {date} — answer", date=t.date(day, "long")),
        description=truncate("\n".join(lines), EMBED_DESCRIPTION),
        colour=discord.Colour.green(),
    )
