"""Countdown date arithmetic on worked examples: milestones, plans, DST changes, regions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import Catalogues
from bot.targets import Target
from cogs.countdowns.dates import (
    DAILY_FROM,
    DEFAULT_MILESTONES,
    MAX_MILESTONES,
    MILESTONE_PRESETS,
    Countdown,
    Milestones,
    PlannedPost,
    Schedule,
    anniversary_day,
    countdown,
    next_anniversary,
    parse_milestones,
    plan_posts,
    post_instant,
    release_for_region,
)
from db.repositories.models import Release

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
NINE = dt.time(9, 0)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)


def local(tz: ZoneInfo, year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> dt.datetime:
    """An unambiguous wall time in `tz`, as an aware datetime."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=tz)


def film(day: dt.date, key: str = "film:mi8") -> Target:
    return Target(key=key, title="Mission: Impossible 8", day=day, kind="film")


def schedule(
    tz: ZoneInfo = LONDON,
    post_time: dt.time = NINE,
    milestones: Milestones = DEFAULT_MILESTONES,
    anniversaries: bool = False,
) -> Schedule:
    return Schedule(post_time=post_time, tz=tz, milestones=milestones, anniversaries=anniversaries)


def walls(posts: list[PlannedPost], tz: ZoneInfo) -> list[dt.datetime]:
    return [post.due_at.astimezone(tz).replace(tzinfo=None) for post in posts]


# --- parse_milestones -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(MILESTONE_PRESETS))
def test_every_preset_parses_to_its_days_and_back_to_its_name(name: str) -> None:
    milestones = parse_milestones(name)
    assert milestones == Milestones(MILESTONE_PRESETS[name])
    assert milestones.to_text() == name


@pytest.mark.parametrize(
    ("text", "name"),
    [("DEFAULT", "default"), ("  Weekly ", "weekly"), ("Final Week", "final-week"), ("final_week", "final-week")],
)
def test_preset_names_ignore_case_spaces_and_underscores(text: str, name: str) -> None:
    assert parse_milestones(text).days == MILESTONE_PRESETS[name]


def test_default_milestones_are_the_default_preset() -> None:
    assert DEFAULT_MILESTONES.days == (100, 60, 30, 21, 14, 7, 6, 5, 4, 3, 2, 1, 0)
    assert not DEFAULT_MILESTONES.daily


@pytest.mark.parametrize("text", ["daily", "Daily", "every day", "Every  Day", "everyday", "every-day"])
def test_daily_spellings(text: str) -> None:
    milestones = parse_milestones(text)
    assert milestones == Milestones((), daily=True)
    assert milestones.to_text() == "daily"
    assert milestones.offsets == tuple(range(DAILY_FROM, -1, -1))


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("30,7,1,0", (30, 7, 1, 0)),
        ("0 1 7 30", (30, 7, 1, 0)),
        ("0, 7;  30 ,1", (30, 7, 1, 0)),
        ("7,7,0,7", (7, 0)),
        ("+5, 005", (5,)),
        ("365", (365,)),
        ("-0", (0,)),
        (",1,", (1,)),
    ],
)
def test_lists_are_sorted_descending_and_deduplicated(text: str, days: tuple[int, ...]) -> None:
    assert parse_milestones(text) == Milestones(days)


def test_thirty_distinct_days_are_allowed_and_duplicates_do_not_count() -> None:
    assert len(parse_milestones(",".join(str(day) for day in range(MAX_MILESTONES))).days) == MAX_MILESTONES
    assert parse_milestones(",".join(["3"] * 100)).days == (3,)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Give at least one milestone, like `30,7,1,0`, or a preset: `default`, `weekly`, `final-week`, "),
        ("   ", "Give at least one milestone"),
        (",, ;", "Give at least one milestone"),
        ("abc", "`abc` is not a whole number of days. Use a list like `30,7,1,0` or a preset: `default`, "),
        ("30,7.5,1", "`7.5` is not a whole number of days."),
        ("7,½", "`½` is not a whole number of days."),
        ("٣", "`٣` is not a whole number of days."),
        ("daily,0", "`daily` is not a whole number of days."),
        ("7,-3", "`-3` is negative: milestones count days before release, from 0 upwards."),
        ("366", "`366` is too far ahead: milestones go up to 365 days before release."),
        ("9" * 5000, "`9999999999999999999…` is too far ahead"),
        ("a`b", "`a'b` is not a whole number of days."),
        (",".join(str(day) for day in range(31)), "That is 31 milestones; the most is 30. Try `daily` instead."),
    ],
)
def test_bad_milestones_are_refused_with_a_readable_message(text: str, message: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_milestones(text)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize("text", ["daily", "default", "weekly", "30,7,1,0", "7,6,5,4,3,2,1,0", "0", "365, 200"])
def test_to_text_round_trips(text: str) -> None:
    milestones = parse_milestones(text)
    assert parse_milestones(milestones.to_text()) == milestones


def test_to_text_names_a_preset_typed_as_a_list() -> None:
    assert parse_milestones("0,1,2,3,4,5,6,7").to_text() == "final-week"
    assert parse_milestones("30,7,1,0").to_text() == "30,7,1,0"


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("daily", "every day from 100 days before release"),
        ("default", "100, 60, 30, 21, 14, 7, 6, 5, 4, 3, 2, 1 days before, and release day"),
        ("30,7", "30, 7 days before"),
        ("1", "1 day before"),
        ("1,0", "1 day before, and release day"),
        ("release-day", "release day"),
    ],
)
def test_describe(text: str, description: str) -> None:
    assert parse_milestones(text).describe(Catalogues(()).speech(None)) == description


def test_includes() -> None:
    assert DEFAULT_MILESTONES.includes(30)
    assert DEFAULT_MILESTONES.includes(0)
    assert not DEFAULT_MILESTONES.includes(29)
    daily = parse_milestones("daily")
    assert [daily.includes(days) for days in (-1, 0, 57, 100, 101)] == [False, True, True, True, False]


@pytest.mark.parametrize(
    ("days", "daily"), [((0, 7), False), ((), False), ((0,), True), ((400,), False), ((1, 1), False)]
)
def test_malformed_milestones_cannot_be_built(days: tuple[int, ...], daily: bool) -> None:
    with pytest.raises(ValueError):
        Milestones(days, daily=daily)


# --- plan_posts: countdown and release posts ---------------------------------------------------


def test_default_milestones_far_ahead_plan_thirteen_posts_at_nine_local() -> None:
    release = dt.date(2030, 7, 12)
    posts = plan_posts([film(release)], schedule(), utc(2030, 1, 1))
    assert [post.milestone for post in posts] == ["100", "60", "30", "21", "14", "7", "6", "5", "4", "3", "2", "1", "0"]
    assert [post.kind for post in posts] == ["countdown"] * 12 + ["release"]
    assert [post.days_left for post in posts] == list(DEFAULT_MILESTONES.days)
    assert all(post.release_day == release and post.target_key == "film:mi8" for post in posts)
    assert [wall.date() for wall in walls(posts, LONDON)] == [
        release - dt.timedelta(days=m) for m in DEFAULT_MILESTONES.days
    ]
    assert all(wall.time() == NINE for wall in walls(posts, LONDON))
    # 100 days before is 3 April (after the clocks change on 31 March): 09:00 BST is 08:00 UTC.
    assert posts[0].due_at == utc(2030, 4, 3, 8, 0)
    assert posts[-1].due_at == utc(2030, 7, 12, 8, 0)
    assert all(post.due_at.tzinfo is dt.UTC for post in posts)


def test_default_milestones_straddling_the_clock_change_keep_nine_local() -> None:
    posts = plan_posts([film(dt.date(2030, 4, 20))], schedule(), utc(2029, 1, 1))
    by_milestone = {post.milestone: post.due_at for post in posts}
    assert by_milestone["30"] == utc(2030, 3, 21, 9, 0)  # GMT
    assert by_milestone["14"] == utc(2030, 4, 6, 8, 0)  # BST


def test_target_ten_days_away_gets_only_the_remaining_milestones() -> None:
    release = dt.date(2030, 7, 11)
    posts = plan_posts([film(release)], schedule(NEW_YORK), local(NEW_YORK, 2030, 7, 1, 8, 0))
    assert [post.milestone for post in posts] == ["7", "6", "5", "4", "3", "2", "1", "0"]
    assert posts[0].due_at == utc(2030, 7, 4, 13, 0)


@pytest.mark.parametrize(
    ("now", "first"),
    [
        (local(NEW_YORK, 2030, 7, 1, 8, 59), "7"),  # today's 09:00 post is still ahead
        (local(NEW_YORK, 2030, 7, 1, 9, 0), "6"),  # due exactly now: already due, not planned
        (local(NEW_YORK, 2030, 7, 1, 9, 1), "6"),  # just passed
    ],
)
def test_todays_post_is_planned_only_while_its_time_is_ahead(now: dt.datetime, first: str) -> None:
    posts = plan_posts([film(dt.date(2030, 7, 8))], schedule(NEW_YORK), now)
    assert posts[0].milestone == first
    assert posts[0].due_at > now
    assert len(posts) == int(first) + 1


def test_past_targets_get_nothing_without_anniversaries() -> None:
    assert plan_posts([film(dt.date(2020, 1, 1))], schedule(), utc(2030, 1, 1)) == []


def test_daily_mode_counts() -> None:
    daily = schedule(milestones=parse_milestones("daily"))
    far = plan_posts([film(dt.date(2030, 12, 1))], daily, utc(2030, 1, 1))
    assert len(far) == DAILY_FROM + 1
    assert [post.days_left for post in far] == list(range(DAILY_FROM, -1, -1))
    assert len({wall.date() for wall in walls(far, LONDON)}) == DAILY_FROM + 1
    before_nine = plan_posts([film(dt.date(2030, 2, 20))], daily, utc(2030, 1, 1, 8, 0))
    assert len(before_nine) == 51  # 50 days to go, today's post included
    after_nine = plan_posts([film(dt.date(2030, 2, 20))], daily, utc(2030, 1, 1, 9, 30))
    assert len(after_nine) == 50


def test_posts_of_several_targets_interleave_in_time_order() -> None:
    a, b = film(dt.date(2030, 3, 10), "film:a"), film(dt.date(2030, 3, 3), "film:b")
    posts = plan_posts([a, b], schedule(milestones=parse_milestones("7,0")), utc(2030, 1, 1))
    assert [(post.target_key, post.milestone) for post in posts] == [
        ("film:b", "7"),
        ("film:a", "7"),
        ("film:b", "0"),
        ("film:a", "0"),
    ]
    # film:b's release day and film:a's 7-day post share an instant: the key breaks the tie.
    assert posts[1].due_at == posts[2].due_at
    assert posts[1].due_at == utc(2030, 3, 3, 9, 0)


def test_a_repeated_target_key_is_planned_once() -> None:
    first, second = film(dt.date(2030, 3, 10), "film:a"), film(dt.date(2030, 4, 10), "film:a")
    posts = plan_posts([first, second], schedule(milestones=parse_milestones("0")), utc(2030, 1, 1))
    assert [(post.milestone, post.release_day) for post in posts] == [("0", dt.date(2030, 3, 10))]


def test_events_are_planned_by_their_day() -> None:
    party = Target(
        key="event:7",
        title="Watch party",
        day=dt.date(2030, 5, 2),
        kind="event",
        starts_at=utc(2030, 5, 2, 18, 0),
    )
    posts = plan_posts([party], schedule(milestones=parse_milestones("1,0")), utc(2030, 1, 1))
    assert [(post.target_key, post.milestone, post.kind, post.due_at) for post in posts] == [
        ("event:7", "1", "countdown", utc(2030, 5, 1, 8, 0)),
        ("event:7", "0", "release", utc(2030, 5, 2, 8, 0)),
    ]


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        plan_posts([film(dt.date(2030, 3, 10))], schedule(), dt.datetime(2030, 1, 1))


def test_naive_event_start_is_refused() -> None:
    with pytest.raises(ValueError):
        Target("event:1", "Party", dt.date(2030, 1, 1), "event", starts_at=dt.datetime(2030, 1, 1, 18))


# --- plan_posts: anniversaries -------------------------------------------------------------------


def test_next_anniversary_is_planned_for_a_released_film() -> None:
    released = film(dt.date(2021, 5, 1))
    posts = plan_posts([released], schedule(anniversaries=True), utc(2021, 5, 2))
    assert posts == [
        PlannedPost("film:mi8", "anniversary:1", "anniversary", utc(2022, 5, 1, 8, 0), dt.date(2021, 5, 1), 1)
    ]


def test_anniversaries_are_off_unless_asked_for() -> None:
    assert plan_posts([film(dt.date(2021, 5, 1))], schedule(), utc(2021, 5, 2)) == []


def test_a_leap_day_release_has_anniversaries_on_feb_28_in_ordinary_years() -> None:
    released = film(dt.date(2020, 2, 29))
    sched = schedule(anniversaries=True)
    assert [(p.milestone, p.due_at) for p in plan_posts([released], sched, utc(2030, 1, 10))] == [
        ("anniversary:10", utc(2030, 2, 28, 9, 0))
    ]
    assert [(p.milestone, p.due_at) for p in plan_posts([released], sched, utc(2032, 2, 29, 8, 0))] == [
        ("anniversary:12", utc(2032, 2, 29, 9, 0))
    ]
    # Once the day's post time has gone by, the next anniversary is a year on.
    assert [(p.milestone, p.due_at) for p in plan_posts([released], sched, utc(2032, 2, 29, 9, 0))] == [
        ("anniversary:13", utc(2033, 2, 28, 9, 0))
    ]


def test_no_anniversary_on_or_before_release_day() -> None:
    sched = schedule(milestones=parse_milestones("release-day"), anniversaries=True)
    # Release day itself, after its post: the release post is gone and anniversaries start tomorrow.
    assert plan_posts([film(dt.date(2030, 6, 1))], sched, utc(2030, 6, 1, 12, 0)) == []
    upcoming = plan_posts([film(dt.date(2030, 6, 1))], sched, utc(2030, 5, 1))
    assert [post.kind for post in upcoming] == ["release"]


def test_anniversaries_alongside_countdowns() -> None:
    old, new = film(dt.date(2000, 3, 5), "film:old"), film(dt.date(2030, 3, 6), "film:new")
    posts = plan_posts([old, new], schedule(milestones=parse_milestones("0"), anniversaries=True), utc(2030, 1, 1))
    assert [(post.target_key, post.milestone, post.days_left) for post in posts] == [
        ("film:old", "anniversary:30", 30),
        ("film:new", "0", 0),
    ]


def test_anniversary_day() -> None:
    assert anniversary_day(dt.date(2020, 2, 29), 1) == dt.date(2021, 2, 28)
    assert anniversary_day(dt.date(2020, 2, 29), 4) == dt.date(2024, 2, 29)
    assert anniversary_day(dt.date(1996, 5, 22), 30) == dt.date(2026, 5, 22)


@pytest.mark.parametrize(
    ("day", "today", "expected"),
    [
        (dt.date(2020, 3, 10), dt.date(2020, 3, 10), None),
        (dt.date(2020, 3, 10), dt.date(2019, 1, 1), None),
        (dt.date(2020, 3, 10), dt.date(2020, 3, 11), (1, dt.date(2021, 3, 10))),
        (dt.date(2020, 3, 10), dt.date(2030, 3, 10), (10, dt.date(2030, 3, 10))),
        (dt.date(2020, 3, 10), dt.date(2030, 3, 11), (11, dt.date(2031, 3, 10))),
        (dt.date(2020, 12, 31), dt.date(2021, 1, 1), (1, dt.date(2021, 12, 31))),
        (dt.date(2020, 2, 29), dt.date(2021, 2, 28), (1, dt.date(2021, 2, 28))),
        (dt.date(2020, 2, 29), dt.date(2021, 3, 1), (2, dt.date(2022, 2, 28))),
    ],
)
def test_next_anniversary(day: dt.date, today: dt.date, expected: tuple[int, dt.date] | None) -> None:
    assert next_anniversary(day, today) == expected


# --- DST ---------------------------------------------------------------------------------------


def test_post_time_in_the_us_spring_forward_gap_moves_to_three() -> None:
    # 10 March 2030: New York's clocks go from 02:00 EST to 03:00 EDT, so 02:30 never happens.
    sched = schedule(NEW_YORK, dt.time(2, 30), parse_milestones("1,0"))
    posts = plan_posts([film(dt.date(2030, 3, 10))], sched, utc(2030, 1, 1))
    assert [post.due_at for post in posts] == [utc(2030, 3, 9, 7, 30), utc(2030, 3, 10, 7, 0)]
    assert walls(posts, NEW_YORK) == [dt.datetime(2030, 3, 9, 2, 30), dt.datetime(2030, 3, 10, 3, 0)]


def test_post_time_in_the_london_spring_forward_gap_moves_to_two() -> None:
    # 31 March 2030: London goes from 01:00 GMT to 02:00 BST.
    sched = schedule(LONDON, dt.time(1, 30), parse_milestones("0"))
    [post] = plan_posts([film(dt.date(2030, 3, 31))], sched, utc(2030, 1, 1))
    assert post.due_at == utc(2030, 3, 31, 1, 0)
    assert post.due_at.astimezone(LONDON).replace(tzinfo=None) == dt.datetime(2030, 3, 31, 2, 0)


def test_ambiguous_fall_back_time_fires_once_at_the_first_occurrence() -> None:
    # 3 November 2030: New York shows 01:30 twice, first in EDT (05:30 UTC) then in EST (06:30 UTC).
    daily = schedule(NEW_YORK, dt.time(1, 30), parse_milestones("daily"))
    posts = plan_posts([film(dt.date(2030, 11, 4))], daily, utc(2030, 11, 1))
    assert [post.due_at for post in posts] == [
        utc(2030, 11, 1, 5, 30),
        utc(2030, 11, 2, 5, 30),
        utc(2030, 11, 3, 5, 30),
        utc(2030, 11, 4, 6, 30),
    ]
    assert [wall.time() for wall in walls(posts, NEW_YORK)] == [dt.time(1, 30)] * 4


def test_london_fall_back_ambiguous_time_is_the_bst_one() -> None:
    sched = schedule(LONDON, dt.time(1, 30), parse_milestones("0"))
    [post] = plan_posts([film(dt.date(2030, 10, 27))], sched, utc(2030, 1, 1))
    assert post.due_at == utc(2030, 10, 27, 0, 30)


@pytest.mark.parametrize(
    ("tz", "before", "after"),
    [
        (NEW_YORK, utc(2030, 3, 9, 14, 0), utc(2030, 3, 10, 13, 0)),
        (LONDON, utc(2030, 3, 30, 9, 0), utc(2030, 3, 31, 8, 0)),
    ],
)
def test_nine_stays_nine_local_across_the_change(tz: ZoneInfo, before: dt.datetime, after: dt.datetime) -> None:
    release = after.astimezone(tz).date()
    posts = plan_posts([film(release)], schedule(tz, milestones=parse_milestones("1,0")), utc(2030, 1, 1))
    assert [post.due_at for post in posts] == [before, after]
    assert [wall.time() for wall in walls(posts, tz)] == [NINE, NINE]


def test_a_day_the_zone_skipped_posts_at_the_start_of_the_next() -> None:
    # Samoa skipped 30 December 2011 altogether; the post for that day goes out at 00:00 on the 31st.
    apia = ZoneInfo("Pacific/Apia")
    posts = plan_posts(
        [film(dt.date(2011, 12, 31))], schedule(apia, milestones=parse_milestones("1,0")), utc(2011, 1, 1)
    )
    assert [post.due_at for post in posts] == [utc(2011, 12, 30, 10, 0), utc(2011, 12, 30, 19, 0)]
    assert walls(posts, apia) == [dt.datetime(2011, 12, 31, 0, 0), dt.datetime(2011, 12, 31, 9, 0)]


def test_post_instant() -> None:
    sched = schedule(NEW_YORK, dt.time(2, 30))
    assert post_instant(dt.date(2030, 3, 10), sched) == utc(2030, 3, 10, 7, 0)
    assert post_instant(dt.date(2030, 3, 11), sched) == utc(2030, 3, 11, 6, 30)
    assert post_instant(dt.date(2030, 3, 11), sched).tzinfo is dt.UTC


# --- countdown ---------------------------------------------------------------------------------


def test_countdown_depends_on_the_viewers_calendar_day() -> None:
    premiere = film(dt.date(2030, 6, 15))
    now = utc(2030, 6, 14, 23, 30)  # 00:30 on the 15th in London, 19:30 on the 14th in New York
    assert countdown(premiere, now, LONDON) == Countdown("today", 0, utc(2030, 6, 14, 23, 0), None)
    assert countdown(premiere, now, NEW_YORK) == Countdown("upcoming", 1, utc(2030, 6, 15, 4, 0), None)


def test_countdown_after_release_counts_days_since_and_the_next_anniversary() -> None:
    state = countdown(film(dt.date(2020, 2, 29)), utc(2021, 3, 1, 12), LONDON)
    assert state == Countdown("released", 366, utc(2020, 2, 29, 0, 0), (2, dt.date(2022, 2, 28)))


def test_countdown_uses_a_timed_events_own_start() -> None:
    start = local(NEW_YORK, 2030, 5, 2, 20, 0)
    party = Target("event:3", "Watch party", dt.date(2030, 5, 2), "event", starts_at=start)
    state = countdown(party, utc(2030, 4, 30, 12), LONDON)
    assert state == Countdown("upcoming", 2, utc(2030, 5, 3, 0, 0), None)
    assert state.starts_at.tzinfo is dt.UTC


def test_countdown_day_starting_in_a_midnight_gap_starts_at_one() -> None:
    # Havana springs forward at midnight: 10 March 2030 begins at 01:00 CDT.
    state = countdown(film(dt.date(2030, 3, 10)), utc(2030, 3, 1), ZoneInfo("America/Havana"))
    assert state.starts_at == utc(2030, 3, 10, 5, 0)


@pytest.mark.parametrize(
    ("now", "state", "days"),
    [
        (local(LONDON, 2030, 6, 13, 23, 59), "upcoming", 2),
        (local(LONDON, 2030, 6, 14, 0, 0), "upcoming", 1),
        (local(LONDON, 2030, 6, 14, 23, 59, 59), "upcoming", 1),
        (local(LONDON, 2030, 6, 15, 0, 0), "today", 0),
        (local(LONDON, 2030, 6, 15, 23, 59, 59), "today", 0),
        (local(LONDON, 2030, 6, 16, 0, 0), "released", 1),
    ],
)
def test_countdown_changes_at_local_midnight(now: dt.datetime, state: str, days: int) -> None:
    result = countdown(film(dt.date(2030, 6, 15)), now, LONDON)
    assert (result.state, result.days) == (state, days)
    assert (result.next_anniversary is not None) == (state == "released")


# --- release_for_region --------------------------------------------------------------------------


def release(country: str, day: dt.date, release_type: int) -> Release:
    return Release(film_id=1, country=country, date=day, release_type=release_type, note=None, source="test")


JAN = [dt.date(2030, 1, day) for day in range(1, 32)]


def test_region_prefers_its_wide_theatrical_release() -> None:
    releases = [release("US", JAN[0], 1), release("US", JAN[4], 2), release("US", JAN[9], 3), release("US", JAN[20], 3)]
    assert release_for_region(releases, "US") == (JAN[9], "US")
    assert release_for_region(releases, " us ") == (JAN[9], "US")


def test_region_falls_back_to_limited_then_any_type() -> None:
    assert release_for_region([release("US", JAN[0], 1), release("US", JAN[4], 2)], "US") == (JAN[4], "US")
    assert release_for_region([release("US", JAN[7], 4), release("US", JAN[3], 5)], "US") == (JAN[3], "US")


def test_region_ignores_other_countries_when_it_has_its_own_dates() -> None:
    releases = [release("GB", JAN[0], 3), release("US", JAN[9], 4)]
    assert release_for_region(releases, "US") == (JAN[9], "US")


def test_region_without_dates_uses_the_earliest_theatrical_release_anywhere() -> None:
    releases = [
        release("DE", JAN[0], 1),
        release("GB", JAN[14], 3),
        release("FR", JAN[11], 3),
        release("IT", JAN[2], 2),
    ]
    assert release_for_region(releases, "JP") == (JAN[11], "FR")
    assert release_for_region(releases, "") == (JAN[11], "FR")
    assert release_for_region([release("DE", JAN[5], 1), release("IT", JAN[2], 2)], "JP") == (JAN[2], "IT")
    assert release_for_region([release("DE", JAN[5], 1), release("IT", JAN[2], 6)], "JP") == (JAN[2], "IT")


def test_region_ties_do_not_depend_on_order() -> None:
    releases = [release("GB", JAN[0], 3), release("AU", JAN[0], 3)]
    assert release_for_region(releases, "JP") == (JAN[0], "AU")
    assert release_for_region(list(reversed(releases)), "JP") == (JAN[0], "AU")


def test_no_releases_no_date() -> None:
    assert release_for_region([], "US") is None
    assert release_for_region(iter([]), "") is None
