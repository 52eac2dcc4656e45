"""Points, standings and the winner: examples and properties."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogs.trivia.scoring import BASE, STREAK_CAP, Standing, points, speed_factor, standings, winner

difficulties = st.sampled_from(sorted(BASE))
seconds = st.floats(min_value=-100, max_value=1000, allow_nan=False, allow_infinity=False)
limits = st.floats(min_value=0.5, max_value=600, allow_nan=False, allow_infinity=False)
streaks = st.integers(min_value=-5, max_value=100)


@dataclass(frozen=True)
class A:
    """A scored answer as the game or the repository hands them over."""

    user_id: int
    correct: bool
    points: int
    time_ms: int


# --------------------------------------------------------------------------- points


@pytest.mark.parametrize(
    ("difficulty", "elapsed", "limit", "streak", "expected"),
    [
        ("easy", 0, 20, 0, 100),
        ("easy", 20, 20, 0, 50),
        ("easy", 10, 20, 0, 75),
        ("medium", 0, 20, 0, 200),
        ("hard", 0, 20, 0, 300),
        ("hard", 30, 20, 0, 150),  # late counts as the limit
        ("hard", -3, 20, 0, 300),  # a clock step back counts as 0 s
        ("medium", 0, 20, 1, 220),  # +10 % of the base per answer in a row before
        ("medium", 0, 20, 5, 300),  # +50 %: the cap
        ("medium", 0, 20, 50, 300),
        ("medium", 20, 20, 5, 200),  # slowest with the full bonus
        ("easy", 5, 0, 0, 100),  # no time limit: full speed
    ],
)
def test_points_examples(difficulty: str, elapsed: float, limit: float, streak: int, expected: int) -> None:
    assert points(difficulty, elapsed, limit, streak) == expected


def test_unknown_difficulty() -> None:
    with pytest.raises(ValueError):
        points("mixed", 1, 20, 0)


def test_speed_factor_ends() -> None:
    assert speed_factor(0, 15) == 1.0
    assert speed_factor(15, 15) == 0.5
    assert speed_factor(float("nan"), 15) == 0.5


@given(difficulties, seconds, seconds, limits, streaks)
def test_points_never_increase_with_time(difficulty: str, a: float, b: float, limit: float, streak: int) -> None:
    early, late = sorted((a, b))
    assert points(difficulty, early, limit, streak) >= points(difficulty, late, limit, streak)


@given(difficulties, seconds, limits, streaks)
def test_points_bounds(difficulty: str, elapsed: float, limit: float, streak: int) -> None:
    base = BASE[difficulty]
    earned = points(difficulty, elapsed, limit, streak)
    assert earned >= 0
    assert base * 0.5 <= earned <= base * (1 + STREAK_CAP)


@given(difficulties, seconds, limits, st.integers(min_value=0, max_value=20))
def test_points_never_decrease_with_streak(difficulty: str, elapsed: float, limit: float, streak: int) -> None:
    assert points(difficulty, elapsed, limit, streak + 1) >= points(difficulty, elapsed, limit, streak)


@given(seconds, limits, streaks)
def test_harder_is_worth_more(elapsed: float, limit: float, streak: int) -> None:
    assert points("easy", elapsed, limit, streak) < points("medium", elapsed, limit, streak)
    assert points("medium", elapsed, limit, streak) < points("hard", elapsed, limit, streak)


# --------------------------------------------------------------------------- standings

answer_lists = st.lists(
    st.builds(
        A,
        user_id=st.integers(min_value=1, max_value=6),
        correct=st.booleans(),
        points=st.integers(min_value=0, max_value=450),
        time_ms=st.integers(min_value=0, max_value=30_000),
    ),
    max_size=40,
)


@given(answer_lists)
def test_standings_invariants(answers: list[A]) -> None:
    table = standings(answers)
    assert sorted(s.user_id for s in table) == sorted({a.user_id for a in answers})
    assert sum(s.points for s in table) == sum(a.points for a in answers)
    assert sum(s.answered for s in table) == len(answers)
    for s in table:
        mine = [a for a in answers if a.user_id == s.user_id]
        assert s.points == sum(a.points for a in mine)
        assert s.correct == sum(a.correct for a in mine)
        assert s.total_time_ms == sum(a.time_ms for a in mine)
    for first, second in itertools.pairwise(table):
        assert (first.points, -first.total_time_ms) >= (second.points, -second.total_time_ms)
        # Equal points and time share a rank; anything else ranks strictly lower.
        if (first.points, first.total_time_ms) == (second.points, second.total_time_ms):
            assert second.rank == first.rank
        else:
            assert second.rank > first.rank
    assert [s.rank for s in table][:1] in ([], [1])


@given(answer_lists)
def test_standings_ignore_answer_order(answers: list[A]) -> None:
    assert standings(answers) == standings(list(reversed(answers)))


def test_ties_are_broken_by_total_time() -> None:
    answers = [A(1, True, 200, 9000), A(2, True, 200, 4000), A(3, True, 100, 100)]
    table = standings(answers)
    assert [s.user_id for s in table] == [2, 1, 3]
    assert [s.rank for s in table] == [1, 2, 3]
    assert winner(table, {1, 2, 3}) == 2


def test_a_full_tie_shares_the_rank_and_has_no_winner() -> None:
    table = standings([A(1, True, 200, 5000), A(2, True, 200, 5000)])
    assert [s.rank for s in table] == [1, 1]
    assert winner(table, {1, 2}) is None


def test_time_of_wrong_answers_counts_too() -> None:
    table = standings([A(1, True, 200, 1000), A(1, False, 0, 9000), A(2, True, 200, 5000)])
    assert [s.user_id for s in table] == [2, 1]


# --------------------------------------------------------------------------- winner


def test_a_win_needs_two_players_who_answered() -> None:
    solo = standings([A(1, True, 300, 1000)])
    assert winner(solo, {1}) is None
    duo = standings([A(1, True, 300, 1000), A(2, False, 0, 2000)])
    assert winner(duo, {1, 2}) == 1


def test_no_winner_when_nobody_scored() -> None:
    table = standings([A(1, False, 0, 1000), A(2, False, 0, 2000)])
    assert winner(table, {1, 2}) is None
    assert winner([], set()) is None


@given(answer_lists)
def test_winner_is_the_top_of_the_standings(answers: list[A]) -> None:
    table = standings(answers)
    players = {a.user_id for a in answers}
    chosen = winner(table, players)
    if chosen is not None:
        assert len(players) >= 2
        assert chosen == table[0].user_id and table[0].points > 0
        assert len(table) == 1 or table[1].rank > 1
    elif len(players) >= 2 and table[0].points > 0:
        assert table[1].rank == 1  # only a perfect tie leaves a game with points and players unwon


def test_standing_is_plain_data() -> None:
    s = Standing(1, 1, 100, 1, 1, 500)
    assert (s.user_id, s.rank, s.points, s.correct, s.answered, s.total_time_ms) == (1, 1, 100, 1, 1, 500)
