"""Keeping the bot's REST requests under Discord's global rate limit, before Discord has to say so.

Discord allows a bot about 50 requests per second in all. When a thousand guilds' daily threads
fall on one minute, sending as fast as possible only collects 429s, each costing a wait of its own.
A pacer in front of discord.py's HTTP client spaces requests instead (a token bucket: ``rate`` per
second after a ``burst``; ``rate + burst`` ≤ 50 keeps any one-second window under the limit).
Interaction responses don't pass through it: Discord doesn't count them against the global limit.

The limit is per bot token, not per process: shard clusters (``attune/shards.py``) each take an
equal share (:meth:`RequestPacer.share`), so together they stay under it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import discord

DISCORD_GLOBAL_LIMIT = 50
BURST = 5  # of the 50: requests let through at once after a quiet spell
#: Of the burst, what clusters keep in hand: their clocks don't line up, and a request that leaves a
#: few milliseconds late lands in Discord's next second with the others' (seen as rare 429s).
CLUSTER_MARGIN = 2


class RequestPacer:
    """A token bucket (GCRA): each caller is given the next free slot and sleeps until then."""

    def __init__(self, rate: float = DISCORD_GLOBAL_LIMIT - BURST, burst: float = BURST) -> None:
        if rate + burst > DISCORD_GLOBAL_LIMIT + 1e-9 or rate <= 0 or burst <= 0:
            raise ValueError("rate + burst must stay within Discord's 50 requests per second")
        self.rate = rate
        self.interval = 1.0 / rate
        self.burst = burst
        self._theoretical_arrival = 0.0

    @classmethod
    def share(cls, clusters: int) -> RequestPacer:
        """One of ``clusters`` equal shares of the bot's budget. One cluster: 45 per second after a
        burst of 5, as a single process always had. Several: the 45 per second divided, and the burst
        less ``CLUSTER_MARGIN`` divided, so together they stay at 48 in any one-second window."""
        if clusters == 1:
            return cls()
        rate = (DISCORD_GLOBAL_LIMIT - BURST) / clusters
        return cls(rate=rate, burst=(BURST - CLUSTER_MARGIN) / clusters)

    async def wait(self) -> None:
        now = asyncio.get_running_loop().time()
        arrival = max(self._theoretical_arrival, now)
        self._theoretical_arrival = arrival + self.interval
        delay = arrival - (self.burst - 1) * self.interval - now
        if delay > 0:
            await asyncio.sleep(delay)


def pace(http: discord.http.HTTPClient, pacer: RequestPacer) -> None:
    """Route every REST request of ``http`` through ``pacer`` (idempotent)."""
    request: Callable[..., Awaitable[Any]] = http.request
    if getattr(request, "__attune_paced__", False):
        return

    async def paced(route: discord.http.Route, **kwargs: Any) -> Any:
        await pacer.wait()
        return await request(route, **kwargs)

    paced.__attune_paced__ = True  # type: ignore[attr-defined]
    http.request = paced  # type: ignore[method-assign]
