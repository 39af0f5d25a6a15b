"""Load: 300 members check in to one guild within a few seconds, through the real flow, half of them
sharing. All 300 are stored; every shared line is posted in the day's thread, in the order the
members submitted, while the fake enforces rate limits (and throws in a few 429s of its own).

The flow is the one members use: **Check in** on the day's starter → a zone → a quadrant → a word →
the note modal. The first four steps are taken for everyone beforehand; the modal submissions — the
step that saves and shares — then arrive as one burst of 300 over about two seconds.

The per-channel message bucket is Discord's five requests, over an eighth of a second instead of five
seconds, so 150 shares take seconds rather than minutes; discord.py must still wait out every 429.
"""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path

import pytest

from attune.config import DEFAULT_CONTENT_DIR
from attune.content import QUADRANTS, load_content
from cogs.checkins.in_order import InOrder, Turn
from fakediscord import FakeDiscord, InteractionHandle
from tests.faults.harness import (
    create_database,
    query,
    running_bot,
    seed_checkin_setup,
    seed_heartbeat,
    starters,
    threads_in,
    utcnow,
)

pytestmark = pytest.mark.e2e

MEMBERS = 300
BURST_SECONDS = 2.0
PREPARING_AT_ONCE = 100
LINE = re.compile(r"line (\d{3})")


def _choice(index: int, words: dict[str, list[str]]) -> tuple[str, str, str]:
    zone = ("within", "chaos", "rigidity")[index % 3]
    quadrant = QUADRANTS[index % 4]
    return zone, quadrant, words[quadrant][index % len(words[quadrant])]


async def _open_modal(
    fake: FakeDiscord, starter_id: int, user_id: int, zone: str, quadrant: str, word: str
) -> InteractionHandle:
    """Check in → zone → quadrant → word: the steps before the modal, each answered in time."""
    start = await fake.click_button(starter_id, "checkin:start", user_id)
    assert (await start.wait_response(timeout=15)).accepted
    panel = start.original_message_id
    assert panel is not None
    for step in (
        fake.click_button(panel, f"checkin:zone:{zone}", user_id),
        fake.select(panel, f"checkin:quad:{zone}", [quadrant], user_id),
        fake.select(panel, f"checkin:word:{zone}:{quadrant}", [word], user_id),
    ):
        handle = await step
        answer = await handle.wait_response(timeout=15)
        assert answer.accepted, answer.error
    assert handle.modal is not None and handle.modal["custom_id"] == f"checkin:note:{zone}:{word}"
    return handle


def _shared_lines(fake: FakeDiscord, thread_id: int) -> list[int]:
    found = []
    for message in fake.messages(thread_id):
        for embed in message.get("embeds") or []:
            match = LINE.search(embed.get("description") or "")
            if match:
                found.append(int(match[1]))
    return found


async def test_300_check_ins_in_a_burst_all_stored_and_shared_in_order(tmp_path: Path) -> None:
    content = load_content(DEFAULT_CONTENT_DIR)
    words = {q: [w.word for w in content.emotions.in_quadrant(q)] for q in QUADRANTS}
    database = tmp_path / "attune.sqlite3"
    await create_database(database)
    limits = {"POST /channels/{channel_id}/messages": (5, 0.125)}
    async with FakeDiscord(token="load-faults", rate_limits=True, route_limits=limits) as fake:
        guild = fake.add_guild("Sangha", channels=["checkins"])
        channel = guild.channels["checkins"]
        now = utcnow()
        seed_heartbeat(database, now - timedelta(seconds=90))
        seed_checkin_setup(database, guild_id=guild.id, channel_id=channel, due_by=now - timedelta(seconds=3))
        members = [fake.add_member(guild.id, f"member{index:03d}") for index in range(MEMBERS)]

        async with running_bot(fake, database) as bot:
            await fake.wait_for(lambda: threads_in(fake, channel), timeout=20)
            starter_id = int(starters(fake, channel)[0]["id"])
            thread_id = int(threads_in(fake, channel)[0]["id"])

            gate = asyncio.Semaphore(PREPARING_AT_ONCE)

            async def prepare(index: int) -> InteractionHandle:
                async with gate:
                    return await _open_modal(fake, starter_id, members[index], *_choice(index, words))

            modals = await asyncio.gather(*(prepare(index) for index in range(MEMBERS)))

            # Discord itself also answers a few shares with 429 (on top of the bucket's own).
            injected = fake.inject("POST", f"/channels/{thread_id}/messages", 429, times=3, retry_after=0.3)
            shared: list[int] = []
            submits: list[InteractionHandle] = []
            for index, modal in enumerate(modals):
                sharing = index % 2 == 0
                if sharing:
                    shared.append(index)
                custom_id = modal.modal["custom_id"]  # type: ignore[index]
                fake.modals[custom_id] = modal  # the modal this member was shown
                submits.append(
                    await fake.submit_modal(
                        custom_id,
                        {"note": f"line {index:03d}", "visibility": ["shared" if sharing else "private"]},
                        user_id=members[index],
                    )
                )
                await asyncio.sleep(BURST_SECONDS / MEMBERS)

            answers = await asyncio.gather(*(handle.wait_response(timeout=30) for handle in submits))
            late = [a.error for a in answers if not a.accepted]
            stored = lambda: query(database, "SELECT COUNT(*) AS n FROM checkins")[0]["n"]  # noqa: E731
            await fake.wait_for(lambda: stored() >= MEMBERS, timeout=60)
            await fake.wait_for(lambda: len(_shared_lines(fake, thread_id)) >= len(shared), timeout=60)
            rows = query(database, "SELECT user_id, visibility, note FROM checkins ORDER BY id")
            lines = _shared_lines(fake, thread_id)
            limited = fake.rate_limited_count
            log = bot.log

    assert late == [], f"{len(late)} submissions were not acknowledged in time"
    assert len(rows) == MEMBERS and {row["user_id"] for row in rows} == set(members)
    assert sum(row["visibility"] == "shared" for row in rows) == len(shared)
    assert sorted(lines) == shared, "a shared line is missing or posted twice"
    assert lines == shared, f"shared lines out of order: {lines}"
    assert injected.hits == 3  # discord.py waited out Discord's 429s and posted those lines after all
    assert limited == 0, "the bot outran the channel's bucket instead of pacing itself"
    assert "Traceback" not in log


async def test_an_abandoned_turn_lets_nobody_overtake() -> None:
    """The ordering under the test above: a share given up half-way (its member's interaction failed)
    neither blocks the line nor lets a later share overtake an earlier one still posting."""
    line = InOrder()
    first, second, third = line.take(1), line.take(1), line.take(1)
    order: list[str] = []
    first_may_post = asyncio.Event()

    async def post(turn: Turn, name: str, ready: asyncio.Event | None = None) -> None:
        async with turn:
            if ready is not None:
                await ready.wait()
            order.append(name)

    posting = [asyncio.create_task(post(first, "first", first_may_post))]
    abandoned = asyncio.create_task(post(second, "second"))
    posting.append(asyncio.create_task(post(third, "third")))
    await asyncio.sleep(0.01)
    abandoned.cancel()
    second.release()  # what the flow's ``finally`` does for a share that never got to post
    await asyncio.sleep(0.01)
    assert order == []  # the third still waits for the first
    first_may_post.set()
    await asyncio.wait_for(asyncio.gather(*posting), timeout=5)
    assert order == ["first", "third"] and len(line) == 0
