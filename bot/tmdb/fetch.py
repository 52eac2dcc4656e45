"""What an import asks TMDB, in as few requests as TMDB allows: one per collection and one per film
(its credits, release dates, alternative titles, translations and external ids appended)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol

from bot.tmdb.client import TmdbNotFoundError
from bot.tmdb.document import Answers, ImportRequest

APPENDED = "credits,release_dates,alternative_titles,translations,external_ids"
CHANGES_WINDOW = dt.timedelta(days=14)
"""The longest window `/movie/changes` answers for (TMDB's documented limit)."""


class Getter(Protocol):
    async def get(
        self, path: str, params: dict[str, str | int] | None = None, *, revalidate: bool = True
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Match:
    """One film a title search found."""

    movie_id: int
    title: str
    year: int | None
    original_title: str

    def describe(self) -> str:
        year = f" ({self.year})" if self.year else ""
        original = f", originally {self.original_title}" if self.original_title not in ("", self.title) else ""
        return f"{self.title}{year}{original} [TMDB {self.movie_id}]"


async def fetch_answers(
    client: Getter, request: ImportRequest, *, changed: Collection[int] | None = None
) -> tuple[Answers, list[str]]:
    """Everything the pack needs, and one line for each film of a collection TMDB no longer has.

    With `changed` (the films TMDB says changed lately), other films are taken from the cache when it
    has them, without asking TMDB. A film named with --movie that TMDB lacks is the caller's mistake and
    raises `TmdbNotFoundError`.
    """
    configuration = await client.get("/configuration")
    collections = list(
        await asyncio.gather(
            *(client.get(f"/collection/{cid}", {"language": request.language}) for cid in request.collections)
        )
    )
    from_collections = [
        part["id"]
        for collection in collections
        for part in collection.get("parts") or []
        if isinstance(part, dict) and isinstance(part.get("id"), int)
    ]
    wanted = list(dict.fromkeys([*from_collections, *request.movies]))
    notes: list[str] = []

    async def film(movie_id: int) -> dict[str, Any] | None:
        try:
            return await client.get(
                f"/movie/{movie_id}",
                {"language": request.language, "append_to_response": APPENDED},
                revalidate=changed is None or movie_id in changed,
            )
        except TmdbNotFoundError:
            if movie_id in request.movies:
                raise
            notes.append(f"film {movie_id} of a collection: TMDB has no such film any more; left out")
            return None

    films = [answer for answer in await asyncio.gather(*(film(movie_id) for movie_id in wanted)) if answer]
    return Answers(configuration, collections, films), notes


async def search(client: Getter, title: str, year: int | None, language: str) -> list[Match]:
    """The first page of TMDB's matches for a title (20 at most), as TMDB ranks them."""
    params: dict[str, str | int] = {"query": title, "language": language}
    if year is not None:
        params["year"] = year
    answer = await client.get("/search/movie", params)
    matches = []
    for result in answer.get("results") or []:
        if not isinstance(result, dict) or not isinstance(result.get("id"), int):
            continue
        date = str(result.get("release_date") or "")
        matches.append(
            Match(
                movie_id=result["id"],
                title=str(result.get("title") or result.get("original_title") or "?"),
                year=int(date[:4]) if date[:4].isdigit() else None,
                original_title=str(result.get("original_title") or ""),
            )
        )
    return matches


async def changed_films(client: Getter, since: dt.datetime, now: dt.datetime) -> set[int] | None:
    """Ids of every film TMDB changed since `since`, or None when that is longer ago than TMDB can say
    (then everything must be fetched again)."""
    if now - since > CHANGES_WINDOW:
        return None
    changed: set[int] = set()
    page, pages = 1, 1
    while page <= pages:
        answer = await client.get(
            "/movie/changes",
            {"start_date": since.date().isoformat(), "end_date": now.date().isoformat(), "page": page},
        )
        changed.update(
            entry["id"]
            for entry in answer.get("results") or []
            if isinstance(entry, dict) and isinstance(entry.get("id"), int)
        )
        total = answer.get("total_pages")
        pages = min(total, 500) if isinstance(total, int) else 1
        page += 1
    return changed
