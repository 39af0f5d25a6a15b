"""Two clusters: two real ``python bot.py`` processes, each running one of two shards, against the
loopback fake Discord (which routes each guild to its shard and enforces one global 50/s limit for
both) and one database (an SQLite file, and PostgreSQL). Every guild's daily check-in thread is
posted once, by the process that owns the guild; one process killed with SIGKILL mid-delivery and
restarted loses and duplicates nothing.

The kill lands exactly in the gap: the fake holds the answer to one shard-1 guild's thread starter
(the message is made, the answer never comes) until the process is dead.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from fakediscord import FakeDiscord
from tests import pg
from tests.e2e.process import BotProcess, bot_process
from tests.faults.harness import (
    FINAL,
    Holds,
    create_database,
    ledger,
    on_backend,
    seed_checkin_setup,
    seed_heartbeat,
    settled,
    starters,
    stop_and_drain,
    threads_in,
    utcnow,
    wait_quietly,
)

pytestmark = pytest.mark.e2e

SHARDS = 2
GUILDS = 8  # four on each shard
KIND = "checkins.daily"
DELIVERED = re.compile(r"delivered checkins\.daily:(\d+) ")


@contextlib.asynccontextmanager
async def cluster(fake: FakeDiscord, database: Path | str, shard: int) -> AsyncIterator[BotProcess]:
    """``python bot.py`` running shard ``shard`` of ``SHARDS`` (not yet waited for)."""
    async with bot_process(
        fake, database, ATTUNE_SHARD_COUNT=str(SHARDS), ATTUNE_SHARDS=str(shard)
    ) as process:
        yield process


def delivered_by(process_log: str) -> set[int]:
    return {int(match) for match in DELIVERED.findall(process_log)}


@dataclass
class Outcome:
    on_shard: dict[int, int] = field(default_factory=dict)  # guild -> shard
    channel: dict[int, int] = field(default_factory=dict)  # guild -> its check-in channel
    victim: int = 0
    at_kill: list[dict[str, Any]] = field(default_factory=list)
    ledger: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    posts: dict[int, int] = field(default_factory=dict)
    threads: dict[int, int] = field(default_factory=dict)
    logs: dict[str, str] = field(default_factory=dict)
    identified: list[list[int] | None] = field(default_factory=list)


async def _scenario(database: Path | str) -> Outcome:
    await create_database(database)
    outcome = Outcome()
    fake = FakeDiscord(token="cluster-faults", rate_limits=True, global_rate_limit=50)
    holds = Holds(fake)  # before the server starts: it binds its handlers then
    async with fake:
        now = utcnow()
        seed_heartbeat(database, now - timedelta(seconds=90))
        for index in range(GUILDS):
            guild = fake.add_guild(f"Circle {index}", channels=["checkins"], shard=(index % SHARDS, SHARDS))
            channel = guild.channels["checkins"]
            seed_checkin_setup(
                database, guild_id=guild.id, channel_id=channel, due_by=now - timedelta(seconds=3)
            )
            outcome.on_shard[guild.id] = index % SHARDS
            outcome.channel[guild.id] = channel
        outcome.victim = next(g for g, shard in outcome.on_shard.items() if shard == 1)
        reached = holds.hold(outcome.channel[outcome.victim], "starter", "after")

        async with cluster(fake, database, 0) as low, cluster(fake, database, 1) as high:
            await asyncio.gather(
                low.wait_for_line("ready as", timeout=40), high.wait_for_line("ready as", timeout=40)
            )
            await asyncio.wait_for(reached.wait(), timeout=30)
            high.process.kill()  # SIGKILL while its starter's answer is held
            await high.wait()
            outcome.logs["high"] = high.log
            outcome.at_kill = ledger(database, KIND, outcome.victim)

            async with cluster(fake, database, 1) as again:
                await again.wait_for_line("ready as", timeout=40)
                wanted = [(KIND, guild) for guild in outcome.on_shard]
                await wait_quietly(fake, lambda: settled(database, wanted), timeout=30)
                holds.released.set()  # the killed process's held request finishes
                await stop_and_drain(fake, again)
                await stop_and_drain(fake, low)
                outcome.logs["again"] = again.log
                outcome.logs["low"] = low.log
        for guild, channel in outcome.channel.items():
            outcome.ledger[guild] = ledger(database, KIND, guild)
            outcome.posts[guild] = len(starters(fake, channel))
            outcome.threads[guild] = len(threads_in(fake, channel))
        outcome.identified = [p["d"].get("shard") for p in fake.gateway.received if p.get("op") == 2]
    return outcome


@pytest.fixture(scope="module", params=pg.BACKENDS)
def outcome(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """One run per backend: the two clusters share an SQLite file, or a PostgreSQL database."""
    return on_backend(request, tmp_path_factory, _scenario, "clusters")


def test_each_process_identified_with_its_shard(outcome: Outcome) -> None:
    assert sorted(outcome.identified, key=str) == [[0, 2], [1, 2], [1, 2]]  # shard 1 twice: the restart


def test_the_kill_landed_between_claim_and_confirmation(outcome: Outcome) -> None:
    assert [row["status"] for row in outcome.at_kill] == ["claimed"], outcome.at_kill


def test_every_guilds_thread_is_posted_once(outcome: Outcome) -> None:
    logs = "\n".join(outcome.logs.values())
    assert outcome.posts == dict.fromkeys(outcome.channel, 1), logs
    assert outcome.threads == dict.fromkeys(outcome.channel, 1), logs
    for guild, rows in outcome.ledger.items():
        assert len(rows) == 1 and rows[0]["status"] in ("posted", "late"), (guild, rows)
    assert all(row["status"] in FINAL for rows in outcome.ledger.values() for row in rows)


def test_each_guild_is_delivered_by_the_process_that_owns_its_shard(outcome: Outcome) -> None:
    shard0 = {guild for guild, shard in outcome.on_shard.items() if shard == 0}
    shard1 = set(outcome.on_shard) - shard0
    assert delivered_by(outcome.logs["low"]) == shard0
    assert delivered_by(outcome.logs["high"]) | delivered_by(outcome.logs["again"]) == shard1
    assert outcome.victim in delivered_by(outcome.logs["again"])  # the restart finished it
    assert not delivered_by(outcome.logs["high"]) & delivered_by(outcome.logs["again"])


def test_no_process_failed(outcome: Outcome) -> None:
    for name, log in outcome.logs.items():
        assert "Traceback" not in log, f"{name}:\n{log}"
