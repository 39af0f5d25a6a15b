"""``python bot.py migrate-to``: a community's SQLite database, filled by real use, moves into an
empty PostgreSQL database in one transaction; the bot on PostgreSQL then shows members the same
history, and a non-empty target is refused untouched."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from attune.config import Settings
from attune.errors import DatabaseError
from attune.moving import migrate_to
from tests.cogs.checkins.sim import HOUR, check_in, set_up_daily
from tests.helpers import bot_factory, community, rows


async def use_every_feature(env: Any) -> Any:
    c = community(env)
    zendo = c.guild.create_voice_channel("Zendo")
    await set_up_daily(c, time="09:00")
    await c.facilitator.slash(
        c.general, "sit schedule", title="Morning sit", when="10:30", voice_channel=zendo
    )
    [sit] = await rows(env.bot, "SELECT * FROM sits")
    announcement = next(m for m in c.general.history() if m.id == sit["announcement_id"])
    await c.alice.click(announcement, label="Going")
    await c.alice.slash(c.general, "checkin remind", time="09:30")
    await env.advance_time(9 * HOUR + 35 * 60)
    await check_in(c.alice, c.general, note="a quiet morning")
    await check_in(c.alice, c.general, share=True, note="said in the thread")
    await c.alice.slash(c.general, "sit log", minutes=10, note="by the river")
    prompt = (await c.facilitator.slash(c.general, "wheel prompt", segment="hub")).response
    shown = await c.alice.click(prompt, label="Reflect")
    await c.alice.submit_modal(shown, {"reflection": "the hub felt wide", "visibility": ["share"]})
    await c.alice.slash(
        c.general, "episode share", url="https://pod.example/ep", insight="slowness is a gift", title="Ep 1"
    )
    await env.advance_time(56 * 60)
    await c.alice.join_voice(zendo)
    await env.advance_time(25 * 60)
    await c.alice.leave_voice()
    return c


async def export_of(actor: Any, channel: Any) -> dict[str, Any]:
    result = await actor.slash(channel, "privacy export")
    message = result.followups[0] if result.followups else result.response
    data = json.loads(await message.attachments[0].read())
    data.pop("exported_at", None)
    return data


def sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as raw:
        names = [
            r[0]
            for r in raw.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: raw.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in names}  # noqa: S608


async def test_a_used_database_moves_to_postgresql_and_members_keep_their_history(
    env, db_path: Path, content, pg_server
) -> None:
    c = await use_every_feature(env)
    before = await export_of(c.alice, c.general)
    await env.bot.close_resources()
    url = await pg_server.fresh(migrated=False)
    try:
        said: list[str] = []
        copied = await migrate_to(db_path, url, said.append)
        counts = sqlite_counts(db_path)
        assert copied.rows == counts and copied.total > 20
        assert all(n > 0 for t, n in counts.items() if t in ("checkins", "sits", "deliveries", "meta"))
        assert f"copied checkins: {counts['checkins']} rows" in said

        on_postgresql = bot_factory(
            Settings(token="t", database=url, content_dir=env.bot.settings.content_dir, shard_count=1),
            content,
        )
        bot = on_postgresql()
        await env.restart_bot(bot)
        assert await export_of(c.alice, c.general) == before
        # New rows get fresh ids after the copied ones (the identity sequences moved past them).
        await c.alice.slash(c.general, "sit log", minutes=5)
        ids = [r["id"] for r in await rows(bot, "SELECT id FROM sit_logs ORDER BY id")]
        assert len(ids) == 2 and ids[1] > ids[0]
        await bot.close_resources()

        # The target is no longer empty: a second copy is refused and changes nothing.
        with pytest.raises(DatabaseError, match="not empty"):
            await migrate_to(db_path, url, said.append)
        conn = await asyncpg.connect(url)
        try:
            assert await conn.fetchval("SELECT count(*) FROM sit_logs") == 2
        finally:
            await conn.close()
    finally:
        await pg_server.drop(url)
