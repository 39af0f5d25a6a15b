"""Times people type and time zones (recurrence rules are in :mod:`attune.recurrence`).

Everything here works in a guild's IANA time zone at the edges and returns aware UTC datetimes.
Wall-clock rules follow the zone across daylight-saving changes: a weekly 19:00 sit stays at 19:00
local. A wall time that does not exist (the spring-forward gap) moves forward by the gap
(02:30 becomes 03:30); a wall time that happens twice (the autumn overlap) means the first one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from attune.errors import UserError

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ALL_DAYS: frozenset[int] = frozenset(range(7))
WEEKDAYS: frozenset[int] = frozenset(range(5))
WEEKEND: frozenset[int] = frozenset({5, 6})
MAX_AHEAD = timedelta(days=2 * 366)

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


def local_date_of(instant: datetime, zone: tzinfo) -> date:
    """The calendar date that ``instant`` (aware) falls on in ``zone``."""
    return instant.astimezone(zone).date()


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
