"""Interactions under load: dispatch → first callback, Attune against a bare discord.py bot.

The database holds 1,000,000 check-ins across 100 guilds. Bursts of 100 concurrent interactions
from distinct members — check-in submissions (the note modal, the step that writes), RSVP clicks
on a sit announcement, ``/sit list`` and ``/checkin history`` — are fired until 2,000 are done.
Per interaction the loopback fake records the time from writing INTERACTION_CREATE to receiving the
first callback request (Discord's three-second deadline), and to the answer itself (a message, an
update or a modal in the callback; after a deferral, the first follow-up or edit — what the member
waits for), and each process's CPU time (its own and its chart worker's, from
``/proc``) is sampled around the measured window: CPU per interaction doesn't depend on scheduling
luck the way a p99 on a shared machine does. The floor is the bare bot (bench/barebot.py) answering
the same interactions in the same harness with a constant message. Rounds alternate which process
runs first; every ratio is taken per round and reported as the median with its spread.

    python bench/interactions.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sqlite3
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import cpu_seconds, describe, header, load_average, percentile, spread
from _procs import started
from _world import build_guilds, migrated

from cogs.checkins.models import NewCheckin
from cogs.checkins.store import _INSERT_CHECKIN
from cogs.checkins.views import NOTE_FIELD
from fakediscord import FakeDiscord

KINDS = ("checkin", "rsvp", "sit list", "history")
ANSWERS = tuple(f"answer {kind}" for kind in KINDS)
DRAIN = 0.5  # seconds between CPU samples while waiting for a process to be idle
IDLE = 0.02  # CPU seconds per sample below which a process counts as idle
WORDS = (("within", "calm", "low_pleasant", -3, 3), ("chaos", "tense", "high_unpleasant", 3, -3))


def prefill(path: Path, members: dict[int, list[int]], total: int) -> None:
    """``total`` check-ins spread over the guilds' members and the last year, raw and fast."""
    rng = random.Random(3)
    pairs = [(guild, member) for guild, ids in members.items() for member in ids]
    start = datetime.now(UTC) - timedelta(days=365)
    rows = []
    for _ in range(total):
        guild, member = pairs[rng.randrange(len(pairs))]
        at = start + timedelta(minutes=rng.randrange(365 * 24 * 60))
        zone, word, quadrant, energy, pleasant = WORDS[rng.randrange(2)]
        rows.append(
            NewCheckin(
                guild, member, at, at.date(), zone, word, quadrant, energy, pleasant, None, "private"
            ).row()
        )
    with sqlite3.connect(path) as db:
        db.executemany(_INSERT_CHECKIN, rows)


async def schedule_sits(
    fake: FakeDiscord, guilds: list, owners: dict[int, int]
) -> dict[int, tuple[int, str]]:
    """One weekly sit per guild, scheduled through the bot; returns guild → (message, Going id)."""
    handles = []
    for guild in guilds:
        handles.append(
            await fake.invoke_slash(
                guild.id,
                guild.channel("room-0"),
                owners[guild.id],
                "sit schedule",
                {"title": "Evening sit", "when": "tomorrow 19:00", "repeat": "weekly"},
            )
        )
    for handle in handles:
        await handle.wait_response(timeout=30)
    announcements: dict[int, tuple[int, str]] = {}
    for guild in guilds:
        await fake.wait_for(lambda g=guild: _announcement(fake, g), timeout=30)
        announcements[guild.id] = _announcement(fake, guild)  # type: ignore[assignment]
    return announcements


def _announcement(fake: FakeDiscord, guild) -> tuple[int, str] | None:
    for message in fake.messages(guild.channel("room-0"), include_ephemeral=False):
        for row in message.get("components") or []:
            for component in row.get("components") or []:
                if str(component.get("custom_id", "")).endswith(":going"):
                    return int(message["id"]), component["custom_id"]
    return None


async def fire(fake: FakeDiscord, kind: str, guild, member: int, announcement: tuple[int, str]):
    channel = guild.channel("room-0")
    if kind == "checkin":
        return await fake.submit_modal(
            "checkin:note:within:calm",
            {NOTE_FIELD: "steady today"},
            member,
            guild_id=guild.id,
            channel_id=channel,
        )
    if kind == "rsvp":
        message_id, custom_id = announcement
        return await fake.click_button(message_id, custom_id, member)
    if kind == "sit list":
        return await fake.invoke_slash(guild.id, channel, member, "sit list", {})
    return await fake.invoke_slash(guild.id, channel, member, "checkin history", {})


async def run_bursts(fake, guilds, members, announcements, total: int, burst: int, seed: int, kinds=KINDS):
    """Latencies per kind — to the first callback (``kind``) and to the answer itself (``answer
    kind``); and how many first callbacks came after 3 s or never."""
    rng = random.Random(seed)
    latencies: dict[str, list[float]] = defaultdict(list)
    late = 0
    done = 0
    while done < total:
        picked: set[int] = set()
        jobs = []
        for index in range(burst):
            guild = guilds[rng.randrange(len(guilds))]
            member = rng.choice(members[guild.id])
            while member in picked:
                guild = guilds[rng.randrange(len(guilds))]
                member = rng.choice(members[guild.id])
            picked.add(member)
            kind = kinds[index % len(kinds)]
            jobs.append((kind, fire(fake, kind, guild, member, announcements[guild.id])))
        handles = await asyncio.gather(*(job for _, job in jobs))
        for (kind, _), handle in zip(jobs, handles, strict=True):
            try:
                answer = await handle.wait_response(timeout=30)
            except TimeoutError:
                late += 1
                continue
            if not answer.accepted or handle.latency is None or handle.latency > 3.0:
                late += 1
            if handle.latency is not None:
                latencies[kind].append(handle.latency)
        for (kind, _), handle in zip(jobs, handles, strict=True):
            # The answer itself may follow an acknowledgement (a deferral shows nothing yet).
            with contextlib.suppress(TimeoutError):
                await fake.wait_for(lambda h=handle: h.answered_at is not None, 30)
            if handle.answer_latency is not None:
                latencies["answer " + kind].append(handle.answer_latency)
        done += burst
        await asyncio.sleep(0.2)  # let follow-ups (charts) drain a little between bursts, as in life
    return latencies, late


async def settled(pid: int) -> float:
    """The process's CPU time once it is idle again (follow-ups such as charts finished)."""
    last = cpu_seconds(pid)
    for _ in range(120):
        await asyncio.sleep(DRAIN)
        now = cpu_seconds(pid)
        if now - last < IDLE:
            return now
        last = now
    return last


async def measured(fake, bot, guilds, members, announcements, count: int, seed: int, kinds=KINDS):
    """Bursts of 100 with the process's CPU time sampled around them, from idle to idle: the
    previous window's follow-ups don't count here, and this window's all do."""
    before = await settled(bot.process.pid)
    found, late = await run_bursts(fake, guilds, members, announcements, count, 100, seed=seed, kinds=kinds)
    used = await settled(bot.process.pid) - before
    return found, late, used / count


async def one_half(
    fake, path: Path, bare: bool, guilds, members, announcements, per_half: int, single: int, seed: int
):
    """One process: warm-up, a mixed window, then a check-in-only and an RSVP-only window."""
    async with started(fake, path, bare=bare) as (bot, _):
        await run_bursts(fake, guilds, members, announcements, 100, 100, seed=seed)  # warm-up
        found, late, mixed_cpu = await measured(
            fake, bot, guilds, members, announcements, per_half, 10 + seed
        )
        cpu = {"mixed": mixed_cpu}
        for kind in ("checkin", "rsvp"):
            _, extra_late, cpu[kind] = await measured(
                fake, bot, guilds, members, announcements, single, 20 + seed, kinds=(kind,)
            )
            late += extra_late
    fake.clear_records()
    return found, late, cpu


async def main(quick: bool, rounds: int) -> None:
    header("interactions", quick)
    total_checkins = 100_000 if quick else 1_000_000
    per_half = 200 if quick else 500
    single = 100 if quick else 200
    async with FakeDiscord(token="bench-token", heartbeat_interval=30) as fake:
        world = build_guilds(fake, 100, channels=5, members=30)
        guilds = [fake.guild(guild_id) for guild_id in world.guild_ids]
        manage_server = 1 << 5
        owners = {
            g: fake.add_member(g, f"lead-{g}", roles=[fake.add_role(g, "Leads", manage_server)])
            for g in world.guild_ids
        }
        members = world.members
        folder = Path(tempfile.mkdtemp(prefix="attune-interactions-"))
        database = folder / "attune.sqlite3"
        await migrated(database)
        began = time.perf_counter()
        prefill(database, members, total_checkins)
        print(f"prefilled {total_checkins:,} check-ins in {time.perf_counter() - began:.1f} s")

        async with started(fake, database):
            announcements = await schedule_sits(fake, guilds, owners)
        # Rounds alternate which process goes first (floor, Attune | Attune, floor | …), so both
        # meet the fake — and the shared machine — in the same states; ratios are taken per round.
        ours: dict[str, list[float]] = defaultdict(list)
        floor: dict[str, list[float]] = defaultdict(list)
        ratios: dict[str, list[float]] = defaultdict(list)
        ours_late = floor_late = 0
        for number in range(rounds):
            order = (True, False) if number % 2 == 0 else (False, True)
            results = {}
            for bare in order:
                path = folder / "bare.sqlite3" if bare else database
                results[bare] = await one_half(
                    fake, path, bare, guilds, members, announcements, per_half, single, seed=number
                )
            (mine, mine_late, mine_cpu), (base, base_late, base_cpu) = results[False], results[True]
            ours_late += mine_late
            floor_late += base_late
            for kind in (*KINDS, *ANSWERS):
                ours[kind].extend(mine[kind])
                floor[kind].extend(base[kind])
            everything_mine = [x for kind in KINDS for x in mine[kind]]
            everything_base = [x for kind in KINDS for x in base[kind]]
            answers_mine = [x for kind in ANSWERS for x in mine[kind]]
            answers_base = [x for kind in ANSWERS for x in base[kind]]
            for p in (50, 99):
                ratios[f"p{p}"].append(percentile(everything_mine, p) / percentile(everything_base, p))
                ratios[f"answer p{p}"].append(percentile(answers_mine, p) / percentile(answers_base, p))
                for kind in ("checkin", "rsvp", "answer checkin", "answer rsvp"):
                    ratios[f"{kind} p{p}"].append(percentile(mine[kind], p) / percentile(base[kind], p))
            for what in ("mixed", "checkin", "rsvp"):
                ratios[f"cpu {what}"].append(mine_cpu[what] / base_cpu[what])
                ratios[f"cpu ms attune {what}"].append(mine_cpu[what] * 1000)
                ratios[f"cpu ms floor {what}"].append(base_cpu[what] * 1000)
            print(
                f"round {number + 1} ({'floor first' if order[0] else 'attune first'}, load {load_average()}): "
                f"p50 {percentile(everything_mine, 50) * 1000:.1f} vs {percentile(everything_base, 50) * 1000:.1f} ms, "
                f"p99 {percentile(everything_mine, 99) * 1000:.1f} vs {percentile(everything_base, 99) * 1000:.1f} ms; "
                f"answer p50 {percentile(answers_mine, 50) * 1000:.1f} vs {percentile(answers_base, 50) * 1000:.1f} ms, "
                f"p99 {percentile(answers_mine, 99) * 1000:.1f} vs {percentile(answers_base, 99) * 1000:.1f} ms; "
                f"CPU/interaction mixed {mine_cpu['mixed'] * 1000:.2f} vs {base_cpu['mixed'] * 1000:.2f} ms, "
                f"check-in {mine_cpu['checkin'] * 1000:.2f} vs {base_cpu['checkin'] * 1000:.2f} ms, "
                f"RSVP {mine_cpu['rsvp'] * 1000:.2f} vs {base_cpu['rsvp'] * 1000:.2f} ms"
            )

    print(
        f"{rounds} rounds; per process and round {per_half} mixed interactions in bursts of 100 "
        f"concurrent from distinct members, then {single} check-ins and {single} RSVPs alone"
    )
    for kind in (*KINDS, *ANSWERS):
        print(f"{kind:<16} attune {describe(ours[kind])}")
        print(f"{'':<16} floor  {describe(floor[kind])}")
    print("per-round ratios, attune / floor — median (min–max); first callback, then the answer itself:")
    for name in ("p50", "p99", "checkin p50", "checkin p99", "rsvp p50", "rsvp p99"):
        print(f"  {name:<22} {spread(ratios[name])}")
    for name in ("p50", "p99", "checkin p50", "checkin p99", "rsvp p50", "rsvp p99"):
        print(f"  {'answer ' + name:<22} {spread(ratios['answer ' + name])}")
    for what in ("mixed", "checkin", "rsvp"):
        print(
            f"  CPU/interaction {what:<6} {spread(ratios['cpu ' + what])}; attune "
            f"{statistics.median(ratios['cpu ms attune ' + what]):.2f} ms, floor "
            f"{statistics.median(ratios['cpu ms floor ' + what]):.2f} ms (medians)"
        )
    everything = [x for kind in KINDS for x in ours[kind]]
    print(
        f"slowest first answer: attune {max(everything) * 1000:.0f} ms; after 3 s or never: {ours_late} (floor {floor_late})"
    )
    med = {name: statistics.median(values) for name, values in ratios.items()}
    print(
        f"SUMMARY interactions ({rounds} rounds, medians): p50 ratio {med['p50']:.2f} (goal ≤ 1.3), "
        f"p99 ratio {med['p99']:.2f} (goal ≤ 1.5); to the answer itself p50 {med['answer p50']:.2f}, "
        f"p99 {med['answer p99']:.2f}; CPU/interaction ratio check-in {med['cpu checkin']:.2f}, "
        f"RSVP {med['cpu rsvp']:.2f}, mixed {med['cpu mixed']:.2f} (goal ≤ 1.3); late (>3 s) {ours_late}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 check-ins, shorter windows")
    parser.add_argument("--rounds", type=int, default=0, help="alternating rounds (default 4, quick 2)")
    args = parser.parse_args()
    asyncio.run(main(args.quick, args.rounds or (2 if args.quick else 4)))
