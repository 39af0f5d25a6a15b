"""The wheel's guide paced through a sit of any length, from the wheel capability's interface."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from attune.content import Content
from cogs.sits.guide_posts import MAX_CHARS, MIN_GAP, guide_posts
from cogs.wheel.guide import guide_for_sit


@pytest.mark.parametrize("minutes", [1, 5, 20, 45, 240])
def test_every_step_is_posted_once_in_order_within_the_sit(content: Content, minutes: int) -> None:
    posts = guide_posts(content.wheel, minutes)
    steps = [step for post in posts for step in post.steps]
    assert [s.step.id for s in steps] == [s.step.id for s in guide_for_sit(content.wheel, minutes)]
    assert posts[0].offset == timedelta()
    assert all(post.offset < timedelta(minutes=minutes) for post in posts)
    gaps = [b.offset - a.offset for a, b in itertools.pairwise(posts)]
    assert all(gap >= MIN_GAP for gap in gaps)
    assert [p.index for p in posts] == list(range(len(posts)))


def test_a_short_sit_groups_steps_and_a_long_one_paces_them_one_by_one(content: Content) -> None:
    short, long = guide_posts(content.wheel, 5), guide_posts(content.wheel, 45)
    assert len(short) < len(long) == len(content.wheel.steps())
    for post in short:  # grouped, yet each fits one embed
        text = sum(len(s.step.guidance) + len(s.step.title) + len(s.segment.name) + 12 for s in post.steps)
        assert text <= MAX_CHARS
