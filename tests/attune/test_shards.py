"""Shard clusters: the settings, which guilds a process owns, its share of the request budget, and
schedulers of two clusters on one database dividing the due rows between them."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Collection
from datetime import timedelta
from pathlib import Path

import pytest

from attune.config import load_settings
from attune.db import Database
from attune.errors import ConfigError
from attune.pacing import CLUSTER_MARGIN, DISCORD_GLOBAL_LIMIT, RequestPacer
from attune.scheduler import Plan, Scheduler
from attune.shards import Shards
from tests.attune.test_cli import run
from tests.attune.test_scheduler import T0, Recorder, daily
from tests.clocks import Clock


def guild_on(shard: int, count: int, n: int = 0) -> int:
    """A snowflake-like guild id that Discord routes to ``shard`` of ``count``."""
    return ((1000 + n) * count + shard) << 22 | 12345


def test_unset_means_one_process_on_discords_recommendation_owning_everything() -> None:
    shards = load_settings({}, env_file=None).cluster
    assert (shards.count, shards.ids, shards.partial, shards.clusters) == (None, None, False, 1)
    assert shards.owns(guild_on(3, 4)) and shards.owns(None)
    assert shards.where() == ("1 = 1", ())


def test_a_range_of_the_shards_owns_their_guilds_and_guildless_work_goes_to_shard_0() -> None:
    low = load_settings({"ATTUNE_SHARD_COUNT": "4", "ATTUNE_SHARDS": "0-1"}, env_file=None).cluster
    high = load_settings({"ATTUNE_SHARD_COUNT": "4", "ATTUNE_SHARDS": "2-3"}, env_file=None).cluster
    assert (low.ids, high.ids, low.clusters, high.clusters) == ([0, 1], [2, 3], 2, 2)
    for shard in range(4):
        for n in range(5):
            guild = guild_on(shard, 4, n)
            assert low.owns(guild) == (shard <= 1) and high.owns(guild) == (shard >= 2)
    assert low.owns(None) and not high.owns(None)


def test_the_count_alone_runs_every_shard_in_this_process() -> None:
    shards = load_settings({"ATTUNE_SHARD_COUNT": "3"}, env_file=None).cluster
    assert (shards.ids, shards.partial, shards.clusters) == ([0, 1, 2], False, 1)


def test_an_explicit_cluster_count_wins() -> None:
    env = {"ATTUNE_SHARD_COUNT": "16", "ATTUNE_SHARDS": "0-9", "ATTUNE_CLUSTERS": "3"}
    assert load_settings(env, env_file=None).cluster.clusters == 3


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"ATTUNE_SHARDS": "0-3"}, "ATTUNE_SHARD_COUNT"),
        ({"ATTUNE_SHARD_COUNT": "4", "ATTUNE_SHARDS": "3-5"}, "0-3"),
        ({"ATTUNE_SHARD_COUNT": "4", "ATTUNE_SHARDS": "2-1"}, "ATTUNE_SHARDS"),
        ({"ATTUNE_SHARD_COUNT": "4", "ATTUNE_SHARDS": "first"}, "range like 0-7"),
        ({"ATTUNE_SHARD_COUNT": "0"}, "ATTUNE_SHARD_COUNT"),
        ({"ATTUNE_SHARD_COUNT": "four"}, "ATTUNE_SHARD_COUNT"),
        ({"ATTUNE_SHARD_COUNT": "4", "ATTUNE_CLUSTERS": "0"}, "ATTUNE_CLUSTERS"),
    ],
)
def test_a_bad_shard_layout_is_one_clear_line(env: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(env, env_file=None)
    message = str(raised.value)
    assert names in message and "\n" not in message


@pytest.mark.both_backends
async def test_the_sql_condition_agrees_with_owns(db: Database) -> None:
    """The ownership condition, run by the database on due rows, picks what ``owns`` says."""
    guilds: list[int | None] = [guild_on(shard, 5, n) for shard in range(5) for n in range(4)]
    guilds += [2**62 + 7, None]
    await db.executemany(
        "INSERT INTO schedule_due (kind, key, guild_id, next_due) VALUES ('k', ?, ?, ?)",
        [(str(i), guild, T0.isoformat()) for i, guild in enumerate(guilds)],
    )
    for first, last in ((0, 1), (2, 2), (3, 4), (0, 4)):
        shards = Shards(5, first, last)
        condition, params = shards.where()
        found = await db.fetchall(f"SELECT key FROM schedule_due WHERE {condition}", params)  # noqa: S608
        assert {guilds[int(row["key"])] for row in found} == {g for g in guilds if shards.owns(g)}


def test_clusters_share_the_request_budget_within_discords_limit() -> None:
    assert (RequestPacer.share(1).rate, RequestPacer.share(1).burst) == (45.0, 5.0)  # as one process had
    for clusters in (2, 3, 4, 8, 16, 64):
        pacer = RequestPacer.share(clusters)
        assert clusters * (pacer.rate + pacer.burst) == pytest.approx(DISCORD_GLOBAL_LIMIT - CLUSTER_MARGIN)
        assert clusters * pacer.rate == pytest.approx(45)  # the pace of one process, shared
        assert pacer.burst > 0


async def test_two_paced_clusters_never_exceed_the_limit_in_any_second() -> None:
    """Both shares sending flat out: no one-second window holds more than 50 requests in all."""
    loop = asyncio.get_running_loop()
    sent: list[float] = []

    async def flat_out(pacer: RequestPacer, n: int) -> None:
        for _ in range(n):
            await pacer.wait()
            sent.append(loop.time())

    await asyncio.gather(flat_out(RequestPacer.share(2), 60), flat_out(RequestPacer.share(2), 60))
    sent.sort()
    busiest = max(sum(1 for t in sent[i:] if t < start + 1.0) for i, start in enumerate(sent))
    assert 40 <= busiest <= DISCORD_GLOBAL_LIMIT - CLUSTER_MARGIN


def cluster(db: Database, clock: Clock, recorder: Recorder, plans: list[Plan], shards: Shards) -> Scheduler:
    scheduler = Scheduler(db, clock=clock, shards=shards)

    async def load(keys: Collection[str] | None) -> list[Plan]:
        return [plan for plan in plans if keys is None or plan.key in keys]

    scheduler.register("test.post", load=load, deliver=recorder, grace=timedelta(minutes=10))
    return scheduler


@pytest.mark.both_backends
async def test_two_clusters_on_one_database_each_deliver_only_their_guilds(db: Database) -> None:
    clock = Clock(T0)
    plans = [
        Plan(f"g{shard}-{n}", daily(10), guild_id=guild_on(shard, 2, n)) for shard in (0, 1) for n in range(3)
    ]
    plans.append(Plan("dm", daily(10)))  # guild-less: the cluster with shard 0 owns it
    low, high = Recorder(), Recorder()
    first = cluster(db, clock, low, plans, Shards(2, 0, 0))
    second = cluster(db, clock, high, plans, Shards(2, 1, 1))
    await first.load_all(clock())
    await second.load_all(clock())
    assert len(await first.job_ids()) == 4 and len(await second.job_ids()) == 3
    clock.now = T0 + timedelta(hours=1, seconds=1)
    await asyncio.gather(*await second.drain(), *await first.drain())
    assert sorted(o.key for o in low.delivered) == ["dm", "g0-0", "g0-1", "g0-2"]
    assert sorted(o.key for o in high.delivered) == ["g1-0", "g1-1", "g1-2"]
    assert await db.fetchval("SELECT count(*) FROM deliveries WHERE status = 'posted'") == 7


@pytest.mark.both_backends
async def test_a_cluster_resumes_only_its_own_interrupted_claims(db: Database) -> None:
    clock = Clock(T0 + timedelta(minutes=3))
    mine, theirs = guild_on(0, 2), guild_on(1, 2)
    plans = [Plan("mine", daily(), guild_id=mine), Plan("theirs", daily(), guild_id=theirs)]
    for plan in plans:  # both claimed at 09:00; the process of shard 0 died before confirming
        await db.execute(
            "INSERT INTO deliveries (kind, key, occurrence, status, guild_id, claimed_at)"
            " VALUES ('test.post', ?, ?, 'claimed', ?, ?)",
            (plan.key, T0.isoformat(), plan.guild_id, T0.isoformat()),
        )
    recorder = Recorder()
    restarted = cluster(db, clock, recorder, plans, Shards(2, 0, 0))
    await restarted.load_all(clock())
    await restarted.catch_up(clock(), await restarted.last_alive())
    assert [o.key for o in recorder.delivered] == ["mine"]
    rows = await db.fetchall("SELECT key, status FROM deliveries ORDER BY key")
    assert [tuple(row) for row in rows] == [("mine", "late"), ("theirs", "claimed")]  # still in flight


@pytest.mark.both_backends
async def test_two_clusters_that_both_think_they_own_a_guild_still_post_once(db: Database) -> None:
    clock = Clock(T0)
    plans = [Plan("g", daily(10), guild_id=guild_on(1, 2))]
    one, two = Recorder(), Recorder()
    wrong = cluster(db, clock, one, plans, Shards(2, 0, 1, clusters_setting=2))  # a stale, wider range
    right = cluster(db, clock, two, plans, Shards(2, 1, 1))
    await wrong.load_all(clock())
    await right.load_all(clock())
    clock.now = T0 + timedelta(hours=1, seconds=1)
    await asyncio.gather(*await wrong.drain(), *await right.drain())
    assert len(one.delivered) + len(two.delivered) == 1


def test_check_reports_the_shard_range_and_refuses_a_bad_one(tmp_path: Path) -> None:
    result = run(["check"], tmp_path, DISCORD_TOKEN="x", ATTUNE_SHARD_COUNT="4", ATTUNE_SHARDS="2-3")
    assert result.returncode == 0, result.stdout
    assert "ok       shards: 2-3 of 4: one of 2 clusters, with 1/2 of the request budget" in result.stdout
    alone = run(["check"], tmp_path, DISCORD_TOKEN="x")
    assert "shards: all, as many as Discord recommends" in alone.stdout
    bad = run(["check"], tmp_path, DISCORD_TOKEN="x", ATTUNE_SHARD_COUNT="4", ATTUNE_SHARDS="4")
    assert bad.returncode == 2 and bad.stdout == ""
    assert (
        bad.stderr.startswith("attune: ATTUNE_SHARDS '4' must lie within 0-3") and bad.stderr.count("\n") == 1
    )


async def test_a_delivery_refused_by_a_busy_database_file_is_retried(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Clusters on one SQLite file: a write that met another process's lock is tried again."""
    clock, recorder = Clock(T0), Recorder()
    scheduler = cluster(db, clock, recorder, [Plan("a", daily(), guild_id=guild_on(0, 2))], Shards(2, 0, 0))
    await scheduler.load_all(clock())

    async def no_wait(seconds: float) -> None:
        clock.now += timedelta(seconds=seconds)

    monkeypatch.setattr("attune.scheduler.asyncio.sleep", no_wait)
    recorder.failures = [sqlite3.OperationalError("database is locked")]
    assert await scheduler.run("test.post", "a", T0) == "posted"
    assert len(recorder.delivered) == 1
    assert await db.fetchval("SELECT attempts FROM deliveries WHERE key = 'a'") == 2
