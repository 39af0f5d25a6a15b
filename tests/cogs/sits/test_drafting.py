"""What facilitators type → a valid sit, or a clear answer; edits keep what they don't mention."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from attune.errors import UserError
from attune.recurrence import Repeat
from cogs.sits.drafting import edited_draft, remap_exclusions
from tests.cogs.sits.factory import NOW, as_sit, draft


def test_several_days_make_a_weekly_series_described_in_plain_words() -> None:
    d = draft()
    assert d.repeat is Repeat.WEEKLY
    assert d.rule.weekdays == frozenset({1, 3})
    assert d.start_local == datetime(2026, 1, 1, 19, 0)  # today is a Thursday
    assert d.rule.describe() == "every Tuesday and Thursday at 19:00 Europe/Berlin"
    assert (d.duration_min, d.reminder_min, d.guide) == (20, 15, "silent")


def test_a_plain_time_is_a_one_off_unless_repeat_says_otherwise() -> None:
    assert draft(when="2026-12-01 19:00").repeat is Repeat.NONE
    daily = draft(when="07:30", repeat="daily")
    assert daily.repeat is Repeat.DAILY
    assert daily.start_local == datetime(2026, 1, 2, 7, 30)  # 07:30 Berlin has passed today
    assert draft(when="mon 19:00", repeat="biweekly").rule.describe() == (
        "every other Monday at 19:00 Europe/Berlin"
    )


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"when": "someday soon"}, "For `when`, try"),
        ({"when": "the blue moon 19:00"}, "couldn't read"),
        ({"when": "2025-12-01 19:00"}, "in the past"),
        ({"zone_name": "Mars/Olympus"}, "not a time zone"),
        ({"duration": 0}, "1–240 minutes"),
        ({"duration": 241}, "1–240 minutes"),
        ({"reminder": -5}, "0 = no reminder"),
        ({"reminder": 1441}, "0 = no reminder"),
        ({"title": "x" * 101}, "keep it to 100"),
        ({"title": "   "}, "Give the sit a title"),
        ({"repeat": "daily"}, "Use `repeat: weekly`"),
        ({"repeat": "none"}, "Use `repeat: weekly`"),
    ],
)
def test_bad_input_is_refused_with_what_to_do_instead(options: dict[str, object], says: str) -> None:
    with pytest.raises(UserError) as caught:
        draft(**options)
    assert says in caught.value.message


def test_titles_are_one_line_of_plain_text() -> None:
    assert draft(title="  Morning\n  sit  ").title == "Morning sit"


def test_editing_only_the_time_keeps_the_series_days() -> None:
    sit = as_sit(draft())
    moved = edited_draft(sit, now=NOW, when="19:30")
    assert moved.rule.weekdays == frozenset({1, 3})
    assert moved.repeat is Repeat.WEEKLY
    assert moved.rule.describe() == "every Tuesday and Thursday at 19:30 Europe/Berlin"
    assert moved.rule.next_after(NOW) == datetime(2026, 1, 1, 18, 30, tzinfo=UTC)


def test_editing_a_one_off_time_keeps_its_day() -> None:
    sit = as_sit(draft(when="2026-01-10 19:00"))
    moved = edited_draft(sit, now=NOW, when="08:15")
    assert moved.start_local == datetime(2026, 1, 10, 8, 15)
    with pytest.raises(UserError, match="already passed"):
        edited_draft(as_sit(draft(when="23:00")), now=NOW, when="09:00")


def test_a_new_zone_keeps_the_wall_time() -> None:
    sit = as_sit(draft())
    moved = edited_draft(sit, now=NOW, zone_name="America/New_York")
    assert moved.rule.describe() == "every Tuesday and Thursday at 19:00 America/New_York"


def test_a_series_made_one_off_keeps_its_next_occurrence() -> None:
    sit = as_sit(draft(when="07:30", repeat="daily"))
    once = edited_draft(sit, now=datetime(2026, 1, 5, 12, 0, tzinfo=UTC), repeat="none")
    assert once.repeat is Repeat.NONE
    assert once.start_local == datetime(2026, 1, 6, 7, 30)


def test_edit_changes_only_what_it_names_and_validates_it() -> None:
    sit = as_sit(draft(guide="wheel", reminder=0, duration=45))
    renamed = edited_draft(sit, now=NOW, title="Thursday sit")
    assert (renamed.title, renamed.guide, renamed.reminder_min, renamed.duration_min) == (
        "Thursday sit",
        "wheel",
        0,
        45,
    )
    assert renamed.rule == sit.plain_rule
    with pytest.raises(UserError, match="1–240"):
        edited_draft(sit, now=NOW, duration=300)


def test_cancelled_dates_stay_cancelled_when_the_series_moves() -> None:
    d = draft()
    tuesday = datetime(2026, 1, 6, 18, 0, tzinfo=UTC)  # 19:00 Berlin
    thursday = datetime(2026, 1, 8, 18, 0, tzinfo=UTC)
    sit = as_sit(d, exclusions=frozenset({tuesday, thursday}))
    later = edited_draft(sit, now=NOW, when="19:30")
    assert remap_exclusions(sit, later) == [
        datetime(2026, 1, 6, 18, 30, tzinfo=UTC),
        datetime(2026, 1, 8, 18, 30, tzinfo=UTC),
    ]
    only_tuesdays = edited_draft(sit, now=NOW, when="tue 19:00")
    assert remap_exclusions(sit, only_tuesdays) == [tuesday]
