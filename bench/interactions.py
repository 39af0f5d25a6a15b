"""Interactions under load: dispatch → first callback, Attune against a bare discord.py bot.

The database holds 1,000,000 check-ins across 100 guilds. Bursts of 100 concurrent interactions
from distinct members — check-in submissions (the note modal, the step that writes), RSVP clicks
on a sit announcement, ``/sit list`` and ``/checkin history`` — are fired until 2,000 are done.
Per interaction the loopback fake records the time from writing INTERACTION_CREATE to receiving the
first callback request. The floor is the bare bot (bench/barebot.py) answering the same
interactions in the same harness with a constant message.

    python bench/interactions.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import describe, header, percentile
from _procs import started
from _world import build_guilds, migrated

from cogs.checkins.service import _INSERT_CHECKIN, NewCheckin
from cogs.checkins.views import NOTE_FIELD
from tests.e2e.fakediscord import FakeDiscord

KINDS = ("checkin", "rsvp", "sit list", "history")
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
    """Latencies per kind; and how many first answers came after 3 s or never."""
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
        done += burst
        await asyncio.sleep(0.2)  # let follow-ups (charts) drain a little between bursts, as in life
    return latencies, late


async def main(quick: bool) -> None:
    header("interactions", quick)
    total_checkins = 100_000 if quick else 1_000_000
    total = 400 if quick else 2000
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
        # Alternate halves (floor, Attune, floor, Attune), so both meet the fake in the same state.
        ours: dict[str, list[float]] = defaultdict(list)
        floor: dict[str, list[float]] = defaultdict(list)
        ours_late = floor_late = 0
        for half in (1, 2):
            for bare, into in ((True, floor), (False, ours)):
                path = folder / "bare.sqlite3" if bare else database
                async with started(fake, path, bare=bare):
                    await run_bursts(fake, guilds, members, announcements, 100, 100, seed=half)  # warm-up
                    found, late = await run_bursts(
                        fake, guilds, members, announcements, total // 2, 100, seed=10 + half
                    )
                fake.clear_records()
                for kind, values in found.items():
                    into[kind].extend(values)
                if bare:
                    floor_late += late
                else:
                    ours_late += late

    print(f"{total:,} interactions each, in bursts of 100 concurrent, from distinct members")
    worst = 0.0
    for kind in KINDS:
        ratio = percentile(ours[kind], 99) / percentile(floor[kind], 99)
        if kind in ("checkin", "rsvp"):
            worst = max(worst, ratio)
        print(f"{kind:<9} attune {describe(ours[kind])}")
        print(f"{'':<9} floor  {describe(floor[kind])}")
        print(f"{'':<9} p99 ratio {ratio:.2f}")
    everything = [x for values in ours.values() for x in values]
    print(
        f"slowest first answer: attune {max(everything) * 1000:.0f} ms; after 3 s or never: {ours_late} (floor {floor_late})"
    )
    print(
        f"SUMMARY interactions: p99 ratio check-in/RSVP worst {worst:.2f} (goal ≤ 2); "
        f"late (>3 s) {ours_late}; all-kinds p99 attune {percentile(everything, 99) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 check-ins and 400 interactions")
    asyncio.run(main(parser.parse_args().quick))
