"""Weekly streaks in the guild's time zone (ISO weeks, Monday first)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cogs.sits.streaks import Streak, weekly_streak

MONDAY = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def weeks_ago(*offsets: int) -> list[datetime]:
    return [MONDAY - timedelta(weeks=w) for w in offsets]


def test_no_practice_no_streak() -> None:
    assert weekly_streak([], "UTC", MONDAY) == Streak(0, 0, 0)


def test_consecutive_weeks_count_and_a_gap_breaks_the_run() -> None:
    practice = weeks_ago(0, 1, 2, 4, 5, 6, 7)  # this week and 2 before; a gap; then 4 in a row
    assert weekly_streak(practice, "UTC", MONDAY) == Streak(current=3, longest=4, weeks=7)


def test_a_week_without_practice_yet_does_not_end_the_streak() -> None:
    practice = weeks_ago(1, 2)
    assert weekly_streak(practice, "UTC", MONDAY).current == 2
    assert weekly_streak(weeks_ago(2, 3), "UTC", MONDAY).current == 0  # last week was missed


def test_several_sits_in_one_week_are_one_week() -> None:
    practice = [MONDAY, MONDAY + timedelta(days=2), MONDAY + timedelta(days=4)]
    assert weekly_streak(practice, "UTC", MONDAY + timedelta(days=5)) == Streak(1, 1, 1)


def test_weeks_are_read_in_the_guild_time_zone() -> None:
    sunday_night = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # Monday 00:30 in Berlin
    now = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    assert weekly_streak([sunday_night], "UTC", now).current == 1  # last week (in UTC)
    assert weekly_streak([sunday_night], "Europe/Berlin", now).current == 1  # this week (in Berlin)
    both = [sunday_night, datetime(2026, 2, 25, 12, 0, tzinfo=UTC)]
    assert weekly_streak(both, "UTC", now).longest == 1  # same UTC week
    assert weekly_streak(both, "Europe/Berlin", now).longest == 2  # consecutive Berlin weeks
