"""PostgreSQL behind the same :class:`~attune.db.Database` API as SQLite (asyncpg).

The stores' SQL is shared: ``?`` placeholders become ``$1, $2, …`` here; an INSERT into a table
with an identity ``id`` gets ``RETURNING id`` so ``lastrowid`` works as on SQLite. Times are
``timestamptz`` columns, exchanged as the ISO strings the app writes (``datetime.isoformat()`` of
UTC instants) through a text codec, with the session in UTC. Within one process writes are
serialised as on SQLite; across processes, the database's own constraints (the ledger's UNIQUE
claim) decide, and migrations take an advisory lock so two starting processes never both migrate.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import AsyncIterator, Generator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from attune.db import POSTGRESQL_DIALECT, Connection, Database, Migration, Params, Row, new_owner
from attune.errors import DatabaseError

log = logging.getLogger(__name__)

#: The one-row table holding the schema version (SQLite keeps it in ``PRAGMA user_version``).
VERSION_TABLE = "attune_schema"
#: ``pg_advisory_xact_lock`` key taken while migrating (any constant; this one spells "attune").
MIGRATION_LOCK = 0x617474756E65
POOL_SIZE = 4
CLOSE_TIMEOUT = 10.0

_INSERT_INTO = re.compile(r"^\s*INSERT\s+INTO\s+\"?(\w+)\"?", re.IGNORECASE)
_RETURNS_ROWS = re.compile(r"^\s*(SELECT|WITH|VALUES|SHOW|EXPLAIN)\b|\bRETURNING\b", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)
_BAD_ARGUMENT = "invalid input for query argument"


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


@functools.lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    """``?`` placeholders → ``$1, $2, …``, leaving quoted literals, identifiers and comments alone."""
    out: list[str] = []
    number = 0
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        if char in "'\"":
            end = i + 1
            while end < n:
                if sql[end] == char:
                    if end + 1 < n and sql[end + 1] == char:  # a doubled quote inside the literal
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1])
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end == -1 else end
            out.append(sql[i:end])
            i = end
        elif char == "?":
            number += 1
            out.append(f"${number}")
            i += 1
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _plain(value: Any) -> Any:
    """Dates and times as the ISO text the app stores (as sqlite3 would adapt them)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _arguments(params: Params) -> list[Any]:
    if isinstance(params, dict):
        raise TypeError("named parameters are not used with PostgreSQL; pass a sequence")
    return [_plain(v) for v in params]


def _instant_text(value: Any) -> str:
    return value if isinstance(value, str) else value.isoformat()


def _instant_from_text(text: str) -> str:
    """PostgreSQL's ``2026-11-25 09:00:00+00`` as ``2026-11-25T09:00:00+00:00``, as the app wrote it."""
    return datetime.fromisoformat(text).isoformat()


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "timestamptz",
        schema="pg_catalog",
        encoder=_instant_text,
        decoder=_instant_from_text,
        format="text",
    )
    # sum() and avg() of integers are numeric on PostgreSQL; the app expects numbers like SQLite's.
    await conn.set_type_codec("numeric", schema="pg_catalog", encoder=str, decoder=float, format="text")


def loosen(value: Any, type_name: str) -> Any:
    """SQLite's type affinity, for a value whose Python type doesn't fit the column's."""
    if value is None:
        return None
    if type_name in ("text", "varchar", "bpchar", "name"):
        return str(value)
    if type_name in ("int2", "int4", "int8"):
        return int(value)
    if type_name in ("float4", "float8"):
        return float(value)
    return value


async def _loosened(conn: asyncpg.Connection, sql: str, rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    statement = await conn.prepare(sql)
    types = [t.name for t in statement.get_parameters()]
    return [[loosen(v, t) for v, t in zip(row, types, strict=True)] for row in rows]


def _count(status: str) -> int:
    """Rows changed, from a command tag like ``UPDATE 3`` or ``INSERT 0 1``."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else -1


class PgCursor:
    """A finished statement's rows and counts, shaped like sqlite3's cursor."""

    def __init__(self, rows: Sequence[Row], rowcount: int, lastrowid: int | None) -> None:
        self._rows = list(rows)
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    async def fetchone(self) -> Row | None:
        return self._rows.pop(0) if self._rows else None

    async def fetchall(self) -> list[Row]:
        rows, self._rows = self._rows, []
        return rows

    async def close(self) -> None:
        self._rows = []


class _Call:
    """``await conn.execute(...)`` or ``async with conn.execute(...) as cursor``, as aiosqlite allows."""

    def __init__(self, run: Any) -> None:
        self._run = run

    def __await__(self) -> Generator[Any, None, PgCursor]:
        return self._run().__await__()

    async def __aenter__(self) -> PgCursor:
        cursor: PgCursor = await self._run()
        return cursor

    async def __aexit__(self, *exc: object) -> None:
        return None


class PgConnection:
    """One pooled connection, inside a transaction (or not): runs the shared SQL."""

    def __init__(self, conn: asyncpg.Connection, identity_tables: frozenset[str]) -> None:
        self._conn = conn
        self._identity = identity_tables
        self._changes = 0

    @property
    def total_changes(self) -> int:
        return self._changes

    def execute(self, sql: str, parameters: Params = (), /) -> _Call:
        return _Call(lambda: self._execute(sql, _arguments(parameters)))

    async def _retrying(self, method: Any, sql: str, args: list[Any]) -> Any:
        try:
            return await method(sql, *args)
        except asyncpg.DataError as error:
            if _BAD_ARGUMENT not in str(error):
                raise
            [loose] = await _loosened(self._conn, sql, [args])
            return await method(sql, *loose)

    async def _execute(self, sql: str, args: list[Any]) -> PgCursor:
        sql = translate(sql)
        insert = _INSERT_INTO.match(sql)
        if insert and insert.group(1).lower() in self._identity and not _RETURNS_ROWS.search(sql):
            rows = await self._retrying(self._conn.fetch, sql + " RETURNING id", args)
            self._changes += len(rows)
            return PgCursor([], len(rows), rows[-1][0] if rows else None)
        if _RETURNS_ROWS.search(sql):
            rows = await self._retrying(self._conn.fetch, sql, args)
            returning = bool(_RETURNING.search(sql))
            if returning:
                self._changes += len(rows)
            return PgCursor(rows, len(rows) if returning else -1, None)
        status = await self._retrying(self._conn.execute, sql, args)
        count = _count(status)
        self._changes += max(count, 0)
        return PgCursor([], count, None)

    async def executemany(self, sql: str, parameters: Iterable[Params], /) -> None:
        rows = [_arguments(p) for p in parameters]
        if not rows:
            return
        if "ON CONFLICT" in sql.upper() or not sql.lstrip().upper().startswith("INSERT"):
            # Rows changed must be counted exactly (an upsert may skip some): one at a time.
            for args in rows:
                await self._execute(sql, args)
            return
        sql = translate(sql)
        try:
            await self._conn.executemany(sql, rows)
        except asyncpg.DataError as error:
            if _BAD_ARGUMENT not in str(error):
                raise
            await self._conn.executemany(sql, await _loosened(self._conn, sql, rows))
        self._changes += len(rows)


class PostgresDatabase(Database):
    """A pool of asyncpg connections to one PostgreSQL database."""

    dialect = POSTGRESQL_DIALECT

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self._pool = pool
        self.url = url
        self.path = redact(url)
        self.owner = new_owner()
        #: Holds the advisory lock on ``owner`` while this process lives (see :meth:`owner_alive`).
        self._owner_conn: asyncpg.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._vacuum_lock = asyncio.Lock()
        self._closed = False
        self._identity: frozenset[str] = frozenset()

    @classmethod
    async def connect(cls, url: str) -> PostgresDatabase:
        try:
            pool = await asyncpg.create_pool(
                url,
                min_size=1,
                max_size=POOL_SIZE,
                init=_init_connection,
                # Connections live as long as the process: none is closed for being idle (nor
                # reopened in the middle of a burst of deliveries).
                max_inactive_connection_lifetime=0,
                server_settings={"TimeZone": "UTC", "application_name": "attune"},
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError) as error:
            raise DatabaseError(f"{redact(url)}: cannot connect to PostgreSQL ({error})") from None
        db = cls(pool, url)
        try:
            db._refuse_newer(await db.user_version(), db.migrations()[-1].version)
            await db._load_identity_tables()
            db._owner_conn = await asyncpg.connect(url, server_settings={"application_name": "attune-owner"})
            await db._owner_conn.execute("SELECT pg_advisory_lock($1)", db.owner)
        except BaseException:
            await db.close(announce=False)
            raise
        return db

    async def _load_identity_tables(self) -> None:
        async with self._pool.acquire() as conn:
            self._identity = frozenset(await self.identity_tables(conn))

    @staticmethod
    async def identity_tables(conn: asyncpg.Connection) -> list[str]:
        """Tables whose ``id`` the database numbers (an INSERT gets ``RETURNING id``)."""
        rows = await conn.fetch(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND column_name = 'id' AND is_identity = 'YES' ORDER BY table_name"
        )
        return [str(r[0]).lower() for r in rows]

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A raw pooled connection, for work beyond the shared SQL (``migrate-to``)."""
        async with self._write_lock, self._pool.acquire() as conn:
            yield conn

    async def owner_alive(self, owner: int) -> bool:
        if owner == self.owner:
            return True
        async with self._pool.acquire() as conn:
            if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", owner):
                return True  # its process holds it: alive
            await conn.execute("SELECT pg_advisory_unlock($1)", owner)
            return False

    async def close(self, *, announce: bool = True, optimize: bool = True) -> None:
        if self._closed:
            return
        self._closed = True
        if self._owner_conn is not None:
            await self._owner_conn.close()
        async with self._write_lock:
            try:
                await asyncio.wait_for(self._pool.close(), CLOSE_TIMEOUT)
            except TimeoutError:  # pragma: no cover - a connection stuck in a query
                self._pool.terminate()
        if announce:
            log.info("database closed: %s", self.path)

    @property
    def closed(self) -> bool:
        return self._closed

    # ---------------------------------------------------------------- schema

    async def user_version(self) -> int:
        async with self._pool.acquire() as conn:
            return await _version(conn)

    async def migrate(self, migrations: Iterable[Migration] | None = None) -> int:
        """Apply pending migrations in order, each in its own transaction, under an advisory lock
        (a second process starting at the same moment waits, then finds nothing left to do)."""
        known = list(self.migrations() if migrations is None else migrations)
        newest = known[-1].version if known else 0
        current = await self.user_version()
        self._refuse_newer(current, newest)
        if current == newest:
            return current
        async with self._write_lock, self._pool.acquire() as conn:
            # A session lock, taken outside the transactions: each migration's transaction then
            # starts after it, and so sees what a process that migrated meanwhile committed.
            await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            try:
                for migration in known:
                    async with conn.transaction():
                        current = await _version(conn)
                        self._refuse_newer(current, newest)
                        if migration.version <= current:
                            continue
                        try:
                            await conn.execute(_VERSION_TABLE)
                            await conn.execute(migration.sql)
                            await conn.execute(_SET_VERSION, migration.version)
                        except asyncpg.PostgresError as error:
                            raise DatabaseError(
                                f"{self.path}: migration {migration.name} failed: {error}"
                            ) from None
                    log.info("applied migration %s", migration.name)
                    current = migration.version
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
        await self._load_identity_tables()
        return current

    async def checkpoint(self, attempts: int = 5) -> bool:
        """After a privacy delete: VACUUM, so the deleted rows' space is reclaimed and reused rather
        than left as dead tuples (see docs/operations.md for what remains the operator's part)."""
        try:
            # One at a time; no truncation (it would wait for other sessions' locks on the table).
            async with self._vacuum_lock, self._pool.acquire() as conn:
                await conn.execute("VACUUM (TRUNCATE false)")
        except asyncpg.PostgresError:
            log.warning("VACUUM after a delete failed; autovacuum will reclaim the rows", exc_info=True)
            return False
        return True

    # ----------------------------------------------------------------- writes

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """One writer at a time in this process, in a PostgreSQL transaction (ROLLBACK on error)."""
        async with self._write_lock, self._pool.acquire() as conn, conn.transaction():
            yield PgConnection(conn, self._identity)

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self.transaction() as conn:
            cursor: PgCursor = await conn.execute(sql, params)
            return cursor.rowcount

    async def insert(self, sql: str, params: Params = ()) -> int:
        async with self.transaction() as conn:
            cursor: PgCursor = await conn.execute(sql, params)
        if cursor.lastrowid is None:
            raise RuntimeError("INSERT returned no row id")
        return cursor.lastrowid

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self.transaction() as conn:
            await conn.executemany(sql, rows)

    # ------------------------------------------------------------------ reads

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._pool.acquire() as conn:
            cursor = await PgConnection(conn, self._identity).execute(sql, params)
            return await cursor.fetchall()

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None


_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS attune_schema (version INTEGER NOT NULL);"
    " INSERT INTO attune_schema SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM attune_schema)"
)
_SET_VERSION = f"UPDATE {VERSION_TABLE} SET version = $1"  # noqa: S608 - a constant name


async def _version(conn: asyncpg.Connection) -> int:
    exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", VERSION_TABLE)
    if not exists:
        return 0
    return int(await conn.fetchval(f"SELECT coalesce(max(version), 0) FROM {VERSION_TABLE}"))  # noqa: S608
