"""Turning what a facilitator typed into a valid sit (or a clear reason why not).

Pure functions over plain values: nothing here touches Discord or the database, so every rule
about titles, times, ranges and repeats is unit-tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from attune.errors import UserError
from attune.recurrence import Recurrence, Repeat
from attune.text import one_line
from attune.when import (
    ALL_DAYS,
    EXAMPLES,
    WEEKDAYS,
    describe_days,
    get_zone,
    parse_clock,
    parse_when,
    to_local,
    to_utc,
)
from cogs.sits.models import Sit

TITLE_MAX = 100
DURATION_MIN, DURATION_MAX, DURATION_DEFAULT = 1, 240, 20
REMINDER_MIN, REMINDER_MAX, REMINDER_DEFAULT = 0, 1440, 15
REPEATS = tuple(r.value for r in Repeat)
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class Draft:
    """A sit's settings, validated, before (or instead of) being stored."""

    title: str
    start_local: datetime
    zone: str
    repeat: Repeat
    weekdays: frozenset[int]
    duration_min: int
    reminder_min: int
    guide: str
    voice_channel_id: int | None
    channel_id: int

    @property
    def rule(self) -> Recurrence:
        return Recurrence(self.repeat, self.start_local, self.zone, self.weekdays)


def clean_title(text: str) -> str:
    """One line of plain text, 1–100 characters."""
    title = one_line(text or "")
    if not title:
        raise UserError("Give the sit a title, e.g. `Tuesday evening sit`.")
    if len(title) > TITLE_MAX:
        raise UserError(
            f"That title is {len(title)} characters; keep it to {TITLE_MAX}, e.g. `Tuesday evening sit`."
        )
    return title


def check_duration(minutes: int) -> int:
    if not DURATION_MIN <= minutes <= DURATION_MAX:
        raise UserError(
            f"A sit lasts {DURATION_MIN}–{DURATION_MAX} minutes; {minutes} is outside that. "
            f"Try `duration: {DURATION_DEFAULT}`."
        )
    return minutes


def check_reminder(minutes: int) -> int:
    if not REMINDER_MIN <= minutes <= REMINDER_MAX:
        raise UserError(
            f"The reminder is given in minutes before the start, {REMINDER_MIN}–{REMINDER_MAX} "
            f"(0 = no reminder); {minutes} is outside that. Try `reminder: {REMINDER_DEFAULT}`."
        )
    return minutes


def check_guide(guide: str) -> str:
    if guide not in ("silent", "wheel"):
        raise UserError("The guide is `silent` or `wheel`.")
    return guide


def _repeat(value: str) -> Repeat:
    try:
        return Repeat(value)
    except ValueError:
        raise UserError(f"`repeat` is one of {', '.join(f'`{r}`' for r in REPEATS)}.") from None


def _days_for(repeat: Repeat, days: frozenset[int] | None) -> frozenset[int]:
    """The weekdays a weekly/biweekly series falls on; refuses day lists other repeats can't keep."""
    if repeat in (Repeat.WEEKLY, Repeat.BIWEEKLY):
        return days or frozenset()
    if days is None or len(days) <= 1:
        return frozenset()
    if (repeat is Repeat.WEEKDAYS and days <= WEEKDAYS) or (repeat is Repeat.DAILY and days == ALL_DAYS):
        return frozenset()
    raise UserError(
        f"You named several days ({describe_days(days)}) but chose `repeat: {repeat.value}`. "
        "Use `repeat: weekly` (or `biweekly`) for a series on those days, or name one day, "
        "e.g. `tue 19:00`."
    )


def _read_when(
    text: str, zone: ZoneInfo, now: datetime, repeat: Repeat | None
) -> tuple[datetime, Repeat, frozenset[int]]:
    """Start, repeat and days from a ``when``; several named days imply a weekly series."""
    try:
        when = parse_when(text, zone, now)
    except UserError as error:
        if EXAMPLES in error.message:
            raise
        raise UserError(f"{error.message} For `when`, try {EXAMPLES} ({zone.key} time).") from None
    days = when.weekdays
    chosen = repeat if repeat is not None else (Repeat.WEEKLY if days and len(days) > 1 else Repeat.NONE)
    return when.local, chosen, _days_for(chosen, days)


def _require_ahead(rule: Recurrence, now: datetime, zone_name: str) -> None:
    if rule.next_after(now) is None:
        raise UserError(
            f"With those settings the sit has no date left ahead ({zone_name} time). Choose a time that is "
            f"still to come, e.g. {EXAMPLES}."
        )


def new_draft(
    *,
    title: str,
    when: str,
    zone_name: str,
    now: datetime,
    channel_id: int,
    duration: int = DURATION_DEFAULT,
    repeat: str | None = None,
    reminder: int = REMINDER_DEFAULT,
    guide: str = "silent",
    voice_channel_id: int | None = None,
) -> Draft:
    """Validate every option of ``/sit schedule``; the first problem found is raised as a UserError."""
    clean = clean_title(title)
    zone = get_zone(zone_name)
    check_duration(duration)
    check_reminder(reminder)
    check_guide(guide)
    start, chosen, days = _read_when(when, zone, now, _repeat(repeat) if repeat else None)
    draft = Draft(
        clean, start, zone.key, chosen, days, duration, reminder, guide, voice_channel_id, channel_id
    )
    _require_ahead(draft.rule, now, zone.key)
    return draft


def _bare_clock(text: str) -> bool:
    try:
        parse_clock(text)
    except UserError:
        return False
    return True


def edited_draft(
    sit: Sit,
    *,
    now: datetime,
    title: str | None = None,
    when: str | None = None,
    duration: int | None = None,
    repeat: str | None = None,
    reminder: int | None = None,
    zone_name: str | None = None,
    guide: str | None = None,
    voice_channel_id: int | None = None,
    channel_id: int | None = None,
) -> Draft:
    """``sit`` with the given options changed.

    ``when`` that is only a time of day (``19:30``) keeps the series' days and moves the time;
    a new zone without ``when`` keeps the wall time (19:00 stays 19:00, now read in the new zone).
    """
    zone = get_zone(zone_name) if zone_name else ZoneInfo(sit.zone)
    new_repeat = _repeat(repeat) if repeat else None
    draft = Draft(
        title=clean_title(title) if title is not None else sit.title,
        start_local=sit.start_local,
        zone=zone.key,
        repeat=new_repeat or sit.repeat,
        weekdays=sit.weekdays,
        duration_min=check_duration(duration) if duration is not None else sit.duration_min,
        reminder_min=check_reminder(reminder) if reminder is not None else sit.reminder_min,
        guide=check_guide(guide) if guide is not None else sit.guide,
        voice_channel_id=voice_channel_id if voice_channel_id is not None else sit.voice_channel_id,
        channel_id=channel_id if channel_id is not None else sit.channel_id,
    )
    upcoming = sit.next_start(now)
    if when is not None and _bare_clock(when) and upcoming is not None:
        day = to_local(upcoming, ZoneInfo(sit.zone)).date()
        start = datetime.combine(day, parse_clock(when))
        if draft.repeat is Repeat.NONE and to_utc(start, zone) <= now:
            raise UserError(
                f"{when.strip()[:20]} on that day has already passed ({zone.key} time); give a date "
                "too, e.g. `2026-12-01 19:30`."
            )
        keep = sit.weekdays if sit.repeat is draft.repeat else None
        draft = replace(draft, start_local=start, weekdays=_days_for(draft.repeat, keep))
    elif when is not None:
        default = new_repeat or (sit.repeat if sit.is_series else None)
        start, chosen, days = _read_when(when, zone, now, default)
        draft = replace(draft, start_local=start, repeat=chosen, weekdays=days)
    elif new_repeat is not None:
        if new_repeat is Repeat.NONE and upcoming is not None:
            draft = replace(draft, start_local=to_local(upcoming, ZoneInfo(sit.zone)))
        keep = sit.weekdays if sit.repeat in (Repeat.WEEKLY, Repeat.BIWEEKLY) else None
        draft = replace(draft, weekdays=_days_for(new_repeat, keep))
    elif zone_name and draft.repeat is Repeat.NONE and to_utc(draft.start_local, zone) <= now:
        raise UserError(f"In {zone.key} that sit's time has already passed; give a new `when` too.")
    _require_ahead(draft.rule, now, zone.key)
    return draft


def remap_exclusions(before: Sit, after: Draft) -> list[datetime]:
    """Cancelled dates stay cancelled when a series moves: the same local day, at the new time.

    Days on which the changed series no longer falls are dropped.
    """
    old_zone, new_zone = ZoneInfo(before.zone), ZoneInfo(after.zone)
    kept = []
    for excluded in sorted(before.exclusions):
        day = to_local(excluded, old_zone).date()
        candidate = to_utc(datetime.combine(day, after.start_local.time()), new_zone)
        if after.rule.next_after(candidate - _TICK) == candidate:
            kept.append(candidate)
    return kept
