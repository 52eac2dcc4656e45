"""A TMDB client with the persistent answer cache, as the settings say."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.settings import TmdbSettings
from bot.tmdb.client import TmdbClient
from db.http_cache import HttpCache


@asynccontextmanager
async def tmdb_client(settings: TmdbSettings) -> AsyncIterator[TmdbClient]:
    """A client for `settings.api_url`, its answers kept in `settings.cache_path`."""
    cache = await HttpCache.open(settings.cache_path)
    try:
        async with TmdbClient(settings.api_url, settings.token, cache=cache) as client:
            yield client
    finally:
        await cache.close()
