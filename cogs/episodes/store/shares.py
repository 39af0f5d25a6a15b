"""SQL for shared insights (no Discord here)."""

from __future__ import annotations

from datetime import datetime

from attune.clock import Clock, utcnow
from attune.db import Database
from attune.takedowns import Takedown, enqueue
from cogs.episodes.models import Share


class ShareStore:
    """Shares: stored, posted, listed by week, exported and deleted."""

    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock

    async def shared_since(self, guild_id: int, user_id: int, url: str, since: datetime) -> bool:
        """Whether the member shared ``url`` here after ``since``."""
        found = await self.db.fetchval(
            "SELECT 1 FROM episode_shares WHERE guild_id = ? AND user_id = ? AND url = ? AND shared_at > ?",
            (guild_id, user_id, url, since.isoformat()),
        )
        return bool(found)

    async def add_share(
        self, guild_id: int, user_id: int, url: str, title: str, insight: str, channel_id: int
    ) -> Share:
        now = self.clock()
        share_id = await self.db.insert(
            "INSERT INTO episode_shares (guild_id, user_id, url, title, insight, channel_id, shared_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (guild_id, user_id, url, title, insight, channel_id, now.isoformat()),
        )
        return Share(share_id, guild_id, user_id, url, title, insight, channel_id, None, None, now)

    async def set_share_post(self, share_id: int, message_id: int, thread_id: int | None) -> None:
        await self.db.execute(
            "UPDATE episode_shares SET message_id = ?, thread_id = ? WHERE id = ?",
            (message_id, thread_id, share_id),
        )

    async def drop_share(self, share_id: int) -> None:
        await self.db.execute("DELETE FROM episode_shares WHERE id = ?", (share_id,))

    async def known_title(self, guild_id: int, url: str) -> tuple[str, str] | None:
        """(title, show) of a followed feed's episode with this link or enclosure, if any."""
        row = await self.db.fetchone(
            "SELECT e.title, f.title AS show FROM feed_episodes e JOIN episode_feeds f ON f.id = e.feed_id"
            " WHERE f.guild_id = ? AND (e.link = ? OR e.enclosure_url = ?) ORDER BY e.id DESC LIMIT 1",
            (guild_id, url, url),
        )
        return (row["title"], row["show"]) if row else None

    async def shares_between(self, guild_id: int, start: datetime, end: datetime) -> list[Share]:
        """Shares in ``(start, end]``, newest first."""
        rows = await self.db.fetchall(
            "SELECT * FROM episode_shares WHERE guild_id = ? AND shared_at > ? AND shared_at <= ?"
            " ORDER BY shared_at DESC, id DESC",
            (guild_id, start.isoformat(), end.isoformat()),
        )
        return [Share.from_row(r) for r in rows]

    async def guild_shares(self, guild_id: int, limit: int = 2000) -> list[Share]:
        rows = await self.db.fetchall(
            "SELECT * FROM episode_shares WHERE guild_id = ? ORDER BY shared_at DESC, id DESC LIMIT ?",
            (guild_id, limit),
        )
        return [Share.from_row(r) for r in rows]

    async def user_shares(self, user_id: int) -> list[Share]:
        rows = await self.db.fetchall(
            "SELECT * FROM episode_shares WHERE user_id = ? ORDER BY shared_at, id", (user_id,)
        )
        return [Share.from_row(r) for r in rows]

    async def delete_user_shares(self, user_id: int) -> list[Share]:
        """Remove a member's shares; returns what was removed (to take down the posts too)."""
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT * FROM episode_shares WHERE user_id = ? ORDER BY id", (user_id,)
            ) as cursor:
                removed = [Share.from_row(r) for r in await cursor.fetchall()]
            posts = [Takedown(s.thread_id, s.thread_id, "delete_thread") for s in removed if s.thread_id]
            posts += [Takedown(s.channel_id, s.message_id) for s in removed if s.message_id is not None]
            await enqueue(conn, posts, self.clock())
            await conn.execute("DELETE FROM episode_shares WHERE user_id = ?", (user_id,))
        return removed
