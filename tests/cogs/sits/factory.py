"""Sits for unit tests, built the way the cog builds them (through the drafting rules)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from cogs.sits.drafting import Draft, new_draft
from cogs.sits.models import Sit

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)  # a Thursday


def draft(**options: object) -> Draft:
    values: dict[str, object] = {
        "title": "Evening sit",
        "when": "tue,thu 19:00",
        "zone_name": "Europe/Berlin",
        "now": NOW,
        "channel_id": 1,
    }
    values.update(options)
    return new_draft(**values)  # type: ignore[arg-type]


def as_sit(d: Draft, **fields: object) -> Sit:
    sit = Sit(
        id=1,
        guild_id=9,
        title=d.title,
        host_id=5,
        start_local=d.start_local,
        zone=d.zone,
        repeat=d.repeat,
        weekdays=d.rule.weekdays,
        duration_min=d.duration_min,
        reminder_min=d.reminder_min,
        guide=d.guide,
        voice_channel_id=d.voice_channel_id,
        channel_id=d.channel_id,
        announcement_id=None,
        shown_at=None,
        event_id=None,
        event_at=None,
        status="active",
        created_at=NOW,
        updated_at=NOW,
    )
    return replace(sit, **fields)  # type: ignore[arg-type]
