"""Occurrences of sits and their moments (reminder, bells, guide) computed from one rule, across DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from attune.recurrence import Recurrence, Repeat
from cogs.sits.rules import Offsets, Shifted, occurs_at
from tests.recurrences import with_exclusion

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def tue_thu_berlin() -> Recurrence:
    # Tuesday 24 March 2026, 19:00 Berlin; DST begins on Sunday 29 March.
    return Recurrence(Repeat.WEEKLY, datetime(2026, 3, 24, 19, 0), "Europe/Berlin", frozenset({1, 3}))


def test_a_weekly_sit_stays_at_19_local_across_the_spring_change() -> None:
    rule = tue_thu_berlin()
    starts = rule.between(utc(2026, 3, 20), utc(2026, 4, 3))
    assert [s.astimezone(BERLIN).strftime("%a %d %H:%M") for s in starts] == [
        "Tue 24 19:00",
        "Thu 26 19:00",
        "Tue 31 19:00",
        "Thu 02 19:00",
    ]
    # ... which is 18:00 UTC before the change and 17:00 UTC after it
    assert [s.hour for s in starts] == [18, 18, 17, 17]


def test_a_weekly_sit_stays_at_19_local_across_the_autumn_change() -> None:
    rule = Recurrence(Repeat.WEEKLY, datetime(2026, 10, 20, 19, 0), "America/New_York")
    starts = rule.between(utc(2026, 10, 1), utc(2026, 11, 20))
    assert {s.astimezone(NEW_YORK).strftime("%a %H:%M") for s in starts} == {"Tue 19:00"}
    assert [s.hour for s in starts] == [23, 23, 0, 0, 0]  # EDT, then EST (1 November)


def test_reminder_and_bells_follow_the_start_in_absolute_time() -> None:
    rule = tue_thu_berlin()
    reminder = Shifted(rule, -timedelta(minutes=15))
    end = Shifted(rule, timedelta(minutes=20))
    after_change = utc(2026, 3, 30)
    assert reminder.next_after(after_change) == utc(2026, 3, 31, 16, 45)
    assert end.next_after(after_change) == utc(2026, 3, 31, 17, 20)
    assert Shifted(rule).next_after(after_change) == utc(2026, 3, 31, 17, 0)
    assert utc(2026, 3, 31, 17, 20) - end.offset == utc(2026, 3, 31, 17, 0)
    # the reminder of the next sit is due before that sit, never after it
    assert reminder.next_after(utc(2026, 3, 31, 16, 45)) == utc(2026, 4, 2, 16, 45)


def test_a_cancelled_occurrence_is_skipped_by_every_moment() -> None:
    rule = with_exclusion(tue_thu_berlin(), utc(2026, 3, 31, 17, 0))
    assert Shifted(rule, -timedelta(minutes=15)).next_after(utc(2026, 3, 30)) == utc(2026, 4, 2, 16, 45)
    assert Shifted(rule, timedelta(minutes=20)).next_after(utc(2026, 3, 30)) == utc(2026, 4, 2, 17, 20)
    assert not occurs_at(rule, utc(2026, 3, 31, 17, 0))
    assert occurs_at(rule, utc(2026, 4, 2, 17, 0))


def test_offsets_walk_inside_each_occurrence_and_know_where_they_are() -> None:
    rule = Recurrence(Repeat.DAILY, datetime(2026, 1, 1, 7, 0), "UTC")
    steps = Offsets(rule, (timedelta(minutes=2), timedelta(minutes=5)))
    moments = []
    cursor = utc(2026, 1, 1)
    for _ in range(4):
        cursor = steps.next_after(cursor)
        moments.append(cursor)
    assert moments == [
        utc(2026, 1, 1, 7, 2),
        utc(2026, 1, 1, 7, 5),
        utc(2026, 1, 2, 7, 2),
        utc(2026, 1, 2, 7, 5),
    ]
    assert steps.locate(utc(2026, 1, 2, 7, 5)) == (utc(2026, 1, 2, 7, 0), 1)
    assert steps.locate(utc(2026, 1, 2, 7, 3)) is None


def test_a_one_off_has_no_moment_after_it() -> None:
    rule = Recurrence(Repeat.NONE, datetime(2026, 1, 1, 7, 0), "UTC")
    assert Shifted(rule, timedelta(minutes=20)).next_after(utc(2026, 1, 1, 7, 20)) is None
    assert Shifted(rule, -timedelta(minutes=15)).next_after(utc(2026, 1, 1)) == utc(2026, 1, 1, 6, 45)
