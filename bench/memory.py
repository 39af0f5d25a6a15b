"""Memory: RSS after READY with 1,000 guilds, each with 50 channels, 10 recurring sits, daily
check-ins, a wheel prompt schedule and a followed feed — against the bare bot with the same intents
and the same guilds. Also prints the scheduler's job count at two sizes, to show it grows with
guilds and series, not with occurrences (series are rules; occurrences are computed).

    python bench/memory.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
from pathlib import Path

from _common import header, rss_bytes
from _procs import started
from _world import build_guilds, fill, migrated

from tests.e2e.fakediscord import FakeDiscord

SETTLE = 5.0  # seconds after READY before reading RSS (on_ready work: sits reconcile, etc.)


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


async def one_size(guilds: int, channels: int, sits: int) -> tuple[int, int, str, int]:
    async with FakeDiscord(token="bench-token", heartbeat_interval=30) as fake:
        world = build_guilds(fake, guilds, channels=channels)
        folder = Path(tempfile.mkdtemp(prefix="attune-memory-"))
        database = folder / "attune.sqlite3"
        await migrated(database)
        counts = fill(database, world, sits_per_guild=sits, checkins=True, wheel=True, feeds=True)
        async with started(fake, folder / "bare.sqlite3", bare=True) as (bare, _):
            bare_rss = await settled_rss(bare.process.pid)
        async with started(fake, database) as (bot, _):
            attune_rss = await settled_rss(bot.process.pid)
            line = next((x for x in bot.lines if "scheduler started" in x), "")
        jobs = re.sub(r"^.*scheduler started: ", "", line)
        return bare_rss, attune_rss, jobs, counts["sits"]


async def main(quick: bool) -> None:
    header("memory", quick)
    sizes = [(100, 50, 10), (200, 50, 10)] if quick else [(500, 50, 10), (1000, 50, 10)]
    results = []
    for guilds, channels, sits in sizes:
        bare, ours, jobs, series = await one_size(guilds, channels, sits)
        results.append((guilds, bare, ours, jobs))
        print(
            f"{guilds:>5} guilds × {channels} channels, {series:,} sit series: bare {bare / 2**20:.0f} MiB, "
            f"attune {ours / 2**20:.0f} MiB, ratio {ours / bare:.2f}; {jobs}"
        )
    guilds, bare, ours, jobs = results[-1]
    print(
        f"SUMMARY memory: {guilds} guilds; RSS attune {ours / 2**20:.0f} MiB vs bare {bare / 2**20:.0f} MiB; "
        f"ratio {ours / bare:.2f} (goal ≤ 1.25); {jobs}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 and 200 guilds instead of 500 and 1,000")
    asyncio.run(main(parser.parse_args().quick))
