"""The scheduler core's ledger: each occurrence claimed once, late or skipped after downtime."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import discord
import pytest

from attune.db import Database
from attune.scheduler import Occurrence, PermanentFailure, Plan, Scheduler
from attune.timeparse import Recurrence, Repeat

pytestmark = pytest.mark.both_backends

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@dataclass
class ManualClock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Recorder:
    """A deliverer that records what it was asked to post, and can be told to fail."""

    delivered: list[Occurrence] = field(default_factory=list)
    failures: list[BaseException] = field(default_factory=list)

    async def __call__(self, occurrence: Occurrence) -> str | None:
        if self.failures:
            raise self.failures.pop(0)
        self.delivered.append(occurrence)
        return f"message for {occurrence.at:%H:%M}"


def daily(hour: int = 9) -> Recurrence:
    return Recurrence(Repeat.DAILY, datetime(2026, 11, 1, hour, 0), "UTC")


def make(
    db: Database, clock: ManualClock, recorder: Recorder, plans: list[Plan], grace: int = 600
) -> Scheduler:
    scheduler = Scheduler(db, clock=clock)

    async def load(keys: Collection[str] | None) -> list[Plan]:
        return [plan for plan in plans if keys is None or plan.key in keys]

    scheduler.register("test.post", load=load, deliver=recorder, grace=timedelta(seconds=grace))
    return scheduler


async def ledger(db: Database) -> list[tuple[str, str, str]]:
    rows = await db.fetchall("SELECT key, occurrence, status FROM deliveries ORDER BY occurrence")
    return [(r["key"], r["occurrence"][11:16], r["status"]) for r in rows]


async def test_an_occurrence_is_delivered_once_even_if_run_twice(db: Database) -> None:
    clock, recorder = ManualClock(), Recorder()
    scheduler = make(db, clock, recorder, [Plan("a", daily())])
    await scheduler.load_all(clock())
    first = await scheduler.run("test.post", "a", T0)
    second = await scheduler.run("test.post", "a", T0)
    assert (first, second) == ("posted", "duplicate")
    assert len(recorder.delivered) == 1
    assert await ledger(db) == [("a", "09:00", "posted")]
    row = await db.fetchone("SELECT detail FROM deliveries")
    assert row is not None and row["detail"] == "message for 09:00"


async def test_two_schedulers_on_one_database_never_both_deliver(db: Database) -> None:
    clock = ManualClock()
    one, two = Recorder(), Recorder()
    first = make(db, clock, one, [Plan("a", daily())])
    second = make(db, clock, two, [Plan("a", daily())])
    await first.load_all(clock())
    await second.load_all(clock())
    results = await asyncio.gather(first.run("test.post", "a", T0), second.run("test.post", "a", T0))
    assert sorted(results) == ["duplicate", "posted"]
    assert len(one.delivered) + len(two.delivered) == 1


async def test_late_delivery_is_flagged_and_outside_grace_is_skipped(db: Database) -> None:
    clock, recorder = ManualClock(T0 + timedelta(minutes=5)), Recorder()
    scheduler = make(db, clock, recorder, [Plan("a", daily()), Plan("b", daily())])
    await scheduler.load_all(clock())
    assert await scheduler.run("test.post", "a", T0) == "late"
    assert recorder.delivered[0].late
    clock.now = T0 + timedelta(minutes=11)
    assert await scheduler.run("test.post", "b", T0) == "skipped"
    assert await ledger(db) == [("a", "09:00", "late"), ("b", "09:00", "skipped")]


async def test_catch_up_after_downtime_posts_recent_and_records_old(db: Database) -> None:
    clock, recorder = ManualClock(), Recorder()
    hourly = Recurrence(Repeat.DAILY, datetime(2026, 11, 1, 8, 0), "UTC")
    ten = Recurrence(Repeat.DAILY, datetime(2026, 11, 1, 8, 55), "UTC")
    scheduler = make(db, clock, recorder, [Plan("old", hourly), Plan("recent", ten)])
    # The bot was last alive at 07:59; it comes back at 09:00.
    await db.execute(
        "INSERT INTO meta (key, value) VALUES ('scheduler.heartbeat', ?)",
        ((T0 - timedelta(minutes=61)).isoformat(),),
    )
    await scheduler.load_all(clock())
    await scheduler.catch_up(clock(), await scheduler.last_alive())  # returns once all have run
    assert await ledger(db) == [("old", "08:00", "skipped"), ("recent", "08:55", "late")]
    assert [o.key for o in recorder.delivered] == ["recent"]
    assert recorder.delivered[0].late
    heartbeat = await scheduler.last_alive()
    assert heartbeat == T0


async def test_catch_up_never_redelivers_what_the_ledger_holds(db: Database) -> None:
    clock, recorder = ManualClock(), Recorder()
    rule = Recurrence(Repeat.DAILY, datetime(2026, 11, 1, 8, 58), "UTC")
    scheduler = make(db, clock, recorder, [Plan("a", rule)])
    await scheduler.load_all(clock())
    assert await scheduler.run("test.post", "a", T0 - timedelta(minutes=2)) == "late"
    await db.execute(
        "INSERT INTO meta (key, value) VALUES ('scheduler.heartbeat', ?)",
        ((T0 - timedelta(minutes=5)).isoformat(),),
    )
    restarted = make(db, clock, recorder, [Plan("a", rule)])
    await restarted.load_all(clock())
    await restarted.catch_up(clock(), await restarted.last_alive())  # returns once all have run
    assert len(recorder.delivered) == 1


async def test_first_start_does_not_backfill(db: Database) -> None:
    clock, recorder = ManualClock(), Recorder()
    scheduler = make(
        db,
        clock,
        recorder,
        [Plan("a", Recurrence(Repeat.DAILY, datetime(2026, 11, 1, 8, 58), "UTC"))],
    )
    await scheduler.load_all(clock())
    await scheduler.catch_up(clock(), await scheduler.last_alive())  # returns once all have run
    assert recorder.delivered == []


async def test_plan_since_excludes_occurrences_before_it_existed(db: Database) -> None:
    clock, recorder = ManualClock(), Recorder()
    rule = Recurrence(Repeat.DAILY, datetime(2026, 11, 1, 8, 58), "UTC")
    scheduler = make(db, clock, recorder, [Plan("a", rule, since=T0 - timedelta(minutes=1))])
    await db.execute(
        "INSERT INTO meta (key, value) VALUES ('scheduler.heartbeat', ?)",
        ((T0 - timedelta(hours=2)).isoformat(),),
    )
    await scheduler.load_all(clock())
    await scheduler.catch_up(clock(), await scheduler.last_alive())  # returns once all have run
    assert recorder.delivered == []
    assert await ledger(db) == []


async def test_interrupted_delivery_is_retried_with_the_same_nonce(db: Database) -> None:
    clock, recorder = ManualClock(), Recorder()
    scheduler = make(db, clock, recorder, [Plan("a", daily())])
    # A previous process claimed 09:00 and died before confirming.
    await db.execute(
        "INSERT INTO deliveries (kind, key, occurrence, status, claimed_at) VALUES (?, ?, ?, 'claimed', ?)",
        ("test.post", "a", T0.isoformat(), T0.isoformat()),
    )
    delivery_id = await db.fetchval("SELECT id FROM deliveries")
    clock.now = T0 + timedelta(minutes=3)
    await scheduler.load_all(clock())
    await scheduler.catch_up(clock(), await scheduler.last_alive())  # returns once all have run
    assert [o.nonce for o in recorder.delivered] == [f"attune{delivery_id}"]
    assert await ledger(db) == [("a", "09:00", "late")]


async def test_interrupted_delivery_outside_grace_is_recorded_not_lost(db: Database) -> None:
    clock, recorder = ManualClock(T0 + timedelta(hours=1)), Recorder()
    scheduler = make(db, clock, recorder, [Plan("a", daily())])
    await db.execute(
        "INSERT INTO deliveries (kind, key, occurrence, status, claimed_at) VALUES (?, ?, ?, 'claimed', ?)",
        ("test.post", "a", T0.isoformat(), T0.isoformat()),
    )
    await scheduler.load_all(clock())
    await scheduler.catch_up(clock(), await scheduler.last_alive())
    assert recorder.delivered == []
    row = await db.fetchone("SELECT status, detail FROM deliveries")
    assert row is not None and row["status"] == "skipped" and "interrupted" in row["detail"]


async def test_transient_errors_are_retried_and_permanent_ones_recorded(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock, recorder = ManualClock(), Recorder()
    scheduler = make(db, clock, recorder, [Plan("a", daily()), Plan("b", daily())])
    await scheduler.load_all(clock())

    async def no_wait(seconds: float) -> None:
        clock.now += timedelta(seconds=seconds)

    monkeypatch.setattr("attune.scheduler.asyncio.sleep", no_wait)

    class FakeResponse:
        status = 503
        reason = "Service Unavailable"

    recorder.failures = [discord.DiscordServerError(FakeResponse(), "unavailable")]  # type: ignore[arg-type]
    assert await scheduler.run("test.post", "a", T0) == "posted"
    assert len(recorder.delivered) == 1
    attempts = await db.fetchval("SELECT attempts FROM deliveries WHERE key = 'a'")
    assert attempts == 2

    recorder.failures = [PermanentFailure("channel was deleted")]
    assert await scheduler.run("test.post", "b", T0) == "failed"
    row = await db.fetchone("SELECT status, detail FROM deliveries WHERE key = 'b'")
    assert row is not None and "channel was deleted" in row["detail"]


async def test_one_off_plans_leave_no_job_once_past(db: Database) -> None:
    clock, recorder = ManualClock(), Recorder()
    past = Recurrence(Repeat.NONE, datetime(2026, 11, 24, 9), "UTC")
    future = Recurrence(Repeat.NONE, datetime(2026, 11, 26, 9), "UTC")
    scheduler = make(db, clock, recorder, [Plan("past", past), Plan("future", future)])
    await scheduler.load_all(clock())
    assert await scheduler.job_ids() == ["test.post:future"]
    await scheduler.remove("test.post", "future")
    assert await scheduler.job_ids() == []


async def test_a_start_that_fails_to_load_leaves_no_heartbeat(db: Database) -> None:
    clock = ManualClock()
    scheduler = Scheduler(db, clock=clock)

    async def broken(keys: Collection[str] | None) -> list[Plan]:
        raise RuntimeError("a capability's table could not be read")

    scheduler.register("test.post", load=broken, deliver=Recorder(), grace=timedelta(minutes=5))
    with pytest.raises(RuntimeError):
        await scheduler.start()
    await scheduler.shutdown()
    assert await scheduler.last_alive() is None


async def due_rows(db: Database) -> list[tuple[str, str]]:
    rows = await db.fetchall("SELECT key, next_due FROM schedule_due ORDER BY key")
    return [(r["key"], r["next_due"]) for r in rows]


async def test_the_due_time_table_is_filled_once_and_starts_read_no_plans(db: Database) -> None:
    clock, recorder = ManualClock(), Recorder()
    asked: list[object] = []
    plans = [Plan("a", daily(10)), Plan("b", daily(8))]

    async def load(keys: Collection[str] | None) -> list[Plan]:
        asked.append(None if keys is None else sorted(keys))
        return [plan for plan in plans if keys is None or plan.key in keys]

    first = Scheduler(db, clock=clock)
    first.register("test.post", load=load, deliver=recorder, grace=timedelta(minutes=10))
    assert await first.load_all(clock()) == 2
    assert await due_rows(db) == [("a", "2026-11-25T10:00:00+00:00"), ("b", "2026-11-26T08:00:00+00:00")]
    second = Scheduler(db, clock=clock)
    second.register("test.post", load=load, deliver=recorder, grace=timedelta(minutes=10))
    assert await second.load_all(clock()) == 0
    assert asked == [None]  # the second start read MIN(next_due), not the plans


async def test_a_wake_up_claims_delivers_and_writes_the_next_instant_back(db: Database) -> None:
    clock, recorder = ManualClock(), Recorder()
    scheduler = make(db, clock, recorder, [Plan("a", daily(10)), Plan("b", daily(11))])
    await scheduler.load_all(clock())
    clock.now = T0 + timedelta(hours=1, seconds=1)
    await asyncio.gather(*await scheduler.drain())
    assert [o.key for o in recorder.delivered] == ["a"]
    assert await ledger(db) == [("a", "10:00", "posted")]
    assert await due_rows(db) == [("a", "2026-11-26T10:00:00+00:00"), ("b", "2026-11-25T11:00:00+00:00")]
    assert await scheduler.drain() == []  # nothing due twice


async def test_an_edit_moves_the_row_and_a_removed_schedule_leaves_it(db: Database) -> None:
    clock, recorder = ManualClock(), Recorder()
    plans = [Plan("a", daily(10)), Plan("gone", daily(10))]
    scheduler = make(db, clock, recorder, plans)
    await scheduler.load_all(clock())
    await scheduler.put("test.post", Plan("a", daily(9)))  # 09:00 has just passed: tomorrow
    assert await scheduler.next_run("test.post", "a") == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    plans.pop()  # the capability's row was deleted without telling the scheduler
    clock.now = T0 + timedelta(hours=2)
    await asyncio.gather(*await scheduler.drain())
    assert recorder.delivered == [] and await ledger(db) == []
    assert [key for key, _ in await due_rows(db)] == ["a"]


async def test_catch_up_after_long_downtime_records_every_missed_day_oldest_first(db: Database) -> None:
    clock, recorder = ManualClock(), Recorder()
    scheduler = make(db, clock, recorder, [Plan("a", daily(10))])
    await scheduler.load_all(clock())
    clock.now = T0 + timedelta(days=3, hours=1, minutes=5)  # back at 10:05 three days later
    await scheduler.catch_up(clock(), await scheduler.last_alive())
    assert await ledger(db) == [
        ("a", "10:00", "skipped"),
        ("a", "10:00", "skipped"),
        ("a", "10:00", "skipped"),
        ("a", "10:00", "late"),
    ]
    assert await due_rows(db) == [("a", "2026-11-29T10:00:00+00:00")]
