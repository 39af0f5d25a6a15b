"""Shared check-ins go out in the order members submitted them.

Many members sharing at once all post into the same thread. discord.py sends concurrent requests to
one channel as its rate limit allows and, after a 429, retries a request behind ones that came later,
so without help the thread's lines would not follow the order people checked in. Each share takes a
ticket the moment its submission arrives (before anything is awaited, so tickets follow the gateway's
order) and posts only after the share before it has posted or given up.
"""

from __future__ import annotations

import asyncio
from types import TracebackType


class Turn:
    """One caller's place in line: ``async with turn:`` waits for the one before, then lets the next go."""

    def __init__(self, line: InOrder, key: int, before: asyncio.Future[None] | None) -> None:
        self._line = line
        self._key = key
        self._before = before
        self.finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def __aenter__(self) -> Turn:
        if self._before is not None and not self._before.done():
            await asyncio.wait({self._before})  # never cancels the earlier turn, even if this one is
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.release()

    def release(self) -> None:
        """Let the next caller go once the ones before are through (idempotent; also called for a
        caller that never got to post, so an abandoned share lets nobody overtake an earlier one)."""
        if self._before is None or self._before.done():
            self._finish()
        else:
            self._before.add_done_callback(lambda _: self._finish())

    def _finish(self) -> None:
        if not self.finished.done():
            self.finished.set_result(None)
        self._line._forget(self._key, self.finished)


class InOrder:
    """Turns per key (a guild), in the order :meth:`take` was called."""

    def __init__(self) -> None:
        self._last: dict[int, asyncio.Future[None]] = {}

    def take(self, key: int) -> Turn:
        turn = Turn(self, key, self._last.get(key))
        self._last[key] = turn.finished
        return turn

    def _forget(self, key: int, finished: asyncio.Future[None]) -> None:
        if self._last.get(key) is finished:
            del self._last[key]

    def __len__(self) -> int:
        return len(self._last)
