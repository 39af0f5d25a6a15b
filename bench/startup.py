"""Start-up: process start to READY for 10,000 and 100,000 sit series, against the bare bot.

Attune (``python bot.py``) and the bare floor bot each start against the same loopback fake
Discord holding the same guilds; the figures are spawn → "ready as" in the log (wall) and the CPU
time the process had used by then. Attune's READY comes after ``setup_hook`` has opened the
database, applied migrations and armed the scheduler for the earliest due instant. The rows are
written as an established installation holds them; the first start after that fills the due-time
table (what an upgrade costs, once) and is reported apart. Rounds alternate which process starts
first; ratios are per round, reported as median (min–max).

    python bench/startup.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path

from _common import cpu_seconds, header, load_average, spread
from _procs import started
from _world import build_guilds, fill, migrated, scheduled

from fakediscord import FakeDiscord


async def one_start(fake: FakeDiscord, database: Path, bare: bool) -> tuple[float, float, str]:
    async with started(fake, database, bare=bare) as (bot, seconds):
        cpu = cpu_seconds(bot.process.pid)
    return seconds, cpu, scheduled(database)


async def measure(guilds: int, sits_per_guild: int, rounds: int) -> dict[str, float]:
    async with FakeDiscord(token="bench-token", heartbeat_interval=30) as fake:
        world = build_guilds(fake, guilds, channels=5)
        folder = Path(tempfile.mkdtemp(prefix="attune-startup-"))
        database = folder / "attune.sqlite3"
        await migrated(database)
        counts = fill(database, world, sits_per_guild=sits_per_guild)
        series = counts["sits"]
        upgrade, upgrade_cpu, _ = await one_start(fake, database, bare=False)
        print(
            f"{series:,} sit series in {guilds:,} guilds; first start (fills the due-time table): "
            f"{upgrade:.2f} s, CPU {upgrade_cpu:.2f} s"
        )
        wall: list[float] = []
        cpu: list[float] = []
        ours_wall: list[float] = []
        ours_cpu: list[float] = []
        schedules = ""
        for number in range(rounds):
            results = {}
            for bare in (True, False) if number % 2 == 0 else (False, True):
                results[bare] = await one_start(fake, folder / "bare.sqlite3" if bare else database, bare)
            (b_wall, b_cpu, _), (a_wall, a_cpu, schedules) = results[True], results[False]
            wall.append(a_wall / b_wall)
            cpu.append(a_cpu / b_cpu)
            ours_wall.append(a_wall)
            ours_cpu.append(a_cpu)
            print(
                f"  round {number + 1} (load {load_average()}): READY attune {a_wall:.2f} s vs bare {b_wall:.2f} s; "
                f"CPU {a_cpu:.2f} vs {b_cpu:.2f} s ({schedules})"
            )
        print(f"  wall ratio {spread(wall)}; CPU ratio {spread(cpu)}")
        return {
            "series": series,
            "wall": statistics.median(wall),
            "cpu": statistics.median(cpu),
            "seconds": statistics.median(ours_wall),
            "cpu_seconds": statistics.median(ours_cpu),
            "upgrade": upgrade,
        }


async def main(quick: bool) -> None:
    sizes = [(100, 10), (100, 100)] if quick else [(1000, 10), (1000, 100)]
    found = [await measure(guilds, sits, rounds=2 if quick else 3) for guilds, sits in sizes]
    print(
        "SUMMARY startup: "
        + "; ".join(
            f"{f['series']:,.0f} series READY {f['seconds']:.2f} s, ratio {f['wall']:.2f} wall / "
            f"{f['cpu']:.2f} CPU"
            for f in found
        )
        + " (goal ≤ 1.15, flat in series)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="1,000 and 10,000 series instead of 10,000 and 100,000"
    )
    args = parser.parse_args()
    header("startup", args.quick)
    asyncio.run(main(args.quick))
