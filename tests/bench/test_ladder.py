"""The size ladder's pieces that need no bot: reading the rungs, reading the process's memory."""

from __future__ import annotations

import argparse

import pytest

from bench.ladder import Rung, memory_now, parse_ladder
from bench.lookup import parse_args


def test_rungs_are_read_smallest_first() -> None:
    assert parse_ladder("100000x500000, 10000x50000") == [Rung(10_000, 50_000), Rung(100_000, 500_000)]


@pytest.mark.parametrize("text", ["10000x50000", "10000,100000x5", "ax1,2x3", "0x1,2x3", "10000x50000,"])
def test_a_ladder_that_cannot_be_measured_is_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_ladder(text)


def test_quick_runs_climb_a_small_ladder_and_full_runs_reach_100000_films() -> None:
    assert parse_args(["--quick"]).ladder[-1].films <= 2_000
    assert parse_args([]).ladder == [Rung(10_000, 50_000), Rung(100_000, 500_000)]


def test_memory_is_read_from_proc() -> None:
    resident, peak = memory_now()
    assert 0 < resident <= peak
