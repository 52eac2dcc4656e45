"""One trivia game as a pure state machine: ask, answer, close, repeat, then standings.

The engine (``engine.py``) drives it and does all the I/O: it asks a question (``ask``), feeds every
button press or typed answer to ``answer`` (persisting ``outcome.record`` when one
is accepted), closes the round at the deadline or as soon as ``everyone_answered``
(``close``), shows the :class:`RoundResult`, and repeats until ``finished``. Time is
always passed in (``now``), so tests need no clock.

Rules kept here:

* a member answers each question once (both modes); later attempts are refused
  with "already_answered", answers after the time limit with "too_late", and any
  answer while no round is open with "closed", so a stale button can never score;
* points are computed when the answer arrives (speed and streak are known then);
* a streak counts right answers in consecutive questions: a wrong answer or a
  skipped question resets it;
* the game ends after its last question, after three questions in a row nobody
  answered, or when stopped; a stopped game still has standings and a winner;
* *players* are the members who answered at least one question of this game, unless
  a fixed roster is passed in. The early close (``everyone_answered``) only counts
  players known when the question was asked, so the first question of a game
  without a roster always runs to its time limit: nobody can know who is playing yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from cogs.trivia.questions import MAX_QUESTIONS, MIN_QUESTIONS, Question
from cogs.trivia.scoring import Standing, standings, winner
from cogs.trivia.scoring import points as score_points

__all__ = [
    "DEFAULT_DAILY_TIME",
    "DEFAULT_SECONDS",
    "UNANSWERED_LIMIT",
    "AnswerOutcome",
    "AnswerRecord",
    "EndReason",
    "GameState",
    "Mode",
    "OutcomeStatus",
    "Round",
    "RoundResult",
]

Mode = Literal["buttons", "typed"]
OutcomeStatus = Literal["accepted", "already_answered", "closed", "too_late", "invalid"]
EndReason = Literal["completed", "unanswered", "stopped"]
UNANSWERED_LIMIT = 3
"""Questions in a row with no answer at all that end a game."""
DEFAULT_SECONDS = 20
"""Seconds to answer a question when the server has not chosen (settings allow 10 to 60)."""
DEFAULT_DAILY_TIME = "09:00"
"""When the daily question is posted, in the server's timezone, when the server has not chosen."""


@dataclass(frozen=True)
class AnswerRecord:
    """One accepted answer, everything the cog needs to persist it.

    ``answer`` is the text stored (the chosen button's text or what was typed);
    ``choice`` the button index in buttons mode; ``streak`` the right answers in a
    row the member had before this one; ``time_ms`` the time taken.
    """

    user_id: int
    question_key: str
    round_number: int
    answer: str
    choice: int | None
    correct: bool
    time_ms: int
    points: int
    streak: int
    answered_at: dt.datetime

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict (``answered_at`` as ISO 8601)."""
        return {
            "user_id": self.user_id,
            "question_key": self.question_key,
            "round_number": self.round_number,
            "answer": self.answer,
            "choice": self.choice,
            "correct": self.correct,
            "time_ms": self.time_ms,
            "points": self.points,
            "streak": self.streak,
            "answered_at": self.answered_at.isoformat(),
        }


@dataclass(frozen=True)
class AnswerOutcome:
    """What happened to one answer; ``record`` is set only when it was accepted."""

    status: OutcomeStatus
    record: AnswerRecord | None = None

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"


@dataclass(frozen=True)
class Round:
    """The question being asked: its number (1-based), choices (buttons mode), and timing."""

    number: int
    question: Question
    choices: tuple[str, ...]
    right_index: int | None
    asked_at: dt.datetime
    deadline: dt.datetime


@dataclass(frozen=True)
class RoundResult:
    """The reveal of one closed round.

    ``counts[i]`` is how many members picked choice ``i`` and ``shares[i]`` that as
    a share of the round's answers (0.0 when nobody answered; empty in typed mode).
    ``correct_users`` are in the order they answered; ``fastest`` is the quickest
    right answer's member. ``points`` holds every answering member's points (0 when wrong).
    """

    number: int
    question: Question
    choices: tuple[str, ...]
    right_index: int | None
    answers: tuple[AnswerRecord, ...]
    counts: tuple[int, ...]
    shares: tuple[float, ...]
    correct_users: tuple[int, ...]
    fastest: int | None
    fastest_ms: int | None
    points: Mapping[int, int]
    closed_at: dt.datetime

    @property
    def right_answer(self) -> str:
        """The canonical answer, shown on reveal."""
        return self.question.answer

    @property
    def film_key(self) -> str | None:
        """The film the question comes from, if any."""
        return self.question.film_key

    @property
    def unanswered(self) -> bool:
        """Whether nobody answered this round at all."""
        return not self.answers


@dataclass
class _OpenRound:
    round: Round
    roster: frozenset[int]
    answers: dict[int, AnswerRecord] = field(default_factory=dict)


class GameState:
    """The state of one game; see the module docstring for its rules.

    ``checker`` decides typed answers (``AnswerChecker.check`` fits) and is required
    in typed mode. ``players`` fixes the roster used for the early close; without
    it the roster grows as members answer.
    """

    def __init__(
        self,
        *,
        mode: Mode,
        question_count: int,
        time_limit_s: float,
        checker: Callable[[Question, str], bool] | None = None,
        players: Collection[int] | None = None,
        unanswered_limit: int = UNANSWERED_LIMIT,
    ) -> None:
        if mode not in ("buttons", "typed"):
            raise ValueError(f"unknown mode {mode!r}")
        if not MIN_QUESTIONS <= question_count <= MAX_QUESTIONS:
            raise ValueError(f"question_count must be {MIN_QUESTIONS}..{MAX_QUESTIONS}, not {question_count}")
        if not time_limit_s > 0:
            raise ValueError("time_limit_s must be positive")
        if mode == "typed" and checker is None:
            raise ValueError("typed mode needs an answer checker")
        self.mode: Mode = mode
        self.question_count = question_count
        self.time_limit_s = float(time_limit_s)
        self._checker = checker
        self._roster: frozenset[int] | None = frozenset(players) if players is not None else None
        self._unanswered_limit = unanswered_limit
        self._open: _OpenRound | None = None
        self._results: list[RoundResult] = []
        self._records: list[AnswerRecord] = []
        self._players: set[int] = set()
        self._streaks: dict[int, int] = {}
        self._unanswered_run = 0
        self._asked = 0
        self._stopped = False

    # ------------------------------------------------------------------ state

    @property
    def asked(self) -> int:
        """Questions asked so far (the open one included)."""
        return self._asked

    @property
    def current(self) -> Round | None:
        """The open round, or None between rounds and after the end."""
        return self._open.round if self._open else None

    @property
    def results(self) -> tuple[RoundResult, ...]:
        """Every closed round, in order."""
        return tuple(self._results)

    @property
    def records(self) -> tuple[AnswerRecord, ...]:
        """Every accepted answer of the game, in the order received."""
        return tuple(self._records)

    @property
    def players(self) -> frozenset[int]:
        """Members who answered at least one question of this game."""
        return frozenset(self._players)

    @property
    def finished(self) -> bool:
        """Whether the game is over (then ``end_reason`` says why)."""
        return self.end_reason is not None

    @property
    def end_reason(self) -> EndReason | None:
        """ "stopped", "unanswered" (three rounds in a row without answers), "completed", or None while running."""
        if self._stopped:
            return "stopped"
        if self._unanswered_run >= self._unanswered_limit:
            return "unanswered"
        if self._asked >= self.question_count and self._open is None:
            return "completed"
        return None

    def is_due(self, now: dt.datetime) -> bool:
        """Whether the open round's time is up at ``now`` (False when no round is open)."""
        return self._open is not None and now >= self._open.round.deadline

    # ------------------------------------------------------------------ playing

    def ask(self, question: Question, choices: Sequence[str] | None, now: dt.datetime) -> Round:
        """Open the next round with ``question``; buttons mode needs its ``choices`` (the answer among them once)."""
        if self.finished:
            raise RuntimeError("the game is over")
        if self._open is not None:
            raise RuntimeError("close the open round before asking the next question")
        options = tuple(choices or ())
        right_index: int | None = None
        if self.mode == "buttons":
            if options.count(question.answer) != 1 or len(set(options)) != len(options):
                raise ValueError("buttons mode needs distinct choices holding the answer exactly once")
            right_index = options.index(question.answer)
        self._asked += 1
        round_ = Round(
            number=self._asked,
            question=question,
            choices=options,
            right_index=right_index,
            asked_at=now,
            deadline=now + dt.timedelta(seconds=self.time_limit_s),
        )
        roster = self._roster if self._roster is not None else frozenset(self._players)
        self._open = _OpenRound(round_, roster)
        return round_

    def answer(self, user_id: int, value: int | str, now: dt.datetime) -> AnswerOutcome:
        """Take ``user_id``'s answer: a choice index in buttons mode, the typed text in typed mode."""
        open_round = self._open
        if open_round is None:
            return AnswerOutcome("closed")
        if user_id in open_round.answers:
            return AnswerOutcome("already_answered")
        round_ = open_round.round
        elapsed = (now - round_.asked_at).total_seconds()
        if elapsed > self.time_limit_s:
            return AnswerOutcome("too_late")
        question = round_.question
        if self.mode == "buttons":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < len(round_.choices):
                return AnswerOutcome("invalid")
            text, choice = round_.choices[value], value
            correct = value == round_.right_index
        else:
            if not isinstance(value, str) or not value.strip():
                return AnswerOutcome("invalid")
            assert self._checker is not None  # checked in __init__
            text, choice = value.strip(), None
            correct = self._checker(question, text)
        elapsed = max(elapsed, 0.0)  # a clock step backwards is not a negative time
        streak = self._streaks.get(user_id, 0)
        earned = score_points(question.difficulty, elapsed, self.time_limit_s, streak) if correct else 0
        record = AnswerRecord(
            user_id=user_id,
            question_key=question.key,
            round_number=round_.number,
            answer=text,
            choice=choice,
            correct=correct,
            time_ms=round(elapsed * 1000),
            points=earned,
            streak=streak,
            answered_at=now,
        )
        open_round.answers[user_id] = record
        self._records.append(record)
        self._players.add(user_id)
        return AnswerOutcome("accepted", record)

    def everyone_answered(self, players: Collection[int] | None = None) -> bool:
        """Whether every player has answered the open round, so it may close early.

        ``players`` overrides the game's roster (the fixed one, else the members who
        answered an earlier question). An empty roster is never "everyone".
        """
        if self._open is None:
            return False
        roster = frozenset(players) if players is not None else self._open.roster
        return bool(roster) and roster <= self._open.answers.keys()

    def close(self, now: dt.datetime) -> RoundResult:
        """Close the open round and return its reveal; streaks and the unanswered run move on."""
        open_round = self._open
        if open_round is None:
            raise RuntimeError("no round is open")
        round_ = open_round.round
        answers = tuple(open_round.answers.values())
        counts = tuple(sum(1 for a in answers if a.choice == index) for index in range(len(round_.choices)))
        shares = tuple(count / len(answers) if answers else 0.0 for count in counts)
        right = [a for a in answers if a.correct]
        fastest = min(right, key=lambda a: a.time_ms) if right else None
        result = RoundResult(
            number=round_.number,
            question=round_.question,
            choices=round_.choices,
            right_index=round_.right_index,
            answers=answers,
            counts=counts,
            shares=shares,
            correct_users=tuple(a.user_id for a in right),
            fastest=fastest.user_id if fastest else None,
            fastest_ms=fastest.time_ms if fastest else None,
            points={a.user_id: a.points for a in answers},
            closed_at=now,
        )
        # Anyone who has played and did not answer this one right loses their streak.
        for user_id in self._players | self._streaks.keys():
            record = open_round.answers.get(user_id)
            self._streaks[user_id] = self._streaks.get(user_id, 0) + 1 if record and record.correct else 0
        self._unanswered_run = 0 if answers else self._unanswered_run + 1
        self._results.append(result)
        self._open = None
        return result

    def stop(self, now: dt.datetime) -> RoundResult | None:
        """End the game now. An open round is closed first (its answers count) and its reveal returned."""
        if self.finished:
            return None
        result = self.close(now) if self._open is not None else None
        self._stopped = True
        return result

    # ------------------------------------------------------------------ results

    def standings(self) -> list[Standing]:
        """Everyone who answered, best first (points, then total answer time)."""
        return standings(self._records)

    def winner(self) -> int | None:
        """The winner, or None with fewer than two players who answered (or nobody scoring, or a tie)."""
        return winner(self.standings(), self._players)
