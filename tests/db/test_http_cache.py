"""The persistent HTTP cache: a real SQLite file under tmp_path; a broken file never breaks its caller."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from db.http_cache import CachedAnswer, HttpCache

URL = "https://api.themoviedb.org/3/movie/550?append_to_response=credits&language=en-US"
WHEN = datetime(2026, 12, 7, 18, 30, tzinfo=UTC)


async def test_open_makes_the_folder_and_the_file_and_a_missing_url_is_none(tmp_path: Path) -> None:
    path = tmp_path / "data" / "cache" / "tmdb-cache.db"
    async with await HttpCache.open(path) as cache:
        assert cache.available
        assert await cache.get(URL) is None
    assert path.is_file()
    with closing(sqlite3.connect(path)) as check:
        tables = [row[0] for row in check.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert tables == ["http_cache"]


async def test_an_answer_is_kept_replaced_and_found_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "tmdb-cache.db"
    async with await HttpCache.open(path) as cache:
        await cache.put(URL, '"v1"', None, b'{"id": 550}', WHEN)
        assert await cache.get(URL) == CachedAnswer('"v1"', None, b'{"id": 550}', WHEN)
        await cache.put(URL, None, "Mon, 07 Dec 2026 18:00:00 GMT", b'{"id": 551}', WHEN + timedelta(hours=1))
        assert await cache.get(URL + "&page=2") is None
    async with await HttpCache.open(path) as reopened:
        assert await reopened.get(URL) == CachedAnswer(
            None, "Mon, 07 Dec 2026 18:00:00 GMT", b'{"id": 551}', WHEN + timedelta(hours=1)
        )


async def test_fetched_at_is_kept_in_utc_and_must_carry_a_time_zone(tmp_path: Path) -> None:
    paris = timezone(timedelta(hours=1))
    async with await HttpCache.open(tmp_path / "c.db") as cache:
        await cache.put(URL, '"e"', None, b"{}", datetime(2026, 12, 7, 19, 30, tzinfo=paris))
        kept = await cache.get(URL)
        assert kept is not None and kept.fetched_at == WHEN and kept.fetched_at.utcoffset() == timedelta(0)
        with pytest.raises(ValueError, match="time zone"):
            await cache.put(URL, '"e"', None, b"{}", datetime(2026, 12, 7, 18, 30))


async def test_a_corrupt_file_gives_one_warning_and_an_empty_cache(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "tmdb-cache.db"
    garbage = b"this is not a database, just some bytes " * 200
    path.write_bytes(garbage)
    caplog.set_level(logging.WARNING, logger="db.http_cache")
    async with await HttpCache.open(path) as cache:
        assert not cache.available
        await cache.put(URL, '"v1"', None, b"{}", WHEN)
        assert await cache.get(URL) is None
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1 and str(path) in warnings[0].getMessage()
    assert "going on without it" in warnings[0].getMessage()
    assert path.read_bytes() == garbage  # only a cache, but not ours to delete


async def test_a_folder_in_the_way_gives_an_empty_cache(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "tmdb-cache.db"
    path.mkdir()
    async with await HttpCache.open(path) as cache:
        assert not cache.available
        assert await cache.get(URL) is None
    assert "cannot be used" in caplog.text


async def test_a_file_that_breaks_while_open_is_given_up_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "tmdb-cache.db"
    caplog.set_level(logging.WARNING, logger="db.http_cache")
    async with await HttpCache.open(path) as cache:
        await cache.put(URL, '"v1"', None, b"{}", WHEN)
        with closing(sqlite3.connect(path)) as other:
            other.execute("DROP TABLE http_cache")
        assert await cache.get(URL) is None
        assert not cache.available
        await cache.put(URL, '"v1"', None, b"{}", WHEN)
        assert await cache.get(URL) is None
    assert len([record for record in caplog.records if record.levelno == logging.WARNING]) == 1


async def test_a_closed_cache_misses_quietly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache = await HttpCache.open(tmp_path / "c.db")
    await cache.put(URL, '"v1"', None, b"{}", WHEN)
    await cache.close()
    await cache.close()
    assert await cache.get(URL) is None
    await cache.put(URL, '"v2"', None, b"{}", WHEN)
    assert "cannot be used" not in caplog.text
