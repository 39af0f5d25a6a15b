"""Storage: pragmas, migrations in order and atomically, transactions, refusing newer databases."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from attune.db import Database, Migration, discover_migrations
from attune.errors import DatabaseError


async def test_open_creates_folder_file_and_applies_every_migration(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "data" / "attune.sqlite3"
    db = await Database.open(path)
    version = await db.migrate()
    assert path.exists()
    assert version == discover_migrations()[-1].version
    assert await db.fetchval("PRAGMA journal_mode") == "wal"
    assert await db.fetchval("PRAGMA foreign_keys") == 1
    assert await db.fetchval("PRAGMA synchronous") == 1  # NORMAL
    assert await db.fetchval("PRAGMA busy_timeout") == 5000
    tables = {r[0] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"guild_settings", "guild_channels", "deliveries", "meta", "notices"} <= tables
    await db.close()


async def test_migrate_is_idempotent_and_ordered(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.sqlite3")
    migrations = [
        Migration(1, "0001_a.sql", "CREATE TABLE a (x INTEGER);"),
        Migration(2, "0002_b.sql", "INSERT INTO a VALUES (1); CREATE TABLE b (y INTEGER);"),
    ]
    assert await db.migrate(migrations) == 2
    assert await db.migrate(migrations) == 2
    assert await db.fetchval("SELECT count(*) FROM a") == 1
    await db.close()


async def test_a_failing_migration_leaves_nothing_half_applied(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.sqlite3")
    good = Migration(1, "0001_a.sql", "CREATE TABLE a (x INTEGER);")
    bad = Migration(2, "0002_b.sql", "CREATE TABLE b (y INTEGER); INSERT INTO missing VALUES (1);")
    with pytest.raises(DatabaseError, match=r"0002_b\.sql"):
        await db.migrate([good, bad])
    assert await db.user_version() == 1
    tables = {r[0] for r in await db.fetchall("SELECT name FROM sqlite_master")}
    assert "b" not in tables
    await db.close()


async def test_refuses_a_database_from_a_newer_version(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version = 999")
    raw.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="newer version of Attune"):
        await Database.open(path)
    assert path.read_bytes() == before


async def test_a_corrupt_file_is_reported_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.sqlite3"
    junk = b"this is not a database" * 100
    path.write_bytes(junk)
    with pytest.raises(DatabaseError, match="not a readable SQLite database"):
        await Database.open(path)
    assert path.read_bytes() == junk
    assert not Path(str(path) + "-wal").exists()


@pytest.mark.both_backends
async def test_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
            raise RuntimeError("boom")
    assert await db.fetchval("SELECT count(*) FROM meta WHERE key = 'a'") == 0


@pytest.mark.both_backends
async def test_concurrent_writers_are_serialised(db: Database) -> None:
    import asyncio

    async def writer(n: int) -> None:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (f"k{n}", "x"))
            await asyncio.sleep(0)
            await conn.execute("UPDATE meta SET value = 'y' WHERE key = ?", (f"k{n}",))

    await asyncio.gather(*(writer(n) for n in range(20)))
    assert await db.fetchval("SELECT count(*) FROM meta WHERE value = 'y'") == 20


async def test_close_checkpoints_the_wal(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    db = await Database.open(path)
    await db.migrate()
    await db.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
    await db.close()
    assert db.closed
    assert not Path(str(path) + "-wal").exists()
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT value FROM meta WHERE key='a'").fetchone() == ("1",)
    raw.close()
