"""The PostgreSQL backend's own parts: placeholders, times as the app writes them, ids, rows changed,
the schema version and its refusal, the lock that says a process is alive."""

from __future__ import annotations

from datetime import UTC, date, datetime

import asyncpg
import pytest

from attune.db import Database
from attune.errors import DatabaseError
from attune.postgres import redact, translate

pytestmark = pytest.mark.both_backends


def test_placeholders_are_numbered_outside_quotes_and_comments() -> None:
    assert translate("SELECT ? FROM t WHERE a = ? AND b = '?' -- why?\n AND c = ?") == (
        "SELECT $1 FROM t WHERE a = $2 AND b = '?' -- why?\n AND c = $3"
    )
    assert translate("SELECT 'it''s ?', \"odd?\" FROM t WHERE x = ?") == (
        "SELECT 'it''s ?', \"odd?\" FROM t WHERE x = $1"
    )


def test_a_password_never_shows() -> None:
    assert (
        redact("postgresql://attune:s3cret@db.example/attune") == "postgresql://attune:***@db.example/attune"
    )
    assert redact("postgresql://attune@localhost/attune") == "postgresql://attune@localhost/attune"


async def test_times_come_back_exactly_as_written_and_compare_as_instants(db: Database) -> None:
    written = [datetime(2026, 11, 25, 9, 0, tzinfo=UTC), datetime(2026, 3, 29, 1, 30, 15, 250000, tzinfo=UTC)]
    for n, at in enumerate(written):
        await db.execute(
            "INSERT INTO notices (guild_id, key, sent_at) VALUES (?, ?, ?)", (1, f"k{n}", at.isoformat())
        )
    rows = await db.fetchall("SELECT sent_at FROM notices ORDER BY sent_at")
    assert [r["sent_at"] for r in rows] == sorted(at.isoformat() for at in written)
    later = await db.fetchval(
        "SELECT count(*) FROM notices WHERE sent_at >= ?", (datetime(2026, 11, 1, tzinfo=UTC).isoformat(),)
    )
    assert later == 1


async def test_ids_rows_changed_and_loose_types_behave_as_on_sqlite(db: Database) -> None:
    first = await db.insert(
        "INSERT INTO sit_logs (guild_id, user_id, minutes, note, logged_at) VALUES (?, ?, ?, ?, ?)",
        (1, 2, 10, None, datetime.now(UTC).isoformat()),
    )
    second = await db.insert(
        "INSERT INTO sit_logs (guild_id, user_id, minutes, note, logged_at) VALUES (?, ?, ?, ?, ?)",
        (1, 2, 20, "ok", datetime.now(UTC)),  # a datetime is stored as its ISO text
    )
    assert second > first
    assert await db.execute("UPDATE sit_logs SET minutes = minutes + 1 WHERE user_id = ?", (2,)) == 2
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", ("n", 5)
        )
        assert cursor.rowcount == 1
        again = await conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", ("n", 6)
        )
        assert again.rowcount == 0
    assert await db.fetchval("SELECT value FROM meta WHERE key = 'n'") == "5"
    await db.execute(
        "INSERT INTO checkin_threads (guild_id, local_date, channel_id, occurrence, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (
            1,
            date(2026, 11, 25),
            3,
            datetime(2026, 11, 25, 9, tzinfo=UTC),
            datetime(2026, 11, 25, 9, tzinfo=UTC),
        ),
    )
    assert await db.fetchval("SELECT local_date FROM checkin_threads") == "2026-11-25"


async def test_a_database_from_a_newer_version_is_refused(db: Database, database, backend: str) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite's refusal: test_refuses_a_database_from_a_newer_version")
    conn = await asyncpg.connect(database)
    try:
        await conn.execute("UPDATE attune_schema SET version = 999")
    finally:
        await conn.close()
    with pytest.raises(DatabaseError, match="newer version of Attune"):
        await Database.open(database)


async def test_a_process_is_alive_while_its_database_is_open(db: Database, database, backend: str) -> None:
    other = await Database.open(database)
    try:
        assert await db.owner_alive(db.owner)
        alive = await db.owner_alive(other.owner)
        assert alive == (backend == "postgresql")  # SQLite: one process per file
    finally:
        await other.close()
    assert not await db.owner_alive(other.owner)


async def test_an_unreachable_server_is_one_clear_line() -> None:
    with pytest.raises(DatabaseError, match=r"postgresql://attune:\*\*\*@127\.0\.0\.1:1/x: cannot connect"):
        await Database.open("postgresql://attune:pw@127.0.0.1:1/x")


async def test_the_two_migration_tracks_build_the_same_tables_and_columns(db_path, pg_server) -> None:
    """So tests/privacy_schema.py, checked against SQLite's schema, speaks for PostgreSQL's too."""
    sqlite = await Database.open(db_path)
    await sqlite.migrate()
    tables = [
        r[0]
        for r in await sqlite.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    on_sqlite = {t: {r[1] for r in await sqlite.fetchall(f"PRAGMA table_info({t})")} for t in tables}
    await sqlite.close()
    url = await pg_server.fresh()
    try:
        conn = await asyncpg.connect(url)
        try:
            rows = await conn.fetch(
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name <> 'attune_schema'"
            )
            instants = {
                (r["table_name"], r["column_name"])
                for r in await conn.fetch(
                    "SELECT table_name, column_name FROM information_schema.columns"
                    " WHERE table_schema = current_schema() AND data_type = 'timestamp with time zone'"
                )
            }
        finally:
            await conn.close()
    finally:
        await pg_server.drop(url)
    on_postgresql: dict[str, set[str]] = {}
    for r in rows:
        on_postgresql.setdefault(r["table_name"], set()).add(r["column_name"])
    assert on_postgresql == on_sqlite
    # Instants are timestamptz; wall-clock times and local dates stay text.
    assert ("deliveries", "occurrence") in instants and ("schedule_due", "next_due") in instants
    assert ("sits", "start_local") not in instants and ("checkins", "local_date") not in instants
