"""Shared set-up for the fault tests that run the real ``python bot.py`` against the loopback fake.

The database is migrated by the product's own code, then seeded with plain SQL in the layout of the
capabilities' migrations (as an established community's rows would be), with schedules that come due
seconds after start-up. Readers here look at what the fake Discord holds and what the delivery ledger
says, so tests assert what members would see and what the bot recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web

from attune.db import Database, is_postgresql
from attune.scheduler import HEARTBEAT_KEY
from attune.when import ALL_DAYS
from cogs.checkins.models import Setup
from cogs.checkins.schedules.daily import plan_for
from fakediscord import ApiError, FakeDiscord
from tests.e2e.process import BotProcess, bot_process

FINAL = ("posted", "late", "skipped", "failed")
CLOSING_BELL = "has ended"
STARTER_BUTTON = "checkin:start"


T = TypeVar("T")


def on_backend(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    scenario: Callable[[Path | str], Awaitable[T]],
    name: str,
) -> T:
    """Run ``scenario`` once on the backend ``request.param`` names: a fresh SQLite file, or a fresh
    PostgreSQL database that the first start migrates (dropped afterwards)."""
    if request.param == "sqlite":
        return asyncio.run(scenario(tmp_path_factory.mktemp(name) / "attune.sqlite3"))
    server = request.getfixturevalue("pg_server")

    async def on_postgresql() -> T:
        url = await server.fresh(migrated=False)
        try:
            return await scenario(url)
        finally:
            await server.drop(url)

    return asyncio.run(on_postgresql())


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


# ------------------------------------------------------------------------------ the database


async def create_database(path: Path | str) -> None:
    """A database migrated by the product's own code (what the first start would create)."""
    db = await Database.open(path)
    await db.migrate()
    await db.close()


def connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=10)
    connection.row_factory = sqlite3.Row
    return connection


def _on_postgresql(url: str, sql: str, params: tuple[Any, ...]) -> tuple[list[dict[str, Any]], int]:
    """One statement on PostgreSQL through Attune's own SQL layer, from synchronous code (a thread
    with its own event loop, so it works inside a running test too): rows and the new id."""
    import asyncpg

    from attune.postgres import PgConnection, PostgresDatabase, _init_connection

    async def run() -> tuple[list[dict[str, Any]], int]:
        conn = await asyncpg.connect(url)
        try:
            await _init_connection(conn)
            tables = frozenset(await PostgresDatabase.identity_tables(conn))
            cursor = await PgConnection(conn, tables).execute(sql, params)
            return [dict(row) for row in await cursor.fetchall()], int(cursor.lastrowid or 0)
        finally:
            await conn.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(run())).result()


def execute(path: Path | str, sql: str, params: tuple[Any, ...] = ()) -> int:
    if is_postgresql(path):
        return _on_postgresql(str(path), sql, params)[1]
    with contextlib.closing(connect(Path(path))) as connection, connection:
        return int(connection.execute(sql, params).lastrowid or 0)


def query(path: Path | str, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    if is_postgresql(path):
        return _on_postgresql(str(path), sql, params)[0]
    with contextlib.closing(connect(Path(path))) as connection:
        return [dict(row) for row in connection.execute(sql, params)]


def seed_heartbeat(path: Path | str, at: datetime) -> None:
    """As if a previous process was last alive at ``at``: start-up then catches up what fell due since."""
    execute(
        path,
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (HEARTBEAT_KEY, at.isoformat()),
    )


def seed_sit(
    path: Path | str,
    *,
    guild_id: int,
    channel_id: int,
    start: datetime,
    title: str,
    duration_min: int = 1,
    repeat: str = "daily",
    since: datetime | None = None,
) -> int:
    """A silent sit (UTC, no reminder, no voice channel) whose occurrence begins at ``start``.

    ``since`` (the sit's last edit, the scheduler's ``Plan.since``) defaults to just after the start,
    so a catch-up never posts that occurrence's opening bell: only its closing bell is still to come.
    """
    stamp = (since or start + timedelta(seconds=1)).isoformat()
    return execute(
        path,
        "INSERT INTO sits (guild_id, title, host_id, start_local, zone, repeat, weekdays, duration_min,"
        " reminder_min, guide, voice_channel_id, channel_id, status, created_at, updated_at)"
        " VALUES (?, ?, NULL, ?, 'UTC', ?, '', ?, 0, 'silent', NULL, ?, 'active', ?, ?)",
        (
            guild_id,
            title,
            start.astimezone(UTC).replace(tzinfo=None).isoformat(),
            repeat,
            duration_min,
            channel_id,
            stamp,
            stamp,
        ),
    )


def calm_zone(at: datetime) -> str:
    """A time zone whose local time at ``at`` is far from midnight (a day's thread can't roll over)."""
    for name in ("UTC", "Asia/Tokyo", "America/New_York"):
        if 2 <= at.astimezone(ZoneInfo(name)).hour <= 21:
            return name
    raise AssertionError("unreachable: three zones 9 and 5 hours apart")  # pragma: no cover


def seed_checkin_setup(path: Path | str, *, guild_id: int, channel_id: int, due_by: datetime) -> datetime:
    """Daily check-ins whose occurrence today falls in the minute before ``due_by``; returns it (UTC).

    The occurrence is computed by the product's own plan (whatever offset it gives a guild's minute).
    """
    zone_name = calm_zone(due_by)
    since = due_by - timedelta(minutes=10)
    minute = due_by.astimezone(ZoneInfo(zone_name)).replace(second=0, microsecond=0)
    for clock in (minute, minute - timedelta(minutes=1)):
        setup = Setup(guild_id, channel_id, clock.time(), ALL_DAYS, zone_name, True, since)
        occurrence = plan_for(setup).recurrence.next_after(due_by - timedelta(minutes=2))
        if occurrence is not None and due_by - timedelta(seconds=60) < occurrence <= due_by:
            break
    else:  # pragma: no cover - a plan offset of a minute or more
        raise AssertionError(f"no clock puts {guild_id}'s check-in just before {due_by}")
    execute(
        path,
        "INSERT INTO checkin_setups (guild_id, channel_id, clock, days, timezone, enabled, updated_at)"
        " VALUES (?, ?, ?, '0,1,2,3,4,5,6', ?, 1, ?)",
        (guild_id, channel_id, clock.strftime("%H:%M"), zone_name, since.isoformat()),
    )
    return occurrence


def ledger(path: Path | str, kind: str, key: str | int) -> list[dict[str, Any]]:
    return query(
        path,
        "SELECT id, kind, key, occurrence, status, attempts, detail FROM deliveries"
        " WHERE kind = ? AND key = ? ORDER BY occurrence",
        (kind, str(key)),
    )


def settled(path: Path | str, wanted: list[tuple[str, str | int]]) -> bool:
    """Every ``(kind, key)`` has a ledger row and none of them is still only claimed."""
    for kind, key in wanted:
        rows = ledger(path, kind, key)
        if not rows or any(row["status"] not in FINAL for row in rows):
            return False
    return True


# ------------------------------------------------------------------------------ the fake


def bot_messages(fake: FakeDiscord, channel_id: int) -> list[dict[str, Any]]:
    return [m for m in fake.messages(channel_id) if int(m["author"]["id"]) == fake.bot_user_id]


def closing_bells(fake: FakeDiscord, channel_id: int) -> list[dict[str, Any]]:
    return [m for m in bot_messages(fake, channel_id) if CLOSING_BELL in (m.get("content") or "")]


def custom_ids(message: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def walk(components: list[dict[str, Any]]) -> None:
        for component in components:
            if "custom_id" in component:
                found.append(component["custom_id"])
            walk(component.get("components") or [])

    walk(message.get("components") or [])
    return found


def starters(fake: FakeDiscord, channel_id: int) -> list[dict[str, Any]]:
    """The daily check-in starter messages (the ones with the **Check in** button)."""
    return [m for m in bot_messages(fake, channel_id) if STARTER_BUTTON in custom_ids(m)]


def threads_in(fake: FakeDiscord, channel_id: int) -> list[dict[str, Any]]:
    return [t for t in fake.threads if int(t.get("parent_id") or 0) == channel_id]


def announced(fake: FakeDiscord, channel_id: int) -> bool:
    """The sit's announcement (an embed) is in the channel."""
    return any(m.get("embeds") for m in bot_messages(fake, channel_id))


def nonces_sent(fake: FakeDiscord, channel_id: int) -> list[str]:
    """The nonces of the bot's POSTs to a channel, in order (``enforce_nonce`` ones only)."""
    return [
        str(r.json["nonce"])
        for r in fake.requests_to("POST", f"/channels/{channel_id}/messages")
        if isinstance(r.json, dict) and r.json.get("nonce") is not None and r.json.get("enforce_nonce")
    ]


# ------------------------------------------------------------------------------ holding requests


class Holds:
    """Wraps the fake's message and thread handlers: a held request waits until ``release``.

    ``before``: nothing is created (the request got no further); ``after``: the message or thread is
    created, only the answer is held. Each channel's first matching request is held, once.
    """

    def __init__(self, fake: FakeDiscord) -> None:
        self.rules: dict[int, tuple[str, str]] = {}  # channel -> (what, mode)
        self.reached: dict[int, asyncio.Event] = {}
        self.released = asyncio.Event()
        rest = fake.rest
        self._create_message = rest.create_message
        self._create_thread = rest.thread_from_message
        rest.create_message = self.create_message  # type: ignore[method-assign]
        rest.thread_from_message = self.thread_from_message  # type: ignore[method-assign]

    def hold(self, channel_id: int, what: str, mode: str) -> asyncio.Event:
        self.rules[channel_id] = (what, mode)
        self.reached[channel_id] = asyncio.Event()
        return self.reached[channel_id]

    async def _maybe_hold(self, request: web.Request, what: str, handler: Any, *args: Any) -> Any:
        channel_id = int(request.match_info["channel_id"])
        rule = self.rules.get(channel_id)
        body = args[0] if args else {}
        if (
            rule is None
            or rule[0] != what
            or (what == "bell" and CLOSING_BELL not in (body.get("content") or ""))
        ):
            return await handler(request, *args)
        del self.rules[channel_id]
        if rule[1] == "after":
            result = await handler(request, *args)
            self.reached[channel_id].set()
            await self.released.wait()
            return result
        self.reached[channel_id].set()
        await self.released.wait()
        raise ApiError(503, 0, "503: Service Unavailable")  # the request never got through

    async def create_message(self, request: web.Request, body: Any, files: Any) -> Any:
        what = "starter" if "checkin:start" in str(body.get("components")) else "bell"
        return await self._maybe_hold(request, what, self._create_message, body, files)

    async def thread_from_message(self, request: web.Request, body: Any, files: Any) -> Any:
        return await self._maybe_hold(request, "thread", self._create_thread, body, files)


# ------------------------------------------------------------------------------ the process


@contextlib.asynccontextmanager
async def running_bot(fake: FakeDiscord, database: Path | str) -> AsyncIterator[BotProcess]:
    """``python bot.py`` against ``fake`` on ``database``, once it has said it is ready."""
    async with bot_process(fake, database) as bot:
        await bot.wait_for_line("ready as", timeout=30)
        yield bot


async def wait_quietly(fake: FakeDiscord, predicate: Callable[[], object], timeout: float) -> bool:
    """``fake.wait_for`` that reports instead of raising: the tests then say what is missing."""
    try:
        await fake.wait_for(predicate, timeout=timeout)
    except TimeoutError:
        return False
    return True


async def stop_and_drain(fake: FakeDiscord, bot: BotProcess, timeout: float = 20.0) -> None:
    """Stop the bot, then wait until the fake has finished every request it received.

    Counting posts after this sees everything the bot ever sent: no request can still be in flight
    and no retry can still come (a fixed sleep before counting would miss a late duplicate).
    """
    await bot.terminate()
    await fake.wait_for(lambda: all(record.duration > 0 for record in fake.requests), timeout=timeout)


def lines_with(bot: BotProcess, needle: str) -> int:
    return sum(needle in line for line in bot.lines)
