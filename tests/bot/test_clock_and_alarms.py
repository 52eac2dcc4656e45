"""The clock moves only when told to, and alarms follow it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock, SystemClock
from bot.scheduler import AlarmClock

START = datetime(2023, 6, 1, 12, 0, tzinfo=UTC)


def test_manual_clock_moves_forward_only() -> None:
    clock = ManualClock(START)
    assert clock.now() == START
    assert clock.advance(timedelta(hours=2)) == START + timedelta(hours=2)
    with pytest.raises(ValueError):
        clock.advance(timedelta(seconds=-1))


def test_manual_clock_needs_an_aware_start() -> None:
    with pytest.raises(ValueError):
        ManualClock(datetime(2023, 6, 1))


def test_subscribers_hear_jumps_until_they_unsubscribe() -> None:
    clock = ManualClock(START)
    heard: list[datetime] = []
    unsubscribe = clock.subscribe(lambda: heard.append(clock.now()))
    clock.advance(timedelta(minutes=1))
    unsubscribe()
    clock.advance(timedelta(minutes=1))
    assert heard == [START + timedelta(minutes=1)]


def test_system_clock_is_aware_utc() -> None:
    assert SystemClock().now().tzinfo is UTC


async def test_alarm_rings_when_the_clock_reaches_it() -> None:
    clock = ManualClock(START)
    alarms = AlarmClock(clock)
    rang = asyncio.Event()

    async def ring() -> None:
        rang.set()

    alarms.set("countdown", START + timedelta(days=3), ring)
    alarms.start()
    try:
        await asyncio.sleep(0.05)
        assert not rang.is_set()
        clock.advance(timedelta(days=3))
        await asyncio.wait_for(rang.wait(), timeout=5)
        assert alarms.next_alarm("countdown") is None
    finally:
        alarms.shutdown()


async def test_setting_an_alarm_again_replaces_it() -> None:
    clock = ManualClock(START)
    alarms = AlarmClock(clock)
    calls: list[str] = []

    async def first() -> None:
        calls.append("first")

    async def second() -> None:
        calls.append("second")

    alarms.start()
    try:
        alarms.set("runner", START + timedelta(hours=1), first)
        alarms.set("runner", START + timedelta(hours=2), second)
        assert alarms.next_alarm("runner") == START + timedelta(hours=2)
        clock.advance(timedelta(hours=3))
        for _ in range(100):
            if calls:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        assert calls == ["second"]
    finally:
        alarms.shutdown()


async def test_cancelled_alarm_never_rings() -> None:
    clock = ManualClock(START)
    alarms = AlarmClock(clock)
    calls: list[str] = []

    async def ring() -> None:
        calls.append("rang")

    alarms.start()
    try:
        alarms.set("runner", START + timedelta(minutes=5), ring)
        alarms.cancel("runner")
        clock.advance(timedelta(hours=1))
        await asyncio.sleep(0.1)
        assert calls == []
    finally:
        alarms.shutdown()


async def test_stop_returns_only_when_no_alarm_is_still_ringing() -> None:
    clock = ManualClock(START)
    alarms = AlarmClock(clock)
    started, waiting, finished, cut_short = asyncio.Event(), asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def quick() -> None:
        started.set()
        await asyncio.sleep(0.05)
        finished.set()

    async def endless() -> None:
        waiting.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cut_short.set()
            raise

    alarms.start()
    alarms.set("quick", START, quick)
    alarms.set("endless", START, endless)
    clock.advance(timedelta(seconds=1))
    await asyncio.wait_for(asyncio.gather(started.wait(), waiting.wait()), timeout=5)
    await alarms.stop(grace=0.5)
    assert finished.is_set()  # given its grace to finish
    assert cut_short.is_set()  # past the grace, cancelled before stop returned
    assert not alarms.busy
