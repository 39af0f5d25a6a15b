"""Test helpers for :class:`attune.recurrence.Recurrence` that the product itself doesn't need."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from attune.recurrence import Recurrence


def with_exclusion(rule: Recurrence, instant: datetime) -> Recurrence:
    """``rule`` with ``instant`` cancelled."""
    return replace(rule, exclusions=rule.exclusions | {instant})


def rrule_text(rule: Recurrence) -> str | None:
    """The rule's RRULE as iCalendar writes it (``FREQ=WEEKLY;BYDAY=TU,TH;…``), to compare with a parser."""
    found = rule.rrule()
    if found is None:
        return None
    parts = []
    for key, value in found.items():
        text = ",".join(str(v) for v in value) if isinstance(value, list) else str(value)
        parts.append(f"{key}={text}")
    return ";".join(parts)
