"""Per-route buckets, the global limit and the invalid-request counter.

Buckets and the global limit run on real (monotonic) time, because discord.py sleeps real time
when it honours them. The invalid-request counter (401, 403, 429 per 10 minutes, what Discord bans
on) runs on the shared clock so tests can move past the window.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

GLOBAL_PER_SECOND = 50
INVALID_WINDOW = timedelta(minutes=10)
INVALID_BAN_THRESHOLD = 10_000

# (limit, per seconds) by "METHOD /template"; Discord's real values for the routes Marquee uses,
# relaxed where a test would otherwise wait on a bucket it can never fill in practice.
DEFAULT_ROUTE_LIMITS: dict[str, tuple[int, float]] = {
    "POST /channels/{channel_id}/messages": (5, 5.0),
    "PATCH /channels/{channel_id}/messages/{message_id}": (5, 5.0),
    "DELETE /channels/{channel_id}/messages/{message_id}": (5, 1.0),
    "POST /users/@me/channels": (10, 10.0),
    "POST /webhooks/{webhook_id}/{webhook_token}": (5, 2.0),
    "PUT /applications/{application_id}/commands": (10, 20.0),
    "PUT /applications/{application_id}/guilds/{guild_id}/commands": (10, 20.0),
    "POST /guilds/{guild_id}/scheduled-events": (10, 10.0),
}
DEFAULT_LIMIT: tuple[int, float] = (50, 1.0)
MAJOR_PARAMS = ("channel_id", "guild_id", "webhook_id", "webhook_token", "interaction_id", "interaction_token")


@dataclass
class Bucket:
    name: str
    limit: int
    per: float
    remaining: int
    reset_at: float

    def refresh(self, now: float) -> None:
        if now >= self.reset_at:
            self.remaining = self.limit
            self.reset_at = now + self.per


@dataclass
class Decision:
    allowed: bool
    headers: dict[str, str]
    retry_after: float = 0.0
    is_global: bool = False


def is_global_exempt(route: str) -> bool:
    """Interaction responses (callbacks and interaction-token webhooks) do not count globally."""
    return route.startswith("POST /interactions/") or " /webhooks/{webhook_id}/{webhook_token}" in route


class RateLimiter:
    """Answers whether a request may proceed and which ``X-RateLimit-*`` headers to send."""

    def __init__(self, clock_now: Callable[[], datetime]) -> None:
        self.route_limits: dict[str, tuple[int, float]] = dict(DEFAULT_ROUTE_LIMITS)
        self.default_limit = DEFAULT_LIMIT
        self.global_limit: int = GLOBAL_PER_SECOND
        self.enabled = True
        self._buckets: dict[tuple[str, tuple[str, ...]], Bucket] = {}
        self._global: deque[float] = deque()
        self._clock_now = clock_now
        self._invalid: deque[datetime] = deque()
        self.ban_threshold = INVALID_BAN_THRESHOLD

    def configure(self, route: str, limit: int, per: float) -> None:
        """Set the bucket for ``"METHOD /template"``; existing buckets of that route are reset."""
        self.route_limits[route] = (limit, per)
        for key in [k for k in self._buckets if k[0] == route]:
            del self._buckets[key]

    def check(self, route: str, params: dict[str, str]) -> Decision:
        now = time.monotonic()
        limit, per = self.route_limits.get(route, self.default_limit)
        major = tuple(params.get(p, "") for p in MAJOR_PARAMS if p in params)
        key = (route, major)
        bucket = self._buckets.get(key)
        if bucket is None:
            name = hashlib.sha1(route.encode()).hexdigest()[:16]
            bucket = self._buckets[key] = Bucket(name, limit, per, limit, now + per)
        bucket.refresh(now)
        if self.enabled and not is_global_exempt(route):
            while self._global and self._global[0] <= now - 1.0:
                self._global.popleft()
            if len(self._global) >= self.global_limit:
                retry = max(self._global[0] + 1.0 - now, 0.001)
                return Decision(
                    False,
                    {"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"},
                    retry_after=round(retry, 3),
                    is_global=True,
                )
        if self.enabled and bucket.remaining <= 0:
            retry = max(bucket.reset_at - now, 0.001)
            headers = self._headers(bucket, now)
            headers["X-RateLimit-Scope"] = "user"
            return Decision(False, headers, retry_after=round(retry, 3))
        bucket.remaining -= 1
        if not is_global_exempt(route):
            self._global.append(now)
        return Decision(True, self._headers(bucket, now))

    @staticmethod
    def _headers(bucket: Bucket, now: float) -> dict[str, str]:
        reset_after = max(bucket.reset_at - now, 0.0)
        return {
            "X-RateLimit-Limit": str(bucket.limit),
            "X-RateLimit-Remaining": str(max(bucket.remaining, 0)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket.name,
        }

    # ---- invalid requests ---------------------------------------------------
    def record_status(self, status: int) -> None:
        if status in (401, 403, 429):
            self._invalid.append(self._clock_now())

    def invalid_count(self) -> int:
        """401/403/429 responses within the last 10 minutes of the shared clock."""
        cutoff = self._clock_now() - INVALID_WINDOW
        while self._invalid and self._invalid[0] <= cutoff:
            self._invalid.popleft()
        return len(self._invalid)

    @property
    def banned(self) -> bool:
        return self.invalid_count() >= self.ban_threshold
