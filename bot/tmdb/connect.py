"""A TMDB client with the persistent answer cache, as the settings say."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.settings import TmdbSettings
from bot.tmdb.client import TmdbClient
from db.http_cache import HttpCache

DEFAULT_TIMEOUT = 10.0


@asynccontextmanager
async def tmdb_client(settings: TmdbSettings, *, request_timeout: float = DEFAULT_TIMEOUT) -> AsyncIterator[TmdbClient]:
    """A client for `settings.api_url`, its answers kept in `settings.cache_path`;
    `request_timeout` is the longest wait for one answer (a time-out is retried)."""
    cache = await HttpCache.open(settings.cache_path)
    try:
        async with TmdbClient(settings.api_url, settings.token, cache=cache, timeout=request_timeout) as client:
            yield client
    finally:
        await cache.close()
