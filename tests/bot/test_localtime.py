"""Local wall-clock times across DST."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.localtime import at_local_time, local_day, next_local_time, parse_hhmm, zone

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC


def test_nine_oclock_stays_nine_oclock_across_dst() -> None:
    before = at_local_time(dt.date(2024, 3, 30), dt.time(9), LONDON)
    after = at_local_time(dt.date(2024, 3, 31), dt.time(9), LONDON)
    assert before == dt.datetime(2024, 3, 30, 9, tzinfo=UTC)
    assert after == dt.datetime(2024, 3, 31, 8, tzinfo=UTC)


def test_a_time_in_the_spring_gap_moves_to_the_next_valid_minute() -> None:
    # 2024-03-10 02:30 does not exist in New York: clocks jump from 02:00 to 03:00.
    assert at_local_time(dt.date(2024, 3, 10), dt.time(2, 30), NEW_YORK) == dt.datetime(2024, 3, 10, 7, tzinfo=UTC)


def test_an_ambiguous_time_fires_once_at_its_first_occurrence() -> None:
    # 2024-11-03 01:30 happens twice in New York; the first is 05:30 UTC.
    first = at_local_time(dt.date(2024, 11, 3), dt.time(1, 30), NEW_YORK)
    assert first == dt.datetime(2024, 11, 3, 5, 30, tzinfo=UTC)
    following = next_local_time(first, dt.time(1, 30), NEW_YORK)
    assert following.astimezone(NEW_YORK).date() == dt.date(2024, 11, 4)


def test_next_local_time_is_always_in_the_future_and_at_that_local_time() -> None:
    now = dt.datetime(2024, 6, 1, 12, tzinfo=UTC)
    assert next_local_time(now, dt.time(9), LONDON) == dt.datetime(2024, 6, 2, 8, tzinfo=UTC)
    assert next_local_time(now, dt.time(14), LONDON) == dt.datetime(2024, 6, 1, 13, tzinfo=UTC)


@given(
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 1, 1), timezones=st.just(UTC)),
    st.times(),
    st.sampled_from(["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]),
)
def test_next_local_time_properties(now: dt.datetime, time: dt.time, name: str) -> None:
    tz = ZoneInfo(name)
    instant = next_local_time(now, time.replace(microsecond=0, second=0), tz)
    assert now < instant <= now + dt.timedelta(days=2)
    local = instant.astimezone(tz)
    assert local.time() >= time.replace(microsecond=0, second=0) or local.date() > now.astimezone(tz).date()


def test_local_day_and_zone() -> None:
    late = dt.datetime(2024, 6, 1, 23, 30, tzinfo=UTC)
    assert local_day(late, ZoneInfo("Asia/Tokyo")) == dt.date(2024, 6, 2)
    assert zone("Nowhere/Land", "Europe/London") == LONDON
    assert zone(None) == ZoneInfo("UTC")


def test_parse_hhmm() -> None:
    assert parse_hhmm("09:05") == dt.time(9, 5)
    for bad in ("9:05", "24:00", "ab:cd", "0905"):
        with pytest.raises(ValueError):
            parse_hhmm(bad)
