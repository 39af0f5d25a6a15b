"""Community check-in aggregates that can't be differenced (``/checkin summary``).

The rules, each against an attack a facilitator could run with repeated reads:

* **Closed days only** (the day ended in the guild's time zone): today is never shown, so reading
  before and after one member checks in shows nothing.
* **One check-in per member per day** (their day's last), so one member can't fill a group.
* **Private check-ins only**: a shared check-in is public already, so it must not help reach the
  threshold (four shares plus one private would otherwise expose the fifth). A member whose day's
  last check-in was shared isn't counted that day.
* **Established accounts only**: an account younger than :data:`MIN_ACCOUNT_AGE` on that day
  (Discord ids carry their creation time) is left out, so fresh sock puppets can't make up a group.
* A day is **published** only with at least :data:`MIN_MEMBERS` such members; the member count is
  shown rounded down to a multiple of 5, and every zone or feeling cell under :data:`MIN_CELL` shows
  as "fewer than 3" (zero included), so no cell pins down one or two people.
* A closed day's aggregate is **computed once and frozen** (``checkin_day_aggregates``): later
  deletions and late changes never alter what was published, so reading before and after a
  ``/privacy delete`` shows nothing either.

No noise is added: frozen numbers can't be averaged over repeated reads, and every published
number covers at least three people; noise on groups of five to twenty would mislead the
facilitators who read them more than it would protect anyone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from attune.content import QUADRANTS, ZONES

MIN_MEMBERS = 5
MIN_CELL = 3
MEMBERS_STEP = 5
MIN_ACCOUNT_AGE = timedelta(days=30)
DISCORD_EPOCH_MS = 1_420_070_400_000  # a Discord id's top bits are milliseconds since this


@dataclass(frozen=True)
class DayRow:
    """One member's last check-in of one day, as the aggregate sees it (no note, no word)."""

    day: date
    user_id: int
    zone: str
    quadrant: str
    private: bool


@dataclass(frozen=True)
class DayAggregate:
    """A day as published. ``None`` counts mean "fewer than :data:`MIN_CELL`"."""

    day: date
    shown: bool
    members: int | None = None  # rounded down to a multiple of MEMBERS_STEP
    zones: dict[str, int | None] | None = None
    quadrants: dict[str, int | None] | None = None


def established(user_id: int, day: date, min_age: timedelta | None = None) -> bool:
    """Was the account at least ``min_age`` (default :data:`MIN_ACCOUNT_AGE`) old when ``day`` began?"""
    min_age = MIN_ACCOUNT_AGE if min_age is None else min_age
    created = datetime.fromtimestamp(((user_id >> 22) + DISCORD_EPOCH_MS) / 1000, UTC)
    return created <= datetime.combine(day, time(0), UTC) - min_age


def last_of_each_day(rows: Iterable[DayRow]) -> dict[date, list[DayRow]]:
    """Keep one row per member and day: the last one given (rows come oldest first)."""
    last: dict[tuple[date, int], DayRow] = {}
    for row in rows:
        last[(row.day, row.user_id)] = row
    by_day: dict[date, list[DayRow]] = {}
    for row in last.values():
        by_day.setdefault(row.day, []).append(row)
    return by_day


def _cells(counts: Counter[str], keys: Sequence[str]) -> dict[str, int | None]:
    return {key: counts[key] if counts[key] >= MIN_CELL else None for key in keys}


def aggregate_day(day: date, rows: Iterable[DayRow], *, min_age: timedelta | None = None) -> DayAggregate:
    """The publishable aggregate of one closed day from each member's last check-in that day."""
    counted = [r for r in rows if r.private and established(r.user_id, day, min_age)]
    if len(counted) < MIN_MEMBERS:
        return DayAggregate(day, False)
    return DayAggregate(
        day,
        True,
        members=len(counted) // MEMBERS_STEP * MEMBERS_STEP,
        zones=_cells(Counter(r.zone for r in counted), ZONES),
        quadrants=_cells(Counter(r.quadrant for r in counted), QUADRANTS),
    )


def closed_period(today: date, days: int) -> tuple[date, date]:
    """The ``days`` closed days before ``today`` (today is never included)."""
    last = today - timedelta(days=1)
    return last - timedelta(days=days - 1), last
