"""Fan-out: 1,000 guilds whose daily check-in falls on the same UTC minute.

The guilds are spread over several time zones (so their local times differ) but all are due at
one UTC minute. The loopback fake enforces Discord-like rate limits: 50 requests/s globally,
5 messages per 5 s per channel, 429 with ``retry_after``. Figure: time from that minute until every
guild has its thread, against a floor of (requests needed ÷ 50/s); duplicates and missing threads.
Run undisturbed (``--rounds`` times), then with the bot killed (SIGKILL) halfway and restarted at
once. ``--clusters N``: N processes (``ATTUNE_SHARD_COUNT=N``, one shard each) and N × 1,000 guilds
spread over the shards, one database, the fake enforcing one global 50/s for all of them; the
SIGKILL run kills one cluster.

    python bench/fanout.py [--quick] [--clusters N] [--rounds R] [--no-kill]
                           [--backend sqlite|postgresql] [--url postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import cpu_seconds, header, load_average, spread
from _procs import started
from _world import ZONES, build_guilds, migrated

from attune.db import Database
from fakediscord import FakeDiscord
from tests import pg

REQUESTS_PER_GUILD = 2  # the starter message, then its thread
LEAD = 40  # seconds at least from start-up to the minute (every process is ready well before)


async def configure(
    database: Path | str, guild_ids: list[int], channels: dict[int, list[int]], due: datetime
) -> None:
    """Every guild's daily check-in at its local wall time of ``due`` (one UTC minute for all)."""
    stamp = (due - timedelta(days=2)).isoformat()
    settings, setups = [], []
    for guild_id in guild_ids:
        zone = ZONES[guild_id % len(ZONES)]
        clock = due.astimezone(ZoneInfo(zone)).strftime("%H:%M")
        settings.append((guild_id, zone, stamp))
        setups.append((guild_id, channels[guild_id][0], clock, zone, stamp))
    db = await Database.open(database)  # Attune's own SQL layer: the same on SQLite and PostgreSQL
    try:
        await db.executemany(
            "INSERT INTO guild_settings (guild_id, timezone, updated_at) VALUES (?, ?, ?)", settings
        )
        await db.executemany(
            "INSERT INTO checkin_setups (guild_id, channel_id, clock, days, timezone, enabled, updated_at)"
            " VALUES (?, ?, ?, '0,1,2,3,4,5,6', ?, 1, ?)",
            setups,
        )
    finally:
        await db.close()


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


def cluster_env(clusters: int, index: int) -> dict[str, str]:
    """Cluster ``index`` of ``clusters``: one shard each (no settings at all for one process)."""
    if clusters == 1:
        return {}
    return {"ATTUNE_SHARD_COUNT": str(clusters), "ATTUNE_SHARDS": str(index)}


async def one_run(
    guilds: int, kill_halfway: bool, clusters: int = 1, server: pg.Server | None = None
) -> tuple[float, float, int, int, int, float, float]:
    async with FakeDiscord(
        token="bench-token", rate_limits=True, global_rate_limit=50, heartbeat_interval=30
    ) as fake:  # one fake, one global limit for every process
        world = build_guilds(fake, guilds, channels=2, shards=clusters if clusters > 1 else 0)
        database: Path | str
        if server is None:
            database = Path(tempfile.mkdtemp(prefix="attune-fanout-")) / "attune.sqlite3"
            await migrated(database)
        else:
            database = await server.fresh()  # a migrated PostgreSQL database of its own
        due = (datetime.now(UTC) + timedelta(seconds=LEAD)).replace(second=0, microsecond=0) + timedelta(
            minutes=1
        )
        await configure(database, world.guild_ids, world.text_channels, due)
        procs = [started(fake, database, **cluster_env(clusters, i)) for i in range(clusters)]
        bots = [bot for bot, _ in await asyncio.gather(*(cm.__aenter__() for cm in procs))]
        try:
            await until_minute(due)
            began = time.perf_counter()
            cpu_before = sum(cpu_seconds(bot.process.pid) for bot in bots)
            first = float("nan")
            killed = False
            while True:
                have, _, _ = tally(fake, world.text_channels)
                if have and first != first:
                    first = time.perf_counter() - began
                if kill_halfway and not killed and have >= guilds // 2:
                    victim = bots[-1]  # SIGKILL (the last cluster): no clean shutdown, claims left open
                    victim.process.kill()
                    await victim.process.wait()
                    killed = True
                    await procs[-1].__aexit__(None, None, None)
                    procs[-1] = started(fake, database, **cluster_env(clusters, clusters - 1))
                    bots[-1], _ = await procs[-1].__aenter__()
                if have == guilds or time.perf_counter() - began > 600:
                    break
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - began
            cpu_after = sum(cpu_seconds(bot.process.pid) for bot in bots)
            cpu = (cpu_after - cpu_before) / guilds if not killed else float("nan")
            await asyncio.sleep(3)  # anything late or duplicated would show up now
            have, dups, missing = tally(fake, world.text_channels)
            fanned = [r for r in fake.requests if r.method == "POST"]
            for record in (r for r in fake.requests if r.status == 429):  # where a 429 fell
                print(
                    f"  429 {record.method} {record.route} at {record.time - fanned[0].time:.3f} s of the fan-out"
                )
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
            await asyncio.gather(*(cm.__aexit__(None, None, None) for cm in procs))
            if server is not None:
                await server.drop(str(database))


def report(
    label: str, elapsed: float, floor: float, dups: int, missing: int, limited: int, first: float, cpu: float
) -> float:
    ratio = elapsed / floor
    print(
        f"{label:<24} all threads {elapsed:6.1f} s after the minute; floor {floor:.1f} s; ratio {ratio:.2f}; "
        f"duplicates {dups}; missing {missing}; 429s {limited}; first thread {first:.2f} s after the minute; "
        f"CPU per thread {cpu * 1000:.1f} ms (load {load_average()})",
        flush=True,
    )
    return ratio


async def main(quick: bool, clusters: int, rounds: int, kill: bool, server: pg.Server | None) -> None:
    header("fanout", quick)
    guilds = (200 if quick else 1000) * clusters
    where = f"{guilds} guilds" + (f", {clusters} clusters" if clusters > 1 else "")
    where += ", PostgreSQL" if server else ", SQLite"
    plain = []
    for round_ in range(rounds):
        result = await one_run(guilds, kill_halfway=False, clusters=clusters, server=server)
        plain.append((report(f"{where} #{round_ + 1}", *result), result))
    ratios = [ratio for ratio, _ in plain]
    worst = [sum(result[i] for _, result in plain) for i in (2, 3, 4)]
    summary = (
        f"SUMMARY fanout: {where} at one minute: ratio {spread(ratios)} (goal ≤ {1.12 if clusters == 1 else 1.15}),"
        f" duplicates {worst[0]}, missing {worst[1]}, 429s {worst[2]} in all rounds"
    )
    if kill:
        killed = await one_run(guilds, kill_halfway=True, clusters=clusters, server=server)
        r2 = report(f"{where}, SIGKILL", *killed)
        summary += f"; with SIGKILL halfway: ratio {r2:.2f}, duplicates {killed[2]}, missing {killed[3]}"
    print(summary)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 guilds per process instead of 1,000")
    parser.add_argument(
        "--clusters",
        type=int,
        default=1,
        help="run this many processes, one shard each, sharing one database and the fake's one limit",
    )
    parser.add_argument("--rounds", type=int, default=1, help="undisturbed rounds (median and spread)")
    parser.add_argument("--no-kill", action="store_true", help="skip the SIGKILL-halfway run")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--url", default=os.environ.get(pg.URL_ENV), help="a PostgreSQL server that may create databases"
    )
    args = parser.parse_args()
    if args.backend == "postgresql" and not args.url:
        raise SystemExit(f"--backend postgresql needs --url or {pg.URL_ENV}")
    server = pg.Server(args.url) if args.backend == "postgresql" else None
    try:
        asyncio.run(main(args.quick, args.clusters, args.rounds, not args.no_kill, server))
    finally:
        if server is not None:
            server.drop_template()
