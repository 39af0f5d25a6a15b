"""REST faults on scheduled posts: 429 with ``retry_after``, 500, 503 and a lost response, on a sit's
closing bell and on a daily check-in's thread starter (and its thread). Each is retried and posted once.

One bot process serves every case at once: each case has its own channel (sits) or guild (check-ins),
and the fault is injected on that channel's path only, so the cases can't disturb each other. The
scenario runs once per module; each test then checks one case's promise on what the fake and the
ledger hold.

* 429: discord.py waits ``retry_after`` and tries again itself.
* 500: discord.py retries after a second.
* 503: discord.py gives up at once; the scheduler core retries 5 s later.
* lost response: Discord created the message but the answer never came back (the client sees
  ``ServerDisconnectedError``); the core retries with the occurrence's nonce and ``enforce_nonce``, and
  Discord answers with the message it already has instead of making a second one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from fakediscord import FakeDiscord, Fault
from tests.faults.harness import (
    CLOSING_BELL,
    closing_bells,
    create_database,
    ledger,
    nonces_sent,
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

#: Each case: (status, times, retry_after) for ``fake.inject``; ``None`` = the response is lost.
FAULTS: dict[str, tuple[int, int, float] | None] = {
    "429": (429, 2, 0.4),
    "500": (500, 1, 0.0),
    "503": (503, 1, 0.0),
    "lost": None,
}
#: Seconds from seeding to the closing bells. Not a budget: each fault is armed for the bell's own
#: request, so a start-up slower than this only makes the bells a catch-up at READY.
BELL_AFTER = timedelta(seconds=5)


@dataclass
class Case:
    channel_id: int
    key: int
    fault: Fault | None = None
    nonces: list[str] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    threads: list[dict[str, Any]] = field(default_factory=list)
    ledger: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Outcome:
    bells: dict[str, Case] = field(default_factory=dict)
    daily: dict[str, Case] = field(default_factory=dict)
    nonce_dedupes: int = 0
    log: str = ""


def _arm(
    fake: FakeDiscord,
    path: str,
    fault: tuple[int, int, float] | None,
    when: Callable[[Any], bool] | None = None,
) -> Fault:
    if fault is None:
        return fake.lose_response_once("POST", path, when=when)
    status, times, retry_after = fault
    return fake.inject("POST", path, status, times=times, retry_after=retry_after, when=when)


def _is_closing_bell(body: Any) -> bool:
    return isinstance(body, dict) and CLOSING_BELL in (body.get("content") or "")


async def _scenario(tmp: Path) -> Outcome:
    database = tmp / "attune.sqlite3"
    await create_database(database)
    outcome = Outcome()
    async with FakeDiscord(token="rest-faults", rate_limits=True) as fake:
        now = utcnow()
        # Closing bells, one sit per channel, due a few seconds after start-up.
        sangha = fake.add_guild("Sangha", channels=[f"bell-{name}" for name in FAULTS])
        end = now + BELL_AFTER
        for name in FAULTS:
            channel = sangha.channels[f"bell-{name}"]
            sit_id = seed_sit(
                database, guild_id=sangha.id, channel_id=channel, start=end - timedelta(minutes=1), title=name
            )
            # Armed for the bell itself (not the announcement before it), however late start-up is.
            fault = _arm(fake, f"/channels/{channel}/messages", FAULTS[name], when=_is_closing_bell)
            outcome.bells[name] = Case(channel, sit_id, fault=fault)
        # Daily threads, one guild per case, due in the minute before start-up (caught up at READY).
        seed_heartbeat(database, now - timedelta(seconds=90))
        for name in [*FAULTS, "thread-503"]:
            guild = fake.add_guild(f"Circle {name}", channels=["checkins"])
            channel = guild.channels["checkins"]
            seed_checkin_setup(
                database, guild_id=guild.id, channel_id=channel, due_by=now - timedelta(seconds=3)
            )
            case = outcome.daily[name] = Case(channel, guild.id)
            if name == "thread-503":
                case.fault = fake.inject("POST", f"/channels/{channel}/messages/*/threads", 503, times=1)
            else:
                case.fault = _arm(fake, f"/channels/{channel}/messages", FAULTS[name])

        async with running_bot(fake, database) as bot:
            wanted = [("sits.end", c.key) for c in outcome.bells.values()]
            wanted += [("checkins.daily", c.key) for c in outcome.daily.values()]
            await wait_quietly(fake, lambda: settled(database, wanted), timeout=45)
            await stop_and_drain(fake, bot)  # count once nothing the bot sent can still land
            for case in outcome.bells.values():
                case.posts = closing_bells(fake, case.channel_id)
                case.ledger = ledger(database, "sits.end", case.key)
                case.nonces = nonces_sent(fake, case.channel_id)
            for case in outcome.daily.values():
                case.posts = starters(fake, case.channel_id)
                case.threads = threads_in(fake, case.channel_id)
                case.ledger = ledger(database, "checkins.daily", case.key)
                case.nonces = nonces_sent(fake, case.channel_id)
            outcome.nonce_dedupes = fake.nonce_dedupes
            outcome.log = bot.log
    return outcome


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    return asyncio.run(_scenario(tmp_path_factory.mktemp("rest")))


def _posted_once(case: Case, outcome: Outcome, what: str) -> None:
    assert case.fault is not None and case.fault.hits >= 1, f"the fault never hit the {what}"
    assert len(case.posts) == 1, f"{len(case.posts)} {what}s posted:\n{outcome.log}"
    assert [row["status"] for row in case.ledger] == ["posted"], case.ledger


@pytest.mark.parametrize("name", ["429", "500", "503"])
def test_sit_bell_retried_and_posted_once(outcome: Outcome, name: str) -> None:
    case = outcome.bells[name]
    _posted_once(case, outcome, "closing bell")
    assert case.fault is not None and case.fault.hits == FAULTS[name][1]  # type: ignore[index]


@pytest.mark.parametrize("name", ["429", "500", "503"])
def test_daily_starter_retried_and_posted_once(outcome: Outcome, name: str) -> None:
    case = outcome.daily[name]
    _posted_once(case, outcome, "thread starter")
    assert len(case.threads) == 1, case.threads


def test_daily_thread_creation_retried_from_the_same_starter(outcome: Outcome) -> None:
    case = outcome.daily["thread-503"]
    _posted_once(case, outcome, "thread starter")
    assert len(case.threads) == 1 and int(case.threads[0]["id"]) == int(case.posts[0]["id"])


def _occurrence_nonce(case: Case) -> str:
    """The nonce the core gives this occurrence: one per ledger row, the same on every retry."""
    return f"attune{case.ledger[0]['id']}"


def test_bell_after_a_lost_response_is_not_duplicated(outcome: Outcome) -> None:
    case = outcome.bells["lost"]
    _posted_once(case, outcome, "closing bell")
    # The retry carried the same nonce, and Discord (the fake) answered it with the first message.
    assert case.nonces.count(_occurrence_nonce(case)) == 2, case.nonces
    assert outcome.nonce_dedupes >= 2


def test_starter_after_a_lost_response_is_not_duplicated(outcome: Outcome) -> None:
    case = outcome.daily["lost"]
    _posted_once(case, outcome, "thread starter")
    assert len(case.threads) == 1
    assert case.nonces.count(_occurrence_nonce(case)) == 2, case.nonces
    assert outcome.nonce_dedupes >= 2


def test_every_scheduled_post_carries_its_occurrence_nonce(outcome: Outcome) -> None:
    for case in [*outcome.bells.values(), *outcome.daily.values()]:
        assert case.ledger, f"nothing delivered in channel {case.channel_id}"
        assert _occurrence_nonce(case) in case.nonces, (case.nonces, case.ledger)
