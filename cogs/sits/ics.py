"""Calendar files (RFC 5545) for sits: one VEVENT per sit, RRULE for series, EXDATE per cancellation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from cogs.sits.models import Sit

if TYPE_CHECKING:  # icalendar is imported on the first calendar request, not at start-up
    from icalendar import Event

PRODID = "-//Attune//Group sits//EN"


def sit_event(sit: Sit, *, stamp: datetime, location: str | None = None, description: str = "") -> Event:
    """The VEVENT of one sit: DTSTART in the sit's own zone (TZID), so DST is the calendar's job."""
    from icalendar import Event

    zone = ZoneInfo(sit.zone)
    rule = sit.plain_rule
    first = rule.first() or rule.next_after(stamp)
    start = first.astimezone(zone) if first else sit.start_local.replace(tzinfo=zone)
    event = Event()
    event.add("uid", f"sit-{sit.id}-{sit.guild_id}@attune")
    event.add("dtstamp", stamp)
    event.add("summary", sit.title)
    event.add("dtstart", start)
    event.add("duration", sit.length)
    rrule = rule.rrule()
    if rrule is not None:
        event.add("rrule", rrule)
    for excluded in sorted(sit.exclusions):
        event.add("exdate", [excluded.astimezone(zone)])
    if location:
        event.add("location", location)
    if description:
        event.add("description", description)
    return event


def calendar(events: Iterable[Event], *, name: str = "Attune sits") -> bytes:
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
