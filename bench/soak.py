"""Soak: many mixed interactions against the real process; nothing may grow with use.

One community with eight members (one of them a facilitator) and a weekly sit. Bursts of 50
concurrent interactions — ``/about``, ``/sit list``, ``/checkin history``, ``/wheel journal``,
``/episode browse``, ``/sit stats``, ``/checkin summary``, ``/episode insights`` — are fired until
the total is reached. Every 500 interactions the bot's RSS, its CPU time and the slowest
acknowledgement (dispatch → first callback) of those 500 are sampled. After warm-up RSS must stay
flat (within ±2 MiB) and the slowest acknowledgement must not climb.

    python bench/soak.py [--quick] [--total N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from collections import Counter
from pathlib import Path

from _common import cpu_seconds, header, load_average, rss_bytes
from _procs import started
from _world import build_guilds, migrated

from fakediscord import FakeDiscord

COMMANDS = (
    "about",
    "sit list",
    "checkin history",
    "wheel journal",
    "episode browse",
    "sit stats",
    "checkin summary",
    "episode insights",
)
BURST = 50
WINDOW = 500
MIB = 2**20


async def main(total: int, warm_up: int) -> None:
    async with FakeDiscord(token="bench-token", heartbeat_interval=30) as fake:
        world = build_guilds(fake, 1, channels=3, members=7)
        guild_id = world.guild_ids[0]
        lead = fake.add_member(guild_id, "lead", roles=[fake.add_role(guild_id, "Leads", 1 << 5)])
        members = [lead, *world.members[guild_id]]
        channel = world.text_channels[guild_id][0]
        folder = Path(tempfile.mkdtemp(prefix="attune-soak-"))
        database = folder / "attune.sqlite3"
        await migrated(database)
        async with started(fake, database) as (bot, _):
            pid = bot.process.pid
            first = await fake.invoke_slash(
                guild_id,
                channel,
                lead,
                "sit schedule",
                {"title": "Evening sit", "when": "tomorrow 19:00", "repeat": "weekly"},
            )
            await first.wait_response(timeout=30)
            samples: list[
                tuple[int, float, float, float]
            ] = []  # done, RSS MiB, slowest ack s, CPU ms/interaction
            errors = 0
            reasons: Counter[str] = Counter()
            done = 0
            window_slowest = 0.0
            cpu_mark = cpu_seconds(pid)
            while done < total:
                handles = await asyncio.gather(
                    *(
                        fake.invoke_slash(
                            guild_id,
                            channel,
                            members[i % len(members)],
                            COMMANDS[(done + i) % len(COMMANDS)],
                            {},
                        )
                        for i in range(BURST)
                    )
                )
                for handle in handles:
                    try:
                        answer = await handle.wait_response(timeout=30)
                    except TimeoutError:
                        errors += 1
                        reasons["no answer in 30 s"] += 1
                        continue
                    if handle.latency is not None:
                        window_slowest = max(window_slowest, handle.latency)
                    if not answer.accepted:
                        errors += 1
                        code = (answer.error or {}).get("code", answer.status)
                        reasons[f"rejected {code} after {handle.latency or 0:.1f} s"] += 1
                done += BURST
                if done % WINDOW == 0:
                    await asyncio.sleep(0.2)
                    fake.clear_records()
                    cpu_now = cpu_seconds(pid)
                    samples.append(
                        (done, rss_bytes(pid) / MIB, window_slowest, (cpu_now - cpu_mark) / WINDOW * 1000)
                    )
                    cpu_mark, window_slowest = cpu_now, 0.0
                    if done % (WINDOW * 10) == 0:
                        d, rss, slow, cpu = samples[-1]
                        print(
                            f"{d:>7,} interactions: RSS {rss:.1f} MiB, slowest ack {slow * 1000:.0f} ms, "
                            f"CPU {cpu:.2f} ms/interaction (load {load_average()})"
                        )
    after = [s for s in samples if s[0] > warm_up]
    base = after[0][1]
    growth = [s[1] - base for s in after]
    quarter = max(1, len(after) // 4)
    early = statistics.median(s[2] for s in after[:quarter]) * 1000
    late = statistics.median(s[2] for s in after[-quarter:]) * 1000
    slope = _slope([s[0] for s in after], [s[1] for s in after]) * 1000 * 1024  # KiB per 1,000
    cpu = statistics.median(s[3] for s in after)
    print(
        f"after warm-up ({warm_up:,}): RSS {base:.1f} → {after[-1][1]:.1f} MiB (range {min(growth):+.1f} … "
        f"{max(growth):+.1f} MiB), trend {slope:+.1f} KiB per 1,000 interactions; slowest ack per {WINDOW}: "
        f"median {early:.0f} ms in the first quarter, {late:.0f} ms in the last; CPU {cpu:.2f} ms/interaction"
    )
    if reasons:
        print("errors: " + "; ".join(f"{n} × {why}" for why, n in reasons.most_common(8)))
    print(
        f"SUMMARY soak: {total:,} interactions, errors {errors}; RSS after warm-up within "
        f"{min(growth):+.1f} … {max(growth):+.1f} MiB (goal ±2), trend {slope:+.1f} KiB/1,000; slowest ack "
        f"{early:.0f} → {late:.0f} ms (goal: no climb); CPU {cpu:.2f} ms/interaction"
    )


def _slope(xs: list[int], ys: list[float]) -> float:
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / den if den else 0.0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 interactions instead of 100,000")
    parser.add_argument("--total", type=int, default=0)
    args = parser.parse_args()
    total = args.total or (10_000 if args.quick else 100_000)
    header("soak", args.quick)
    asyncio.run(main(total - total % WINDOW, warm_up=min(5_000, total // 5)))
