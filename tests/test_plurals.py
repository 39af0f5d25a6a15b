"""Every message that carries a count, rendered with 0, 1 and 2: never "1 minutes" or "1 people"."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import discord
import pytest

from attune.content import QUADRANTS, ZONES, Content
from attune.text import minutes, plural
from cogs.checkins import render as checkin_render
from cogs.checkins.stats import Entry, describe_history, history_data
from cogs.checkins.summary import DayAggregate
from cogs.episodes import render as episode_render
from cogs.sits import render as sit_render
from cogs.sits.models import Stats
from cogs.sits.streaks import Streak
from tests.cogs.sits.factory import NOW, as_sit, draft

#: A singular count followed by a plural noun, or a "(s)" left for the reader to sort out.
WRONG = re.compile(
    r"\b1 (minutes|people|persons|days|weeks|members|check-ins|records|items|episodes|insights|times)\b"
    r"|\(s\)|\b0 weeks now\b"
)


def text_of(thing: object) -> str:
    if isinstance(thing, discord.Embed):
        parts = [thing.title or "", thing.description or "", thing.footer.text or ""]
        parts += [f"{f.name} {f.value}" for f in thing.fields]
        return "\n".join(parts)
    return str(thing)


def assert_reads_naturally(*things: object) -> None:
    for thing in things:
        text = text_of(thing)
        found = WRONG.search(text)
        assert found is None, f"{found[0]!r} in: {text}"


def test_plural_and_minutes() -> None:
    assert [minutes(n) for n in (0, 1, 2)] == ["0 minutes", "1 minute", "2 minutes"]
    assert [plural(n, "person", "people") for n in (0, 1, 2)] == ["0 people", "1 person", "2 people"]


@pytest.mark.parametrize("count", [0, 1, 2])
def test_sit_messages(count: int) -> None:
    duration = max(count, 1)  # a sit lasts at least a minute
    for repeat in ("none", "weekly"):
        sit = as_sit(draft(duration=duration, repeat=repeat, when="19:00"), voice_channel_id=10**18)
        start = sit.current(NOW)
        assert start is not None
        stats = Stats(
            attended=count,
            sit_minutes=count,
            solo_minutes=count,
            solo_logs=count,
            streak=Streak(current=count, longest=count + 3, weeks=count),
            sat_with=count,
        )
        assert_reads_naturally(
            sit_render.announcement_embed(sit, start, {"going": count}, now=NOW),
            sit_render.reminder_text(sit, start, [], late=False),
            sit_render.opening_text(sit, start, "Welcome.", late=False),
            sit_render.closing_text(sit, start, "Thank you.", count, late=False),
            sit_render.people(count),
            sit_render.stats_embed(stats, "Alice"),
            sit_render.sit_summary(sit),
        )
    one = as_sit(draft(duration=1, when="19:00"))
    assert "1 minute" in sit_render.reminder_text(one, NOW, [], late=False)
    assert sit_render.people(1) == "**1 person sat with us.**"


@pytest.mark.parametrize("count", [0, 1, 2])
def test_checkin_messages(content: Content, count: int) -> None:
    today = date(2026, 1, 10)
    entries = [
        Entry(
            created_at=datetime(2026, 1, 10 - i, 9, 0, tzinfo=NOW.tzinfo),
            local_date=today - timedelta(days=i),
            zone="within",
            word="Calm",
            quadrant="low_pleasant",
            energy=-3,
            pleasantness=3,
        )
        for i in range(count)
    ]
    zones = {z: i.label for z, i in content.checkin.zones.items()}
    quadrants = {q: i.label for q, i in content.emotions.quadrants.items()}
    for days in (1, 2, 7):
        data = history_data(entries, today=today, days=days, streak_days=count)
        summary = describe_history(data, zones, quadrants)
        assert_reads_naturally(summary)
        if not data.empty:
            assert_reads_naturally(checkin_render.history_embed(content, data, summary, filename="x.png"))
    assert_reads_naturally(checkin_render.streak_text(count) or "")
    shown = DayAggregate(
        day=today,
        shown=True,
        members=5 * count,
        zones=dict.fromkeys(ZONES, count),
        quadrants=dict.fromkeys(QUADRANTS, count),
    )
    days = [shown, DayAggregate(day=today - timedelta(days=1), shown=False)][: max(count, 1)]
    assert_reads_naturally(checkin_render.summary_embed(content, days, today - timedelta(days=1), today))


@pytest.mark.parametrize("count", [0, 1, 2])
def test_episode_messages(count: int) -> None:
    assert_reads_naturally(episode_render.insights_embed([], max(count, 1), 0, 1, count))
