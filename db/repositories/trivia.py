"""Trivia state: settings, games, rounds and answers, recent questions, the daily question.

Every time comes from the caller as an aware datetime (``now``) and is stored as ISO-8601
UTC text with microseconds, whose text order is time order. Days are ``datetime.date``
values stored as ``YYYY-MM-DD``. Questions are stored as the caller's JSON text
(``question_json``): the repository never looks inside it.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from db.connection import Database, Row, Transaction
from db.repositories.leases import EXPIRED, Lease
from db.repositories.privacy import NOT_ERASED_SINCE, erasure_params, member_key
from db.repositories.stamps import stamp

GameMode = Literal["buttons", "typed"]
DailyPostStatus = Literal["scheduled", "sending", "sent", "failed", "skipped"]
GameStatus = Literal["running", "finished", "stopped", "interrupted", "failed"]
EndStatus = Literal["finished", "stopped", "interrupted", "failed"]

RECENT_LIMIT = 200
"""How many recently asked question keys are kept per guild."""

WHOLE_SERVER = 0
"""The ``channel_id`` of guild-wide trivia settings."""

_END_STATUSES = frozenset({"finished", "stopped", "interrupted", "failed"})
_T = TypeVar("_T")


class _Unset(enum.Enum):
    UNSET = enum.auto()


UNSET = _Unset.UNSET
"""Default of optional setting arguments: leave that field as it is."""


class _ChannelBusyError(Exception):
    """Internal: rolls back a start_game whose channel already has a running game."""


# ---------------------------------------------------------------- value objects


@dataclass(frozen=True)
class TriviaSettings:
    """Effective trivia settings of a channel (None = not set anywhere, no default given)."""

    guild_id: int
    channel_id: int
    seconds: int | None
    newest_film_key: str | None


@dataclass(frozen=True)
class TriviaDailySettings:
    """Where and when a guild's daily question is posted; ``channel_id`` None = off."""

    guild_id: int
    channel_id: int | None
    post_time: str | None
    updated_at: dt.datetime
    paused_reason: str | None = None  # set by a failure no retry can fix, until the settings are saved again


@dataclass(frozen=True)
class TriviaGame:
    """One game of trivia in a channel."""

    id: int
    guild_id: int
    channel_id: int
    starter_id: int
    mode: GameMode
    difficulty: str
    film_key: str | None
    question_count: int
    seconds: int
    status: GameStatus
    end_reason: str | None
    started_at: dt.datetime
    ended_at: dt.datetime | None
    winner_id: int | None
    message_id: int | None


@dataclass(frozen=True)
class TriviaRound:
    """One question of a game, as it was shown."""

    game_id: int
    number: int
    question_key: str
    film_key: str | None
    question_json: str
    asked_at: dt.datetime
    closed_at: dt.datetime | None


@dataclass(frozen=True)
class TriviaAnswer:
    """A member's answer to one round of a game."""

    game_id: int
    round_number: int
    guild_id: int
    user_id: int
    answer: str
    correct: bool
    time_ms: int
    points: int
    answered_at: dt.datetime


@dataclass(frozen=True)
class LeaderboardRow:
    """A member's totals and rank (1 = best; equal points and wins share a rank)."""

    rank: int
    user_id: int
    points: int
    wins: int
    answers: int
    correct: int
    accuracy: float


@dataclass(frozen=True)
class MemberStats:
    """A member's all-time trivia record in one guild (games only, apart from daily_streak)."""

    games: int
    answers: int
    correct: int
    accuracy: float
    best_streak: int
    daily_streak: int
    favourite_film_key: str | None
    points: int
    wins: int


@dataclass(frozen=True)
class TriviaDaily:
    """A guild's daily question for one day."""

    guild_id: int
    day: dt.date
    question_key: str
    film_key: str | None
    question_json: str
    channel_id: int | None
    message_id: int | None
    posted_at: dt.datetime
    revealed_at: dt.datetime | None


@dataclass(frozen=True)
class TriviaDailyPost:
    """The automatic post of a guild's daily question for one day (an outbox row)."""

    guild_id: int
    day: dt.date
    channel_id: int
    due_at: dt.datetime
    wake_at: dt.datetime
    status: DailyPostStatus
    attempts: int
    late: bool
    reason: str | None
    nonce: str
    message_id: int | None
    finished_at: dt.datetime | None
    first_try_at: dt.datetime | None = None  # a retry long after it must look for that try's message first
    lease_until: dt.datetime | None = None  # while being sent: when its sender's claim runs out unless renewed


@dataclass(frozen=True)
class TriviaDailyAnswer:
    """A member's answer to a daily question."""

    guild_id: int
    day: dt.date
    user_id: int
    answer: str
    correct: bool
    answered_at: dt.datetime


# ---------------------------------------------------------------- conversions


def _time(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


def _required_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _accuracy(correct: int, answers: int) -> float:
    return correct / answers if answers else 0.0


def _pick(value: _T | _Unset, current: _T) -> _T:
    return current if isinstance(value, _Unset) else value


_GAME_COLUMNS = """
    id, guild_id, channel_id, starter_id, mode, difficulty, film_key, question_count, seconds,
    status, end_reason, started_at, ended_at, winner_id, message_id
"""
_ROUND_COLUMNS = "game_id, number, question_key, film_key, question_json, asked_at, closed_at"
_ANSWER_COLUMNS = "game_id, round_number, guild_id, user_id, answer, correct, time_ms, points, answered_at"
_DAILY_COLUMNS = """
    guild_id, day, question_key, film_key, question_json, channel_id, message_id, posted_at, revealed_at
"""
_DAILY_POST_COLUMNS = (
    "guild_id, day, channel_id, due_at, wake_at, status, attempts, late, reason, nonce, message_id, finished_at, "
    "first_try_at, lease_until"
)
# A daily post is held by the owner that claimed it while it is being sent; recording its outcome releases it.
_HELD = "status = 'sending' AND lease_owner = ?"
_RELEASED = "lease_owner = NULL, lease_until = NULL"
_DAILY_SETTINGS_COLUMNS = "guild_id, channel_id, post_time, updated_at, paused_reason"


def _game(row: Row) -> TriviaGame:
    return TriviaGame(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        starter_id=row["starter_id"],
        mode=row["mode"],
        difficulty=row["difficulty"],
        film_key=row["film_key"],
        question_count=row["question_count"],
        seconds=row["seconds"],
        status=row["status"],
        end_reason=row["end_reason"],
        started_at=_required_time(row["started_at"]),
        ended_at=_time(row["ended_at"]),
        winner_id=row["winner_id"],
        message_id=row["message_id"],
    )


def _round(row: Row) -> TriviaRound:
    return TriviaRound(
        row["game_id"],
        row["number"],
        row["question_key"],
        row["film_key"],
        row["question_json"],
        _required_time(row["asked_at"]),
        _time(row["closed_at"]),
    )


def _answer(row: Row) -> TriviaAnswer:
    return TriviaAnswer(
        row["game_id"],
        row["round_number"],
        row["guild_id"],
        row["user_id"],
        row["answer"],
        bool(row["correct"]),
        row["time_ms"],
        row["points"],
        _required_time(row["answered_at"]),
    )


def _daily(row: Row) -> TriviaDaily:
    return TriviaDaily(
        guild_id=row["guild_id"],
        day=dt.date.fromisoformat(row["day"]),
        question_key=row["question_key"],
        film_key=row["film_key"],
        question_json=row["question_json"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        posted_at=_required_time(row["posted_at"]),
        revealed_at=_time(row["revealed_at"]),
    )


def _daily_post(row: Row) -> TriviaDailyPost:
    return TriviaDailyPost(
        guild_id=row["guild_id"],
        day=dt.date.fromisoformat(row["day"]),
        channel_id=row["channel_id"],
        due_at=_required_time(row["due_at"]),
        wake_at=_required_time(row["wake_at"]),
        status=row["status"],
        attempts=row["attempts"],
        late=bool(row["late"]),
        reason=row["reason"],
        nonce=row["nonce"],
        message_id=row["message_id"],
        finished_at=_time(row["finished_at"]),
        first_try_at=_time(row["first_try_at"]),
        lease_until=_time(row["lease_until"]),
    )


def _daily_answer(row: Row) -> TriviaDailyAnswer:
    return TriviaDailyAnswer(
        row["guild_id"],
        dt.date.fromisoformat(row["day"]),
        row["user_id"],
        row["answer"],
        bool(row["correct"]),
        _required_time(row["answered_at"]),
    )


def _leaderboard_row(row: Row) -> LeaderboardRow:
    answers, correct = row["answers"], row["correct"]
    return LeaderboardRow(
        row["rank"], row["user_id"], row["points"], row["wins"], answers, correct, _accuracy(correct, answers)
    )


def _validate_seconds(seconds: int | None) -> None:
    if seconds is not None and not 10 <= seconds <= 60:
        raise ValueError(f"trivia seconds must be between 10 and 60, got {seconds}")


def _validate_post_time(post_time: str | None) -> None:
    if post_time is None:
        return
    try:
        valid = len(post_time) == 5 and dt.time.fromisoformat(post_time).strftime("%H:%M") == post_time
    except ValueError:
        valid = False
    if not valid:
        raise ValueError(f"post time must be HH:MM (00:00 to 23:59), got {post_time!r}")


def _longest_run(flags: list[bool]) -> int:
    """The longest run of consecutive True values."""
    best = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        best = max(best, run)
    return best


def _daily_streak(dailies: list[Row], answers: dict[str, bool]) -> int:
    """Consecutive correctly answered dailies, newest first, from the guild's latest daily.

    ``dailies`` are the guild's (day, revealed_at) rows, newest first. The newest ones may
    still be open and unanswered: they do not break the streak yet, they are skipped.
    Days without a daily (the bot was down, the feature off) do not break it either.
    """
    streak = 0
    for row in dailies:
        day = row["day"]
        if streak == 0 and day not in answers and row["revealed_at"] is None:
            continue
        if not answers.get(day, False):
            break
        streak += 1
    return streak


# ---------------------------------------------------------------- leaderboard SQL

# Parameters: guild, since x2, film x2 (answers), guild, since x2, film x2 (wins).
# PostgreSQL cannot infer the type of a bare "? IS NULL" parameter, hence CAST.
_RANKED = """
WITH answer_totals AS (
    SELECT a.user_id, SUM(a.points) AS points, COUNT(*) AS answers, SUM(a.correct) AS correct
    FROM trivia_answers a
    JOIN trivia_rounds r ON r.game_id = a.game_id AND r.number = a.round_number
    JOIN trivia_games g ON g.id = a.game_id
    WHERE a.guild_id = ? AND (CAST(? AS TEXT) IS NULL OR a.answered_at >= ?)
      AND (CAST(? AS TEXT) IS NULL OR COALESCE(r.film_key, g.film_key) = ?)
    GROUP BY a.user_id
),
win_totals AS (
    SELECT winner_id AS user_id, COUNT(*) AS wins FROM trivia_games
    WHERE guild_id = ? AND winner_id IS NOT NULL AND ended_at IS NOT NULL
      AND (CAST(? AS TEXT) IS NULL OR ended_at >= ?)
      AND (CAST(? AS TEXT) IS NULL OR film_key = ?)
    GROUP BY winner_id
),
players AS (
    SELECT user_id FROM answer_totals UNION SELECT user_id FROM win_totals
),
totals AS (
    SELECT p.user_id, COALESCE(t.points, 0) AS points, COALESCE(w.wins, 0) AS wins,
           COALESCE(t.answers, 0) AS answers, COALESCE(t.correct, 0) AS correct
    FROM players p
    LEFT JOIN answer_totals t ON t.user_id = p.user_id
    LEFT JOIN win_totals w ON w.user_id = p.user_id
),
ranked AS (
    SELECT user_id, points, wins, answers, correct,
           RANK() OVER (ORDER BY points DESC, wins DESC) AS rank
    FROM totals
)
"""


def _ranked_params(guild_id: int, since: dt.datetime | None, film_key: str | None) -> tuple[Any, ...]:
    start = None if since is None else stamp(since)
    return (guild_id, start, start, film_key, film_key) * 2


# ---------------------------------------------------------------- repository


class TriviaRepository:
    """Everything trivia stores: settings, games, answers, recent questions and dailies.

    `lease` says which process claims the daily question's posts (default: a new owner, as for a process of
    its own); a process records the outcome only of the posts it holds.
    """

    def __init__(self, db: Database, lease: Lease | None = None) -> None:
        self._db = db
        self.lease = lease or Lease.new()

    # ------------------------------------------------------------ settings

    async def get_settings(
        self,
        guild_id: int,
        channel_id: int,
        *,
        default_seconds: int | None = None,
        default_newest_film_key: str | None = None,
    ) -> TriviaSettings:
        """Effective settings of a channel: its own values, else the server's, else the defaults."""
        rows = await self._db.fetch_all(
            """
            SELECT channel_id, seconds, newest_film_key FROM trivia_settings
            WHERE guild_id = ? AND channel_id IN (?, ?) ORDER BY channel_id
            """,
            (guild_id, WHOLE_SERVER, channel_id),
        )
        # WHOLE_SERVER (0) sorts first, so a channel row overrides it.
        seconds, newest = default_seconds, default_newest_film_key
        for row in rows:
            seconds = seconds if row["seconds"] is None else row["seconds"]
            newest = newest if row["newest_film_key"] is None else row["newest_film_key"]
        return TriviaSettings(guild_id, channel_id, seconds, newest)

    async def stored_settings(self, guild_id: int, channel_id: int) -> TriviaSettings | None:
        """Only what is stored for exactly this channel (or WHOLE_SERVER), without inheritance."""
        row = await self._db.fetch_one(
            "SELECT seconds, newest_film_key FROM trivia_settings WHERE guild_id = ? AND channel_id = ?",
            (guild_id, channel_id),
        )
        return None if row is None else TriviaSettings(guild_id, channel_id, row[0], row[1])

    async def set_settings(
        self,
        guild_id: int,
        channel_id: int,
        *,
        seconds: int | _Unset | None = UNSET,
        newest_film_key: str | _Unset | None = UNSET,
        now: dt.datetime,
    ) -> TriviaSettings | None:
        """Change the given fields of a channel's (or WHOLE_SERVER's) settings; None clears one.

        A row left with nothing set is deleted. Returns what is now stored for exactly
        this channel (as :meth:`stored_settings`).
        """
        if not isinstance(seconds, _Unset):
            _validate_seconds(seconds)
        async with self._db.transaction() as tx:
            row = await tx.fetch_one(
                "SELECT seconds, newest_film_key FROM trivia_settings WHERE guild_id = ? AND channel_id = ?",
                (guild_id, channel_id),
            )
            new_seconds = _pick(seconds, None if row is None else row[0])
            new_newest = _pick(newest_film_key, None if row is None else row[1])
            if new_seconds is None and new_newest is None:
                await tx.execute(
                    "DELETE FROM trivia_settings WHERE guild_id = ? AND channel_id = ?", (guild_id, channel_id)
                )
                return None
            await tx.execute(
                """
                INSERT INTO trivia_settings (guild_id, channel_id, seconds, newest_film_key, updated_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (guild_id, channel_id) DO UPDATE SET seconds = excluded.seconds,
                    newest_film_key = excluded.newest_film_key, updated_at = excluded.updated_at
                """,
                (guild_id, channel_id, new_seconds, new_newest, stamp(now)),
            )
        return TriviaSettings(guild_id, channel_id, new_seconds, new_newest)

    async def daily_settings(self, guild_id: int) -> TriviaDailySettings | None:
        """The guild's daily-question settings, or None if never set."""
        row = await self._db.fetch_one(
            f"SELECT {_DAILY_SETTINGS_COLUMNS} FROM trivia_daily_settings WHERE guild_id = ?", (guild_id,)
        )
        return None if row is None else _daily_settings(row)

    async def set_daily_settings(
        self,
        guild_id: int,
        *,
        channel_id: int | _Unset | None = UNSET,
        post_time: str | _Unset | None = UNSET,
        now: dt.datetime,
    ) -> TriviaDailySettings:
        """Change the given fields (channel None turns the daily question off; time is HH:MM).

        Saving lifts a pause: the admin has had the chance to fix what caused it.
        """
        if not isinstance(post_time, _Unset):
            _validate_post_time(post_time)
        async with self._db.transaction() as tx:
            row = await tx.fetch_one(
                "SELECT channel_id, post_time FROM trivia_daily_settings WHERE guild_id = ?", (guild_id,)
            )
            new_channel = _pick(channel_id, None if row is None else row[0])
            new_time = _pick(post_time, None if row is None else row[1])
            await tx.execute(
                """
                INSERT INTO trivia_daily_settings (guild_id, channel_id, post_time, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id,
                    post_time = excluded.post_time, updated_at = excluded.updated_at,
                    paused_reason = NULL, notice_pending = FALSE
                """,
                (guild_id, new_channel, new_time, stamp(now)),
            )
        return TriviaDailySettings(guild_id, new_channel, new_time, _required_time(stamp(now)))

    async def daily_enabled(self) -> list[TriviaDailySettings]:
        """Every guild whose daily question is on (has a channel), for the scheduler."""
        rows = await self._db.fetch_all(
            f"""
            SELECT {_DAILY_SETTINGS_COLUMNS} FROM trivia_daily_settings
            WHERE channel_id IS NOT NULL ORDER BY guild_id
            """
        )
        return [_daily_settings(row) for row in rows]

    # ------------------------------------------------------------ games

    async def start_game(
        self,
        *,
        guild_id: int,
        channel_id: int,
        starter_id: int,
        mode: GameMode,
        difficulty: str,
        film_key: str | None,
        question_count: int,
        seconds: int,
        now: dt.datetime,
    ) -> TriviaGame | None:
        """Record a new running game; None (and nothing written) if the channel already has one.

        The check and the insert are one transaction and the running marker's primary key
        is the channel, so of two simultaneous starts (even from two processes) one wins.
        """
        try:
            async with self._db.transaction() as tx:
                if await tx.fetch_value("SELECT 1 FROM trivia_running WHERE channel_id = ?", (channel_id,)):
                    raise _ChannelBusyError
                game_id = await tx.fetch_value(
                    """
                    INSERT INTO trivia_games (
                        guild_id, channel_id, starter_id, mode, difficulty, film_key, question_count,
                        seconds, status, started_at
                    ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?) RETURNING id
                    """,
                    (guild_id, channel_id, starter_id, mode, difficulty, film_key, question_count, seconds,
                     stamp(now)),
                )  # fmt: skip
                inserted = await tx.execute(
                    """
                    INSERT INTO trivia_running (channel_id, guild_id, game_id) VALUES (?, ?, ?)
                    ON CONFLICT (channel_id) DO NOTHING
                    """,
                    (channel_id, guild_id, game_id),
                )
                if inserted != 1:
                    raise _ChannelBusyError
                return await _require_game(tx, game_id)
        except _ChannelBusyError:
            return None

    async def game(self, game_id: int) -> TriviaGame | None:
        """The game with this id, or None."""
        row = await self._db.fetch_one(f"SELECT {_GAME_COLUMNS} FROM trivia_games WHERE id = ?", (game_id,))
        return None if row is None else _game(row)

    async def running_game(self, channel_id: int) -> TriviaGame | None:
        """The game running in this channel, or None."""
        row = await self._db.fetch_one(
            f"""
            SELECT {_GAME_COLUMNS} FROM trivia_games
            WHERE id = (SELECT game_id FROM trivia_running WHERE channel_id = ?)
            """,
            (channel_id,),
        )
        return None if row is None else _game(row)

    async def running_games(self) -> list[TriviaGame]:
        """Every running game in every guild (at start, these were interrupted by a restart)."""
        rows = await self._db.fetch_all(
            f"""
            SELECT {_GAME_COLUMNS} FROM trivia_games
            WHERE id IN (SELECT game_id FROM trivia_running) ORDER BY id
            """
        )
        return [_game(row) for row in rows]

    async def set_game_message(self, game_id: int, message_id: int) -> bool:
        """Remember the game's Discord message; False if there is no such game."""
        changed = await self._db.execute("UPDATE trivia_games SET message_id = ? WHERE id = ?", (message_id, game_id))
        return changed > 0

    async def finish_game(
        self,
        game_id: int,
        *,
        status: EndStatus,
        end_reason: str | None = None,
        winner_id: int | None = None,
        now: dt.datetime,
    ) -> TriviaGame | None:
        """End a running game and free its channel in one transaction.

        Returns the ended game, or None if it was not running (already ended by another
        path, e.g. a stop button racing the last round's timer, or no such game).
        """
        if status not in _END_STATUSES:
            raise ValueError(f"a game cannot end with status {status!r}")
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                """
                UPDATE trivia_games SET status = ?, end_reason = ?, ended_at = ?,
                    winner_id = CASE WHEN EXISTS (
                        SELECT 1 FROM member_erasures WHERE member_key = ? AND erased_at >= trivia_games.started_at
                    ) THEN NULL ELSE CAST(? AS BIGINT) END
                WHERE id = ? AND status = 'running'
                """,
                # a winner who erased their data while the game ran is not written back
                (
                    status,
                    end_reason,
                    stamp(now),
                    "" if winner_id is None else member_key(winner_id),
                    winner_id,
                    game_id,
                ),
            )
            if changed == 0:
                return None
            await tx.execute("DELETE FROM trivia_running WHERE game_id = ?", (game_id,))
            return await _require_game(tx, game_id)

    # ------------------------------------------------------------ rounds and answers

    async def add_round(
        self,
        game_id: int,
        number: int,
        question_key: str,
        question_json: str,
        now: dt.datetime,
        *,
        film_key: str | None = None,
    ) -> TriviaRound:
        """Record that round ``number`` (1-based) of a game asked this question."""
        asked_at = stamp(now)
        await self._db.execute(
            f"INSERT INTO trivia_rounds ({_ROUND_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, NULL)",
            (game_id, number, question_key, film_key, question_json, asked_at),
        )
        return TriviaRound(game_id, number, question_key, film_key, question_json, _required_time(asked_at), None)

    async def close_round(self, game_id: int, number: int, now: dt.datetime) -> bool:
        """Mark a round closed; False if it was already closed (or does not exist)."""
        changed = await self._db.execute(
            "UPDATE trivia_rounds SET closed_at = ? WHERE game_id = ? AND number = ? AND closed_at IS NULL",
            (stamp(now), game_id, number),
        )
        return changed > 0

    async def rounds(self, game_id: int) -> list[TriviaRound]:
        """A game's rounds in order."""
        rows = await self._db.fetch_all(
            f"SELECT {_ROUND_COLUMNS} FROM trivia_rounds WHERE game_id = ? ORDER BY number", (game_id,)
        )
        return [_round(row) for row in rows]

    async def record_answer(
        self,
        *,
        game_id: int,
        round_number: int,
        guild_id: int,
        user_id: int,
        answer: str,
        correct: bool,
        time_ms: int,
        points: int,
        now: dt.datetime,
    ) -> bool:
        """Store a member's answer; False if they already answered this round (first one stays)."""
        changed = await self._db.execute(
            f"""
            INSERT INTO trivia_answers ({_ANSWER_COLUMNS}) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE {NOT_ERASED_SINCE}
            ON CONFLICT (game_id, round_number, user_id) DO NOTHING
            """,
            (
                *(game_id, round_number, guild_id, user_id, answer, int(correct), time_ms, points, stamp(now)),
                *erasure_params(user_id, now),
            ),
        )
        return changed == 1

    async def record_answers(self, answers: Sequence[TriviaAnswer]) -> int:
        """Store many answers in one transaction (a burst of clicks); returns how many were new.

        A member's second answer to a round is ignored, as in :meth:`record_answer`.
        """
        if not answers:
            return 0
        async with self._db.transaction() as tx:
            return await tx.executemany(
                # an answer given before its member erased their data is not written after it
                f"""
                INSERT INTO trivia_answers ({_ANSWER_COLUMNS}) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE {NOT_ERASED_SINCE}
                ON CONFLICT (game_id, round_number, user_id) DO NOTHING
                """,
                [
                    (
                        a.game_id,
                        a.round_number,
                        a.guild_id,
                        a.user_id,
                        a.answer,
                        int(a.correct),
                        a.time_ms,
                        a.points,
                        stamp(a.answered_at),
                        *erasure_params(a.user_id, a.answered_at),
                    )
                    for a in answers
                ],
            )

    async def round_answers(self, game_id: int, number: int) -> list[TriviaAnswer]:
        """Answers to one round, fastest first."""
        rows = await self._db.fetch_all(
            f"""
            SELECT {_ANSWER_COLUMNS} FROM trivia_answers WHERE game_id = ? AND round_number = ?
            ORDER BY time_ms, answered_at, user_id
            """,
            (game_id, number),
        )
        return [_answer(row) for row in rows]

    async def game_answers(self, game_id: int) -> list[TriviaAnswer]:
        """Every answer of a game, by round then speed."""
        rows = await self._db.fetch_all(
            f"""
            SELECT {_ANSWER_COLUMNS} FROM trivia_answers WHERE game_id = ?
            ORDER BY round_number, time_ms, answered_at, user_id
            """,
            (game_id,),
        )
        return [_answer(row) for row in rows]

    # ------------------------------------------------------------ recent questions

    async def mark_asked(
        self, guild_id: int, keys: Iterable[str], now: dt.datetime, *, keep: int = RECENT_LIMIT
    ) -> None:
        """Remember these questions as just asked in the guild; only the newest ``keep`` stay."""
        unique = list(dict.fromkeys(keys))
        if not unique:
            return
        async with self._db.transaction() as tx:
            await tx.executemany(
                """
                INSERT INTO trivia_recent_questions (guild_id, question_key, asked_at) VALUES (?, ?, ?)
                ON CONFLICT (guild_id, question_key) DO UPDATE SET asked_at = excluded.asked_at
                """,
                [(guild_id, key, stamp(now)) for key in unique],
            )
            await tx.execute(
                """
                DELETE FROM trivia_recent_questions WHERE guild_id = ? AND question_key NOT IN (
                    SELECT question_key FROM trivia_recent_questions WHERE guild_id = ?
                    ORDER BY asked_at DESC, question_key LIMIT ?
                )
                """,
                (guild_id, guild_id, keep),
            )

    async def recent_questions(self, guild_id: int, limit: int = RECENT_LIMIT) -> list[str]:
        """Keys of the questions asked most recently in the guild, newest first."""
        rows = await self._db.fetch_all(
            """
            SELECT question_key FROM trivia_recent_questions WHERE guild_id = ?
            ORDER BY asked_at DESC, question_key LIMIT ?
            """,
            (guild_id, limit),
        )
        return [row[0] for row in rows]

    # ------------------------------------------------------------ leaderboard and stats

    async def leaderboard(
        self, guild_id: int, *, since: dt.datetime | None = None, film_key: str | None = None, limit: int = 10
    ) -> list[LeaderboardRow]:
        """The guild's best members by points, then wins; ``since`` limits to answers and wins after it.

        ``film_key`` counts only answers to that film's questions (the round's film, else
        the game's) and wins of games played on that film.
        """
        rows = await self._db.fetch_all(
            f"{_RANKED} SELECT * FROM ranked ORDER BY rank, user_id LIMIT ?",
            (*_ranked_params(guild_id, since, film_key), limit),
        )
        return [_leaderboard_row(row) for row in rows]

    async def rank_of(
        self, guild_id: int, user_id: int, *, since: dt.datetime | None = None, film_key: str | None = None
    ) -> LeaderboardRow | None:
        """The member's own leaderboard row and rank (wherever they are), or None if absent."""
        row = await self._db.fetch_one(
            f"{_RANKED} SELECT * FROM ranked WHERE user_id = ?",
            (*_ranked_params(guild_id, since, film_key), user_id),
        )
        return None if row is None else _leaderboard_row(row)

    async def member_stats(self, guild_id: int, user_id: int) -> MemberStats:
        """A member's all-time record in the guild; zeros for someone who never played."""
        answers = await self._db.fetch_all(
            """
            SELECT a.game_id, a.correct, a.points, COALESCE(r.film_key, g.film_key) AS film_key
            FROM trivia_answers a
            JOIN trivia_rounds r ON r.game_id = a.game_id AND r.number = a.round_number
            JOIN trivia_games g ON g.id = a.game_id
            WHERE a.guild_id = ? AND a.user_id = ?
            ORDER BY a.answered_at, a.game_id, a.round_number
            """,
            (guild_id, user_id),
        )
        wins = await self._db.fetch_value(
            "SELECT COUNT(*) FROM trivia_games WHERE guild_id = ? AND winner_id = ? AND status <> 'running'",
            (guild_id, user_id),
        )
        correct = sum(row["correct"] for row in answers)
        return MemberStats(
            games=len({row["game_id"] for row in answers}),
            answers=len(answers),
            correct=correct,
            accuracy=_accuracy(correct, len(answers)),
            best_streak=_longest_run([bool(row["correct"]) for row in answers]),
            daily_streak=await self._daily_streak(guild_id, user_id),
            favourite_film_key=_favourite_film(answers),
            points=sum(row["points"] for row in answers),
            wins=int(wins),
        )

    async def _daily_streak(self, guild_id: int, user_id: int) -> int:
        dailies = await self._db.fetch_all(
            "SELECT day, revealed_at FROM trivia_daily WHERE guild_id = ? ORDER BY day DESC", (guild_id,)
        )
        rows = await self._db.fetch_all(
            "SELECT day, correct FROM trivia_daily_answers WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return _daily_streak(dailies, {row["day"]: bool(row["correct"]) for row in rows})

    # ------------------------------------------------------------ daily question

    async def daily(self, guild_id: int, day: dt.date) -> TriviaDaily | None:
        """The guild's daily question for ``day``, or None."""
        row = await self._db.fetch_one(
            f"SELECT {_DAILY_COLUMNS} FROM trivia_daily WHERE guild_id = ? AND day = ?",
            (guild_id, day.isoformat()),
        )
        return None if row is None else _daily(row)

    async def create_daily(
        self,
        guild_id: int,
        day: dt.date,
        question_key: str,
        question_json: str,
        *,
        film_key: str | None = None,
        channel_id: int | None = None,
        now: dt.datetime,
    ) -> TriviaDaily:
        """Store the day's question, unless one exists: then that one is returned unchanged.

        Callers compare ``question_key`` (or ``posted_at``) with what they passed to tell
        whether they created it, e.g. to post the message only once.
        """
        async with self._db.transaction() as tx:
            await tx.execute(
                f"""
                INSERT INTO trivia_daily ({_DAILY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, NULL)
                ON CONFLICT (guild_id, day) DO NOTHING
                """,
                (guild_id, day.isoformat(), question_key, film_key, question_json, channel_id, stamp(now)),
            )
            row = await tx.fetch_one(
                f"SELECT {_DAILY_COLUMNS} FROM trivia_daily WHERE guild_id = ? AND day = ?",
                (guild_id, day.isoformat()),
            )
        assert row is not None  # inserted or already there, inside one transaction
        return _daily(row)

    async def set_daily_message(self, guild_id: int, day: dt.date, *, channel_id: int, message_id: int) -> bool:
        """Remember where the daily question was posted; False if there is no such daily."""
        changed = await self._db.execute(
            "UPDATE trivia_daily SET channel_id = ?, message_id = ? WHERE guild_id = ? AND day = ?",
            (channel_id, message_id, guild_id, day.isoformat()),
        )
        return changed > 0

    async def record_daily_answer(
        self, guild_id: int, day: dt.date, user_id: int, *, answer: str, correct: bool, now: dt.datetime
    ) -> bool:
        """Store a member's answer to the daily question; False if they already answered."""
        changed = await self._db.execute(
            f"""
            INSERT INTO trivia_daily_answers (guild_id, day, user_id, answer, correct, answered_at)
            SELECT ?, ?, ?, ?, ?, ? WHERE {NOT_ERASED_SINCE} ON CONFLICT (guild_id, day, user_id) DO NOTHING
            """,
            (guild_id, day.isoformat(), user_id, answer, int(correct), stamp(now), *erasure_params(user_id, now)),
        )
        return changed == 1

    async def daily_answers(self, guild_id: int, day: dt.date) -> list[TriviaDailyAnswer]:
        """Answers to one daily question, earliest first."""
        rows = await self._db.fetch_all(
            """
            SELECT guild_id, day, user_id, answer, correct, answered_at FROM trivia_daily_answers
            WHERE guild_id = ? AND day = ? ORDER BY answered_at, user_id
            """,
            (guild_id, day.isoformat()),
        )
        return [_daily_answer(row) for row in rows]

    async def mark_daily_revealed(self, guild_id: int, day: dt.date, now: dt.datetime) -> bool:
        """Mark the daily's answer as revealed; False if it already was (or does not exist)."""
        changed = await self._db.execute(
            "UPDATE trivia_daily SET revealed_at = ? WHERE guild_id = ? AND day = ? AND revealed_at IS NULL",
            (stamp(now), guild_id, day.isoformat()),
        )
        return changed > 0

    async def dailies_to_reveal(self, before_day: dt.date) -> list[TriviaDaily]:
        """Unrevealed dailies of every guild dated before ``before_day``, oldest first."""
        rows = await self._db.fetch_all(
            f"""
            SELECT {_DAILY_COLUMNS} FROM trivia_daily WHERE revealed_at IS NULL AND day < ?
            ORDER BY day, guild_id
            """,
            (before_day.isoformat(),),
        )
        return [_daily(row) for row in rows]

    # ------------------------------------------------------------ the daily question's posts (outbox)

    async def daily_post(self, guild_id: int, day: dt.date) -> TriviaDailyPost | None:
        """The automatic post of the guild's daily question for ``day``, or None."""
        row = await self._db.fetch_one(
            f"SELECT {_DAILY_POST_COLUMNS} FROM trivia_daily_posts WHERE guild_id = ? AND day = ?",
            (guild_id, day.isoformat()),
        )
        return None if row is None else _daily_post(row)

    async def claim_daily_post(
        self, guild_id: int, day: dt.date, *, channel_id: int, due_at: dt.datetime, nonce: str, now: dt.datetime
    ) -> TriviaDailyPost | None:
        """Plan the day's post if it is not planned yet, then take it for sending if it is due.

        Returns the row marked as being sent, under this repository's lease, with this try counted, or
        None: it was sent, failed or skipped already, waits for a retry, or another sender holds it. A post
        whose sender's lease ran out (it died or hung) is taken over, to be resent with its nonce. A post
        never tried yet follows the daily channel if an admin moved it; one already tried keeps its channel
        (its nonce was used there). One keyed row: on PostgreSQL too the guarded UPDATE is the claim (a
        concurrent claimer waits for the row, then finds it taken).
        """
        due, current = stamp(due_at), stamp(now)
        async with self._db.transaction() as tx:
            await tx.execute(
                f"""
                INSERT INTO trivia_daily_posts ({_DAILY_POST_COLUMNS})
                VALUES (?, ?, ?, ?, ?, 'scheduled', 0, FALSE, NULL, ?, NULL, NULL, NULL, NULL)
                ON CONFLICT (guild_id, day) DO NOTHING
                """,
                (guild_id, day.isoformat(), channel_id, due, due, nonce),
            )
            claimed = await tx.execute(
                f"""
                UPDATE trivia_daily_posts
                SET status = 'sending', attempts = attempts + 1, first_try_at = COALESCE(first_try_at, ?),
                    channel_id = CASE WHEN attempts = 0 THEN ? ELSE channel_id END, lease_owner = ?, lease_until = ?
                WHERE guild_id = ? AND day = ?
                    AND (status = 'scheduled' AND wake_at <= ? OR status = 'sending' AND {EXPIRED})
                """,
                (
                    current,
                    channel_id,
                    self.lease.owner,
                    self.lease.until(now),
                    guild_id,
                    day.isoformat(),
                    current,
                    current,
                ),
            )
            if not claimed:
                return None
            row = await tx.fetch_one(
                f"SELECT {_DAILY_POST_COLUMNS} FROM trivia_daily_posts WHERE guild_id = ? AND day = ?",
                (guild_id, day.isoformat()),
            )
        assert row is not None  # claimed inside this transaction
        return _daily_post(row)

    async def mark_daily_post_sent(
        self, guild_id: int, day: dt.date, *, channel_id: int, message_id: int, late: bool, now: dt.datetime
    ) -> bool:
        """Record the post as sent, and the daily question's message for its reveal, in one transaction;
        False (nothing recorded) if this owner no longer holds the post."""
        async with self._db.transaction() as tx:
            if not await tx.execute(
                f"""
                UPDATE trivia_daily_posts
                SET status = 'sent', channel_id = ?, message_id = ?, late = ?, reason = NULL, finished_at = ?,
                    {_RELEASED}
                WHERE guild_id = ? AND day = ? AND {_HELD}
                """,
                (channel_id, message_id, late, stamp(now), guild_id, day.isoformat(), self.lease.owner),
            ):
                return False
            await tx.execute(
                "UPDATE trivia_daily SET channel_id = ?, message_id = ? WHERE guild_id = ? AND day = ?",
                (channel_id, message_id, guild_id, day.isoformat()),
            )
        return True

    async def finish_daily_post(
        self, guild_id: int, day: dt.date, status: Literal["failed", "skipped"], reason: str, now: dt.datetime
    ) -> bool:
        """Record that the day's post will not be sent, and why; False if this owner no longer holds it."""
        return (
            await self._db.execute(
                f"UPDATE trivia_daily_posts SET status = ?, reason = ?, finished_at = ?, {_RELEASED} "
                f"WHERE guild_id = ? AND day = ? AND {_HELD}",
                (status, reason, stamp(now), guild_id, day.isoformat(), self.lease.owner),
            )
            > 0
        )

    async def retry_daily_post_later(self, guild_id: int, day: dt.date, wake_at: dt.datetime, reason: str) -> bool:
        """Put the day's post back in the queue after a passing failure; False if this owner no longer holds it."""
        return (
            await self._db.execute(
                f"""
                UPDATE trivia_daily_posts SET status = 'scheduled', wake_at = ?, reason = ?, {_RELEASED}
                WHERE guild_id = ? AND day = ? AND {_HELD}
                """,
                (stamp(wake_at), reason, guild_id, day.isoformat(), self.lease.owner),
            )
            > 0
        )

    async def skip_daily_posts_before(self, guild_id: int, day: dt.date, now: dt.datetime) -> int:
        """Record the guild's posts of earlier days that never went out as skipped: their day is over. A post
        a live sender still holds is left to it."""
        return await self._db.execute(
            f"""
            UPDATE trivia_daily_posts
            SET status = 'skipped', finished_at = ?, reason = 'missed: its day was over before it could be posted',
                {_RELEASED}
            WHERE guild_id = ? AND day < ? AND (status = 'scheduled' OR status = 'sending' AND {EXPIRED})
            """,
            (stamp(now), guild_id, day.isoformat(), stamp(now)),
        )

    async def resume_daily_posts(self, now: dt.datetime, *, sole: bool = False) -> int:
        """After a start: posts whose sender died mid-send (its lease ran out) go back in the queue, to be
        resent with their nonce; those another process is sending are left to it, unless this process is
        `sole` (no other can run on this database): then every one is its own."""
        expired, params = ("1 = 1", ()) if sole else (EXPIRED, (stamp(now),))
        return await self._db.execute(
            f"UPDATE trivia_daily_posts SET status = 'scheduled', {_RELEASED} WHERE status = 'sending' AND {expired}",
            params,
        )

    async def pause_daily(self, guild_id: int, reason: str) -> bool:
        """Stop the daily posts until an admin saves the settings again; True if this paused them."""
        changed = await self._db.execute(
            """
            UPDATE trivia_daily_settings SET paused_reason = ?, notice_pending = TRUE
            WHERE guild_id = ? AND paused_reason IS NULL
            """,
            (reason, guild_id),
        )
        return changed > 0

    async def guilds_with_daily_notices(self) -> list[int]:
        rows = await self._db.fetch_all("SELECT guild_id FROM trivia_daily_settings WHERE notice_pending")
        return [row["guild_id"] for row in rows]

    async def take_daily_notice(self, guild_id: int) -> str | None:
        """The pause reason if no admin has been told yet; telling one is then recorded."""
        async with self._db.transaction() as tx:
            reason = await tx.fetch_value(
                "SELECT paused_reason FROM trivia_daily_settings WHERE guild_id = ? AND notice_pending", (guild_id,)
            )
            if reason is None:
                return None
            await tx.execute("UPDATE trivia_daily_settings SET notice_pending = FALSE WHERE guild_id = ?", (guild_id,))
        return str(reason)

    # ------------------------------------------------------------ privacy

    async def delete_user(self, user_id: int) -> int:
        """Erase a member from trivia; returns the rows deleted or anonymised.

        Their answers and daily answers are deleted (their points leave every
        leaderboard). Games they started or won stay, for the other players' history,
        with starter_id set to 0 and winner_id to NULL.
        """
        async with self._db.transaction() as tx:
            changed = await tx.execute("DELETE FROM trivia_answers WHERE user_id = ?", (user_id,))
            changed += await tx.execute("DELETE FROM trivia_daily_answers WHERE user_id = ?", (user_id,))
            changed += await tx.execute("UPDATE trivia_games SET starter_id = 0 WHERE starter_id = ?", (user_id,))
            changed += await tx.execute("UPDATE trivia_games SET winner_id = NULL WHERE winner_id = ?", (user_id,))
        return changed

    async def user_rows(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every trivia row about a member, by table, as plain JSON-ready dicts (data export)."""
        once, twice = (user_id,), (user_id, user_id)
        queries = {
            "trivia_games": (
                f"SELECT {_GAME_COLUMNS} FROM trivia_games WHERE starter_id = ? OR winner_id = ? ORDER BY id",
                twice,
            ),
            "trivia_answers": (
                f"SELECT {_ANSWER_COLUMNS} FROM trivia_answers WHERE user_id = ? "
                "ORDER BY answered_at, game_id, round_number",
                once,
            ),
            "trivia_daily_answers": (
                "SELECT guild_id, day, user_id, answer, correct, answered_at FROM trivia_daily_answers "
                "WHERE user_id = ? ORDER BY guild_id, day",
                once,
            ),
        }
        result: dict[str, list[dict[str, Any]]] = {}
        for table, (sql, params) in queries.items():
            rows = await self._db.fetch_all(sql, params)
            result[table] = [{key: row[key] for key in row.keys()} for row in rows]  # noqa: SIM118
        return result


async def _require_game(tx: Transaction, game_id: int) -> TriviaGame:
    row = await tx.fetch_one(f"SELECT {_GAME_COLUMNS} FROM trivia_games WHERE id = ?", (game_id,))
    if row is None:
        raise LookupError(f"trivia game {game_id} vanished inside its own transaction")
    return _game(row)


def _daily_settings(row: Row) -> TriviaDailySettings:
    return TriviaDailySettings(
        row["guild_id"], row["channel_id"], row["post_time"], _required_time(row["updated_at"]), row["paused_reason"]
    )


def _favourite_film(answers: list[Row]) -> str | None:
    """The film of most correct answers (ties: more answers, then key order); None without one."""
    correct = Counter(row["film_key"] for row in answers if row["correct"] and row["film_key"])
    if not correct:
        return None
    asked = Counter(row["film_key"] for row in answers if row["film_key"])
    return min(correct, key=lambda key: (-correct[key], -asked[key], key))
