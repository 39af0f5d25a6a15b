"""Build a large community for process benchmarks: guilds in the fake, matching rows in the database.

Rows are written with plain SQL in the layout of the capabilities' migrations, as an existing
installation would hold them (sits already announced, their native events created), so a start-up
measures rebuilding schedules, not first-time posting.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import ROOT  # noqa: F401

from attune.db import Database
from attune.recurrence import Recurrence, Repeat
from attune.when import days_from_text
from fakediscord import FakeDiscord

ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "UTC", "America/Sao_Paulo")
REPEATS = ("weekly", "daily", "weekdays", "biweekly", "monthly")


@dataclass
class World:
    guild_ids: list[int] = field(default_factory=list)
    text_channels: dict[int, list[int]] = field(default_factory=dict)
    voice_channels: dict[int, int] = field(default_factory=dict)
    members: dict[int, list[int]] = field(default_factory=dict)


def build_guilds(fake: FakeDiscord, guilds: int, channels: int, members: int = 0, shards: int = 0) -> World:
    """``guilds`` guilds with ``channels`` channels each (one of them voice) and some members;
    with ``shards``, spread evenly over that many shards (as Discord's ids spread over time)."""
    world = World()
    names = [f"room-{i}" for i in range(channels - 1)]
    for index in range(guilds):
        guild = fake.add_guild(
            f"Sangha {index}",
            channels=[*names, {"name": "Hall", "type": "voice"}],
            shard=(index % shards, shards) if shards else None,
        )
        world.guild_ids.append(guild.id)
        world.text_channels[guild.id] = [guild.channels[name] for name in names]
        world.voice_channels[guild.id] = guild.channels["Hall"]
        world.members[guild.id] = [fake.add_member(guild.id, f"m{index}-{n}") for n in range(members)]
    return world


async def migrated(path: Path) -> None:
    db = await Database.open(path)
    await db.migrate()
    await db.close()


def fill(
    path: Path,
    world: World,
    *,
    sits_per_guild: int = 0,
    checkins: bool = False,
    wheel: bool = False,
    feeds: bool = False,
    now: datetime | None = None,
    seed: int = 11,
) -> dict[str, int]:
    """Write the configuration rows of an established community into the database."""
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    stamp = (now - timedelta(days=30)).isoformat()
    counts = {"sits": 0, "checkin_setups": 0, "wheel_schedules": 0, "feeds": 0}
    message_id = 10**17
    with sqlite3.connect(path) as db:
        for guild_id in world.guild_ids:
            zone = ZONES[guild_id % len(ZONES)]
            channel = world.text_channels[guild_id][0]
            db.execute(
                "INSERT INTO guild_settings (guild_id, timezone, updated_at) VALUES (?, ?, ?)",
                (guild_id, zone, stamp),
            )
            for n in range(sits_per_guild):
                start = (now + timedelta(days=1 + n % 7)).replace(
                    hour=6 + n % 16, minute=(n // 16) % 60, second=0, microsecond=0, tzinfo=None
                )
                repeat = REPEATS[n % len(REPEATS)]
                weekdays = str(start.weekday()) if repeat in ("weekly", "biweekly") else ""
                duration = rng.choice((20, 30, 45))
                rule = Recurrence(Repeat(repeat), start, zone, days_from_text(weekdays))
                current = rule.next_after(now - timedelta(minutes=duration))
                shown = current.isoformat() if current else None
                message_id += 2
                # Announced, with its native event: what an established community's rows hold.
                db.execute(
                    "INSERT INTO sits (guild_id, title, host_id, start_local, zone, repeat, weekdays,"
                    " duration_min, reminder_min, guide, voice_channel_id, channel_id, announcement_id,"
                    " shown_at, event_id, event_at, status, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)",
                    (
                        guild_id,
                        f"Sit {n}",
                        1,
                        start.isoformat(),
                        zone,
                        repeat,
                        weekdays,
                        duration,
                        15,
                        rng.choice(("silent", "wheel")),
                        world.voice_channels[guild_id],
                        channel,
                        message_id,
                        shown,
                        message_id + 1,
                        shown,
                        stamp,
                        stamp,
                    ),
                )
                counts["sits"] += 1
            if checkins:
                db.execute(
                    "INSERT INTO checkin_setups (guild_id, channel_id, clock, days, timezone, enabled,"
                    " updated_at) VALUES (?, ?, '09:00', '0,1,2,3,4,5,6', ?, 1, ?)",
                    (guild_id, world.text_channels[guild_id][1], zone, stamp),
                )
                counts["checkin_setups"] += 1
            if wheel:
                db.execute(
                    "INSERT INTO wheel_schedules (guild_id, channel_id, clock, weekdays, timezone, from_day,"
                    " since) VALUES (?, ?, '07:30', '0,1,2,3,4,5,6', ?, ?, ?)",
                    (guild_id, world.text_channels[guild_id][2], zone, stamp[:10], stamp),
                )
                counts["wheel_schedules"] += 1
            if feeds:
                db.execute(
                    "INSERT INTO episode_feeds (guild_id, url, title, channel_id, added_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (guild_id, f"http://127.0.0.1:9/feed/{guild_id}.xml", "A show", channel, stamp),
                )
                counts["feeds"] += 1
    return counts


def scheduled(database: Path) -> str:
    """How many schedules the due-time table holds (none of them in the process's memory)."""
    if not database.name.startswith("attune"):
        return "bare bot"
    with sqlite3.connect(database) as db:
        try:
            count = db.execute("SELECT count(*) FROM schedule_due").fetchone()[0]
        except sqlite3.OperationalError:
            return "no due-time table"
    return f"{count:,} schedules in the due-time table"
