"""Attendance from voice states: half the sit in its voice channel counts; join times survive restarts;
voice activity away from sits is not recorded."""

from __future__ import annotations

import pytest

from tests.cogs.sits.sim import bot_posts, sangha, schedule
from tests.helpers import restart, rows

pytestmark = pytest.mark.both_backends


async def attended(bot) -> dict[int, int]:  # type: ignore[no-untyped-def]
    return {
        r["user_id"]: r["minutes"] for r in await rows(bot, "SELECT user_id, minutes FROM sit_attendance")
    }


async def test_at_least_half_the_sit_counts_less_does_not(env) -> None:
    c, zendo = await sangha(env)
    await schedule(c, voice_channel=zendo, reminder=0)  # 00:30–00:50
    await env.advance_time(31 * 60)
    await c.alice.join_voice(zendo)  # 00:31
    await c.bob.join_voice(zendo)
    await env.advance_time(5 * 60)
    await c.bob.set_voice(self_mute=True)  # muting is not leaving
    await env.advance_time(3 * 60)
    await c.bob.leave_voice()  # 00:39: 8 minutes
    await env.advance_time(6 * 60)
    await c.bob.join_voice(zendo)  # 00:45 .. 00:50: 13 minutes in all
    await env.advance_time(5 * 60)
    assert await attended(env.bot) == {c.alice.id: 19, c.bob.id: 13}
    await c.facilitator.join_voice(zendo)  # after the end: nothing more
    await env.advance_time(10 * 60)
    assert len(await attended(env.bot)) == 2
    assert "**2 people sat together.**" in bot_posts(c.general)[-1].content


async def test_a_short_visit_is_not_attendance(env) -> None:
    c, zendo = await sangha(env)
    await schedule(c, voice_channel=zendo, reminder=0)
    await env.advance_time(32 * 60)
    await c.alice.join_voice(zendo)
    await env.advance_time(9 * 60)
    await c.alice.leave_voice()  # 9 of 20 minutes
    await env.advance_time(10 * 60)
    assert await attended(env.bot) == {}
    assert "No one was counted yet" in bot_posts(c.general)[-1].content


async def test_join_times_survive_a_crash_mid_sit(env, make_bot) -> None:
    c, zendo = await sangha(env)
    await schedule(c, voice_channel=zendo, reminder=0)
    await env.advance_time(31 * 60)
    await c.alice.join_voice(zendo)
    await c.bob.join_voice(zendo)
    await env.advance_time(2 * 60)
    await env.bot.close_resources(clean=False)  # the process dies at 00:33 ...
    await c.bob.leave_voice()  # ... Bob leaves while it is down ...
    await env.advance_time(3 * 60)
    await env.restart_bot(make_bot())  # ... and it is back at 00:36
    await env.advance_time(15 * 60)
    assert await attended(env.bot) == {c.alice.id: 19}  # Bob's 5 minutes (until noticed) are too few
    sessions = await rows(
        env.bot, "SELECT user_id, joined_at, left_at FROM sit_voice_sessions ORDER BY user_id"
    )
    assert sessions[0]["joined_at"] == "2026-01-01T00:31:00+00:00"
    assert sessions[1]["left_at"] == "2026-01-01T00:36:00+00:00"


async def test_members_already_there_are_counted_from_the_opening_bell(env, make_bot) -> None:
    c, zendo = await sangha(env)
    await schedule(c, voice_channel=zendo, reminder=0, when="02:00")  # 02:00–02:20
    await c.alice.join_voice(zendo)  # 00:00: two hours early, not recorded
    assert await rows(env.bot, "SELECT id FROM sit_voice_sessions") == []
    await restart(env, make_bot)
    await env.advance_time(2 * 3600)
    opened = await rows(env.bot, "SELECT user_id, joined_at FROM sit_voice_sessions")
    assert opened == [{"user_id": c.alice.id, "joined_at": "2026-01-01T02:00:00+00:00"}]
    await env.advance_time(20 * 60)
    assert await attended(env.bot) == {c.alice.id: 20}


async def test_voice_channels_without_sits_are_not_watched(env) -> None:
    c, zendo = await sangha(env)
    lounge = c.guild.create_voice_channel("Lounge")
    await schedule(c, voice_channel=zendo, reminder=0)
    await env.advance_time(30 * 60)
    await c.alice.join_voice(lounge)
    await env.advance_time(25 * 60)
    assert await rows(env.bot, "SELECT id FROM sit_voice_sessions") == []
    assert await attended(env.bot) == {}
