"""Memory: RSS after READY with 1,000 guilds of 50 channels, each with daily check-ins, a wheel
prompt schedule and a followed feed, and 1, 10 or 100 recurring sits per guild (1,000 / 10,000 /
100,000 sit series) — against the bare bot with the same intents and the same guilds. Schedules
live in the database's due-time table, not in memory, so RSS should stay flat in the number of
series. The first start after the rows are written fills that table (an upgrade's one-off cost)
and is reported apart; rounds alternate which process goes first; ratios are per round.

    python bench/memory.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path

from _common import cpu_seconds, header, load_average, rss_bytes, spread
from _procs import started
from _world import build_guilds, fill, migrated, scheduled

from fakediscord import FakeDiscord

SETTLE = 5.0  # seconds after READY before reading RSS (on_ready work: sits reconcile, etc.)
MIB = 2**20


async def settled_rss(pid: int) -> int:
    """RSS once it stops growing (sampled every 0.5 s, at least SETTLE seconds)."""
    await asyncio.sleep(SETTLE)
    last = rss_bytes(pid)
    while True:
        await asyncio.sleep(0.5)
        now = rss_bytes(pid)
        if abs(now - last) < 512 * 1024:
            return now
        last = now


async def one(fake: FakeDiscord, database: Path, bare: bool) -> tuple[int, float, str]:
    async with started(fake, database, bare=bare) as (bot, _):
        rss = await settled_rss(bot.process.pid)
        cpu = cpu_seconds(bot.process.pid)
    return rss, cpu, scheduled(database)


async def one_size(guilds: int, channels: int, sits: int, rounds: int) -> dict[str, float]:
    async with FakeDiscord(token="bench-token", heartbeat_interval=30) as fake:
        world = build_guilds(fake, guilds, channels=channels)
        folder = Path(tempfile.mkdtemp(prefix="attune-memory-"))
        database = folder / "attune.sqlite3"
        await migrated(database)
        counts = fill(database, world, sits_per_guild=sits, checkins=True, wheel=True, feeds=True)
        first, _, _ = await one(fake, database, bare=False)
        ratios: list[float] = []
        ours: list[int] = []
        floor: list[int] = []
        schedules = ""
        for number in range(rounds):
            found = {}
            for bare in (True, False) if number % 2 == 0 else (False, True):
                found[bare] = await one(fake, folder / "bare.sqlite3" if bare else database, bare)
            (bare_rss, _, _), (attune_rss, _, schedules) = found[True], found[False]
            ratios.append(attune_rss / bare_rss)
            ours.append(attune_rss)
            floor.append(bare_rss)
        print(
            f"{guilds:>5} guilds × {channels} channels, {counts['sits']:>7,} sit series (load {load_average()}): "
            f"bare {statistics.median(floor) / MIB:.0f} MiB, attune {statistics.median(ours) / MIB:.0f} MiB, "
            f"ratio {spread(ratios)}; first start (fills the table) {first / MIB:.0f} MiB; {schedules}"
        )
        return {
            "series": counts["sits"],
            "ratio": statistics.median(ratios),
            "attune": statistics.median(ours) / MIB,
            "bare": statistics.median(floor) / MIB,
        }


async def main(quick: bool) -> None:
    header("memory", quick)
    sizes = (
        [(100, 50, 1), (100, 50, 10), (100, 50, 100)]
        if quick
        else [(1000, 50, 1), (1000, 50, 10), (1000, 50, 100)]
    )
    results = [await one_size(guilds, channels, sits, rounds=2) for guilds, channels, sits in sizes]
    main_size = results[1]
    print(
        f"SUMMARY memory: {sizes[1][0]} guilds, {main_size['series']:,.0f} series: RSS attune "
        f"{main_size['attune']:.0f} MiB vs bare {main_size['bare']:.0f} MiB, ratio {main_size['ratio']:.2f} "
        f"(goal ≤ 1.15); attune at "
        + " / ".join(f"{r['series']:,.0f}" for r in results)
        + " series: "
        + " / ".join(f"{r['attune']:.0f}" for r in results)
        + " MiB (goal: flat)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 guilds instead of 1,000")
    asyncio.run(main(parser.parse_args().quick))
