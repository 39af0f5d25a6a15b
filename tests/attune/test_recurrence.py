"""Recurrence rules — repeat kinds, exclusions, RRULE, the trigger — across DST transition days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from attune.recurrence import Recurrence, RecurrenceTrigger, Repeat, weekly_at
from attune.when import (
    ALL_DAYS,
)
from tests.recurrences import rrule_text, with_exclusion

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
# Wednesday 25 November 2026, 10:00 in Berlin.
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def local(at: datetime, zone: ZoneInfo = BERLIN) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M %a")


def test_weekly_sit_stays_at_local_time_across_dst_in_berlin() -> None:
    rule = Recurrence(Repeat.WEEKLY, datetime(2026, 3, 17, 19, 0), "Europe/Berlin")
    times = rule.between(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 10, tzinfo=UTC))
    assert [local(t) for t in times] == [
        "2026-03-17 19:00 Tue",
        "2026-03-24 19:00 Tue",
        "2026-03-31 19:00 Tue",
        "2026-04-07 19:00 Tue",
    ]
    assert [t.hour for t in times] == [18, 18, 17, 17]  # UTC shifts, local time doesn't


def test_daily_rule_across_new_york_transitions() -> None:
    # New York springs forward 2026-03-08 02:00 and falls back 2026-11-01 02:00.
    rule = Recurrence(Repeat.DAILY, datetime(2026, 3, 7, 2, 30), "America/New_York")
    spring = rule.between(datetime(2026, 3, 7, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC))
    assert [local(t, NEW_YORK) for t in spring] == [
        "2026-03-07 02:30 Sat",
        "2026-03-08 03:30 Sun",  # 02:30 does not exist that day
        "2026-03-09 02:30 Mon",
    ]
    autumn = Recurrence(Repeat.DAILY, datetime(2026, 10, 31, 1, 30), "America/New_York")
    times = autumn.between(datetime(2026, 10, 31, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC))
    assert len(times) == 3  # 01:30 happens twice on 1 November; the sit happens once
    assert times[1] == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("repeat", "start", "expected"),
    [
        (Repeat.NONE, datetime(2026, 12, 1, 19), ["2026-12-01 19:00 Tue"]),
        (
            Repeat.WEEKDAYS,
            datetime(2026, 12, 4, 7),
            ["2026-12-04 07:00 Fri", "2026-12-07 07:00 Mon"],
        ),
        (
            Repeat.BIWEEKLY,
            datetime(2026, 12, 1, 19),
            ["2026-12-01 19:00 Tue", "2026-12-15 19:00 Tue"],
        ),
        (
            Repeat.MONTHLY,
            datetime(2026, 12, 31, 19),
            ["2026-12-31 19:00 Thu", "2027-01-31 19:00 Sun"],
        ),
    ],
)
def test_repeat_kinds(repeat: Repeat, start: datetime, expected: list[str]) -> None:
    rule = Recurrence(repeat, start, "Europe/Berlin")
    times = rule.between(NOW, NOW + timedelta(days=70), limit=len(expected))
    assert [local(t) for t in times] == expected


def test_monthly_on_the_31st_skips_short_months() -> None:
    rule = Recurrence(Repeat.MONTHLY, datetime(2027, 1, 31, 8), "UTC")
    months = [t.month for t in rule.between(NOW, NOW + timedelta(days=200))]
    assert months == [1, 3, 5]


def test_exclusions_cancel_one_occurrence() -> None:
    rule = Recurrence(Repeat.WEEKLY, datetime(2026, 12, 1, 19), "Europe/Berlin")
    first = rule.first()
    assert first is not None
    skipped = with_exclusion(rule, first)
    assert skipped.first() == first + timedelta(days=7)


def test_descriptions_in_plain_words() -> None:
    start = datetime(2026, 12, 1, 19)
    assert (
        Recurrence(Repeat.WEEKLY, start, "Europe/Berlin", weekdays=frozenset({1, 3})).describe()
        == "every Tuesday and Thursday at 19:00 Europe/Berlin"
    )
    assert Recurrence(Repeat.BIWEEKLY, start, "UTC").describe() == "every other Tuesday at 19:00 UTC"
    assert Recurrence(Repeat.DAILY, start, "UTC").describe() == "every day at 19:00 UTC"
    assert "weekday" in Recurrence(Repeat.WEEKDAYS, start, "UTC").describe()
    assert Recurrence(Repeat.MONTHLY, start, "UTC").describe() == "every month on the 1st at 19:00 UTC"
    assert Recurrence(Repeat.NONE, start, "UTC").describe().startswith("once, on Tuesday 1 December 2026")


def test_rrule_round_trips_through_icalendar() -> None:
    rule = Recurrence(Repeat.BIWEEKLY, datetime(2026, 12, 1, 19), "Europe/Berlin", frozenset({1, 3}))
    assert rrule_text(rule) == "FREQ=WEEKLY;BYDAY=TU,TH;WKST=MO;INTERVAL=2"
    parsed = icalendar.vRecur.from_ical(rrule_text(rule))
    assert parsed["FREQ"] == ["WEEKLY"]
    assert parsed["BYDAY"] == ["TU", "TH"]
    assert Recurrence(Repeat.NONE, datetime(2026, 12, 1, 19), "UTC").rrule() is None


def test_trigger_follows_the_rule() -> None:
    rule = Recurrence(Repeat.DAILY, datetime(2026, 11, 25, 19), "Europe/Berlin")
    trigger = RecurrenceTrigger(rule)
    first = trigger.get_next_fire_time(None, NOW)
    assert first is not None and local(first) == "2026-11-25 19:00 Wed"
    second = trigger.get_next_fire_time(first, first)
    assert second is not None and local(second) == "2026-11-26 19:00 Thu"


def test_weekly_at_helper() -> None:
    from datetime import date, time

    every_day = weekly_at(time(9), ALL_DAYS, "UTC", date(2026, 11, 25))
    assert every_day.repeat is Repeat.DAILY
    weekdays = weekly_at(time(9), frozenset({0, 2}), "UTC", date(2026, 11, 25))
    times = weekdays.between(NOW - timedelta(hours=1), NOW + timedelta(days=7))
    assert [t.weekday() for t in times] == [2, 0, 2]
