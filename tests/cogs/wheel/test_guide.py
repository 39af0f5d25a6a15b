"""The guide interface shared by the wheel practice and wheel-guided sits."""

from __future__ import annotations

import itertools
from datetime import timedelta

from attune.content import PRACTICE_ORDER, Content
from cogs.wheel.guide import guide_for_sit, length_for, walk


def test_walk_visits_every_segment_in_order(content: Content) -> None:
    steps = walk(content.wheel, "short")
    seen = list(dict.fromkeys(s.segment.id for s in steps))
    assert tuple(seen) == PRACTICE_ORDER
    assert steps[0].offset == timedelta()
    assert all(a.offset + a.duration == b.offset for a, b in itertools.pairwise(steps))
    assert 6 * 60 <= sum(s.duration.total_seconds() for s in steps) <= 8 * 60


def test_guide_fills_the_sit(content: Content) -> None:
    for minutes in (5, 20, 45):
        steps = guide_for_sit(content.wheel, minutes)
        end = steps[-1].offset + steps[-1].duration
        assert abs(end - timedelta(minutes=minutes)) <= timedelta(seconds=len(steps))
        assert [s.index for s in steps] == list(range(len(steps)))
    assert length_for(10, content.wheel) == "short"
    assert length_for(30, content.wheel) == "full"


def test_each_step_carries_its_length_and_the_text_to_show(content: Content) -> None:
    short = walk(content.wheel, "short")
    full = walk(content.wheel, "full")
    assert all(s.length == "short" for s in short) and all(s.length == "full" for s in full)
    assert short[2].text == short[2].step.cue and full[2].text == full[2].step.guidance
    assert all(s.ends == s.offset + s.duration for s in full)
    for minutes, length in ((10, "short"), (30, "full")):
        guided = guide_for_sit(content.wheel, minutes)
        assert {s.length for s in guided} == {length}
        assert [s.step.id for s in guided] == [s.id for s in content.wheel.steps()]
