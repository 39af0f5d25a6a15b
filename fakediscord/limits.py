"""Fault injection and Discord-like REST rate limits."""

from __future__ import annotations

import fnmatch
import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: Per-route buckets used when rate limiting is on: route key -> (limit, window seconds).
#: Message routes use Discord's well-known per-channel limits; everything else gets a
#: generous default bucket.
DEFAULT_ROUTE_LIMITS: dict[str, tuple[int, float]] = {
    "POST /channels/{channel_id}/messages": (5, 5.0),
    "PATCH /channels/{channel_id}/messages/{message_id}": (5, 5.0),
    "DELETE /channels/{channel_id}/messages/{message_id}": (5, 1.0),
    "PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me": (1, 0.25),
    "POST /channels/{channel_id}/threads": (10, 10.0),
    "POST /channels/{channel_id}/messages/{message_id}/threads": (10, 10.0),
    "POST /guilds/{guild_id}/scheduled-events": (10, 10.0),
}
DEFAULT_BUCKET = (50, 1.0)
#: What the headers claim when rate limiting is off: effectively unlimited buckets.
UNLIMITED_BUCKET = (10_000, 1.0)


@dataclass
class Fault:
    """One injected fault. ``times`` None means forever; ``hits`` counts triggered uses."""

    method: str
    path_glob: str
    status: int | None = 500
    times: int | None = 1
    retry_after: float = 0.05
    body: dict[str, Any] | None = None
    delay: float = 0.0
    lose_response: bool = False
    is_global: bool = False
    #: Only requests whose JSON body this accepts (e.g. one kind of post among a channel's posts).
    when: Callable[[Any], bool] | None = None
    hits: int = 0

    def matches(self, method: str, path: str, payload: Any = None) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.method != "*" and self.method.upper() != method.upper():
            return False
        if not fnmatch.fnmatchcase(path, self.path_glob):
            return False
        return self.when is None or bool(self.when(payload))

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.times <= 0


class Faults:
    def __init__(self) -> None:
        self.active: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        self.active.append(fault)
        return fault

    def take(self, method: str, path: str, payload: Any = None) -> Fault | None:
        for fault in self.active:
            if fault.matches(method, path, payload):
                fault.hits += 1
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    def clear(self) -> None:
        self.active.clear()


@dataclass
class _Bucket:
    limit: int
    window: float
    count: int = 0
    reset_at: float = 0.0


@dataclass
class RateLimitResult:
    headers: dict[str, str]
    retry_after: float | None = None
    is_global: bool = False


@dataclass
class RateLimiter:
    enabled: bool = False
    global_limit: int = 50
    global_window: float = 1.0
    route_limits: dict[str, tuple[int, float]] = field(default_factory=lambda: dict(DEFAULT_ROUTE_LIMITS))
    default_bucket: tuple[int, float] = DEFAULT_BUCKET
    _global: _Bucket | None = None
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    limited: int = 0

    def _hit(self, bucket: _Bucket) -> float | None:
        now = time.monotonic()
        if now >= bucket.reset_at:
            bucket.count = 0
            bucket.reset_at = now + bucket.window
        if bucket.count >= bucket.limit:
            return max(bucket.reset_at - now, 0.001)
        bucket.count += 1
        return None

    def check(self, route_key: str, major: str, *, exempt_global: bool) -> RateLimitResult:
        limit, window = self.route_limits.get(route_key, self.default_bucket)
        bucket_hash = hashlib.sha1(route_key.encode()).hexdigest()[:32]  # noqa: S324
        if not self.enabled:
            limit, window = UNLIMITED_BUCKET
            return RateLimitResult(_headers(limit, limit - 1, window, bucket_hash))
        if not exempt_global:
            if self._global is None:
                self._global = _Bucket(self.global_limit, self.global_window)
            retry = self._hit(self._global)
            if retry is not None:
                self.limited += 1
                headers = {
                    "Retry-After": str(max(1, math.ceil(retry))),
                    "X-RateLimit-Global": "true",
                    "X-RateLimit-Scope": "global",
                }
                return RateLimitResult(headers, retry_after=retry, is_global=True)
        key = f"{bucket_hash}:{major}"
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(limit, window)
        retry = self._hit(bucket)
        now = time.monotonic()
        reset_after = max(bucket.reset_at - now, 0.0)
        if retry is not None:
            self.limited += 1
            headers = _headers(limit, 0, reset_after, bucket_hash)
            headers["Retry-After"] = str(max(1, math.ceil(retry)))
            headers["X-RateLimit-Scope"] = "user"
            return RateLimitResult(headers, retry_after=retry)
        return RateLimitResult(_headers(limit, limit - bucket.count, reset_after, bucket_hash))


def _headers(limit: int, remaining: int, reset_after: float, bucket: str) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(max(remaining, 0)),
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": bucket,
    }
