"""DM reminder timing: offsets and quiet hours as typed, DST-safe instants, and properties of the plan."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.localtime import at_local_time
from bot.targets import Target
from cogs.reminders.timing import (
    MAX_DAYS,
    MAX_HOURS,
    MAX_OFFSETS,
    PRESETS,
    REMINDER_HOUR,
    Offset,
    PlannedReminder,
    QuietHours,
    base_instant,
    describe_offsets,
    offsets_text,
    parse_offsets,
    parse_quiet_hours,
    plan_reminders,
    reminder_instant,
)

UTC = dt.UTC
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
RELEASE = Offset()
NIGHT = QuietHours(dt.time(22, 0), dt.time(7, 0))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(tz: ZoneInfo, year: int, month: int, day: int, hour: int, minute: int = 0, fold: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=tz, fold=fold)


def film(day: dt.date) -> Target:
    return Target(key="film:mi8", title="Mission: Impossible 8", day=day, kind="film")


def event(starts_at: dt.datetime) -> Target:
    return Target(key="event:1", title="Watch party", day=starts_at.date(), kind="event", starts_at=starts_at)


def wall(instant: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def days(*counts: int) -> tuple[Offset, ...]:
    return tuple(Offset(count) for count in counts)


# --- offsets -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "text", "description", "release"),
    [
        (Offset(7), "7d", "7 days before", False),
        (Offset(1), "1d", "1 day before", False),
        (Offset(hours=2), "2h", "2 hours before", False),
        (Offset(hours=1), "1h", "1 hour before", False),
        (Offset(0, 0), "release", "on the day", True),
        (Offset(hours=0), "release", "on the day", True),
    ],
)
def test_offset_text_and_description(offset: Offset, text: str, description: str, release: bool) -> None:
    assert offset.to_text() == text
    assert offset.describe() == description
    assert offset.is_release is release
    assert parse_offsets(text) == (offset,)


@pytest.mark.parametrize(
    "fields",
    [{"days": -1}, {"hours": -1}, {"days": MAX_DAYS + 1}, {"hours": MAX_HOURS + 1}, {"days": 1, "hours": 2}],
)
def test_malformed_offsets_are_refused(fields: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        Offset(**fields)


def test_offsets_order_by_their_length() -> None:
    shuffled = [Offset(1), RELEASE, Offset(hours=72), Offset(hours=24), Offset(2)]
    # 72 hours before comes before 2 days before; 1d and 24h tie on length and days go first.
    assert sorted(shuffled, reverse=True) == [Offset(hours=72), Offset(2), Offset(1), Offset(hours=24), RELEASE]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d, 1d, release", (Offset(7), Offset(1), RELEASE)),
        ("release 1d 7d", (Offset(7), Offset(1), RELEASE)),
        ("1w;2h;0", (Offset(7), Offset(hours=2), RELEASE)),
        ("2 weeks, 3 days, 12 hours, on the day", (Offset(14), Offset(3), Offset(hours=12), RELEASE)),
        ("30 , 7", (Offset(30), Offset(7))),
        ("0d", (RELEASE,)),
        ("0h", (RELEASE,)),
        ("On The Day", (RELEASE,)),
        ("1W, 7D, 7 days, 007d", (Offset(7),)),
        ("72h, 2d, 24h, 1d", (Offset(hours=72), Offset(2), Offset(1), Offset(hours=24))),
        (f"{MAX_DAYS}d, {MAX_HOURS}h, 52w", (Offset(MAX_DAYS), Offset(364), Offset(hours=MAX_HOURS))),
        ("1 hour, 1 day, 1 week", (Offset(7), Offset(1), Offset(hours=1))),
    ],
)
def test_parse_offsets(text: str, expected: tuple[Offset, ...]) -> None:
    assert parse_offsets(text) == expected


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_are_their_text(name: str) -> None:
    offsets = parse_offsets(name)
    assert offsets == parse_offsets(PRESETS[name]) == parse_offsets(f"  {name.upper()} ")
    assert 1 <= len(offsets) <= MAX_OFFSETS
    assert offsets[-1] == RELEASE


def test_preset_contents() -> None:
    assert parse_offsets("default") == (Offset(1), RELEASE)
    assert parse_offsets("Release Day") == parse_offsets("release_day") == (RELEASE,)
    assert parse_offsets("week") == (Offset(7), Offset(1), RELEASE)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Give at least one reminder time"),
        ("   ", "Give at least one reminder time"),
        (", ;", "Give at least one reminder time"),
        ("tomorrow", "`tomorrow` is not a reminder time"),
        ("7d, 5x", "`5x` is not a reminder time"),
        ("1.5d", "`1.5d` is not a reminder time"),
        ("1d2h", "`1d2h` is not a reminder time"),
        ("d", "`d` is not a reminder time"),
        ("`7`d", "`'7'd` is not a reminder time"),
        ("x" * 40, "`xxxxxxxxxxxxxxxxxxx…` is not a reminder time"),
        ("-1d", "`-1d` is negative"),
        (f"{MAX_DAYS + 1}d", f"`{MAX_DAYS + 1}d` is too far ahead"),
        (f"{MAX_DAYS + 1}", "is too far ahead"),
        ("53w", "`53w` is too far ahead"),
        ("9" * 5000 + "d", "is too far ahead"),
        (f"{MAX_HOURS + 1}h", f"`{MAX_HOURS + 1}h` is too many hours"),
        (", ".join(f"{n}d" for n in range(1, MAX_OFFSETS + 2)), f"That is {MAX_OFFSETS + 1} reminder times"),
    ],
)
def test_parse_offsets_errors(text: str, fragment: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_offsets(text)
    assert fragment in str(error.value)


def test_the_limit_counts_distinct_offsets() -> None:
    items = [f"{n}d" for n in range(1, MAX_OFFSETS + 1)]
    assert len(parse_offsets(", ".join([*items, "1w", "7d", "1d"]))) == MAX_OFFSETS


def test_offsets_text_is_canonical() -> None:
    assert offsets_text((Offset(7), Offset(1), RELEASE)) == "7d,1d,release"
    assert offsets_text([RELEASE, Offset(hours=2), Offset(7), RELEASE]) == "7d,2h,release"
    assert parse_offsets(offsets_text([RELEASE, Offset(hours=72), Offset(1)])) == (Offset(hours=72), Offset(1), RELEASE)
    with pytest.raises(ValueError):
        offsets_text(())


def test_describe_offsets() -> None:
    assert describe_offsets(parse_offsets("week")) == "7 days before, 1 day before and on the day"
    assert describe_offsets([Offset(hours=1)]) == "1 hour before"
    assert describe_offsets([]) == "no reminders"


# --- quiet hours -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "inside", "outside"),
    [
        ("22:00", "07:00", ["22:00", "23:59", "00:00", "03:30", "06:59"], ["07:00", "12:00", "21:59"]),
        ("13:00", "15:00", ["13:00", "14:30", "14:59"], ["12:59", "15:00", "23:00", "00:00"]),
        ("00:00", "00:01", ["00:00"], ["00:01", "23:59"]),
    ],
)
def test_quiet_hours_contains(start: str, end: str, inside: list[str], outside: list[str]) -> None:
    quiet = parse_quiet_hours(start, end)
    assert all(quiet.contains(dt.time.fromisoformat(text)) for text in inside)
    assert not any(quiet.contains(dt.time.fromisoformat(text)) for text in outside)
    # Any tzinfo on the wall time is ignored rather than refused.
    assert quiet.contains(dt.time.fromisoformat(inside[0]).replace(tzinfo=UTC))


def test_parse_quiet_hours() -> None:
    assert parse_quiet_hours("22:00", "07:00") == NIGHT
    assert parse_quiet_hours(" 22:00 ", "7:00") == NIGHT
    assert parse_quiet_hours("13:00", "15:30") == QuietHours(dt.time(13), dt.time(15, 30))
    assert NIGHT.describe() == "22:00–07:00"


@pytest.mark.parametrize(
    ("start", "end", "fragment"),
    [
        ("22:00", "22:00", "different start and end"),
        ("7:00", "07:00", "different start and end"),
        ("25:00", "07:00", "`25:00` is not a time for the start"),
        ("24:00", "07:00", "`24:00` is not a time for the start"),
        ("22:00", "12:60", "`12:60` is not a time for the end"),
        ("22:00", "7", "`7` is not a time for the end"),
        ("10pm", "07:00", "`10pm` is not a time for the start"),
        ("", "07:00", "is not a time for the start"),
    ],
)
def test_parse_quiet_hours_errors(start: str, end: str, fragment: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_quiet_hours(start, end)
    assert fragment in str(error.value)


def test_malformed_quiet_hours_are_refused() -> None:
    with pytest.raises(ValueError):
        QuietHours(dt.time(9), dt.time(9))
    with pytest.raises(ValueError):
        QuietHours(dt.time(22, tzinfo=UTC), dt.time(7))


# --- instants ----------------------------------------------------------------------------------


def test_base_instant() -> None:
    assert base_instant(film(dt.date(2024, 6, 1)), LONDON) == utc(2024, 6, 1, 8)
    assert base_instant(film(dt.date(2024, 6, 1)), NEW_YORK) == utc(2024, 6, 1, 13)
    starts = local(NEW_YORK, 2024, 6, 1, 19, 30)
    base = base_instant(event(starts), LONDON)
    assert base == utc(2024, 6, 1, 23, 30)
    assert base.tzinfo is UTC


@pytest.mark.parametrize(
    ("tz", "day", "expected"),
    [
        # London springs forward on 31 March 2024: 09:00 is 08:00 UTC after it, 09:00 UTC before.
        (
            LONDON,
            dt.date(2024, 4, 2),
            [utc(2024, 3, 3, 9), utc(2024, 3, 26, 9), utc(2024, 4, 1, 8), utc(2024, 4, 2, 8)],
        ),
        # New York falls back on 3 November 2024: 09:00 is 14:00 UTC after it, 13:00 UTC before.
        (
            NEW_YORK,
            dt.date(2024, 11, 5),
            [utc(2024, 10, 6, 13), utc(2024, 10, 29, 13), utc(2024, 11, 4, 14), utc(2024, 11, 5, 14)],
        ),
    ],
)
def test_day_offsets_keep_nine_local_across_dst(tz: ZoneInfo, day: dt.date, expected: list[dt.datetime]) -> None:
    target = film(day)
    instants = [reminder_instant(target, offset, tz, None) for offset in (*days(30, 7, 1), RELEASE)]
    assert instants == expected
    assert [wall(instant, tz).time() for instant in instants] == [REMINDER_HOUR] * 4


def test_day_offsets_of_a_timed_event_keep_its_local_time() -> None:
    # 19:00 EDT on 12 March is 23:00 UTC; a week earlier 19:00 is EST, so 00:00 UTC the next day.
    target = event(local(NEW_YORK, 2024, 3, 12, 19))
    assert reminder_instant(target, Offset(7), NEW_YORK, None) == utc(2024, 3, 6, 0)
    # The wall time is the member's: in London the event is at 23:00 GMT, so 23:00 a week before too.
    assert reminder_instant(target, Offset(7), LONDON, None) == utc(2024, 3, 5, 23)


def test_a_day_offset_in_a_gap_moves_to_the_end_of_it() -> None:
    # 02:30 does not exist in New York on 10 March 2024: the reminder is at 03:00 EDT.
    target = event(local(NEW_YORK, 2024, 3, 17, 2, 30))
    assert reminder_instant(target, Offset(7), NEW_YORK, None) == local(NEW_YORK, 2024, 3, 10, 3)


def test_hour_offsets_are_elapsed_time_across_dst() -> None:
    # 05:00 EDT on 10 March is 09:00 UTC; six hours earlier the clock showed 22:00 EST, not 23:00.
    target = event(local(NEW_YORK, 2024, 3, 10, 5))
    assert reminder_instant(target, Offset(hours=6), NEW_YORK, None) == utc(2024, 3, 10, 3)
    assert wall(utc(2024, 3, 10, 3), NEW_YORK) == dt.datetime(2024, 3, 9, 22)
    # Across London's fall back, 24 hours and 1 day before differ by the hour the clocks went back.
    target = event(local(LONDON, 2024, 10, 27, 9))
    assert reminder_instant(target, Offset(hours=24), LONDON, None) == utc(2024, 10, 26, 9)
    assert reminder_instant(target, Offset(1), LONDON, None) == utc(2024, 10, 26, 8)
    # On an all-day target hours count back from 09:00.
    assert reminder_instant(film(dt.date(2024, 3, 31)), Offset(hours=10), LONDON, None) == utc(2024, 3, 30, 22)


# --- quiet hours move reminders ----------------------------------------------------------------


def test_overnight_quiet_hours_move_a_late_reminder_to_the_next_morning() -> None:
    target = event(local(LONDON, 2024, 6, 15, 23, 30))
    assert reminder_instant(target, Offset(1), LONDON, None) == local(LONDON, 2024, 6, 14, 23, 30)
    assert reminder_instant(target, Offset(1), LONDON, NIGHT) == local(LONDON, 2024, 6, 15, 7)


def test_overnight_quiet_hours_move_an_early_reminder_to_the_same_morning() -> None:
    target = event(local(LONDON, 2024, 6, 15, 6, 30))
    assert reminder_instant(target, Offset(7), LONDON, NIGHT) == local(LONDON, 2024, 6, 8, 7)


def test_same_day_quiet_hours() -> None:
    lunch = parse_quiet_hours("13:00", "15:00")
    target = event(local(LONDON, 2024, 6, 15, 14))
    assert reminder_instant(target, Offset(1), LONDON, lunch) == local(LONDON, 2024, 6, 14, 15)
    assert reminder_instant(target, Offset(hours=1), LONDON, lunch) == local(LONDON, 2024, 6, 15, 15)
    assert reminder_instant(target, Offset(hours=2), LONDON, lunch) == local(LONDON, 2024, 6, 15, 12)


def test_the_window_includes_its_start_and_not_its_end() -> None:
    assert reminder_instant(event(local(LONDON, 2024, 6, 15, 7)), Offset(1), LONDON, NIGHT) == local(
        LONDON, 2024, 6, 14, 7
    )
    assert reminder_instant(event(local(LONDON, 2024, 6, 15, 22)), Offset(1), LONDON, NIGHT) == local(
        LONDON, 2024, 6, 15, 7
    )


def test_release_reminders_are_never_moved() -> None:
    late = event(local(LONDON, 2024, 6, 15, 23, 30))
    assert reminder_instant(late, RELEASE, LONDON, NIGHT) == local(LONDON, 2024, 6, 15, 23, 30)
    morning = parse_quiet_hours("08:00", "10:00")
    target = film(dt.date(2024, 6, 15))
    assert reminder_instant(target, RELEASE, LONDON, morning) == local(LONDON, 2024, 6, 15, 9)
    assert reminder_instant(target, Offset(1), LONDON, morning) == local(LONDON, 2024, 6, 14, 10)


def test_quiet_hours_ending_in_a_spring_forward_gap_end_at_the_first_minute_after_it() -> None:
    # 02:30 never happens in New York on 10 March 2024: the clock goes from 01:59 to 03:00 EDT.
    quiet = parse_quiet_hours("01:00", "02:30")
    target = event(local(NEW_YORK, 2024, 3, 11, 1, 30))
    assert reminder_instant(target, Offset(1), NEW_YORK, quiet) == local(NEW_YORK, 2024, 3, 10, 3)
    assert wall(utc(2024, 3, 10, 7), NEW_YORK) == dt.datetime(2024, 3, 10, 3)


def test_quiet_hours_ending_in_the_repeated_hour_end_at_the_occurrence_after_the_reminder() -> None:
    # New York falls back at 02:00 EDT on 3 November 2024, so 01:00–02:00 happens twice. Two hours
    # before 03:15 EST is 01:15 EST, the second pass; the next 01:30 is 01:30 EST, fifteen minutes on.
    quiet = parse_quiet_hours("00:00", "01:30")
    target = event(local(NEW_YORK, 2024, 11, 3, 3, 15))
    assert reminder_instant(target, Offset(hours=2), NEW_YORK, None) == utc(2024, 11, 3, 6, 15)
    assert reminder_instant(target, Offset(hours=2), NEW_YORK, quiet) == utc(2024, 11, 3, 6, 30)
    # Two hours before 02:15 EST is 01:15 EDT, the first pass: the first 01:30 is next.
    target = event(local(NEW_YORK, 2024, 11, 3, 2, 15))
    assert reminder_instant(target, Offset(hours=2), NEW_YORK, None) == utc(2024, 11, 3, 5, 15)
    assert reminder_instant(target, Offset(hours=2), NEW_YORK, quiet) == utc(2024, 11, 3, 5, 30)


def test_quiet_hours_whose_end_is_skipped_into_the_next_window_wait_for_the_next_end() -> None:
    # Samoa skipped 30 December 2011: its clocks went from 29 December 23:59 to 31 December 00:00.
    # 07:00 on the 30th never came, and the first minute after it (00:00) is quiet again.
    apia = ZoneInfo("Pacific/Apia")
    target = film(dt.date(2011, 12, 31))
    assert reminder_instant(target, Offset(hours=10), apia, None) == local(apia, 2011, 12, 29, 23)
    assert reminder_instant(target, Offset(hours=10), apia, NIGHT) == local(apia, 2011, 12, 31, 7)


# --- the plan ----------------------------------------------------------------------------------


def test_plan_keeps_what_is_still_to_come_in_order() -> None:
    target = film(dt.date(2024, 6, 10))
    offsets = parse_offsets("countdown")
    plan = plan_reminders(target, offsets, LONDON, None, utc(2024, 6, 2, 12))
    assert plan == [
        PlannedReminder(Offset(7), utc(2024, 6, 3, 8)),
        PlannedReminder(Offset(1), utc(2024, 6, 9, 8)),
        PlannedReminder(RELEASE, utc(2024, 6, 10, 8)),
    ]
    # A reminder due exactly now is not still to come.
    assert plan_reminders(target, offsets, LONDON, None, utc(2024, 6, 9, 8)) == plan[2:]
    assert plan_reminders(target, offsets, LONDON, None, utc(2024, 6, 10, 7, 59)) == plan[2:]


def test_nothing_is_planned_once_the_base_has_passed() -> None:
    target = film(dt.date(2024, 6, 10))
    assert plan_reminders(target, days(1, 0), LONDON, None, utc(2024, 6, 10, 8)) == []
    assert plan_reminders(target, days(1, 0), LONDON, None, utc(2025, 1, 1)) == []


def test_plan_needs_an_aware_now() -> None:
    with pytest.raises(ValueError):
        plan_reminders(film(dt.date(2024, 6, 10)), days(1), LONDON, None, dt.datetime(2024, 6, 1))


def test_plan_merges_duplicates_and_ignores_order() -> None:
    target = film(dt.date(2024, 6, 10))
    now = utc(2024, 1, 1)
    plan = plan_reminders(target, (Offset(1), RELEASE, Offset(1), Offset(7)), LONDON, None, now)
    assert [reminder.offset for reminder in plan] == [Offset(7), Offset(1), RELEASE]
    assert plan_reminders(target, (RELEASE, Offset(7), Offset(1)), LONDON, None, now) == plan


def test_reminders_due_together_are_ordered_by_offset() -> None:
    # Outside DST changes 24h and 1d before are the same instant.
    target = event(local(LONDON, 2024, 6, 15, 20))
    plan = plan_reminders(target, (Offset(1), Offset(hours=24)), LONDON, None, utc(2024, 1, 1))
    assert [(reminder.offset, reminder.due_at) for reminder in plan] == [
        (Offset(hours=24), local(LONDON, 2024, 6, 14, 20)),
        (Offset(1), local(LONDON, 2024, 6, 14, 20)),
    ]
    # Quiet hours can gather several reminders at their end.
    target = event(local(LONDON, 2024, 6, 15, 8))
    plan = plan_reminders(target, (Offset(hours=4), Offset(hours=2)), LONDON, NIGHT, utc(2024, 1, 1))
    assert [(reminder.offset, reminder.due_at) for reminder in plan] == [
        (Offset(hours=2), local(LONDON, 2024, 6, 15, 7)),
        (Offset(hours=4), local(LONDON, 2024, 6, 15, 7)),
    ]


def test_a_reminder_pushed_past_the_start_is_left_out() -> None:
    # A 06:00 event: "2 hours before" is 04:00, in quiet hours, and their end (07:00) is after the start.
    target = event(local(LONDON, 2024, 6, 15, 6))
    assert reminder_instant(target, Offset(hours=2), LONDON, NIGHT) == local(LONDON, 2024, 6, 15, 7)
    plan = plan_reminders(target, (Offset(1), Offset(hours=2), RELEASE), LONDON, NIGHT, utc(2024, 1, 1))
    assert plan == [
        PlannedReminder(Offset(1), local(LONDON, 2024, 6, 14, 7)),
        PlannedReminder(RELEASE, local(LONDON, 2024, 6, 15, 6)),
    ]


# --- properties --------------------------------------------------------------------------------

SETTINGS = settings(max_examples=120, deadline=None)
ZONE_NAMES = sorted(zoneinfo.available_timezones())
# Zones whose clock changes are worth aiming at: midnight changes (Havana, Santiago), half-hour DST
# (Lord Howe), negative DST (Dublin), several changes a year (Casablanca), a skipped day (Apia).
DST_ZONE_NAMES = [
    "America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Havana", "America/Santiago",
    "Europe/Dublin", "Africa/Casablanca", "Pacific/Apia", "Antarctica/Troll", "Asia/Beirut",
]  # fmt: skip


@functools.cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


ZONES = st.one_of(st.sampled_from(DST_ZONE_NAMES), st.sampled_from(ZONE_NAMES)).map(_zone)
TIMES = st.builds(dt.time, st.integers(0, 23), st.integers(0, 59))
DATES = st.dates(dt.date(1995, 1, 1), dt.date(2055, 12, 31))
DAY_OFFSETS = st.integers(1, MAX_DAYS).map(lambda count: Offset(days=count))
HOUR_OFFSETS = st.integers(1, MAX_HOURS).map(lambda count: Offset(hours=count))
BEFORE_OFFSETS = st.one_of(DAY_OFFSETS, HOUR_OFFSETS)
OFFSETS = st.one_of(st.just(RELEASE), BEFORE_OFFSETS)
QUIETS = st.tuples(TIMES, TIMES).filter(lambda pair: pair[0] != pair[1]).map(lambda pair: QuietHours(*pair))


@st.composite
def targets(draw: st.DrawFn, tz: ZoneInfo) -> Target:
    """A film, or an event at any minute (given as a wall time in `tz` or as a UTC instant)."""
    day = draw(DATES)
    kind = draw(st.sampled_from(["film", "local event", "utc event"]))
    if kind == "film":
        return film(day)
    time = draw(TIMES)
    starts_at = at_local_time(day, time, tz) if kind == "local event" else dt.datetime.combine(day, time, UTC)
    return event(starts_at)


@dataclass(frozen=True)
class Scenario:
    target: Target
    offsets: list[Offset]
    tz: ZoneInfo
    quiet: QuietHours | None
    now: dt.datetime


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    tz = draw(ZONES)
    target = draw(targets(tz))
    offsets = draw(st.lists(OFFSETS, min_size=1, max_size=MAX_OFFSETS))
    quiet = draw(st.one_of(st.none(), QUIETS))
    # Mostly within reach of the offsets, sometimes after the base.
    now = base_instant(target, tz) + dt.timedelta(minutes=draw(st.integers(-(MAX_DAYS + 2) * 1440, 2 * 1440)))
    return Scenario(target, offsets, tz, quiet, now)


def plan_of(scenario: Scenario, now: dt.datetime | None = None) -> list[PlannedReminder]:
    return plan_reminders(scenario.target, scenario.offsets, scenario.tz, scenario.quiet, now or scenario.now)


def exists(naive: dt.datetime, tz: ZoneInfo) -> bool:
    """Whether the clock in `tz` ever shows `naive` (spring-forward gaps are the times it never shows)."""
    # Through UTC: `astimezone` to the datetime's own tzinfo returns it unchanged, so a time in the gap
    # would seem to exist.
    return wall(naive.replace(tzinfo=tz).astimezone(UTC), tz) == naive


def first_occurrence(naive: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return min(naive.replace(tzinfo=tz, fold=fold).astimezone(UTC) for fold in (0, 1))


def skipped_by_jump_at(instant: dt.datetime, naive: dt.datetime, tz: ZoneInfo) -> bool:
    """Whether the clock jumps forward over `naive` at `instant` (so `instant` is the first minute after it)."""
    before = wall(instant - dt.timedelta(seconds=1), tz)
    return before < naive < wall(instant, tz)


SPELLINGS = {
    "days": ["{n}d", "{n} days", "{n}", "{n}D", "{n}day"],
    "hours": ["{n}h", "{n} hours", "{n}hrs", "{n} H"],
    "release": ["release", "0", "0d", "0h", "on the day", "RELEASE", "release day"],
}


@SETTINGS
@given(st.lists(OFFSETS, min_size=1, max_size=MAX_OFFSETS, unique=True), st.data())
def test_offsets_survive_storage_and_any_spelling(offsets: list[Offset], data: st.DataObject) -> None:
    canonical = tuple(sorted(offsets, reverse=True))
    stored = offsets_text(offsets)
    assert parse_offsets(stored) == canonical
    assert offsets_text(canonical) == stored
    assert all(offset.to_text() in stored.split(",") for offset in offsets)
    items = []
    for offset in offsets + data.draw(st.lists(st.sampled_from(offsets), max_size=3)):
        if offset.is_release:
            items.append(data.draw(st.sampled_from(SPELLINGS["release"])))
        elif offset.hours:
            items.append(data.draw(st.sampled_from(SPELLINGS["hours"])).format(n=offset.hours))
        else:
            spellings = SPELLINGS["days"] + (["{w}w", "{w} weeks"] if offset.days % 7 == 0 else [])
            items.append(data.draw(st.sampled_from(spellings)).format(n=offset.days, w=offset.days // 7))
    items = data.draw(st.permutations(items))
    separator = data.draw(st.sampled_from([",", ", ", " ", " ; ", "\n"]))
    assert parse_offsets(separator.join(items)) == canonical


@SETTINGS
@given(scenarios())
def test_plan_invariants(scenario: Scenario) -> None:
    plan = plan_of(scenario)
    tz, quiet, now = scenario.tz, scenario.quiet, scenario.now
    base = base_instant(scenario.target, tz)
    assert plan == sorted(plan, key=lambda reminder: (reminder.due_at, reminder.offset))
    planned = {reminder.offset for reminder in plan}
    assert len(planned) == len(plan)
    assert planned <= set(scenario.offsets)
    for reminder in plan:
        assert reminder.due_at.tzinfo is UTC
        assert reminder.due_at > now
        assert reminder.due_at == reminder_instant(scenario.target, reminder.offset, tz, quiet)
        if reminder.offset.is_release:
            assert reminder.due_at == base
        else:
            assert reminder.due_at < base
            assert quiet is None or not quiet.contains(reminder.due_at.astimezone(tz).time())
    # Whatever was left out is past, or would come after the thing it announces.
    for offset in set(scenario.offsets) - planned:
        due_at = reminder_instant(scenario.target, offset, tz, quiet)
        assert due_at <= now or (not offset.is_release and due_at >= base)
    if base <= now:
        assert plan == []


@SETTINGS
@given(scenarios(), st.integers(0, 400 * 1440))
def test_plan_is_deterministic_and_a_later_now_leaves_a_suffix(scenario: Scenario, minutes: int) -> None:
    plan = plan_of(scenario)
    assert plan_of(scenario) == plan
    shuffled = plan_reminders(
        scenario.target, [*reversed(scenario.offsets), *scenario.offsets], scenario.tz, scenario.quiet, scenario.now
    )
    assert shuffled == plan
    later = scenario.now + dt.timedelta(minutes=minutes)
    later_plan = plan_of(scenario, later)
    assert later_plan == plan[len(plan) - len(later_plan) :]
    assert later_plan == [reminder for reminder in plan if reminder.due_at > later]


@SETTINGS
@given(ZONES.flatmap(lambda tz: st.tuples(st.just(tz), targets(tz))), BEFORE_OFFSETS, QUIETS)
def test_quiet_hours_move_a_reminder_to_their_end(
    case: tuple[ZoneInfo, Target], offset: Offset, quiet: QuietHours
) -> None:
    tz, target = case
    original = reminder_instant(target, offset, tz, None)
    moved = reminder_instant(target, offset, tz, quiet)
    assert reminder_instant(target, RELEASE, tz, quiet) == base_instant(target, tz)
    if not quiet.contains(wall(original, tz).time()):
        assert moved == original
        return
    assert moved > original
    assert not quiet.contains(wall(moved, tz).time())
    shown = wall(moved, tz)
    end = [dt.datetime.combine(day, quiet.end) for day in (shown.date(), shown.date() - dt.timedelta(days=1))]
    assert shown == end[0] or any(skipped_by_jump_at(moved, naive, tz) for naive in end)
    # The first such instant: between the reminder and its new time the clock never showed quiet.end
    # (whole minutes suffice: every instant here is on a whole minute, and so are offsets since 1995).
    step = original + dt.timedelta(minutes=1)
    while step < moved:
        assert wall(step, tz).time() != quiet.end
        step += dt.timedelta(minutes=1)


@SETTINGS
@given(ZONES.flatmap(lambda tz: st.tuples(st.just(tz), targets(tz))), DAY_OFFSETS)
def test_day_offsets_keep_the_wall_time(case: tuple[ZoneInfo, Target], offset: Offset) -> None:
    tz, target = case
    due_at = reminder_instant(target, offset, tz, None)
    if target.starts_at is None:
        naive = dt.datetime.combine(target.day - dt.timedelta(days=offset.days), REMINDER_HOUR)
    else:
        naive = wall(target.starts_at, tz) - dt.timedelta(days=offset.days)
    if exists(naive, tz):
        assert due_at == first_occurrence(naive, tz)
    else:
        assert skipped_by_jump_at(due_at, naive, tz)


@SETTINGS
@given(ZONES.flatmap(lambda tz: st.tuples(st.just(tz), targets(tz))), HOUR_OFFSETS)
def test_hour_offsets_are_exact(case: tuple[ZoneInfo, Target], offset: Offset) -> None:
    tz, target = case
    due_at = reminder_instant(target, offset, tz, None)
    assert base_instant(target, tz) - due_at == dt.timedelta(hours=offset.hours)
    assert due_at.tzinfo is UTC
