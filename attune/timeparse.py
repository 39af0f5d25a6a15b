"""Times people type, time zones, and recurrence rules.

Everything here works in a guild's IANA time zone at the edges and returns aware UTC datetimes.
Wall-clock rules follow the zone across daylight-saving changes: a weekly 19:00 sit stays at 19:00
local. A wall time that does not exist (the spring-forward gap) moves forward by the gap
(02:30 becomes 03:30); a wall time that happens twice (the autumn overlap) means the first one.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from apscheduler.triggers.base import BaseTrigger

from attune.errors import UserError

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ALL_DAYS: frozenset[int] = frozenset(range(7))
WEEKDAYS: frozenset[int] = frozenset(range(5))
WEEKEND: frozenset[int] = frozenset({5, 6})
MAX_AHEAD = timedelta(days=2 * 366)
_MAX_CANDIDATES = 5_000

_DAY_WORDS: dict[str, int] = {}
for _index, _name in enumerate(WEEKDAY_NAMES):
    _lower = _name.lower()
    for _alias in {_lower, _lower[:3], _lower[:2], _lower + "s", _lower[:3] + "."}:
        _DAY_WORDS[_alias] = _index
_DAY_WORDS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})

EXAMPLES = "`2026-12-01 19:00`, `19:00`, `tomorrow 07:30` or `mon 19:00`"


# --------------------------------------------------------------------------- zones


@cache
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(name for name in available_timezones() if "/" in name or name == "UTC"))


def get_zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``; a :class:`UserError` that suggests names otherwise."""
    cleaned = (name or "").strip()
    canonical = {n.lower(): n for n in _zone_names()}.get(cleaned.lower())
    if canonical is not None:
        return ZoneInfo(canonical)
    try:
        if cleaned and "/" in cleaned and ".." not in cleaned:
            return ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    hints = timezone_choices(cleaned, limit=3)
    hint = f" Did you mean {', '.join(f'`{h}`' for h in hints)}?" if hints else ""
    raise UserError(
        f"“{cleaned[:60]}” is not a time zone I know. Use an IANA name such as "
        f"`Europe/Berlin` or `America/New_York`.{hint}"
    )


def timezone_choices(query: str, limit: int = 25) -> list[str]:
    """Up to ``limit`` IANA names matching ``query``: prefix matches first, then substrings."""
    needle = query.strip().lower().replace(" ", "_")
    if not needle:
        popular = [
            "UTC",
            "Europe/London",
            "Europe/Berlin",
            "Europe/Paris",
            "America/New_York",
            "America/Chicago",
            "America/Denver",
            "America/Los_Angeles",
            "America/Sao_Paulo",
            "Asia/Kolkata",
            "Asia/Tokyo",
            "Australia/Sydney",
            "Africa/Johannesburg",
        ]
        return popular[:limit]
    names = _zone_names()
    prefix = [n for n in names if n.lower().startswith(needle)]
    city = [n for n in names if n.lower().split("/")[-1].startswith(needle) and n not in prefix]
    rest = [n for n in names if needle in n.lower() and n not in prefix and n not in city]
    return (prefix + city + rest)[:limit]


def to_utc(local: datetime, zone: tzinfo) -> datetime:
    """A naive wall-clock time in ``zone`` as an aware UTC instant (gap: forward; overlap: first)."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def to_local(instant: datetime, zone: tzinfo) -> datetime:
    """An aware instant as naive wall-clock time in ``zone``."""
    return instant.astimezone(zone).replace(tzinfo=None)


# ---------------------------------------------------------------------- clock times

_CLOCK = re.compile(r"^(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE)


def parse_clock(text: str) -> time:
    """``19:00``, ``7:30``, ``7pm``, ``7:30 am`` → a wall-clock time."""
    cleaned = text.strip().lower()
    match = _CLOCK.match(cleaned)
    if not match or (match["m"] is None and match["ampm"] is None):
        raise UserError(
            f"“{text.strip()[:40]}” is not a time of day. Use 24-hour `HH:MM`, e.g. `07:30` or `19:00`."
        )
    hour, minute = int(match["h"]), int(match["m"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise UserError(f"“{text.strip()[:40]}”: with am/pm the hour must be 1–12.")
        hour = hour % 12 + (12 if match["ampm"].startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise UserError(
            f"“{text.strip()[:40]}” is not a time of day: hours go to 23 and minutes to 59, "
            "e.g. `07:30` or `19:00`."
        )
    return time(hour, minute)


def parse_days(text: str | None) -> frozenset[int]:
    """``every day`` (default), ``weekdays``, ``weekends``, ``mon,wed,fri``, ``mon-fri`` → weekdays."""
    cleaned = (text or "").strip().lower()
    if cleaned in {"", "every day", "everyday", "daily", "all", "any"}:
        return ALL_DAYS
    if cleaned in {"weekdays", "weekday", "workdays"}:
        return WEEKDAYS
    if cleaned in {"weekends", "weekend"}:
        return WEEKEND
    days: set[int] = set()
    for part in re.split(r"[,\s/+&]+|\band\b", cleaned):
        if not part:
            continue
        if "-" in part:
            first, _, last = part.partition("-")
            if first in _DAY_WORDS and last in _DAY_WORDS:
                start, end = _DAY_WORDS[first], _DAY_WORDS[last]
                span = range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)]
                days.update(span)
                continue
        if part not in _DAY_WORDS:
            raise UserError(
                f"“{part[:20]}” is not a day. Use `every day`, `weekdays`, `weekends` or day names "
                "like `mon,wed,fri`."
            )
        days.add(_DAY_WORDS[part])
    return frozenset(days)


_NO_DAYS: frozenset[int] = frozenset()


def days_to_text(days: frozenset[int]) -> str:
    """Weekdays as stored in the database: ``"0,2,4"`` (Monday = 0)."""
    return ",".join(str(day) for day in sorted(days))


def days_from_text(text: str) -> frozenset[int]:
    """The inverse of :func:`days_to_text` (an empty text is the one shared empty set)."""
    return frozenset(int(part) for part in text.split(",") if part.strip()) if text.strip() else _NO_DAYS


def describe_days(days: frozenset[int]) -> str:
    """``every day``, ``on weekdays``, ``on Mondays, Wednesdays and Fridays``."""
    if days == ALL_DAYS:
        return "every day"
    if days == WEEKDAYS:
        return "on weekdays"
    if days == WEEKEND:
        return "on weekends"
    return "on " + join_words([WEEKDAY_NAMES[d] + "s" for d in sorted(days)])


def join_words(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# ---------------------------------------------------------------------- "when" strings


@dataclass(frozen=True)
class When:
    """A parsed ``when``: the first instant, its wall time, and day names if the person gave some."""

    at: datetime
    local: datetime
    weekdays: frozenset[int] | None = None


_RELATIVE = re.compile(r"^in\s+(?P<n>\d{1,4})\s*(?P<unit>m|min|mins|minutes?|h|hrs?|hours?)$")
_ISO = re.compile(r"^(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})(?:[ t]+|t)(?P<clock>.+)$")


def parse_when(text: str, zone: tzinfo, now: datetime) -> When:
    """Read a ``when`` string in ``zone``; the result is always in the future."""
    raw = " ".join((text or "").split())
    cleaned = re.sub(r"(\d)\s+(am|pm|a\.m\.|p\.m\.)$", r"\1\2", raw.lower())
    zone_name = getattr(zone, "key", str(zone))
    unreadable = UserError(
        f"I couldn't read “{raw[:60]}” as a time. Try {EXAMPLES} (times are in {zone_name})."
    )
    if not cleaned:
        raise unreadable
    local_now = to_local(now, zone)
    weekdays: frozenset[int] | None = None

    if match := _RELATIVE.match(cleaned):
        amount = int(match["n"])
        delta = timedelta(hours=amount) if match["unit"].startswith("h") else timedelta(minutes=amount)
        at = (now + delta).replace(second=0, microsecond=0)
        return When(at=at, local=to_local(at, zone))

    if match := _ISO.match(cleaned):
        clock = parse_clock(match["clock"])
        try:
            day = date(int(match["y"]), int(match["mo"]), int(match["d"]))
        except ValueError:
            raise UserError(f"“{raw[:60]}” has no such date. Use `YYYY-MM-DD HH:MM`.") from None
        local = datetime.combine(day, clock)
    else:
        head, _, tail = cleaned.rpartition(" ")
        clock = parse_clock(tail if head else cleaned)
        if head in {"", "next"}:
            local = datetime.combine(local_now.date(), clock)
            if to_utc(local, zone) <= now:
                local += timedelta(days=1)
        elif head in {"today", "tonight"}:
            local = datetime.combine(local_now.date(), clock)
        elif head == "tomorrow":
            local = datetime.combine(local_now.date() + timedelta(days=1), clock)
        else:
            try:
                weekdays = parse_days(head.removeprefix("next ").removeprefix("every "))
            except UserError:
                raise unreadable from None
            local = _next_matching(local_now, clock, weekdays, zone, now)

    try:
        at = to_utc(local, zone)
    except OverflowError:  # the calendar's first or last day: no such instant in UTC
        raise UserError(
            f"“{raw[:60]}” is {'in the past' if local < local_now else 'more than two years ahead'}; "
            f"choose a date within the next two years, e.g. {EXAMPLES}."
        ) from None
    if at <= now:
        raise UserError(
            f"“{raw[:60]}” is in the past ({zone_name} time). Choose a time that is still ahead, "
            f"e.g. {EXAMPLES}."
        )
    if at - now > MAX_AHEAD:
        raise UserError(f"“{raw[:60]}” is more than two years ahead; choose a nearer date.")
    return When(at=at, local=local, weekdays=weekdays)


def _next_matching(
    local_now: datetime, clock: time, days: frozenset[int], zone: tzinfo, now: datetime
) -> datetime:
    for offset in range(8):
        candidate = datetime.combine(local_now.date() + timedelta(days=offset), clock)
        if candidate.weekday() in days and to_utc(candidate, zone) > now:
            return candidate
    raise AssertionError("a weekday always matches within 8 days")  # pragma: no cover


# ------------------------------------------------------------------------- recurrence


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

    def with_exclusion(self, instant: datetime) -> Recurrence:
        return Recurrence(self.repeat, self.start, self.zone_name, self.weekdays, self.exclusions | {instant})

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

    def rrule_text(self) -> str | None:
        rule = self.rrule()
        if rule is None:
            return None
        parts = []
        for key, value in rule.items():
            text = ",".join(str(v) for v in value) if isinstance(value, list) else str(value)
            parts.append(f"{key}={text}")
        return ";".join(parts)


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
