"""Pure arithmetic over check-ins: local dates, streaks, a member's history (community aggregates:
:mod:`cogs.checkins.summary`).

No database and no Discord here: the service hands in plain rows, so every number a member or a
facilitator sees is unit-tested on its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from attune.content import QUADRANTS, ZONES


def streak(days: Iterable[date], today: date) -> int:
    """Consecutive days with at least one check-in, ending today.

    A streak that reached yesterday is still alive today (the day isn't over yet), so it counts
    until the member misses a whole day. A day with several check-ins counts once.
    """
    present = set(days)
    day = today if today in present else today - timedelta(days=1)
    count = 0
    while day in present:
        count += 1
        day -= timedelta(days=1)
    return count


# --------------------------------------------------------------------------- history


@dataclass(frozen=True)
class Entry:
    """One check-in as the statistics see it (no note: charts never need it)."""

    created_at: datetime
    local_date: date
    zone: str
    word: str
    quadrant: str
    energy: int
    pleasantness: int


@dataclass(frozen=True)
class DayPoint:
    """One calendar day of a member's history."""

    day: date
    count: int
    zones: tuple[str, ...]  # zones named that day, each once, in ZONES order
    energy: float | None  # mean of that day's check-ins
    pleasantness: float | None


@dataclass(frozen=True)
class HistoryData:
    """What the history chart shows, and what its text summary says."""

    first_day: date
    last_day: date
    days: tuple[DayPoint, ...]  # every day of the period, oldest first
    total: int
    days_checked_in: int
    zone_counts: dict[str, int]
    quadrant_counts: dict[str, int]
    top_words: tuple[tuple[str, int], ...]
    mean_energy: float | None
    mean_pleasantness: float | None
    streak: int
    #: Every check-in of the period on the mood map, oldest first: (energy, pleasantness, quadrant).
    moods: tuple[tuple[int, int, str], ...] = ()

    @property
    def empty(self) -> bool:
        return self.total == 0


def _mean(values: Sequence[int | float]) -> float | None:
    return sum(values) / len(values) if values else None


def history_data(
    entries: Iterable[Entry], *, today: date, days: int, streak_days: int, top: int = 5
) -> HistoryData:
    """Aggregate a member's check-ins over the ``days`` days ending ``today`` (inclusive)."""
    first_day = today - timedelta(days=days - 1)
    chosen = sorted((e for e in entries if first_day <= e.local_date <= today), key=lambda e: e.created_at)
    by_day: dict[date, list[Entry]] = {}
    for entry in chosen:
        by_day.setdefault(entry.local_date, []).append(entry)
    points = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        todays = by_day.get(day, [])
        named = {e.zone for e in todays}
        points.append(
            DayPoint(
                day=day,
                count=len(todays),
                zones=tuple(z for z in ZONES if z in named),
                energy=_mean([e.energy for e in todays]),
                pleasantness=_mean([e.pleasantness for e in todays]),
            )
        )
    words = Counter(e.word for e in chosen)
    ranked = sorted(words.items(), key=lambda item: (-item[1], item[0].lower()))
    zone_counts = Counter(e.zone for e in chosen)
    quadrant_counts = Counter(e.quadrant for e in chosen)
    return HistoryData(
        first_day=first_day,
        last_day=today,
        days=tuple(points),
        total=len(chosen),
        days_checked_in=len(by_day),
        zone_counts={z: zone_counts.get(z, 0) for z in ZONES},
        quadrant_counts={q: quadrant_counts.get(q, 0) for q in QUADRANTS},
        top_words=tuple(ranked[:top]),
        mean_energy=_mean([e.energy for e in chosen]),
        mean_pleasantness=_mean([e.pleasantness for e in chosen]),
        streak=streak_days,
        moods=tuple((e.energy, e.pleasantness, e.quadrant) for e in chosen),
    )


def _signed(value: float) -> str:
    return f"{value:+.1f}".replace("-", "−")


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def _lower_first(label: str) -> str:
    """``Within my window`` → ``within my window``; ``I could use support`` stays as it is."""
    if label[:2] == "I " or not label:
        return label
    return label[0].lower() + label[1:]


def _trend(data: HistoryData) -> str | None:
    """How energy and pleasantness moved between the first and second half of the period."""
    checked = [p for p in data.days if p.count]
    if len(checked) < 4:
        return None
    half = len(checked) // 2
    early, late = checked[:half], checked[half:]
    parts = []
    for name, attribute in (("energy", "energy"), ("pleasantness", "pleasantness")):
        before = _mean([getattr(p, attribute) for p in early])
        after = _mean([getattr(p, attribute) for p in late])
        if before is None or after is None:
            continue
        change = after - before
        if abs(change) < 0.5:
            parts.append(f"{name} stayed about the same")
        else:
            parts.append(f"{name} went {'up' if change > 0 else 'down'} ({_signed(change)})")
    return " and ".join(parts) if parts else None


def describe_history(data: HistoryData, zone_labels: dict[str, str], quadrant_labels: dict[str, str]) -> str:
    """The chart's content in words, for members who can't (or would rather not) read a chart."""
    period = f"{data.first_day.day} {data.first_day:%b} – {data.last_day.day} {data.last_day:%b %Y}"
    length = (data.last_day - data.first_day).days + 1
    if data.empty:
        return f"No check-ins between {period}."
    on_days = "that day" if length == 1 else f"on {data.days_checked_in} of {length} days"
    lines = [f"Between {period} you checked in {_times(data.total)}, {on_days}."]
    zones = sorted(
        ((z, n) for z, n in data.zone_counts.items() if n), key=lambda item: (-item[1], ZONES.index(item[0]))
    )
    described = ", ".join(f"{_lower_first(zone_labels.get(z, z))} {_times(n)}" for z, n in zones)
    lines.append(f"Zones: {described}.")
    quadrants = sorted(
        ((q, n) for q, n in data.quadrant_counts.items() if n),
        key=lambda item: (-item[1], QUADRANTS.index(item[0])),
    )
    top_quadrant, top_count = quadrants[0]
    lines.append(
        f"Most of your feelings were {_lower_first(quadrant_labels.get(top_quadrant, top_quadrant))} "
        f"({top_count} of {data.total})."
    )
    if data.mean_energy is not None and data.mean_pleasantness is not None:
        lines.append(
            f"On the −5 to +5 scales, energy averaged {_signed(data.mean_energy)} and "
            f"pleasantness {_signed(data.mean_pleasantness)}."
        )
    trend = _trend(data)
    if trend:
        lines.append(f"From the first half of the period to the second, {trend}.")
    if data.top_words:
        words = ", ".join(f"{word.lower()} ({n})" for word, n in data.top_words)
        lines.append(f"Most named: {words}.")
    return " ".join(lines)
