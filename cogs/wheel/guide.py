"""The wheel as a guide for a timed sit: which steps fit a duration, and when each begins.

Used by ``/wheel practice`` (paced walk) and by sits with ``guide: wheel`` (steps posted during the
sit), so both walk the same wheel from ``content/wheel.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from attune.content import WheelContent, WheelSegment, WheelStep

Length = Literal["short", "full"]


@dataclass(frozen=True)
class GuideStep:
    """One step of the walk: where it sits on the wheel, when it starts, how long it lasts."""

    index: int
    total: int
    segment: WheelSegment
    step: WheelStep
    offset: timedelta
    duration: timedelta
    length: Length = "full"

    @property
    def text(self) -> str:
        """What to show during this step: the brief cue in a short walk, else the guidance."""
        return self.step.text_for(self.length)

    @property
    def ends(self) -> timedelta:
        """When this step ends, from the start of the walk (or sit)."""
        return self.offset + self.duration


def walk(wheel: WheelContent, length: Length) -> list[GuideStep]:
    """Every step in practice order with its own duration for ``length``."""
    pairs = [(segment, step) for segment in wheel.segments for step in segment.steps]
    steps: list[GuideStep] = []
    offset = timedelta()
    for index, (segment, step) in enumerate(pairs):
        duration = timedelta(seconds=getattr(step.seconds, length))
        steps.append(GuideStep(index, len(pairs), segment, step, offset, duration, length))
        offset += duration
    return steps


def length_for(minutes: int, wheel: WheelContent) -> Length:
    """The fuller walk once the sit is long enough to hold it."""
    full = sum(step.seconds.full for step in wheel.steps())
    return "full" if minutes * 60 >= full else "short"


def guide_for_sit(wheel: WheelContent, minutes: int) -> list[GuideStep]:
    """The walk stretched (or compressed) so its steps fill a sit of ``minutes``.

    Offsets are from the start of the sit; the last step ends as the sit ends.
    """
    base = walk(wheel, length_for(minutes, wheel))
    natural = sum((s.duration for s in base), timedelta())
    scale = timedelta(minutes=minutes) / natural
    steps: list[GuideStep] = []
    offset = timedelta()
    for item in base:
        duration = timedelta(seconds=round(item.duration.total_seconds() * scale))
        steps.append(
            GuideStep(item.index, item.total, item.segment, item.step, offset, duration, item.length)
        )
        offset += duration
    return steps
