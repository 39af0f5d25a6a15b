"""The application's database: one API, two backends (SQLite by default, PostgreSQL by URL).

:meth:`Database.open` picks the backend from ``ATTUNE_DATABASE``: a ``postgresql://`` URL opens
PostgreSQL (:mod:`attune.postgres`), anything else is an SQLite file. Both speak the same plain SQL
with ``?`` placeholders, and rows index by position and by column name.

All writes go through :meth:`Database.transaction` (or the one-statement helpers built on it),
which serialises them within a process with an ``asyncio.Lock``; on SQLite also ``BEGIN
IMMEDIATE``: with a single shared connection, an unguarded write from one task would otherwise
join another task's transaction. Reads need no lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import secrets
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol, cast

import aiosqlite

from attune.errors import DatabaseError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 5_000
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

Params = Sequence[Any] | dict[str, Any]
#: A result row: ``aiosqlite.Row`` or ``asyncpg.Record``; both index by position and by column name
#: and have ``keys()``.
Row = Any
POSTGRESQL_SCHEMES = ("postgresql://", "postgres://")
SQLITE_DIALECT, POSTGRESQL_DIALECT = "sqlite", "postgresql"


class Connection(Protocol):
    """The connection a transaction yields: ``await conn.execute(...)`` or ``async with
    conn.execute(...) as cursor`` give a cursor with ``rowcount``, ``lastrowid``, ``fetchone()``,
    ``fetchall()`` and ``close()`` (as sqlite3's); ``executemany``; ``total_changes`` counts
    changed rows. aiosqlite's connection is one; :class:`attune.postgres.PgConnection` the other."""

    def execute(self, sql: str, parameters: Params = ..., /) -> Any: ...
    async def executemany(self, sql: str, parameters: Iterable[Params], /) -> Any: ...
    @property
    def total_changes(self) -> int: ...


def new_owner() -> int:
    """A random positive 62-bit number naming this process in ``deliveries.claimed_by``."""
    return secrets.randbits(62) | 1 << 61


def is_postgresql(target: Path | str) -> bool:
    return isinstance(target, str) and target.startswith(POSTGRESQL_SCHEMES)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def discover_migrations(directory: Path = MIGRATIONS_DIR, dialect: str = SQLITE_DIALECT) -> list[Migration]:
    """Numbered ``NNNN_name.sql`` files, in order; numbering must be 1..n without gaps.

    One numbering for both backends: ``postgresql/NNNN_name.sql`` replaces the file of the same
    name on PostgreSQL, where the SQL must differ (types, ``WITHOUT ROWID``); the rest is shared.
    """
    found: list[Migration] = []
    dialect_dir = directory / dialect
    own = {p.name for p in dialect_dir.glob("*.sql")} if dialect != SQLITE_DIALECT else set()
    if stray := own - {p.name for p in directory.glob("*.sql")}:
        raise DatabaseError(f"{dialect_dir}: {sorted(stray)[0]} has no shared migration of that name")
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise DatabaseError(f"{path}: migration files must be named NNNN_name.sql")
        source = dialect_dir / path.name if path.name in own else path
        found.append(Migration(int(match.group(1)), path.name, source.read_text("utf-8")))
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise DatabaseError(f"{migration.name}: expected migration number {expected:04d}")
    return found


def _create_private(path: Path) -> None:
    """Create the database's folder (0700) and file (0600) readable by the owner only.

    Existing folders and files keep the modes an operator gave them; SQLite gives its ``-wal`` and
    ``-shm`` files the database file's mode.
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    if not path.exists():
        # In a read-only folder this fails quietly: sqlite's own open then names the problem.
        with contextlib.suppress(OSError):
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _describe(path: Path, exc: BaseException) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return f"{path}: the database is locked by another process (is Attune already running?)"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return f"{path}: the file is not a readable SQLite database (corrupt?); it was left untouched"
    if "readonly" in text or "read-only" in text:
        return f"{path}: the database (or its folder) is read-only; Attune needs to write there"
    if "unable to open" in text:
        return f"{path}: cannot open the database file (check the folder exists and is writable)"
    return f"{path}: {text}"


def database_problem(path: Path, exc: BaseException) -> DatabaseError:
    """The one-line start-up problem for an SQLite error met at ``path``."""
    return DatabaseError(_describe(path, exc))


class Database:
    """The application's database; :meth:`open` returns the backend ``target`` names."""

    #: ``"sqlite"`` or ``"postgresql"``: which SQL dialect (and migration files) this backend speaks.
    dialect: ClassVar[str]
    #: What to call the database in messages: the SQLite file, or the URL without its password.
    path: Path | str
    #: This process's mark on the deliveries it claims (``deliveries.claimed_by``), random per open.
    owner: int

    async def owner_alive(self, owner: int) -> bool:
        """Whether the process that wrote ``owner`` still runs (its claims are not to be resumed).

        SQLite serves one process: any other owner is a process that stopped. PostgreSQL asks the
        server (each process holds an advisory lock on its owner number while it lives).
        """
        return owner == self.owner

    @classmethod
    async def open(cls, target: Path | str) -> Database:
        """Open ``target``: a ``postgresql://`` URL, else an SQLite file path."""
        if is_postgresql(target):
            from attune.postgres import PostgresDatabase

            return await PostgresDatabase.connect(str(target))
        return await SqliteDatabase.connect(Path(target))

    def _refuse_newer(self, current: int, newest: int) -> None:
        if current > newest:
            raise DatabaseError(
                f"{self.path}: written by a newer version of Attune (schema {current}; this "
                f"version knows up to {newest}). Upgrade Attune, or point ATTUNE_DATABASE elsewhere."
            )

    def migrations(self) -> list[Migration]:
        """This backend's migrations, in order."""
        return discover_migrations(dialect=self.dialect)

    async def close(self, *, announce: bool = True, optimize: bool = True) -> None:
        raise NotImplementedError

    @property
    def closed(self) -> bool:
        raise NotImplementedError

    async def user_version(self) -> int:
        """The schema version: the number of the last migration applied."""
        raise NotImplementedError

    async def migrate(self, migrations: Iterable[Migration] | None = None) -> int:
        raise NotImplementedError

    async def checkpoint(self, attempts: int = 5) -> bool:
        """Make sure erased rows leave no readable trace behind (after a privacy delete)."""
        raise NotImplementedError

    def transaction(self) -> contextlib.AbstractAsyncContextManager[Connection]:
        raise NotImplementedError

    async def execute(self, sql: str, params: Params = ()) -> int:
        raise NotImplementedError

    async def insert(self, sql: str, params: Params = ()) -> int:
        raise NotImplementedError

    async def execute_returning(self, sql: str, params: Params = ()) -> Row | None:
        """Run one write statement with ``RETURNING``; its first row (``None`` when it changed none).

        One statement is atomic on its own: a check-and-count such as a cooldown needs no
        transaction around a read and a write, and costs one round trip instead of four.
        """
        raise NotImplementedError

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        raise NotImplementedError

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        raise NotImplementedError

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        raise NotImplementedError

    async def fetchval(self, sql: str, params: Params = (), default: Any = None) -> Any:
        row = await self.fetchone(sql, params)
        return default if row is None else row[0]


class SqliteDatabase(Database):
    """One long-lived SQLite connection, its pragmas, transactions and schema migrations."""

    dialect = SQLITE_DIALECT

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._conn = connection
        self.path: Path = path
        self.owner = new_owner()
        self._write_lock = asyncio.Lock()
        self._closed = False

    @classmethod
    async def connect(cls, path: Path) -> SqliteDatabase:
        """Open (creating the file and its folder if needed) and configure the connection."""
        if str(path) != ":memory:":
            try:
                _create_private(path)
            except OSError as exc:
                raise DatabaseError(
                    f"{path}: cannot create the folder {path.parent} ({exc.strerror})"
                ) from None
        try:
            # Open once synchronously first: a path that can't be opened fails here, before
            # aiosqlite starts a worker thread that would outlive the event loop on error.
            sqlite3.connect(path).close()
            connection = await aiosqlite.connect(path, isolation_level=None)
        except (sqlite3.Error, OSError) as exc:
            raise DatabaseError(_describe(path, exc)) from None
        connection.row_factory = aiosqlite.Row
        db = cls(connection, path)
        try:
            await db._configure()
        except sqlite3.Error as exc:
            await connection.close()
            raise DatabaseError(_describe(path, exc)) from None
        except DatabaseError:
            await connection.close()
            raise
        return db

    async def _configure(self) -> None:
        # Read before writing anything: a file that is not SQLite, or a schema newer than this
        # code, is refused while the file is still byte-for-byte as we found it.
        await self.fetchall(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await self.fetchall("SELECT count(*) FROM sqlite_master")
        self._refuse_newer(await self.user_version(), self.migrations()[-1].version)
        for pragma in (
            "PRAGMA journal_mode = WAL",
            "PRAGMA synchronous = NORMAL",
            "PRAGMA foreign_keys = ON",
            # Deleted rows are overwritten with zeros, so erased notes don't linger in free pages.
            "PRAGMA secure_delete = ON",
        ):
            await self.fetchall(pragma)
        # In WAL mode reads still work while another process holds the write lock, and a read-only
        # file reads fine too: either would only show at the first write, long after start-up. So
        # write once now (within the busy timeout) and roll it back: the file is left as it was.
        version = await self.user_version()
        await self._conn.execute("BEGIN IMMEDIATE")
        try:
            await self._conn.execute(f"PRAGMA user_version = {version}")
        finally:
            await self._conn.execute("ROLLBACK")

    async def close(self, *, announce: bool = True, optimize: bool = True) -> None:
        """Close the connection; ``optimize=False`` writes nothing more (after a crash-like stop, or a
        start-up that met a corrupt table: ``PRAGMA optimize`` would write statistics into it)."""
        if self._closed:
            return
        self._closed = True
        async with self._write_lock:
            try:
                if optimize:
                    await self._conn.execute("PRAGMA optimize")
            except sqlite3.Error:  # pragma: no cover - best effort
                log.debug("PRAGMA optimize failed", exc_info=True)
            await self._conn.close()
        if announce:
            log.info("database closed: %s", self.path)

    @property
    def closed(self) -> bool:
        return self._closed

    # ---------------------------------------------------------------- schema

    async def user_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self, migrations: Iterable[Migration] | None = None) -> int:
        """Apply pending migrations in order, each atomically; returns the resulting version.

        Refuses a database whose ``user_version`` is newer than the newest migration known here.
        """
        known = list(self.migrations() if migrations is None else migrations)
        newest = known[-1].version if known else 0
        current = await self.user_version()
        self._refuse_newer(current, newest)
        for migration in known:
            if migration.version <= current:
                continue
            async with self._write_lock:
                try:
                    await self._conn.executescript(
                        "BEGIN IMMEDIATE;\n"
                        f"{migration.sql}\n;"
                        f"PRAGMA user_version = {migration.version};\n"
                        "COMMIT;"
                    )
                except sqlite3.Error as exc:
                    if self._conn.in_transaction:
                        await self._conn.execute("ROLLBACK")
                    raise DatabaseError(f"{self.path}: migration {migration.name} failed: {exc}") from None
            log.info("applied migration %s", migration.name)
            current = migration.version
        return current

    async def checkpoint(self, attempts: int = 5) -> bool:
        """Copy the WAL into the database and truncate it: after a privacy delete, the erased text
        must not survive in the write-ahead log either. A read still running on the connection
        blocks it for a moment, so it is retried; returns whether it completed."""
        for attempt in range(attempts):
            async with self._write_lock:
                try:
                    row = await (await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")).fetchone()
                except sqlite3.OperationalError:
                    row = None
            if row is not None and row[0] == 0:
                return True
            await asyncio.sleep(0.05 * (attempt + 1))
        log.warning("WAL checkpoint did not complete; it will be retried after the next delete")
        return False

    # ----------------------------------------------------------------- writes

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """``BEGIN IMMEDIATE … COMMIT`` (``ROLLBACK`` on error), one writer at a time."""
        async with self._write_lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            else:
                await self._conn.execute("COMMIT")

    # Each one-statement call runs as ONE function on aiosqlite's worker thread. Through its cursor
    # API a read is three hand-offs between the event loop and that thread (execute, fetch, close)
    # and a write two; each hand-off is a future and a wake-up, and in a burst of interactions they
    # were a sixth of the bot's CPU. ``Connection._execute`` is aiosqlite's own queue (0.20–0.22,
    # the versions pyproject allows): measured 190 → 70 µs of CPU per single-row read.

    async def _on_worker(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        connection = self._conn._conn  # the sqlite3 connection aiosqlite's thread owns
        if connection is None:
            raise ValueError("Connection closed")
        return await self._conn._execute(work, connection)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write statement; returns the number of changed rows."""

        def run(connection: sqlite3.Connection) -> int:
            cursor = connection.execute(sql, params)
            cursor.close()
            return cursor.rowcount

        async with self._write_lock:
            return int(await self._on_worker(run))

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run one INSERT; returns the new row id."""

        def run(connection: sqlite3.Connection) -> int | None:
            cursor = connection.execute(sql, params)
            cursor.close()
            return cursor.lastrowid

        async with self._write_lock:
            row_id = await self._on_worker(run)
        if row_id is None:  # pragma: no cover - sqlite always sets it for INSERT
            raise RuntimeError("INSERT returned no row id")
        return int(row_id)

    async def execute_returning(self, sql: str, params: Params = ()) -> Row | None:
        def run(connection: sqlite3.Connection) -> Row | None:
            cursor = connection.execute(sql, params)
            try:
                return cursor.fetchone()
            finally:
                cursor.close()  # finishes the statement, and so commits it

        async with self._write_lock:
            return cast(Row | None, await self._on_worker(run))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Batch write in one transaction: the fast path for fan-out and bulk loads."""
        async with self.transaction() as conn:
            await conn.executemany(sql, rows)

    # ------------------------------------------------------------------ reads

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        def run(connection: sqlite3.Connection) -> list[Row]:
            return connection.execute(sql, params).fetchall()

        return cast(list[Row], await self._on_worker(run))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        def run(connection: sqlite3.Connection) -> Row | None:
            cursor = connection.execute(sql, params)
            try:
                return cursor.fetchone()
            finally:
                cursor.close()

        return cast(Row | None, await self._on_worker(run))
