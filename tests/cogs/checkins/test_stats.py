"""Streaks, local dates across time zones, the history chart's data and the community summary."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from attune.when import local_date_of
from cogs.checkins.stats import (
    Entry,
    describe_history,
    history_data,
    streak,
)

D = date(2026, 3, 10)
ZONE_LABELS = {
    "chaos": "Chaos / revved up",
    "within": "Within my window",
    "rigidity": "Rigidity / shut down",
    "support": "I could use support",
}
QUADRANT_LABELS = {
    "high_unpleasant": "High energy, unpleasant",
    "high_pleasant": "High energy, pleasant",
    "low_pleasant": "Low energy, pleasant",
    "low_unpleasant": "Low energy, unpleasant",
}


def entry(
    day: date, zone: str = "within", word: str = "Calm", energy: int = -3, pleasant: int = 3, hour: int = 9
):
    quadrant = ("high" if energy > 0 else "low") + ("_pleasant" if pleasant > 0 else "_unpleasant")
    at = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    return Entry(at, day, zone, word, quadrant, energy, pleasant)


# ------------------------------------------------------------------------------ streaks


def test_streak_counts_consecutive_days_ending_today() -> None:
    days = [D, D - timedelta(days=1), D - timedelta(days=2), D - timedelta(days=4)]
    assert streak(days, D) == 3


def test_a_day_with_several_checkins_counts_once() -> None:
    assert streak([D, D, D, D - timedelta(days=1)], D) == 2


def test_streak_reaching_yesterday_is_still_alive_until_today_ends() -> None:
    assert streak([D - timedelta(days=1), D - timedelta(days=2)], D) == 2
    assert streak([D - timedelta(days=2)], D) == 0
    assert streak([], D) == 0


def test_streaks_follow_the_local_calendar_across_time_zones() -> None:
    # Two check-ins an hour apart around midnight UTC.
    instants = [datetime(2026, 1, 1, 23, 30, tzinfo=UTC), datetime(2026, 1, 2, 0, 30, tzinfo=UTC)]

    def streak_in(zone_name: str) -> int:
        zone = ZoneInfo(zone_name)
        days = [local_date_of(i, zone) for i in instants]
        return streak(days, local_date_of(instants[-1], zone))

    assert streak_in("UTC") == 2  # 1 and 2 January
    assert streak_in("America/New_York") == 1  # both on the evening of 1 January
    assert streak_in("Asia/Tokyo") == 1  # both on the morning of 2 January
    assert streak_in("Asia/Kolkata") == 1  # 05:00 and 06:00 on 2 January


def test_streak_across_a_daylight_saving_change() -> None:
    # Berlin springs forward on 29 March 2026: 23:30 local each evening is 22:30 then 21:30 UTC.
    zone = ZoneInfo("Europe/Berlin")
    instants = [
        datetime(2026, 3, 28, 22, 30, tzinfo=UTC),  # 28 March 23:30 CET
        datetime(2026, 3, 29, 21, 30, tzinfo=UTC),  # 29 March 23:30 CEST
        datetime(2026, 3, 30, 21, 30, tzinfo=UTC),  # 30 March 23:30 CEST
    ]
    days = [local_date_of(i, zone) for i in instants]
    assert days == [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]
    assert streak(days, date(2026, 3, 30)) == 3


# ---------------------------------------------------------------------------- history


def test_history_data_has_every_day_of_the_period_with_its_zones_and_means() -> None:
    entries = [
        entry(D, "chaos", "Anxious", 3, -3, hour=8),
        entry(D, "within", "Calm", -3, 3, hour=20),
        entry(D - timedelta(days=2), "rigidity", "Numb", -4, -2),
        entry(D - timedelta(days=40), "chaos", "Furious", 4, -5),  # outside the window
    ]
    data = history_data(entries, today=D, days=7, streak_days=1)
    assert [p.day for p in data.days] == [D - timedelta(days=6 - i) for i in range(7)]
    today = data.days[-1]
    assert today.count == 2
    assert today.zones == ("chaos", "within")
    assert today.energy == 0 and today.pleasantness == 0
    assert data.days[-3].zones == ("rigidity",)
    assert data.days[-2].count == 0 and data.days[-2].energy is None
    assert data.total == 3
    assert data.days_checked_in == 2
    assert data.zone_counts == {"chaos": 1, "within": 1, "rigidity": 1, "support": 0}
    assert data.quadrant_counts["low_unpleasant"] == 1
    assert data.mean_energy == (3 - 3 - 4) / 3
    assert data.streak == 1


def test_most_named_words_are_ranked_by_count_then_alphabetically() -> None:
    entries = [entry(D, word="Calm"), entry(D, word="Calm"), entry(D, word="Tired", energy=-3, pleasant=-1)]
    entries += [
        entry(D, word="Anxious", energy=3, pleasant=-3),
        entry(D, word="Anxious", energy=3, pleasant=-3),
    ]
    data = history_data(entries, today=D, days=1, streak_days=1, top=2)
    assert data.top_words == (("Anxious", 2), ("Calm", 2))


def test_empty_history() -> None:
    data = history_data([], today=D, days=30, streak_days=0)
    assert data.empty
    assert len(data.days) == 30
    assert data.mean_energy is None
    assert describe_history(data, ZONE_LABELS, QUADRANT_LABELS).startswith("No check-ins between")


def test_the_text_summary_says_what_the_chart_shows() -> None:
    entries = [entry(D - timedelta(days=i), "within", "Calm", -3, 3) for i in range(3)]
    entries += [entry(D - timedelta(days=i), "chaos", "Anxious", 3, -3) for i in range(3, 6)]
    data = history_data(entries, today=D, days=10, streak_days=6)
    text = describe_history(data, ZONE_LABELS, QUADRANT_LABELS)
    assert "you checked in 6 times, on 6 of 10 days" in text
    assert "within my window 3 times" in text and "chaos / revved up 3 times" in text
    assert "energy averaged +0.0 and pleasantness +0.0" in text
    # Earlier days were revved up and unpleasant, later ones calm and pleasant.
    assert "energy went down (−6.0)" in text and "pleasantness went up (+6.0)" in text
    assert "Most named: anxious (3), calm (3)." in text
