"""The scheduler core: capabilities describe *what* and *when*; this module makes it happen once.

* **The due-time table is the queue.** Every schedule (a kind and a key, e.g. ``sits.start`` / a
  sit's id) is one row of ``schedule_due`` with the next instant it is due (indexed). APScheduler 3
  only wakes us up: one job, armed for ``MIN(next_due)``. When it fires, the due rows are read
  oldest first (bounded), their plans are loaded from the capabilities' own tables for just those
  keys, each occurrence is claimed in the ledger and each row's following instant is written back
  — in one transaction — and then the claimed occurrences are delivered. Nothing per schedule
  lives in memory; a start reads one ``MIN``. Edits (:meth:`Scheduler.put`) update the row and
  re-arm if earlier. Kinds that share a ``group`` (a sit's six moments) share one loader, which
  returns plans per kind for the keys asked.
* The **delivery ledger** (table ``deliveries``, UNIQUE on kind, key and occurrence) is claimed
  before anything is sent, so an occurrence is never delivered twice — not after a restart, not
  by a second process.
* After downtime the due rows are simply overdue: occurrences still inside their window are
  delivered late (flagged), older ones are recorded as skipped. Deliveries interrupted between
  claim and confirmation are retried with the same nonce (Discord drops the duplicate) while still
  in grace, else recorded.
* **Shard clusters** (``attune/shards.py``): a process that runs some of the bot's shards reads,
  arms and delivers only the due rows of the guilds on its shards (the condition is in the due-table
  queries, so memory and work divide), and resumes only its own interrupted claims.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiohttp
import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from attune.clock import Clock, utcnow
from attune.db import Database
from attune.recurrence import Every, RecurrenceTrigger, SupportsNextAfter, occurrences_between
from attune.shards import Shards

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "scheduler.heartbeat"
HEARTBEAT_EVERY = timedelta(minutes=5)  # a first start after upgrading looks back a grace window beyond it
BACKFILLED = "scheduler.due."  # + kind: this kind's rows are in schedule_due
RETRY_DELAYS = (timedelta(seconds=5), timedelta(seconds=20), timedelta(seconds=60))
MAX_CATCH_UP = 200  # occurrences of one schedule handled per wake-up (the rest on the next round)
BATCH = 400  # due rows claimed per transaction
DEFAULT_CONCURRENCY = 8
DUE_JOB = "core:due"
RETRY_WAKE = timedelta(seconds=30)
#: In a cluster, the longest a wake-up waits: a row another process put for one of our guilds is
#: seen within this (a command is normally answered by the guild's own process, which re-arms at once).
CLUSTER_POLL = timedelta(seconds=60)
TICK = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Plan:
    """One schedule: a capability's row (``key``), the rule that says when it is due, and — for
    kinds whose deadline isn't ``at + grace`` — how long after each instant it may still go out."""

    key: str
    recurrence: SupportsNextAfter
    since: datetime | None = None
    guild_id: int | None = None
    window: timedelta | None = None


@dataclass(frozen=True)
class Occurrence:
    """One due instant of a plan, claimed in the ledger and handed to the capability."""

    kind: str
    key: str
    at: datetime
    late: bool
    delivery_id: int
    attempt: int
    guild_id: int | None = None

    @property
    def nonce(self) -> str:
        """A per-occurrence message nonce: with ``enforce_nonce`` a retried post is deduplicated."""
        return f"attune{self.delivery_id}"


class PermanentFailure(Exception):
    """Raised by a deliverer when retrying cannot help (channel gone, permission missing)."""


class GuildUnavailable(Exception):
    """The occurrence's guild is known but not loaded: a new gateway session is still receiving it, or
    Discord has an outage there. Its channels aren't in the cache yet, so delivery is retried later."""


Deliverer = Callable[[Occurrence], Awaitable[str | None]]
#: A kind's loader: its plans for these keys (``None``: every plan — only when first filling the table).
Loader = Callable[[Collection[str] | None], Awaitable[Iterable[Plan]]]
#: A group's loader: the plans per kind for these keys, from one read of the capability's tables.
GroupLoader = Callable[[Collection[str] | None], Awaitable[Mapping[str, Iterable[Plan]]]]
Deadline = Callable[[Plan, datetime], datetime]


@dataclass
class Kind:
    name: str
    deliver: Deliverer
    grace: timedelta
    late_after: timedelta
    deadline: Deadline | None = None
    group: str = ""
    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(DEFAULT_CONCURRENCY))

    def deadline_for(self, plan: Plan, at: datetime) -> datetime:
        return self.deadline(plan, at) if self.deadline else at + self.grace


def _contended(error: BaseException) -> bool:
    """SQLite refused a write because another process was writing (clusters sharing one file): a
    moment later it goes through."""
    return isinstance(error, sqlite3.OperationalError) and ("locked" in str(error) or "busy" in str(error))


def _is_transient(error: BaseException) -> bool:
    if isinstance(error, GuildUnavailable) or _contended(error):
        return True
    if isinstance(error, discord.HTTPException):
        return error.status >= 500 or error.status == 429
    return isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | ConnectionError)


def _single(kind: str, load: Loader) -> GroupLoader:
    async def grouped(keys: Collection[str] | None) -> Mapping[str, Iterable[Plan]]:
        return {kind: await load(keys)}

    return grouped


def window_deadline(plan: Plan, at: datetime) -> datetime:
    """Deliverable until ``at + plan.window`` (a reminder: until the sit starts)."""
    if plan.window is None:  # pragma: no cover - wiring
        raise TypeError(f"plan {plan.key} has no delivery window")
    return at + plan.window


class Scheduler:
    """Registration API, the due-time table, ledger and catch-up."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Clock = utcnow,
        ready: Callable[[], Awaitable[object]] | None = None,
        available: Callable[[int], bool] | None = None,
        shards: Shards | None = None,
    ) -> None:
        self.db = db
        self.shards = shards or Shards()
        self.clock = clock
        self._ready = ready
        self._available = available
        self._kinds: dict[str, Kind] = {}
        self._loaders: dict[str, GroupLoader] = {}
        self._aps = AsyncIOScheduler(timezone="UTC", job_defaults={"misfire_grace_time": None})
        self._tasks: set[asyncio.Task[object]] = set()
        self._started_at: datetime | None = None
        self._draining = asyncio.Lock()
        self._armed_at: datetime | None = None
        self._arming = False  # true once catch-up has drained: from then on edits re-arm
        self.caught_up = asyncio.Event()

    # ------------------------------------------------------------------ registration

    def register(
        self,
        kind: str,
        *,
        deliver: Deliverer,
        grace: timedelta,
        load: Loader | None = None,
        late_after: timedelta = timedelta(minutes=1),
        deadline: Deadline | None = None,
        group: str | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        """Declare a kind of scheduled delivery. Call before :meth:`start` (from a cog's setup).

        A kind either brings its own ``load`` or belongs to a ``group`` registered with
        :meth:`register_group`. Each kind's deliveries run at most ``concurrency`` at a time (so a
        burst — a thousand guilds' daily threads at one minute — is queued, and one slow kind can't
        hold up another).
        """
        if kind in self._kinds:
            raise ValueError(f"schedule kind {kind!r} registered twice")
        name = group or kind
        if load is not None:
            self._loaders[name] = _single(kind, load)
        elif name not in self._loaders:
            raise ValueError(f"schedule kind {kind!r} has neither a loader nor a registered group")
        self._kinds[kind] = Kind(
            kind, deliver, grace, late_after, deadline, name, asyncio.Semaphore(concurrency)
        )

    def register_group(self, group: str, *, load: GroupLoader) -> None:
        """One loader for several kinds (a sit's moments): plans per kind from one read."""
        self._loaders[group] = load

    @property
    def running(self) -> bool:
        return self._started_at is not None

    async def start(self) -> None:
        """Fill the due-time table for kinds new to it, start APScheduler, then catch up (after READY)."""
        now = self.clock()
        last_alive = await self.last_alive()
        filled = await self.load_all(now, last_alive)
        # Running (and so heartbeating on shutdown) only once every plan loaded: a start that failed
        # half-way must not leave a heartbeat that would hide missed occurrences from the next one.
        self._started_at = now
        self._aps.add_job(
            self._beat,
            trigger=RecurrenceTrigger(Every(HEARTBEAT_EVERY, now + HEARTBEAT_EVERY)),
            id="core:heartbeat",
            replace_existing=True,
        )
        self._aps.start()
        log.info("scheduler started: %d kinds, %d schedules new to the due table", len(self._kinds), filled)
        self._spawn(self.catch_up(now, last_alive))

    async def load_all(self, now: datetime, last_alive: datetime | None = None) -> int:
        """Fill ``schedule_due`` for every kind that isn't in it yet (a first start, or a new kind);
        returns how many schedules that added (0 on every later start: nothing is read but MIN).

        A first start after an upgrade looks back from the last heartbeat by the kind's grace
        (as catch-up always did), so what was missed while upgrading is still caught up.
        """
        if last_alive is None:
            last_alive = await self.last_alive()
        filled = 0
        known = {
            row[0][len(BACKFILLED) :]
            for row in await self.db.fetchall("SELECT key FROM meta WHERE key LIKE ?", (BACKFILLED + "%",))
        }
        for group, load in self._loaders.items():
            missing = [k for k in self._kinds.values() if k.group == group and k.name not in known]
            if not missing:
                continue
            found = await load(None)
            rows = []
            for kind in missing:
                for plan in found.get(kind.name, ()):
                    cursor = now if last_alive is None else last_alive - kind.grace
                    if plan.since is not None and last_alive is not None:
                        cursor = max(cursor, plan.since)
                    following = plan.recurrence.next_after(cursor)
                    if following is not None:
                        rows.append((kind.name, plan.key, plan.guild_id, following.isoformat()))
            async with self.db.transaction() as conn:
                await conn.executemany(
                    "INSERT INTO schedule_due (kind, key, guild_id, next_due) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (kind, key) DO NOTHING",
                    rows,
                )
                await conn.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                    [(BACKFILLED + kind.name, now.isoformat()) for kind in missing],
                )
            log.info("filled the due-time table for %s: %d schedules", group, len(rows))
            filled += len(rows)
        return filled

    def _per_kind(self, branch: str) -> str:
        """``branch`` once per registered kind, joined by UNION ALL: each one an index seek on
        ``(kind, next_due)`` whatever the planner's statistics, and plain SQL."""
        return " UNION ALL ".join([branch] * len(self._kinds))

    def _ours(self, sql: str) -> str:
        """``sql`` with ``KINDS`` as placeholders for the registered kinds (bound by :meth:`_names`):
        rows of kinds this process doesn't run (an extension not loaded) stay untouched."""
        return sql.replace("KINDS", ",".join("?" * len(self._kinds)))

    def _names(self) -> tuple[str, ...]:
        return tuple(self._kinds)

    async def shutdown(self, *, clean: bool = True) -> None:
        """Stop waking up, cancel in-flight work (its ledger claims are recovered next start).

        ``clean=False`` leaves no final heartbeat, as a crash would (used by tests).
        """
        if not self.running:
            return
        self._started_at = None
        self._arming = False
        if self._aps.running:
            self._aps.shutdown(wait=False)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if clean and not self.db.closed:
            await self._heartbeat()
        log.info("scheduler stopped")

    async def put(self, kind: str, plan: Plan) -> None:
        """Add or replace one schedule at run time (after a command created or edited it).

        A row already overdue (its wake-up is being handled) keeps its instant, so an edit racing a
        delivery can't drop an occurrence; the delivery re-reads the edited plan.
        """
        owner = self._kinds[kind]
        now = self.clock()
        following = plan.recurrence.next_after(now)
        if following is None:
            await self.remove(kind, plan.key)
            return
        await self.db.execute(
            "INSERT INTO schedule_due (kind, key, guild_id, next_due) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (kind, key) DO UPDATE SET guild_id = excluded.guild_id, next_due ="
            " CASE WHEN schedule_due.next_due <= ? THEN schedule_due.next_due ELSE excluded.next_due END",
            (owner.name, plan.key, plan.guild_id, following.isoformat(), now.isoformat()),
        )
        if (
            self._arming
            and self.shards.owns(plan.guild_id)
            and (self._armed_at is None or following < self._armed_at)
        ):
            self._arm(following)

    async def remove(self, kind: str, key: str) -> None:
        await self.db.execute("DELETE FROM schedule_due WHERE kind = ? AND key = ?", (kind, key))

    async def plan(self, kind: str, key: str) -> Plan | None:
        """The kind's current plan for ``key``, read from the capability's tables."""
        return (await self._plans(self._kinds[kind].group, [key])).get((kind, key))

    async def job_ids(self) -> list[str]:
        """What would wake us: the heartbeat, and ``group:key`` for every scheduled key."""
        owned, owned_params = self.shards.where()
        rows = await self.db.fetchall(
            self._ours(f"SELECT kind, key FROM schedule_due WHERE kind IN (KINDS) AND {owned}"),  # noqa: S608
            (*self._names(), *owned_params),
        )
        ids = sorted({f"{self._kinds[row[0]].group}:{row[1]}" for row in rows})
        return (["core:heartbeat"] if self._aps.get_job("core:heartbeat") else []) + ids

    async def next_run(self, kind: str, key: str) -> datetime | None:
        """When this kind's schedule for ``key`` is next due (``None`` if never again)."""
        value = await self.db.fetchval(
            "SELECT next_due FROM schedule_due WHERE kind = ? AND key = ?", (kind, key)
        )
        return datetime.fromisoformat(value) if value else None

    async def _plans(self, group: str, keys: Collection[str] | None) -> dict[tuple[str, str], Plan]:
        found = await self._loaders[group](keys)
        return {(kind, plan.key): plan for kind, plans in found.items() for plan in plans}

    # ------------------------------------------------------------------------ waking

    def _arm(self, at: datetime) -> None:
        """One APScheduler job, for the earliest due instant."""
        self._armed_at = at
        if self._aps.running:
            self._aps.add_job(
                self._wake, trigger=DateTrigger(at), id=DUE_JOB, replace_existing=True, coalesce=True
            )

    async def _arm_earliest(self) -> None:
        value = None
        if self._kinds:
            owned, owned_params = self.shards.where()
            value = await self.db.fetchval(
                "SELECT MIN(next_due) FROM ("  # noqa: S608  (placeholders only)
                + self._per_kind(
                    f"SELECT MIN(next_due) AS next_due FROM schedule_due WHERE kind = ? AND {owned}"  # noqa: S608
                )
                + ") AS due",
                tuple(param for name in self._names() for param in (name, *owned_params)),
            )
        if self.shards.partial and self.running:  # look again soon for rows another process put
            poll = self.clock() + CLUSTER_POLL
            value = (
                poll.isoformat() if value is None else min(datetime.fromisoformat(value), poll).isoformat()
            )
        if value is None:
            self._armed_at = None
            if self._aps.running and self._aps.get_job(DUE_JOB) is not None:
                self._aps.remove_job(DUE_JOB)
            return
        self._arm(datetime.fromisoformat(value))

    async def _wake(self) -> None:
        self._armed_at = None
        try:
            await self.drain()
        except Exception:
            # A wake-up that failed (a capability's table unreadable, the disk full) must not leave
            # the scheduler unarmed: what was due stays due, and is tried again shortly.
            log.exception("scheduler wake-up failed; trying again in %s", RETRY_WAKE)
            if self.running:
                self._arm(self.clock() + RETRY_WAKE)

    def _spawn(self, coro: Awaitable[object]) -> asyncio.Task[object]:
        task: asyncio.Task[object] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self) -> list[asyncio.Task[object]]:
        """Claim and start delivering everything due (oldest first, a batch at a time); re-arm."""
        if self._ready is not None:
            await self._ready()
        runs: list[asyncio.Task[object]] = []
        async with self._draining:
            while self._kinds:
                now = self.clock()
                stamp = now.isoformat()
                owned, owned_params = self.shards.where()
                rows = await self.db.fetchall(
                    "SELECT kind, key, next_due FROM ("  # noqa: S608  (placeholders only)
                    + self._per_kind(
                        "SELECT kind, key, next_due FROM schedule_due"  # noqa: S608  (placeholders only)
                        f" WHERE kind = ? AND next_due <= ? AND {owned}"
                    )
                    + ") AS due ORDER BY next_due LIMIT ?",
                    (*[value for name in self._names() for value in (name, stamp, *owned_params)], BATCH),
                )
                if not rows:
                    break
                claimed = await self._claim_due(rows, now)
                runs += [self._spawn(self._attempt(*claim, attempt=1)) for claim in claimed]
                if len(rows) < BATCH:
                    break
            if self.running:
                await self._arm_earliest()
        return runs

    async def _claim_due(self, rows: list, now: datetime) -> list[tuple[Kind, Plan, datetime, int]]:
        """One transaction: claim each due row's occurrences (or record them skipped) and write its
        following instant back. Returns what to deliver."""
        wanted: dict[str, set[str]] = {}
        for row in rows:
            wanted.setdefault(self._kinds[row["kind"]].group, set()).add(row["key"])
        plans: dict[tuple[str, str], Plan] = {}
        for group, keys in wanted.items():
            plans.update(await self._plans(group, keys))
        claimed: list[tuple[Kind, Plan, datetime, int]] = []
        skipped = 0
        stamp = now.isoformat()
        async with self.db.transaction() as conn:
            for row in rows:
                kind = self._kinds[row["kind"]]
                plan = plans.get((kind.name, row["key"]))
                if plan is None:  # the schedule is gone from the capability's tables
                    await conn.execute(
                        "DELETE FROM schedule_due WHERE kind = ? AND key = ? AND next_due = ?",
                        (kind.name, row["key"], row["next_due"]),
                    )
                    continue
                due_from = datetime.fromisoformat(row["next_due"]) - TICK
                due = occurrences_between(plan.recurrence, due_from, now, MAX_CATCH_UP)
                following = plan.recurrence.next_after(due[-1] if len(due) == MAX_CATCH_UP else now)
                for at in due:
                    late = now > kind.deadline_for(plan, at)
                    cursor = await conn.execute(
                        "INSERT INTO deliveries (kind, key, occurrence, status, guild_id, claimed_at,"
                        " finished_at, detail, claimed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        " ON CONFLICT (kind, key, occurrence) DO NOTHING",
                        (
                            kind.name,
                            plan.key,
                            at.isoformat(),
                            "skipped" if late else "claimed",
                            plan.guild_id,
                            stamp,
                            stamp if late else None,
                            "missed its window" if late else None,
                            self.db.owner,
                        ),
                    )
                    if cursor.rowcount == 1 and cursor.lastrowid is not None:
                        if late:
                            skipped += 1
                            log.warning(
                                "skipped %s:%s at %s: missed by %s", kind.name, plan.key, at, now - at
                            )
                        else:
                            claimed.append((kind, plan, at, cursor.lastrowid))
                    await cursor.close()
                if following is None:
                    await conn.execute(
                        "DELETE FROM schedule_due WHERE kind = ? AND key = ? AND next_due = ?",
                        (kind.name, plan.key, row["next_due"]),
                    )
                else:
                    await conn.execute(
                        "UPDATE schedule_due SET next_due = ? WHERE kind = ? AND key = ? AND next_due = ?",
                        (following.isoformat(), kind.name, plan.key, row["next_due"]),
                    )
        return claimed

    async def run(self, kind_name: str, key: str, at: datetime) -> str:
        """Claim and deliver one occurrence; returns its ledger status (or ``duplicate``).

        Tests call it to drive a given occurrence; the due row moves past ``at`` as if it had fired.
        """
        if self._ready is not None:
            await self._ready()
        kind = self._kinds[kind_name]
        plan = await self.plan(kind_name, key) or Plan(key, Every(timedelta(days=1), at))
        following = plan.recurrence.next_after(at)
        if following is not None:
            await self.db.execute(
                "UPDATE schedule_due SET next_due = ? WHERE kind = ? AND key = ? AND next_due <= ?",
                (following.isoformat(), kind_name, key, at.isoformat()),
            )
        now = self.clock()
        if now > kind.deadline_for(plan, at):
            inserted = await self._claim(kind, plan, at, status="skipped", detail="missed its window")
            if inserted:
                log.warning("skipped %s:%s at %s: missed by %s", kind_name, key, at, now - at)
            return "skipped" if inserted else "duplicate"
        delivery_id = await self._claim(kind, plan, at, status="claimed")
        if delivery_id is None:
            return "duplicate"
        return await self._attempt(kind, plan, at, delivery_id, attempt=1)

    async def _claim(
        self, kind: Kind, plan: Plan, at: datetime, *, status: str, detail: str | None = None
    ) -> int | None:
        now = self.clock().isoformat()
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO deliveries (kind, key, occurrence, status, guild_id, claimed_at,"
                " finished_at, detail, claimed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (kind, key, occurrence) DO NOTHING",
                (
                    kind.name,
                    plan.key,
                    at.isoformat(),
                    status,
                    plan.guild_id,
                    now,
                    now if status != "claimed" else None,
                    detail,
                    self.db.owner,
                ),
            )
            inserted = cursor.rowcount == 1
            row_id = cursor.lastrowid
            await cursor.close()
        return row_id if inserted else None

    async def _finish(self, delivery_id: int, status: str, attempts: int, detail: str | None) -> None:
        for pause in (0.1, 0.3, 1.0, 3.0, None):  # what was posted must not stay "claimed" for a busy file
            try:
                await self.db.execute(
                    "UPDATE deliveries SET status = ?, attempts = ?, finished_at = ?, detail = ?"
                    " WHERE id = ?",
                    (status, attempts, self.clock().isoformat(), detail, delivery_id),
                )
                return
            except sqlite3.OperationalError as error:
                if pause is None or not _contended(error):
                    raise
                await asyncio.sleep(pause)

    async def _attempt(self, kind: Kind, plan: Plan, at: datetime, delivery_id: int, *, attempt: int) -> str:
        now = self.clock()
        late = now - at > kind.late_after
        occurrence = Occurrence(kind.name, plan.key, at, late, delivery_id, attempt, plan.guild_id)
        try:
            if (
                plan.guild_id is not None
                and self._available is not None
                and not self._available(plan.guild_id)
            ):
                raise GuildUnavailable(f"guild {plan.guild_id} is not available yet")
            async with kind.slots:
                detail = await kind.deliver(occurrence)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            return await self._failed(kind, plan, at, delivery_id, attempt, error)
        status = "late" if late else "posted"
        await self._finish(delivery_id, status, attempt, detail)
        log.info("delivered %s:%s at %s (%s)", kind.name, plan.key, at.isoformat(), status)
        return status

    async def _failed(
        self,
        kind: Kind,
        plan: Plan,
        at: datetime,
        delivery_id: int,
        attempt: int,
        error: Exception,
    ) -> str:
        detail = f"{type(error).__name__}: {error}"[:500]
        if _is_transient(error) and attempt <= len(RETRY_DELAYS):
            delay = RETRY_DELAYS[attempt - 1]
            if self.clock() + delay <= kind.deadline_for(plan, at):
                log.warning(
                    "delivery %s:%s at %s failed (%s); retry %d in %s",
                    kind.name,
                    plan.key,
                    at.isoformat(),
                    detail,
                    attempt,
                    delay,
                )
                await self.db.execute(
                    "UPDATE deliveries SET attempts = ?, detail = ? WHERE id = ?",
                    (attempt, detail, delivery_id),
                )
                await asyncio.sleep(delay.total_seconds())
                return await self._attempt(kind, plan, at, delivery_id, attempt=attempt + 1)
        if isinstance(error, PermanentFailure | discord.Forbidden | discord.NotFound):
            log.warning("delivery %s:%s at %s failed: %s", kind.name, plan.key, at, detail)
        else:
            log.error("delivery %s:%s at %s failed: %s", kind.name, plan.key, at, detail, exc_info=error)
        await self._finish(delivery_id, "failed", attempt, detail)
        return "failed"

    # --------------------------------------------------------------------- recovery

    async def _beat(self) -> None:
        """Every few minutes: the heartbeat, and the claims of processes that stopped since this one
        started (another cluster's, on PostgreSQL) are finished or recorded as skipped."""
        await self._heartbeat()
        if self.caught_up.is_set():
            await self._recover_interrupted()

    async def _heartbeat(self) -> None:
        await self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (HEARTBEAT_KEY, self.clock().isoformat()),
        )

    async def last_alive(self) -> datetime | None:
        value = await self.db.fetchval("SELECT value FROM meta WHERE key = ?", (HEARTBEAT_KEY,))
        return datetime.fromisoformat(value) if value else None

    async def catch_up(self, started: datetime, last_alive: datetime | None) -> None:
        """After READY: finish interrupted deliveries, then deliver or record what is overdue, then
        arm the wake-up for the earliest due instant.

        (``started`` and ``last_alive`` shaped the first fill of the due-time table; overdue rows
        are what was missed.)
        """
        if self._ready is not None:
            await self._ready()
        try:
            await self._heartbeat()
            runs = await self._recover_interrupted()
            runs += await self.drain()
            self._arming = self.running
            await asyncio.gather(*runs)
        finally:
            self.caught_up.set()

    async def _take_over(self, delivery_id: int, owner: int | None) -> bool:
        """Make an interrupted claim ours, unless its process still runs; exactly one of several
        starting processes wins it (compare-and-set on ``claimed_by``)."""
        if owner is not None and await self.db.owner_alive(owner):
            return False
        changed = await self.db.execute(
            "UPDATE deliveries SET claimed_by = ? WHERE id = ? AND status = 'claimed'"
            " AND coalesce(claimed_by, 0) = ?",
            (self.db.owner, delivery_id, owner or 0),
        )
        return changed == 1

    async def _recover_interrupted(self) -> list[asyncio.Task[object]]:
        runs: list[asyncio.Task[object]] = []
        owned, owned_params = self.shards.where()  # another cluster's claims are its own, in flight
        rows = await self.db.fetchall(
            "SELECT id, kind, key, occurrence, attempts, claimed_by FROM deliveries"  # noqa: S608
            f" WHERE status = 'claimed' AND {owned}",
            owned_params,
        )
        for row in rows:
            if not await self._take_over(row["id"], row["claimed_by"]):
                continue  # a live process is making this delivery (or another took it over)
            kind = self._kinds.get(row["kind"])
            at = datetime.fromisoformat(row["occurrence"])
            plan = await self.plan(kind.name, row["key"]) if kind else None
            if kind is None or plan is None:
                await self._finish(row["id"], "skipped", row["attempts"], "schedule no longer exists")
                continue
            if self.clock() > kind.deadline_for(plan, at):
                await self._finish(
                    row["id"], "skipped", row["attempts"], "interrupted by a restart; window passed"
                )
                log.warning("recorded interrupted %s:%s at %s as skipped", kind.name, plan.key, at)
                continue
            log.info("resuming interrupted delivery %s:%s at %s", kind.name, plan.key, at)
            runs.append(self._spawn(self._attempt(kind, plan, at, row["id"], attempt=row["attempts"] + 1)))
        return runs
