"""TriviaRepository on real migrated SQLite files: settings, games, answers, leaderboards, dailies."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace

import pytest

from db import Database, TriviaRepository, migrate
from db.repositories import TriviaAnswer, TriviaGame
from db.repositories.trivia import TriviaDailyPost
from tests.db import schema
from tests.db.conftest import OpenDatabase

GUILD = 1_100_000_000_000_000_001
OTHER_GUILD = 1_100_000_000_000_000_002
CHANNEL = 1_200_000_000_000_000_001
OTHER_CHANNEL = 1_200_000_000_000_000_002
STARTER = 1_300_000_000_000_000_000
T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
DAY = dt.date(2024, 5, 1)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def member(n: int) -> int:
    """A distinct 64-bit member id."""
    return 1_400_000_000_000_000_000 + n


@pytest.fixture
def trivia(db: Database) -> TriviaRepository:
    return TriviaRepository(db)


async def _start(
    trivia: TriviaRepository,
    *,
    channel: int = CHANNEL,
    guild: int = GUILD,
    film_key: str | None = None,
    starter: int = STARTER,
    now: dt.datetime = T0,
) -> TriviaGame:
    game = await trivia.start_game(
        guild_id=guild,
        channel_id=channel,
        starter_id=starter,
        mode="buttons",
        difficulty="medium",
        film_key=film_key,
        question_count=5,
        seconds=20,
        now=now,
    )
    assert game is not None
    return game


async def _play(
    trivia: TriviaRepository,
    rounds: list[tuple[str | None, dict[int, tuple[bool, int]]]],
    *,
    guild: int = GUILD,
    film_key: str | None = None,
    winner: int | None = None,
    now: dt.datetime = T0,
) -> TriviaGame:
    """A finished game: ``rounds`` are (round film, {member: (correct, points)})."""
    game = await _start(trivia, guild=guild, film_key=film_key, now=now)
    for number, (round_film, answers) in enumerate(rounds, start=1):
        moment = now + dt.timedelta(seconds=30 * number)
        await trivia.add_round(game.id, number, f"q{number}", "{}", film_key=round_film, now=moment)
        for user, (correct, points) in answers.items():
            assert await trivia.record_answer(
                game_id=game.id,
                round_number=number,
                guild_id=guild,
                user_id=user,
                answer="x",
                correct=correct,
                time_ms=1000,
                points=points,
                now=moment + dt.timedelta(seconds=1),
            )
        await trivia.close_round(game.id, number, now=moment + dt.timedelta(seconds=20))
    finished = await trivia.finish_game(
        game.id, status="finished", winner_id=winner, now=now + dt.timedelta(minutes=10)
    )
    assert finished is not None
    return finished


# ---------------------------------------------------------------- settings


async def test_settings_channel_overrides_server_overrides_defaults(trivia: TriviaRepository) -> None:
    empty = await trivia.get_settings(GUILD, CHANNEL)
    assert (empty.seconds, empty.newest_film_key) == (None, None)
    defaulted = await trivia.get_settings(GUILD, CHANNEL, default_seconds=20, default_newest_film_key="mi8")
    assert (defaulted.seconds, defaulted.newest_film_key) == (20, "mi8")

    await trivia.set_settings(GUILD, 0, seconds=30, newest_film_key="mi6", now=T0)
    await trivia.set_settings(GUILD, CHANNEL, seconds=15, now=T0)
    here = await trivia.get_settings(GUILD, CHANNEL, default_seconds=20)
    assert (here.guild_id, here.channel_id, here.seconds, here.newest_film_key) == (GUILD, CHANNEL, 15, "mi6")
    elsewhere = await trivia.get_settings(GUILD, OTHER_CHANNEL, default_seconds=20)
    assert (elsewhere.seconds, elsewhere.newest_film_key) == (30, "mi6")
    assert (await trivia.get_settings(OTHER_GUILD, CHANNEL)).seconds is None


async def test_set_settings_changes_only_given_fields_and_drops_empty_rows(
    trivia: TriviaRepository, db: Database
) -> None:
    await trivia.set_settings(GUILD, 0, seconds=30, newest_film_key="mi6", now=T0)
    stored = await trivia.set_settings(GUILD, 0, newest_film_key="mi7", now=at(1))
    assert stored is not None and (stored.seconds, stored.newest_film_key) == (30, "mi7")
    stored = await trivia.set_settings(GUILD, 0, seconds=None, now=at(2))
    assert stored is not None and (stored.seconds, stored.newest_film_key) == (None, "mi7")
    assert await trivia.stored_settings(GUILD, 0) == stored
    assert await trivia.set_settings(GUILD, 0, newest_film_key=None, now=at(3)) is None
    assert await trivia.stored_settings(GUILD, 0) is None
    assert await db.fetch_value("SELECT COUNT(*) FROM trivia_settings") == 0


@pytest.mark.parametrize("seconds", [9, 61, 0])
async def test_seconds_outside_10_to_60_are_refused(trivia: TriviaRepository, seconds: int) -> None:
    with pytest.raises(ValueError, match="between 10 and 60"):
        await trivia.set_settings(GUILD, 0, seconds=seconds, now=T0)
    assert await trivia.stored_settings(GUILD, 0) is None


async def test_daily_settings(trivia: TriviaRepository) -> None:
    assert await trivia.daily_settings(GUILD) is None
    stored = await trivia.set_daily_settings(GUILD, channel_id=CHANNEL, post_time="09:30", now=T0)
    assert (stored.channel_id, stored.post_time, stored.updated_at) == (CHANNEL, "09:30", T0)
    assert await trivia.daily_settings(GUILD) == stored
    moved = await trivia.set_daily_settings(GUILD, post_time="18:05", now=at(1))
    assert (moved.channel_id, moved.post_time) == (CHANNEL, "18:05")
    await trivia.set_daily_settings(OTHER_GUILD, post_time="07:00", now=T0)  # no channel: off
    assert [s.guild_id for s in await trivia.daily_enabled()] == [GUILD]
    off = await trivia.set_daily_settings(GUILD, channel_id=None, now=at(2))
    assert (off.channel_id, off.post_time) == (None, "18:05")
    assert await trivia.daily_enabled() == []
    for bad in ("9:30", "24:00", "12:60", "noon!", "12:3a"):
        with pytest.raises(ValueError, match="HH:MM"):
            await trivia.set_daily_settings(GUILD, post_time=bad, now=T0)


# ---------------------------------------------------------------- games


async def test_one_running_game_per_channel(trivia: TriviaRepository, db: Database) -> None:
    game = await _start(trivia)
    assert (game.status, game.started_at, game.ended_at, game.winner_id) == ("running", T0, None, None)
    assert await trivia.start_game(
        guild_id=GUILD, channel_id=CHANNEL, starter_id=member(1), mode="typed", difficulty="easy",
        film_key=None, question_count=3, seconds=10, now=at(1),
    ) is None  # fmt: skip
    assert await db.fetch_value("SELECT COUNT(*) FROM trivia_games") == 1
    other = await _start(trivia, channel=OTHER_CHANNEL)
    assert await trivia.running_game(CHANNEL) == game
    assert [g.id for g in await trivia.running_games()] == [game.id, other.id]

    ended = await trivia.finish_game(game.id, status="stopped", end_reason="stopped by admin", now=at(5))
    assert ended is not None
    assert (ended.status, ended.end_reason, ended.ended_at) == ("stopped", "stopped by admin", at(5))
    assert await trivia.finish_game(game.id, status="finished", now=at(6)) is None  # lost the race
    assert await trivia.game(game.id) == ended
    assert await trivia.running_game(CHANNEL) is None
    assert [g.id for g in await trivia.running_games()] == [other.id]
    again = await _start(trivia, now=at(7))
    assert again.id != game.id and await trivia.running_game(CHANNEL) == again


async def test_concurrent_starts_in_one_channel_exactly_one_wins(trivia: TriviaRepository) -> None:
    results = await asyncio.gather(
        *(
            trivia.start_game(
                guild_id=GUILD, channel_id=CHANNEL, starter_id=member(i), mode="buttons", difficulty="easy",
                film_key=None, question_count=5, seconds=20, now=T0,
            )
            for i in range(10)
        )
    )  # fmt: skip
    winners = [game for game in results if game is not None]
    assert len(winners) == 1
    assert await trivia.running_games() == winners


async def test_concurrent_starts_from_two_processes_exactly_one_wins(open_db: OpenDatabase) -> None:
    first, second = await open_db("shared"), await open_db("shared")
    await migrate(first)
    repos = [TriviaRepository(first), TriviaRepository(second)]
    results = await asyncio.gather(
        *(
            repos[i % 2].start_game(
                guild_id=GUILD, channel_id=CHANNEL, starter_id=member(i), mode="typed", difficulty="hard",
                film_key="mi1", question_count=5, seconds=20, now=T0,
            )
            for i in range(8)
        )
    )  # fmt: skip
    assert sum(game is not None for game in results) == 1
    assert await second.fetch_value("SELECT COUNT(*) FROM trivia_games") == 1
    assert await first.fetch_value("SELECT COUNT(*) FROM trivia_running") == 1


async def test_running_marker_is_removed_with_the_status(trivia: TriviaRepository, db: Database) -> None:
    game = await _start(trivia)
    with pytest.raises(ValueError, match="cannot end with status 'running'"):
        await trivia.finish_game(game.id, status="running", now=at(1))  # type: ignore[arg-type]
    assert await trivia.finish_game(game.id + 100, status="failed", now=at(1)) is None
    await trivia.finish_game(game.id, status="interrupted", end_reason="restart", now=at(1))
    assert await db.fetch_value("SELECT COUNT(*) FROM trivia_running") == 0


async def test_game_message_rounds_and_times(trivia: TriviaRepository) -> None:
    paris = dt.timezone(dt.timedelta(hours=2))
    game = await _start(trivia, now=dt.datetime(2024, 5, 1, 14, 0, tzinfo=paris))
    assert game.started_at == T0 and game.started_at.utcoffset() == dt.timedelta(0)
    assert await trivia.set_game_message(game.id, 1_500_000_000_000_000_000) is True
    assert await trivia.set_game_message(game.id + 1, 1) is False
    assert await trivia.game(game.id) == replace(game, message_id=1_500_000_000_000_000_000)
    first = await trivia.add_round(game.id, 1, "mi1-director", '{"q": "Who?"}', film_key="mi1", now=at(1))
    await trivia.add_round(game.id, 2, "gen:year:mi2", '{"q": "When?"}', now=at(2))
    assert await trivia.close_round(game.id, 1, now=at(1.5)) is True
    assert await trivia.close_round(game.id, 1, now=at(1.6)) is False
    rounds = await trivia.rounds(game.id)
    assert rounds[0] == replace(first, closed_at=at(1.5))
    assert [(r.number, r.question_key, r.film_key, r.closed_at) for r in rounds[1:]] == [
        (2, "gen:year:mi2", None, None)
    ]
    assert await trivia.game(10_000) is None


async def test_naive_times_are_refused(trivia: TriviaRepository) -> None:
    with pytest.raises(ValueError, match="aware datetime"):
        await trivia.set_settings(GUILD, 0, seconds=20, now=dt.datetime(2024, 5, 1, 12))


# ---------------------------------------------------------------- answers


async def test_one_answer_per_member_per_round(trivia: TriviaRepository) -> None:
    game = await _start(trivia)
    await trivia.add_round(game.id, 1, "q1", "{}", now=T0)
    await trivia.add_round(game.id, 2, "q2", "{}", now=at(1))

    async def answer(user: int, number: int, text: str, time_ms: int) -> bool:
        return await trivia.record_answer(
            game_id=game.id, round_number=number, guild_id=GUILD, user_id=user, answer=text,
            correct=text == "right", time_ms=time_ms, points=100 if text == "right" else 0, now=at(number),
        )  # fmt: skip

    assert await answer(member(1), 1, "right", 3000) is True
    assert await answer(member(1), 1, "wrong", 500) is False
    assert await answer(member(2), 1, "wrong", 1200) is True
    assert await answer(member(1), 2, "wrong", 800) is True
    round_one = await trivia.round_answers(game.id, 1)
    assert [(a.user_id, a.answer, a.correct, a.points, a.time_ms) for a in round_one] == [
        (member(2), "wrong", False, 0, 1200),
        (member(1), "right", True, 100, 3000),
    ]
    assert [(a.round_number, a.user_id) for a in await trivia.game_answers(game.id)] == [
        (1, member(2)),
        (1, member(1)),
        (2, member(1)),
    ]
    assert round_one[0].answered_at == at(1) and round_one[0].guild_id == GUILD


async def test_concurrent_double_clicks_store_one_answer(trivia: TriviaRepository) -> None:
    game = await _start(trivia)
    await trivia.add_round(game.id, 1, "q1", "{}", now=T0)
    results = await asyncio.gather(
        *(
            trivia.record_answer(
                game_id=game.id, round_number=1, guild_id=GUILD, user_id=member(1), answer=str(i),
                correct=False, time_ms=i, points=0, now=T0,
            )
            for i in range(5)
        )
    )  # fmt: skip
    assert sorted(results) == [False, False, False, False, True]
    assert len(await trivia.round_answers(game.id, 1)) == 1


# ---------------------------------------------------------------- leaderboards


async def test_leaderboard_periods(trivia: TriviaRepository) -> None:
    a, b = member(1), member(2)
    await _play(trivia, [(None, {a: (True, 500), b: (True, 100)})], winner=a, now=T0 - dt.timedelta(days=40))
    await _play(trivia, [(None, {a: (False, 0), b: (True, 300)})], winner=b, now=T0)
    all_time = await trivia.leaderboard(GUILD)
    assert [(r.rank, r.user_id, r.points, r.wins) for r in all_time] == [(1, a, 500, 1), (2, b, 400, 1)]
    month = await trivia.leaderboard(GUILD, since=T0 - dt.timedelta(days=30))
    assert [(r.rank, r.user_id, r.points, r.wins, r.answers, r.correct) for r in month] == [
        (1, b, 300, 1, 1, 1),
        (2, a, 0, 0, 1, 0),
    ]
    assert await trivia.leaderboard(GUILD, since=at(60)) == []
    assert await trivia.leaderboard(OTHER_GUILD) == []


async def test_leaderboard_film_filter(trivia: TriviaRepository) -> None:
    a, b = member(1), member(2)
    # A mixed game: each round counts for its own question's film.
    await _play(trivia, [("mi1", {a: (True, 100), b: (True, 50)}), ("mi2", {b: (True, 70)}), (None, {a: (True, 9)})])
    # A film game whose generated questions carry no film: the game's film counts.
    await _play(trivia, [(None, {b: (True, 200)})], film_key="mi2", winner=b, now=at(30))
    mi1 = await trivia.leaderboard(GUILD, film_key="mi1")
    assert [(r.user_id, r.points, r.wins) for r in mi1] == [(a, 100, 0), (b, 50, 0)]
    mi2 = await trivia.leaderboard(GUILD, film_key="mi2")
    assert [(r.user_id, r.points, r.wins, r.answers) for r in mi2] == [(b, 270, 1, 2)]
    assert await trivia.leaderboard(GUILD, film_key="mi3") == []
    both = await trivia.leaderboard(GUILD, film_key="mi2", since=at(20))
    assert [(r.user_id, r.points, r.wins) for r in both] == [(b, 200, 1)]


async def test_ranks_with_ties(trivia: TriviaRepository) -> None:
    a, b, c, d = (member(i) for i in range(1, 5))
    scores = {a: (True, 300), b: (True, 300), c: (True, 300), d: (True, 100)}
    await _play(trivia, [(None, scores)], winner=c)
    await _play(trivia, [(None, {a: (False, 0), b: (False, 0)})], now=at(30))
    rows = await trivia.leaderboard(GUILD)
    # c wins the points tie on wins; a and b stay tied (listed by id), d comes after three.
    assert [(r.rank, r.user_id) for r in rows] == [(1, c), (2, a), (2, b), (4, d)]
    assert await trivia.rank_of(GUILD, b) == rows[2]


async def test_own_rank_outside_the_top_ten(trivia: TriviaRepository) -> None:
    players = {member(i): (True, 10 * i) for i in range(1, 16)}  # 15 members, member(15) best
    await _play(trivia, [(None, players)])
    top = await trivia.leaderboard(GUILD)
    assert [r.user_id for r in top] == [member(i) for i in range(15, 5, -1)]
    assert [r.rank for r in top] == list(range(1, 11))
    own = await trivia.rank_of(GUILD, member(3))
    assert own is not None and (own.rank, own.points, own.answers) == (13, 30, 1)
    assert len(await trivia.leaderboard(GUILD, limit=50)) == 15
    assert await trivia.rank_of(GUILD, member(99)) is None
    assert await trivia.rank_of(GUILD, member(3), since=at(60)) is None


async def test_accuracy(trivia: TriviaRepository) -> None:
    a, b = member(1), member(2)
    await _play(trivia, [(None, {a: (c, 10 * c), b: (False, 0)}) for c in (True, True, False, True)])
    rows = {r.user_id: r for r in await trivia.leaderboard(GUILD)}
    assert (rows[a].answers, rows[a].correct, rows[a].accuracy) == (4, 3, 0.75)
    assert (rows[b].answers, rows[b].correct, rows[b].accuracy) == (4, 0, 0.0)
    assert (await trivia.member_stats(GUILD, a)).accuracy == 0.75


# ---------------------------------------------------------------- member stats


async def test_member_stats_and_best_streak(trivia: TriviaRepository) -> None:
    a = member(1)
    # Answer order across two games: T T F | T T T F T  -> best streak 3.
    await _play(trivia, [(f, {a: (c, 10 if c else 0)}) for f, c in [("mi1", True), ("mi2", True), ("mi2", False)]])
    second = [("mi2", True), ("mi2", True), ("mi1", True), (None, False), ("mi2", True)]
    await _play(trivia, [(f, {a: (c, 10 if c else 0)}) for f, c in second], winner=a, now=at(30))
    await _play(trivia, [(None, {a: (True, 99)})], guild=OTHER_GUILD, now=at(60))  # another guild
    stats = await trivia.member_stats(GUILD, a)
    assert (stats.games, stats.answers, stats.correct, stats.points, stats.wins) == (2, 8, 6, 60, 1)
    assert stats.best_streak == 3
    assert stats.favourite_film_key == "mi2"
    assert stats.daily_streak == 0
    nobody = await trivia.member_stats(GUILD, member(2))
    assert (nobody.games, nobody.answers, nobody.accuracy, nobody.best_streak) == (0, 0, 0.0, 0)
    assert nobody.favourite_film_key is None


async def test_daily_streak_across_days(trivia: TriviaRepository) -> None:
    a = member(1)

    async def daily(day: int, correct: bool | None, *, reveal: bool = True) -> None:
        when = dt.date(2024, 5, day)
        await trivia.create_daily(GUILD, when, f"q{day}", "{}", now=at(day * 1440))
        if correct is not None:
            await trivia.record_daily_answer(GUILD, when, a, answer="x", correct=correct, now=at(day * 1440 + 5))
        if reveal:
            await trivia.mark_daily_revealed(GUILD, when, now=at(day * 1440 + 1439))

    for day, correct in [(1, True), (2, True), (3, False), (4, True), (5, True)]:
        await daily(day, correct)
    await daily(7, True)  # no daily on day 6 (bot down): the streak goes on
    assert (await trivia.member_stats(GUILD, a)).daily_streak == 3
    await daily(8, None, reveal=False)  # today's daily, still open: not broken yet
    assert (await trivia.member_stats(GUILD, a)).daily_streak == 3
    await trivia.record_daily_answer(GUILD, dt.date(2024, 5, 8), a, answer="x", correct=True, now=at(8 * 1440 + 60))
    assert (await trivia.member_stats(GUILD, a)).daily_streak == 4
    await daily(9, None)  # missed and revealed: broken
    assert (await trivia.member_stats(GUILD, a)).daily_streak == 0
    await daily(10, False, reveal=False)  # answered wrong today
    assert (await trivia.member_stats(GUILD, a)).daily_streak == 0
    assert (await trivia.member_stats(OTHER_GUILD, a)).daily_streak == 0


# ---------------------------------------------------------------- recent questions


async def test_recent_questions_are_pruned_to_200(trivia: TriviaRepository, db: Database) -> None:
    for batch in range(25):  # 250 keys, 10 per game
        keys = [f"q{batch * 10 + i:03d}" for i in range(10)]
        await trivia.mark_asked(GUILD, keys, now=at(batch))
    await trivia.mark_asked(OTHER_GUILD, ["q000"], now=T0)
    assert await db.fetch_value("SELECT COUNT(*) FROM trivia_recent_questions WHERE guild_id = ?", (GUILD,)) == 200
    recent = await trivia.recent_questions(GUILD)
    assert len(recent) == 200 and set(recent) == {f"q{i:03d}" for i in range(50, 250)}
    assert recent[:10] == sorted(recent[:10]) and recent[0].startswith("q24")
    await trivia.mark_asked(GUILD, ["q100", "q100"], now=at(100))  # asked again: newest, no duplicate
    assert (await trivia.recent_questions(GUILD, limit=2))[0] == "q100"
    assert await trivia.recent_questions(OTHER_GUILD) == ["q000"]
    await trivia.mark_asked(GUILD, [], now=at(101))
    assert len(await trivia.recent_questions(GUILD)) == 200


# ---------------------------------------------------------------- daily question


async def test_daily_is_idempotent_and_answered_once(trivia: TriviaRepository) -> None:
    assert await trivia.daily(GUILD, DAY) is None
    created = await trivia.create_daily(GUILD, DAY, "mi1-director", '{"q": 1}', film_key="mi1", now=T0)
    again = await trivia.create_daily(GUILD, DAY, "mi2-year", '{"q": 2}', channel_id=CHANNEL, now=at(1))
    assert again == created and created.question_key == "mi1-director" and created.posted_at == T0
    assert await trivia.set_daily_message(GUILD, DAY, channel_id=CHANNEL, message_id=77) is True
    assert await trivia.set_daily_message(GUILD, DAY + dt.timedelta(days=1), channel_id=CHANNEL, message_id=1) is False
    stored = await trivia.daily(GUILD, DAY)
    assert stored is not None and (stored.channel_id, stored.message_id, stored.film_key) == (CHANNEL, 77, "mi1")

    assert await trivia.record_daily_answer(GUILD, DAY, member(1), answer="Brian De Palma", correct=True, now=at(2))
    assert not await trivia.record_daily_answer(GUILD, DAY, member(1), answer="other", correct=False, now=at(3))
    assert await trivia.record_daily_answer(GUILD, DAY, member(2), answer="other", correct=False, now=at(1))
    answers = await trivia.daily_answers(GUILD, DAY)
    assert [(x.user_id, x.answer, x.correct, x.day) for x in answers] == [
        (member(2), "other", False, DAY),
        (member(1), "Brian De Palma", True, DAY),
    ]

    await trivia.create_daily(OTHER_GUILD, DAY + dt.timedelta(days=1), "q", "{}", now=at(1440))
    assert [(d.guild_id, d.day) for d in await trivia.dailies_to_reveal(DAY + dt.timedelta(days=1))] == [(GUILD, DAY)]
    assert len(await trivia.dailies_to_reveal(DAY + dt.timedelta(days=2))) == 2
    assert await trivia.mark_daily_revealed(GUILD, DAY, now=at(1440)) is True
    assert await trivia.mark_daily_revealed(GUILD, DAY, now=at(1441)) is False
    revealed = await trivia.daily(GUILD, DAY)
    assert revealed is not None and revealed.revealed_at == at(1440)
    assert [d.guild_id for d in await trivia.dailies_to_reveal(DAY + dt.timedelta(days=2))] == [OTHER_GUILD]


async def test_concurrent_daily_creation_keeps_the_first(trivia: TriviaRepository) -> None:
    results = await asyncio.gather(*(trivia.create_daily(GUILD, DAY, f"q{i}", "{}", now=T0) for i in range(5)))
    assert len(set(results)) == 1


# ---------------------------------------------------------------- privacy


async def _trivia_columns(db: Database) -> dict[str, list[str]]:
    return {name: await schema.column_names(db, name) for name in await schema.table_names(db, like="trivia\\_%")}


async def _rows_holding(db: Database, value: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for table, columns in (await _trivia_columns(db)).items():
        for column in columns:
            count = await db.fetch_value(
                f"SELECT COUNT(*) FROM {table} WHERE CAST({column} AS TEXT) = ?", (str(value),)
            )
            if count:
                found[f"{table}.{column}"] = count
    return found


async def test_delete_user_leaves_no_row_with_their_id(trivia: TriviaRepository, db: Database) -> None:
    gone, stays = member(1), member(2)
    await _play(trivia, [("mi1", {gone: (True, 100), stays: (True, 50)})], winner=gone)
    running = await _start(trivia, starter=gone, now=at(30))
    await trivia.add_round(running.id, 1, "q", "{}", now=at(31))
    await trivia.record_answer(
        game_id=running.id, round_number=1, guild_id=GUILD, user_id=gone, answer="a", correct=False,
        time_ms=5, points=0, now=at(31),
    )  # fmt: skip
    await trivia.create_daily(GUILD, DAY, "q", "{}", now=T0)
    await trivia.record_daily_answer(GUILD, DAY, gone, answer="a", correct=True, now=at(1))
    await trivia.record_daily_answer(GUILD, DAY, stays, answer="b", correct=True, now=at(2))
    assert set(await _trivia_columns(db)) >= {
        "trivia_settings", "trivia_daily_settings", "trivia_games", "trivia_running", "trivia_rounds",
        "trivia_answers", "trivia_recent_questions", "trivia_daily", "trivia_daily_answers",
    }  # fmt: skip
    assert await _rows_holding(db, gone) == {
        "trivia_answers.user_id": 2,
        "trivia_daily_answers.user_id": 1,
        "trivia_games.starter_id": 1,
        "trivia_games.winner_id": 1,
    }
    exported = await trivia.user_rows(gone)
    assert {table: len(rows) for table, rows in exported.items()} == {
        "trivia_games": 2,
        "trivia_answers": 2,
        "trivia_daily_answers": 1,
    }
    assert exported["trivia_daily_answers"][0] == {
        "guild_id": GUILD, "day": "2024-05-01", "user_id": gone, "answer": "a", "correct": 1,
        "answered_at": at(1).isoformat(timespec="microseconds"),
    }  # fmt: skip

    assert await trivia.delete_user(gone) == 5  # 2 answers, 1 daily answer, 1 starter, 1 winner
    assert await _rows_holding(db, gone) == {}
    assert await trivia.user_rows(gone) == {"trivia_games": [], "trivia_answers": [], "trivia_daily_answers": []}
    assert await trivia.running_game(CHANNEL) is not None  # the game goes on, anonymously
    assert [r.user_id for r in await trivia.leaderboard(GUILD)] == [stays]
    assert [a.user_id for a in await trivia.daily_answers(GUILD, DAY)] == [stays]
    assert await trivia.delete_user(gone) == 0


async def test_record_answers_in_one_batch_keeps_the_first_answer(db: Database) -> None:
    repository = TriviaRepository(db)
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    game = await repository.start_game(
        guild_id=1,
        channel_id=2,
        starter_id=3,
        mode="buttons",
        difficulty="mixed",
        film_key=None,
        question_count=1,
        seconds=20,
        now=now,
    )
    assert game is not None
    await repository.add_round(game.id, 1, "q", "{}", now)

    def answer(user_id: int, text: str) -> TriviaAnswer:
        return TriviaAnswer(game.id, 1, 1, user_id, text, True, 100, 50, now)

    assert await repository.record_answers([answer(10, "first"), answer(11, "b")]) == 2
    assert await repository.record_answers([answer(10, "second"), answer(12, "c")]) == 1
    stored = {row.user_id: row.answer for row in await repository.round_answers(game.id, 1)}
    assert stored == {10: "first", 11: "b", 12: "c"}
    assert await repository.record_answers([]) == 0


# ---------------------------------------------------------------- the daily question's posts (outbox)


async def _claim(
    trivia: TriviaRepository, now: dt.datetime, *, channel: int = CHANNEL, day: dt.date = DAY
) -> TriviaDailyPost | None:
    return await trivia.claim_daily_post(GUILD, day, channel_id=channel, due_at=T0, nonce="n" * 24, now=now)


async def test_a_daily_post_is_claimed_once_and_recorded_with_its_message(trivia: TriviaRepository) -> None:
    await trivia.create_daily(GUILD, DAY, "q1", "{}", now=T0)
    claimed = await _claim(trivia, T0)
    assert claimed is not None
    assert (claimed.status, claimed.attempts, claimed.channel_id, claimed.nonce) == ("sending", 1, CHANNEL, "n" * 24)
    assert await _claim(trivia, at(1)) is None  # being sent: nobody else takes it
    await trivia.mark_daily_post_sent(GUILD, DAY, channel_id=CHANNEL, message_id=77, late=False, now=at(1))
    sent = await trivia.daily_post(GUILD, DAY)
    assert sent is not None and (sent.status, sent.message_id, sent.finished_at) == ("sent", 77, at(1))
    daily = await trivia.daily(GUILD, DAY)
    assert daily is not None and (daily.channel_id, daily.message_id) == (CHANNEL, 77)
    assert await _claim(trivia, at(2)) is None  # sent: never again


async def test_a_crash_mid_send_resends_with_the_same_nonce(trivia: TriviaRepository) -> None:
    first = await _claim(trivia, T0)
    assert first is not None
    assert await trivia.resume_daily_posts(at(1)) == 0  # its sender may still be at it
    restart = T0 + trivia.lease.length  # its sender died: its lease ran out
    assert await trivia.resume_daily_posts(restart) == 1
    again = await _claim(trivia, restart, channel=OTHER_CHANNEL)
    assert again is not None
    # Tried once already: the nonce was used in the first channel, so it stays there.
    assert (again.attempts, again.nonce, again.channel_id) == (2, first.nonce, CHANNEL)


async def test_an_untried_daily_post_follows_a_moved_channel(trivia: TriviaRepository) -> None:
    assert await trivia.claim_daily_post(GUILD, DAY, channel_id=CHANNEL, due_at=at(60), nonce="x", now=T0) is None
    claimed = await trivia.claim_daily_post(GUILD, DAY, channel_id=OTHER_CHANNEL, due_at=at(60), nonce="x", now=at(60))
    assert claimed is not None and claimed.channel_id == OTHER_CHANNEL


async def test_a_daily_post_retried_later_waits_for_its_time(trivia: TriviaRepository) -> None:
    assert await _claim(trivia, T0) is not None
    await trivia.retry_daily_post_later(GUILD, DAY, at(1), "Discord answered 503")
    waiting = await trivia.daily_post(GUILD, DAY)
    assert waiting is not None and (waiting.status, waiting.wake_at, waiting.reason) == (
        "scheduled",
        at(1),
        "Discord answered 503",
    )
    assert await _claim(trivia, at(0.5)) is None
    retried = await _claim(trivia, at(1))
    assert retried is not None and (retried.attempts, retried.first_try_at) == (2, T0)


async def test_daily_posts_of_days_that_are_over_are_skipped(trivia: TriviaRepository) -> None:
    assert await _claim(trivia, T0) is not None
    await trivia.retry_daily_post_later(GUILD, DAY, at(1), "Discord answered 503")
    assert await trivia.skip_daily_posts_before(GUILD, DAY, at(2)) == 0
    assert await trivia.skip_daily_posts_before(GUILD, DAY + dt.timedelta(days=1), at(2)) == 1
    skipped = await trivia.daily_post(GUILD, DAY)
    assert skipped is not None and skipped.status == "skipped" and (skipped.reason or "").startswith("missed:")


async def test_a_paused_daily_tells_one_admin_and_saving_the_settings_resumes_it(trivia: TriviaRepository) -> None:
    await trivia.set_daily_settings(GUILD, channel_id=CHANNEL, post_time="09:00", now=T0)
    assert await trivia.pause_daily(GUILD, "the channel was deleted")
    assert not await trivia.pause_daily(GUILD, "something else")  # the first reason stays
    settings = await trivia.daily_settings(GUILD)
    assert settings is not None and settings.paused_reason == "the channel was deleted"
    assert await trivia.guilds_with_daily_notices() == [GUILD]
    assert await trivia.take_daily_notice(GUILD) == "the channel was deleted"
    assert await trivia.take_daily_notice(GUILD) is None
    await trivia.set_daily_settings(GUILD, channel_id=OTHER_CHANNEL, now=at(1))
    resumed = await trivia.daily_settings(GUILD)
    assert resumed is not None and resumed.paused_reason is None


async def test_a_daily_posted_before_the_outbox_counts_as_sent(open_db: OpenDatabase) -> None:
    from db.migrate import load_migrations

    (outbox,) = [m for m in load_migrations() if m.name.endswith("trivia_daily_outbox.sql")]
    db = await open_db("old")
    await migrate(db, target=outbox.version - 1)
    old = TriviaRepository(db)
    await old.create_daily(GUILD, DAY, "q1", "{}", now=T0)
    await db.execute("UPDATE trivia_daily SET channel_id = ?, message_id = 77 WHERE guild_id = ?", (CHANNEL, GUILD))
    await old.create_daily(GUILD, DAY + dt.timedelta(days=1), "q2", "{}", now=at(1))  # chosen, not posted
    await migrate(db)
    trivia = TriviaRepository(db)
    posted = await trivia.daily_post(GUILD, DAY)
    assert posted is not None and (posted.status, posted.message_id, posted.channel_id) == ("sent", 77, CHANNEL)
    assert await trivia.daily_post(GUILD, DAY + dt.timedelta(days=1)) is None
    assert await _claim(trivia, at(2)) is None
