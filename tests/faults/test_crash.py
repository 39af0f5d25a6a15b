"""SIGKILL of ``python bot.py`` between claiming a delivery and confirming it, then a restart on the
same database: each occurrence ends posted exactly once (the nonce makes the retry safe) or recorded
as skipped — never twice, never silently lost (no ledger row is left ``claimed``).

The fake holds the bot's request open so the kill lands exactly in the gap:

* ``bell-before`` — the closing bell's POST reached Discord but no message was made yet;
* ``bell-after`` — Discord made the bell, the answer never reached the bot;
* ``starter-after`` — the same for a daily check-in's thread starter;
* ``thread-after`` — the starter was posted and recorded, the thread made, its answer lost;
* ``stale`` — a claim a crash left behind long ago, whose window has passed by the restart.

One kill and one restart serve every case; the tests then check one case each.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from fakediscord import FakeDiscord
from tests import pg
from tests.faults.harness import (
    FINAL,
    Holds,
    closing_bells,
    create_database,
    execute,
    ledger,
    lines_with,
    on_backend,
    running_bot,
    seed_checkin_setup,
    seed_heartbeat,
    seed_sit,
    settled,
    starters,
    stop_and_drain,
    threads_in,
    utcnow,
    wait_quietly,
)

pytestmark = pytest.mark.e2e

BELL_AFTER = timedelta(seconds=7)


@dataclass
class Case:
    channel_id: int
    kind: str
    key: int
    at_kill: list[dict[str, Any]] = field(default_factory=list)
    ledger: list[dict[str, Any]] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    threads: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Outcome:
    cases: dict[str, Case] = field(default_factory=dict)
    nonce_dedupes: int = 0
    first_log: str = ""
    second_log: str = ""
    claimed_after: list[dict[str, Any]] = field(default_factory=list)


async def _scenario(database: Path | str) -> Outcome:
    await create_database(database)
    outcome = Outcome()
    cases = outcome.cases
    fake = FakeDiscord(token="crash-faults")
    holds = Holds(fake)  # before the server starts: it binds its handlers then
    async with fake:
        now = utcnow()
        seed_heartbeat(database, now - timedelta(seconds=90))
        sangha = fake.add_guild("Sangha", channels=["bell-before", "bell-after", "stale"])
        end = now + BELL_AFTER
        reached = []
        for name in ("bell-before", "bell-after"):
            channel = sangha.channels[name]
            sit_id = seed_sit(
                database, guild_id=sangha.id, channel_id=channel, start=end - timedelta(minutes=1), title=name
            )
            cases[name] = Case(channel, "sits.end", sit_id)
            reached.append(holds.hold(channel, "bell", name.split("-")[1]))
        for name, what in (("starter-after", "starter"), ("thread-after", "thread")):
            guild = fake.add_guild(f"Circle {name}", channels=["checkins"])
            channel = guild.channels["checkins"]
            seed_checkin_setup(
                database, guild_id=guild.id, channel_id=channel, due_by=now - timedelta(seconds=3)
            )
            cases[name] = Case(channel, "checkins.daily", guild.id)
            reached.append(holds.hold(channel, what, "after"))
        # A sit long under way: a crash two days ago left yesterday's closing bell claimed.
        stale_start = now - timedelta(days=2, hours=6)
        stale_id = seed_sit(
            database,
            guild_id=sangha.id,
            channel_id=sangha.channels["stale"],
            start=stale_start,
            title="stale",
            since=stale_start - timedelta(days=1),
        )
        cases["stale"] = Case(sangha.channels["stale"], "sits.end", stale_id)

        async with running_bot(fake, database) as bot:
            await asyncio.wait_for(asyncio.gather(*(event.wait() for event in reached)), timeout=30)
            bot.process.kill()
            await bot.wait()
            outcome.first_log = bot.log
        for case in cases.values():
            case.at_kill = ledger(database, case.kind, case.key)
        stale_at = stale_start + timedelta(days=1, minutes=1)
        execute(
            database,
            "INSERT INTO deliveries (kind, key, occurrence, status, guild_id, attempts, claimed_at)"
            " VALUES ('sits.end', ?, ?, 'claimed', ?, 0, ?)",
            (str(stale_id), stale_at.isoformat(), sangha.id, stale_at.isoformat()),
        )

        async with running_bot(fake, database) as bot:
            wanted = [(case.kind, case.key) for case in cases.values()]
            await wait_quietly(fake, lambda: settled(database, wanted), timeout=30)
            await wait_quietly(fake, lambda: lines_with(bot, "recorded interrupted") >= 1, timeout=5)
            holds.released.set()  # the killed process's held requests finish (and land, or don't)
            await stop_and_drain(fake, bot)  # count once nothing either process sent can still land
            for case in cases.values():
                case.ledger = ledger(database, case.kind, case.key)
                case.posts = (
                    closing_bells(fake, case.channel_id)
                    if case.kind == "sits.end"
                    else starters(fake, case.channel_id)
                )
                case.threads = threads_in(fake, case.channel_id)
            outcome.nonce_dedupes = fake.nonce_dedupes
            outcome.claimed_after = [
                row
                for case in cases.values()
                for row in ledger(database, case.kind, case.key)
                if row["status"] not in FINAL
            ]
            outcome.second_log = bot.log
    return outcome


@pytest.fixture(scope="module", params=pg.BACKENDS)
def outcome(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """One kill and one restart per backend (PostgreSQL: a fresh database the first start migrates)."""
    return on_backend(request, tmp_path_factory, _scenario, "crash")


def _killed_mid_delivery(case: Case) -> None:
    """The kill really landed between the claim and its confirmation."""
    assert [row["status"] for row in case.at_kill] == ["claimed"], case.at_kill


def _posted_once(case: Case, outcome: Outcome) -> None:
    assert len(case.posts) == 1, f"{len(case.posts)} posts after the restart:\n{outcome.second_log}"
    assert len(case.ledger) == 1 and case.ledger[0]["status"] in ("posted", "late"), case.ledger
    assert case.ledger[0]["id"] == case.at_kill[0]["id"]  # the same occurrence, finished


def test_bell_killed_before_discord_made_it_is_posted_after_restart(outcome: Outcome) -> None:
    case = outcome.cases["bell-before"]
    _killed_mid_delivery(case)
    _posted_once(case, outcome)


def test_bell_made_but_unconfirmed_is_not_posted_twice(outcome: Outcome) -> None:
    case = outcome.cases["bell-after"]
    _killed_mid_delivery(case)
    _posted_once(case, outcome)
    assert outcome.nonce_dedupes >= 2  # this one and the starter's: Discord dropped the retries


def test_starter_made_but_unconfirmed_is_not_posted_twice(outcome: Outcome) -> None:
    case = outcome.cases["starter-after"]
    _killed_mid_delivery(case)
    _posted_once(case, outcome)
    assert len(case.threads) == 1


def test_thread_made_but_unconfirmed_is_adopted(outcome: Outcome) -> None:
    case = outcome.cases["thread-after"]
    _killed_mid_delivery(case)
    _posted_once(case, outcome)
    assert len(case.threads) == 1 and int(case.threads[0]["id"]) == int(case.posts[0]["id"])


def test_claim_whose_window_passed_is_recorded_as_skipped(outcome: Outcome) -> None:
    case = outcome.cases["stale"]
    assert [row["status"] for row in case.ledger] == ["skipped"], case.ledger
    assert "window passed" in (case.ledger[0]["detail"] or "")
    assert case.posts == []


def test_nothing_is_left_claimed(outcome: Outcome) -> None:
    assert outcome.claimed_after == []
    assert "Traceback" not in outcome.second_log
