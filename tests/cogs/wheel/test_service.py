"""The wheel's store on a real SQLite file: reflections, journal pages, rotation, schedules."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from attune.content import PROMPT_ROTATION, Content
from attune.db import Database
from attune.errors import UserError
from cogs.wheel.service import REFLECTION_MAX, WheelStore, check_reflection, rotation_segment

pytestmark = pytest.mark.both_backends


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(db: Database, clock: Clock) -> WheelStore:
    return WheelStore(db, clock)


def test_reflections_are_checked() -> None:
    assert check_reflection("  calm  ") == "calm"
    assert len(check_reflection("x" * REFLECTION_MAX)) == REFLECTION_MAX
    with pytest.raises(UserError, match="1,001 characters"):
        check_reflection("x" * (REFLECTION_MAX + 1))
    with pytest.raises(UserError, match="empty"):
        check_reflection("   ")


async def test_a_too_long_reflection_is_not_saved(store: WheelStore, db: Database) -> None:
    with pytest.raises(UserError):
        await store.save_reflection(user_id=1, guild_id=2, source="practice", body="x" * 1001)
    assert await db.fetchval("SELECT COUNT(*) FROM wheel_reflections") == 0


async def test_journal_pages_newest_first(store: WheelStore, clock: Clock) -> None:
    for n in range(12):
        await store.save_reflection(user_id=7, guild_id=1, source="prompt", body=f"r{n}", segment="hub")
        clock.now += timedelta(minutes=1)
    await store.save_reflection(
        user_id=8, guild_id=1, source="practice", body="other", practice_length="short"
    )
    first = await store.journal_page(7, 0)
    assert (first.total, first.pages, first.page) == (12, 3, 0)
    assert [e.body for e in first.entries] == ["r11", "r10", "r9", "r8", "r7"]
    last = await store.journal_page(7, 99)  # clamped
    assert last.page == 2 and [e.body for e in last.entries] == ["r1", "r0"]
    empty = await store.journal_page(9, 0)
    assert (empty.total, empty.pages, empty.entries) == (0, 1, [])


async def test_export_and_delete_cover_only_the_member(store: WheelStore) -> None:
    rid = await store.save_reflection(
        user_id=7, guild_id=1, source="prompt", body="seen", segment="senses", prompt="What do you hear?"
    )
    await store.mark_shared(rid, thread_id=50, message_id=51)
    await store.save_reflection(
        user_id=8, guild_id=1, source="practice", body="bob's", practice_length="full"
    )
    exported = await store.export(7)
    assert exported["reflections"] == [
        {
            "created_at": "2026-01-01T08:00:00+00:00",
            "guild_id": "1",
            "source": "prompt",
            "segment": "senses",
            "practice_length": None,
            "prompt": "What do you hear?",
            "reflection": "seen",
            "shared": True,
            "shared_message": {"thread_id": "50", "message_id": "51"},
        }
    ]
    deleted = await store.delete_reflections(7)
    assert [r.shared_message_id for r in deleted] == [51]
    assert (await store.export(7)) == {"reflections": []}
    assert len((await store.export(8))["reflections"]) == 1


def test_rotation_order() -> None:
    assert [rotation_segment(n) for n in range(7)] == [*PROMPT_ROTATION, "hub", "senses"]
    assert PROMPT_ROTATION == ("hub", "senses", "interoception", "mental", "relational")


async def test_rotation_follows_scheduled_posts_only(store: WheelStore, content: Content) -> None:
    wheel = content.wheel
    seen = []
    for n in range(11):
        segment, index = await store.next_in_rotation(5, wheel)
        seen.append((segment, index))
        await store.record_prompt_post(
            message_id=100 + n,
            guild_id=5,
            channel_id=9,
            segment=segment,
            prompt_index=index,
            prompt=wheel.prompts[segment][index],  # type: ignore[index]
            delivery_id=n + 1,
        )
        # a /wheel prompt post (no delivery) never moves the rotation
        await store.record_prompt_post(
            message_id=900 + n, guild_id=5, channel_id=9, segment="mental", prompt_index=0, prompt="p"
        )
    assert [s for s, _ in seen] == [*PROMPT_ROTATION, *PROMPT_ROTATION, "hub"]
    assert [i for s, i in seen if s == "hub"] == [0, 1, 2]  # prompts used in order, no repeats
    assert await store.next_in_rotation(6, wheel) == ("hub", 0)  # other guilds start fresh


async def test_schedules_are_stored_and_replaced(store: WheelStore, clock: Clock) -> None:
    schedule, replaced = await store.set_schedule(
        guild_id=5, channel_id=9, clock=time(7, 30), weekdays=frozenset({0, 2}), timezone="Europe/Berlin"
    )
    assert not replaced
    loaded = await store.schedule(5)
    assert loaded == schedule
    assert loaded.plan.key == "5" and loaded.plan.since == clock.now and loaded.plan.guild_id == 5
    # Thursday 1 Jan 2026 → next Monday 5 Jan 07:30 Berlin = 06:30 UTC
    assert loaded.recurrence.next_after(clock.now) == datetime(2026, 1, 5, 6, 30, tzinfo=UTC)
    _, replaced = await store.set_schedule(
        guild_id=5, channel_id=10, clock=time(9, 0), weekdays=frozenset(range(7)), timezone="UTC"
    )
    assert replaced
    [current] = await store.schedules()
    assert current.channel_id == 10
    assert await store.remove_schedule(5) == current  # the removed schedule, to say what stopped
    assert await store.remove_schedule(5) is None
    assert await store.schedules() == []
