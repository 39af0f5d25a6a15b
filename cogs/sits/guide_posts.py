"""Pacing the Wheel of Awareness through a sit: which guide steps are posted together, and when.

The steps come from the wheel capability's interface (``guide_for_sit``), so a wheel-guided sit
walks the same wheel as ``/wheel practice``. Steps closer together than :data:`MIN_GAP` are posted
in one message, so a short sit doesn't flood the channel (Discord allows about 5 posts per 5 s).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from attune.content import WheelContent
from cogs.wheel.guide import GuideStep, guide_for_sit

MIN_GAP = timedelta(seconds=45)
MAX_CHARS = 3500  # room within one embed description (4,096)


@dataclass(frozen=True)
class GuidePost:
    """One message of the guide: its steps and when it goes out (from the sit's start)."""

    index: int
    offset: timedelta
    steps: tuple[GuideStep, ...]


def _size(step: GuideStep) -> int:
    return len(step.segment.name) + len(step.step.title) + len(step.step.guidance) + 12


def guide_posts(wheel: WheelContent, minutes: int) -> list[GuidePost]:
    """The guide for a sit of ``minutes``, as posts at least :data:`MIN_GAP` apart.

    A post that is full (:data:`MAX_CHARS`) pushes the next one back to keep the gap; in a sit too
    short for that, the rest joins the last post (the embed is clipped to Discord's limit).
    """
    length = timedelta(minutes=minutes)
    groups: list[tuple[timedelta, list[GuideStep]]] = []
    for step in guide_for_sit(wheel, minutes):
        if groups:
            offset, group = groups[-1]
            close = step.offset - offset < MIN_GAP
            fits = sum(_size(s) for s in group) + _size(step) <= MAX_CHARS
            pushed = max(step.offset, offset + MIN_GAP)
            if (close and fits) or pushed >= length:
                group.append(step)
                continue
            groups.append((pushed, [step]))
            continue
        groups.append((step.offset, [step]))
    return [GuidePost(i, offset, tuple(group)) for i, (offset, group) in enumerate(groups)]
