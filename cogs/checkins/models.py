"""What check-ins keep: a guild's daily setup and threads, a check-in, a reminder, and the note rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from attune.recurrence import Recurrence, weekly_at
from attune.when import ALL_DAYS

NOTE_LIMIT = 500


VISIBILITIES = ("private", "shared")


@dataclass(frozen=True)
class Setup:
    """A guild's daily check-in thread: where, when, and in which zone."""

    guild_id: int
    channel_id: int
    clock: time
    days: frozenset[int]
    timezone: str
    enabled: bool
    updated_at: datetime

    def recurrence(self) -> Recurrence:
        first_day = self.updated_at.astimezone(ZoneInfo(self.timezone)).date()
        return weekly_at(self.clock, self.days, self.timezone, first_day)


@dataclass(frozen=True)
class DayThread:
    guild_id: int
    local_date: date
    channel_id: int
    starter_id: int | None
    thread_id: int | None


@dataclass(frozen=True)
class NewCheckin:
    guild_id: int
    user_id: int
    created_at: datetime
    local_date: date
    zone: str
    word: str
    quadrant: str
    energy: int
    pleasantness: int
    note: str | None
    visibility: str
    shared_channel_id: int | None = None
    shared_message_id: int | None = None

    def row(self) -> tuple[Any, ...]:
        return (
            self.guild_id,
            self.user_id,
            self.created_at.isoformat(),
            self.local_date.isoformat(),
            self.zone,
            self.word,
            self.quadrant,
            self.energy,
            self.pleasantness,
            self.note,
            self.visibility,
            self.shared_channel_id,
            self.shared_message_id,
        )


@dataclass(frozen=True)
class Reminder:
    user_id: int
    guild_id: int
    clock: time
    timezone: str
    paused: bool
    told: bool
    updated_at: datetime

    def recurrence(self) -> Recurrence:
        first_day = self.updated_at.astimezone(ZoneInfo(self.timezone)).date()
        return weekly_at(self.clock, ALL_DAYS, self.timezone, first_day)


def trim_note(note: str | None) -> tuple[str | None, str]:
    """A note cut to the limit, and what was cut (``""`` when it fitted): a check-in is never lost."""
    if note is None or len(note) <= NOTE_LIMIT:
        return note, ""
    return note[:NOTE_LIMIT].rstrip(), note[NOTE_LIMIT:]


def clean_note(note: str | None) -> str | None:
    cleaned = (note or "").strip()
    return cleaned or None


#: What a support alert post says once the member who asked deleted their data.
ALERT_REDACTED = (
    "A member asked for someone to reach out here. They have since deleted their data from Attune, "
    "so this request no longer names them."
)
