"""Weekly practice streaks: consecutive ISO weeks (in the guild's time zone) with any practice."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Streak:
    current: int
    longest: int
    weeks: int  # how many distinct weeks had any practice


def week_of(instant: datetime, zone: ZoneInfo) -> date:
    """The Monday of ``instant``'s ISO week, in ``zone``."""
    local = instant.astimezone(zone).date()
    return local - timedelta(days=local.weekday())


def weekly_streak(instants: Iterable[datetime], zone_name: str, now: datetime) -> Streak:
    """Current and longest run of consecutive weeks with practice.

    The current streak is still alive during a week without practice yet: it counts back from this
    week if there was practice this week, else from last week.
    """
    zone = ZoneInfo(zone_name)
    weeks = sorted({week_of(instant, zone) for instant in instants})
    if not weeks:
        return Streak(0, 0, 0)
    longest = run = 1
    for previous, week in itertools.pairwise(weeks):
        run = run + 1 if week - previous == timedelta(weeks=1) else 1
        longest = max(longest, run)
    present = set(weeks)
    cursor = week_of(now, zone)
    if cursor not in present:
        cursor -= timedelta(weeks=1)
    current = 0
    while cursor in present:
        current += 1
        cursor -= timedelta(weeks=1)
    return Streak(current, longest, len(weeks))
