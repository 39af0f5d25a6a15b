"""The walk's state: step clock, pause holds the remaining time, advance, finish."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from attune.content import Content
from cogs.wheel.guide import walk
from cogs.wheel.practice import Walk


def remaining_total(walk: Walk, now: datetime) -> timedelta:
    """What is left of the whole walk: the current step's rest and every later step."""
    if walk.finished:
        return timedelta()
    return walk.remaining(now) + sum((s.duration for s in walk.steps[walk.index + 1 :]), timedelta())


T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def test_the_step_ends_after_its_duration(content: Content) -> None:
    w = Walk(walk(content.wheel, "short"), started=T0)
    first = w.current.duration
    assert w.number == 1
    assert w.step_ends_at(T0) == T0 + first
    assert w.remaining(T0 + timedelta(seconds=5)) == first - timedelta(seconds=5)
    total = sum((s.duration for s in w.steps), timedelta())
    assert remaining_total(w, T0) == total


def test_pause_holds_the_remaining_time(content: Content) -> None:
    w = Walk(walk(content.wheel, "short"), started=T0)
    first = w.current.duration
    w.pause(T0 + timedelta(seconds=5))
    assert w.paused and w.step_ends_at(T0 + timedelta(hours=1)) is None
    assert w.remaining(T0 + timedelta(hours=1)) == first - timedelta(seconds=5)
    resumed = T0 + timedelta(hours=1)
    w.resume(resumed)
    assert w.step_ends_at(resumed) == resumed + first - timedelta(seconds=5)
    w.pause(resumed + timedelta(seconds=2))
    w.pause(resumed + timedelta(seconds=9))  # a second pause changes nothing
    assert w.remaining(resumed + timedelta(seconds=30)) == first - timedelta(seconds=7)


def test_advance_walks_every_step_then_finishes(content: Content) -> None:
    w = Walk(walk(content.wheel, "full"), started=T0)
    now = T0
    seen = [w.current.step.id]
    while w.advance(now):
        seen.append(w.current.step.id)
        now += timedelta(seconds=1)
    assert seen == [s.id for s in content.wheel.steps()]
    assert w.finished and w.step_ends_at(now) is None and w.number == len(w.steps)


def test_next_while_paused_stays_paused(content: Content) -> None:
    w = Walk(walk(content.wheel, "short"), started=T0)
    w.pause(T0 + timedelta(seconds=3))
    w.advance(T0 + timedelta(seconds=10))
    assert w.paused and w.index == 1
    assert w.remaining(T0 + timedelta(minutes=5)) == w.current.duration
