"""Trivia points, standings and the winner.

A right answer earns ``BASE[difficulty]`` times a speed factor, plus a streak bonus:

* speed factor: 1.0 for an answer at 0 s, falling linearly to 0.5 at the time
  limit (clamped: a late or negative time counts as the limit or 0 s);
* streak bonus: +10 % of the base for each right answer in a row *before* this one,
  capped at +50 % (five in a row), so one lucky run cannot outweigh the rest of a game.

So one answer earns between ``base * 0.5`` and ``base * 1.5``. A wrong answer earns
nothing. Standings rank by points, then by total answer time (faster wins a tie).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "BASE",
    "MIN_SPEED_FACTOR",
    "STREAK_CAP",
    "STREAK_STEP",
    "ScoredAnswer",
    "Standing",
    "points",
    "speed_factor",
    "standings",
    "streak_bonus",
    "winner",
]

BASE: dict[str, int] = {"easy": 100, "medium": 200, "hard": 300}
MIN_SPEED_FACTOR = 0.5
"""Share of the base earned by a right answer given at the very last moment."""
STREAK_STEP = 0.10
"""Bonus per right answer in a row before this one, as a share of the base."""
STREAK_CAP = 0.50
"""Largest streak bonus, as a share of the base (reached after five in a row)."""


def speed_factor(elapsed_s: float, limit_s: float) -> float:
    """1.0 at 0 s falling linearly to 0.5 at ``limit_s``; clamped to that range.

    A limit of 0 or less means "no time limit": every answer is as fast as can be.
    """
    if limit_s <= 0 or math.isnan(limit_s):
        return 1.0
    if math.isnan(elapsed_s):
        return MIN_SPEED_FACTOR  # an unknown time earns the least, never more
    fraction = min(max(elapsed_s / limit_s, 0.0), 1.0)
    return 1.0 - (1.0 - MIN_SPEED_FACTOR) * fraction


def streak_bonus(streak: int) -> float:
    """The bonus share for ``streak`` right answers in a row before this one (0 to :data:`STREAK_CAP`)."""
    return min(max(streak, 0) * STREAK_STEP, STREAK_CAP)


def points(difficulty: str, elapsed_s: float, limit_s: float, streak: int) -> int:
    """Points for a right answer given after ``elapsed_s`` of ``limit_s`` seconds.

    ``streak`` is how many right answers in a row the member gave just before this
    one. Rounded half up, so the result is monotone in time and never negative.
    Raises ``ValueError`` for a difficulty that is not in :data:`BASE`.
    """
    if difficulty not in BASE:
        raise ValueError(f"unknown difficulty {difficulty!r}")
    base = BASE[difficulty]
    return math.floor(base * speed_factor(elapsed_s, limit_s) + base * streak_bonus(streak) + 0.5)


class ScoredAnswer(Protocol):
    """One scored answer: ``game.AnswerRecord`` and the repository's ``TriviaAnswer`` fit."""

    @property
    def user_id(self) -> int: ...
    @property
    def correct(self) -> bool: ...
    @property
    def points(self) -> int: ...
    @property
    def time_ms(self) -> int: ...


@dataclass(frozen=True)
class Standing:
    """One member's result in a game.

    ``rank`` starts at 1; members with equal points and equal total time share it.
    ``total_time_ms`` adds the time of every answer the member gave, right or wrong.
    """

    user_id: int
    rank: int
    points: int
    correct: int
    answered: int
    total_time_ms: int


def standings(answers: Iterable[ScoredAnswer]) -> list[Standing]:
    """Everyone who answered, best first: most points, then least total answer time, then user id."""
    totals: dict[int, list[int]] = {}
    for answer in answers:
        row = totals.setdefault(answer.user_id, [0, 0, 0, 0])
        row[0] += answer.points
        row[1] += 1 if answer.correct else 0
        row[2] += 1
        row[3] += max(answer.time_ms, 0)
    ordered = sorted(totals.items(), key=lambda item: (-item[1][0], item[1][3], item[0]))
    result: list[Standing] = []
    for position, (user_id, (total, correct, answered, time_ms)) in enumerate(ordered, start=1):
        previous = result[-1] if result else None
        tied = previous is not None and (previous.points, previous.total_time_ms) == (total, time_ms)
        rank = previous.rank if tied and previous is not None else position
        result.append(Standing(user_id, rank, total, correct, answered, time_ms))
    return result


def winner(standings: Sequence[Standing], players_who_answered: Collection[int]) -> int | None:
    """The game's winner, or None.

    None when fewer than two players answered (a solo game is practice, not a win),
    when nobody scored, or when the first two are tied on points and time alike.
    """
    if len(set(players_who_answered)) < 2 or not standings:
        return None
    top = standings[0]
    if top.points <= 0:
        return None
    if len(standings) > 1 and standings[1].rank == top.rank:
        return None
    return top.user_id
