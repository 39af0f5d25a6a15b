"""``/wheel schedule`` / ``unschedule`` on simcord: rotation across days, threads, ledger, restarts."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import discord

from attune.content import Content
from attune.when import ALL_DAYS
from tests.helpers import community, restart, rows, told

DAY = 24 * 3600


def prompts_in(channel: Any) -> list[discord.Message]:
    return [m for m in channel.history() if m.embeds and m.embeds[0].title.startswith("Wheel of Awareness ·")]


def segments_posted(channel: Any, content: Content) -> list[str]:
    by_name = {s.name: s.id for s in content.wheel.segments}
    return [by_name[m.embeds[0].title.removeprefix("Wheel of Awareness · ")] for m in prompts_in(channel)]


async def advance_days(env: Any, days: float) -> None:
    """Advance in day-sized steps: one ``advance_time`` call must settle within simcord's deadline."""
    while days > 0:
        await env.advance_time(min(days, 1) * DAY)
        days -= 1


async def schedule(c: Any, **options: Any) -> Any:
    options.setdefault("channel", c.general)
    return await c.facilitator.slash(c.general, "wheel schedule", **options)


async def test_only_facilitators_schedule(env) -> None:
    c = community(env)
    result = await c.alice.slash(c.general, "wheel schedule", channel=c.general, time="09:00")
    assert result.ephemeral and "Only facilitators" in told(result)
    refused = await c.alice.slash(c.general, "wheel unschedule")
    assert refused.ephemeral and "Only facilitators" in told(refused)
    assert await rows(env.bot, "SELECT * FROM wheel_schedules") == []


async def test_a_malformed_time_is_explained(env) -> None:
    c = community(env)
    for bad in ("25:00", "tea time", "9"):
        result = await schedule(c, time=bad)
        assert result.ephemeral
        assert "HH:MM" in told(result) or "hours go to 23" in told(result), told(result)
    bad_days = await schedule(c, time="09:00", days="someday")
    assert "is not a day" in told(bad_days)
    assert await rows(env.bot, "SELECT * FROM wheel_schedules") == []
    assert await env.bot.scheduler.job_ids() == ["core:heartbeat"]


async def test_a_channel_the_bot_cannot_post_in_is_named(env) -> None:
    c = community(env)
    closed = c.guild.create_text_channel(
        "closed", overwrites={c.guild.me: discord.PermissionOverwrite(create_public_threads=False)}
    )
    result = await schedule(c, channel=closed, time="09:00")
    assert result.ephemeral
    assert "**Create Public Threads**" in told(result) and closed.mention in told(result)
    assert await rows(env.bot, "SELECT * FROM wheel_schedules") == []


async def test_without_a_channel_the_wheel_channel_is_used_or_asked_for(env) -> None:
    c = community(env)
    asked = await c.facilitator.slash(c.general, "wheel schedule", time="09:00")
    assert "Which channel?" in told(asked)
    wheel = c.guild.create_text_channel("wheel")
    await c.facilitator.slash(c.general, "settings channel", purpose="wheel", channel=wheel)
    done = await c.facilitator.slash(c.general, "wheel schedule", time="09:00")
    assert wheel.mention in told(done)
    assert await rows(env.bot, "SELECT channel_id FROM wheel_schedules") == [{"channel_id": wheel.id}]


async def test_prompts_travel_around_the_wheel_day_by_day_each_with_a_thread(env, content: Content) -> None:
    c = community(env)
    done = await schedule(c, time="00:30")
    assert done.ephemeral
    text = told(done)
    assert "every day at 00:30 (UTC)" in text and "<t:1767227400:F>" in text  # 1 Jan 00:30 UTC
    assert "The hub" in text
    await env.advance_time(30 * 60 - 1)
    assert prompts_in(c.general) == []
    await env.advance_time(1)
    await advance_days(env, 5)
    assert segments_posted(c.general, content) == [
        "hub",
        "senses",
        "interoception",
        "mental",
        "relational",
        "hub",
    ]
    posts = prompts_in(c.general)
    assert [p.created_at.strftime("%d %H:%M") for p in posts] == [f"0{d} 00:30" for d in range(1, 7)]
    threads = c.general.threads
    assert len(threads) == 6
    assert {t.id for t in threads} == {p.id for p in posts}  # each post opened its own thread
    assert threads[0].name == "Reflections · The hub · Thursday 1 January"
    for post in posts:
        assert post.components[0].children[0].label == "Reflect"
    hub_prompts = [p.embeds[0].description.strip("*") for p in posts if "The hub" in p.embeds[0].title]
    assert hub_prompts == content.wheel.prompts["hub"][:2]  # in order, no repeat
    ledger = await rows(env.bot, "SELECT status FROM deliveries WHERE kind = 'wheel.prompt'")
    assert ledger == [{"status": "posted"}] * 6


async def test_days_and_the_guild_time_zone_are_respected(env, content: Content) -> None:
    c = community(env)
    await c.facilitator.slash(c.general, "settings timezone", timezone="Europe/Berlin")
    done = await schedule(c, time="07:30", days="thu,sat")
    assert "on Thursdays and Saturdays at 07:30 (Europe/Berlin)" in told(done)
    await advance_days(env, 3)  # Thu 1 Jan 00:00 UTC → Sun 4 Jan
    posted = [m.created_at.strftime("%a %d %H:%M") for m in prompts_in(c.general)]
    assert posted == ["Thu 01 06:30", "Sat 03 06:30"]  # 07:30 in Berlin (UTC+1)
    assert segments_posted(c.general, content) == ["hub", "senses"]
    plan = await env.bot.scheduler.plan("wheel.prompt", str(c.guild.id))
    upcoming = plan.recurrence.between(env.now(), env.now() + timedelta(days=7))
    assert [d.strftime("%a %H:%M") for d in upcoming] == ["Thu 06:30", "Sat 06:30"]


async def test_a_restart_neither_repeats_nor_resets_the_rotation(env, make_bot, content: Content) -> None:
    c = community(env)
    await schedule(c, time="09:00")
    await env.advance_time(10 * 3600)
    await restart(env, make_bot)
    await env.bot.scheduler.caught_up.wait()
    await env.advance_time(3600)
    assert segments_posted(c.general, content) == ["hub"]
    await advance_days(env, 1)
    await restart(env, make_bot, crash=True)
    await env.bot.scheduler.caught_up.wait()
    await advance_days(env, 1)
    assert segments_posted(c.general, content) == ["hub", "senses", "interoception"]
    assert await rows(env.bot, "SELECT COUNT(*) AS n FROM deliveries WHERE kind = 'wheel.prompt'") == [
        {"n": 3}
    ]


async def test_a_post_missed_while_down_comes_late_within_grace(env, make_bot, content: Content) -> None:
    c = community(env)
    await schedule(c, time="09:00")
    await env.advance_time(8 * 3600)
    await env.bot.close_resources(clean=False)  # down at 08:00 …
    await env.advance_time(2 * 3600)  # … back at 10:00, an hour after the post was due
    await env.restart_bot(make_bot())
    await env.bot.scheduler.caught_up.wait()
    [post] = prompts_in(c.general)
    assert any(f.name == "Posted late" and "<t:1767258000:F>" in f.value for f in post.embeds[0].fields)
    assert await rows(env.bot, "SELECT status FROM deliveries WHERE kind = 'wheel.prompt'") == [
        {"status": "late"}
    ]


async def test_a_post_missed_beyond_grace_is_skipped_and_the_rotation_does_not_jump(
    env, make_bot, content: Content
) -> None:
    c = community(env)
    await schedule(c, time="09:00")
    await env.advance_time(8 * 3600)
    await env.bot.close_resources(clean=False)
    await env.advance_time(5 * 3600)  # back at 13:00: four hours late, grace is three
    await env.restart_bot(make_bot())
    await env.bot.scheduler.caught_up.wait()
    assert prompts_in(c.general) == []
    await advance_days(env, 1)
    assert segments_posted(c.general, content) == ["hub"]  # the community still starts at the hub
    statuses = await rows(env.bot, "SELECT status FROM deliveries WHERE kind = 'wheel.prompt' ORDER BY id")
    assert statuses == [{"status": "skipped"}, {"status": "posted"}]


async def test_unschedule_stops_the_prompts(env, content: Content) -> None:
    c = community(env)
    await schedule(c, time="09:00")
    await env.advance_time(10 * 3600)
    stopped = await c.facilitator.slash(c.general, "wheel unschedule")
    assert stopped.ephemeral and "Stopped the wheel prompts" in told(stopped)
    assert "wheel.prompt:" not in " ".join(await env.bot.scheduler.job_ids())
    await advance_days(env, 2)
    assert segments_posted(c.general, content) == ["hub"]
    again = await c.facilitator.slash(c.general, "wheel unschedule")
    assert "nothing to stop" in told(again)
    await schedule(c, time="09:00")  # starting again carries on around the wheel
    await advance_days(env, 1)
    assert segments_posted(c.general, content) == ["hub", "senses"]


async def test_scheduling_again_replaces_the_schedule(env, content: Content) -> None:
    c = community(env)
    other = c.guild.create_text_channel("mornings")
    await schedule(c, time="09:00")
    replaced = await schedule(c, channel=other, time="06:00")
    assert told(replaced).startswith("Updated:")
    await env.advance_time(10 * 3600)
    assert prompts_in(c.general) == []
    assert segments_posted(other, content) == ["hub"]
    assert await rows(env.bot, "SELECT COUNT(*) AS n FROM wheel_schedules") == [{"n": 1}]


async def test_a_reflection_on_a_scheduled_prompt_goes_into_its_thread(env) -> None:
    c = community(env)
    await schedule(c, time="09:00")
    await env.advance_time(10 * 3600)
    [post] = prompts_in(c.general)
    shown = await c.bob.click(post, label="Reflect")
    await c.bob.submit_modal(shown, {"reflection": "Resting in knowing.", "visibility": ["share"]})
    [thread] = c.general.threads
    assert thread.id == post.id
    assert [m.content for m in thread.history() if "reflects:" in m.content] == [
        f"{c.bob.mention} reflects:\n>>> Resting in knowing."
    ]


async def test_losing_permission_later_tells_the_facilitators_once(env, make_bot) -> None:
    c = community(env)
    notes = c.guild.create_text_channel("facilitators")
    await c.facilitator.slash(c.general, "settings channel", purpose="facilitators", channel=notes)
    muted = c.guild.create_text_channel(
        "muted", overwrites={c.guild.me: discord.PermissionOverwrite(send_messages=False)}
    )
    # as if the permission was taken away after /wheel schedule accepted the channel
    store = env.bot.get_cog("Wheel").service.store
    await store.set_schedule(
        guild_id=c.guild.id, channel_id=muted.id, clock=time(9, 0), weekdays=ALL_DAYS, timezone="UTC"
    )
    await env.bot.scheduler.put("wheel.prompt", (await store.schedule(c.guild.id)).plan)
    await restart(env, make_bot)
    await advance_days(env, 2)
    assert prompts_in(muted) == []
    told = [m.content for m in notes.history() if "Wheel of Awareness prompt" in m.content]
    assert len(told) == 1 and "**Send Messages**" in told[0] and muted.mention in told[0]
    statuses = await rows(env.bot, "SELECT status FROM deliveries WHERE kind = 'wheel.prompt'")
    assert statuses == [{"status": "failed"}] * 2
