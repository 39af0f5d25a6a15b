"""Storage at scale: 1,000,000 check-ins through Attune's own storage code.

Figures: the batch path (CheckinService.add_checkins_batch) and the interactive single-row path
(CheckinService.add_checkin, one autocommitted INSERT per check-in, as a member's check-in does)
against a floor of raw ``sqlite3.executemany`` in one transaction on the same schema; p50/p99 of
the queries behind ``/checkin history`` (a member with 1,000 check-ins) and ``/checkin summary``
(a guild with 100,000); EXPLAIN QUERY PLAN of each (no full scan of the big table); bytes per
check-in on disk.

The same figures on PostgreSQL with ``--backend postgresql`` (the server from ``--url`` or
``ATTUNE_TEST_POSTGRESQL``; the bench creates and drops its own databases there): the floor is raw
asyncpg ``executemany`` in one transaction, plans come from EXPLAIN after ANALYZE, and the size is
``pg_total_relation_size('checkins')`` (table, TOAST and indexes).

    python bench/storage.py [--quick] [--backend sqlite|postgresql] [--url postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from _common import describe, header, percentile

from attune.db import Database
from cogs.checkins.service import CheckinService, NewCheckin
from cogs.checkins.stats import streak

ZONES = ("chaos", "within", "rigidity", "support")
QUADRANTS = (
    ("high_unpleasant", "tense", 3, -3),
    ("high_pleasant", "excited", 4, 4),
    ("low_pleasant", "calm", -3, 3),
    ("low_unpleasant", "tired", -3, -2),
)
BIG_GUILD = 1000
BIG_MEMBER = 777
TODAY = date(2026, 11, 25)


def generate(total: int, guilds: int, seed: int = 7) -> list[NewCheckin]:
    """``total`` check-ins: 10 % in one big guild, one member there with 1,000; the rest spread."""
    rng = random.Random(seed)
    big_share = total // 10
    rows: list[NewCheckin] = []
    start = datetime(2025, 11, 26, 6, tzinfo=UTC)
    for index in range(total):
        if index < 1000:
            guild, user = BIG_GUILD, BIG_MEMBER
        elif index < big_share:
            guild, user = BIG_GUILD, 10_000 + rng.randrange(2_000)
        else:
            guild, user = BIG_GUILD + 1 + rng.randrange(guilds - 1), 100_000 + rng.randrange(200_000)
        at = start + timedelta(minutes=rng.randrange(365 * 24 * 60))
        quadrant, word, energy, pleasant = QUADRANTS[rng.randrange(4)]
        note = "a short note about the morning" if rng.random() < 0.3 else None
        rows.append(
            NewCheckin(
                guild,
                user,
                at,
                at.date(),
                ZONES[rng.randrange(4)],
                word,
                quadrant,
                energy,
                pleasant,
                note,
                "shared" if rng.random() < 0.2 else "private",
            )
        )
    return rows


def floor_executemany(path: Path, rows: list[NewCheckin]) -> float:
    """Raw sqlite3: one transaction, one executemany, same schema and pragmas."""
    from cogs.checkins.service import _INSERT_CHECKIN

    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    values = [row.row() for row in rows]
    began = time.perf_counter()
    connection.execute("BEGIN")
    connection.executemany(_INSERT_CHECKIN, values)
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - began
    connection.close()
    return elapsed


async def fresh_database(path: Path) -> Database:
    db = await Database.open(path)
    await db.migrate()
    return db


def with_database(url: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


class Postgres:
    """Databases for one bench run on a PostgreSQL server, dropped at the end."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.made: list[str] = []

    async def fresh(self, name: str) -> Database:
        import asyncpg

        name = f"attune_bench_{os.getpid()}_{name}"
        admin = await asyncpg.connect(self.url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        self.made.append(name)
        db = await Database.open(with_database(self.url, name))
        await db.migrate()
        return db

    async def drop_all(self) -> None:
        import asyncpg

        admin = await asyncpg.connect(self.url)
        try:
            for name in self.made:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def floor_postgresql(url: str, rows: list[NewCheckin]) -> float:
    """Raw asyncpg: one transaction, one executemany, same schema."""
    import asyncpg

    from attune.postgres import _init_connection, translate
    from cogs.checkins.service import _INSERT_CHECKIN

    connection = await asyncpg.connect(url)
    await _init_connection(connection)  # the same text codec for timestamptz as Attune's
    values = [row.row() for row in rows]
    sql = translate(_INSERT_CHECKIN)
    began = time.perf_counter()
    async with connection.transaction():
        await connection.executemany(sql, values)
    elapsed = time.perf_counter() - began
    await connection.close()
    return elapsed


async def timed(coro_factory, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        await coro_factory()
        samples.append(time.perf_counter() - began)
    return samples


async def main(quick: bool, backend: str, url: str | None) -> None:
    header("storage", quick)
    print(f"backend                   {backend}")
    total = 100_000 if quick else 1_000_000
    singles = 5_000 if quick else 50_000
    rows = generate(total, guilds=100)
    if backend == "postgresql":
        if not url:
            raise SystemExit("--backend postgresql needs --url or ATTUNE_TEST_POSTGRESQL")
        server = Postgres(url)
        try:
            await run_postgresql(server, rows, total, singles, quick)
        finally:
            await server.drop_all()
        return
    folder = Path(tempfile.mkdtemp(prefix="attune-bench-"))

    # Floor: raw executemany on the same schema (migrations applied first, then closed).
    floor_db = await fresh_database(folder / "floor.sqlite3")
    await floor_db.close()
    floor = floor_executemany(folder / "floor.sqlite3", rows)

    db = await fresh_database(folder / "attune.sqlite3")
    single_db = await fresh_database(folder / "single.sqlite3")
    batch, history, summary, plans = await measure(
        db, single_db, rows, floor, total, singles, quick, "sqlite"
    )
    await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = await db.fetchval("PRAGMA page_count")
    page_size = await db.fetchval("PRAGMA page_size")
    size = pages * page_size
    await db.close()
    report(batch, floor, history, summary, plans, size, total)


def report(
    batch: float,
    floor: float,
    history: list[float],
    summary: list[float],
    plans: list[bool],
    size: int,
    total: int,
) -> None:
    print(
        f"on disk                   {size / total:.1f} bytes per check-in"
        f" (tables + indexes; {size / 1e6:.1f} MB)"
    )
    print(
        f"SUMMARY storage: batch/floor {batch / floor:.2f}; "
        f"history p99 {percentile(history, 99) * 1000:.2f} ms; "
        f"summary p99 {percentile(summary, 99) * 1000:.2f} ms; full scans {sum(plans)}; "
        f"{size / total:.0f} B/check-in"
    )


async def measure(
    db: Database,
    single_db: Database,
    rows: list[NewCheckin],
    floor: float,
    total: int,
    singles: int,
    quick: bool,
    backend: str,
) -> tuple[float, list[float], list[float], list[bool]]:
    """The figures both backends share: batch and single-row writes, query latencies, plans."""
    service = CheckinService(db)
    began = time.perf_counter()
    await service.add_checkins_batch(rows)
    batch = time.perf_counter() - began
    if backend == "postgresql":
        await db.execute("ANALYZE")  # SQLite plans without statistics; PostgreSQL wants them
    print(f"rows                      {total:,}")
    print(f"floor (raw executemany)   {floor:.2f} s  ({total / floor:,.0f} rows/s)")
    print(
        f"batch path                {batch:.2f} s  ({total / batch:,.0f} rows/s)  ratio {batch / floor:.2f}"
    )

    single_service = CheckinService(single_db)
    latencies = []
    began = time.perf_counter()
    for row in rows[:singles]:
        t0 = time.perf_counter()
        await single_service.add_checkin(row)
        latencies.append(time.perf_counter() - t0)
    single = time.perf_counter() - began
    per_row_floor = floor / total
    print(
        f"single-row path           {singles:,} rows in {single:.2f} s ({singles / single:,.0f} rows/s); "
        f"per row {describe(latencies)}; per-row ratio vs floor {single / singles / per_row_floor:.1f}"
    )
    await single_db.close()

    # Query figures on the 1,000,000-row database.
    repeat = 50 if quick else 200
    history = await timed(
        lambda: asyncio.gather(
            service.entries(BIG_GUILD, BIG_MEMBER, TODAY - timedelta(days=29), TODAY),
            service.checkin_days(BIG_GUILD, BIG_MEMBER, TODAY),
        ),
        repeat,
    )
    member_rows = await service.count_for_member(BIG_GUILD, BIG_MEMBER)
    days = await service.checkin_days(BIG_GUILD, BIG_MEMBER, TODAY)
    print(
        f"history (member with {member_rows:,} check-ins; 30 days, and every day for the streak"
        f" of {streak(days, TODAY)})"
    )
    print(f"                          {describe(history)}")
    guild_rows = await db.fetchval("SELECT count(*) FROM checkins WHERE guild_id = ?", (BIG_GUILD,))
    summary = await timed(lambda: service.day_rows(BIG_GUILD, TODAY - timedelta(days=6), TODAY), repeat)
    print(f"summary (guild with {guild_rows:,} check-ins; 7 days)")
    print(f"                          {describe(summary)}")
    summary30 = await timed(lambda: service.day_rows(BIG_GUILD, TODAY - timedelta(days=29), TODAY), repeat)
    print(f"summary, 30 days          {describe(summary30)}")

    plans = []
    for label, sql, params in [
        (
            "history entries",
            "SELECT created_at, local_date, zone, word, quadrant, energy, pleasantness FROM checkins"
            " WHERE user_id = ? AND guild_id = ? AND local_date BETWEEN ? AND ? ORDER BY created_at",
            (BIG_MEMBER, BIG_GUILD, "2026-10-27", "2026-11-25"),
        ),
        (
            "streak days",
            "SELECT DISTINCT local_date FROM checkins WHERE user_id = ? AND guild_id = ? AND local_date <= ?"
            " ORDER BY local_date DESC",
            (BIG_MEMBER, BIG_GUILD, "2026-11-25"),
        ),
        (
            "summary rows",
            "SELECT local_date, user_id, zone, quadrant, visibility FROM checkins WHERE guild_id = ?"
            " AND local_date BETWEEN ? AND ? ORDER BY created_at, id",
            (BIG_GUILD, "2026-11-19", "2026-11-25"),
        ),
        (
            "reminder check",
            "SELECT 1 FROM checkins WHERE user_id = ? AND created_at >= ? AND created_at < ? LIMIT 1",
            (BIG_MEMBER, "2026-11-25T00:00:00+00:00", "2026-11-26T00:00:00+00:00"),
        ),
    ]:
        if backend == "sqlite":
            detail = " | ".join(r[3] for r in await db.fetchall("EXPLAIN QUERY PLAN " + sql, params))
            scan = "SCAN checkins" in detail and "USING" not in detail.split("SCAN checkins", 1)[1][:40]
        else:
            detail = " | ".join(r[0].strip() for r in await db.fetchall("EXPLAIN " + sql, params))
            scan = "Seq Scan on checkins" in detail
        plans.append(scan)
        print(f"plan {label:<20} {'FULL SCAN' if scan else 'ok'}: {detail}")

    return batch, history, summary, plans


async def run_postgresql(
    server: Postgres, rows: list[NewCheckin], total: int, singles: int, quick: bool
) -> None:
    floor_db = await server.fresh("floor")
    await floor_db.close()
    floor = await floor_postgresql(with_database(server.url, server.made[-1]), rows)
    db = await server.fresh("attune")
    single_db = await server.fresh("single")
    batch, history, summary, plans = await measure(
        db, single_db, rows, floor, total, singles, quick, "postgresql"
    )
    size = await db.fetchval("SELECT pg_total_relation_size('checkins')")
    await db.close()
    report(batch, floor, history, summary, plans, size, total)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 rows instead of 1,000,000")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--url", default=os.environ.get("ATTUNE_TEST_POSTGRESQL"), help="PostgreSQL server")
    args = parser.parse_args()
    asyncio.run(main(args.quick, args.backend, args.url))
