"""The ledger across processes: separate OS processes (as shard clusters are) share one database,
and each occurrence is still delivered once — when two both think they own it, and when one is
SIGKILLed mid-delivery and started again."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from attune.db import Database
from tests.attune import ledger_claimant

pytestmark = pytest.mark.both_backends

ROOT = Path(__file__).resolve().parents[2]


async def claimant(database: Path | str, sends: Path, *extra: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.attune.ledger_claimant",
        str(database),
        "--sends",
        str(sends),
        *extra,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


async def finished(process: asyncio.subprocess.Process) -> None:
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert out.startswith(b"done")


def sent(sends: Path) -> list[tuple[str, str]]:
    lines = sends.read_text().splitlines() if sends.exists() else []
    return [(word[1], word[2]) for word in map(str.split, lines) if word[0] == "sent"]


async def statuses(db: Database) -> Counter[str]:
    return Counter(r["status"] for r in await db.fetchall("SELECT status FROM deliveries"))


async def test_two_processes_that_both_own_the_schedules_post_each_occurrence_once(
    db: Database, database: Path | str, tmp_path: Path, backend: str
) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite serves one process: a second one would resume the first's claims at start")
    sends = tmp_path / "sends.txt"
    one, two = await asyncio.gather(
        claimant(database, sends, "--plans", "200", "--name", "one"),
        claimant(database, sends, "--plans", "200", "--name", "two"),
    )
    await asyncio.gather(finished(one), finished(two))
    keys = Counter(key for key, _ in sent(sends))
    assert set(keys) == {f"k{n}" for n in range(200)}
    assert set(keys.values()) == {1}, [k for k, v in keys.items() if v > 1]
    assert await statuses(db) == {"posted": 200}


async def test_a_process_killed_mid_delivery_is_finished_by_its_restart_without_duplicates(
    db: Database, database: Path | str, tmp_path: Path
) -> None:
    sends = tmp_path / "sends.txt"
    first = await claimant(database, sends, "--plans", "20", "--hang", "k7", "--name", "first")
    while (await statuses(db)) != {"posted": 19, "claimed": 1}:
        assert first.returncode is None, (await first.communicate())[1].decode()
        await asyncio.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    assert ("k7", "first") not in sent(sends)

    second = await claimant(database, sends, "--plans", "20", "--name", "second")
    await finished(second)
    assert Counter(key for key, _ in sent(sends)) == Counter(f"k{n}" for n in range(20))
    assert ("k7", "second") in sent(sends)
    assert await statuses(db) == {"posted": 20}


async def test_two_processes_migrating_an_empty_database_at_once_both_start(
    backend: str, request: pytest.FixtureRequest
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite: one process migrates its file; the advisory lock is PostgreSQL's")
    server = request.getfixturevalue("pg_server")
    url = await server.fresh(migrated=False)
    try:
        first, second = await Database.open(url), await Database.open(url)
        versions = await asyncio.gather(first.migrate(), second.migrate())
        newest = first.migrations()[-1].version
        assert versions == [newest, newest]
        assert await first.fetchval("SELECT count(*) FROM meta WHERE key = 'ledger.secret'") == 1
        await first.close()
        await second.close()
    finally:
        await server.drop(url)


async def test_a_live_process_finishes_the_claim_of_one_that_stopped_after_it_started(
    db: Database, database: Path | str, backend: str
) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite serves one process: any other process's claim is resumed at start")
    from attune.scheduler import Occurrence, Scheduler

    delivered: list[Occurrence] = []

    async def deliver(occurrence: Occurrence) -> str:
        delivered.append(occurrence)
        return "sent"

    other = await Database.open(database)  # another cluster, mid-delivery of k3
    await db.execute(
        "INSERT INTO deliveries (kind, key, occurrence, status, claimed_at, claimed_by)"
        " VALUES (?, 'k3', ?, 'claimed', ?, ?)",
        (ledger_claimant.KIND, ledger_claimant.DUE.isoformat(), ledger_claimant.NOW.isoformat(), other.owner),
    )
    scheduler = Scheduler(db, clock=lambda: ledger_claimant.NOW)
    plans = ledger_claimant.plans(5)

    async def load(keys: object) -> list[object]:
        return plans

    scheduler.register(ledger_claimant.KIND, load=load, deliver=deliver, grace=timedelta(minutes=10))
    await scheduler.load_all(ledger_claimant.NOW, ledger_claimant.DUE - timedelta(minutes=1))
    await scheduler.catch_up(ledger_claimant.NOW, ledger_claimant.DUE - timedelta(minutes=1))
    assert sorted(o.key for o in delivered) == ["k0", "k1", "k2", "k4"]  # k3 is the other's

    await scheduler._beat()  # the other still runs: its claim stays its own
    await asyncio.gather(*scheduler._tasks)
    assert len(delivered) == 4

    await other.close()  # that process is gone
    await scheduler._beat()
    await asyncio.gather(*scheduler._tasks)
    assert sorted(o.key for o in delivered) == ["k0", "k1", "k2", "k3", "k4"]
    assert await statuses(db) == {"posted": 5}
