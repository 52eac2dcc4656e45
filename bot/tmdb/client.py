"""An HTTP client for TMDB's API v3: bounded, patient with a busy service, quick to give up on a lasting error.

Every answer is a JSON object. What goes wrong is one of four errors, each one clear line for the operator:
TmdbAuthError (401), TmdbNotFoundError (404), TmdbUnavailableError (no network, 5xx or time-outs after retries,
a 429 asking for too long a wait) and TmdbBadAnswerError (not JSON, or not an object); any other refusal is a
plain TmdbError. The token travels in the `Authorization` header only, and appears in no message or log line.

With an `HttpCache`, each request that has a kept answer is sent conditionally (`If-None-Match`,
`If-Modified-Since`) and a 304 is answered from the cache. A kept answer is never used without asking TMDB
first: `pack refresh` and the daily refresh exist to see changes, so freshness is TMDB's to say.

Typical use::

    async with await HttpCache.open(settings.tmdb.cache_path) as cache:
        async with TmdbClient(settings.tmdb.api_url, settings.tmdb.token, cache=cache) as tmdb:
            film = await tmdb.get("/movie/550", {"language": "en-US", "append_to_response": "credits"})
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import re
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from types import TracebackType
from typing import Any

import aiohttp
from multidict import CIMultiDict

from db.http_cache import CachedAnswer, HttpCache

log = logging.getLogger(__name__)

# TMDB publishes no fixed rate limit; its Retry-After is normally a few seconds. A longer one means the service
# is in trouble, and an import is better told so than left waiting.
MAX_RETRY_AFTER = 60.0
MAX_BACKOFF = 30.0
_MESSAGE_LENGTH = 150
_SHORT_SECRET = 8  # shorter values would scrub ordinary words from messages; real tokens are far longer

Sleep = Callable[[float], Awaitable[object]]


class TmdbError(Exception):
    """One clear line for the operator (str(error)); never contains the token."""


class TmdbAuthError(TmdbError):
    """TMDB refused the token (401), or the configured token cannot be sent at all."""


class TmdbNotFoundError(TmdbError):
    """TMDB has no such thing (404): the message names it, e.g. "TMDB has no movie 999999 (404)"."""


class TmdbUnavailableError(TmdbError):
    """TMDB could not be reached or kept failing (network, DNS, refused connection, 5xx, time-outs, long 429)."""


class TmdbBadAnswerError(TmdbError):
    """TMDB's answer was not JSON (twice in a row) or not a JSON object."""


class _Malformed(Exception):
    """A body that is not JSON at all."""


class TmdbClient:
    """GETs TMDB answers as dicts, at most `max_in_flight` at a time, with retries, back-off and a cache.

    `requests_made` counts HTTP requests sent (every attempt, retries included); `cache_hits` counts answers
    taken from the cache (after TMDB said 304 Not Modified, or without asking when told not to revalidate).
    """

    def __init__(
        self,
        api_url: str,
        token: str,
        *,
        cache: HttpCache | None = None,
        max_in_flight: int = 4,
        timeout: float = 10.0,
        retries: int = 4,
        backoff: float = 0.5,
        sleep: Sleep = asyncio.sleep,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        """Talk to `api_url` (e.g. https://api.themoviedb.org/3) with `token`; the cache stays the caller's to close.

        Raises TmdbAuthError at once for a token that is empty or could not be sent in a header.
        """
        token = token.strip()
        if not token:
            raise TmdbAuthError("no TMDB token: set tmdb.token or MARQUEE_TMDB_TOKEN")
        if any(character.isspace() or not character.isprintable() for character in token):
            raise TmdbAuthError(
                "the TMDB token holds spaces or control characters: check tmdb.token / MARQUEE_TMDB_TOKEN"
            )
        if max_in_flight < 1 or retries < 0 or timeout <= 0 or backoff < 0:
            raise ValueError("max_in_flight must be at least 1, retries and backoff at least 0, timeout above 0")
        self._base = api_url.rstrip("/")
        parts = urllib.parse.urlsplit(self._base)
        self._host = parts.hostname or self._base
        if parts.port is not None:
            self._host = f"{self._host}:{parts.port}"
        self._token = token
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self._cache = cache
        self._slots = asyncio.Semaphore(max_in_flight)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._timeout_seconds = timeout
        self._retries = retries
        self._backoff = backoff
        self._sleep = sleep
        self._session = session
        self._owns_session = session is None
        self._reached = False  # once TMDB has answered, a failed connection is a passing glitch, not a wrong host
        self._jitter = random.Random()
        self.requests_made = 0
        self.cache_hits = 0

    async def __aenter__(self) -> TmdbClient:
        """The client, with its own HTTP session unless one was passed in."""
        self._session_to_use()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        """Close the client's own session (never one passed in)."""
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session if the client made it; the client may make a new one if used again."""
        if self._owns_session and self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def get(
        self, path: str, params: Mapping[str, str | int] | None = None, *, revalidate: bool = True
    ) -> dict[str, Any]:
        """GET `path` (relative to api_url, e.g. "/movie/550") with `params`; TMDB's answer as a dict.

        With `revalidate=False` a kept answer is used without asking TMDB (the daily refresh, for films
        `/movie/changes` says did not change); otherwise a kept answer is only used after TMDB says 304.
        Raises a TmdbError subclass (see the module's docstring) when no good answer can be had.
        """
        url = f"{self._base}/{path.lstrip('/')}"
        query = sorted((name, _param(value)) for name, value in (params or {}).items())
        key = f"{url}?{urllib.parse.urlencode(query)}" if query else url
        kept = await self._cache.get(key) if self._cache is not None else None
        if kept is not None and not revalidate:
            try:
                answer = _json_object(kept.body, path)
            except (_Malformed, TmdbBadAnswerError):
                kept = None
            else:
                self.cache_hits += 1
                return answer
        failures = throttled = malformed = 0
        while True:
            problem: str
            cause: BaseException | None = None
            try:
                status, reason, headers, body = await self._send(url, query, kept)
            except TimeoutError as error:
                problem = f"no answer within {self._timeout_seconds:g} s"
                cause = error
            except aiohttp.ClientConnectorError as error:
                problem = f"cannot connect ({self._scrub(_os_reason(error))})"
                cause = error
                if not self._reached and failures >= 1:
                    why = self._scrub(_os_reason(error))
                    raise TmdbUnavailableError(f"cannot reach TMDB at {self._host}: {why}") from error
            except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as error:
                problem = f"the connection broke ({type(error).__name__})"
                cause = error
            except aiohttp.ClientError as error:
                raise TmdbError(f"the request to TMDB for {path} failed: {self._short(str(error))}") from error
            else:
                self._reached = True
                if status == HTTPStatus.NOT_MODIFIED and kept is not None:
                    try:
                        answer = _json_object(kept.body, path)
                    except (_Malformed, TmdbBadAnswerError):
                        log.info("the cached answer for %s is spoilt; asking TMDB for it in full", path)
                        kept = None
                        continue
                    self.cache_hits += 1
                    await self._keep(key, headers, kept.body, kept)
                    return answer
                if status == HTTPStatus.NOT_MODIFIED:
                    raise TmdbBadAnswerError(f"TMDB answered 304 Not Modified for {path}, which Marquee had not kept")
                if 200 <= status < 300:
                    try:
                        answer = _json_object(body, path)
                    except _Malformed as error:
                        malformed += 1
                        if malformed > 1:
                            raise TmdbBadAnswerError(
                                f"TMDB's answer for {path} is not JSON, twice in a row ({self._short(str(error))})"
                            ) from None
                        log.info("TMDB's answer for %s is not JSON; asking again", path)
                        continue
                    await self._keep(key, headers, body, None)
                    return answer
                if status == HTTPStatus.TOO_MANY_REQUESTS:
                    throttled += 1
                    wait = self._retry_after(headers, throttled)
                    log.info("TMDB asks Marquee to slow down (429): waiting %.1f s before asking again", wait)
                    await self._sleep(wait)
                    continue
                if status == HTTPStatus.UNAUTHORIZED:
                    raise TmdbAuthError("TMDB refused the token (401): check tmdb.token / MARQUEE_TMDB_TOKEN")
                if status == HTTPStatus.NOT_FOUND:
                    raise TmdbNotFoundError(f"TMDB has {_what(path)} (404)")
                if status < 500:
                    raise TmdbError(f"TMDB refused the request for {path} ({status}): {self._why(body, reason)}")
                problem = f"it answered {status} {self._short(reason)}".rstrip()
            failures += 1
            if failures > self._retries:
                tries = "1 try" if failures == 1 else f"{failures} tries"
                raise TmdbUnavailableError(f"TMDB at {self._host} is unavailable: {problem} ({tries})") from cause
            delay = self._delay(failures - 1)
            log.warning(
                "TMDB at %s: %s for %s; trying again in %.1f s (%d of %d)",
                self._host,
                problem,
                path,
                delay,
                failures,
                self._retries,
            )
            await self._sleep(delay)

    async def _send(
        self, url: str, query: list[tuple[str, str]], kept: CachedAnswer | None
    ) -> tuple[int, str, Mapping[str, str], bytes]:
        headers = dict(self._headers)
        if kept is not None:
            if kept.etag:
                headers["If-None-Match"] = kept.etag
            if kept.last_modified:
                headers["If-Modified-Since"] = kept.last_modified
        session = self._session_to_use()
        async with self._slots:
            self.requests_made += 1
            async with session.get(
                url, params=query, headers=headers, timeout=self._timeout, raise_for_status=False
            ) as response:
                body = await response.read()
                return response.status, response.reason or "", CIMultiDict(response.headers), body

    def _session_to_use(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
            self._owns_session = True
        return self._session

    async def _keep(self, key: str, headers: Mapping[str, str], body: bytes, kept: CachedAnswer | None) -> None:
        """Store an answer that can be revalidated; one without ETag or Last-Modified could never be used."""
        if self._cache is None or "no-store" in headers.get("Cache-Control", "").lower():
            return
        etag = headers.get("ETag") or (kept.etag if kept else None)
        last_modified = headers.get("Last-Modified") or (kept.last_modified if kept else None)
        if etag or last_modified:
            await self._cache.put(key, etag, last_modified, body, datetime.now(UTC))

    def _retry_after(self, headers: Mapping[str, str], throttled: int) -> float:
        """Seconds to wait after the `throttled`th 429 in a row; raises when TMDB asks too much."""
        if throttled > self._retries:
            raise TmdbUnavailableError(
                f"TMDB at {self._host} kept answering 429 (too many requests), {throttled} times in a row"
            )
        wait = _seconds_to_wait(headers)
        if wait is None:
            return self._delay(throttled - 1)
        if wait > MAX_RETRY_AFTER:
            raise TmdbUnavailableError(
                f"TMDB at {self._host} asks to wait {wait:.0f} s before asking again (429), "
                f"more than the {MAX_RETRY_AFTER:.0f} s Marquee waits: try again later"
            )
        return wait

    def _delay(self, attempt: int) -> float:
        """Exponential back-off with jitter, so that clients that failed together do not retry together."""
        ceiling = min(self._backoff * 2**attempt, MAX_BACKOFF)
        return ceiling * (0.5 + 0.5 * self._jitter.random())

    def _why(self, body: bytes, reason: str) -> str:
        """TMDB's own status_message, shortened; else the HTTP reason."""
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        message = answer.get("status_message") if isinstance(answer, dict) else None
        return self._short(message if isinstance(message, str) and message.strip() else reason or "no reason given")

    def _short(self, text: str) -> str:
        """`text` on one line, at most _MESSAGE_LENGTH characters, with the token scrubbed out."""
        line = self._scrub(" ".join(text.split()))
        return line if len(line) <= _MESSAGE_LENGTH else line[: _MESSAGE_LENGTH - 1] + "…"

    def _scrub(self, text: str) -> str:
        if len(self._token) < _SHORT_SECRET:
            return text
        return text.replace(self._token, "[redacted]")


def _param(value: str | int) -> str:
    if isinstance(value, bool):  # TMDB spells its flags in lower case
        return "true" if value else "false"
    return str(value)


def _json_object(body: bytes, path: str) -> dict[str, Any]:
    try:
        answer = json.loads(body)
    except ValueError as error:  # JSONDecodeError, or bytes that are not UTF-8
        raise _Malformed(str(error)) from None
    if not isinstance(answer, dict):
        raise TmdbBadAnswerError(f"TMDB's answer for {path} is a JSON {type(answer).__name__}, not an object")
    return answer


def _what(path: str) -> str:
    """What a 404 on `path` says is missing: "no movie 999999" for /movie/999999 and /movie/999999/credits."""
    parts = [part for part in path.split("?")[0].split("/") if part]
    if len(parts) >= 2 and parts[1].isdigit():
        return f"no {parts[0]} {parts[1]}"
    return f"nothing at /{'/'.join(parts)}"


def _os_reason(error: aiohttp.ClientConnectorError) -> str:
    reason = error.os_error.strerror or str(error.os_error) or str(error)
    return re.sub(r"\s+", " ", reason).strip()


def _seconds_to_wait(headers: Mapping[str, str]) -> float | None:
    """Retry-After as seconds (an integer, or an HTTP date read against the answer's Date); None if absent."""
    value = headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        until = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = datetime.now(UTC)
    # Retry-After as a date is meant against the server's clock; with no usable Date the local clock will do.
    if date := headers.get("Date"):
        with contextlib.suppress(TypeError, ValueError):
            now = parsedate_to_datetime(date)
    if until.tzinfo is None or now.tzinfo is None:
        return None
    return max(0.0, (until - now).total_seconds())
