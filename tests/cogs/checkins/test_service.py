"""Check-in storage on a real SQLite file: writes, per-day counts, reminders, privacy, indexes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from attune.db import Database
from cogs.checkins.service import CheckinService, NewCheckin, clean_note, note_problem

pytestmark = pytest.mark.both_backends

NOW = datetime(2026, 2, 3, 12, 0, tzinfo=UTC)
DAY = date(2026, 2, 3)


def service(db: Database) -> CheckinService:
    return CheckinService(db, clock=lambda: NOW)


def checkin(
    user: int,
    *,
    guild: int = 1,
    day: date = DAY,
    zone: str = "within",
    word: str = "Calm",
    quadrant: str = "low_pleasant",
    note: str | None = None,
    at: datetime | None = None,
    shared: tuple[int, int] | None = None,
) -> NewCheckin:
    return NewCheckin(
        guild_id=guild,
        user_id=user,
        created_at=at or datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
        local_date=day,
        zone=zone,
        word=word,
        quadrant=quadrant,
        energy=-3 if quadrant.startswith("low") else 3,
        pleasantness=3 if quadrant.endswith("_pleasant") else -3,
        note=note,
        visibility="shared" if shared else "private",
        shared_channel_id=shared[0] if shared else None,
        shared_message_id=shared[1] if shared else None,
    )


async def test_batch_insert_and_day_rows_without_notes_or_words(db: Database) -> None:
    store = service(db)
    batch = [checkin(u, zone="within") for u in range(1, 6)]
    batch += [checkin(1, zone="chaos", quadrant="high_unpleasant")]  # a second check-in by user 1
    batch += [checkin(9, day=DAY - timedelta(days=1))]
    batch += [checkin(10, guild=2)]  # another guild never leaks in
    await store.add_checkins_batch(batch)
    found = await store.day_rows(1, DAY - timedelta(days=6), DAY)
    assert sorted((r.day, r.user_id, r.zone, r.private) for r in found) == sorted(
        [(DAY, u, "within", True) for u in range(1, 6)]
        + [(DAY, 1, "chaos", True), (DAY - timedelta(days=1), 9, "within", True)]
    )


async def test_entries_days_and_counts_are_per_member_and_guild(db: Database) -> None:
    store = service(db)
    await store.add_checkin(checkin(1, day=DAY))
    await store.add_checkin(checkin(1, day=DAY, zone="chaos", quadrant="high_unpleasant"))
    await store.add_checkin(checkin(1, day=DAY - timedelta(days=1)))
    await store.add_checkin(checkin(1, day=DAY - timedelta(days=10)))
    await store.add_checkin(checkin(1, guild=2, day=DAY))
    await store.add_checkin(checkin(2, day=DAY))
    entries = await store.entries(1, 1, DAY - timedelta(days=6), DAY)
    assert len(entries) == 3 and entries[-1].zone == "chaos"
    assert await store.checkin_days(1, 1, DAY) == [DAY, DAY - timedelta(days=1), DAY - timedelta(days=10)]
    assert await store.count_for_member(1, 1) == 4


async def test_checked_in_between_looks_at_any_guild_and_the_exact_instants(db: Database) -> None:
    store = service(db)
    await store.add_checkin(checkin(1, guild=2, at=datetime(2026, 2, 3, 22, 59, 59, 500000, tzinfo=UTC)))
    start, end = datetime(2026, 2, 2, 23, tzinfo=UTC), datetime(2026, 2, 3, 23, tzinfo=UTC)
    assert await store.checked_in_between(1, start, end)
    assert not await store.checked_in_between(1, end, end + timedelta(days=1))
    assert not await store.checked_in_between(2, start, end)


async def test_setup_is_saved_disabled_and_restarted(db: Database) -> None:
    store = service(db)
    setup = await store.save_setup(1, 55, time(9, 30), frozenset({0, 2, 4}), "Europe/Berlin", by=7)
    assert (setup.channel_id, setup.clock, setup.days, setup.enabled) == (55, time(9, 30), {0, 2, 4}, True)
    assert [s.guild_id for s in await store.enabled_setups()] == [1]
    assert await store.disable(1, by=7)
    assert not await store.disable(1, by=7)
    assert await store.enabled_setups() == []
    await store.save_setup(1, 56, time(8, 0), frozenset(range(7)), "UTC", by=7)
    assert [s.channel_id for s in await store.enabled_setups()] == [56]


async def test_day_thread_records_the_starter_first_then_the_thread(db: Database) -> None:
    store = service(db)
    await store.record_starter(1, DAY, 55, 1000, NOW)
    found = await store.day_thread(1, DAY)
    assert found is not None and (found.starter_id, found.thread_id) == (1000, None)
    await store.record_thread(1, DAY, 2000)
    found = await store.day_thread(1, DAY)
    assert found is not None and found.thread_id == 2000
    assert await store.day_thread(1, DAY + timedelta(days=1)) is None


async def test_a_paused_reminder_is_told_once_and_resets_when_set_again(db: Database) -> None:
    store = service(db)
    await store.set_reminder(1, 9, time(20, 0), "Europe/Berlin")
    assert not await store.take_pause_notice(1)
    await store.pause_reminder(1)
    assert await store.active_reminders() == []
    assert await store.take_pause_notice(1)
    assert not await store.take_pause_notice(1)
    again = await store.set_reminder(1, 9, time(21, 0), "Europe/Berlin")
    assert not again.paused and again.clock == time(21, 0)
    assert [r.user_id for r in await store.active_reminders()] == [1]


async def test_a_reminder_is_found_by_its_schedule_key_never_its_raw_id(db: Database) -> None:
    store = CheckinService(db, clock=lambda: NOW, ledger_secret=b"k" * 32)
    await store.set_reminder(123456789, 9, time(20, 0), "Europe/Berlin")
    key = store.reminder_key(123456789)
    assert "123456789" not in key
    assert [r.user_id for r in await store.active_reminders([key])] == [123456789]
    assert (await store.reminder_by_key(key)).user_id == 123456789
    # A reminder saved before keys were stored (the upgrade) gets its key at the next fill.
    await db.execute("UPDATE checkin_reminders SET schedule_key = NULL")
    assert await store.reminder_by_key(key) is None
    await store.fill_reminder_keys()
    assert (await store.reminder_by_key(key)).user_id == 123456789


async def test_export_has_every_checkin_with_its_note_and_the_reminder(db: Database) -> None:
    store = service(db)
    await store.add_checkin(checkin(1, note="tender morning"))
    await store.add_checkin(checkin(1, guild=2, note=None, shared=(77, 88)))
    await store.add_checkin(checkin(2, note="not alice's"))
    await store.set_reminder(1, 9, time(20, 0), "Asia/Tokyo")
    data = await store.export(1)
    assert [c["note"] for c in data["checkins"]] == ["tender morning", None]
    assert data["checkins"][1]["shared_message_id"] == "88"
    assert data["reminder"]["time"] == "20:00" and data["reminder"]["timezone"] == "Asia/Tokyo"


async def test_delete_removes_checkins_and_reminder_and_queues_shared_posts(db: Database) -> None:
    store = service(db)
    await store.add_checkin(checkin(1, note="mine"))
    await store.add_checkin(checkin(1, shared=(77, 88)))
    await store.add_checkin(checkin(2))
    await store.set_reminder(1, 9, time(20, 0), "UTC")
    removed = await store.delete(1)
    assert removed == 3
    queued = await db.fetchall("SELECT channel_id, message_id, action FROM post_takedowns")
    assert [tuple(r) for r in queued] == [(77, 88, "delete")]
    assert await db.fetchval("SELECT count(*) FROM checkins WHERE user_id = 1") == 0
    assert await db.fetchval("SELECT count(*) FROM checkins WHERE user_id = 2") == 1
    assert await store.get_reminder(1) is None


async def test_the_database_refuses_a_note_over_500_characters(db: Database) -> None:
    with pytest.raises(Exception, match=r"(?i)check"):
        await service(db).add_checkin(checkin(1, note="x" * 501))


def test_note_rules() -> None:
    assert clean_note("   ") is None
    assert clean_note("  here  ") == "here"
    assert note_problem("x" * 500) is None
    assert note_problem(None) is None
    problem = note_problem("x" * 501)
    assert problem is not None and "501" in problem and "500" in problem


@pytest.mark.parametrize(
    ("sql", "params", "index"),
    [
        (
            "SELECT local_date, count(DISTINCT user_id) FROM checkins"
            " WHERE guild_id = ? AND local_date BETWEEN ? AND ? GROUP BY local_date",
            (1, "2026-01-01", "2026-01-07"),
            "checkins_guild_day",
        ),
        (
            "SELECT local_date, zone, count(*) FROM checkins"
            " WHERE guild_id = ? AND local_date BETWEEN ? AND ? GROUP BY local_date, zone",
            (1, "2026-01-01", "2026-01-07"),
            "checkins_guild_day",
        ),
        (
            "SELECT created_at, local_date, zone, word, quadrant, energy, pleasantness FROM checkins"
            " WHERE user_id = ? AND guild_id = ? AND local_date BETWEEN ? AND ? ORDER BY created_at",
            (1, 1, "2026-01-01", "2026-01-30"),
            "checkins_user_guild_day",
        ),
        (
            "SELECT DISTINCT local_date FROM checkins WHERE user_id = ? AND guild_id = ? AND local_date <= ?"
            " ORDER BY local_date DESC",
            (1, 1, "2026-01-30"),
            "checkins_user_guild_day",
        ),
        (
            "SELECT 1 FROM checkins WHERE user_id = ? AND created_at >= ? AND created_at < ? LIMIT 1",
            (1, "2026-01-01", "2026-01-02"),
            "checkins_user_time",
        ),
    ],
)
@pytest.mark.sqlite_only  # EXPLAIN QUERY PLAN is SQLite's
async def test_hot_queries_use_an_index(
    db: Database, sql: str, params: tuple[object, ...], index: str
) -> None:
    await service(db).add_checkins_batch(
        checkin(u % 50, day=DAY - timedelta(days=u % 20)) for u in range(2000)
    )
    await db.execute("ANALYZE")
    plan = " ".join(row[3] for row in await db.fetchall("EXPLAIN QUERY PLAN " + sql, params))
    assert f"INDEX {index}" in plan
    assert "SCAN checkins" not in plan.replace(f"SCAN checkins USING COVERING INDEX {index}", "")
