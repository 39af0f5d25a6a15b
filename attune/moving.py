"""``python bot.py migrate-to postgresql://…``: copy an SQLite database into an empty PostgreSQL one.

Everything happens in one PostgreSQL transaction — create the schema, copy every table (parents
before children), move identity sequences past the copied ids, count the rows on both sides — so a
failure, or a count that differs, leaves the target as empty as it was. The SQLite file is only read
(after the migrations a start would apply anyway).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from attune.db import SqliteDatabase
from attune.errors import DatabaseError
from attune.postgres import PostgresDatabase, loosen

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Copied:
    """What was moved: rows per table (verified equal on both sides) and the schema version."""

    rows: dict[str, int]
    version: int

    @property
    def total(self) -> int:
        return sum(self.rows.values())


async def _tables(source: SqliteDatabase) -> list[str]:
    """The source's tables, each after the tables its foreign keys point to."""
    names = [
        r[0]
        for r in await source.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    parents = {
        name: {r["table"] for r in await source.fetchall(f"PRAGMA foreign_key_list({name})")} - {name}
        for name in names
    }
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and parents[n] <= set(ordered)]
        if not ready:  # pragma: no cover - a foreign-key cycle: none in our schema
            raise DatabaseError(f"{source.path}: tables refer to each other in a cycle")
        ordered.extend(ready)
    return ordered


async def _copy_table(conn: asyncpg.Connection, source: SqliteDatabase, table: str) -> int:
    columns = [r["name"] for r in await source.fetchall(f"PRAGMA table_info({table})")]
    listed = ", ".join(f'"{c}"' for c in columns)
    rows = await source.fetchall(f"SELECT {listed} FROM {table}")  # noqa: S608 - names from the schema
    if not rows:
        return 0
    placeholders = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
    statement = await conn.prepare(f"INSERT INTO {table} ({listed}) VALUES ({placeholders})")  # noqa: S608
    types = [t.name for t in statement.get_parameters()]
    await statement.executemany([[loosen(v, t) for v, t in zip(row, types, strict=True)] for row in rows])
    return len(rows)


async def migrate_to(source_path: Path, url: str, say: Callable[[str], Any] = print) -> Copied:
    """Copy the SQLite database at ``source_path`` into the empty PostgreSQL database at ``url``."""
    source = await SqliteDatabase.connect(source_path)
    try:
        version = await source.migrate()
        target = await PostgresDatabase.connect(url)
        try:
            return await _copy(source, target, version, say)
        finally:
            await target.close(announce=False)
    finally:
        await source.close(announce=False, optimize=False)


async def _copy(
    source: SqliteDatabase, target: PostgresDatabase, version: int, say: Callable[[str], Any]
) -> Copied:
    migrations = target.migrations()
    if migrations[-1].version != version:  # pragma: no cover - both come from this version's files
        raise DatabaseError(
            f"{source.path}: schema {version}, but PostgreSQL's migrations end at {migrations[-1].version}"
        )
    tables = await _tables(source)
    async with target.connection() as conn, conn.transaction():
        existing = [
            r[0]
            for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
            )
        ]
        if existing:
            shown = ", ".join(existing[:5]) + (", …" if len(existing) > 5 else "")
            raise DatabaseError(
                f"{target.path}: not empty (it has tables: {shown}); migrate-to copies into an empty "
                "database only, so nothing there is overwritten"
            )
        for migration in migrations:
            await conn.execute(migration.sql)
        await conn.execute("CREATE TABLE attune_schema (version INTEGER NOT NULL)")
        await conn.execute("INSERT INTO attune_schema (version) VALUES ($1)", version)
        # Rows the migrations wrote (the ledger secret) give way to the source's own.
        await conn.execute("DELETE FROM meta")
        counts: dict[str, int] = {}
        for table in tables:
            counts[table] = await _copy_table(conn, source, table)
            say(f"copied {table}: {counts[table]} rows")
        for table in await target.identity_tables(conn):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"  # noqa: S608
                " HAVING max(id) IS NOT NULL"
            )
        for table in tables:
            there = await conn.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608
            here = await source.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608
            if there != here or here != counts[table]:
                raise DatabaseError(
                    f"{target.path}: {table} has {there} rows after the copy, the source {here}; "
                    "nothing was kept"
                )
    return Copied(counts, version)
