"""The TMDB HTTP client against a small aiohttp server on 127.0.0.1 that answers as each test scripts it."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.tmdb.client import (
    TmdbAuthError,
    TmdbBadAnswerError,
    TmdbClient,
    TmdbError,
    TmdbNotFoundError,
    TmdbUnavailableError,
)
from db.http_cache import HttpCache

TOKEN = "eyJhbGciOiJIUzI1NiJ9.test-read-access-token-0123456789abcdef"
FIGHT_CLUB = {"id": 550, "title": "Fight Club", "release_date": "1999-10-15"}
NOT_FOUND = {"success": False, "status_code": 34, "status_message": "The resource you requested could not be found."}

Responder = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


class Stand:
    """A scripted TMDB: each path answers with its responders in turn, the last one for ever after."""

    def __init__(self) -> None:
        self.url = ""
        self.host = ""
        self.routes: dict[str, list[Responder]] = {}
        self.seen: list[Seen] = []
        self.in_flight = 0
        self.peak = 0
        self.released = asyncio.Event()

    def answer(self, path: str, *responders: Responder) -> None:
        self.routes["/3" + path] = list(responders)

    def hang(self) -> Responder:
        async def respond(request: web.Request) -> web.StreamResponse:
            await self.released.wait()
            return web.json_response({"late": True})

        return respond

    def asked(self, path: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.path == "/3" + path]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(Seen(request.path, dict(request.query), dict(request.headers)))
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            queue = self.routes.get(request.path)
            if not queue:
                return web.json_response(NOT_FOUND, status=404)
            responder = queue.pop(0) if len(queue) > 1 else queue[0]
            return await responder(request)
        finally:
            self.in_flight -= 1


def ok(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Responder:
    async def respond(request: web.Request) -> web.StreamResponse:
        return web.json_response(body, status=status, headers=headers)

    return respond


def raw(data: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Responder:
    async def respond(request: web.Request) -> web.StreamResponse:
        return web.Response(body=data, status=status, headers=headers, content_type="application/json")

    return respond


def validated(body: Any, etag: str | None = None, last_modified: str | None = None) -> Responder:
    """Answers 304 to a request carrying the matching validator, as TMDB's servers do."""

    async def respond(request: web.Request) -> web.StreamResponse:
        if (etag and request.headers.get("If-None-Match") == etag) or (
            last_modified and request.headers.get("If-Modified-Since") == last_modified
        ):
            return web.Response(status=304)
        headers = {"ETag": etag} if etag else {}
        if last_modified:
            headers["Last-Modified"] = last_modified
        return web.json_response(body, headers=headers)

    return respond


async def slow(request: web.Request) -> web.StreamResponse:
    await asyncio.sleep(0.05)
    return web.json_response(FIGHT_CLUB)


async def drop_connection(request: web.Request) -> web.StreamResponse:
    assert request.transport is not None
    request.transport.close()
    return web.Response()


class Sleeps:
    """The injected sleep: records what it was asked and returns at once."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)


@pytest.fixture
async def stand() -> AsyncIterator[Stand]:
    scripted = Stand()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", scripted.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    scripted.host = f"127.0.0.1:{port}"
    scripted.url = f"http://127.0.0.1:{port}/3"
    yield scripted
    scripted.released.set()
    await runner.cleanup()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def client(stand: Stand, sleeps: Sleeps, **options: Any) -> TmdbClient:
    return TmdbClient(stand.url, TOKEN, sleep=sleeps, **options)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# ---- answers ------------------------------------------------------------------------------------------------


async def test_a_200_is_the_answer_asked_with_the_token_as_a_bearer_header(stand: Stand, sleeps: Sleeps) -> None:
    stand.answer("/movie/550", ok(FIGHT_CLUB))
    async with client(stand, sleeps) as tmdb:
        assert await tmdb.get("/movie/550", {"language": "en-US", "page": 1, "include_adult": False}) == FIGHT_CLUB
        assert (tmdb.requests_made, tmdb.cache_hits) == (1, 0)
    [seen] = stand.asked("/movie/550")
    assert seen.headers["Authorization"] == f"Bearer {TOKEN}"
    assert seen.headers["Accept"] == "application/json"
    assert seen.query == {"language": "en-US", "page": "1", "include_adult": "false"}
    assert "If-None-Match" not in seen.headers and sleeps.asked == []


async def test_a_304_is_answered_from_the_cache(stand: Stand, sleeps: Sleeps, tmp_path: Path) -> None:
    stand.answer("/movie/550", validated(FIGHT_CLUB, etag='W/"fc-1"'))
    async with await HttpCache.open(tmp_path / "cache.db") as cache, client(stand, sleeps, cache=cache) as tmdb:
        assert await tmdb.get("/movie/550", {"language": "en-US"}) == FIGHT_CLUB
        assert await tmdb.get("/movie/550", {"language": "en-US"}) == FIGHT_CLUB
        assert (tmdb.requests_made, tmdb.cache_hits) == (2, 1)
    first, second = stand.asked("/movie/550")
    assert "If-None-Match" not in first.headers
    assert second.headers["If-None-Match"] == 'W/"fc-1"'


async def test_without_revalidation_a_kept_answer_is_used_without_asking(
    stand: Stand, sleeps: Sleeps, tmp_path: Path
) -> None:
    stand.answer("/movie/550", validated(FIGHT_CLUB, etag='W/"fc-1"'))
    async with await HttpCache.open(tmp_path / "cache.db") as cache, client(stand, sleeps, cache=cache) as tmdb:
        assert await tmdb.get("/movie/550", revalidate=False) == FIGHT_CLUB  # nothing kept yet: asked
        assert await tmdb.get("/movie/550", revalidate=False) == FIGHT_CLUB
        assert (tmdb.requests_made, tmdb.cache_hits) == (1, 1)
    assert len(stand.asked("/movie/550")) == 1


async def test_the_cache_outlives_the_client_and_keys_on_the_sorted_query(
    stand: Stand, sleeps: Sleeps, tmp_path: Path
) -> None:
    modified = "Thu, 15 Oct 1999 00:00:00 GMT"
    stand.answer("/search/movie", validated({"page": 1, "results": [FIGHT_CLUB]}, last_modified=modified))
    path = tmp_path / "data" / "tmdb-cache.db"
    async with await HttpCache.open(path) as cache, client(stand, sleeps, cache=cache) as tmdb:
        await tmdb.get("/search/movie", {"query": "Fight Club", "year": 1999})
    async with await HttpCache.open(path) as cache, client(stand, sleeps, cache=cache) as again:
        answer = await again.get("/search/movie", {"year": 1999, "query": "Fight Club"})
        assert answer == {"page": 1, "results": [FIGHT_CLUB]}
        assert (again.requests_made, again.cache_hits) == (1, 1)
    assert stand.asked("/search/movie")[1].headers["If-Modified-Since"] == modified


async def test_an_answer_without_validators_is_not_kept(stand: Stand, sleeps: Sleeps, tmp_path: Path) -> None:
    stand.answer("/movie/550", ok(FIGHT_CLUB))
    async with await HttpCache.open(tmp_path / "cache.db") as cache, client(stand, sleeps, cache=cache) as tmdb:
        await tmdb.get("/movie/550")
        await tmdb.get("/movie/550")
        assert tmdb.cache_hits == 0
    assert all("If-None-Match" not in seen.headers for seen in stand.asked("/movie/550"))


async def test_a_spoilt_cached_body_is_asked_for_again_in_full(stand: Stand, sleeps: Sleeps, tmp_path: Path) -> None:
    stand.answer("/movie/550", validated(FIGHT_CLUB, etag='"fc-1"'))
    async with await HttpCache.open(tmp_path / "cache.db") as cache:
        await cache.put(f"{stand.url}/movie/550", '"fc-1"', None, b"{not json", datetime.now(UTC))
        async with client(stand, sleeps, cache=cache) as tmdb:
            assert await tmdb.get("/movie/550") == FIGHT_CLUB
            assert (tmdb.requests_made, tmdb.cache_hits) == (2, 0)
        kept = await cache.get(f"{stand.url}/movie/550")
        assert kept is not None and json.loads(kept.body) == FIGHT_CLUB
    assert "If-None-Match" not in stand.asked("/movie/550")[1].headers


async def test_a_corrupt_cache_file_does_not_stop_an_import(
    stand: Stand, sleeps: Sleeps, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "tmdb-cache.db"
    path.write_bytes(b"\x00garbage" * 512)
    stand.answer("/movie/550", validated(FIGHT_CLUB, etag='"fc-1"'))
    async with await HttpCache.open(path) as cache, client(stand, sleeps, cache=cache) as tmdb:
        assert await tmdb.get("/movie/550") == FIGHT_CLUB
        assert await tmdb.get("/movie/550") == FIGHT_CLUB
    assert len([record for record in caplog.records if "cannot be used" in record.getMessage()]) == 1


# ---- waiting and retrying -----------------------------------------------------------------------------------


async def test_a_429_waits_retry_after_seconds_then_asks_again(stand: Stand, sleeps: Sleeps) -> None:
    stand.answer("/movie/550", ok(NOT_FOUND, status=429, headers={"Retry-After": "7"}), ok(FIGHT_CLUB))
    async with client(stand, sleeps) as tmdb:
        assert await tmdb.get("/movie/550") == FIGHT_CLUB
        assert tmdb.requests_made == 2
    assert sleeps.asked == [7.0]


async def test_a_429_retry_after_date_is_read_against_the_answers_date(stand: Stand, sleeps: Sleeps) -> None:
    now = datetime(2026, 12, 7, 18, 0, tzinfo=UTC)
    headers = {
        "Date": format_datetime(now, usegmt=True),
        "Retry-After": format_datetime(now + timedelta(seconds=12), usegmt=True),
    }
    stand.answer("/movie/550", ok({}, status=429, headers=headers), ok(FIGHT_CLUB))
    async with client(stand, sleeps) as tmdb:
        assert await tmdb.get("/movie/550") == FIGHT_CLUB
    assert sleeps.asked == [12.0]


async def test_a_429_asking_too_long_a_wait_fails_at_once(stand: Stand, sleeps: Sleeps) -> None:
    stand.answer("/movie/550", ok({}, status=429, headers={"Retry-After": "3600"}))
    async with client(stand, sleeps) as tmdb:
        with pytest.raises(TmdbUnavailableError, match=r"asks to wait 3600 s .*429.*more than the 60 s"):
            await tmdb.get("/movie/550")
        assert tmdb.requests_made == 1
    assert sleeps.asked == []


async def test_429s_have_their_own_budget_apart_from_failures(stand: Stand, sleeps: Sleeps) -> None:
    busy = ok({}, status=429, headers={"Retry-After": "1"})
    down = ok({}, status=503)
    stand.answer("/movie/550", busy, down, busy, down, ok(FIGHT_CLUB))
    async with client(stand, sleeps, retries=2) as tmdb:
        assert await tmdb.get("/movie/550") == FIGHT_CLUB
        assert tmdb.requests_made == 5
    stand.answer("/movie/551", busy)
    async with client(stand, sleeps, retries=2) as tmdb:
        with pytest.raises(TmdbUnavailableError, match="kept answering 429"):
            await tmdb.get("/movie/551")
        assert tmdb.requests_made == 3


async def test_a_503_twice_then_200_backs_off_exponentially(stand: Stand, sleeps: Sleeps) -> None:
    stand.answer("/movie/550", ok({}, status=503), ok({}, status=503), ok(FIGHT_CLUB))
    async with client(stand, sleeps, backoff=0.5) as tmdb:
        assert await tmdb.get("/movie/550") == FIGHT_CLUB
        assert tmdb.requests_made == 3
    first, second = sleeps.asked
    assert 0.25 <= first <= 0.5 and 0.5 <= second <= 1.0


async def test_5xx_for_good_fails_after_the_retries_naming_the_host_only(stand: Stand, sleeps: Sleeps) -> None:
    stand.answer("/search/movie", ok({}, status=502))
    async with client(stand, sleeps, retries=3) as tmdb:
        with pytest.raises(TmdbUnavailableError) as failure:
            await tmdb.get("/search/movie", {"query": "Secret Title"})
        assert tmdb.requests_made == 4
    assert str(failure.value) == f"TMDB at {stand.host} is unavailable: it answered 502 Bad Gateway (4 tries)"
    assert len(sleeps.asked) == 3


async def test_a_hanging_answer_times_out_and_is_asked_again(stand: Stand, sleeps: Sleeps) -> None:
    stand.answer("/movie/550", stand.hang(), ok(FIGHT_CLUB))
    async with client(stand, sleeps, timeout=0.2) as tmdb:
        assert await tmdb.get("/movie/550") == FIGHT_CLUB
        assert tmdb.requests_made == 2
    assert len(sleeps.asked) == 1


async def test_time_outs_for_good_fail_as_unavailable(stand: Stand, sleeps: Sleeps) -> None:
    stand.answer("/movie/550", stand.hang())
    async with client(stand, sleeps, timeout=0.1, retries=1) as tmdb:
        with pytest.raises(TmdbUnavailableError, match=r"no answer within 0\.1 s \(2 tries\)"):
            await tmdb.get("/movie/550")


async def test_a_dropped_connection_after_tmdb_answered_is_retried(stand: Stand, sleeps: Sleeps) -> None:
    stand.answer("/configuration", ok({"images": {}}))
    stand.answer("/movie/550", *[drop_connection] * 4, ok(FIGHT_CLUB))
    async with client(stand, sleeps) as tmdb:
        await tmdb.get("/configuration")
        assert await tmdb.get("/movie/550") == FIGHT_CLUB
    # aiohttp may itself send a GET again once when the server drops it; the client's retries did the rest.
    assert len(stand.asked("/movie/550")) == 5 and sleeps.asked


async def test_a_refused_connection_is_tried_twice_then_fails_fast(sleeps: Sleeps) -> None:
    port = closed_port()
    async with TmdbClient(f"http://127.0.0.1:{port}/3", TOKEN, sleep=sleeps) as tmdb:
        with pytest.raises(TmdbUnavailableError, match=rf"^cannot reach TMDB at 127\.0\.0\.1:{port}: "):
            await tmdb.get("/movie/550")
        assert tmdb.requests_made == 2
    assert len(sleeps.asked) == 1


# ---- answers that are not good -----------------------------------------------------------------------------


async def test_malformed_json_once_is_asked_again(stand: Stand, sleeps: Sleeps) -> None:
    stand.answer("/movie/550", raw(b'{"id": 550, "title": "Fight'), ok(FIGHT_CLUB))
    async with client(stand, sleeps) as tmdb:
        assert await tmdb.get("/movie/550") == FIGHT_CLUB
        assert tmdb.requests_made == 2


async def test_malformed_json_twice_is_a_bad_answer(stand: Stand, sleeps: Sleeps) -> None:
    stand.answer("/movie/550", raw(b"<html>502 from a proxy</html>"))
    async with client(stand, sleeps) as tmdb:
        with pytest.raises(TmdbBadAnswerError, match="not JSON, twice in a row"):
            await tmdb.get("/movie/550")
        assert tmdb.requests_made == 2


async def test_json_that_is_not_an_object_is_a_bad_answer_at_once(stand: Stand, sleeps: Sleeps) -> None:
    stand.answer("/movie/550", ok([FIGHT_CLUB]))
    async with client(stand, sleeps) as tmdb:
        with pytest.raises(TmdbBadAnswerError, match="is a JSON list, not an object"):
            await tmdb.get("/movie/550")
        assert tmdb.requests_made == 1


async def test_a_401_fails_after_exactly_one_request(stand: Stand, sleeps: Sleeps) -> None:
    refused = {
        "success": False,
        "status_code": 7,
        "status_message": "Invalid API key: You must be granted a valid key.",
    }
    stand.answer("/movie/550", ok(refused, status=401))
    async with client(stand, sleeps) as tmdb:
        with pytest.raises(TmdbAuthError) as failure:
            await tmdb.get("/movie/550")
    assert str(failure.value) == "TMDB refused the token (401): check tmdb.token / MARQUEE_TMDB_TOKEN"
    assert len(stand.seen) == 1 and sleeps.asked == []


async def test_a_404_names_what_tmdb_does_not_have(stand: Stand, sleeps: Sleeps) -> None:
    async with client(stand, sleeps) as tmdb:
        with pytest.raises(TmdbNotFoundError) as movie:
            await tmdb.get("/movie/999999", {"append_to_response": "credits"})
        with pytest.raises(TmdbNotFoundError) as collection:
            await tmdb.get("/collection/87359/images")
        with pytest.raises(TmdbNotFoundError) as other:
            await tmdb.get("/genre/movie/list")
        assert tmdb.requests_made == 3
    assert str(movie.value) == "TMDB has no movie 999999 (404)"
    assert str(collection.value) == "TMDB has no collection 87359 (404)"
    assert str(other.value) == "TMDB has nothing at /genre/movie/list (404)"


async def test_another_4xx_fails_at_once_with_tmdbs_message_shortened(stand: Stand, sleeps: Sleeps) -> None:
    message = "Invalid page: Pages start at 1 and max at 500. They are expected to be an integer. " * 5
    stand.answer("/search/movie", ok({"success": False, "status_code": 22, "status_message": message}, status=422))
    async with client(stand, sleeps) as tmdb:
        with pytest.raises(TmdbError) as failure:
            await tmdb.get("/search/movie", {"query": "x", "page": 501})
        assert tmdb.requests_made == 1
    text = str(failure.value)
    assert type(failure.value) is TmdbError
    assert text.startswith("TMDB refused the request for /search/movie (422): Invalid page: Pages start at 1")
    assert len(text) < 250 and "\n" not in text and text.endswith("…")


async def test_a_token_that_cannot_be_sent_fails_before_any_request() -> None:
    with pytest.raises(TmdbAuthError, match="no TMDB token"):
        TmdbClient("http://127.0.0.1:9/3", "  ")
    with pytest.raises(TmdbAuthError, match="spaces or control characters") as failure:
        TmdbClient("http://127.0.0.1:9/3", "secret-part\nother-part-of-it")
    assert "secret-part" not in str(failure.value)


# ---- limits and sessions ------------------------------------------------------------------------------------


async def test_max_in_flight_bounds_the_requests_tmdb_sees_at_once(stand: Stand, sleeps: Sleeps) -> None:
    stand.answer("/movie/550", slow)
    async with client(stand, sleeps, max_in_flight=2) as tmdb:
        answers = await asyncio.gather(*(tmdb.get("/movie/550", {"page": n}) for n in range(8)))
    assert answers == [FIGHT_CLUB] * 8 and stand.peak == 2
    stand.peak = 0
    async with client(stand, sleeps, max_in_flight=6) as tmdb:
        await asyncio.gather(*(tmdb.get("/movie/550", {"page": n}) for n in range(8)))
    assert stand.peak > 2  # the server can see more at once: the bound above was the client's


async def test_a_session_passed_in_is_left_open_and_an_own_one_is_closed(stand: Stand, sleeps: Sleeps) -> None:
    stand.answer("/movie/550", ok(FIGHT_CLUB))
    async with aiohttp.ClientSession() as session:
        async with client(stand, sleeps, session=session) as tmdb:
            await tmdb.get("/movie/550")
        assert not session.closed
    own = client(stand, sleeps)
    async with own:
        await own.get("/movie/550")
        made = own._session
    assert made is not None and made.closed


# ---- the token never leaks ------------------------------------------------------------------------------------


async def test_the_token_is_in_no_message_log_record_or_cache_byte(
    stand: Stand, sleeps: Sleeps, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = {"success": False, "status_code": 3, "status_message": f"Authentication failed: Bearer {TOKEN}"}
    stand.answer("/movie/550", validated(FIGHT_CLUB, etag='"fc-1"'))
    stand.answer("/movie/551", ok({}, status=503))
    stand.answer("/movie/552", ok({}, status=401))
    stand.answer("/movie/553", raw(b"nope"))
    stand.answer("/movie/554", ok(echo, status=403))
    stand.answer("/movie/555", ok({}, status=429, headers={"Retry-After": "999"}))
    stand.answer("/movie/556", stand.hang())
    failures: list[BaseException] = []
    folder = tmp_path / "cache"
    async with await HttpCache.open(folder / "tmdb-cache.db") as cache:
        async with client(stand, sleeps, cache=cache, retries=1, timeout=0.2) as tmdb:
            await tmdb.get("/movie/550")
            await tmdb.get("/movie/550")
            for number in range(551, 558):
                with pytest.raises(TmdbError) as failure:
                    await tmdb.get(f"/movie/{number}", {"language": "en-US"})
                failures.append(failure.value)
        async with TmdbClient(f"http://127.0.0.1:{closed_port()}/3", TOKEN, sleep=sleeps) as unreachable:
            with pytest.raises(TmdbUnavailableError) as failure:
                await unreachable.get("/movie/550")
            failures.append(failure.value)
    assert len(failures) == 8
    assert "Authentication failed: Bearer [redacted]" in str(failures[3])  # TMDB's echo was scrubbed, not dropped
    for error in failures:
        told = "".join(traceback.format_exception(error)) + repr(error)
        assert TOKEN not in told
    assert caplog.records and TOKEN not in caplog.text
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
    kept = b"".join(path.read_bytes() for path in folder.iterdir())
    assert b'"Fight Club"' in kept and TOKEN.encode() not in kept
