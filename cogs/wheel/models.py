"""What the wheel keeps: reflections, journal pages, posted prompts, prompt schedules, and their rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal

import aiosqlite

from attune.content import PROMPT_ROTATION
from attune.errors import UserError
from attune.recurrence import Recurrence, weekly_at
from attune.scheduler import Plan

Source = Literal["practice", "prompt"]
REFLECTION_MAX = 1000


def check_reflection(text: str | None) -> str:
    """The reflection as it will be saved; a :class:`UserError` saying how to fix it otherwise."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise UserError("Your reflection was empty, so nothing was saved. Write a few words and try again.")
    if len(cleaned) > REFLECTION_MAX:
        raise UserError(
            f"Your reflection is {len(cleaned):,} characters long; the journal keeps up to "
            f"{REFLECTION_MAX:,}. Nothing was saved — please shorten it and press Reflect again."
        )
    return cleaned


def rotation_segment(position: int) -> str:
    """The prompt segment of a guild's ``position``-th scheduled post: hub → senses → … → relational."""
    return PROMPT_ROTATION[position % len(PROMPT_ROTATION)]


@dataclass(frozen=True)
class Reflection:
    id: int
    user_id: int
    guild_id: int | None
    source: Source
    segment: str | None
    practice_length: str | None
    prompt: str | None
    body: str
    shared_thread_id: int | None
    shared_message_id: int | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> Reflection:
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            guild_id=row["guild_id"],
            source=row["source"],
            segment=row["segment"],
            practice_length=row["practice_length"],
            prompt=row["prompt"],
            body=row["body"],
            shared_thread_id=row["shared_thread_id"],
            shared_message_id=row["shared_message_id"],
            created_at=datetime.fromisoformat(row["created_at"]),
        )

    @property
    def shared(self) -> bool:
        return self.shared_message_id is not None


@dataclass(frozen=True)
class JournalPage:
    entries: list[Reflection]
    page: int  # 0-based
    pages: int
    total: int


@dataclass(frozen=True)
class PromptPost:
    message_id: int
    guild_id: int
    channel_id: int
    segment: str
    prompt_index: int
    prompt: str
    thread_id: int | None
    delivery_id: int | None


@dataclass(frozen=True)
class Schedule:
    guild_id: int
    channel_id: int
    clock: time
    weekdays: frozenset[int]
    timezone: str
    from_day: date
    since: datetime

    @property
    def recurrence(self) -> Recurrence:
        return weekly_at(self.clock, self.weekdays, self.timezone, self.from_day)

    @property
    def plan(self) -> Plan:
        return Plan(str(self.guild_id), self.recurrence, since=self.since, guild_id=self.guild_id)
