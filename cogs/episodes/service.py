"""Storage for episodes: shares, followed feeds and their items, the weekly digest (no Discord here).

Feed items move through ``seeded → (never posted)`` or ``new → posting → posted`` /
``new → listing → listed``. The ``posting``/``listing`` claim is taken with a conditional UPDATE
before anything is sent, so two polls can't post the same item, and an item whose send was
interrupted is recognisable after a restart.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from attune.clock import Clock, utcnow
from attune.db import Database
from attune.errors import UserError
from attune.takedowns import Takedown, enqueue
from cogs.episodes.parse import FeedItem, ParsedFeed

MAX_FEEDS_PER_GUILD = 25
DEFAULT_POLL_MINUTES = 30
BACKOFF_CAP = timedelta(hours=12)
DIGEST_DEFAULT_WEEKDAY = 6  # Sunday
DIGEST_DEFAULT_CLOCK = "18:00"
LAST_ERROR_MAX = 300
KEY_VERSION = 2  # see parse.dedupe_key and migration 0006


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class Share:
    id: int
    guild_id: int
    user_id: int
    url: str
    title: str
    insight: str
    channel_id: int
    message_id: int | None
    thread_id: int | None
    shared_at: datetime

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> Share:
        return cls(
            row["id"],
            row["guild_id"],
            row["user_id"],
            row["url"],
            row["title"],
            row["insight"],
            row["channel_id"],
            row["message_id"],
            row["thread_id"],
            datetime.fromisoformat(row["shared_at"]),
        )

    def export(self) -> dict[str, Any]:
        return {
            "guild_id": str(self.guild_id),
            "url": self.url,
            "title": self.title,
            "insight": self.insight,
            "shared_at": self.shared_at.isoformat(),
            "channel_id": str(self.channel_id),
            "message_id": str(self.message_id) if self.message_id else None,
            "thread_id": str(self.thread_id) if self.thread_id else None,
        }


@dataclass(frozen=True)
class Feed:
    id: int
    guild_id: int
    url: str
    title: str
    site_url: str | None
    channel_id: int
    poll_minutes: int
    etag: str | None
    last_modified: str | None
    added_at: datetime
    last_polled_at: datetime | None
    last_success_at: datetime | None
    failures: int
    next_poll_after: datetime | None
    last_error: str | None
    last_error_at: datetime | None

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> Feed:
        return cls(
            row["id"],
            row["guild_id"],
            row["url"],
            row["title"],
            row["site_url"],
            row["channel_id"],
            row["poll_minutes"],
            row["etag"],
            row["last_modified"],
            datetime.fromisoformat(row["added_at"]),
            _dt(row["last_polled_at"]),
            _dt(row["last_success_at"]),
            row["failures"],
            _dt(row["next_poll_after"]),
            row["last_error"],
            _dt(row["last_error_at"]),
        )

    @property
    def interval(self) -> timedelta:
        return timedelta(minutes=self.poll_minutes)

    @property
    def first_poll(self) -> datetime:
        return self.added_at + self.interval


@dataclass(frozen=True)
class FeedEpisode:
    id: int
    feed_id: int
    title: str
    link: str | None
    enclosure_url: str | None
    summary: str
    duration_s: int | None
    published_at: datetime | None
    position: int
    seen_at: datetime
    state: str
    claimed_at: datetime | None
    message_id: int | None
    thread_id: int | None
    show: str = ""

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> FeedEpisode:
        keys = row.keys()
        return cls(
            row["id"],
            row["feed_id"],
            row["title"],
            row["link"],
            row["enclosure_url"],
            row["summary"],
            row["duration_s"],
            _dt(row["published_at"]),
            row["position"],
            datetime.fromisoformat(row["seen_at"]),
            row["state"],
            _dt(row["claimed_at"]),
            row["message_id"],
            row["thread_id"],
            row["show"] if "show" in keys else "",
        )

    @property
    def url(self) -> str | None:
        return self.link or self.enclosure_url


@dataclass(frozen=True)
class Digest:
    guild_id: int
    weekday: int
    clock: str
    zone: str
    enabled: bool
    since: datetime

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> Digest:
        return cls(
            row["guild_id"],
            row["weekday"],
            row["clock"],
            row["zone"],
            bool(row["enabled"]),
            datetime.fromisoformat(row["since"]),
        )


@dataclass(frozen=True)
class DigestPost:
    guild_id: int
    occurrence: datetime
    window_start: datetime
    channel_id: int
    message_id: int


def backoff(failures: int, interval: timedelta) -> timedelta:
    """How long a failing feed rests: the interval, doubled per further failure, at most 12 h."""
    if failures <= 0:
        return timedelta(0)
    return min(interval * (2 ** min(failures - 1, 16)), max(BACKOFF_CAP, interval))


class EpisodeStore:
    """All SQL of the episodes capability."""

    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock

    # ------------------------------------------------------------------------ shares

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

    # ------------------------------------------------------------------------- feeds

    async def feed_count(self, guild_id: int) -> int:
        return int(
            await self.db.fetchval("SELECT count(*) FROM episode_feeds WHERE guild_id = ?", (guild_id,), 0)
        )

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
            async with conn.execute(
                "SELECT count(*), sum(CASE WHEN url = ? THEN 1 ELSE 0 END) FROM episode_feeds"
                " WHERE guild_id = ?",
                (url, guild_id),
            ) as cursor:
                row = await cursor.fetchone()
            count, same = (row[0], row[1]) if row else (0, 0)
            if same:
                raise UserError("This server already follows that feed. `/episode feeds` lists them.")
            if count >= MAX_FEEDS_PER_GUILD:
                raise UserError(
                    f"This server already follows {MAX_FEEDS_PER_GUILD} feeds, the most Attune keeps. "
                    "Remove one with `/episode feed-remove` first."
                )
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

    # ------------------------------------------------------------------------ digest

    async def digest(self, guild_id: int) -> Digest | None:
        row = await self.db.fetchone("SELECT * FROM episode_digests WHERE guild_id = ?", (guild_id,))
        return Digest.from_row(row) if row else None

    async def all_digests(self, guild_ids: Collection[int] | None = None) -> list[tuple[Digest, str]]:
        """Every enabled digest (or those of ``guild_ids``) with its guild's current time zone."""
        sql, params = (
            "SELECT d.*, coalesce(s.timezone, 'UTC') AS guild_zone FROM episode_digests d"
            " LEFT JOIN guild_settings s ON s.guild_id = d.guild_id WHERE d.enabled = 1",
            tuple(guild_ids or ()),
        )
        if guild_ids is not None:
            sql += f" AND d.guild_id IN ({','.join('?' * len(params))})"
        rows = await self.db.fetchall(sql + " ORDER BY d.guild_id", params)
        return [(Digest.from_row(r), r["guild_zone"]) for r in rows]

    async def ensure_digest(self, guild_id: int, zone: str) -> tuple[Digest, bool]:
        """The guild's digest, created with the default day and time if missing.

        Returns it and whether its schedule changed (new, or the guild's time zone moved).
        """
        current = await self.digest(guild_id)
        if current is not None and current.zone == zone:
            return current, False
        if current is None:
            now = self.clock().isoformat()
            await self.db.execute(
                "INSERT INTO episode_digests (guild_id, weekday, clock, zone, enabled, since)"
                " VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (guild_id) DO NOTHING",
                (guild_id, DIGEST_DEFAULT_WEEKDAY, DIGEST_DEFAULT_CLOCK, zone, now),
            )
        else:
            await self.db.execute(
                "UPDATE episode_digests SET zone = ?, since = ? WHERE guild_id = ?",
                (zone, self.clock().isoformat(), guild_id),
            )
        return await self._require_digest(guild_id), current is None or current.enabled

    async def set_digest(self, guild_id: int, weekday: int, clock: str, zone: str, enabled: bool) -> Digest:
        await self.db.execute(
            "INSERT INTO episode_digests (guild_id, weekday, clock, zone, enabled, since)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET"
            " weekday = excluded.weekday, clock = excluded.clock, zone = excluded.zone,"
            " enabled = excluded.enabled, since = excluded.since",
            (guild_id, weekday, clock, zone, int(enabled), self.clock().isoformat()),
        )
        return await self._require_digest(guild_id)

    async def _require_digest(self, guild_id: int) -> Digest:
        digest = await self.digest(guild_id)
        if digest is None:  # pragma: no cover - just written in this process
            raise LookupError(f"digest of guild {guild_id} vanished")
        return digest

    async def record_digest_post(
        self, guild_id: int, occurrence: datetime, window_start: datetime, channel_id: int, message_id: int
    ) -> None:
        await self.db.execute(
            "INSERT INTO episode_digest_posts (guild_id, occurrence, window_start, channel_id, message_id)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, occurrence) DO UPDATE SET"
            " channel_id = excluded.channel_id, message_id = excluded.message_id",
            (guild_id, occurrence.isoformat(), window_start.isoformat(), channel_id, message_id),
        )

    async def digest_posts_covering(self, shares: Iterable[Share]) -> list[DigestPost]:
        """Posted digests whose week included any of these shares."""
        found: dict[tuple[int, str], DigestPost] = {}
        for share in shares:
            rows = await self.db.fetchall(
                "SELECT * FROM episode_digest_posts"
                " WHERE guild_id = ? AND window_start < ? AND occurrence >= ?",
                (share.guild_id, share.shared_at.isoformat(), share.shared_at.isoformat()),
            )
            for row in rows:
                found[(row["guild_id"], row["occurrence"])] = DigestPost(
                    row["guild_id"],
                    datetime.fromisoformat(row["occurrence"]),
                    datetime.fromisoformat(row["window_start"]),
                    row["channel_id"],
                    row["message_id"],
                )
        return list(found.values())


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
        _iso(item.published_at),
        item.position,
        now,
        state,
    )
