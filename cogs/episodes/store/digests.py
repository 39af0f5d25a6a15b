"""SQL for the weekly insight digest and the posts it made (no Discord here)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from attune.clock import Clock, utcnow
from attune.db import Database
from cogs.episodes.models import (
    DIGEST_DEFAULT_CLOCK,
    DIGEST_DEFAULT_WEEKDAY,
    Digest,
    DigestPost,
    Share,
)


class DigestStore:
    """The digest's settings per guild, and its posts (to redact them)."""

    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock

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
