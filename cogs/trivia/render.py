"""Trivia embeds: questions, reveals, standings, leaderboards and stats. Pure functions.

Members are shown as `<@id>` mentions inside embeds: Discord renders their names without any
member list (no privileged intent) and mentions in embeds never ping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import discord

from bot.formatting import (
    EMBED_DESCRIPTION,
    EMBED_TITLE,
    FIELD_VALUE,
    add_fields_within_limits,
    fit_lines,
    safe,
    truncate,
)
from cogs.trivia.game import Round, RoundResult
from cogs.trivia.scoring import Standing
from db.names import one_line
from db.repositories.trivia import LeaderboardRow, MemberStats, TriviaDailyAnswer

COLOUR = discord.Colour.blurple()
LETTERS = "ABCD"
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}

FilmTitle = Callable[[str | None], str | None]


def mention(user_id: int) -> str:
    return f"<@{user_id}>"


def question_embed(round_: Round, total: int, seconds: int, answered: int) -> discord.Embed:
    """The question as posted: its text, lettered choices (buttons mode) and the answer count."""
    question = round_.question
    lines = [safe(question.text)]
    if round_.choices:
        lines.append("")
        lines += [f"**{LETTERS[index]}.** {safe(choice)}" for index, choice in enumerate(round_.choices)]
    embed = discord.Embed(
        title=f"Question {round_.number} of {total}",
        description=truncate("\n".join(lines), EMBED_DESCRIPTION),
        colour=COLOUR,
    )
    closes = int(round_.deadline.timestamp())
    embed.add_field(name="Closes", value=f"<t:{closes}:R>")
    embed.add_field(name="Difficulty", value=question.difficulty.title())
    embed.set_footer(text=f"{answered} answered · {seconds} s per question")
    return embed


def reveal_embed(result: RoundResult, total: int, film_title: FilmTitle) -> discord.Embed:
    """The closed question: the right answer, how players split, who was right and fastest, the film."""
    question = result.question
    lines = [safe(question.text), "", f"✅ **{safe(result.right_answer)}**"]
    if result.choices:
        for index, choice in enumerate(result.choices):
            mark = "✅" if index == result.right_index else "▫️"
            share = result.shares[index] if index < len(result.shares) else 0.0
            count = result.counts[index] if index < len(result.counts) else 0
            lines.append(f"{mark} {LETTERS[index]}. {safe(choice)} — {share:.0%} ({count})")
    embed = discord.Embed(
        title=f"Question {result.number} of {total} — closed",
        description=truncate("\n".join(lines), EMBED_DESCRIPTION),
        colour=discord.Colour.green() if result.correct_users else discord.Colour.dark_grey(),
    )
    right = ", ".join(mention(user) for user in result.correct_users) or "Nobody"
    fields = [("Right", right)]
    if result.fastest is not None and result.fastest_ms is not None:
        fields.append(("Fastest", f"{mention(result.fastest)} in {result.fastest_ms / 1000:.1f} s"))
    title = film_title(result.film_key)
    if title:
        fields.append(("From", safe(title)))
    if question.author:
        # Pack text naming a person: made inert like every pack text, so a "<@id>" in it never pings.
        fields.append(("Question by", safe(question.author)))
    add_fields_within_limits(embed, fields)
    embed.set_footer(text=f"{len(result.answers)} answered")
    return embed


def standings_embed(title: str, standings: Sequence[Standing], winner: int | None, note: str = "") -> discord.Embed:
    lines = [
        f"{MEDALS.get(standing.rank, f'{standing.rank}.')} {mention(standing.user_id)} — {standing.points} pts "
        f"({standing.correct}/{standing.answered} right, {standing.total_time_ms / 1000:.1f} s)"
        for standing in standings
    ]
    if winner is not None:
        lines.insert(0, f"🏆 Winner: {mention(winner)}\n")
    elif standings:
        lines.insert(0, "No winner: a win needs at least two players who answered.\n")
    if note:
        lines.insert(0, note + "\n")
    return discord.Embed(
        title=truncate(title, EMBED_TITLE),
        # A game can have more players than a page of standings holds: say how many are not shown.
        description=fit_lines(lines, EMBED_DESCRIPTION, more="…and {} more players") or "Nobody answered.",
        colour=discord.Colour.gold(),
    )


def leaderboard_embed(
    heading: str, rows: Sequence[LeaderboardRow], own: LeaderboardRow | None, viewer: int
) -> discord.Embed:
    lines = [_leaderboard_line(row, viewer) for row in rows]
    if own is not None and all(row.user_id != own.user_id for row in rows):
        lines += ["…", _leaderboard_line(own, viewer)]
    return discord.Embed(
        title=truncate(heading, EMBED_TITLE),
        description=truncate("\n".join(lines) or "Nobody has played yet.", EMBED_DESCRIPTION),
        colour=discord.Colour.gold(),
    )


def _leaderboard_line(row: LeaderboardRow, viewer: int) -> str:
    line = (
        f"{MEDALS.get(row.rank, f'{row.rank}.')} {mention(row.user_id)} — {row.points} pts · "
        f"{row.wins} win{'s' if row.wins != 1 else ''} · {row.accuracy:.0%} right"
    )
    return f"**{line}**" if row.user_id == viewer else line


def stats_embed(user_id: int, stats: MemberStats, favourite: str | None) -> discord.Embed:
    embed = discord.Embed(title="Trivia stats", description=f"For {mention(user_id)}", colour=COLOUR)
    fields = [
        ("Games", str(stats.games)),
        ("Answers", str(stats.answers)),
        ("Accuracy", f"{stats.accuracy:.0%}"),
        ("Points", str(stats.points)),
        ("Wins", str(stats.wins)),
        ("Best streak", str(stats.best_streak)),
        ("Daily streak", f"{stats.daily_streak} day{'s' if stats.daily_streak != 1 else ''}"),
        ("Favourite film", truncate(safe(favourite), FIELD_VALUE) if favourite else "—"),
    ]
    add_fields_within_limits(embed, fields, inline=True)
    return embed


def _date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def daily_embed(day: dt.date, shown: dict[str, Any]) -> discord.Embed:
    """The day's question: text and lettered choices (`shown` is the stored question)."""
    lines = [safe(shown["text"]), ""]
    lines += [f"**{LETTERS[index]}.** {safe(choice)}" for index, choice in enumerate(shown["choices"])]
    embed = discord.Embed(
        title=f"Daily question — {_date(day)}",
        description=truncate("\n".join(lines), EMBED_DESCRIPTION),
        colour=COLOUR,
    )
    embed.set_footer(text="One answer each. The answer and results are revealed tomorrow.")
    return embed


def daily_reveal_embed(day: dt.date, shown: dict[str, Any], answers: Sequence[TriviaDailyAnswer]) -> discord.Embed:
    """A past daily question with its answer and how the server did."""
    right = [answer for answer in answers if answer.correct]
    lines = [safe(shown["text"]), "", f"✅ **{safe(shown['answer'])}**", ""]
    lines.append(f"{len(right)} of {len(answers)} answered correctly." if answers else "Nobody answered.")
    if right:
        lines.append("Right: " + ", ".join(mention(answer.user_id) for answer in right[:40]))
    if shown.get("author"):
        lines.append(f"Question by {safe(one_line(shown['author']))}")
    return discord.Embed(
        title=f"Daily question — {_date(day)} — answer",
        description=truncate("\n".join(lines), EMBED_DESCRIPTION),
        colour=discord.Colour.green(),
    )
