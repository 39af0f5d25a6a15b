"""Recurrence wrappers for the moments around a sit: reminders, bells, guide steps.

Every moment of a sit is its start rule moved by a fixed amount of absolute time (a reminder 15
minutes before, the closing bell ``duration`` after), so each is computed from the one stored rule
instead of being stored itself. They satisfy the scheduler core's ``next_after`` protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from attune.recurrence import Recurrence

_TICK = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Shifted:
    """``rule``'s occurrences moved by ``offset``; ``window`` is how late one may still be delivered."""

    rule: Recurrence
    offset: timedelta = timedelta()
    window: timedelta | None = None

    def next_after(self, instant: datetime) -> datetime | None:
        start = self.rule.next_after(instant - self.offset)
        return None if start is None else start + self.offset

    def describe(self) -> str:
        return f"{self.rule.describe()} shifted by {self.offset}"


@dataclass(frozen=True, slots=True)
class Offsets:
    """Several moments inside each occurrence of ``rule`` (e.g. the wheel's guide posts)."""

    rule: Recurrence
    offsets: tuple[timedelta, ...]

    def next_after(self, instant: datetime) -> datetime | None:
        candidates = [
            start + offset
            for offset in self.offsets
            if (start := self.rule.next_after(instant - offset)) is not None
        ]
        return min(candidates, default=None)

    def locate(self, at: datetime) -> tuple[datetime, int] | None:
        """Which occurrence start and which offset index ``at`` belongs to (latest offset wins)."""
        for index in sorted(range(len(self.offsets)), key=lambda i: self.offsets[i], reverse=True):
            start = at - self.offsets[index]
            if self.rule.next_after(start - _TICK) == start:
                return start, index
        return None


def occurs_at(rule: Recurrence, instant: datetime) -> bool:
    """Whether ``rule`` has an occurrence exactly at ``instant`` (exclusions count as none)."""
    return rule.next_after(instant - _TICK) == instant
