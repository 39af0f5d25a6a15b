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
