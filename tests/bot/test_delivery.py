"""Delivery helpers: telling lasting failures from passing ones, backoff, pacing and the due-work runner."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import discord
import pytest

from bot.clock import ManualClock
from bot.delivery import (
    FIRST_RETRY,
    LASTING_ERRORS,
    NO_HISTORY,
    NONCE_TRUSTED_FOR,
    CannotTell,
    DueWorkRunner,
    Failure,
    Pacer,
    classify,
    must_look_first,
    post_fingerprint,
    retry_delay,
)
from bot.scheduler import AlarmClock

START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
ALARM = "test-delivery"


@dataclass
class FakeResponse:
    """The two attributes of an aiohttp response that discord.py's HTTPException reads."""

    status: int
    reason: str


def http_error(cls: type[discord.HTTPException], status: int, code: int, message: str = "error") -> Any:
    response: Any = FakeResponse(status, message)
    return cls(response, {"code": code, "message": message})


# ---- classify ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "status", "code"),
    [
        (discord.NotFound, 404, 10003),  # Unknown Channel
        (discord.NotFound, 404, 10004),  # Unknown Guild
        (discord.NotFound, 404, 10013),  # Unknown User
        (discord.Forbidden, 403, 50001),  # Missing Access
        (discord.Forbidden, 403, 50007),  # Cannot send messages to this user
        (discord.Forbidden, 403, 50013),  # Missing Permissions
        (discord.Forbidden, 403, 50278),  # Cannot send messages to this user (no mutual guild)
    ],
)
def test_known_discord_codes_are_lasting_with_their_own_words(
    cls: type[discord.HTTPException], status: int, code: int
) -> None:
    error = http_error(cls, status, code)
    assert error.code == code and error.status == status
    assert classify(error) == Failure(True, LASTING_ERRORS[code], code)


def test_the_admin_facing_reasons_name_the_fix() -> None:
    assert "deleted" in classify(http_error(discord.NotFound, 404, 10003, "Unknown Channel")).reason
    assert "View Channel" in classify(http_error(discord.Forbidden, 403, 50001, "Missing Access")).reason
    assert "Send Messages" in classify(http_error(discord.Forbidden, 403, 50013, "Missing Permissions")).reason


def test_an_unlisted_forbidden_is_lasting() -> None:
    failure = classify(http_error(discord.Forbidden, 403, 40333))
    assert failure == Failure(True, "Discord refused the message (403, code 40333)", 40333)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_transient(status: int) -> None:
    failure = classify(http_error(discord.DiscordServerError, status, 0))
    assert failure == Failure(False, f"Discord answered {status}", 0)


def test_a_server_error_with_a_plain_text_body_is_transient() -> None:
    response: Any = FakeResponse(503, "Service Unavailable")
    error = discord.DiscordServerError(response, "upstream connect error")
    assert error.code == 0
    assert classify(error).lasting is False


def test_too_many_requests_is_transient() -> None:
    failure = classify(http_error(discord.HTTPException, 429, 0, "You are being rate limited."))
    assert failure == Failure(False, "Discord answered 429", 0)


def test_a_bad_request_is_lasting() -> None:
    failure = classify(http_error(discord.HTTPException, 400, 50035, "Invalid Form Body"))
    assert failure == Failure(True, "Discord rejected the message (400, code 50035)", 50035)


def test_an_unlisted_not_found_is_lasting() -> None:
    failure = classify(http_error(discord.NotFound, 404, 10008, "Unknown Message"))
    assert failure.lasting is True
    assert failure.code == 10008
    assert "404" in failure.reason


@pytest.mark.parametrize(
    "error",
    [
        aiohttp.ClientConnectionError("connection reset"),
        aiohttp.ServerDisconnectedError(),
        aiohttp.ClientPayloadError("truncated"),
        OSError(104, "Connection reset by peer"),
        ConnectionResetError(),
        TimeoutError(),
    ],
    ids=lambda error: type(error).__name__,
)
def test_network_errors_are_transient(error: BaseException) -> None:
    failure = classify(error)
    assert failure.lasting is False
    assert failure.code is None
    assert failure.reason == f"network error ({type(error).__name__})"


def test_an_unexpected_error_is_lasting() -> None:
    assert classify(ValueError("bad embed")) == Failure(True, "unexpected error (ValueError)")


# ---- retry_delay ------------------------------------------------------------------------------------------


def test_retry_delay_starts_at_thirty_seconds_and_doubles() -> None:
    assert timedelta(seconds=30) == FIRST_RETRY
    assert [retry_delay(n) for n in range(1, 7)] == [
        timedelta(seconds=30),
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=8),
        timedelta(minutes=16),
    ]


def test_retry_delay_before_any_failure_is_the_first_delay() -> None:
    assert retry_delay(0) == timedelta(seconds=30)


# ---- Pacer ------------------------------------------------------------------------------------------------


def test_pacer_needs_a_positive_rate() -> None:
    with pytest.raises(ValueError):
        Pacer(0)
    with pytest.raises(ValueError):
        Pacer(-5)


# Sleeps may end up to the clock's resolution early; far below the spacing being checked.
SLACK = 0.002


async def test_pacer_spaces_sequential_waits() -> None:
    rate, waits = 200.0, 21
    pacer = Pacer(rate)
    begin = time.monotonic()
    for _ in range(waits):
        await pacer.wait_turn()
    assert time.monotonic() - begin >= (waits - 1) / rate - SLACK


async def test_pacer_spaces_concurrent_waits() -> None:
    rate, waits = 200.0, 21
    pacer = Pacer(rate)
    finished: list[float] = []

    async def send() -> None:
        finished.append(await pacer.wait_turn())

    begin = time.monotonic()
    await asyncio.gather(*(send() for _ in range(waits)))
    assert len(finished) == waits
    assert max(finished) - begin >= (waits - 1) / rate - SLACK
    # Each sender got its own slot: consecutive finishes are an interval apart.
    finished.sort()
    gaps = [later - earlier for earlier, later in itertools.pairwise(finished)]
    assert sum(gaps) >= (waits - 2) / rate - SLACK


async def test_pacer_does_not_bank_quiet_time_for_a_burst() -> None:
    rate, waits = 200.0, 11
    pacer = Pacer(rate)
    await pacer.wait_turn()
    await asyncio.sleep(0.2)  # quiet for forty intervals: none of them may be spent later
    begin = time.monotonic()
    for _ in range(waits):
        await pacer.wait_turn()
    assert time.monotonic() - begin >= (waits - 1) / rate - SLACK


async def test_pacer_never_lets_a_stall_turn_into_a_burst() -> None:
    rate, senders = 20.0, 30
    pacer = Pacer(rate)
    sent: list[float] = []

    async def send() -> None:
        # The instant the pacer gave the turn: a clock read after it could be late by a garbage
        # collection in this busy test process and make two turns 1.0 s apart look closer.
        sent.append(await pacer.wait_turn())

    tasks = [asyncio.create_task(send()) for _ in range(senders)]
    await asyncio.sleep(0.3)
    time.sleep(0.6)  # noqa: ASYNC251 - the point: the event loop stalls (a long GC), a dozen slots pass unused
    await asyncio.gather(*tasks)
    busiest = max(sum(1 for t in sent if first <= t < first + 1.0) for first in sent)
    assert busiest <= rate, f"{busiest} sends within one second at a pace of {rate}/s"
    assert len(sent) == senders


# ---- DueWorkRunner ----------------------------------------------------------------------------------------


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def alarms(clock: ManualClock) -> AsyncIterator[AlarmClock]:
    alarm_clock = AlarmClock(clock)
    alarm_clock.start()
    yield alarm_clock
    alarm_clock.shutdown()


async def eventually(predicate: Callable[[], bool], within: float = 5.0) -> bool:
    """Wait until `predicate()` holds (True) or `within` real seconds pass (False)."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def settle() -> None:
    """Give any alarm that is going to ring a chance to."""
    await asyncio.sleep(0.1)


def answers(*values: datetime | None) -> Iterator[datetime | None]:
    """What successive runs report as the next due time; None after the given ones."""
    yield from values
    while True:
        yield None


async def test_poke_runs_the_work_and_the_answer_rearms_the_alarm(clock: ManualClock, alarms: AlarmClock) -> None:
    runs: list[datetime] = []
    upcoming = answers(START + timedelta(hours=1))

    async def deliver_due() -> datetime | None:
        runs.append(clock.now())
        return next(upcoming)

    runner = DueWorkRunner(ALARM, alarms, clock, deliver_due)
    runner.poke()
    assert await eventually(lambda: len(runs) == 1)
    assert await eventually(lambda: alarms.next_alarm(ALARM) == START + timedelta(hours=1))
    await settle()
    assert runs == [START]  # the re-armed alarm waits for the clock

    clock.advance(timedelta(hours=1))
    assert await eventually(lambda: len(runs) == 2)
    assert runs[1] == START + timedelta(hours=1)
    await settle()
    assert len(runs) == 2
    assert alarms.next_alarm(ALARM) is None  # nothing more was due


async def test_poke_keeps_an_earlier_alarm(clock: ManualClock, alarms: AlarmClock) -> None:
    async def deliver_due() -> datetime | None:
        return None

    runner = DueWorkRunner(ALARM, alarms, clock, deliver_due)
    runner.poke(START + timedelta(hours=2))
    assert alarms.next_alarm(ALARM) == START + timedelta(hours=2)
    runner.poke(START + timedelta(hours=3))
    assert alarms.next_alarm(ALARM) == START + timedelta(hours=2)
    runner.poke(START + timedelta(hours=1))
    assert alarms.next_alarm(ALARM) == START + timedelta(hours=1)
    runner.stop()
    assert alarms.next_alarm(ALARM) is None


async def test_a_poke_during_an_alarm_run_causes_exactly_one_more_run(clock: ManualClock, alarms: AlarmClock) -> None:
    started = asyncio.Event()
    release = asyncio.Event()
    runs = 0

    async def deliver_due() -> datetime | None:
        nonlocal runs
        runs += 1
        if runs == 1:
            started.set()
            await release.wait()
        return None

    runner = DueWorkRunner(ALARM, alarms, clock, deliver_due)
    runner.poke()  # the first run is rung by the alarm
    await asyncio.wait_for(started.wait(), timeout=5)
    runner.poke()  # new rows were planned while the run was reading the queue
    runner.poke()
    await settle()
    assert runs == 1  # still one run at a time
    release.set()
    assert await eventually(lambda: runs >= 2), "the poke made during the run was lost"
    await settle()
    assert runs == 2
    assert alarms.next_alarm(ALARM) is None
    assert not alarms.busy


async def test_a_poke_during_a_direct_run_causes_exactly_one_more_run(clock: ManualClock, alarms: AlarmClock) -> None:
    started = asyncio.Event()
    release = asyncio.Event()
    runs = 0

    async def deliver_due() -> datetime | None:
        nonlocal runs
        runs += 1
        if runs == 1:
            started.set()
            await release.wait()
        return None

    runner = DueWorkRunner(ALARM, alarms, clock, deliver_due)
    first = asyncio.create_task(runner.run())
    await asyncio.wait_for(started.wait(), timeout=5)
    runner.poke()
    await runner.run()  # a second run while one is in progress returns at once
    await settle()
    assert runs == 1
    release.set()
    await asyncio.wait_for(first, timeout=5)
    assert runs == 2
    await settle()
    assert runs == 2
    assert alarms.next_alarm(ALARM) is None


async def test_the_next_time_after_an_extra_run_is_the_last_runs_answer(clock: ManualClock, alarms: AlarmClock) -> None:
    release = asyncio.Event()
    started = asyncio.Event()
    upcoming = answers(START + timedelta(hours=5), START + timedelta(hours=2))
    runs = 0

    async def deliver_due() -> datetime | None:
        nonlocal runs
        runs += 1
        if runs == 1:
            started.set()
            await release.wait()
        return next(upcoming)

    runner = DueWorkRunner(ALARM, alarms, clock, deliver_due)
    first = asyncio.create_task(runner.run())
    await asyncio.wait_for(started.wait(), timeout=5)
    runner.poke()
    await settle()
    release.set()
    await asyncio.wait_for(first, timeout=5)
    assert runs == 2
    assert alarms.next_alarm(ALARM) == START + timedelta(hours=2)


async def test_a_failing_run_is_logged_and_retried_a_minute_later(
    clock: ManualClock, alarms: AlarmClock, caplog: pytest.LogCaptureFixture
) -> None:
    runs = 0

    async def deliver_due() -> datetime | None:
        nonlocal runs
        runs += 1
        if runs == 1:
            raise RuntimeError("database is locked")
        return None

    runner = DueWorkRunner(ALARM, alarms, clock, deliver_due)
    with caplog.at_level(logging.ERROR, logger="bot.delivery"):
        runner.poke()
        assert await eventually(lambda: alarms.next_alarm(ALARM) == START + timedelta(minutes=1))
    assert runs == 1
    failures = [r for r in caplog.records if r.name == "bot.delivery" and r.levelno == logging.ERROR]
    assert len(failures) == 1
    assert ALARM in failures[0].getMessage()
    assert failures[0].exc_info is not None
    assert isinstance(failures[0].exc_info[1], RuntimeError)

    await settle()
    assert runs == 1  # the retry waits for the clock
    clock.advance(timedelta(minutes=1))
    assert await eventually(lambda: runs == 2)
    await settle()
    assert alarms.next_alarm(ALARM) is None


async def test_work_found_due_again_at_the_end_of_a_run_is_done_at_once(clock: ManualClock, alarms: AlarmClock) -> None:
    """The runner re-arms its alarm for a time already past from inside the ring: it must ring again."""
    runs = 0

    async def deliver_due() -> datetime | None:
        nonlocal runs
        runs += 1
        return clock.now() - timedelta(milliseconds=1) if runs == 1 else None

    runner = DueWorkRunner(ALARM, alarms, clock, deliver_due)
    runner.poke()
    assert await eventually(lambda: runs == 2), f"ran {runs} time(s); the re-armed ring was dropped"
    await settle()
    assert runs == 2 and not alarms.busy


# ---- retries after the nonce window ------------------------------------------------------------------------


def test_only_a_retry_well_after_a_first_try_must_look_for_the_earlier_post() -> None:
    first = START
    assert not must_look_first(None, 3, START + timedelta(hours=1))  # never tried: nothing to find
    assert not must_look_first(first, 1, START + timedelta(hours=1))  # the first try itself
    assert not must_look_first(first, 2, first + NONCE_TRUSTED_FOR)  # the nonce still covers it
    assert must_look_first(first, 2, first + NONCE_TRUSTED_FOR + timedelta(seconds=1))
    # Discord keeps a nonce for "a few minutes": trusting it longer than a minute would be a gamble.
    assert timedelta(minutes=1) >= NONCE_TRUSTED_FOR


def test_a_post_is_recognised_by_what_it_says_whatever_its_footer() -> None:
    on_time = discord.Embed(title="📅 Premiere", description="**2 days to go.** Premiere starts soon.")
    late = on_time.copy().set_footer(text="Posted late")
    view = discord.ui.View()
    view.add_item(discord.ui.Button(label="Remind me", custom_id="remind:event:1"))
    assert post_fingerprint(None, on_time, view) == post_fingerprint("", late, view)
    assert post_fingerprint(None, on_time, view) != post_fingerprint(None, on_time, None)
    other = discord.Embed(title="📅 Premiere", description="**1 day to go.** Premiere starts soon.")
    assert post_fingerprint(None, on_time, view) != post_fingerprint(None, other, view)
    assert post_fingerprint("<@&1>", on_time, view) != post_fingerprint(None, on_time, view)


def test_not_being_able_to_tell_is_a_lasting_failure_in_its_own_words() -> None:
    assert classify(CannotTell(NO_HISTORY)) == Failure(True, NO_HISTORY)
    assert "Read Message History" in NO_HISTORY


async def test_a_spare_turn_is_given_only_while_the_pace_is_idle_and_under_its_share() -> None:
    pacer = Pacer(10.0)
    assert pacer.spare_turn()  # idle
    assert not pacer.spare_turn()  # its own slot: the next is 0.1 s away
    await pacer.wait_turn()  # a send that must go out waits its slot as usual, never behind a spare one
    await asyncio.sleep(pacer.interval)
    assert not pacer.spare_turn(share=0.1)  # two of ten taken in the last second: past a share of one
    assert pacer.spare_turn(share=0.5)
