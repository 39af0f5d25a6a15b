"""Recurrence rules: a wall-clock time in a zone that repeats, computed, never pre-expanded.

Rules follow the zone across daylight-saving changes: a weekly 19:00 sit stays at 19:00 local. A
wall time that does not exist (the spring-forward gap) moves forward by the gap (02:30 becomes
03:30); a wall time that happens twice (the autumn overlap) means the first one.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger

from attune.when import ALL_DAYS, WEEKDAY_NAMES, WEEKDAYS, join_words, ordinal, to_local, to_utc

RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_MAX_CANDIDATES = 5_000


class SupportsNextAfter(Protocol):
    """Anything that can say when it next occurs: rules, shifted rules, fixed intervals."""

    def next_after(self, instant: datetime, /) -> datetime | None: ...


def occurrences_between(
    recurrence: SupportsNextAfter, after: datetime, until: datetime, limit: int = 1_000
) -> list[datetime]:
    """The occurrences of ``recurrence`` in ``(after, until]``, at most ``limit``."""
    found: list[datetime] = []
    cursor = after
    while len(found) < limit:
        following = recurrence.next_after(cursor)
        if following is None or following > until:
            break
        found.append(following)
        cursor = following
    return found


class Repeat(enum.StrEnum):
    NONE = "none"
    DAILY = "daily"
    WEEKDAYS = "weekdays"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A wall-clock rule in one zone: first occurrence ``start`` (naive local), then ``repeat``.

    ``weekdays`` picks the days for weekly and biweekly rules (default: the start's weekday);
    ``exclusions`` are cancelled occurrences (aware UTC instants).
    """

    repeat: Repeat
    start: datetime
    zone_name: str
    weekdays: frozenset[int] = frozenset()
    exclusions: frozenset[datetime] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None:
            raise ValueError("Recurrence.start is a naive wall-clock time")
        if self.repeat in (Repeat.WEEKLY, Repeat.BIWEEKLY) and not self.weekdays:
            object.__setattr__(self, "weekdays", frozenset({self.start.weekday()}))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.zone_name)

    @property
    def days(self) -> frozenset[int]:
        """The weekdays on which this rule can fall."""
        if self.repeat in (Repeat.DAILY, Repeat.MONTHLY, Repeat.NONE):
            return ALL_DAYS
        if self.repeat is Repeat.WEEKDAYS:
            return WEEKDAYS
        return self.weekdays

    def first(self) -> datetime | None:
        return self.next_after(to_utc(self.start, self.zone) - timedelta(microseconds=1))

    def _matches(self, day: date) -> bool:
        if day < self.start.date():
            return False
        if self.repeat is Repeat.NONE:
            return day == self.start.date()
        if self.repeat is Repeat.MONTHLY:
            return day.day == self.start.day
        if day.weekday() not in self.days:
            return False
        if self.repeat is Repeat.BIWEEKLY:
            anchor = self.start.date() - timedelta(days=self.start.weekday())
            return ((day - anchor).days // 7) % 2 == 0
        return True

    def _candidate_days(self, from_day: date) -> Iterator[date]:
        day = max(from_day, self.start.date())
        if self.repeat is Repeat.NONE:
            if day <= self.start.date():
                yield self.start.date()
            return
        if self.repeat is Repeat.MONTHLY:
            year, month = day.year, day.month
            for _ in range(_MAX_CANDIDATES):
                try:
                    candidate = date(year, month, self.start.day)
                except ValueError:  # this month has no such day (e.g. the 31st)
                    candidate = None
                if candidate is not None and candidate >= day:
                    yield candidate
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            return
        for offset in range(_MAX_CANDIDATES):
            candidate = day + timedelta(days=offset)
            if self._matches(candidate):
                yield candidate

    def next_after(self, instant: datetime) -> datetime | None:
        """The first occurrence strictly after ``instant`` (aware), or ``None`` if there is none."""
        zone = self.zone
        from_day = to_local(instant, zone).date() - timedelta(days=1)
        for day in self._candidate_days(from_day):
            occurrence = to_utc(datetime.combine(day, self.start.time()), zone)
            if occurrence > instant and occurrence not in self.exclusions:
                return occurrence
        return None

    def between(self, after: datetime, until: datetime, limit: int = 1_000) -> list[datetime]:
        """Occurrences in ``(after, until]``, at most ``limit``."""
        return occurrences_between(self, after, until, limit)

    # -------------------------------------------------------------- presentation

    def describe(self, *, at_time: bool = True) -> str:
        """Plain words: ``every Tuesday and Thursday at 19:00 Europe/Berlin`` (without the time of day
        and zone when ``at_time`` is false, for a Discord timestamp to follow)."""
        at = f"at {self.start:%H:%M} {self.zone_name}" if at_time else ""
        return " ".join(self._phrase(at).split())

    def _phrase(self, at: str) -> str:
        if self.repeat is Repeat.NONE:
            return f"once, on {WEEKDAY_NAMES[self.start.weekday()]} {self.start.day} {self.start:%B %Y} {at}"
        if self.repeat is Repeat.DAILY:
            return f"every day {at}"
        if self.repeat is Repeat.WEEKDAYS:
            return f"every weekday (Monday to Friday) {at}"
        names = join_words([WEEKDAY_NAMES[d] for d in sorted(self.weekdays)])
        if self.repeat is Repeat.WEEKLY:
            return f"every {names} {at}"
        if self.repeat is Repeat.BIWEEKLY:
            return (
                f"every other {names} {at}"
                if len(self.weekdays) == 1
                else (f"every other week on {names} {at}")
            )
        extra = " (months without that day are skipped)" if self.start.day > 28 else ""
        return f"every month on the {ordinal(self.start.day)} {at}{extra}"

    def rrule(self) -> dict[str, Any] | None:
        """The RFC 5545 RRULE (as icalendar's ``vRecur`` mapping), or ``None`` for a one-off."""
        if self.repeat is Repeat.NONE:
            return None
        if self.repeat is Repeat.DAILY:
            return {"FREQ": "DAILY"}
        if self.repeat is Repeat.MONTHLY:
            return {"FREQ": "MONTHLY", "BYMONTHDAY": [self.start.day]}
        by_day = [RRULE_DAYS[d] for d in sorted(self.days)]
        rule: dict[str, Any] = {"FREQ": "WEEKLY", "BYDAY": by_day, "WKST": "MO"}
        if self.repeat is Repeat.BIWEEKLY:
            rule["INTERVAL"] = 2
        return rule


class RecurrenceTrigger(BaseTrigger):
    """An APScheduler trigger that fires on a :class:`Recurrence`'s occurrences."""

    __slots__ = ("recurrence",)

    def __init__(self, recurrence: Recurrence | Any) -> None:
        self.recurrence = recurrence

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        if previous_fire_time is None:
            return self.recurrence.next_after(now - timedelta(microseconds=1))
        return self.recurrence.next_after(previous_fire_time)

    def __str__(self) -> str:
        describe = getattr(self.recurrence, "describe", None)
        return f"recurrence[{describe() if describe else self.recurrence!r}]"


def weekly_at(clock: time, days: frozenset[int], zone_name: str, from_day: date) -> Recurrence:
    """A rule for 'at ``clock`` on ``days``' starting on ``from_day`` (check-ins, wheel prompts)."""
    start = datetime.combine(from_day, clock)
    if days == ALL_DAYS:
        return Recurrence(Repeat.DAILY, start, zone_name)
    return Recurrence(Repeat.WEEKLY, start, zone_name, weekdays=days)


@dataclass(frozen=True, slots=True)
class Every:
    """A fixed-interval recurrence (feed polling, heartbeats): ``anchor + k * interval``."""

    interval: timedelta
    anchor: datetime

    def next_after(self, instant: datetime) -> datetime | None:
        if instant < self.anchor:
            return self.anchor
        steps = int((instant - self.anchor) / self.interval) + 1
        return self.anchor + steps * self.interval

    def describe(self) -> str:
        return f"every {int(self.interval.total_seconds())} s"
