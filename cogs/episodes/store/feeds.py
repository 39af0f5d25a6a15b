"""SQL for followed feeds and their items (no Discord here).

Feed items move through ``seeded → (never posted)`` or ``new → posting → posted`` /
``new → listing → listed``. The ``posting``/``listing`` claim is taken with a conditional UPDATE
before anything is sent, so two polls can't post the same item, and an item whose send was
interrupted is recognisable after a restart.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from attune.clock import Clock, utcnow
from attune.db import Database
from cogs.episodes.models import (
    KEY_VERSION,
    LAST_ERROR_MAX,
    Feed,
    FeedEpisode,
    FollowRefusal,
    FollowRefused,
    backoff,
    follow_refusal,
    iso,
)
from cogs.episodes.parse import FeedItem, ParsedFeed


class FeedStore:
    """Feeds: followed, polled, their items claimed and marked sent."""

    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock

    async def feed_count(self, guild_id: int) -> int:
        return int(
            await self.db.fetchval("SELECT count(*) FROM episode_feeds WHERE guild_id = ?", (guild_id,), 0)
        )

    async def follow_refusal(self, guild_id: int, url: str) -> FollowRefusal | None:
        """Why the guild can't follow ``url`` now, if it can't (``add_feed`` checks again, atomically)."""
        row = await self.db.fetchone(_FOLLOWED, (url, guild_id))
        return follow_refusal(*((row[0], row[1] or 0) if row else (0, 0)))

    async def add_feed(
        self,
        guild_id: int,
        url: str,
        parsed: ParsedFeed,
        *,
        channel_id: int,
        poll_minutes: int,
        etag: str | None,
        last_modified: str | None,
    ) -> Feed:
        """Follow a feed and record its current items as already seen (never posted)."""
        now = self.clock().isoformat()
        async with self.db.transaction() as conn:
            async with conn.execute(_FOLLOWED, (url, guild_id)) as cursor:
                row = await cursor.fetchone()
            refusal = follow_refusal(*((row[0], row[1] or 0) if row else (0, 0)))
            if refusal is not None:
                raise FollowRefused(refusal)
            cursor = await conn.execute(
                "INSERT INTO episode_feeds (guild_id, url, title, site_url, channel_id, poll_minutes, etag,"
                " last_modified, added_at, last_polled_at, last_success_at, key_version)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    url,
                    parsed.title,
                    parsed.site_url,
                    channel_id,
                    poll_minutes,
                    etag,
                    last_modified,
                    now,
                    now,
                    now,
                    KEY_VERSION,
                ),
            )
            feed_id = cursor.lastrowid
            await cursor.close()
            await conn.executemany(
                _INSERT_ITEM, [_item_row(feed_id or 0, item, now, "seeded") for item in parsed.items]
            )
        return await self._require_feed(feed_id or 0)

    async def _require_feed(self, feed_id: int) -> Feed:
        feed = await self.feed(feed_id)
        if feed is None:  # pragma: no cover - just written in this process
            raise LookupError(f"feed {feed_id} vanished")
        return feed

    async def feed(self, feed_id: int) -> Feed | None:
        row = await self.db.fetchone("SELECT * FROM episode_feeds WHERE id = ?", (feed_id,))
        return Feed.from_row(row) if row else None

    async def feeds(self, guild_id: int) -> list[Feed]:
        rows = await self.db.fetchall(
            "SELECT * FROM episode_feeds WHERE guild_id = ? ORDER BY lower(title), id", (guild_id,)
        )
        return [Feed.from_row(r) for r in rows]

    async def all_feeds(self, ids: Collection[int] | None = None) -> list[Feed]:
        sql, params = "SELECT * FROM episode_feeds", tuple(ids or ())
        if ids is not None:
            sql += f" WHERE id IN ({','.join('?' * len(params))})"
        return [Feed.from_row(r) for r in await self.db.fetchall(sql + " ORDER BY id", params)]

    async def remove_feed(self, guild_id: int, feed_id: int) -> Feed | None:
        feed = await self.feed(feed_id)
        if feed is None or feed.guild_id != guild_id:
            return None
        await self.db.execute("DELETE FROM episode_feeds WHERE id = ?", (feed_id,))
        return feed

    async def record_fetched(
        self,
        feed_id: int,
        items: Sequence[FeedItem] | None,
        etag: str | None,
        last_modified: str | None,
        *,
        title: str | None = None,
    ) -> int:
        """A successful poll: store unseen items as ``new``, the validators and the show's current
        title; returns how many items were new. ``items=None`` records a 304.

        The first poll of a feed stored under older dedupe keys re-keys it: an item whose new key is
        unknown but whose old key is known is an old item, stored as ``seeded`` (never posted).
        """
        now = self.clock().isoformat()
        async with self.db.transaction() as conn:
            added = 0
            if items:
                fresh = list(items)
                async with conn.execute(
                    "SELECT key_version FROM episode_feeds WHERE id = ?", (feed_id,)
                ) as cursor:
                    row = await cursor.fetchone()
                if row is not None and row[0] < KEY_VERSION:
                    async with conn.execute(
                        "SELECT dedupe_key FROM feed_episodes WHERE feed_id = ?", (feed_id,)
                    ) as cursor:
                        known = {r[0] for r in await cursor.fetchall()}
                    old = [i for i in fresh if i.key not in known and i.legacy_key in known]
                    fresh = [i for i in fresh if not (i.key not in known and i.legacy_key in known)]
                    await conn.executemany(_INSERT_ITEM, [_item_row(feed_id, i, now, "seeded") for i in old])
                    await conn.execute(
                        "UPDATE episode_feeds SET key_version = ? WHERE id = ?", (KEY_VERSION, feed_id)
                    )
                before = conn.total_changes
                await conn.executemany(_INSERT_ITEM, [_item_row(feed_id, item, now, "new") for item in fresh])
                added = conn.total_changes - before
            if items is None:  # 304: keep the validators we sent
                await conn.execute(_SUCCESS_UNCHANGED, (now, now, feed_id))
            else:
                await conn.execute(_SUCCESS, (etag, last_modified, now, now, feed_id))
                if title:
                    await conn.execute("UPDATE episode_feeds SET title = ? WHERE id = ?", (title, feed_id))
        return added

    async def record_failure(self, feed_id: int, error: str, basis: datetime) -> Feed | None:
        """A failed poll: count it, remember the error, rest the feed (back-off from ``basis``)."""
        feed = await self.feed(feed_id)
        if feed is None:
            return None
        failures = feed.failures + 1
        resume = basis + backoff(failures, feed.interval)
        now = self.clock().isoformat()
        await self.db.execute(
            "UPDATE episode_feeds SET failures = ?, next_poll_after = ?, last_error = ?, last_error_at = ?,"
            " last_polled_at = ? WHERE id = ?",
            (failures, resume.isoformat(), error[:LAST_ERROR_MAX], now, now, feed_id),
        )
        return await self.feed(feed_id)

    # ------------------------------------------------------------------- feed items

    async def to_post(self, feed_id: int) -> list[FeedEpisode]:
        """Items waiting to be posted or whose post was interrupted, oldest first."""
        rows = await self.db.fetchall(
            f"{_EPISODE_SELECT} WHERE e.feed_id = ? AND e.state IN ('new', 'posting', 'listing')"
            " ORDER BY e.published_at IS NULL, e.published_at, e.position DESC, e.id",
            (feed_id,),
        )
        return [FeedEpisode.from_row(r) for r in rows]

    async def claim(self, episode_ids: Iterable[int], state: str) -> list[int]:
        """Move ``new`` items to ``posting``/``listing``; returns the ids this caller now owns."""
        ids = list(episode_ids)
        now = self.clock().isoformat()
        owned: list[int] = []
        async with self.db.transaction() as conn:
            for episode_id in ids:
                cursor = await conn.execute(
                    "UPDATE feed_episodes SET state = ?, claimed_at = ? WHERE id = ? AND state = 'new'",
                    (state, now, episode_id),
                )
                if cursor.rowcount == 1:
                    owned.append(episode_id)
                await cursor.close()
        return owned

    async def mark_sent(
        self, episode_ids: Iterable[int], state: str, channel_id: int, message_id: int
    ) -> None:
        now = self.clock().isoformat()
        await self.db.executemany(
            "UPDATE feed_episodes SET state = ?, channel_id = ?, message_id = ?, posted_at = ? WHERE id = ?",
            [(state, channel_id, message_id, now, episode_id) for episode_id in episode_ids],
        )

    async def set_thread(self, episode_id: int, thread_id: int) -> None:
        await self.db.execute("UPDATE feed_episodes SET thread_id = ? WHERE id = ?", (thread_id, episode_id))

    async def latest_episode(self, feed_id: int) -> FeedEpisode | None:
        row = await self.db.fetchone(
            f"{_EPISODE_SELECT} WHERE e.feed_id = ?"
            " ORDER BY e.published_at IS NULL, e.published_at DESC, e.position, e.id DESC LIMIT 1",
            (feed_id,),
        )
        return FeedEpisode.from_row(row) if row else None

    async def guild_episodes(self, guild_id: int, limit: int = 2000) -> list[FeedEpisode]:
        """Episodes of the guild's feeds, newest first (for browse and random)."""
        rows = await self.db.fetchall(
            f"{_EPISODE_SELECT} WHERE f.guild_id = ?"
            " ORDER BY e.published_at IS NULL, e.published_at DESC, e.id DESC LIMIT ?",
            (guild_id, limit),
        )
        return [FeedEpisode.from_row(r) for r in rows]


_FOLLOWED = "SELECT count(*), sum(CASE WHEN url = ? THEN 1 ELSE 0 END) FROM episode_feeds WHERE guild_id = ?"
_EPISODE_SELECT = "SELECT e.*, f.title AS show FROM feed_episodes e JOIN episode_feeds f ON f.id = e.feed_id"

_INSERT_ITEM = (
    "INSERT INTO feed_episodes (feed_id, dedupe_key, title, link, enclosure_url, summary, duration_s,"
    " published_at, position, seen_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (feed_id, dedupe_key) DO NOTHING"
)

_SUCCESS = (
    "UPDATE episode_feeds SET etag = ?, last_modified = ?, last_polled_at = ?, last_success_at = ?,"
    " failures = 0, next_poll_after = NULL WHERE id = ?"
)
_SUCCESS_UNCHANGED = (
    "UPDATE episode_feeds SET last_polled_at = ?, last_success_at = ?, failures = 0, next_poll_after = NULL"
    " WHERE id = ?"
)


def _item_row(feed_id: int, item: FeedItem, now: str, state: str) -> tuple[Any, ...]:
    return (
        feed_id,
        item.key,
        item.title,
        item.link,
        item.enclosure_url,
        item.summary,
        item.duration_s,
        iso(item.published_at),
        item.position,
        now,
        state,
    )
