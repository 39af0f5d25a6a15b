"""Durable take-downs: bot posts removed (or scrubbed of a mention) after a ``/privacy delete``.

A capability deleting a member's rows records the posts to remove in ``post_takedowns`` *in the
same transaction* (:func:`enqueue`), so a crash between the delete and the Discord calls can't
orphan a post: the queue is worked off right after the delete and again at every start, with
back-off, until each post is gone (or Discord says it already is).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import discord

from attune.db import Connection

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)

Action = Literal["delete", "delete_thread", "scrub", "replace"]
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
#: After this many refusals (e.g. a permission taken away for good) the post is given up, logged.
MAX_ATTEMPTS = 12


@dataclass(frozen=True)
class Takedown:
    channel_id: int
    message_id: int
    action: Action = "delete"
    text: str | None = None  # scrub: the text to cut out; replace: the new content


async def enqueue(conn: Connection, items: Iterable[Takedown], now: datetime) -> int:
    """Record take-downs inside the caller's transaction; returns how many."""
    rows = [(t.channel_id, t.message_id, t.action, t.text, now.isoformat()) for t in items]
    if rows:
        await conn.executemany(
            "INSERT INTO post_takedowns (channel_id, message_id, action, text, not_before)"
            " VALUES (?, ?, ?, ?, ?)",
            rows,
        )
    return len(rows)


def _retry_after(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


class Takedowns:
    """Works off ``post_takedowns``: one background task at a time, restarted by :meth:`kick`."""

    def __init__(self, bot: AttuneBot) -> None:
        self.bot = bot
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._checkpoint = False

    def kick(self, *, checkpoint: bool = False) -> None:
        """Work off what is due now (and whatever comes due later), in the background."""
        self._checkpoint = self._checkpoint or checkpoint
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.ensure_future(self._run())

    async def idle(self) -> None:
        """Wait until the queue has nothing due (tests, shutdown)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def pending(self) -> int:
        return int(await self.bot.db.fetchval("SELECT count(*) FROM post_takedowns", (), 0))

    async def _run(self) -> None:
        await self.bot.wait_until_ready()
        while True:
            self._again = False
            await self.work_off()
            if self._checkpoint and not self.bot.db.closed:
                self._checkpoint = False
                await self.bot.db.checkpoint()
            if self._again:
                continue
            following = await self.bot.db.fetchval("SELECT min(not_before) FROM post_takedowns")
            if following is None:
                return
            wait = datetime.fromisoformat(following) - self.bot.clock()
            await asyncio.sleep(max(wait.total_seconds(), 1.0))

    async def work_off(self) -> int:
        """Every take-down due now, once; returns how many were finished."""
        now = self.bot.clock()
        rows = await self.bot.db.fetchall(
            "SELECT * FROM post_takedowns WHERE not_before <= ? ORDER BY id", (now.isoformat(),)
        )
        done = 0
        for row in rows:
            try:
                await self._apply(row)
            except discord.NotFound:
                pass  # already gone: nothing left to take down
            except discord.HTTPException as error:
                await self._later(row, f"{error.status} {type(error).__name__}")
                continue
            await self.bot.db.execute("DELETE FROM post_takedowns WHERE id = ?", (row["id"],))
            done += 1
        if done:
            log.info("took down %d post(s) after privacy deletes", done)
        return done

    async def _later(self, row: Any, detail: str) -> None:
        attempts = row["attempts"] + 1
        if attempts >= MAX_ATTEMPTS:
            log.warning("gave up taking down message %s (%s): %s", row["message_id"], row["action"], detail)
            await self.bot.db.execute("DELETE FROM post_takedowns WHERE id = ?", (row["id"],))
            return
        retry = self.bot.clock() + _retry_after(attempts)
        log.info("take-down of message %s failed (%s); retry at %s", row["message_id"], detail, retry)
        await self.bot.db.execute(
            "UPDATE post_takedowns SET attempts = ?, not_before = ?, detail = ? WHERE id = ?",
            (attempts, retry.isoformat(), detail, row["id"]),
        )

    async def _apply(self, row: Any) -> None:
        http = self.bot.http
        channel_id, message_id = row["channel_id"], row["message_id"]
        if row["action"] == "delete_thread":
            await http.delete_channel(channel_id, reason="a member deleted their data")
            return
        message = self.bot.get_partial_messageable(channel_id).get_partial_message(message_id)
        if row["action"] == "delete":
            await message.delete()
        elif row["action"] == "replace":
            await message.edit(
                content=row["text"], embeds=[], allowed_mentions=discord.AllowedMentions.none()
            )
        else:
            current = await message.fetch()
            scrubbed = re.sub(r" {2,}", " ", current.content.replace(row["text"], "")).strip()
            if scrubbed != current.content:
                await message.edit(
                    content=scrubbed or "\u200b", allowed_mentions=discord.AllowedMentions.none()
                )
