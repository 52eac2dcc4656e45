"""Properties of the countdown plan over every IANA zone, 1990–2060, any post time and milestones."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass
from random import Random
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from bot.targets import Target
from cogs.countdowns.dates import (
    DAILY_FROM,
    FAR_EVENT,
    MAX_EVENT_AHEAD_DAYS,
    MAX_MILESTONE_DAYS,
    MAX_MILESTONES,
    MILESTONE_PRESETS,
    PAST_EVENT,
    EventDateError,
    Milestones,
    PlannedPost,
    Schedule,
    anniversary_day,
    countdown,
    event_start,
    next_anniversary,
    parse_milestones,
    plan_posts,
    post_instant,
    release_for_region,
)
from db.repositories.models import Release

UTC = dt.UTC
SETTINGS = settings(max_examples=100, deadline=None)
FEW = settings(max_examples=80, deadline=None)

ZONE_NAMES = sorted(zoneinfo.available_timezones())
# Zones with clock changes worth aiming at: midnight changes (Havana, Beirut, Santiago), half-hour
# DST (Lord Howe), two-hour DST (Troll), negative DST (Dublin), several changes a year (Casablanca),
# changes of the standard offset (Moscow) and whole skipped days or huge jumps (Apia, Vostok).
DST_ZONE_NAMES = [
    "America/New_York", "Europe/London", "Europe/Berlin", "Australia/Sydney", "Australia/Lord_Howe",
    "America/Havana", "Asia/Beirut", "America/Santiago", "America/Asuncion", "America/Sao_Paulo",
    "Pacific/Chatham", "Antarctica/Troll", "Europe/Dublin", "Africa/Casablanca", "Asia/Tehran",
    "America/St_Johns", "Pacific/Auckland", "Asia/Gaza", "Europe/Moscow", "Pacific/Apia",
    "Antarctica/Vostok", "Antarctica/Casey", "America/Nuuk", "Pacific/Kiritimati", "Pacific/Fakaofo",
]  # fmt: skip
# Gaps longer than three hours in 1990–2060: whole calendar days skipped in the Pacific, and
# Vostok's seven hours in 1994. Everywhere else a moved post is at most three hours late.
LARGE_GAP_ZONE_NAMES = {
    "Antarctica/Vostok", "Kwajalein", "Pacific/Kwajalein", "Pacific/Apia", "Pacific/Enderbury",
    "Pacific/Kanton", "Pacific/Fakaofo", "Pacific/Kiritimati",
}  # fmt: skip


@functools.cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


ZONES = st.sampled_from(ZONE_NAMES).map(_zone)
DST_ZONES = st.one_of(st.sampled_from(DST_ZONE_NAMES).map(_zone), ZONES)
TIMES = st.builds(dt.time, st.integers(0, 23), st.integers(0, 59))
NOWS = st.datetimes(min_value=dt.datetime(1993, 1, 1), max_value=dt.datetime(2057, 12, 31), timezones=st.just(UTC))
DAY_LISTS = st.lists(st.integers(0, MAX_MILESTONE_DAYS), min_size=1, max_size=MAX_MILESTONES, unique=True)
DATES = st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31))
LEAP_DAYS = st.sampled_from([dt.date(year, 2, 29) for year in range(1992, 2060, 4)])
AROUND_LEAP_DAYS = st.builds(
    lambda year, shift: dt.date(year, 2, 27) + dt.timedelta(days=shift), st.integers(1990, 2060), st.integers(0, 3)
)
MILESTONE_SETS = st.one_of(
    st.just(Milestones((), daily=True)),
    st.sampled_from(sorted(MILESTONE_PRESETS)).map(lambda name: Milestones(MILESTONE_PRESETS[name])),
    DAY_LISTS.map(lambda days: Milestones(tuple(sorted(days, reverse=True)))),
)


@dataclass(frozen=True)
class Scenario:
    targets: list[Target]
    schedule: Schedule
    now: dt.datetime


@st.composite
def scenarios(draw: st.DrawFn, anniversaries: bool | None = None) -> Scenario:
    """A few targets around `now` (some past, some within reach of the milestones, some far off)."""
    now = draw(NOWS)
    schedule = Schedule(
        post_time=draw(TIMES),
        tz=draw(ZONES),
        milestones=draw(MILESTONE_SETS),
        anniversaries=draw(st.booleans()) if anniversaries is None else anniversaries,
    )
    today = today_in(schedule, now)
    days = draw(
        st.lists(
            st.one_of(
                st.integers(-1200, 500).map(lambda offset: today + dt.timedelta(days=offset)),
                # Released whole years ago, so today is an anniversary (before or after its post time).
                st.integers(1, 30).map(lambda years: anniversary_day(today, -years)),
                LEAP_DAYS,
            ),
            min_size=1,
            max_size=4,
        )
    )
    targets = []
    for index, day in enumerate(days):
        if draw(st.booleans()):
            targets.append(Target(f"film:{index}", f"Film {index}", day, "film"))
        else:
            start = draw(st.one_of(st.none(), st.just(dt.datetime.combine(day, dt.time(19, 30), UTC))))
            targets.append(Target(f"event:{index}", f"Event {index}", day, "event", starts_at=start))
    return Scenario(targets, schedule, now)


def wall(instant: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def exists(naive: dt.datetime, tz: ZoneInfo) -> bool:
    """Whether the clock in `tz` ever shows `naive` (spring-forward gaps are the times it never shows).

    Through UTC: `astimezone` to the zone a datetime already has returns it unchanged, gap or not."""
    return wall(naive.replace(tzinfo=tz).astimezone(UTC), tz) == naive


def first_occurrence(naive: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """The earlier of the (one or two) instants the clock shows an existing wall time."""
    return min(naive.replace(tzinfo=tz, fold=fold).astimezone(UTC) for fold in (0, 1))


def offset_jump(instant: dt.datetime, tz: ZoneInfo) -> dt.timedelta:
    """How far the clock jumped at `instant` (zero when nothing changed then)."""
    before = (instant - dt.timedelta(seconds=1)).astimezone(tz).utcoffset()
    after = instant.astimezone(tz).utcoffset()
    assert before is not None and after is not None
    return after - before


def check_wall_time(post: PlannedPost, day: dt.date, schedule: Schedule) -> None:
    """The post is at post_time on `day`, or at the end of the gap that swallowed that time."""
    tz = schedule.tz
    naive = dt.datetime.combine(day, schedule.post_time)
    shown = wall(post.due_at, tz)
    if exists(naive, tz):
        assert post.due_at == first_occurrence(naive, tz)
        assert shown == naive
        return
    # Moved: strictly later, and exactly at the end of the gap, so the first valid minute after it.
    jump = offset_jump(post.due_at, tz)
    assert shown > naive
    assert jump > dt.timedelta(0)
    assert shown - jump <= naive < shown
    assert exists(shown, tz)
    assert shown.date() in {day, day + dt.timedelta(days=1)}
    if tz.key not in LARGE_GAP_ZONE_NAMES:
        assert shown - naive <= dt.timedelta(hours=3)


def today_in(schedule: Schedule, now: dt.datetime) -> dt.date:
    return now.astimezone(schedule.tz).date()


# --- the plan ----------------------------------------------------------------------------------


@SETTINGS
@given(scenarios())
def test_plan_invariants(scenario: Scenario) -> None:
    schedule, now = scenario.schedule, scenario.now
    posts = plan_posts(scenario.targets, schedule, now)
    by_key = {target.key: target for target in scenario.targets}
    keys = [(post.target_key, post.milestone) for post in posts]
    assert len(keys) == len(set(keys))
    assert posts == sorted(posts, key=lambda post: (post.due_at, post.target_key, post.milestone))
    for post in posts:
        assert post.due_at.tzinfo is UTC
        assert post.due_at > now
        target = by_key[post.target_key]
        assert post.release_day == target.day
        if post.kind == "anniversary":
            years = post.days_left
            assert post.milestone == f"anniversary:{years}"
            assert schedule.anniversaries
            assert years >= 1
            assert target.day < today_in(schedule, now)
            check_wall_time(post, anniversary_day(target.day, years), schedule)
            # The next one: the previous anniversary (if any) was not after now.
            if years >= 2:
                assert post_instant(anniversary_day(target.day, years - 1), schedule) <= now
        else:
            assert post.milestone == str(post.days_left)
            assert post.kind == ("release" if post.days_left == 0 else "countdown")
            assert schedule.milestones.includes(post.days_left)
            check_wall_time(post, target.day - dt.timedelta(days=post.days_left), schedule)


@SETTINGS
@given(scenarios())
def test_plan_is_complete(scenario: Scenario) -> None:
    schedule, now = scenario.schedule, scenario.now
    planned = {(post.target_key, post.milestone) for post in plan_posts(scenario.targets, schedule, now)}
    for target in scenario.targets:
        for days_left in schedule.milestones.offsets:
            due = post_instant(target.day - dt.timedelta(days=days_left), schedule)
            assert ((target.key, str(days_left)) in planned) == (due > now)
        anniversaries = {milestone for key, milestone in planned if key == target.key and "anniversary" in milestone}
        released = target.day < today_in(schedule, now)
        assert len(anniversaries) == (1 if schedule.anniversaries and released else 0)


@SETTINGS
@given(scenarios(), st.randoms(use_true_random=False))
def test_plan_is_deterministic_and_ignores_target_order(scenario: Scenario, random: Random) -> None:
    posts = plan_posts(scenario.targets, scenario.schedule, scenario.now)
    shuffled = list(scenario.targets)
    random.shuffle(shuffled)
    assert plan_posts(scenario.targets, scenario.schedule, scenario.now) == posts
    assert plan_posts(iter(shuffled), scenario.schedule, scenario.now) == posts


@SETTINGS
@given(scenarios(), st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=500)))
def test_planning_later_gives_the_rest_of_the_earlier_plan(scenario: Scenario, wait: dt.timedelta) -> None:
    later = scenario.now + wait
    earlier_posts = plan_posts(scenario.targets, scenario.schedule, scenario.now)
    later_posts = plan_posts(scenario.targets, scenario.schedule, later)

    def countdowns(posts: list[PlannedPost]) -> list[PlannedPost]:
        return [post for post in posts if post.kind != "anniversary"]

    assert countdowns(later_posts) == [post for post in countdowns(earlier_posts) if post.due_at > later]
    # An anniversary stays planned until it is due; new ones appear only as others pass or films come out.
    still_ahead = {post for post in earlier_posts if post.kind == "anniversary" and post.due_at > later}
    assert still_ahead <= set(later_posts)


# --- clock changes, aimed at directly ----------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    instant: dt.datetime
    before: dt.timedelta
    after: dt.timedelta


def transitions(tz: ZoneInfo, year: int) -> list[Transition]:
    """Every offset change of `tz` in `year`, found by scanning six-hourly and bisecting to the second."""

    def offset(seconds: int) -> dt.timedelta:
        value = dt.datetime.fromtimestamp(seconds, UTC).astimezone(tz).utcoffset()
        assert value is not None
        return value

    start = int(dt.datetime(year, 1, 1, tzinfo=UTC).timestamp())
    stop = int(dt.datetime(year + 1, 1, 1, tzinfo=UTC).timestamp())
    found = []
    step = 6 * 3600
    for low in range(start, stop, step):
        high = low + step
        before, after = offset(low), offset(high)
        if before == after:
            continue
        while high - low > 1:
            middle = (low + high) // 2
            if offset(middle) == before:
                low = middle
            else:
                high = middle
        found.append(Transition(dt.datetime.fromtimestamp(high, UTC), before, after))
    return found


@st.composite
def clock_changes(draw: st.DrawFn) -> tuple[ZoneInfo, Transition]:
    tz = draw(DST_ZONES)
    changes = transitions(tz, draw(st.integers(1990, 2060)))
    assume(changes)
    return tz, draw(st.sampled_from(changes))


@FEW
@given(clock_changes(), st.data())
def test_post_time_on_a_clock_change(change: tuple[ZoneInfo, Transition], data: st.DataObject) -> None:
    tz, transition = change
    jump = transition.after - transition.before
    minutes = abs(jump) // dt.timedelta(minutes=1)
    # Walls in a gap never happen; walls in an overlap happen twice. Either way, aim at one of them.
    start = transition.instant + (transition.before if jump > dt.timedelta(0) else transition.after)
    naive = start.replace(tzinfo=None) + dt.timedelta(minutes=data.draw(st.integers(0, minutes - 1)))
    assume(naive.second == 0)
    days_left = data.draw(st.integers(0, DAILY_FROM))
    milestones = data.draw(st.sampled_from([Milestones((), daily=True), Milestones((days_left,))]))
    schedule = Schedule(naive.time(), tz, milestones)
    target = Target("film:x", "X", naive.date() + dt.timedelta(days=days_left), "film")
    now = transition.instant - dt.timedelta(days=data.draw(st.integers(1, 400)))

    [post] = [post for post in plan_posts([target], schedule, now) if post.milestone == str(days_left)]
    if jump > dt.timedelta(0):
        # The first valid minute after the gap is the change itself.
        assert post.due_at == transition.instant
        assert wall(post.due_at, tz) == start.replace(tzinfo=None) + jump
    else:
        first = naive.replace(tzinfo=UTC) - transition.before
        assert post.due_at == first
        assert wall(post.due_at, tz) == naive
        # It fires once: from its first occurrence on, the second one is not planned.
        assert all(p.milestone != str(days_left) for p in plan_posts([target], schedule, first))
        assert all(p.milestone != str(days_left) for p in plan_posts([target], schedule, first - jump))


# --- countdown -------------------------------------------------------------------------------


@SETTINGS
@given(scenarios(anniversaries=True))
def test_countdown_agrees_with_the_plan(scenario: Scenario) -> None:
    schedule = scenario.schedule
    by_key = {target.key: target for target in scenario.targets}
    for post in plan_posts(scenario.targets, schedule, scenario.now):
        target = by_key[post.target_key]
        state = countdown(target, post.due_at, schedule.tz)
        if post.kind == "anniversary":
            day = anniversary_day(target.day, post.days_left)
            if not exists(dt.datetime.combine(day, schedule.post_time), schedule.tz):
                continue  # a skipped day: the post lands on the next day
            assert state.state == "released"
            assert state.next_anniversary == (post.days_left, day)
        else:
            if wall(post.due_at, schedule.tz).date() != post.release_day - dt.timedelta(days=post.days_left):
                continue  # a skipped day
            assert state.days == post.days_left
            assert state.state == ("today" if post.days_left == 0 else "upcoming")


@SETTINGS
@given(DST_ZONES, st.dates(dt.date(1990, 1, 2), dt.date(2060, 12, 30)))
def test_countdown_changes_state_at_local_midnight(tz: ZoneInfo, day: dt.date) -> None:
    target = Target("film:x", "X", day, "film")
    start = post_instant(day, Schedule(dt.time(0, 0), tz, Milestones((0,))))
    end = post_instant(day + dt.timedelta(days=1), Schedule(dt.time(0, 0), tz, Milestones((0,))))
    tick = dt.timedelta(microseconds=1)
    assume(end > start)  # a day the zone skipped has no instants of its own
    assert countdown(target, start - tick, tz).state == "upcoming"
    assert countdown(target, start - tick, tz).days >= 1
    assert countdown(target, start, tz) == countdown(target, end - tick, tz)
    assert countdown(target, start, tz).state == "today"
    assert countdown(target, start, tz).days == 0
    assert countdown(target, start, tz).starts_at == start
    after = countdown(target, end, tz)
    assert (after.state, after.days) == ("released", 1)
    assert after.next_anniversary == (1, anniversary_day(day, 1))


@SETTINGS
@given(st.one_of(DATES, LEAP_DAYS), st.one_of(DATES, AROUND_LEAP_DAYS))
def test_next_anniversary_is_the_first_on_or_after_today(day: dt.date, today: dt.date) -> None:
    result = next_anniversary(day, today)
    if day >= today:
        assert result is None
        return
    assert result is not None
    years, date = result
    assert years >= 1
    assert date == anniversary_day(day, years)
    assert date >= today
    assert years == 1 or anniversary_day(day, years - 1) < today
    assert (date.month, date.day) == (day.month, day.day) or (day.month, day.day, date.day) == (2, 29, 28)


# --- milestones ----------------------------------------------------------------------------------


@SETTINGS
@given(MILESTONE_SETS)
def test_milestones_round_trip_through_text(milestones: Milestones) -> None:
    assert parse_milestones(milestones.to_text()) == milestones
    assert parse_milestones(milestones.to_text().upper()) == milestones


@SETTINGS
@given(
    st.lists(st.integers(0, MAX_MILESTONE_DAYS), min_size=1, max_size=60),
    st.lists(st.sampled_from([",", " ", ", ", " , ", ";", "\n", "  ,,"]), min_size=60, max_size=60),
)
def test_any_list_of_days_parses_to_its_distinct_days(days: list[int], separators: list[str]) -> None:
    text = "".join(f"{day}{separator}" for day, separator in zip(days, separators, strict=False))
    if len(set(days)) > MAX_MILESTONES:
        try:
            parse_milestones(text)
        except ValueError as error:
            assert f"That is {len(set(days))} milestones" in str(error)
        else:
            raise AssertionError("too many milestones were accepted")
        return
    milestones = parse_milestones(text)
    assert milestones.days == tuple(sorted(set(days), reverse=True))
    assert all(milestones.includes(day) for day in days)


@SETTINGS
@given(st.text(max_size=80))
def test_parsing_anything_gives_milestones_or_a_value_error(text: str) -> None:
    try:
        milestones = parse_milestones(text)
    except ValueError as error:
        message = str(error)
        assert message
        assert len(message) < 300
        return
    assert milestones.daily or all(0 <= day <= MAX_MILESTONE_DAYS for day in milestones.days)


# --- regions -----------------------------------------------------------------------------------

COUNTRIES = st.sampled_from(["US", "GB", "FR", "DE", "JP", "AU"])
RELEASES = st.lists(
    st.builds(
        Release,
        film_id=st.just(1),
        country=COUNTRIES,
        date=st.dates(dt.date(2000, 1, 1), dt.date(2001, 12, 31)),
        release_type=st.integers(1, 6),
        note=st.none(),
        source=st.just("test"),
    ),
    max_size=12,
)


@SETTINGS
@given(RELEASES, COUNTRIES, st.randoms(use_true_random=False))
def test_release_for_region(releases: list[Release], region: str, random: Random) -> None:
    result = release_for_region(releases, region)
    shuffled = list(releases)
    random.shuffle(shuffled)
    assert release_for_region(shuffled, region.lower()) == result
    if not releases:
        assert result is None
        return
    assert result is not None
    date, country = result
    local = [release for release in releases if release.country == region]
    pool = local or releases
    assert country == region if local else True
    chosen = [release for release in pool if (release.date, release.country) == result]
    assert chosen
    best_type = next(kind for kind in (3, 2, None) if kind is None or any(r.release_type == kind for r in pool))
    candidates = [release for release in pool if best_type is None or release.release_type == best_type]
    assert date == min(release.date for release in candidates)


# ---- a new event's start: the range is checked on the local date, before any conversion -------------------
@FEW
@given(
    day=st.dates(min_value=dt.date.min, max_value=dt.date.max),
    minute=st.one_of(st.none(), st.integers(0, 24 * 60 - 1)),
    zone_name=st.one_of(st.sampled_from(DST_ZONE_NAMES), st.sampled_from(ZONE_NAMES)),
    now=st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2060, 12, 31), timezones=st.just(UTC)),
)
def test_an_event_start_anywhere_in_the_calendar_is_an_instant_to_come_or_a_clear_refusal(
    day: dt.date, minute: int | None, zone_name: str, now: dt.datetime
) -> None:
    tz = _zone(zone_name)
    start_time = None if minute is None else dt.time(minute // 60, minute % 60)
    try:
        starts = event_start(day, start_time, tz, now)
    except EventDateError as error:
        assert str(error) in (PAST_EVENT, FAR_EVENT)
        today = now.astimezone(tz).date()
        if str(error) == FAR_EVENT:
            assert (day - today).days > MAX_EVENT_AHEAD_DAYS
        else:
            assert day <= today
        return
    assert now < starts and starts.tzinfo is not None
    assert 0 <= (day - now.astimezone(tz).date()).days <= MAX_EVENT_AHEAD_DAYS


@pytest.mark.parametrize(
    ("day", "hhmm", "zone_name", "refusal"),
    [
        (dt.date.max, "23:59", "America/New_York", FAR_EVENT),
        (dt.date.max, None, "Pacific/Kiritimati", FAR_EVENT),
        (dt.date.min, "00:00", "Asia/Tokyo", PAST_EVENT),
        (dt.date.min, None, "America/Los_Angeles", PAST_EVENT),
    ],
)
def test_the_first_and_last_days_of_the_calendar_are_refused_in_words(
    day: dt.date, hhmm: str | None, zone_name: str, refusal: str
) -> None:
    now = dt.datetime(2026, 3, 1, 12, tzinfo=UTC)
    with pytest.raises(EventDateError) as refused:
        event_start(day, dt.time.fromisoformat(hhmm) if hhmm else None, _zone(zone_name), now)
    assert str(refused.value) == refusal


@FEW
@given(
    day=st.dates(min_value=dt.date.min, max_value=dt.date.max),
    zone_name=st.one_of(st.sampled_from(DST_ZONE_NAMES), st.sampled_from(ZONE_NAMES)),
    minute=st.integers(0, 24 * 60 - 1),
    anniversaries=st.booleans(),
    now=st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2060, 12, 31), timezones=st.just(UTC)),
)
@example(
    day=dt.date.max,
    zone_name="America/New_York",
    minute=23 * 60 + 59,
    anniversaries=False,
    now=dt.datetime(2026, 3, 1, tzinfo=UTC),
)
@example(day=dt.date.min, zone_name="Asia/Tokyo", minute=0, anniversaries=True, now=dt.datetime(2026, 3, 1, tzinfo=UTC))
def test_a_release_date_anywhere_in_the_calendar_never_breaks_a_countdown_or_a_plan(
    day: dt.date, zone_name: str, minute: int, anniversaries: bool, now: dt.datetime
) -> None:
    """A content pack may date a film in year 1 or 9999: it is left out, never an overflow."""
    tz = _zone(zone_name)
    found = release_for_region([Release(1, "US", day, 3, None, "test")], "US")
    if found is None:
        assert day.year in (dt.MINYEAR, dt.MAXYEAR)
        return
    target = Target("film:x", "X", found[0], "film")
    countdown(target, now, tz)
    schedule = Schedule(dt.time(minute // 60, minute % 60), tz, parse_milestones("daily"), anniversaries)
    plan_posts([target], schedule, now)
    post_instant(found[0], schedule)
