"""The game state machine, driven with explicit times."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

from cogs.trivia.answers import AnswerChecker
from cogs.trivia.game import GameState
from cogs.trivia.questions import Question, choices
from cogs.trivia.scoring import points

T0 = dt.datetime(2025, 5, 23, 20, 0, tzinfo=dt.UTC)
LIMIT = 20.0


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@pytest.fixture
def questions(by_key: dict[str, Question]) -> list[Question]:
    keys = ["gen:director:mi6", "mi1-year", "gen:year:mi3", "mi5-director", "gen:composer:mi6", "mi1-prague"]
    return [by_key[key] for key in keys]


def buttons_game(count: int = 5, **kwargs: object) -> GameState:
    return GameState(mode="buttons", question_count=count, time_limit_s=LIMIT, **kwargs)  # type: ignore[arg-type]


def ask(game: GameState, question: Question, start: float, seed: int = 0) -> list[str]:
    options = choices(question, random.Random(seed))
    game.ask(question, options, at(start))
    return options


def right(options: list[str], question: Question) -> int:
    return options.index(question.answer)


def wrong(options: list[str], question: Question) -> int:
    return next(i for i, text in enumerate(options) if text != question.answer)


# --------------------------------------------------------------------------- answering


def test_one_answer_per_member(questions: list[Question]) -> None:
    game = buttons_game()
    q = questions[0]
    options = ask(game, q, 0)
    first = game.answer(1, right(options, q), at(2))
    assert first.accepted and first.record is not None and first.record.correct
    again = game.answer(1, wrong(options, q), at(3))
    assert again.status == "already_answered" and again.record is None
    result = game.close(at(LIMIT))
    assert result.points == {1: first.record.points}  # the second press changed nothing


def test_late_and_closed_answers_are_refused(questions: list[Question]) -> None:
    game = buttons_game()
    q = questions[0]
    assert game.answer(1, 0, at(0)).status == "closed"  # nothing asked yet
    options = ask(game, q, 0)
    assert game.answer(1, right(options, q), at(LIMIT + 0.001)).status == "too_late"
    assert game.answer(2, right(options, q), at(LIMIT)).accepted  # the last moment still counts
    game.close(at(LIMIT + 1))
    assert game.answer(3, right(options, q), at(LIMIT + 2)).status == "closed"  # a stale button


def test_invalid_values(questions: list[Question]) -> None:
    game = buttons_game()
    ask(game, questions[0], 0)
    for value in (-1, 4, "Christopher McQuarrie", True):
        assert game.answer(1, value, at(1)).status == "invalid"  # type: ignore[arg-type]
    assert game.answer(1, 0, at(1)).accepted  # still free to answer properly


def test_points_and_time_recorded(questions: list[Question]) -> None:
    game = buttons_game()
    q = questions[0]
    options = ask(game, q, 0)
    record = game.answer(7, right(options, q), at(5.25)).record
    assert record is not None
    assert record.time_ms == 5250
    assert record.points == points(q.difficulty, 5.25, LIMIT, 0)
    assert (record.user_id, record.question_key, record.round_number, record.answer) == (7, q.key, 1, q.answer)
    wrong_record = game.answer(8, wrong(options, q), at(1)).record
    assert wrong_record is not None and not wrong_record.correct and wrong_record.points == 0
    json.dumps(record.to_dict())  # persistable as is


def test_streaks_grow_and_reset(questions: list[Question]) -> None:
    game = buttons_game(count=5)
    streaks = []
    plan = [True, True, False, True, "skip"]
    for number, (q, outcome) in enumerate(zip(questions, plan, strict=False)):
        options = ask(game, q, number * 30)
        if outcome != "skip":
            game.answer(2, 0, at(number * 30 + 1))  # another player keeps rounds answered
            choice = right(options, q) if outcome else wrong(options, q)
            record = game.answer(1, choice, at(number * 30)).record
            assert record is not None
            streaks.append(record.streak)
        game.close(at(number * 30 + LIMIT))
    assert streaks == [0, 1, 2, 0]
    # The bonus shows in the points: the second right answer in a row earns 10 % of the base more.
    mine = [record for record in game.records if record.user_id == 1]
    difficulty = questions[1].difficulty
    bonus = {"easy": 10, "medium": 20, "hard": 30}[difficulty]
    assert mine[1].points == points(difficulty, 0, LIMIT, 1) == points(difficulty, 0, LIMIT, 0) + bonus
    assert mine[2].points == 0  # wrong, streak or not


# --------------------------------------------------------------------------- closing and the reveal


def test_reveal(questions: list[Question]) -> None:
    game = buttons_game()
    q = questions[0]
    options = ask(game, q, 0)
    r, w = right(options, q), wrong(options, q)
    game.answer(1, w, at(1))
    game.answer(2, r, at(6))
    game.answer(3, r, at(3))
    game.answer(4, r, at(9))
    result = game.close(at(LIMIT))
    assert result.right_answer == q.answer and result.right_index == r
    assert result.counts[r] == 3 and result.counts[w] == 1 and sum(result.counts) == 4
    assert result.shares[r] == 0.75 and sum(result.shares) == pytest.approx(1.0)
    assert result.correct_users == (2, 3, 4)  # in the order they answered
    assert result.fastest == 3 and result.fastest_ms == 3000
    assert result.points[1] == 0 and result.points[3] > result.points[2] > result.points[4]
    assert result.film_key == q.film_key == "mi6"
    assert not result.unanswered


def test_nobody_right_has_no_fastest(questions: list[Question]) -> None:
    game = buttons_game()
    q = questions[0]
    options = ask(game, q, 0)
    game.answer(1, wrong(options, q), at(1))
    result = game.close(at(LIMIT))
    assert result.fastest is None and result.correct_users == ()


def test_empty_round_shares() -> None:
    game = GameState(mode="buttons", question_count=1, time_limit_s=LIMIT)
    q = Question("k", "?", "a", ("a",), ("b", "c", "d"), "easy", "x", None, frozenset(), "text")
    game.ask(q, ["a", "b", "c", "d"], at(0))
    result = game.close(at(LIMIT))
    assert result.unanswered and result.shares == (0.0, 0.0, 0.0, 0.0)


def test_ask_needs_the_answer_among_the_choices(questions: list[Question]) -> None:
    game = buttons_game()
    q = questions[0]
    with pytest.raises(ValueError):
        game.ask(q, list(q.wrong[:4]), at(0))
    with pytest.raises(ValueError):
        game.ask(q, [q.answer, q.answer, *q.wrong[:2]], at(0))


def test_one_round_at_a_time(questions: list[Question]) -> None:
    game = buttons_game()
    ask(game, questions[0], 0)
    with pytest.raises(RuntimeError):
        ask(game, questions[1], 1)
    game.close(at(LIMIT))
    with pytest.raises(RuntimeError):
        game.close(at(LIMIT))


def test_is_due(questions: list[Question]) -> None:
    game = buttons_game()
    assert not game.is_due(at(0))
    ask(game, questions[0], 0)
    assert not game.is_due(at(LIMIT - 0.1))
    assert game.is_due(at(LIMIT))


# --------------------------------------------------------------------------- everyone answered


def test_everyone_answered_uses_players_from_earlier_rounds(questions: list[Question]) -> None:
    game = buttons_game()
    ask(game, questions[0], 0)
    game.answer(1, 0, at(1))
    game.answer(2, 0, at(1))
    # First question: nobody knows who is playing yet, so it runs to its limit.
    assert not game.everyone_answered()
    assert game.everyone_answered({1, 2})  # unless the cog passes the players in
    game.close(at(LIMIT))
    ask(game, questions[1], 30)
    game.answer(1, 0, at(31))
    assert not game.everyone_answered()
    game.answer(2, 0, at(32))
    assert game.everyone_answered()
    game.close(at(32))


def test_everyone_answered_with_a_fixed_roster(questions: list[Question]) -> None:
    game = buttons_game(players={1, 2, 3})
    ask(game, questions[0], 0)
    game.answer(1, 0, at(1))
    game.answer(2, 0, at(1))
    assert not game.everyone_answered()
    game.answer(3, 0, at(2))
    assert game.everyone_answered()


def test_everyone_answered_with_no_round_or_no_players(questions: list[Question]) -> None:
    game = buttons_game()
    assert not game.everyone_answered()
    ask(game, questions[0], 0)
    assert not game.everyone_answered(set())


# --------------------------------------------------------------------------- ending


def test_three_unanswered_rounds_end_the_game(questions: list[Question]) -> None:
    game = buttons_game(count=6)
    options = ask(game, questions[0], 0)
    game.answer(1, right(options, questions[0]), at(1))
    game.close(at(LIMIT))
    for number in range(1, 3):
        ask(game, questions[number], number * 30)
        game.close(at(number * 30 + LIMIT))
        assert not game.finished
    ask(game, questions[3], 90)
    game.close(at(90 + LIMIT))
    assert game.finished and game.end_reason == "unanswered"
    with pytest.raises(RuntimeError):
        ask(game, questions[4], 120)
    assert [s.user_id for s in game.standings()] == [1]
    assert game.winner() is None  # one player


def test_an_answer_resets_the_unanswered_run(questions: list[Question]) -> None:
    game = buttons_game(count=6)
    for number in range(5):
        ask(game, questions[number], number * 30)
        if number == 2:
            game.answer(1, 0, at(number * 30 + 1))  # a wrong answer counts as an answer too
        game.close(at(number * 30 + LIMIT))
    assert not game.finished


def test_game_completes_after_its_questions(questions: list[Question]) -> None:
    game = buttons_game(count=2)
    for number in range(2):
        options = ask(game, questions[number], number * 30)
        game.answer(1, right(options, questions[number]), at(number * 30 + 2))
        game.answer(2, wrong(options, questions[number]), at(number * 30 + 1))
        assert not game.finished
        game.close(at(number * 30 + 5))
    assert game.finished and game.end_reason == "completed"
    assert game.winner() == 1
    assert [s.user_id for s in game.standings()] == [1, 2]
    assert len(game.results) == 2 and len(game.records) == 4


def test_a_stopped_game_has_standings_and_a_winner(questions: list[Question]) -> None:
    """peers: Red counts no win for a stopped game, sir-lancebot clears scores before announcing."""
    game = buttons_game(count=10)
    options = ask(game, questions[0], 0)
    game.answer(1, right(options, questions[0]), at(2))
    game.answer(2, right(options, questions[0]), at(8))
    game.close(at(LIMIT))
    options = ask(game, questions[1], 30)
    game.answer(2, right(options, questions[1]), at(31))
    result = game.stop(at(35))  # mid-round: the open round closes and counts
    assert result is not None and result.correct_users == (2,)
    assert game.finished and game.end_reason == "stopped"
    assert game.answer(1, 0, at(36)).status == "closed"
    table = game.standings()
    assert [s.user_id for s in table] == [2, 1]
    assert game.winner() == 2
    assert game.stop(at(40)) is None  # stopping twice is harmless


def test_a_stopped_game_between_rounds(questions: list[Question]) -> None:
    game = buttons_game(count=10)
    options = ask(game, questions[0], 0)
    game.answer(1, right(options, questions[0]), at(2))
    game.answer(2, wrong(options, questions[0]), at(3))
    game.close(at(LIMIT))
    assert game.stop(at(25)) is None
    assert game.winner() == 1


def test_a_solo_game_has_no_winner(questions: list[Question]) -> None:
    game = buttons_game(count=1)
    options = ask(game, questions[0], 0)
    game.answer(1, right(options, questions[0]), at(1))
    game.close(at(2))
    assert game.finished and game.standings()[0].points > 0
    assert game.winner() is None


# --------------------------------------------------------------------------- typed mode


def test_typed_mode(checker: AnswerChecker, by_key: dict[str, Question]) -> None:
    game = GameState(mode="typed", question_count=3, time_limit_s=LIMIT, checker=checker.check)
    q = by_key["gen:director:mi6"]
    round_ = game.ask(q, None, at(0))
    assert round_.choices == () and round_.right_index is None
    assert game.answer(1, "mcquarrie", at(3)).record.correct  # type: ignore[union-attr]
    assert not game.answer(2, "mcquarrie, abrams", at(4)).record.correct  # type: ignore[union-attr]
    assert game.answer(3, "   ", at(4)).status == "invalid"
    assert game.answer(1, "Christopher McQuarrie", at(5)).status == "already_answered"
    result = game.close(at(LIMIT))
    assert result.correct_users == (1,) and result.counts == () and result.shares == ()
    assert result.answers[1].answer == "mcquarrie, abrams"


def test_typed_mode_needs_a_checker() -> None:
    with pytest.raises(ValueError):
        GameState(mode="typed", question_count=3, time_limit_s=LIMIT)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"question_count": 0},
        {"question_count": 31},
        {"time_limit_s": 0},
        {"mode": "voice"},
    ],
)
def test_bad_settings(kwargs: dict[str, object]) -> None:
    settings: dict[str, object] = {"mode": "buttons", "question_count": 5, "time_limit_s": LIMIT, **kwargs}
    with pytest.raises(ValueError):
        GameState(**settings)  # type: ignore[arg-type]
