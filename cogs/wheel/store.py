"""The wheel's storage and rules: reflections (the journal), posted prompts, the rotation, schedules.

No Discord here: plain values in, plain values out, a clock for "now".
"""

from __future__ import annotations

import math
from collections.abc import Collection
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import aiosqlite

from attune.clock import Clock
from attune.content import WheelContent
from attune.db import Database
from attune.takedowns import Takedown, enqueue
from attune.when import days_from_text, days_to_text
from cogs.wheel.models import (
    JournalPage,
    PromptPost,
    Reflection,
    Schedule,
    Source,
    check_reflection,
    rotation_segment,
)

JOURNAL_PAGE_SIZE = 5


class WheelStore:
    """Reflections, prompt posts and schedules in SQLite."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    # ------------------------------------------------------------------ reflections

    async def save_reflection(
        self,
        *,
        user_id: int,
        guild_id: int | None,
        source: Source,
        body: str,
        segment: str | None = None,
        practice_length: str | None = None,
        prompt: str | None = None,
        prompt_message_id: int | None = None,
    ) -> int:
        text = check_reflection(body)
        return await self.db.insert(
            "INSERT INTO wheel_reflections (user_id, guild_id, source, segment, practice_length, prompt,"
            " prompt_message_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                user_id,
                guild_id,
                source,
                segment,
                practice_length,
                prompt,
                prompt_message_id,
                text,
                self.clock().isoformat(),
            ),
        )

    async def mark_shared(self, reflection_id: int, thread_id: int, message_id: int) -> None:
        await self.db.execute(
            "UPDATE wheel_reflections SET shared_thread_id = ?, shared_message_id = ? WHERE id = ?",
            (thread_id, message_id, reflection_id),
        )

    async def reflection(self, reflection_id: int) -> Reflection | None:
        row = await self.db.fetchone("SELECT * FROM wheel_reflections WHERE id = ?", (reflection_id,))
        return Reflection.from_row(row) if row else None

    async def journal_page(self, user_id: int, page: int, per_page: int = JOURNAL_PAGE_SIZE) -> JournalPage:
        """One page of a member's reflections, newest first; ``page`` is clamped to what exists."""
        total = int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM wheel_reflections WHERE user_id = ?", (user_id,), default=0
            )
        )
        pages = max(1, math.ceil(total / per_page))
        page = min(max(page, 0), pages - 1)
        rows = await self.db.fetchall(
            "SELECT * FROM wheel_reflections WHERE user_id = ?"
            " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            (user_id, per_page, page * per_page),
        )
        return JournalPage([Reflection.from_row(r) for r in rows], page, pages, total)

    async def reflections_of(self, user_id: int) -> list[Reflection]:
        rows = await self.db.fetchall(
            "SELECT * FROM wheel_reflections WHERE user_id = ? ORDER BY created_at, id", (user_id,)
        )
        return [Reflection.from_row(r) for r in rows]

    async def export(self, user_id: int) -> dict[str, Any]:
        return {
            "reflections": [
                {
                    "created_at": r.created_at.isoformat(),
                    "guild_id": str(r.guild_id) if r.guild_id else None,
                    "source": r.source,
                    "segment": r.segment,
                    "practice_length": r.practice_length,
                    "prompt": r.prompt,
                    "reflection": r.body,
                    "shared": r.shared,
                    "shared_message": (
                        {"thread_id": str(r.shared_thread_id), "message_id": str(r.shared_message_id)}
                        if r.shared
                        else None
                    ),
                }
                for r in await self.reflections_of(user_id)
            ]
        }

    async def delete_reflections(self, user_id: int) -> list[Reflection]:
        """Delete every reflection of ``user_id``; the shared ones' posts are queued for take-down in
        the same transaction. Returns what was deleted."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "SELECT * FROM wheel_reflections WHERE user_id = ? ORDER BY id", (user_id,)
            )
            deleted = [Reflection.from_row(r) for r in await cursor.fetchall()]
            await cursor.close()
            shared = [
                Takedown(r.shared_thread_id, r.shared_message_id)
                for r in deleted
                if r.shared_thread_id and r.shared_message_id
            ]
            await enqueue(conn, shared, self.clock())
            await conn.execute("DELETE FROM wheel_reflections WHERE user_id = ?", (user_id,))
        return deleted

    # ------------------------------------------------------------------ prompt posts

    async def record_prompt_post(
        self,
        *,
        message_id: int,
        guild_id: int,
        channel_id: int,
        segment: str,
        prompt_index: int,
        prompt: str,
        delivery_id: int | None = None,
        thread_id: int | None = None,
    ) -> None:
        await self.db.execute(
            "INSERT INTO wheel_prompt_posts (message_id, guild_id, channel_id, segment, prompt_index,"
            " prompt, thread_id, delivery_id, posted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (message_id) DO NOTHING",
            (
                message_id,
                guild_id,
                channel_id,
                segment,
                prompt_index,
                prompt,
                thread_id,
                delivery_id,
                self.clock().isoformat(),
            ),
        )

    async def set_thread(self, message_id: int, thread_id: int) -> None:
        await self.db.execute(
            "UPDATE wheel_prompt_posts SET thread_id = ? WHERE message_id = ?", (thread_id, message_id)
        )

    async def prompt_post(self, message_id: int) -> PromptPost | None:
        row = await self.db.fetchone("SELECT * FROM wheel_prompt_posts WHERE message_id = ?", (message_id,))
        return self._post(row) if row else None

    async def post_for_delivery(self, delivery_id: int) -> PromptPost | None:
        row = await self.db.fetchone("SELECT * FROM wheel_prompt_posts WHERE delivery_id = ?", (delivery_id,))
        return self._post(row) if row else None

    @staticmethod
    def _post(row: aiosqlite.Row) -> PromptPost:
        return PromptPost(
            message_id=row["message_id"],
            guild_id=row["guild_id"],
            channel_id=row["channel_id"],
            segment=row["segment"],
            prompt_index=row["prompt_index"],
            prompt=row["prompt"],
            thread_id=row["thread_id"],
            delivery_id=row["delivery_id"],
        )

    async def next_in_rotation(self, guild_id: int, wheel: WheelContent) -> tuple[str, int]:
        """The segment and prompt index of a guild's next scheduled post.

        Derived from the scheduled posts already made, so it survives restarts: the segment cycles
        hub → senses → interoception → mental → relational, and within a segment the prompts are
        used in order before any repeats.
        """
        posted = int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM wheel_prompt_posts WHERE guild_id = ? AND delivery_id IS NOT NULL",
                (guild_id,),
                default=0,
            )
        )
        segment = rotation_segment(posted)
        used = int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM wheel_prompt_posts"
                " WHERE guild_id = ? AND segment = ? AND delivery_id IS NOT NULL",
                (guild_id, segment),
                default=0,
            )
        )
        return segment, used % len(wheel.prompts[segment])  # type: ignore[index]

    # ------------------------------------------------------------------ schedules

    async def set_schedule(
        self, *, guild_id: int, channel_id: int, clock: time, weekdays: frozenset[int], timezone: str
    ) -> tuple[Schedule, bool]:
        """Create or replace the guild's schedule; returns it and whether one was replaced."""
        now = self.clock()
        local_today = now.astimezone(ZoneInfo(timezone)).date()
        schedule = Schedule(guild_id, channel_id, clock, weekdays, timezone, local_today, now)
        async with self.db.transaction() as conn:
            cursor = await conn.execute("SELECT 1 FROM wheel_schedules WHERE guild_id = ?", (guild_id,))
            replaced = await cursor.fetchone() is not None
            await cursor.close()
            await conn.execute(
                "INSERT INTO wheel_schedules (guild_id, channel_id, clock, weekdays, timezone, from_day,"
                " since) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET"
                " channel_id = excluded.channel_id, clock = excluded.clock, weekdays = excluded.weekdays,"
                " timezone = excluded.timezone, from_day = excluded.from_day, since = excluded.since",
                (
                    guild_id,
                    channel_id,
                    clock.strftime("%H:%M"),
                    days_to_text(weekdays),
                    timezone,
                    local_today.isoformat(),
                    now.isoformat(),
                ),
            )
        return schedule, replaced

    async def remove_schedule(self, guild_id: int) -> Schedule | None:
        schedule = await self.schedule(guild_id)
        if schedule is not None:
            await self.db.execute("DELETE FROM wheel_schedules WHERE guild_id = ?", (guild_id,))
        return schedule

    async def schedule(self, guild_id: int) -> Schedule | None:
        row = await self.db.fetchone("SELECT * FROM wheel_schedules WHERE guild_id = ?", (guild_id,))
        return self._schedule(row) if row else None

    async def schedules(self, guild_ids: Collection[int] | None = None) -> list[Schedule]:
        sql, params = "SELECT * FROM wheel_schedules", tuple(guild_ids or ())
        if guild_ids is not None:
            sql += f" WHERE guild_id IN ({','.join('?' * len(params))})"
        return [self._schedule(r) for r in await self.db.fetchall(sql, params)]

    @staticmethod
    def _schedule(row: aiosqlite.Row) -> Schedule:
        return Schedule(
            guild_id=row["guild_id"],
            channel_id=row["channel_id"],
            clock=time.fromisoformat(row["clock"]),
            weekdays=days_from_text(row["weekdays"]),
            timezone=row["timezone"],
            from_day=date.fromisoformat(row["from_day"]),
            since=datetime.fromisoformat(row["since"]),
        )
