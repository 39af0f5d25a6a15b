"""A sit as stored (its rule, its length, which occurrence is "the current one"), and a member's stats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from attune.recurrence import Recurrence, Repeat
from attune.when import days_from_text
from cogs.sits.streaks import Streak

Answer = Literal["going", "maybe", "cant"]
ANSWERS: tuple[Answer, ...] = ("going", "maybe", "cant")
ANSWER_LABELS: dict[str, str] = {"going": "Going", "maybe": "Maybe", "cant": "Can't"}
ANSWER_EMOJI: dict[str, str] = {"going": "✅", "maybe": "🤔", "cant": "🚫"}


NONE: frozenset = frozenset()  # one shared empty set: ten thousand sits need not hold ten thousand


def parse_instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class Sit:
    """One sit or series. ``start_local`` is naive wall time in ``zone``; instants are aware UTC."""

    id: int
    guild_id: int
    title: str
    host_id: int | None
    start_local: datetime
    zone: str
    repeat: Repeat
    weekdays: frozenset[int]
    duration_min: int
    reminder_min: int
    guide: str
    voice_channel_id: int | None
    channel_id: int
    announcement_id: int | None
    shown_at: datetime | None
    event_id: int | None
    event_at: datetime | None
    status: str
    created_at: datetime
    updated_at: datetime
    exclusions: frozenset[datetime] = NONE

    @classmethod
    def from_row(cls, row: Any, exclusions: frozenset[datetime] = NONE) -> Sit:
        return cls(
            id=row["id"],
            guild_id=row["guild_id"],
            title=row["title"],
            host_id=row["host_id"],
            start_local=datetime.fromisoformat(row["start_local"]),
            zone=row["zone"],
            repeat=Repeat(row["repeat"]),
            weekdays=days_from_text(row["weekdays"]),
            duration_min=row["duration_min"],
            reminder_min=row["reminder_min"],
            guide=row["guide"],
            voice_channel_id=row["voice_channel_id"],
            channel_id=row["channel_id"],
            announcement_id=row["announcement_id"],
            shown_at=parse_instant(row["shown_at"]),
            event_id=row["event_id"],
            event_at=parse_instant(row["event_at"]),
            status=row["status"],
            created_at=datetime.fromisoformat(row["created_at"]),
            updated_at=datetime.fromisoformat(row["updated_at"]),
            exclusions=exclusions,
        )

    @property
    def rule(self) -> Recurrence:
        """The series as a rule, with its cancelled occurrences excluded."""
        return Recurrence(self.repeat, self.start_local, self.zone, self.weekdays, self.exclusions)

    @property
    def plain_rule(self) -> Recurrence:
        """The rule without exclusions (what the calendar's RRULE describes)."""
        return Recurrence(self.repeat, self.start_local, self.zone, self.weekdays)

    @property
    def length(self) -> timedelta:
        return timedelta(minutes=self.duration_min)

    @property
    def is_series(self) -> bool:
        return self.repeat is not Repeat.NONE

    @property
    def active(self) -> bool:
        return self.status == "active"

    def current(self, now: datetime) -> datetime | None:
        """The occurrence RSVPs, the announcement and the native event are about.

        The one in progress, else the next one; ``None`` when the series is over.
        """
        return self.rule.next_after(now - self.length)

    def next_start(self, now: datetime) -> datetime | None:
        """The next occurrence that has not begun yet."""
        return self.rule.next_after(now)

    def ends(self, start: datetime) -> datetime:
        return start + self.length

    def describe(self) -> str:
        """Plain words: ``every Tuesday and Thursday at 19:00 Europe/Berlin``."""
        return self.rule.describe()


@dataclass(frozen=True)
class Stats:
    attended: int
    sit_minutes: int
    solo_minutes: int
    solo_logs: int
    streak: Streak
    sat_with: int

    @property
    def minutes(self) -> int:
        return self.sit_minutes + self.solo_minutes
