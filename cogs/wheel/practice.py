"""Where a member is in a paced walk around the wheel: the current step, its clock, pause and resume.

Pure state and arithmetic on instants (no timers, no Discord): the runner asks when the current
step ends, sleeps until then, and calls :meth:`Walk.advance`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cogs.wheel.guide import GuideStep


@dataclass
class Walk:
    """A walk through ``steps``; the current step's clock runs from ``started`` unless paused."""

    steps: list[GuideStep]
    started: datetime
    index: int = 0
    spent: timedelta = field(default_factory=timedelta)  # time in the current step before a pause
    paused_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.index >= len(self.steps)

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    @property
    def current(self) -> GuideStep:
        return self.steps[min(self.index, len(self.steps) - 1)]

    @property
    def number(self) -> int:
        """The current step, counted from 1 (``len(steps)`` once finished)."""
        return min(self.index + 1, len(self.steps))

    def remaining(self, now: datetime) -> timedelta:
        """Time left in the current step."""
        spent = self.spent if self.paused_at is not None else self.spent + (now - self.started)
        return max(self.current.duration - spent, timedelta())

    def step_ends_at(self, now: datetime) -> datetime | None:
        """When the current step ends by itself; ``None`` while paused or once finished."""
        if self.finished or self.paused:
            return None
        return now + self.remaining(now)

    def advance(self, now: datetime) -> bool:
        """Move to the next step; ``False`` when the walk is over. A pause carries over."""
        self.index += 1
        self.spent = timedelta()
        self.started = now
        if self.paused_at is not None:
            self.paused_at = now
        return not self.finished

    def pause(self, now: datetime) -> None:
        if self.paused_at is None:
            self.spent += now - self.started
            self.paused_at = now

    def resume(self, now: datetime) -> None:
        if self.paused_at is not None:
            self.paused_at = None
            self.started = now
