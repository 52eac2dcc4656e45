"""Date arithmetic for release countdowns and scheduled announcements, with no Discord in it.

Release and event days are calendar dates; posts happen at a wall-clock time in the server's
announcement timezone. Every instant is computed with ``bot.localtime.at_local_time`` so a post
time inside a spring-forward gap moves to the first minute after it, and one inside a fall-back
overlap happens once (its first occurrence).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from bot.i18n import N_, Speech
from bot.localtime import UTC, at_local_time, local_day
from bot.targets import Target

DEFAULT_POST_TIME = "09:00"  # when countdown posts go out, in the announcements' timezone, unless set
DAILY_FROM = 100  # "daily" mode posts every day from 100 days before release to release day
MILESTONE_PRESETS: dict[str, tuple[int, ...]] = {
    "default": (100, 60, 30, 21, 14, 7, 6, 5, 4, 3, 2, 1, 0),
    "weekly": (56, 49, 42, 35, 28, 21, 14, 7, 0),
    "final-week": (7, 6, 5, 4, 3, 2, 1, 0),
    "release-day": (0,),
}
MAX_MILESTONE_DAYS = 365
MAX_MILESTONES = 30

DAILY = "daily"
_DAILY_WORDS = frozenset({"daily", "every-day", "everyday"})
# Anything an admin might put between numbers: commas, semicolons, whitespace.
_SEPARATORS = re.compile(r"[,;\s]+")
_NUMBER = re.compile(r"[+-]?[0-9]+")
# Longer than this and the token is far beyond MAX_MILESTONE_DAYS; checking the length first keeps
# int() away from absurdly long digit strings (which it refuses with an unreadable message).
_MAX_DIGITS = 6
_ECHO_LIMIT = 20


def _preset_list() -> str:
    return ", ".join(f"`{name}`" for name in (*MILESTONE_PRESETS, DAILY))


class MilestoneError(ValueError):
    """Milestones an admin typed that cannot be used: a catalogue message (`template`) with its `values`,
    shown to the admin in their language; `str()` is the English."""

    def __init__(self, template: str, **values: str | int) -> None:
        self.template = template
        self.values = values
        super().__init__(template.format_map(values))


NO_MILESTONE = N_("Give at least one milestone, like `30,7,1,0`, or a preset: {presets}.")
NOT_A_NUMBER = N_("{token} is not a whole number of days. Use a list like `30,7,1,0` or a preset: {presets}.")
NEGATIVE = N_("{token} is negative: milestones count days before release, from 0 upwards.")
TOO_FAR = N_("{token} is too far ahead: milestones go up to {most} days before release.")
TOO_MANY = N_("That is {count} milestones; the most is {most}. Try `{daily}` instead.")


def _echo(token: str) -> str:
    # The message is shown to the admin verbatim: keep an echoed token short and out of markdown.
    cut = token if len(token) <= _ECHO_LIMIT else token[: _ECHO_LIMIT - 1] + "…"
    return "`" + cut.replace("`", "'") + "`"


@dataclass(frozen=True)
class Milestones:
    """Which days before a release get a post: listed days, or every day in daily mode."""

    days: tuple[int, ...]  # distinct, sorted descending, each 0..MAX_MILESTONE_DAYS; empty when daily
    daily: bool = False

    def __post_init__(self) -> None:
        # Stored settings are rebuilt from text; a malformed value must fail here, not as a wrong plan.
        if self.daily:
            if self.days:
                raise ValueError("daily milestones take no list of days")
            return
        if not self.days:
            raise ValueError("milestones need at least one day")
        if len(self.days) > MAX_MILESTONES:
            raise ValueError(f"at most {MAX_MILESTONES} milestones")
        if any(not 0 <= day <= MAX_MILESTONE_DAYS for day in self.days):
            raise ValueError(f"milestones are between 0 and {MAX_MILESTONE_DAYS} days")
        if list(self.days) != sorted(set(self.days), reverse=True):
            raise ValueError("milestone days must be distinct and sorted descending")

    @property
    def offsets(self) -> tuple[int, ...]:
        """Every number of days before release that gets a post, descending (daily mode expanded)."""
        return tuple(range(DAILY_FROM, -1, -1)) if self.daily else self.days

    def to_text(self) -> str:
        """The stored form: "daily", a preset name when the days equal a preset, else e.g. "30,7,1,0"."""
        if self.daily:
            return DAILY
        for name, days in MILESTONE_PRESETS.items():
            if days == self.days:
                return name
        return ",".join(str(day) for day in self.days)

    def describe(self, t: Speech) -> str:
        """For people, in `t`'s language: "every day from 100 days before release", "30, 7, 1 days before,
        and release day"."""
        if self.daily:
            return t("every day from {days} days before release", days=t.number(DAILY_FROM))
        before = [day for day in self.days if day > 0]
        if not before:
            return t("release day")
        # TRANSLATORS: what separates the numbers of days in "30, 7, 1 days before".
        days = t.context("list separator", ", ").join(t.number(day) for day in before)
        # The form follows the one day listed, or the count of several.
        count = before[0] if len(before) == 1 else len(before)
        if 0 in self.days:
            return t.plural(
                "{days} day before, and release day", "{days} days before, and release day", count, days=days
            )
        return t.plural("{days} day before", "{days} days before", count, days=days)

    def includes(self, days_left: int) -> bool:
        """Whether a post is due when `days_left` days remain before release (0 on release day)."""
        if self.daily:
            return 0 <= days_left <= DAILY_FROM
        return days_left in self.days


def parse_milestones(text: str) -> Milestones:
    """Milestones from what an admin typed.

    Accepts a preset name (case-insensitive), "daily"/"every day", or a comma/space separated list
    of whole days ("30,7,1,0"). Duplicates are merged; the limit of MAX_MILESTONES counts distinct
    days. Raises `MilestoneError` (a ValueError) with a message meant to be shown to the admin for anything
    else: empty, non-numbers, negative, more than MAX_MILESTONE_DAYS, too many entries.
    """
    cleaned = text.strip().lower()
    if not cleaned:
        raise MilestoneError(NO_MILESTONE, presets=_preset_list())
    # "Final week", "final_week" and "FINAL-WEEK" all name the same preset.
    name = re.sub(r"[\s_-]+", "-", cleaned)
    if name in _DAILY_WORDS:
        return Milestones((), daily=True)
    if name in MILESTONE_PRESETS:
        return Milestones(MILESTONE_PRESETS[name])

    tokens = [token for token in _SEPARATORS.split(cleaned) if token]
    if not tokens:
        raise MilestoneError(NO_MILESTONE, presets=_preset_list())
    days: set[int] = set()
    for token in tokens:
        if not _NUMBER.fullmatch(token):
            raise MilestoneError(NOT_A_NUMBER, token=_echo(token), presets=_preset_list())
        digits = token.lstrip("+-").lstrip("0")
        value = 0 if not digits else (MAX_MILESTONE_DAYS + 1 if len(digits) > _MAX_DIGITS else int(digits))
        if token.startswith("-") and value > 0:
            raise MilestoneError(NEGATIVE, token=_echo(token))
        if value > MAX_MILESTONE_DAYS:
            raise MilestoneError(TOO_FAR, token=_echo(token), most=MAX_MILESTONE_DAYS)
        days.add(value)
    if len(days) > MAX_MILESTONES:
        raise MilestoneError(TOO_MANY, count=len(days), most=MAX_MILESTONES, daily=DAILY)
    return Milestones(tuple(sorted(days, reverse=True)))


DEFAULT_MILESTONES = parse_milestones("default")


@dataclass(frozen=True)
class Schedule:
    """When and how a server's countdown posts happen."""

    post_time: dt.time  # local wall time of posts, e.g. 09:00 (any tzinfo on it is ignored)
    tz: ZoneInfo  # the guild's announcement timezone
    milestones: Milestones
    anniversaries: bool = False


PostKind = Literal["countdown", "release", "anniversary"]


@dataclass(frozen=True)
class PlannedPost:
    """One post the plan wants, identified by (target_key, milestone)."""

    target_key: str
    milestone: str  # "30" (days before), "0" (release day), "anniversary:3" (3rd anniversary)
    kind: PostKind
    due_at: dt.datetime  # aware UTC
    release_day: dt.date  # the target's day this post counts towards (for anniversaries: the original day)
    days_left: int  # days before release on the post's local day (0 on release day); for anniversaries, the years


def post_instant(day: dt.date, schedule: Schedule) -> dt.datetime:
    """UTC instant of schedule.post_time on local calendar `day` in schedule.tz (DST-safe via at_local_time)."""
    return at_local_time(day, schedule.post_time.replace(tzinfo=None), schedule.tz)


def anniversary_day(day: dt.date, years: int) -> dt.date:
    """The same month and day `years` later; Feb 29 falls on Feb 28 in non-leap years."""
    year = day.year + years
    try:
        return day.replace(year=year)
    except ValueError:
        if day.month == 2 and day.day == 29 and dt.MINYEAR <= year <= dt.MAXYEAR:
            return dt.date(year, 2, 28)
        raise


def next_anniversary(day: dt.date, today: dt.date) -> tuple[int, dt.date] | None:
    """The first anniversary on or after `today`, as (years, date); None unless `day` is before `today`."""
    if day >= today:
        return None
    # The answer is in today's year or the next; max() keeps a day earlier this year from counting as its 0th.
    years = max(1, today.year - day.year)
    try:
        date = anniversary_day(day, years)
        if date < today:
            years += 1
            date = anniversary_day(day, years)
    except ValueError:  # past dt.MAXYEAR
        return None
    return years, date


def _countdown_posts(target: Target, schedule: Schedule, now: dt.datetime, today: dt.date) -> list[PlannedPost]:
    posts: list[PlannedPost] = []
    for days_left in schedule.milestones.offsets:
        try:
            day = target.day - dt.timedelta(days=days_left)
        except OverflowError:
            continue
        # A post belongs to its local day, or the next one if a gap (a skipped day) pushes it over
        # midnight; anything older than yesterday is certainly past, so skip the instant arithmetic.
        if day < today - dt.timedelta(days=1):
            continue
        due_at = post_instant(day, schedule)
        if due_at > now:
            posts.append(
                PlannedPost(
                    target_key=target.key,
                    milestone=str(days_left),
                    kind="release" if days_left == 0 else "countdown",
                    due_at=due_at,
                    release_day=target.day,
                    days_left=days_left,
                )
            )
    return posts


def _anniversary_post(target: Target, schedule: Schedule, now: dt.datetime, today: dt.date) -> PlannedPost | None:
    upcoming = next_anniversary(target.day, today)
    if upcoming is None:
        return None
    years, day = upcoming
    due_at = post_instant(day, schedule)
    if due_at <= now:
        # Today's anniversary post has already gone by: the next one is a year on, on a later day,
        # so its instant is certainly after now.
        years += 1
        try:
            day = anniversary_day(target.day, years)
        except ValueError:
            return None
        due_at = post_instant(day, schedule)
    return PlannedPost(
        target_key=target.key,
        milestone=f"anniversary:{years}",
        kind="anniversary",
        due_at=due_at,
        release_day=target.day,
        days_left=years,
    )


def plan_posts(targets: Iterable[Target], schedule: Schedule, now: dt.datetime) -> list[PlannedPost]:
    """Every post still to come for these targets, sorted by (due_at, target_key, milestone).

    - countdown/release: for each milestone m (every m from DAILY_FROM down to 0 when daily), a post
      at schedule.post_time on local day target.day - m in schedule.tz; kind "release" when m == 0,
      else "countdown"; milestone str(m).
    - only posts due strictly after `now`: reconciling missed posts is the runner's job.
    - anniversaries (when schedule.anniversaries): for a target whose day is before the local today,
      only the next anniversary whose instant is after `now`: kind "anniversary", milestone
      f"anniversary:{n}", days_left n (Feb 29 counts on Feb 28 in non-leap years).
    - no two posts share (target_key, milestone): of targets sharing a key, the first one wins.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    today = local_day(now, schedule.tz)
    posts: list[PlannedPost] = []
    seen: set[str] = set()
    for target in targets:
        if target.key in seen:
            continue
        seen.add(target.key)
        posts.extend(_countdown_posts(target, schedule, now, today))
        if schedule.anniversaries:
            anniversary = _anniversary_post(target, schedule, now, today)
            if anniversary is not None:
                posts.append(anniversary)
    posts.sort(key=lambda post: (post.due_at, post.target_key, post.milestone))
    return posts


@dataclass(frozen=True)
class Countdown:
    """Where a target stands on one local day."""

    state: Literal["upcoming", "today", "released"]
    days: int  # days until (upcoming), 0 (today), days since (released)
    starts_at: dt.datetime  # UTC instant of 00:00 on target.day in the given tz, or target.starts_at for timed events
    next_anniversary: tuple[int, dt.date] | None  # for released targets


def countdown(target: Target, now: dt.datetime, tz: ZoneInfo) -> Countdown:
    """Where a target stands at `now` as seen in `tz` (today = local_day(now, tz)).

    Days are whole calendar days, so the state changes at local midnight, not at the event's time.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    today = local_day(now, tz)
    if target.starts_at is not None:
        starts_at = target.starts_at.astimezone(UTC)
    else:
        # Midnight itself is skipped in a few zones' spring-forward: the day starts at the gap's end.
        starts_at = at_local_time(target.day, dt.time(0, 0), tz)
    if target.day > today:
        return Countdown("upcoming", (target.day - today).days, starts_at, None)
    if target.day == today:
        return Countdown("today", 0, starts_at, None)
    return Countdown("released", (today - target.day).days, starts_at, next_anniversary(target.day, today))


MAX_EVENT_AHEAD_DAYS = 3660  # about ten years
ALL_DAY_START = dt.time(23, 59)  # an all-day event counts as still to come until its last minute


class EventDateError(ValueError):
    """A new event's date or time that cannot be accepted; the message is written for the admin."""


PAST_EVENT = N_("That is in the past; events count down to something still to come.")
FAR_EVENT = N_("That is more than ten years away; pick a nearer date.")


def event_start(day: dt.date, start_time: dt.time | None, tz: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """The UTC instant a new event on local `day` (at `start_time`, else all day) starts; EventDateError if refused.

    The range is checked on the local calendar date first: only a day within the next ten years is
    ever converted, so a date at the edge of the calendar (year 1 or 9999) is refused, not overflowed.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    today = local_day(now, tz)
    if day < today:
        raise EventDateError(PAST_EVENT)
    if (day - today).days > MAX_EVENT_AHEAD_DAYS:
        raise EventDateError(FAR_EVENT)
    starts = at_local_time(day, start_time or ALL_DAY_START, tz)
    if starts <= now:
        raise EventDateError(PAST_EVENT)
    return starts


class ReleaseLike(Protocol):
    """A dated release in one country (db.repositories.models.Release fits)."""

    @property
    def country(self) -> str: ...

    @property
    def date(self) -> dt.date: ...

    @property
    def release_type(self) -> int: ...


# Days far enough from the ends of the calendar that every instant near them exists in every timezone.
FIRST_COUNTABLE_DAY = dt.date(dt.MINYEAR + 1, 1, 1)
LAST_COUNTABLE_DAY = dt.date(dt.MAXYEAR - 1, 12, 31)
THEATRICAL = 3
THEATRICAL_LIMITED = 2


def _earliest(releases: list[ReleaseLike]) -> tuple[dt.date, str] | None:
    # Preference order: wide theatrical, then limited theatrical, then any type; ties on date go to
    # the alphabetically first country so the answer does not depend on the order rows came in.
    for wanted in ((THEATRICAL,), (THEATRICAL_LIMITED,), None):
        pool = [release for release in releases if wanted is None or release.release_type in wanted]
        if pool:
            best = min(pool, key=lambda release: (release.date, release.country.upper(), release.country))
            return best.date, best.country
    return None


def release_for_region(releases: Iterable[ReleaseLike], region: str) -> tuple[dt.date, str] | None:
    """Which release date counts for `region` (an ISO country code, any case), as (date, country).

    The earliest theatrical release (type 3, else limited theatrical type 2) in that country; else
    its earliest release of any type; when the country has no dates at all, the same choice over
    every country. None when there are no releases (dates in year 1 or 9999 are left out).
    """
    # A date at the very edge of the calendar has no instant in every timezone: such a date counts for nothing.
    everything = [release for release in releases if FIRST_COUNTABLE_DAY <= release.date <= LAST_COUNTABLE_DAY]
    wanted = region.strip().upper()
    local = [release for release in everything if release.country.strip().upper() == wanted] if wanted else []
    return _earliest(local) if local else _earliest(everything)
