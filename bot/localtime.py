"""Wall-clock times in a timezone, turned into instants correctly across DST changes."""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from db.names import one_line

UTC = dt.UTC


def zone(name: str | None, fallback: str = "UTC") -> ZoneInfo:
    """The timezone called `name`, or `fallback` when it is unset or unknown."""
    for candidate in (name, fallback, "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def local_day(now: dt.datetime, tz: ZoneInfo) -> dt.date:
    """The calendar date it is in `tz` at the instant `now`."""
    return now.astimezone(tz).date()


def at_local_time(day: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The instant (UTC) of `time` on `day` in `tz`.

    A time that does not exist that day (spring forward) moves to the first valid minute after
    the gap; an ambiguous one (fall back) is its first occurrence, so it happens once.
    """
    naive = dt.datetime.combine(day, time)
    candidate = naive.replace(tzinfo=tz, fold=0)
    if candidate.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive:
        return candidate.astimezone(UTC)
    # In a gap: walk forward minute by minute (gaps are at most a few hours) to the first real time.
    probe = naive
    for _ in range(24 * 60):
        probe += dt.timedelta(minutes=1)
        real = probe.replace(tzinfo=tz, fold=0)
        if real.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == probe:
            return real.astimezone(UTC)
    raise ValueError(f"no valid local time near {naive} in {tz}")


def next_local_time(now: dt.datetime, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The first instant after `now` at which the clock in `tz` shows `time` (or the gap after it)."""
    day = local_day(now, tz)
    for offset in range(3):
        instant = at_local_time(day + dt.timedelta(days=offset), time, tz)
        if instant > now:
            return instant
    raise ValueError("unreachable: a local time recurs every day")


def parse_hhmm(text: str) -> dt.time:
    """ "09:05" → time(9, 5); raises ValueError for anything that is not a 24-hour HH:MM."""
    hours, _, minutes = text.partition(":")
    if len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isdigit():
        raise ValueError(f"{text!r} is not HH:MM")
    return dt.time(int(hours), int(minutes))


@cache
def timezone_names() -> tuple[str, ...]:
    """Every IANA timezone name tzdata knows, sorted (the "posix/" and "right/" copies left out)."""
    return tuple(sorted(name for name in available_timezones() if not name.startswith(("posix/", "right/"))))


def valid_timezone(text: str) -> str:
    """The IANA name `text` stands for (any case), or ValueError with a message for the user."""
    cleaned = text.strip().replace(" ", "_")
    by_folded = {name.casefold(): name for name in timezone_names()}
    name = by_folded.get(cleaned.casefold())
    if name is None:
        raise ValueError(
            f"“{one_line(text)[:60]}” is not a timezone; pick one from the list, "
            "e.g. Europe/London or America/New_York."
        )
    return name


def search_timezones(text: str, limit: int = 25) -> list[str]:
    """Timezones matching what was typed: names starting with it first, then names containing it."""
    needle = text.strip().replace(" ", "_").casefold()
    names = timezone_names()
    if not needle:
        return list(names[:limit])
    starts = [n for n in names if n.casefold().startswith(needle) or n.casefold().split("/")[-1].startswith(needle)]
    contains = [n for n in names if needle in n.casefold() and n not in starts]
    return (starts + contains)[:limit]
