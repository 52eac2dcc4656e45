"""Members' and servers' chosen regions, remembered briefly so a film card needs no database read."""

from __future__ import annotations

import time
from collections.abc import Callable

Regions = tuple[str | None, str | None]
"""The member's chosen region and the server's (None where nothing is chosen)."""


class RecentRegions:
    """Region preferences read in the last `ttl` seconds, at most `size` (member, server) pairs.

    A change made through this process is forgotten at once (`forget_member`); one made through
    another process on the same database shows after at most `ttl` seconds.
    """

    def __init__(self, ttl: float = 60.0, size: int = 4096, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._size = size
        self._clock = clock
        self._entries: dict[tuple[int, int | None], tuple[float, Regions]] = {}

    def get(self, user_id: int, guild_id: int | None) -> Regions | None:
        found = self._entries.get((user_id, guild_id))
        if found is None:
            return None
        expires, regions = found
        if self._clock() >= expires:
            del self._entries[(user_id, guild_id)]
            return None
        return regions

    def put(self, user_id: int, guild_id: int | None, regions: Regions) -> None:
        if len(self._entries) >= self._size:
            self._entries.pop(next(iter(self._entries)))  # the oldest
        self._entries.pop((user_id, guild_id), None)
        self._entries[(user_id, guild_id)] = (self._clock() + self._ttl, regions)

    def forget_member(self, user_id: int) -> None:
        for key in [key for key in self._entries if key[0] == user_id]:
            del self._entries[key]

    def forget_server(self, guild_id: int) -> None:
        for key in [key for key in self._entries if key[1] == guild_id]:
            del self._entries[key]
