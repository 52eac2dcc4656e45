"""When a member's DM reminders are due, with no Discord in it.

A member follows a target (a film's release or a server event) and picks offsets: "7d, 1d, release".
Reminders count back from the target's base instant: the event's start for timed events, else
REMINDER_HOUR on the target's day in the member's timezone. Day offsets keep the base's wall time a
whole number of calendar days earlier; hour offsets are exact elapsed hours. A reminder inside the
member's quiet hours waits for the end of them, except the release reminder, which is the point.

Every wall time becomes an instant through ``bot.localtime.at_local_time``, so a time inside a
spring-forward gap moves to the first minute after it and an ambiguous one happens once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.localtime import UTC, at_local_time, local_day, parse_hhmm
from bot.targets import Target

REMINDER_HOUR = dt.time(9, 0)  # all-day targets (films, dateless events): reminders at 09:00 in the member's zone
MAX_OFFSETS = 10
MAX_DAYS = 365
MAX_HOURS = 72
PRESETS: dict[str, str] = {
    "default": "1d, release",
    "week": "7d, 1d, release",
    "countdown": "30d, 7d, 1d, release",
    "release-day": "release",
}
RELEASE = "release"

# Anything a member might put between items: commas, semicolons, whitespace.
_SEPARATORS = re.compile(r"[,;\s]+")
# Phrases with spaces in them would be split apart by _SEPARATORS, so they become one word first.
_RELEASE_PHRASES = re.compile(r"\b(?:on[\s_-]+the[\s_-]+day|release[\s_-]+day)\b")
_RELEASE_WORDS = frozenset({"release", "start", "on-the-day", "release-day"})
_UNIT_WORDS = r"d|days?|h|hrs?|hours?|w|wks?|weeks?"
# "7 days" is one item: glue a number to the unit after it before splitting on spaces.
_SPACED_UNIT = re.compile(rf"(\d)\s+(?=(?:{_UNIT_WORDS})\b)")
_ITEM = re.compile(rf"([+-]?)([0-9]+)({_UNIT_WORDS})?")
# Longer than this and the number is far beyond every limit; checking the length first keeps int()
# away from absurdly long digit strings (which it refuses with an unreadable message).
_MAX_DIGITS = 6
_ECHO_LIMIT = 20


def _preset_list() -> str:
    return ", ".join(f"`{name}`" for name in PRESETS)


def _echo(token: str) -> str:
    # The message is shown to the member verbatim: keep an echoed token short and out of markdown.
    cut = token if len(token) <= _ECHO_LIMIT else token[: _ECHO_LIMIT - 1] + "…"
    return "`" + cut.replace("`", "'") + "`"


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


@dataclass(frozen=True, order=True)
class Offset:
    """How long before a target's base instant a reminder comes: whole days or hours; Offset() is release.

    Offsets order by their nominal length (a day counting 24 hours), so ``sorted(..., reverse=True)``
    lists the earliest reminder first and 72h comes before 1d; ties (1d and 24h) put days first.
    """

    # Declared first so the generated comparisons look at it first; derived, so never passed in.
    nominal_hours: int = field(init=False, repr=False)
    days: int = 0
    hours: int = 0

    def __post_init__(self) -> None:
        # Offsets are rebuilt from stored text; a malformed one must fail here, not as a wrong reminder.
        if self.days and self.hours:
            raise ValueError("an offset is whole days or hours, not both")
        if not 0 <= self.days <= MAX_DAYS:
            raise ValueError(f"day offsets are between 0 and {MAX_DAYS}")
        if not 0 <= self.hours <= MAX_HOURS:
            raise ValueError(f"hour offsets are between 0 and {MAX_HOURS}")
        object.__setattr__(self, "nominal_hours", self.days * 24 + self.hours)

    @property
    def is_release(self) -> bool:
        """Whether this is the reminder at the base instant itself."""
        return self.days == 0 and self.hours == 0

    def to_text(self) -> str:
        """The stored form: "7d", "2h", "release"."""
        if self.is_release:
            return RELEASE
        return f"{self.hours}h" if self.hours else f"{self.days}d"

    def describe(self) -> str:
        """For people: "7 days before", "1 hour before", "on the day"."""
        if self.is_release:
            return "on the day"
        return f"{_plural(self.hours, 'hour')} before" if self.hours else f"{_plural(self.days, 'day')} before"


RELEASE_OFFSET = Offset()


def _unknown(token: str) -> ValueError:
    return ValueError(
        f"{_echo(token)} is not a reminder time. Use days (`3d`), hours (`2h`), weeks (`1w`) or `release`, "
        f"like `7d, 1d, release`, or a preset: {_preset_list()}."
    )


def _parse_item(token: str) -> Offset:
    if token in _RELEASE_WORDS:
        return RELEASE_OFFSET
    match = _ITEM.fullmatch(token)
    if match is None:
        raise _unknown(token)
    sign, digits, unit = match.groups()
    digits = digits.lstrip("0")
    value = 0 if not digits else (10**_MAX_DIGITS if len(digits) > _MAX_DIGITS else int(digits))
    if sign == "-" and value > 0:
        raise ValueError(f"{_echo(token)} is negative: reminders count time before, from `release` upwards.")
    kind = (unit or "d")[0]  # a bare number counts days, like the countdown milestones
    if kind == "h":
        if value > MAX_HOURS:
            raise ValueError(
                f"{_echo(token)} is too many hours: hour reminders go up to {MAX_HOURS}h before; use days for more."
            )
        return Offset(hours=value)
    days = value * 7 if kind == "w" else value
    if days > MAX_DAYS:
        raise ValueError(
            f"{_echo(token)} is too far ahead: reminders go up to {MAX_DAYS} days ({MAX_DAYS // 7} weeks) before."
        )
    return Offset(days=days)


def parse_offsets(text: str) -> tuple[Offset, ...]:
    """Offsets from what a member typed, distinct and sorted from the earliest reminder to release.

    Accepts a preset name (case-insensitive; see PRESETS) or a comma/space separated list of items:
    "release" (also "0", "0d", "on the day", "release day", "start"), "Nd" or "N days" (1..MAX_DAYS),
    "Nh" or "N hours" (1..MAX_HOURS; meant for timed events, allowed for all), "Nw" or "N weeks"
    (counted as days), or a bare number of days. Duplicates are merged ("1w, 7d" is one offset) and
    MAX_OFFSETS counts distinct offsets. Raises ValueError with a message meant to be shown to the
    member verbatim for anything else: empty, unknown item, negative, out of range, too many.
    """
    cleaned = text.strip().lower()
    empty = ValueError(f"Give at least one reminder time, like `7d, 1d, release`, or a preset: {_preset_list()}.")
    if not cleaned:
        raise empty
    # "Release Day", "release_day" and "RELEASE-DAY" all name the same preset.
    name = re.sub(r"[\s_-]+", "-", cleaned)
    if name in PRESETS:
        return parse_offsets(PRESETS[name])

    cleaned = _SPACED_UNIT.sub(r"\1", _RELEASE_PHRASES.sub(RELEASE, cleaned))
    tokens = [token for token in _SEPARATORS.split(cleaned) if token]
    if not tokens:
        raise empty
    offsets = {_parse_item(token) for token in tokens}
    if len(offsets) > MAX_OFFSETS:
        raise ValueError(f"That is {len(offsets)} reminder times; the most is {MAX_OFFSETS}.")
    return tuple(sorted(offsets, reverse=True))


def offsets_text(offsets: Sequence[Offset]) -> str:
    """The canonical stored form, e.g. "7d,1d,release": distinct, earliest reminder first.

    parse_offsets(offsets_text(x)) == x for anything parse_offsets returns. Raises ValueError for no
    offsets, which parse_offsets would refuse to read back.
    """
    if not offsets:
        raise ValueError("no offsets to store")
    return ",".join(offset.to_text() for offset in sorted(set(offsets), reverse=True))


def describe_offsets(offsets: Sequence[Offset]) -> str:
    """For people: "7 days before, 1 day before and on the day" (earliest first); "no reminders" for none."""
    if not offsets:
        return "no reminders"
    parts = [offset.describe() for offset in sorted(set(offsets), reverse=True)]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


@dataclass(frozen=True)
class QuietHours:
    """Wall times in the member's zone when only release reminders may arrive: start inclusive, end not."""

    start: dt.time
    end: dt.time  # start > end means overnight (22:00–07:00)

    def __post_init__(self) -> None:
        # Stored settings are rebuilt from text; refuse what parse_quiet_hours would refuse.
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("quiet hours are naive wall times")
        if self.start == self.end:
            raise ValueError("quiet hours need different start and end times")

    def contains(self, wall: dt.time) -> bool:
        """Whether the clock showing `wall` is inside the quiet hours (any tzinfo on `wall` is ignored)."""
        wall = wall.replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= wall < self.end
        return wall >= self.start or wall < self.end

    def describe(self) -> str:
        """For people and storage alike: "22:00–07:00"."""
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


def _parse_wall(text: str, which: str) -> dt.time:
    cleaned = text.strip()
    # "7:00" is as clear as "07:00".
    if re.fullmatch(r"[0-9]:[0-9]{2}", cleaned):
        cleaned = "0" + cleaned
    try:
        return parse_hhmm(cleaned)
    except ValueError:  # not HH:MM, or an hour past 23 / minute past 59
        raise ValueError(
            f"{_echo(text.strip() or ' ')} is not a time for the {which} of quiet hours; "
            "use 24-hour HH:MM, like `22:00`."
        ) from None


def parse_quiet_hours(start: str, end: str) -> QuietHours:
    """Quiet hours from two 24-hour HH:MM times ("22:00", "07:00"); the window may run overnight.

    Raises ValueError with a message meant for the member for a malformed time or equal times.
    """
    start_time = _parse_wall(start, "start")
    end_time = _parse_wall(end, "end")
    if start_time == end_time:
        raise ValueError("Quiet hours need different start and end times, like `22:00` to `07:00`.")
    return QuietHours(start_time, end_time)


def _base_wall(target: Target, tz: ZoneInfo) -> tuple[dt.date, dt.time]:
    # The local day and wall time that day offsets carry back: the event's start as seen in the
    # member's zone (which may be another date than target.day), else REMINDER_HOUR on the day.
    if target.starts_at is not None:
        local = target.starts_at.astimezone(tz)
        return local.date(), local.time().replace(tzinfo=None)
    return target.day, REMINDER_HOUR


def base_instant(target: Target, tz: ZoneInfo) -> dt.datetime:
    """The moment reminders count back from: target.starts_at for timed events, else REMINDER_HOUR on target.day in tz.

    Aware UTC either way.
    """
    if target.starts_at is not None:
        return target.starts_at.astimezone(UTC)
    return at_local_time(target.day, REMINDER_HOUR, tz)


def _shows(instant: dt.datetime, naive: dt.datetime, tz: ZoneInfo) -> bool:
    return instant.astimezone(tz).replace(tzinfo=None) == naive


def _next_wall(after: dt.datetime, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The first instant after `after` at which the clock in `tz` shows `time`, or the end of the gap that skips it."""
    # bot.localtime.next_local_time only knows first occurrences; here a reminder may sit in the
    # repeated hour of a fall-back night, and the second 01:30 is the one that comes after it.
    day = local_day(after, tz)
    for shift in range(4):  # three days cover a whole skipped calendar day (Apia, 2011)
        naive = dt.datetime.combine(day + dt.timedelta(days=shift), time)
        candidates = [at_local_time(naive.date(), time, tz)]
        second = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
        if _shows(second, naive, tz):
            candidates.append(second)
        later = [candidate for candidate in candidates if candidate > after]
        if later:
            return min(later)
    raise ValueError(f"no {time} in {tz} within days of {after}")


def _after_quiet(instant: dt.datetime, tz: ZoneInfo, quiet: QuietHours) -> dt.datetime:
    # Normally one step. A gap can land the end of the window back inside it only when the clock
    # skips most of a day, and then the next end is certainly outside; the bound is only a guard.
    for _ in range(4):
        if not quiet.contains(instant.astimezone(tz).time()):
            return instant
        instant = _next_wall(instant, quiet.end, tz)
    return instant


def reminder_instant(target: Target, offset: Offset, tz: ZoneInfo, quiet: QuietHours | None) -> dt.datetime:
    """UTC instant of one reminder.

    Day offsets keep the base's local wall time N calendar days earlier (DST-safe, via
    at_local_time); hour offsets are exact elapsed hours before the base. Then quiet hours: a
    reminder that is not the release reminder and whose local wall time in tz falls inside the
    window moves to the end of it (the first instant after it when the member's clock shows
    quiet.end, or the first minute after a gap that swallows quiet.end). Release reminders never move.

    The result may fall at or after the base when quiet hours end after a timed event starts;
    plan_reminders leaves such reminders out.
    """
    if offset.is_release:
        return base_instant(target, tz)
    if offset.hours:
        instant = base_instant(target, tz) - dt.timedelta(hours=offset.hours)
    else:
        day, wall = _base_wall(target, tz)
        instant = at_local_time(day - dt.timedelta(days=offset.days), wall, tz)
    return instant if quiet is None else _after_quiet(instant, tz, quiet)


@dataclass(frozen=True)
class PlannedReminder:
    """One reminder the plan wants, identified (per target and day) by offset.to_text()."""

    offset: Offset
    due_at: dt.datetime  # aware UTC


def plan_reminders(
    target: Target, offsets: Sequence[Offset], tz: ZoneInfo, quiet: QuietHours | None, now: dt.datetime
) -> list[PlannedReminder]:
    """Reminders still to come (due_at > now), sorted by due_at then offset; none when the base is past.

    Duplicate offsets count once. A reminder other than release that would arrive at or after the
    base (quiet hours ending after a timed event has started, or a skipped calendar day) is left
    out: "2 hours before" sent after the start would be wrong, and the release reminder covers it.
    Reminders may share a due_at (1d and 24h, or several moved to the end of quiet hours).
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    base = base_instant(target, tz)
    if base <= now:
        return []
    planned: list[PlannedReminder] = []
    for offset in set(offsets):
        try:
            due_at = reminder_instant(target, offset, tz, quiet)
        except OverflowError:  # counting back past year 1: long gone
            continue
        if due_at > now and (offset.is_release or due_at < base):
            planned.append(PlannedReminder(offset, due_at))
    planned.sort(key=lambda reminder: (reminder.due_at, reminder.offset))
    return planned
