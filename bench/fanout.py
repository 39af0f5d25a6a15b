"""Fan-out: 1,000 guilds whose daily check-in falls on the same UTC minute.

The guilds are spread over several time zones (so their local times differ) but all are due at
one UTC minute. The loopback fake enforces Discord-like rate limits: 50 requests/s globally,
5 messages per 5 s per channel, 429 with ``retry_after``. Figure: time from that minute until every
guild has its thread, against a floor of (requests needed ÷ 50/s); duplicates and missing threads.
Run twice: undisturbed, and with the bot killed (SIGKILL) halfway and restarted at once.

    python bench/fanout.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import cpu_seconds, header, load_average
from _procs import started
from _world import ZONES, build_guilds, migrated

from fakediscord import FakeDiscord

REQUESTS_PER_GUILD = 2  # the starter message, then its thread


def configure(path: Path, guild_ids: list[int], channels: dict[int, list[int]], due: datetime) -> None:
    """Every guild's daily check-in at its local wall time of ``due`` (one UTC minute for all)."""
    stamp = (due - timedelta(days=2)).isoformat()
    with sqlite3.connect(path) as db:
        for guild_id in guild_ids:
            zone = ZONES[guild_id % len(ZONES)]
            clock = due.astimezone(ZoneInfo(zone)).strftime("%H:%M")
            db.execute(
                "INSERT INTO guild_settings (guild_id, timezone, updated_at) VALUES (?, ?, ?)",
                (guild_id, zone, stamp),
            )
            db.execute(
                "INSERT INTO checkin_setups (guild_id, channel_id, clock, days, timezone, enabled, updated_at)"
                " VALUES (?, ?, ?, '0,1,2,3,4,5,6', ?, 1, ?)",
                (guild_id, channels[guild_id][0], clock, zone, stamp),
            )


def tally(fake: FakeDiscord, channels: dict[int, list[int]]) -> tuple[int, int, int]:
    """(guilds with a thread, duplicate starters or threads, guilds missing one)."""
    threads = Counter(int(t["parent_id"]) for t in fake.threads if t.get("parent_id"))
    have = dups = 0
    for channel_ids in channels.values():
        channel = channel_ids[0]
        starters = [m for m in fake.messages(channel, include_ephemeral=False) if m.get("components")]
        dups += max(0, len(starters) - 1) + max(0, threads[channel] - 1)
        have += threads[channel] > 0
    return have, dups, len(channels) - have


async def until_minute(due: datetime) -> None:
    await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()))


async def one_run(guilds: int, kill_halfway: bool) -> tuple[float, float, int, int, int, float, float]:
    async with FakeDiscord(
        token="bench-token", rate_limits=True, global_rate_limit=50, heartbeat_interval=30
    ) as fake:
        world = build_guilds(fake, guilds, channels=2)
        folder = Path(tempfile.mkdtemp(prefix="attune-fanout-"))
        database = folder / "attune.sqlite3"
        await migrated(database)
        due = (datetime.now(UTC) + timedelta(seconds=75)).replace(second=0, microsecond=0) + timedelta(
            minutes=1
        )
        configure(database, world.guild_ids, world.text_channels, due)
        bot_cm = started(fake, database)
        bot, _ = await bot_cm.__aenter__()
        try:
            await until_minute(due)
            began = time.perf_counter()
            cpu_before = cpu_seconds(bot.process.pid)
            first = float("nan")
            killed = False
            while True:
                have, _, _ = tally(fake, world.text_channels)
                if have and first != first:
                    first = time.perf_counter() - began
                if kill_halfway and not killed and have >= guilds // 2:
                    bot.process.kill()  # SIGKILL: no clean shutdown, claims left open
                    await bot.process.wait()
                    killed = True
                    await bot_cm.__aexit__(None, None, None)
                    bot_cm = started(fake, database)
                    bot, _ = await bot_cm.__aenter__()
                if have == guilds or time.perf_counter() - began > 600:
                    break
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - began
            cpu = (cpu_seconds(bot.process.pid) - cpu_before) / guilds if not killed else float("nan")
            await asyncio.sleep(3)  # anything late or duplicated would show up now
            have, dups, missing = tally(fake, world.text_channels)
            return (
                elapsed,
                guilds * REQUESTS_PER_GUILD / 50,
                dups,
                missing,
                fake.rate_limited_count,
                first,
                cpu,
            )
        finally:
            await bot_cm.__aexit__(None, None, None)


def report(
    label: str, elapsed: float, floor: float, dups: int, missing: int, limited: int, first: float, cpu: float
) -> float:
    ratio = elapsed / floor
    print(
        f"{label:<24} all threads {elapsed:6.1f} s after the minute; floor {floor:.1f} s; ratio {ratio:.2f}; "
        f"duplicates {dups}; missing {missing}; 429s {limited}; first thread {first:.2f} s after the minute; "
        f"CPU per thread {cpu * 1000:.1f} ms (load {load_average()})"
    )
    return ratio


async def main(quick: bool) -> None:
    header("fanout", quick)
    guilds = 200 if quick else 1000
    plain = await one_run(guilds, kill_halfway=False)
    r1 = report(f"{guilds} guilds", *plain)
    killed = await one_run(guilds, kill_halfway=True)
    r2 = report(f"{guilds} guilds, SIGKILL", *killed)
    print(
        f"SUMMARY fanout: {guilds} guilds at one minute: ratio {r1:.2f} (goal ≤ 1.2), duplicates {plain[2]}, "
        f"missing {plain[3]}; with SIGKILL halfway: ratio {r2:.2f}, duplicates {killed[2]}, missing {killed[3]}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 guilds instead of 1,000")
    asyncio.run(main(parser.parse_args().quick))
