"""`/sit edit` and `/sit cancel`: the announcement, the native event, the schedules and the Going
members all follow; `sit` autocompletes over the guild's sits."""

from __future__ import annotations

import pytest
from icalendar import Calendar
from simcord import OptionError

from tests.cogs.sits.sim import (
    announcement,
    bot_posts,
    deny_bot_in,
    events,
    field,
    only_sit,
    pings,
    sangha,
    schedule,
)
from tests.helpers import refused, rows, told

pytestmark = pytest.mark.both_backends


async def going_and_maybe(env, c):  # type: ignore[no-untyped-def]
    sit = await only_sit(env.bot)
    await c.alice.click(announcement(c.general, sit), label="Going")
    await c.bob.click(announcement(c.general, sit), label="Maybe")
    return sit


async def test_sit_options_autocomplete_over_the_guilds_sits(env) -> None:
    c, _ = await sangha(env)
    await schedule(c, title="Evening sit", when="19:00", repeat="daily")
    await schedule(c, title="Morning sit", when="07:00", repeat="weekdays")
    other = env.create_guild("Elsewhere")
    assert other.id != c.guild.id
    choices = await c.facilitator.autocomplete(c.general, "sit edit", "sit", "")
    assert [ch["name"] for ch in choices] == [
        "Morning sit — Thu 01 Jan 07:00 UTC",
        "Evening sit — Thu 01 Jan 19:00 UTC",
    ]
    assert [ch["value"] for ch in choices] == ["2", "1"]
    assert [ch["name"] for ch in await c.alice.autocomplete(c.general, "sit calendar", "sit", "even")] == [
        "Evening sit — Thu 01 Jan 19:00 UTC"
    ]


async def test_cancelling_the_next_occurrence_tells_the_going_members(env) -> None:
    c, zendo = await sangha(env)
    await schedule(c, repeat="daily", voice_channel=zendo)
    sit = await going_and_maybe(env, c)
    (first_event,) = events(env, c.guild)
    result = await c.facilitator.slash(c.general, "sit cancel", sit=str(sit["id"]), scope="next")
    assert result.ephemeral and "I told the 1 member who said Going" in told(result)
    (notice,) = bot_posts(c.general)
    assert "**Evening sit** on <t:1767227400:F> is cancelled" in notice.content
    assert "The next one is <t:1767313800:F>" in notice.content
    assert pings(env, notice) == [c.alice.id]
    assert await rows(env.bot, "SELECT occurrence FROM sit_exclusions") == [
        {"occurrence": "2026-01-01T00:30:00+00:00"}
    ]
    after = await only_sit(env.bot)
    shown = announcement(c.general, after)
    assert "<t:1767313800:F>" in shown.embeds[0].description
    assert "Going **0**" in field(shown, "Who's coming")
    assert first_event.status == 4  # cancelled
    _, second_event = events(env, c.guild)
    assert second_event.scheduled_start_time.startswith("2026-01-02T00:30:00")
    await env.advance_time(3600)
    assert len(bot_posts(c.general)) == 1  # no reminder, no bells for the cancelled sit
    calendar = await c.alice.slash(c.general, "sit calendar", sit=str(sit["id"]))
    (event,) = Calendar.from_ical(await calendar.response.attachments[0].read()).walk("VEVENT")
    assert [d.dt.isoformat() for d in event["exdate"].dts] == ["2026-01-01T00:30:00+00:00"]
    await env.advance_time(24 * 3600)
    assert [m.content[:25] for m in bot_posts(c.general)[1:]] == [
        "⏰ **Evening sit** begins ",
        "🔔 **Evening sit** begins ",
        "🔔 **Evening sit** has end",
    ]


async def test_cancelling_the_series_closes_everything(env) -> None:
    c, zendo = await sangha(env)
    await schedule(c, repeat="weekly", voice_channel=zendo)
    sit = await going_and_maybe(env, c)
    result = await c.facilitator.slash(c.general, "sit cancel", sit="Evening sit", scope="all")
    assert "Cancelled the whole series" in told(result)
    (notice,) = bot_posts(c.general)
    assert pings(env, notice) == [c.alice.id] and "no more sits in this series" in notice.content
    after = await only_sit(env.bot)
    assert after["status"] == "cancelled"
    shown = announcement(c.general, after)
    assert "cancelled" in shown.embeds[0].description and shown.components == []
    (event,) = events(env, c.guild)
    assert event.status == 4
    assert await env.bot.scheduler.job_ids() == ["core:heartbeat"]
    listed = await c.bob.slash(c.general, "sit list")
    assert "No sits in the next 14 days" in told(listed)
    assert await c.facilitator.autocomplete(c.general, "sit cancel", "sit", "") == []
    again = await c.facilitator.slash(c.general, "sit cancel", sit=str(sit["id"]), scope="all")
    assert "couldn't find" in told(again)
    await env.advance_time(3600)
    assert len(bot_posts(c.general)) == 1


async def test_cancelling_a_sit_under_way_completes_its_event(env) -> None:
    c, zendo = await sangha(env)
    await schedule(c, repeat="daily", voice_channel=zendo, reminder=0)
    await env.advance_time(35 * 60)
    (event,) = events(env, c.guild)
    assert event.status == 2
    await c.facilitator.slash(c.general, "sit cancel", sit="1", scope="all")
    assert event.status == 3
    patched = [r.json for r in env.http_requests if r.method == "PATCH" and "scheduled-events" in r.path]
    assert patched[-1] == {"status": 3}


async def test_only_facilitators_edit_or_cancel(env) -> None:
    c, _ = await sangha(env)
    await schedule(c)
    for command, options in (("sit edit", {"title": "Mine"}), ("sit cancel", {"scope": "all"})):
        result = await c.alice.slash(c.general, command, sit="1", **options)
        assert "Only facilitators" in told(result)
    assert (await only_sit(env.bot))["status"] == "active"


async def test_moving_a_sit_moves_its_announcement_event_answers_and_tells_the_going(env) -> None:
    c, zendo = await sangha(env)
    await schedule(c, repeat="daily", voice_channel=zendo)
    sit = await going_and_maybe(env, c)
    (event,) = events(env, c.guild)
    result = await c.facilitator.slash(c.general, "sit edit", sit="1", when="01:00", duration=45)
    assert "every day, 45 minutes" in told(result)
    after = await only_sit(env.bot)
    shown = announcement(c.general, after)
    assert "<t:1767229200:F>" in shown.embeds[0].description  # 01:00
    assert field(shown, "Duration") == "45 minutes"
    assert "Going **1**" in field(shown, "Who's coming")  # answers carried over
    assert events(env, c.guild) == [event]  # the same event, moved
    assert event.scheduled_start_time.startswith("2026-01-01T01:00:00")
    assert event.scheduled_end_time.startswith("2026-01-01T01:45:00")
    (moved,) = bot_posts(c.general)
    assert "has moved" in moved.content and pings(env, moved) == [c.alice.id]
    assert after["event_at"] == "2026-01-01T01:00:00+00:00" and sit["id"] == after["id"]
    await env.advance_time(31 * 60)
    assert len(bot_posts(c.general)) == 1  # nothing at the old 00:15 / 00:30
    await env.advance_time(30 * 60)
    assert bot_posts(c.general)[-1].content.startswith("🔔 **Evening sit** begins now")


async def test_edit_moves_the_announcement_and_renames_the_event(env) -> None:
    c, zendo = await sangha(env)
    await schedule(c, repeat="weekly")
    (event,) = events(env, c.guild)
    assert event.entity_type == 3
    sits_channel = c.guild.create_text_channel("sits")
    await c.facilitator.slash(
        c.general, "sit edit", sit="1", title="Thursday sit", channel=sits_channel, voice_channel=zendo
    )
    assert c.general.history() == []  # the old announcement is gone
    (moved,) = sits_channel.history()
    assert moved.embeds[0].title == "Thursday sit"
    assert (await only_sit(env.bot))["announcement_id"] == moved.id
    assert (event.name, event.entity_type, event.channel_id) == ("Thursday sit", 2, zendo.id)
    clicked = await c.alice.click(moved, label="Going")
    assert "You're **going**" in told(clicked)


async def test_bad_edits_change_nothing(env) -> None:
    c, _ = await sangha(env)
    await schedule(c)
    before = await only_sit(env.bot)
    for options, substance in (  # what was wrong, and how to say it right
        ({}, ("Tell me what to change", "`when: 19:30`")),
        ({"when": "yesterday-ish"}, ("“yesterday-ish”", "`when`", "`19:00`")),
        ({"timezone": "Nowhere/City"}, ("not a time zone", "`Europe/Berlin`")),
    ):
        result = await c.facilitator.slash(c.general, "sit edit", sit="1", **options)
        refused(result, *substance)
    with pytest.raises(OptionError, match="must be ≤ 240"):  # Discord itself holds duration to 1–240
        await c.facilitator.slash(c.general, "sit edit", sit="1", duration=999)
    unknown = await c.facilitator.slash(c.general, "sit edit", sit="42", title="x")
    refused(unknown, "couldn't find", "“42”", "`sit`")
    assert await only_sit(env.bot) == before


async def test_edits_with_a_bad_reminder_title_or_channel_are_refused_clearly(env) -> None:
    c, _ = await sangha(env)
    await schedule(c)
    before = await only_sit(env.bot)
    posts = bot_posts(c.general)
    closed = c.guild.create_text_channel("closed")
    deny_bot_in(env, closed, "send_messages")
    # Out-of-range numbers and over-long titles never reach the bot: the command carries its limits,
    # and Discord refuses them as the facilitator types.
    for options, limit in (
        ({"reminder": 2000}, "≤ 1440"),
        ({"reminder": -5}, "≥ 0"),
        ({"title": "x" * 101}, "100"),
    ):
        with pytest.raises(OptionError, match=limit):
            await c.facilitator.slash(c.general, "sit edit", sit="1", **options)
    # What the bot refuses itself says what was wrong, and how to say it right.
    for options, substance in (
        ({"title": "   "}, ("title", "`Tuesday evening sit`")),
        ({"channel": closed}, (closed.mention, "Send Messages")),
    ):
        result = await c.facilitator.slash(c.general, "sit edit", sit="1", **options)
        refused(result, *substance)
    assert await only_sit(env.bot) == before  # nothing changed in the database ...
    assert bot_posts(c.general) == posts and closed.history() == []  # ... or in any channel


async def test_cancelling_the_only_occurrence_of_a_one_off_cancels_the_sit(env) -> None:
    c, zendo = await sangha(env)
    await schedule(c, voice_channel=zendo)
    sit = await going_and_maybe(env, c)
    await c.facilitator.slash(c.general, "sit cancel", sit=str(sit["id"]))  # scope defaults to next
    after = await only_sit(env.bot)
    assert after["status"] == "cancelled"
    shown = announcement(c.general, after)
    assert "cancelled" in shown.embeds[0].description and shown.components == []
    (event,) = events(env, c.guild)
    assert event.status == 4
    (notice,) = bot_posts(c.general)
    assert notice.content.endswith(f"is cancelled.\n{c.alice.mention}") and pings(env, notice) == [c.alice.id]
    assert await env.bot.scheduler.job_ids() == ["core:heartbeat"]
