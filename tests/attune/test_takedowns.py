"""Take-downs after a privacy delete are durable: queued with the delete, done after a crash, retried."""

from __future__ import annotations

import pytest

from tests.cogs.checkins.steps import HOUR, check_in, cog, set_up_daily
from tests.helpers import community, restart, rows

pytestmark = pytest.mark.both_backends


async def shared_check_in(env, c):
    await set_up_daily(c, time="09:00")
    await env.advance_time(9 * HOUR + 120)
    [thread] = c.general.threads
    await check_in(c.alice, c.general, share=True, note="take me down")
    [post] = [m for m in thread.history() if m.embeds]
    return thread, post


async def test_a_crash_right_after_the_delete_still_takes_the_post_down(env, make_bot) -> None:
    c = community(env)
    thread, post = await shared_check_in(env, c)
    # The rows go and the take-down is queued in one transaction; then the process dies before
    # anything reaches Discord.
    await cog(env).service.delete(c.alice.id)
    assert [m.id for m in thread.history() if m.embeds] == [post.id]
    assert len(await rows(env.bot, "SELECT * FROM post_takedowns")) == 1
    await restart(env, make_bot, crash=True)
    await env.bot.takedowns.idle()
    assert [m for m in thread.history() if m.embeds] == []
    assert await rows(env.bot, "SELECT * FROM post_takedowns") == []


async def test_a_refused_take_down_is_retried_until_done(env) -> None:
    c = community(env)
    thread, post = await shared_check_in(env, c)
    env.inject_error("DELETE", f"/channels/{thread.id}/messages/*", status=503, times=2)
    asked = await c.alice.slash(c.general, "privacy delete")
    await c.alice.click(asked.response, label="Yes, delete everything")
    await env.advance_time(10)
    [queued] = await rows(env.bot, "SELECT attempts, detail FROM post_takedowns")
    assert queued["attempts"] >= 1 and "503" in queued["detail"]
    assert [m.id for m in thread.history() if m.embeds] == [post.id]
    await env.advance_time(10 * 60)
    await env.bot.takedowns.idle()
    assert [m for m in thread.history() if m.embeds] == []
    assert await rows(env.bot, "SELECT * FROM post_takedowns") == []
