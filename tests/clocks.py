"""The one test clock: it stands still until a test moves it (``clock.now = …``)."""

from __future__ import annotations

from datetime import datetime


class Clock:
    """A :data:`attune.clock.Clock` for store and service tests, set to an aware instant."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
