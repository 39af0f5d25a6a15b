"""Calendar files, parsed back with icalendar and expanded with dateutil: the same occurrences as ours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from icalendar import Calendar

from cogs.sits.ics import calendar, sit_event
from tests.cogs.sits.factory import NOW, as_sit, draft

BERLIN = ZoneInfo("Europe/Berlin")


def parse(payload: bytes) -> list:  # type: ignore[type-arg]
    return Calendar.from_ical(payload).walk("VEVENT")


def expand(event, until: datetime) -> list[datetime]:  # type: ignore[no-untyped-def]
    """Every occurrence the calendar app would show: RRULE from DTSTART, minus EXDATEs."""
    start = event.decoded("dtstart")
    rule = event.get("rrule")
    if rule is None:
        return [start]
    occurrences = rrulestr(rule.to_ical().decode(), dtstart=start).between(start, until, inc=True)
    exdates = event.get("exdate", [])
    excluded = {d.dt for group in (exdates if isinstance(exdates, list) else [exdates]) for d in group.dts}
    return [o for o in occurrences if o not in excluded]


def test_a_series_is_one_vevent_with_tzid_duration_rrule_and_exdates() -> None:
    cancelled = datetime(2026, 1, 13, 18, 0, tzinfo=UTC)  # Tuesday 13 January, 19:00 Berlin
    sit = as_sit(draft(duration=30), exclusions=frozenset({cancelled}))
    (event,) = parse(calendar([sit_event(sit, stamp=NOW, location="#zendo")]))
    assert str(event["summary"]) == "Evening sit"
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("dtstart") == datetime(2026, 1, 1, 19, 0, tzinfo=BERLIN)
    assert event.decoded("duration") == timedelta(minutes=30)
    assert event["rrule"].to_ical() == b"FREQ=WEEKLY;BYDAY=TU,TH;WKST=MO"
    assert [d.dt for d in event["exdate"].dts] == [cancelled.astimezone(BERLIN)]
    assert event["exdate"].params["TZID"] == "Europe/Berlin"
    assert str(event["location"]) == "#zendo"


def test_the_calendar_shows_exactly_our_occurrences_across_dst() -> None:
    cancelled = {datetime(2026, 3, 31, 17, 0, tzinfo=UTC), datetime(2026, 1, 8, 18, 0, tzinfo=UTC)}
    sit = as_sit(draft(), exclusions=frozenset(cancelled))
    (event,) = parse(calendar([sit_event(sit, stamp=NOW)]))
    until = datetime(2026, 4, 30, tzinfo=UTC)
    ours = sit.rule.between(NOW - timedelta(days=1), until)
    theirs = [o.astimezone(UTC) for o in expand(event, until)]
    assert theirs == ours
    assert datetime(2026, 3, 26, 18, 0, tzinfo=UTC) in theirs  # before the change: 18:00 UTC
    assert datetime(2026, 4, 2, 17, 0, tzinfo=UTC) in theirs  # after it: 17:00 UTC
    assert not cancelled & set(theirs)


def test_a_one_off_has_no_rrule_and_biweekly_has_an_interval() -> None:
    once = as_sit(draft(when="2026-02-01 08:00"))
    (event,) = parse(calendar([sit_event(once, stamp=NOW)]))
    assert "rrule" not in event
    assert event.decoded("dtstart") == datetime(2026, 2, 1, 8, 0, tzinfo=BERLIN)
    biweekly = as_sit(draft(when="mon 19:00", repeat="biweekly"))
    (event,) = parse(calendar([sit_event(biweekly, stamp=NOW)]))
    assert event["rrule"].to_ical() == b"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;WKST=MO"
    assert [o.astimezone(UTC) for o in expand(event, datetime(2026, 3, 1, tzinfo=UTC))] == (
        biweekly.rule.between(NOW, datetime(2026, 3, 1, tzinfo=UTC))
    )


def test_a_calendar_of_several_sits_carries_their_time_zones() -> None:
    berlin = as_sit(draft())
    new_york = as_sit(draft(zone_name="America/New_York", when="08:00", repeat="monthly"), id=2)
    payload = calendar([sit_event(berlin, stamp=NOW), sit_event(new_york, stamp=NOW)])
    parsed = Calendar.from_ical(payload)
    assert {str(tz["tzid"]) for tz in parsed.walk("VTIMEZONE")} == {"Europe/Berlin", "America/New_York"}
    uids = [str(e["uid"]) for e in parsed.walk("VEVENT")]
    assert len(set(uids)) == 2
    monthly = parsed.walk("VEVENT")[1]
    assert monthly["rrule"].to_ical() == b"FREQ=MONTHLY;BYMONTHDAY=1"  # 08:00 New York is still ahead
