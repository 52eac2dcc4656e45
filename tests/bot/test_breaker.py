"""InvalidRequestBreaker: counting refused requests (401/403/429) in a sliding window.

Real time is used where the window must pass (tiny windows, and only lower bounds on how long
things took); a stand-in for the module's monotonic clock pins the exact arithmetic.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from types import SimpleNamespace

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import bot.delivery
from bot.delivery import INVALID_STATUSES, INVALID_WINDOW, InvalidRequestBreaker, RequestWindow

NOT_REFUSALS = (200, 201, 204, 301, 304, 400, 404, 405, 413, 500, 502, 503)


POLL_LIMIT = 5.0


async def wait_until_closed(breaker: InvalidRequestBreaker) -> float:
    """Poll until the breaker closes; returns the monotonic time it was first seen closed."""
    deadline = time.monotonic() + POLL_LIMIT
    while breaker.open:
        assert time.monotonic() < deadline, "the breaker never closed"
        await asyncio.sleep(0.01)
    return time.monotonic()


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeMonotonic:
    """Replaces only bot.delivery's view of the time module (asyncio keeps the real clock)."""
    fake = FakeMonotonic()
    monkeypatch.setattr(bot.delivery, "time", SimpleNamespace(monotonic=fake))
    return fake


def test_the_refused_statuses_and_discords_window() -> None:
    assert frozenset({401, 403, 429}) == INVALID_STATUSES
    assert INVALID_WINDOW == 600.0
    assert InvalidRequestBreaker(5).window == 600.0


def test_other_statuses_are_not_counted() -> None:
    breaker = InvalidRequestBreaker(limit=1, window=60)
    for status in NOT_REFUSALS * 3:
        breaker.record(status)
    assert breaker.open is False
    assert breaker.seconds_until_closed() == 0.0


@pytest.mark.parametrize("status", sorted(INVALID_STATUSES))
def test_each_refusal_counts(status: int) -> None:
    breaker = InvalidRequestBreaker(limit=2, window=60)
    breaker.record(status)
    assert breaker.open is False
    breaker.record(status)
    assert breaker.open is True
    assert 0 < breaker.seconds_until_closed() <= 60


def test_opens_exactly_at_the_limit() -> None:
    breaker = InvalidRequestBreaker(limit=4, window=60)
    for status in (403, 200, 429, 404, 401):
        breaker.record(status)
    assert breaker.open is False  # three refusals
    breaker.record(500)
    assert breaker.open is False
    breaker.record(403)
    assert breaker.open is True  # the fourth


def test_seconds_until_closed_waits_for_enough_refusals_to_age_out(clock: FakeMonotonic) -> None:
    breaker = InvalidRequestBreaker(limit=3, window=100)
    for _ in range(5):  # refusals at 1000, 1010, 1020, 1030, 1040
        breaker.record(403)
        clock.now += 10
    clock.now = 1045.0
    assert breaker.open is True
    # 5 refusals, limit 3: the breaker closes once 3 have aged out, i.e. when the one at 1020 does
    assert breaker.seconds_until_closed() == pytest.approx(1020 + 100 - 1045)

    clock.now = 1110.5  # the refusal at 1000 and the one at 1010 are gone: 3 left, still at the limit
    assert breaker.open is True
    assert breaker.seconds_until_closed() == pytest.approx(9.5)
    clock.now = 1120.5
    assert breaker.open is False
    assert breaker.seconds_until_closed() == 0.0

    breaker.record(429)  # 3 in the window again
    assert breaker.open is True
    assert breaker.seconds_until_closed() == pytest.approx(1030 + 100 - 1120.5)


def test_the_window_is_sliding_not_fixed(clock: FakeMonotonic) -> None:
    breaker = InvalidRequestBreaker(limit=3, window=100)
    breaker.record(403)
    clock.now += 99
    breaker.record(403)
    clock.now += 2  # the first is 101 s old
    breaker.record(403)
    assert breaker.open is False
    breaker.record(403)
    assert breaker.open is True


def test_tripping_and_closing_are_logged_once(clock: FakeMonotonic, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.delivery")
    breaker = InvalidRequestBreaker(limit=2, window=120)
    for _ in range(6):
        breaker.record(401)
    assert breaker.open
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert errors[0].startswith("2 requests were refused (401/403/429) in the last 2 minutes")
    clock.now += 121
    assert not breaker.open
    assert not breaker.open
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    # the configured window, not Discord's 10 minutes
    assert warnings == ["refused requests are back under 2 in 2 minutes; bulk sending resumes"]


async def test_closes_when_refusals_age_out_in_real_time() -> None:
    window = 0.2
    breaker = InvalidRequestBreaker(limit=2, window=window)
    started = time.monotonic()
    breaker.record(403)
    breaker.record(429)
    assert breaker.open is True
    assert 0 < breaker.seconds_until_closed() <= window
    closed_at = await wait_until_closed(breaker)
    assert closed_at - started >= window
    assert breaker.seconds_until_closed() == 0.0
    breaker.record(403)
    assert breaker.open is False  # one refusal in the window, under the limit


async def test_stays_open_until_the_right_refusal_ages_out_in_real_time() -> None:
    window = 0.3
    breaker = InvalidRequestBreaker(limit=2, window=window)
    breaker.record(403)
    await asyncio.sleep(0.1)
    second = time.monotonic()
    breaker.record(403)
    breaker.record(403)
    wait = breaker.seconds_until_closed()
    # the second refusal must age out, not just the first
    assert wait >= second + window - time.monotonic()
    closed_at = await wait_until_closed(breaker)
    assert closed_at - second >= window


# ---- the aiohttp trace ------------------------------------------------------------------------------------------


@pytest.fixture
async def server() -> AsyncIterator[TestServer]:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["status"]), text="")

    app = web.Application()
    app.router.add_get("/status/{status}", answer)
    test_server = TestServer(app, host="127.0.0.1")
    await test_server.start_server()
    try:
        yield test_server
    finally:
        await test_server.close()


async def test_trace_config_counts_real_responses(server: TestServer) -> None:
    breaker = InvalidRequestBreaker(limit=3, window=60)
    seen = []
    async with aiohttp.ClientSession(trace_configs=[breaker.trace_config()]) as session:

        async def get(status: int) -> None:
            async with session.get(server.make_url(f"/status/{status}")) as response:
                seen.append(response.status)

        for status in (403, 200, 429, 404, 500, 204):
            await get(status)
        assert breaker.open is False  # two refusals
        await get(401)
        assert breaker.open is True  # the third
        assert 0 < breaker.seconds_until_closed() <= 60
    assert seen == [403, 200, 429, 404, 500, 204, 401]


async def test_two_sessions_can_share_one_breaker(server: TestServer) -> None:
    breaker = InvalidRequestBreaker(limit=2, window=60)
    async with (
        aiohttp.ClientSession(trace_configs=[breaker.trace_config()]) as first,
        aiohttp.ClientSession(trace_configs=[breaker.trace_config()]) as second,
    ):
        async with first.get(server.make_url("/status/429")) as response:
            assert response.status == 429
        assert breaker.open is False
        async with second.get(server.make_url("/status/403")) as response:
            assert response.status == 403
    assert breaker.open is True


async def test_the_request_window_holds_the_bots_own_requests_where_they_leave(server: TestServer) -> None:
    """At most `per_second` of the bot's REST requests leave in any second, whatever the senders did
    before (no pacer turn here at all); interaction responses and other hosts are not held."""
    base = str(server.make_url("/api/v10"))
    window = RequestWindow(5, base)
    breaker = InvalidRequestBreaker(limit=1000, window=60)
    left: list[tuple[str, float]] = []
    async with aiohttp.ClientSession(trace_configs=[window.trace_config(breaker)]) as session:

        async def get(path: str) -> None:
            async with session.get(server.make_url(path)) as response:
                left.append((path, time.monotonic()))
                assert response.status in (200, 404)

        await asyncio.gather(
            *(get("/api/v10/status/200") for _ in range(12)),
            *(get("/api/v10/interactions/1/token/callback") for _ in range(10)),
            *(get("/api/v10/webhooks/1/token") for _ in range(10)),
            *(get("/status/200") for _ in range(10)),
        )
    own = sorted(at for path, at in left if path == "/api/v10/status/200")
    others = [at for path, at in left if path != "/api/v10/status/200"]
    # In any second, at most five of the bot's own: the sixth waits a second after the first.
    assert all(own[i + 5] - own[i] >= 0.95 for i in range(len(own) - 5))
    assert max(others) < own[5]  # nothing else waited for the window, which held the sixth a second
    assert window.counts(base + "/channels/1/messages")
    assert not window.counts(base + "/interactions/1/t/callback") and not window.counts("wss://gateway/")
