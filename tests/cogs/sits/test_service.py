"""The sits store on a real SQLite file: RSVPs, voice time, attendance, logs, stats, privacy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from attune.db import Database
from cogs.sits.models import Sit
from cogs.sits.service import SitStore
from tests.cogs.sits.factory import draft

pytestmark = pytest.mark.both_backends

GUILD, HOST, ALICE, BOB, CAROL = 9, 5, 11, 12, 13
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(db: Database, clock: Clock) -> SitStore:
    return SitStore(db, clock)


async def a_sit(store: SitStore, **options: object) -> Sit:
    values: dict[str, object] = {
        "when": "18:00",
        "zone_name": "UTC",
        "repeat": "daily",
        "voice_channel_id": 77,
    }
    values.update(options)
    return await store.create(GUILD, HOST, draft(**values))


async def test_a_sit_is_stored_as_its_rule(store: SitStore) -> None:
    sit = await a_sit(store, when="tue,thu 19:00", zone_name="Europe/Berlin", repeat=None)
    again = await store.get(sit.id)
    assert again is not None
    assert again.rule == sit.rule
    assert again.describe() == "every Tuesday and Thursday at 19:00 Europe/Berlin"
    rows = await store.db.fetchall("SELECT start_local, zone, repeat, weekdays FROM sits")
    assert [tuple(r) for r in rows] == [("2026-01-01T19:00:00", "Europe/Berlin", "weekly", "1,3")]


async def test_one_answer_per_member_per_occurrence_and_it_can_change(store: SitStore) -> None:
    sit = await a_sit(store)
    first = sit.current(T0)
    assert first is not None
    assert await store.answer(sit.id, first, ALICE, "going") is None
    assert await store.answer(sit.id, first, BOB, "maybe") is None
    assert await store.counts(sit.id, first) == {"going": 1, "maybe": 1, "cant": 0}
    assert await store.answer(sit.id, first, ALICE, "cant") == "going"
    assert await store.counts(sit.id, first) == {"going": 0, "maybe": 1, "cant": 1}
    second = sit.rule.next_after(first)
    assert second is not None
    assert await store.counts(sit.id, second) == {"going": 0, "maybe": 0, "cant": 0}
    await store.answer(sit.id, first, BOB, "going")
    assert await store.answered(sit.id, first, "going") == [BOB]
    assert await store.move_answers(sit.id, first, second) == 2
    assert await store.answered(sit.id, second, "going") == [BOB]


async def test_half_the_sit_in_the_voice_channel_counts_as_attended(store: SitStore, clock: Clock) -> None:
    sit = await a_sit(store, duration=20)
    start = datetime(2026, 1, 1, 18, 0, tzinfo=UTC)
    await store.voice_join(GUILD, 77, ALICE, start - timedelta(minutes=5))  # early, stays
    await store.voice_join(GUILD, 77, BOB, start + timedelta(minutes=2))
    await store.voice_leave(BOB, 77, start + timedelta(minutes=8))  # 6 min
    await store.voice_join(GUILD, 77, BOB, start + timedelta(minutes=12))
    await store.voice_leave(BOB, 77, start + timedelta(minutes=16))  # + 4 = 10 min: exactly half
    await store.voice_join(GUILD, 77, CAROL, start + timedelta(minutes=11))
    await store.voice_leave(CAROL, 77, start + timedelta(minutes=20))  # 9 min: not enough
    await store.voice_join(GUILD, 78, CAROL, start)  # another channel doesn't count
    clock.now = start + timedelta(minutes=20)
    assert await store.tally(sit, start) == 2
    rows = await store.db.fetchall("SELECT user_id, minutes, source FROM sit_attendance ORDER BY user_id")
    assert [tuple(r) for r in rows] == [(ALICE, 20, "voice"), (BOB, 10, "voice")]
    # tallied once: a second tally (a retried closing bell) changes nothing
    await store.voice_join(GUILD, 77, CAROL, start)
    assert await store.tally(sit, start) == 2


async def test_i_sat_counts_once_and_adds_to_the_tally(store: SitStore, clock: Clock) -> None:
    sit = await a_sit(store)
    start = datetime(2026, 1, 1, 18, 0, tzinfo=UTC)
    clock.now = start + timedelta(minutes=21)
    assert await store.tally(sit, start) == 0
    assert await store.record_sat(sit, start, ALICE)
    assert not await store.record_sat(sit, start, ALICE)
    assert await store.sat_count(sit.id, start) == 1


async def test_untallied_occurrences_are_found_after_downtime(store: SitStore, clock: Clock) -> None:
    sit = await a_sit(store)
    clock.now = datetime(2026, 1, 3, 12, 0, tzinfo=UTC)
    missed = await store.untallied_since(sit, datetime(2026, 1, 1, tzinfo=UTC), clock.now)
    assert missed == [datetime(2026, 1, 1, 18, 0, tzinfo=UTC), datetime(2026, 1, 2, 18, 0, tzinfo=UTC)]
    await store.tally(sit, missed[0])
    assert await store.untallied_since(sit, datetime(2026, 1, 1, tzinfo=UTC), clock.now) == missed[1:]


async def test_stats_add_sits_and_solo_logs_streaks_and_people(store: SitStore, clock: Clock) -> None:
    sit = await a_sit(store, duration=30)
    day1 = datetime(2026, 1, 1, 18, 0, tzinfo=UTC)
    day8 = day1 + timedelta(days=7)
    for start, people in ((day1, [ALICE, BOB]), (day8, [ALICE, CAROL])):
        clock.now = start + timedelta(minutes=30)
        for user in people:
            await store.record_sat(sit, start, user)
    clock.now = day8 + timedelta(days=7)  # a third week, solo
    await store.add_log(GUILD, ALICE, 15, "quiet morning")
    await store.add_log(GUILD + 1, ALICE, 99, None)  # another server: not counted here
    stats = await store.stats(GUILD, ALICE, "UTC")
    assert (stats.attended, stats.sit_minutes, stats.solo_minutes, stats.minutes) == (2, 60, 15, 75)
    assert (stats.streak.current, stats.streak.longest) == (3, 3)
    assert stats.sat_with == 2  # Bob and Carol
    assert (await store.stats(GUILD, BOB, "UTC")).sat_with == 1


async def test_export_and_delete_cover_everything_about_a_member(store: SitStore, clock: Clock) -> None:
    sit = await a_sit(store, title="Dawn")
    start = sit.current(T0)
    assert start is not None
    await store.answer(sit.id, start, ALICE, "going")
    await store.answer(sit.id, start, BOB, "going")
    await store.voice_join(GUILD, 77, ALICE, start)
    clock.now = start + timedelta(minutes=20)
    await store.tally(sit, start)
    await store.add_log(GUILD, ALICE, 10, "felt calm")
    data = await store.export_user(ALICE)
    assert [(r["sit_title"], r["answer"]) for r in data["rsvps"]] == [("Dawn", "going")]
    assert [(r["sit_title"], r["source"]) for r in data["attendance"]] == [("Dawn", "voice")]
    assert [(r["minutes"], r["note"]) for r in data["practice_logs"]] == [(10, "felt calm")]
    assert len(data["voice_sessions"]) == 1
    assert data["sits_hosted"] == []
    assert [r["title"] for r in (await store.export_user(HOST))["sits_hosted"]] == ["Dawn"]

    removed, touched = await store.delete_user(ALICE)
    assert removed == 4 and touched == [sit.id]
    assert await store.export_user(ALICE) == {
        "rsvps": [],
        "attendance": [],
        "practice_logs": [],
        "voice_sessions": [],
        "sits_hosted": [],
        "posts_mentioning_you": [],
    }
    assert await store.answered(sit.id, start) == [BOB]  # others untouched
    host_removed, _ = await store.delete_user(HOST)
    assert host_removed == 1
    kept = await store.get(sit.id)
    assert kept is not None and kept.host_id is None  # the community's sit stays
