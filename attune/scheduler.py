"""The scheduler core: capabilities describe *what* and *when*; this module makes it happen once.

* APScheduler 3 (``AsyncIOScheduler``, in-memory store) only wakes us up: one job per schedule,
  with an explicit id ``"{group}:{key}"``, rebuilt at every start from the capabilities' own tables
  through :meth:`Scheduler.register`. Our tables are the source of truth, never pickled jobs.
  Kinds registered with the same ``group`` (a sit's reminder, bells and rollover) share one job per
  key, waking at the earliest of their moments, so jobs grow with series, not with moments.
* The **delivery ledger** (table ``deliveries``, UNIQUE on kind, key and occurrence) is claimed
  before anything is sent, so an occurrence is never delivered twice — not after a restart, not
  by a second process.
* After downtime, missed occurrences inside their grace window are delivered late (flagged), and
  older ones are recorded as skipped. Deliveries interrupted between claim and confirmation are
  retried with the same nonce (Discord drops the duplicate) while still in grace, else recorded.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import weakref
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiohttp
import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger

from attune.clock import Clock, utcnow
from attune.db import Database
from attune.timeparse import Every, RecurrenceTrigger, SupportsNextAfter, occurrences_between

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "scheduler.heartbeat"
HEARTBEAT_EVERY = timedelta(minutes=5)  # catch-up looks back a grace window beyond it
RETRY_DELAYS = (timedelta(seconds=5), timedelta(seconds=20), timedelta(seconds=60))
MAX_CATCH_UP = 200
DEFAULT_CONCURRENCY = 8


@dataclass(frozen=True, slots=True)
class Plan:
    """One schedule: a capability's row (``key``) and the rule that says when it is due."""

    key: str
    recurrence: SupportsNextAfter
    since: datetime | None = None
    guild_id: int | None = None


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
Loader = Callable[[], Awaitable[Iterable[Plan]]]
Deadline = Callable[[Plan, datetime], datetime]


@dataclass(frozen=True, slots=True)
class Earliest:
    """The moments of several recurrences together (a group's plans for one key)."""

    recurrences: tuple[SupportsNextAfter, ...]

    def next_after(self, instant: datetime) -> datetime | None:
        found = [at for r in self.recurrences if (at := r.next_after(instant)) is not None]
        return min(found, default=None)


@dataclass
class Kind:
    name: str
    load: Loader
    deliver: Deliverer
    grace: timedelta
    late_after: timedelta
    deadline: Deadline | None = None
    group: str = ""
    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(DEFAULT_CONCURRENCY))
    plans: dict[str, Plan] = field(default_factory=dict)
    cursors: dict[str, datetime] = field(default_factory=dict)

    def deadline_for(self, plan: Plan, at: datetime) -> datetime:
        return self.deadline(plan, at) if self.deadline else at + self.grace


def _is_transient(error: BaseException) -> bool:
    if isinstance(error, GuildUnavailable):
        return True
    if isinstance(error, discord.HTTPException):
        return error.status >= 500 or error.status == 429
    return isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | ConnectionError)


_RUNNING: weakref.WeakValueDictionary[int, Scheduler] = weakref.WeakValueDictionary()
_TOKENS = itertools.count(1)
#: Jobs name their function by this text reference (and use it as their name): one shared string
#: instead of two fresh ones per job, which adds up over tens of thousands of series.
WAKE_REF = "attune.scheduler:wake"


async def wake(token: int, group: str, key: str) -> None:
    """What every job calls: hand the wake-up to the scheduler that armed it."""
    scheduler = _RUNNING.get(token)
    if scheduler is not None:
        await scheduler._fire(group, key)


class Scheduler:
    """Registration API, job bookkeeping, ledger and catch-up."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Clock = utcnow,
        ready: Callable[[], Awaitable[object]] | None = None,
        available: Callable[[int], bool] | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self._ready = ready
        self._available = available
        self._kinds: dict[str, Kind] = {}
        self._groups: dict[str, list[Kind]] = {}
        self._aps = AsyncIOScheduler(timezone="UTC", job_defaults={"misfire_grace_time": None})
        self._tasks: set[asyncio.Task[object]] = set()
        self._started_at: datetime | None = None
        self.caught_up = asyncio.Event()
        self._token = next(_TOKENS)
        _RUNNING[self._token] = self

    # ------------------------------------------------------------------ registration

    def register(
        self,
        kind: str,
        *,
        load: Loader,
        deliver: Deliverer,
        grace: timedelta,
        late_after: timedelta = timedelta(minutes=1),
        deadline: Deadline | None = None,
        group: str | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        """Declare a kind of scheduled delivery. Call before :meth:`start` (from a cog's setup).

        Each kind's deliveries run at most ``concurrency`` at a time (so a burst — a thousand
        guilds' daily threads at one minute — is queued, and one slow kind can't hold up another).
        Kinds sharing a ``group`` share one wake-up job per key.
        """
        if kind in self._kinds:
            raise ValueError(f"schedule kind {kind!r} registered twice")
        owner = Kind(
            kind, load, deliver, grace, late_after, deadline, group or kind, asyncio.Semaphore(concurrency)
        )
        self._kinds[kind] = owner
        self._groups.setdefault(owner.group, []).append(owner)

    @property
    def running(self) -> bool:
        return self._started_at is not None

    async def start(self) -> None:
        """Load every kind's plans, add their jobs, start APScheduler, then catch up (after READY)."""
        now = self.clock()
        last_alive = await self.last_alive()
        total = await self.load_all(now)
        # Running (and so heartbeating on shutdown) only once every plan loaded: a start that failed
        # half-way must not leave a heartbeat that would hide missed occurrences from the next one.
        self._started_at = now
        self._aps.add_job(
            self._heartbeat,
            trigger=RecurrenceTrigger(Every(HEARTBEAT_EVERY, now + HEARTBEAT_EVERY)),
            id="core:heartbeat",
            replace_existing=True,
        )
        self._aps.start()
        log.info("scheduler started: %d schedules in %d kinds", total, len(self._kinds))
        self._spawn(self.catch_up(now, last_alive))

    async def load_all(self, now: datetime) -> int:
        """Ask every kind for its plans (from its own tables), then add one job per group and key."""
        keys: set[tuple[str, str]] = set()
        for kind in self._kinds.values():
            for plan in await kind.load():
                self._add(kind, plan, cursor=now, arm=False)
                keys.add((kind.group, plan.key))
        for group, key in keys:
            self._arm(group, key, now)
        return len(keys)

    async def shutdown(self, *, clean: bool = True) -> None:
        """Stop waking up, cancel in-flight work (its ledger claims are recovered next start).

        ``clean=False`` leaves no final heartbeat, as a crash would (used by tests).
        """
        if not self.running:
            return
        self._started_at = None
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
        """Add or replace one schedule at run time (after a command created or edited it)."""
        self._add(self._kinds[kind], plan, cursor=self.clock())

    def remove(self, kind: str, key: str) -> None:
        owner = self._kinds[kind]
        owner.plans.pop(key, None)
        owner.cursors.pop(key, None)
        self._arm(owner.group, key, self.clock())

    def plan(self, kind: str, key: str) -> Plan | None:
        return self._kinds[kind].plans.get(key)

    def job_ids(self) -> list[str]:
        return [job.id for job in self._aps.get_jobs()]

    def next_run(self, kind: str, key: str) -> datetime | None:
        """When this kind's schedule for ``key`` is next due (``None`` if never again)."""
        owner = self._kinds[kind]
        plan = owner.plans.get(key)
        if plan is None or self._aps.get_job(f"{owner.group}:{key}") is None:
            return None
        return plan.recurrence.next_after(owner.cursors.get(key, self.clock()))

    def _add(self, kind: Kind, plan: Plan, *, cursor: datetime, arm: bool = True) -> None:
        kind.plans[plan.key] = plan
        kind.cursors[plan.key] = cursor
        if arm:
            self._arm(kind.group, plan.key, cursor)

    def _arm(self, group: str, key: str, now: datetime) -> None:
        """(Re)create the group's job for ``key``, waking at the earliest moment of its plans."""
        job_id = f"{group}:{key}"
        recurrences = tuple(k.plans[key].recurrence for k in self._groups[group] if key in k.plans)
        recurrence = recurrences[0] if len(recurrences) == 1 else Earliest(recurrences)
        trigger: BaseTrigger = RecurrenceTrigger(recurrence)
        first = trigger.get_next_fire_time(None, now) if recurrences else None
        if first is None:
            job = self._aps.get_job(job_id)
            if job is not None:
                job.remove()
            return
        self._aps.add_job(
            WAKE_REF,
            trigger=trigger,
            args=(self._token, group, key),
            id=job_id,
            name=WAKE_REF,
            replace_existing=True,
            next_run_time=first,
            coalesce=True,
            max_instances=1,
        )

    # ------------------------------------------------------------------------ firing

    def _spawn(self, coro: Awaitable[object]) -> asyncio.Task[object]:
        task: asyncio.Task[object] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _fire(self, group: str, key: str) -> None:
        """APScheduler woke us: deliver every occurrence since each plan's cursor."""
        now = self.clock()
        for kind in self._groups[group]:
            plan = kind.plans.get(key)
            if plan is None:
                continue
            cursor = kind.cursors.get(key, now)
            due = occurrences_between(plan.recurrence, cursor, now, MAX_CATCH_UP)
            kind.cursors[key] = max(now, cursor)
            for at in due:
                self._spawn(self.run(kind.name, key, at))

    async def run(self, kind_name: str, key: str, at: datetime) -> str:
        """Claim and deliver one occurrence; returns its ledger status (or ``duplicate``).

        This is what a job does when it fires; tests call it to drive a given occurrence.
        """
        if self._ready is not None:
            await self._ready()
        kind = self._kinds[kind_name]
        plan = kind.plans.get(key) or Plan(key, Every(timedelta(days=1), at))
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
                " finished_at, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
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
                ),
            )
            inserted = cursor.rowcount == 1
            row_id = cursor.lastrowid
            await cursor.close()
        return row_id if inserted else None

    async def _finish(self, delivery_id: int, status: str, attempts: int, detail: str | None) -> None:
        await self.db.execute(
            "UPDATE deliveries SET status = ?, attempts = ?, finished_at = ?, detail = ? WHERE id = ?",
            (status, attempts, self.clock().isoformat(), detail, delivery_id),
        )

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
        """After READY: finish interrupted deliveries, then deliver or record what was missed.

        ``last_alive`` is the previous process's last heartbeat (read before this one wrote any);
        ``None`` on a first start, when nothing can have been missed.
        """
        if self._ready is not None:
            await self._ready()
        try:
            await self._heartbeat()
            runs = await self._recover_interrupted()
            if last_alive is not None:
                for kind in self._kinds.values():
                    for plan in list(kind.plans.values()):
                        runs += await self._catch_up_plan(kind, plan, last_alive, started)
            await asyncio.gather(*runs)
        finally:
            self.caught_up.set()

    async def _catch_up_plan(
        self, kind: Kind, plan: Plan, last_alive: datetime, started: datetime
    ) -> list[asyncio.Task[object]]:
        window_start = last_alive - kind.grace
        if plan.since is not None:
            window_start = max(window_start, plan.since)
        missed = occurrences_between(plan.recurrence, window_start, started, MAX_CATCH_UP)
        if not missed:
            return []
        known = {
            row[0]
            for row in await self.db.fetchall(
                "SELECT occurrence FROM deliveries WHERE kind = ? AND key = ? AND occurrence >= ?",
                (kind.name, plan.key, missed[0].isoformat()),
            )
        }
        return [
            self._spawn(self.run(kind.name, plan.key, at)) for at in missed if at.isoformat() not in known
        ]

    async def _recover_interrupted(self) -> list[asyncio.Task[object]]:
        runs: list[asyncio.Task[object]] = []
        rows = await self.db.fetchall(
            "SELECT id, kind, key, occurrence, attempts FROM deliveries WHERE status = 'claimed'"
        )
        for row in rows:
            kind = self._kinds.get(row["kind"])
            at = datetime.fromisoformat(row["occurrence"])
            plan = kind.plans.get(row["key"]) if kind else None
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
