"""The simulator: an aiohttp server on 127.0.0.1 that answers TMDB v3 requests from a :class:`TmdbWorld`.

Every request goes through one pipeline, in this order:
1. recorded in ``sim.requests`` (its status is filled in when it is answered; 0 = never answered);
2. checked against the spec (path, parameters; see :mod:`tests.tmdb_sim.spec`) and against what the
   simulator serves: a problem is recorded in ``sim.problems`` and answered 400 (TMDB status 5), so a client
   bug is visible;
3. injected faults (``fail``, ``hang``, ``malformed``), the first rule whose path prefix matches (at a ``/``
   boundary: "/3/movie/550" matches "/3/movie/550/credits", not "/3/movie/5501");
4. auth: ``Authorization: Bearer <sim.token>``, else 401 (TMDB status 7);
5. the answer: unknown id 404 (TMDB status 34); TMDB's own refusals (page outside 1..500: status 22; a
   changes window over 14 days or reversed: status 20; more than 20 appended parts: status 27) are also
   recorded as problems; a 200 is validated against its operation's schema (each appended part against its
   own endpoint's), carries a strong ``ETag`` (SHA-1 of the body) and becomes a bodiless 304 when
   ``If-None-Match`` names it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import TracebackType
from typing import Any

from aiohttp import web

from .answers import APPENDABLE, Answers
from .spec import TmdbSpec, load_spec
from .world import SimMovie, TmdbWorld

SEARCH_PAGE_SIZE = 20
CHANGES_PAGE_SIZE = 100
MAX_PAGE = 500
MAX_APPENDED = 20
CHANGES_MAX_DAYS = 14

# TMDB's error bodies: HTTP status -> (status_code, status_message)
TMDB_ERRORS: dict[int, tuple[int, str]] = {
    400: (5, "Invalid parameters: Your request parameters are incorrect."),
    401: (7, "Invalid API key: You must be granted a valid key."),
    404: (34, "The resource you requested could not be found."),
    429: (25, "Your request count (#) is over the allowed limit of (40)."),
    500: (11, "Internal error: Something went wrong, contact TMDB."),
    503: (9, "Service offline: This service is temporarily offline, try again later."),
    504: (24, "Your request to the backend server timed out. Try again."),
}


@dataclass
class SimRequest:
    """One request the simulator received; ``status`` is 0 until (unless) it is answered."""

    method: str
    path: str
    query: dict[str, str]
    if_none_match: str | None
    status: int = 0


@dataclass
class _Fault:
    kind: str
    prefix: str
    times: int
    status: int = 0
    retry_after: int | None = None
    seconds: float = 0.0

    def matches(self, path: str) -> bool:
        prefix = self.prefix.rstrip("/")
        return path == prefix or path.startswith(prefix + "/")


class _Refusal(Exception):
    """An answer other than 200; ``problem`` when the request was the client's mistake."""

    def __init__(self, status: int, code: int | None = None, message: str | None = None, problem: str = "") -> None:
        super().__init__(message or problem)
        default_code, default_message = TMDB_ERRORS.get(status, TMDB_ERRORS[500])
        self.status = status
        self.code = default_code if code is None else code
        self.message = default_message if message is None else message
        self.problem = problem


@dataclass
class _Answer:
    body: dict[str, Any]
    checks: list[tuple[str, Any]] = field(default_factory=list)


def _error(status: int, code: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    body = json.dumps({"success": False, "status_code": code, "status_message": message})
    return web.Response(status=status, text=body, content_type="application/json", headers=headers)


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)


def _released_in(movie: SimMovie, year: str) -> bool:
    """TMDB's ``year`` filter: the primary date or any release date falls in that year."""
    days = [movie.release_date, *(day for rows in movie.release_table().values() for _, day, _, _ in rows)]
    return any(day.startswith(year + "-") for day in days)


class TmdbSim:
    """A local TMDB v3 serving ``world``; use ``async with`` (or ``with`` to run it in its own thread)."""

    def __init__(self, world: TmdbWorld | None = None, *, token: str | None = None, spec: bool = True) -> None:
        self.world = world if world is not None else TmdbWorld()
        self.token = token or secrets.token_urlsafe(24)
        self.spec: TmdbSpec | None = load_spec() if spec else None
        self.answers = Answers(self.spec)
        self.requests: list[SimRequest] = []
        self.problems: list[str] = []
        self._revoked: set[str] = set()
        self._faults: list[_Fault] = []
        self._runner: web.AppRunner | None = None
        self._closing: asyncio.Event | None = None
        self._port = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._routes: list[tuple[re.Pattern[str], Callable[[dict[str, str], dict[str, str]], _Answer]]] = [
            (re.compile(r"/3/configuration"), self._configuration),
            (re.compile(r"/3/movie/changes"), self._changes),
            (re.compile(r"/3/movie/(?P<movie_id>\d+)"), self._details),
            (re.compile(r"/3/movie/(?P<movie_id>\d+)/(?P<part>" + "|".join(APPENDABLE) + ")"), self._movie_part),
            (re.compile(r"/3/collection/(?P<collection_id>\d+)"), self._collection),
            (re.compile(r"/3/search/movie"), self._search),
        ]

    # ---- lifecycle ---------------------------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        """The base URL to give the client, e.g. ``http://127.0.0.1:PORT/3``."""
        if not self._port:
            raise RuntimeError("the simulator is not started")
        return f"http://127.0.0.1:{self._port}/3"

    async def start(self) -> None:
        """Listen on 127.0.0.1, on a free port."""
        self._closing = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=2.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        """Stop listening; a hanging request is let go at once."""
        if self._closing is not None:
            self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> TmdbSim:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def __enter__(self) -> TmdbSim:
        """Run the simulator on its own event loop in a thread (for a client that blocks the test's loop)."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:  # re-raised in the thread that started the simulator
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.close())
            loop.close()

        self._thread = threading.Thread(target=run, name="tmdb-sim", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._loop is not None and self._thread is not None:
            closing = self._closing
            if closing is not None:
                self._loop.call_soon_threadsafe(closing.set)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._thread = None
            self._loop = None

    # ---- what a test can do ------------------------------------------------------------------------------------

    def revoke(self) -> None:
        """The token stops working: every request gets 401 from now on."""
        self._revoked.add(self.token)

    def fail(self, prefix: str, *, status: int, times: int = 1, retry_after: int | None = None) -> None:
        """The next ``times`` requests under ``prefix`` get ``status`` (with ``Retry-After`` when given)."""
        self._faults.append(_Fault("fail", prefix, times, status=status, retry_after=retry_after))

    def hang(self, prefix: str, *, times: int = 1, seconds: float = 30.0) -> None:
        """The next ``times`` requests under ``prefix`` are answered only after ``seconds``."""
        self._faults.append(_Fault("hang", prefix, times, seconds=seconds))

    def malformed(self, prefix: str, *, times: int = 1) -> None:
        """The next ``times`` requests under ``prefix`` get a 200 whose body is not JSON."""
        self._faults.append(_Fault("malformed", prefix, times))

    def take_problems(self) -> list[str]:
        """The problems recorded so far, forgotten (for a test that provokes one on purpose)."""
        taken, self.problems[:] = list(self.problems), []
        return taken

    def requests_to(self, path: str) -> list[SimRequest]:
        """The requests made to exactly this path."""
        return [r for r in self.requests if r.path == path]

    # ---- the pipeline ------------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        record = SimRequest(
            request.method, request.path, dict(request.query), request.headers.get("If-None-Match"), status=0
        )
        self.requests.append(record)
        response = await self._answer(request, record)
        record.status = response.status
        return response

    def _route(self, path: str) -> tuple[Callable[[dict[str, str], dict[str, str]], _Answer], dict[str, str]] | None:
        for pattern, handler in self._routes:
            m = pattern.fullmatch(path)
            if m:
                return handler, m.groupdict()
        return None

    def _take_fault(self, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.times > 0 and fault.matches(path):
                fault.times -= 1
                return fault
        return None

    async def _answer(self, request: web.Request, record: SimRequest) -> web.StreamResponse:
        method, path = request.method, request.path
        items = list(request.query.items())
        problems = self.spec.check_request(method, path, items) if self.spec is not None else []
        route = self._route(path) if method == "GET" else None
        if route is None and not problems:
            problems.append(f"{method} {path}: not served by the simulator")
        if self.spec is None and route is not None and len({k for k, _ in items}) != len(items):
            problems.append(f"{method} {path}: a query parameter is given more than once")
        if problems:
            self.problems.extend(problems)
            return _error(400, *TMDB_ERRORS[400])
        assert route is not None
        fault = self._take_fault(path)
        if fault is not None:
            refused = await self._fault(fault)
            if refused is not None:
                return refused
        if not self._authorised(request.headers.get("Authorization")):
            return _error(401, *TMDB_ERRORS[401])
        handler, values = route
        try:
            answer = handler(values, record.query)
        except _Refusal as refusal:
            if refusal.problem:
                self.problems.append(f"{method} {path}: {refusal.problem}")
            return _error(refusal.status, refusal.code, refusal.message)
        if self.spec is not None:
            for template, part in answer.checks:
                self.problems.extend(self.spec.check_response(template, part, f"{method} {path}"))
        body = json.dumps(answer.body, ensure_ascii=False, separators=(",", ":")).encode()
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        if _etag_matches(record.if_none_match, etag):
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(
            status=200, body=body, content_type="application/json", charset="utf-8", headers={"ETag": etag}
        )

    async def _fault(self, fault: _Fault) -> web.StreamResponse | None:
        if fault.kind == "fail":
            code, message = TMDB_ERRORS.get(fault.status, (fault.status, f"Simulated failure {fault.status}."))
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None
            return _error(fault.status, code, message, headers)
        if fault.kind == "malformed":
            return web.Response(status=200, body=b'{"id": 550, "title": "Fight Cl', content_type="application/json")
        closing = self._closing
        assert closing is not None
        try:
            await asyncio.wait_for(closing.wait(), fault.seconds)
        except TimeoutError:
            return None
        return _error(503, *TMDB_ERRORS[503])

    def _authorised(self, header: str | None) -> bool:
        if not header or not header.startswith("Bearer "):
            return False
        token = header.removeprefix("Bearer ").strip()
        return secrets.compare_digest(token.encode(), self.token.encode()) and token not in self._revoked

    # ---- the operations ----------------------------------------------------------------------------------------

    def _movie(self, raw: str) -> SimMovie:
        movie = self.world.movies.get(int(raw))
        if movie is None:
            raise _Refusal(404)
        return movie

    @staticmethod
    def _page(query: dict[str, str]) -> int:
        raw = query.get("page", "1")
        if not re.fullmatch(r"-?\d+", raw) or not 1 <= int(raw) <= MAX_PAGE:
            raise _Refusal(
                400,
                22,
                "Invalid page: Pages start at 1 and max at 500. They are expected to be an integer.",
                problem=f"page={raw!r} is outside 1..{MAX_PAGE}",
            )
        return int(raw)

    def _configuration(self, values: dict[str, str], query: dict[str, str]) -> _Answer:
        body = self.answers.configuration()
        return _Answer(body, [("/3/configuration", body)])

    def _details(self, values: dict[str, str], query: dict[str, str]) -> _Answer:
        movie = self._movie(values["movie_id"])
        language = query.get("language")
        names = [n.strip() for n in query.get("append_to_response", "").split(",") if n.strip()]
        if len(names) > MAX_APPENDED:
            raise _Refusal(
                400,
                27,
                "Too many append to response objects: The maximum number of remote calls is 20.",
                problem=f"{len(names)} parts appended (TMDB allows {MAX_APPENDED})",
            )
        unknown = [n for n in names if n not in APPENDABLE]
        if unknown:
            raise _Refusal(400, problem=f"append_to_response {unknown} is not simulated (only {list(APPENDABLE)})")
        body = self.answers.details(movie, language)
        checks: list[tuple[str, Any]] = [("/3/movie/{movie_id}", dict(body))]
        for name in dict.fromkeys(names):
            part = self.answers.part(name, movie, language, appended=True)
            body[name] = part
            checks.append((f"/3/movie/{{movie_id}}/{name}", part))
        return _Answer(body, checks)

    def _movie_part(self, values: dict[str, str], query: dict[str, str]) -> _Answer:
        movie = self._movie(values["movie_id"])
        name = values["part"]
        if name == "alternative_titles":
            body = self.answers.alternative_titles(movie, query.get("country"))
        else:
            body = self.answers.part(name, movie, query.get("language"))
        return _Answer(body, [(f"/3/movie/{{movie_id}}/{name}", body)])

    def _collection(self, values: dict[str, str], query: dict[str, str]) -> _Answer:
        collection = self.world.collections.get(int(values["collection_id"]))
        if collection is None:
            raise _Refusal(404)
        parts = [self.world.movies[i] for i in collection.part_ids if i in self.world.movies]
        body = self.answers.collection(collection, parts, query.get("language"))
        return _Answer(body, [("/3/collection/{collection_id}", body)])

    def _search(self, values: dict[str, str], query: dict[str, str]) -> _Answer:
        if "query" not in query:
            raise _Refusal(400, problem="the required query parameter 'query' is missing")
        page = self._page(query)
        needle = query["query"].strip().casefold()
        year = query.get("year")
        primary_year = query.get("primary_release_year")
        adult = query.get("include_adult") == "true"
        found: list[SimMovie] = []
        for movie in self.world.movies.values():
            titles = (movie.title.casefold(), (movie.original_title or "").casefold())
            if not needle or not any(needle in t for t in titles) or (movie.adult and not adult):
                continue
            if primary_year and not movie.release_date.startswith(primary_year + "-"):
                continue
            if year and not _released_in(movie, year):
                continue
            found.append(movie)
        found.sort(key=lambda m: -m.popularity)
        start = (page - 1) * SEARCH_PAGE_SIZE
        shown = found[start : start + SEARCH_PAGE_SIZE]
        body = self.answers.search(shown, page, len(found), SEARCH_PAGE_SIZE, query.get("language"))
        return _Answer(body, [("/3/search/movie", body)])

    def _changes(self, values: dict[str, str], query: dict[str, str]) -> _Answer:
        page = self._page(query)
        try:
            end = date.fromisoformat(query["end_date"]) if "end_date" in query else self.world.now.date()
            start = date.fromisoformat(query["start_date"]) if "start_date" in query else end - timedelta(days=1)
        except ValueError as exc:
            raise _Refusal(
                400, 23, "Invalid date: Format needs to be YYYY-MM-DD.", problem=f"bad date ({exc})"
            ) from None
        if end < start or (end - start).days > CHANGES_MAX_DAYS:
            raise _Refusal(
                400,
                20,
                "Invalid date range: Should be a range no longer than 14 days.",
                problem=f"changes window {start}..{end} is reversed or longer than {CHANGES_MAX_DAYS} days",
            )
        ids = self.world.changed_between(
            datetime.combine(start, time(), UTC), datetime.combine(end + timedelta(days=1), time(), UTC)
        )
        first = (page - 1) * CHANGES_PAGE_SIZE
        rows: list[SimMovie | int] = [self.world.movies.get(i, i) for i in ids[first : first + CHANGES_PAGE_SIZE]]
        body = self.answers.changes(rows, page, len(ids), CHANGES_PAGE_SIZE)
        return _Answer(body, [("/3/movie/changes", body)])
