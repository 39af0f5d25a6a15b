"""`when` strings, clock times and days, and time zones — including DST transition days."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attune.errors import UserError
from attune.when import (
    ALL_DAYS,
    describe_days,
    get_zone,
    parse_clock,
    parse_days,
    parse_when,
    timezone_choices,
    to_utc,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
# Wednesday 25 November 2026, 10:00 in Berlin.
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def local(at: datetime, zone: ZoneInfo = BERLIN) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M %a")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01 19:00", "2026-12-01 19:00 Tue"),
        ("19:00", "2026-11-25 19:00 Wed"),
        ("09:30", "2026-11-26 09:30 Thu"),  # already past today -> tomorrow
        ("tomorrow 07:30", "2026-11-26 07:30 Thu"),
        ("mon 19:00", "2026-11-30 19:00 Mon"),
        ("Wednesday 19:00", "2026-11-25 19:00 Wed"),
        ("wed 08:00", "2026-12-02 08:00 Wed"),  # today but past -> next week
        ("7pm", "2026-11-25 19:00 Wed"),
        ("today 7:30 pm", "2026-11-25 19:30 Wed"),
        ("in 30 min", "2026-11-25 10:30 Wed"),
    ],
)
def test_parse_when_formats(text: str, expected: str) -> None:
    assert local(parse_when(text, BERLIN, NOW).at) == expected


def test_day_names_are_remembered_for_weekly_rules() -> None:
    when = parse_when("tue,thu 19:00", BERLIN, NOW)
    assert when.weekdays == frozenset({1, 3})
    assert local(when.at) == "2026-11-26 19:00 Thu"


@pytest.mark.parametrize("text", ["2026-11-24 19:00", "today 08:00", "2020-01-01 10:00"])
def test_past_times_are_rejected(text: str) -> None:
    with pytest.raises(UserError, match="in the past"):
        parse_when(text, BERLIN, NOW)


@pytest.mark.parametrize("text", ["", "soon", "25:00", "2026-02-30 10:00", "funday 10:00", "19:61"])
def test_unreadable_times_say_how_to_write_them(text: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_when(text, BERLIN, NOW)
    assert "`" in caught.value.message


@given(st.text(max_size=200))
def test_parse_when_never_raises_anything_but_a_user_error(text: str) -> None:
    try:
        when = parse_when(text, BERLIN, NOW)
    except UserError as error:
        assert error.message
    else:
        assert when.at > NOW
        assert when.at.tzinfo is not None


def test_clock_and_days() -> None:
    assert parse_clock("07:05").strftime("%H:%M") == "07:05"
    assert parse_clock("12am").hour == 0
    assert parse_clock("12pm").hour == 12
    assert parse_days(None) == ALL_DAYS
    assert parse_days("mon-fri") == frozenset(range(5))
    assert parse_days("fri-mon") == frozenset({4, 5, 6, 0})
    assert parse_days("mon, wed and fri") == frozenset({0, 2, 4})
    assert describe_days(frozenset({0, 2})) == "on Mondays and Wednesdays"
    with pytest.raises(UserError):
        parse_days("someday")


def test_zones() -> None:
    assert get_zone("europe/berlin").key == "Europe/Berlin"
    with pytest.raises(UserError, match="Did you mean"):
        get_zone("Berlin")
    with pytest.raises(UserError):
        get_zone("../../etc/passwd")
    assert timezone_choices("berl")[0] == "Europe/Berlin"
    assert len(timezone_choices("a")) == 25
    assert len(timezone_choices("")) <= 25


def test_gap_moves_forward_and_overlap_takes_the_first() -> None:
    # Berlin springs forward 2026-03-29 02:00 -> 03:00; falls back 2026-10-25 03:00 -> 02:00.
    assert local(to_utc(datetime(2026, 3, 29, 2, 30), BERLIN)) == "2026-03-29 03:30 Sun"
    overlap = to_utc(datetime(2026, 10, 25, 2, 30), BERLIN)
    assert overlap == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first 02:30 (CEST)


def test_weekday_sets_round_trip_through_their_stored_text() -> None:
    from attune.when import days_from_text, days_to_text

    assert days_to_text(frozenset({4, 0, 2})) == "0,2,4"
    assert days_from_text("0,2,4") == frozenset({0, 2, 4})
    assert days_from_text("") == frozenset()
    assert days_from_text("") is days_from_text(" ")  # one shared empty set
