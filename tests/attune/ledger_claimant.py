"""One claimant process for the cross-process ledger tests (``python -m tests.attune.ledger_claimant``).

It opens the database named on the command line, registers one kind with ``--plans`` daily plans
due at 09:00 and, with its clock at 09:00:30, catches up as a starting process does: it resumes
claims a killed process left, then claims and delivers what is due. Each send is appended to
``--sends`` (the stand-in for Discord). ``--hang KEY`` blocks inside KEY's delivery before sending,
so the test can SIGKILL the process mid-delivery.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from attune.db import Database
from attune.scheduler import Occurrence, Plan, Scheduler
from attune.timeparse import Recurrence, Repeat

KIND = "test.post"
DUE = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
NOW = DUE + timedelta(seconds=30)


def plans(count: int) -> list[Plan]:
    rule = Recurrence(Repeat.DAILY, datetime(2026, 11, 1, 9, 0), "UTC")
    return [Plan(f"k{n}", rule, since=datetime(2026, 11, 1, tzinfo=UTC)) for n in range(count)]


async def main(database: str, count: int, sends: str, hang: str | None, name: str) -> None:
    db = await Database.open(database)
    await db.migrate()
    all_plans = plans(count)

    async def load(keys: Collection[str] | None) -> list[Plan]:
        return [p for p in all_plans if keys is None or p.key in keys]

    async def deliver(occurrence: Occurrence) -> str:
        if occurrence.key == hang:
            with open(sends, "a") as out:
                out.write(f"hanging {occurrence.key} {name}\n")
            await asyncio.Event().wait()  # until SIGKILL
        with open(sends, "a") as out:  # one short write per line (O_APPEND): never interleaved
            out.write(f"sent {occurrence.key} {name}\n")
        return f"sent by {name}"

    scheduler = Scheduler(db, clock=lambda: NOW)
    scheduler.register(KIND, load=load, deliver=deliver, grace=timedelta(minutes=10), concurrency=8)
    await scheduler.load_all(NOW, DUE - timedelta(minutes=1))
    await scheduler.catch_up(NOW, DUE - timedelta(minutes=1))
    await db.close()
    print(f"done {name} pid {os.getpid()}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("--plans", type=int, default=100)
    parser.add_argument("--sends", required=True)
    parser.add_argument("--hang")
    parser.add_argument("--name", default="claimant")
    args = parser.parse_args()
    asyncio.run(main(args.database, args.plans, args.sends, args.hang, args.name))
