"""Start-up: process start to READY with every schedule rebuilt for 10,000 sit series.

Attune (``python bot.py``) and the bare floor bot each start against the same loopback fake
Discord holding the same guilds; the figure is spawn → "ready as" in the log. Attune's READY comes
after ``setup_hook`` has opened the database, applied migrations, loaded every plan and added every
job, so the time includes the whole rebuild.

    python bench/startup.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
from pathlib import Path

from _common import header
from _procs import started
from _world import build_guilds, fill, migrated

from tests.e2e.fakediscord import FakeDiscord


async def measure(guilds: int, sits_per_guild: int, runs: int) -> None:
    async with FakeDiscord(token="bench-token", heartbeat_interval=30) as fake:
        world = build_guilds(fake, guilds, channels=5)
        folder = Path(tempfile.mkdtemp(prefix="attune-startup-"))
        database = folder / "attune.sqlite3"
        await migrated(database)
        counts = fill(database, world, sits_per_guild=sits_per_guild)
        print(f"world                     {guilds:,} guilds, {counts['sits']:,} sit series")

        bare, attune, schedules = [], [], ""
        for run in range(runs):
            async with started(fake, folder / "bare.sqlite3", bare=True) as (_, seconds):
                bare.append(seconds)
            async with started(fake, database) as (bot, seconds):
                attune.append(seconds)
                line = next((x for x in bot.lines if "scheduler started" in x), "")
                schedules = re.sub(r"^.*scheduler started: ", "", line)
            print(f"run {run + 1}: bare {bare[-1]:.2f} s, attune {attune[-1]:.2f} s ({schedules})")
        floor, ours = statistics.median(bare), statistics.median(attune)
        print(f"floor (bare bot) median   {floor:.2f} s")
        print(f"attune median             {ours:.2f} s")
        print(
            f"SUMMARY startup: {counts['sits']:,} sit series, {schedules}; READY in {ours:.2f} s vs "
            f"bare {floor:.2f} s; ratio {ours / floor:.2f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 series instead of 10,000")
    args = parser.parse_args()
    header("startup", args.quick)
    asyncio.run(measure(100 if args.quick else 1000, 10, runs=1 if args.quick else 3))
