"""`/sit schedule` on simcord: the announcement, the native event, and every bad input refused cleanly."""

from __future__ import annotations

import discord
import pytest
from simcord import OptionError

from tests.cogs.sits.sim import (
    announcement,
    bot_posts,
    deny_bot,
    events,
    field,
    only_sit,
    pings,
    sangha,
    schedule,
)
from tests.helpers import rows, told


async def test_schedule_posts_an_announcement_and_creates_the_native_event(env) -> None:
    c, zendo = await sangha(env)
    await c.facilitator.slash(c.general, "settings timezone", timezone="Europe/Berlin")
    result = await schedule(c, title="Evening sit", when="tue,thu 19:00", voice_channel=zendo, duration=30)
    assert result.ephemeral
    reply = told(result)
    assert "every Tuesday and Thursday, 30 minutes" in reply
    assert "<t:1767290400:F>" in reply  # today (Thursday) 19:00 Berlin = 18:00 UTC

    sit = await only_sit(env.bot)
    assert (sit["repeat"], sit["weekdays"], sit["zone"], sit["duration_min"]) == (
        "weekly",
        "1,3",
        "Europe/Berlin",
        30,
    )
    message = announcement(c.general, sit)
    embed = message.embeds[0]
    assert embed.title == "Evening sit"
    assert "<t:1767290400:F>" in embed.description and "<t:1767290400:R>" in embed.description
    assert field(message, "Duration") == "30 minutes"
    assert field(message, "Host") == f"<@{c.facilitator.id}>"
    assert field(message, "Where") == f"<#{zendo.id}>"
    # The pattern in words, the time as a Discord timestamp each member sees in their own zone.
    assert field(message, "When") == "Every Tuesday and Thursday at <t:1767290400:t> · next <t:1767290400:R>"
    assert "Going **0**" in field(message, "Who's coming")
    labels = [child.label for row in message.components for child in row.children]
    assert labels == ["Going", "Maybe", "Can't", "Add to calendar"]
    assert message.content == "" and message.mentions == []

    (event,) = events(env, c.guild)
    assert event.id == sit["event_id"]
    assert sit["event_at"] == "2026-01-01T18:00:00+00:00"
    assert (event.name, event.entity_type, event.channel_id) == ("Evening sit", 2, zendo.id)  # 2 = voice
    assert event.scheduled_start_time.startswith("2026-01-01T18:00:00")
    assert event.scheduled_end_time.startswith("2026-01-01T18:30:00")
    assert (await env.bot.scheduler.job_ids()).count("sits:1") == 1


async def test_without_a_voice_channel_the_event_is_external_with_a_location(env) -> None:
    c, _ = await sangha(env)
    await schedule(c, when="2026-01-05 07:00", duration=15)
    (event,) = events(env, c.guild)
    assert event.entity_type == 3  # external
    assert event.entity_metadata == {"location": f"Discord · #general ({c.guild.name})"}
    assert event.scheduled_end_time.startswith("2026-01-05T07:15:00")


async def test_the_announcement_goes_to_the_sits_channel_or_the_chosen_one(env) -> None:
    c, _ = await sangha(env)
    sits = c.guild.create_text_channel("sits")
    await c.facilitator.slash(c.general, "settings channel", purpose="sits", channel=sits)
    await schedule(c)
    assert (await only_sit(env.bot))["channel_id"] == sits.id
    other = c.guild.create_text_channel("other")
    await schedule(c, title="Other", channel=other)
    assert [m.embeds[0].title for m in other.history()] == ["Other"]


async def test_without_manage_events_the_sit_works_and_facilitators_are_told_once(env) -> None:
    c, zendo = await sangha(env)
    notices = c.guild.create_text_channel("facilitators")
    await c.facilitator.slash(c.general, "settings channel", purpose="facilitators", channel=notices)
    deny_bot(env, c.guild, "manage_events", "create_events")
    first = await schedule(c, voice_channel=zendo)
    assert "missing the **Manage Events** permission" in told(first)
    assert events(env, c.guild) == []
    sit = await only_sit(env.bot)
    assert sit["announcement_id"] is not None and sit["event_id"] is None
    await schedule(c, title="Morning sit", when="07:00")
    (notice,) = bot_posts(notices)
    assert "**Manage Events**" in notice.content and "Sits still work" in notice.content


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"when": "whenever"}, "For `when`, try"),
        ({"when": "2025-06-01 19:00"}, "in the past"),
        ({"timezone": "Moon/Base"}, "not a time zone I know"),
        ({"when": "mon,wed 19:00", "repeat": "daily"}, "Use `repeat: weekly`"),
    ],
)
async def test_bad_input_is_answered_privately_and_nothing_is_created(env, options, says) -> None:
    c, _ = await sangha(env)
    result = await schedule(c, **options)
    assert result.ephemeral
    assert says in told(result)
    assert await rows(env.bot, "SELECT id FROM sits") == []
    assert c.general.history() == []
    assert events(env, c.guild) == []
    assert await env.bot.scheduler.job_ids() == ["core:heartbeat"]


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"duration": 0}, "must be ≥ 1"),
        ({"duration": 300}, "must be ≤ 240"),
        ({"reminder": -1}, "must be ≥ 0"),
        ({"reminder": 5000}, "must be ≤ 1440"),
        ({"title": "a" * 101}, "at most 100 characters"),
    ],
)
async def test_out_of_range_numbers_and_long_titles_are_stopped_by_discord(env, options, says) -> None:
    """The registered options carry min/max and max_length, so Discord refuses before the bot sees it."""
    c, _ = await sangha(env)
    with pytest.raises(OptionError, match=says):
        await schedule(c, **options)
    assert await rows(env.bot, "SELECT id FROM sits") == []


async def test_members_who_are_not_facilitators_cannot_schedule(env) -> None:
    c, _ = await sangha(env)
    result = await c.alice.slash(c.general, "sit schedule", title="Mine", when="19:00")
    assert result.ephemeral
    assert "Only facilitators" in told(result)
    assert await rows(env.bot, "SELECT id FROM sits") == []


async def test_a_channel_the_bot_cannot_post_in_is_named_with_the_permission(env) -> None:
    c, _ = await sangha(env)
    closed = c.guild.create_text_channel(
        "closed", overwrites={c.guild.me: discord.PermissionOverwrite(send_messages=False)}
    )
    result = await schedule(c, channel=closed)
    assert result.ephemeral
    assert "**Send Messages**" in told(result) and closed.mention in told(result)
    assert await rows(env.bot, "SELECT id FROM sits") == []


async def test_a_failed_announcement_leaves_nothing_half_created(env) -> None:
    c, _ = await sangha(env)
    env.inject_error("POST", f"/channels/{c.general.id}/messages", status=403, message="Missing Access")
    result = await schedule(c)
    assert "nothing was scheduled" in told(result)
    assert await rows(env.bot, "SELECT id FROM sits") == []
    assert events(env, c.guild) == []
    assert await env.bot.scheduler.job_ids() == ["core:heartbeat"]


async def test_only_voice_or_stage_channels_are_offered_for_voice_channel(env) -> None:
    c, _ = await sangha(env)
    stage = c.guild.create_stage_channel("Stage")
    await schedule(c, voice_channel=stage)
    (event,) = events(env, c.guild)
    assert event.entity_type == 1  # stage instance
    with pytest.raises(OptionError) as refused:  # Discord itself refuses a text channel here
        await schedule(c, title="Wrong", voice_channel=c.general)
    assert (refused.value.code, refused.value.option) == ("option-channel-type", "voice_channel")
    assert len(await rows(env.bot, "SELECT id FROM sits")) == 1


async def test_titles_never_ping_and_stay_plain_text(env) -> None:
    c, zendo = await sangha(env)
    await schedule(c, title=f"@everyone sit with {c.bob.mention} **now**", voice_channel=zendo, when="00:20")
    sit = await only_sit(env.bot)
    assert sit["title"] == f"@everyone sit with {c.bob.mention} **now**"
    await c.alice.click(announcement(c.general, sit), label="Going")
    await env.advance_time(25 * 60)  # reminder at 00:05, opening bell at 00:20
    posts = bot_posts(c.general)
    assert len(posts) == 2
    for post in posts:
        assert not post.mention_everyone
        assert c.bob.id not in [u.id for u in post.mentions]
        assert c.bob.id not in pings(env, post)
    reminder = posts[0]
    assert pings(env, reminder) == [c.alice.id]


async def test_the_bots_schedule_for_a_berlin_series_follows_daylight_saving(env) -> None:
    from datetime import UTC, datetime

    c, _ = await sangha(env)
    await c.facilitator.slash(c.general, "settings timezone", timezone="Europe/Berlin")
    await schedule(c, when="sat 19:00", repeat="weekly", reminder=10)
    bells = (await env.bot.scheduler.plan("sits.start", "1")).recurrence
    reminders = (await env.bot.scheduler.plan("sits.reminder", "1")).recurrence
    march = datetime(2026, 3, 20, tzinfo=UTC)
    assert bells.next_after(march) == datetime(2026, 3, 21, 18, 0, tzinfo=UTC)  # CET
    assert bells.next_after(datetime(2026, 3, 22, tzinfo=UTC)) == datetime(2026, 3, 28, 18, 0, tzinfo=UTC)
    assert bells.next_after(datetime(2026, 3, 29, tzinfo=UTC)) == datetime(
        2026, 4, 4, 17, 0, tzinfo=UTC
    )  # CEST
    assert reminders.next_after(datetime(2026, 3, 29, tzinfo=UTC)) == datetime(2026, 4, 4, 16, 50, tzinfo=UTC)
    assert await env.bot.scheduler.next_run("sits.start", "1") == datetime(2026, 1, 3, 18, 0, tzinfo=UTC)
