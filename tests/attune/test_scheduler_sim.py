"""The scheduler core inside the real bot on simcord: virtual time fires jobs; restarts don't repeat."""

from __future__ import annotations

import pytest

from tests.attune import schedule_probe
from tests.helpers import bot_factory, restart, rows

pytestmark = pytest.mark.both_backends

EXTENSIONS = ("cogs.settings", "tests.attune.schedule_probe")


@pytest.fixture
def make_bot(settings, content):
    return bot_factory(settings, content, EXTENSIONS)


async def probe_in(env, make_bot):
    """A guild whose #ticks channel the probe posts in, its schedule put as a command would; restarts
    the bot so the probe reads its channel."""
    guild = env.create_guild()
    channel = guild.create_text_channel("ticks")
    await env.bot.db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)", (schedule_probe.PROBE_KEY, str(channel.id))
    )
    await env.bot.scheduler.put(schedule_probe.KIND, schedule_probe.plan())
    await restart(env, make_bot)
    return channel


def ticks(channel) -> list[str]:
    return [m.content for m in channel.history() if m.content.startswith("tick")]


async def test_jobs_fire_in_virtual_time_and_never_twice_across_restarts(env, make_bot) -> None:
    channel = await probe_in(env, make_bot)
    # 2026-01-01 00:00 UTC; the tick is at 09:00 Berlin = 08:00 UTC.
    await env.advance_time(8 * 3600 - 1)
    assert ticks(channel) == []
    await env.advance_time(2)
    assert ticks(channel) == ["tick 2026-01-01 08:00"]
    await restart(env, make_bot)
    await env.advance_time(60)
    assert ticks(channel) == ["tick 2026-01-01 08:00"]
    await env.advance_time(24 * 3600)
    assert ticks(channel) == ["tick 2026-01-01 08:00", "tick 2026-01-02 08:00"]
    statuses = await rows(env.bot, "SELECT status FROM deliveries WHERE kind = 'probe.tick'")
    assert statuses == [{"status": "posted"}, {"status": "posted"}]


async def test_missed_while_down_is_posted_late_inside_grace(env, make_bot) -> None:
    channel = await probe_in(env, make_bot)
    await env.advance_time(7 * 3600)
    await env.bot.close_resources(clean=False)  # the process dies at 07:00 UTC
    await env.advance_time(3600 + 10 * 60)  # ... and is down until 08:10 (tick was at 08:00)
    bot = make_bot()
    await env.restart_bot(bot)
    await env.bot.scheduler.caught_up.wait()
    assert ticks(channel) == ["tick 2026-01-01 08:00 (late)"]
    assert await rows(bot, "SELECT status FROM deliveries") == [{"status": "late"}]


async def test_missed_beyond_grace_is_recorded_as_skipped(env, make_bot) -> None:
    channel = await probe_in(env, make_bot)
    await env.advance_time(7 * 3600)
    await env.bot.close_resources(clean=False)
    await env.advance_time(2 * 3600)  # back at 09:00 UTC: an hour after the tick, grace is 30 min
    bot = make_bot()
    await env.restart_bot(bot)
    await env.bot.scheduler.caught_up.wait()
    assert ticks(channel) == []
    assert await rows(bot, "SELECT status, detail FROM deliveries") == [
        {"status": "skipped", "detail": "missed its window"}
    ]


async def test_a_failed_post_is_retried_and_posted_once(env, make_bot) -> None:
    channel = await probe_in(env, make_bot)
    env.inject_error("POST", f"/channels/{channel.id}/messages", status=503, times=2)
    await env.advance_time(8 * 3600 + 1)
    await env.advance_time(120)
    assert ticks(channel) == ["tick 2026-01-01 08:00"]
    assert await rows(env.bot, "SELECT status, attempts FROM deliveries") == [
        {"status": "posted", "attempts": 3}
    ]


async def test_a_wake_up_that_fails_is_tried_again_and_nothing_is_lost(env, make_bot) -> None:
    channel = await probe_in(env, make_bot)
    await env.bot.db.execute("INSERT INTO meta (key, value) VALUES (?, '1')", (schedule_probe.BROKEN_KEY,))
    await env.advance_time(8 * 3600 + 1)  # 08:00 UTC: the wake-up can't read the plans
    assert ticks(channel) == []
    await env.bot.db.execute("DELETE FROM meta WHERE key = ?", (schedule_probe.BROKEN_KEY,))
    await env.advance_time(60)
    assert ticks(channel) == ["tick 2026-01-01 08:00"]
    assert await rows(env.bot, "SELECT status FROM deliveries") == [{"status": "posted"}]
