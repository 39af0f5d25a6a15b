"""Per-guild configuration: time zone, where each capability posts, facilitator role, support text.

Read on almost every interaction, so rows are cached in memory and the cache is refreshed on
every write (there is one process per database).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from attune.clock import Clock, utcnow
from attune.db import Database

Purpose = Literal["sits", "checkins", "wheel", "episodes", "facilitators"]
PURPOSES: tuple[str, ...] = get_args(Purpose)


@dataclass(frozen=True)
class GuildConfig:
    guild_id: int
    timezone: str = "UTC"
    facilitator_role_id: int | None = None
    support_text: str | None = None
    channels: dict[str, int] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def channel_for(self, purpose: str) -> int | None:
        return self.channels.get(purpose)


class GuildSettings:
    """Reads and writes ``guild_settings`` and ``guild_channels``."""

    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock
        self._cache: dict[int, GuildConfig] = {}

    async def get(self, guild_id: int) -> GuildConfig:
        cached = self._cache.get(guild_id)
        if cached is not None:
            return cached
        row = await self.db.fetchone(
            "SELECT timezone, facilitator_role_id, support_text FROM guild_settings WHERE guild_id = ?",
            (guild_id,),
        )
        channels = {
            r["purpose"]: r["channel_id"]
            for r in await self.db.fetchall(
                "SELECT purpose, channel_id FROM guild_channels WHERE guild_id = ?", (guild_id,)
            )
        }
        config = GuildConfig(guild_id, channels=channels)
        if row is not None:
            config = replace(
                config,
                timezone=row["timezone"],
                facilitator_role_id=row["facilitator_role_id"],
                support_text=row["support_text"],
            )
        self._cache[guild_id] = config
        return config

    async def _upsert(self, guild_id: int, column: str, value: object) -> GuildConfig:
        if column not in {"timezone", "facilitator_role_id", "support_text"}:
            raise ValueError(f"not a settings column: {column}")
        await self.db.execute(
            f"INSERT INTO guild_settings (guild_id, {column}, updated_at) VALUES (?, ?, ?)"  # noqa: S608
            f" ON CONFLICT (guild_id) DO UPDATE SET {column} = excluded.{column},"
            " updated_at = excluded.updated_at",
            (guild_id, value, self.clock().isoformat()),
        )
        self._cache.pop(guild_id, None)
        return await self.get(guild_id)

    async def set_timezone(self, guild_id: int, zone_name: str) -> GuildConfig:
        return await self._upsert(guild_id, "timezone", zone_name)

    async def set_facilitator_role(self, guild_id: int, role_id: int | None) -> GuildConfig:
        return await self._upsert(guild_id, "facilitator_role_id", role_id)

    async def set_support_text(self, guild_id: int, text: str | None) -> GuildConfig:
        return await self._upsert(guild_id, "support_text", text)

    async def set_channel(self, guild_id: int, purpose: str, channel_id: int) -> GuildConfig:
        if purpose not in PURPOSES:
            raise ValueError(f"unknown channel purpose {purpose!r}")
        await self.db.execute(
            "INSERT INTO guild_channels (guild_id, purpose, channel_id) VALUES (?, ?, ?)"
            " ON CONFLICT (guild_id, purpose) DO UPDATE SET channel_id = excluded.channel_id",
            (guild_id, purpose, channel_id),
        )
        self._cache.pop(guild_id, None)
        return await self.get(guild_id)

    async def notice_once(self, guild_id: int, key: str) -> bool:
        """True the first time ``key`` is noted for this guild (e.g. 'tell about a permission')."""
        changed = await self.db.execute(
            "INSERT INTO notices (guild_id, key, sent_at) VALUES (?, ?, ?)"
            " ON CONFLICT (guild_id, key) DO NOTHING",
            (guild_id, key, self.clock().isoformat()),
        )
        return changed == 1

    async def forget_notice(self, guild_id: int, key: str) -> None:
        await self.db.execute("DELETE FROM notices WHERE guild_id = ? AND key = ?", (guild_id, key))
