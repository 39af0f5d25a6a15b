"""The delivery ledger holds no raw user id (DM reminders are keyed by a keyed hash) and is pruned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from attune import ledger
from attune.db import Database
from cogs.checkins import reminders
from tests.cogs.checkins.steps import HOUR
from tests.helpers import community, rows

pytestmark = pytest.mark.both_backends

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def test_member_keys_are_stable_distinct_and_reveal_nothing_without_the_secret() -> None:
    secret = bytes(range(32))
    key = ledger.member_key(secret, 1456074443980800015)
    assert key == ledger.member_key(secret, 1456074443980800015)
    assert key != ledger.member_key(secret, 1456074443980800016)
    assert key != ledger.member_key(b"another secret", 1456074443980800015)
    assert "1456074443980800015" not in key


async def test_the_secret_is_made_once_per_database(db: Database) -> None:
    first = await ledger.load_secret(db)
    assert len(first) == 32 and await ledger.load_secret(db) == first


async def test_old_finished_rows_are_pruned_and_open_or_recent_ones_kept(db: Database) -> None:
    def row(key: str, status: str, age: timedelta) -> tuple[str, str, str, str, str]:
        at = (NOW - age).isoformat()
        return ("k", key, at, status, at)

    await db.executemany(
        "INSERT INTO deliveries (kind, key, occurrence, status, claimed_at) VALUES (?, ?, ?, ?, ?)",
        [
            row("old", "posted", timedelta(days=40)),
            row("old-claimed", "claimed", timedelta(days=40)),
            row("recent", "posted", timedelta(days=3)),
        ],
    )
    assert await ledger.prune(db, NOW) == 1
    assert {r[0] for r in await db.fetchall("SELECT key FROM deliveries")} == {"old-claimed", "recent"}


async def test_a_dm_reminder_is_recorded_without_the_members_id(env) -> None:
    c = community(env)
    await c.alice.slash(c.general, "checkin remind", time="20:00")
    await env.advance_time(20 * HOUR + 60)
    [run] = await rows(env.bot, "SELECT key, detail FROM deliveries WHERE kind = ?", (reminders.KIND,))
    assert run["detail"] == "reminded"
    assert str(c.alice.id) not in run["key"] and run["key"].startswith("m:")
