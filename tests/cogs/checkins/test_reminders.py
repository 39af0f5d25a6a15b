"""``/checkin remind``: a DM at the member's local time on days without a check-in; closed DMs pause it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cogs.checkins import reminders
from tests.cogs.checkins.steps import DAY, HOUR, check_in, cog, set_up_daily
from tests.helpers import answer, community, restart, rows, slow_renders

pytestmark = pytest.mark.both_backends


def dms(actor) -> list[str]:
    return [m.content for m in actor.user.dm_channel.history() if m.author.bot]


async def reminder_runs(env) -> list[dict]:
    return await rows(
        env.bot, "SELECT occurrence, status, detail FROM deliveries WHERE kind = ?", (reminders.KIND,)
    )


async def test_a_reminder_arrives_only_on_days_without_a_checkin(env) -> None:
    c = community(env)
    set_ = await c.alice.slash(c.general, "checkin remind", time="20:00")
    assert set_.ephemeral and "**20:00** (UTC)" in set_.response.content
    await env.advance_time(20 * HOUR + 60)
    assert len(dms(c.alice)) == 1
    assert env.bot.content.checkin.reminder in dms(c.alice)[0]
    await env.advance_time(14 * HOUR)  # 10:01 on 2 January: alice checks in
    await check_in(c.alice, c.general)
    await env.advance_time(12 * HOUR)
    assert len(dms(c.alice)) == 1  # nothing on 2 January
    await env.advance_time(DAY)
    assert len(dms(c.alice)) == 2  # 3 January: no check-in, reminded
    runs = await reminder_runs(env)
    assert [r["detail"] for r in runs] == ["reminded", "already checked in that day; no DM", "reminded"]
    assert dms(c.bob) == []


async def test_the_reminder_follows_the_members_own_time_zone(env) -> None:
    c = community(env)
    result = await c.alice.slash(c.general, "checkin remind", time="08:00", timezone="Asia/Tokyo")
    assert "(Asia/Tokyo)" in result.response.content
    await env.advance_time(22 * HOUR + 59 * 60)
    assert dms(c.alice) == []
    await env.advance_time(2 * 60)  # 08:00 on 2 January in Tokyo is 23:00 UTC on 1 January
    assert len(dms(c.alice)) == 1
    [run] = await reminder_runs(env)
    assert datetime.fromisoformat(run["occurrence"]) == datetime(2026, 1, 1, 23, 0, tzinfo=UTC)


async def test_checking_in_that_local_day_counts_across_midnight_utc(env) -> None:
    c = community(env)
    await c.alice.slash(c.general, "checkin remind", time="21:00", timezone="America/New_York")
    await check_in(c.alice, c.general)  # 00:00 UTC on 1 January = 19:00 on 31 December in New York
    await env.advance_time(2 * HOUR + 2 * 60)  # 21:00 New York on 31 December: already checked in
    assert dms(c.alice) == []
    await env.advance_time(DAY)
    assert len(dms(c.alice)) == 1


def link_buttons(actor) -> list[tuple[str, str]]:
    [message] = [m for m in actor.user.dm_channel.history() if m.author.bot]
    return [(b.label, b.url) for row in message.components for b in row.children if b.url]


async def test_the_reminder_names_the_server_links_todays_thread_and_says_how_to_stop(env) -> None:
    c = community(env, name="Evening Sangha")
    await set_up_daily(c, time="09:00")
    await c.alice.slash(c.general, "checkin remind", time="20:00")
    await env.advance_time(20 * HOUR + 60)
    [thread] = c.general.threads
    [text] = dms(c.alice)
    assert text.startswith("🌱 **Evening Sangha** · check-in reminder\n")
    assert "To stop these, use `/checkin remind` with time `off` in Evening Sangha." in text
    link = f"https://discord.com/channels/{c.guild.id}/{thread.id}"
    assert link_buttons(c.alice) == [("Open today's check-in thread", link)]


async def test_without_daily_threads_the_reminder_links_the_server(env) -> None:
    c = community(env)
    await c.alice.slash(c.general, "checkin remind", time="20:00")
    await env.advance_time(20 * HOUR + 60)
    assert link_buttons(c.alice) == [("Go to Sangha", f"https://discord.com/channels/{c.guild.id}")]


async def test_off_stops_the_reminder_and_its_job(env) -> None:
    c = community(env)
    await c.alice.slash(c.general, "checkin remind", time="20:00")
    assert f"{reminders.KIND}:{cog(env).reminder_jobs.key(c.alice.id)}" in await env.bot.scheduler.job_ids()
    off = await c.alice.slash(c.general, "checkin remind", time="off")
    assert off.ephemeral and "off" in off.response.content
    assert (
        f"{reminders.KIND}:{cog(env).reminder_jobs.key(c.alice.id)}" not in await env.bot.scheduler.job_ids()
    )
    await env.advance_time(DAY)
    assert dms(c.alice) == []
    again = await c.alice.slash(c.general, "checkin remind", time="off")
    assert "nothing to stop" in again.response.content


async def test_a_reminder_survives_a_restart(env, make_bot) -> None:
    c = community(env)
    await c.alice.slash(c.general, "checkin remind", time="20:00")
    await restart(env, make_bot)
    await env.advance_time(20 * HOUR + 60)
    assert len(dms(c.alice)) == 1


async def test_bad_time_and_unknown_time_zone_get_clear_answers(env) -> None:
    c = community(env)
    bad = await c.alice.slash(c.general, "checkin remind", time="half past")
    assert bad.ephemeral and "is not a time of day" in bad.response.content
    unknown = await c.alice.slash(c.general, "checkin remind", time="20:00", timezone="Mars/Olympus")
    assert unknown.ephemeral and "is not a time zone I know" in unknown.response.content
    assert await rows(env.bot, "SELECT * FROM checkin_reminders") == []
    choices = await c.alice.autocomplete(c.general, "checkin remind", "timezone", "Berl")
    assert "Europe/Berlin" in [choice["value"] for choice in choices] and len(choices) <= 25


async def test_closed_dms_pause_the_reminder_and_the_member_is_told_once(env) -> None:
    c = community(env)
    await c.alice.slash(c.general, "checkin remind", time="20:00")
    dm = c.alice.user.dm_channel
    env.inject_error(
        "POST",
        f"/channels/{dm.id}/messages",
        status=403,
        code=50007,
        message="Cannot send messages to this user",
        times=None,
    )
    await env.advance_time(20 * HOUR + 60)
    assert await rows(env.bot, "SELECT paused, told FROM checkin_reminders") == [{"paused": 1, "told": 0}]
    assert (
        f"{reminders.KIND}:{cog(env).reminder_jobs.key(c.alice.id)}" not in await env.bot.scheduler.job_ids()
    )
    [run] = await reminder_runs(env)
    assert run["status"] == "failed" and "50007" in run["detail"]
    await env.advance_time(DAY)
    assert len(await reminder_runs(env)) == 1  # paused: no further attempts

    first = await c.alice.slash(c.general, "checkin now")
    assert first.ephemeral and "direct messages are closed" in first.response.content
    second = await c.alice.slash(c.general, "checkin now")
    assert "direct messages are closed" not in second.response.content  # told once
    assert "direct messages are closed" not in (await c.bob.slash(c.general, "checkin now")).response.content

    env.backend.faults.clear()
    resumed = await c.alice.slash(c.general, "checkin remind", time="20:00")
    assert "earlier reminder was paused" in resumed.response.content
    assert await rows(env.bot, "SELECT paused, told FROM checkin_reminders") == [{"paused": 0, "told": 0}]
    await env.advance_time(DAY)
    assert len(dms(c.alice)) == 1


@slow_renders  # it ends with /checkin history
async def test_a_paused_reminder_is_not_rescheduled_after_a_restart(env, make_bot) -> None:
    c = community(env)
    await c.alice.slash(c.general, "checkin remind", time="20:00")
    env.inject_error(
        "POST", f"/channels/{c.alice.user.dm_channel.id}/messages", status=403, code=50007, times=1
    )
    await env.advance_time(20 * HOUR + 60)
    await restart(env, make_bot)
    assert (
        f"{reminders.KIND}:{cog(env).reminder_jobs.key(c.alice.id)}" not in await env.bot.scheduler.job_ids()
    )
    await env.advance_time(DAY)
    assert dms(c.alice) == []
    history = await c.alice.slash(c.general, "checkin history")
    message = answer(history)
    assert "direct messages are closed" in message.content


async def test_the_check_in_works_from_the_reminder_itself(env) -> None:
    c = community(env)
    await set_up_daily(c, time="09:00")
    await c.alice.slash(c.general, "checkin remind", time="20:00")
    await env.advance_time(20 * HOUR + 60)
    [reminder] = [m for m in c.alice.user.dm_channel.history() if m.author.bot]
    me = c.alice.user  # in the DM, as the user (not as a member of the server)
    labels = [b.label for row in reminder.components for b in row.children]
    assert labels == ["Check in", "Open today's check-in thread"]
    step1 = await me.click(reminder, label="Check in")
    assert "Step 1 of 3" in step1.response.content
    assert "not a substitute for professional help" in step1.response.content  # no starter was seen
    step2 = await me.click(step1.response, label="Within my window")
    picked = await me.select(step2.response, ["low_pleasant"], custom_id="checkin:quad:within")
    shown = await me.select(picked.response, ["Calm"], custom_id="checkin:word:within:low_pleasant")
    done = await me.submit_modal(shown, {"note": "from my DMs", "visibility": ["private"]})
    said = done.response if done.response and done.response.embeds else done.followups[0]
    assert "feeling calm" in said.embeds[0].title
    assert await rows(env.bot, "SELECT guild_id, user_id, word, note FROM checkins") == [
        {"guild_id": c.guild.id, "user_id": c.alice.id, "word": "Calm", "note": "from my DMs"}
    ]


async def test_without_a_reminder_a_dm_check_in_is_explained(env) -> None:
    c = community(env)
    await c.alice.slash(c.general, "checkin remind", time="20:00")
    await env.advance_time(20 * HOUR + 60)
    [reminder] = [m for m in c.alice.user.dm_channel.history() if m.author.bot]
    await c.alice.slash(c.general, "checkin remind", time="off")
    me = c.alice.user
    answer = await me.click(reminder, label="Check in")
    assert answer.ephemeral
    said = answer.response.content if answer.response else answer.followups[0].content
    assert "works for the server your check-in reminder comes from" in said


async def test_asking_someone_to_reach_out_works_from_the_dm(env) -> None:
    """From the reminder's DM, *I could use support* still reaches the reminder's server's facilitators."""
    c = community(env)
    leads = c.guild.create_text_channel("leads")
    await c.facilitator.slash(c.general, "settings channel", purpose="facilitators", channel=leads)
    await c.alice.slash(c.general, "checkin remind", time="20:00")
    await env.advance_time(20 * HOUR + 60)
    [reminder] = [m for m in c.alice.user.dm_channel.history() if m.author.bot]
    me = c.alice.user
    step1 = await me.click(reminder, label="Check in")
    screen = await me.click(step1.response, label="I could use support")
    asked = await me.click(screen.response, label="Ask someone to reach out")
    [notice] = leads.history()
    assert c.alice.mention in notice.content
    [thanks] = asked.followups
    assert thanks.content == env.bot.content.support.alert_sent
    assert [r["guild_id"] for r in await rows(env.bot, "SELECT guild_id FROM support_alerts")] == [c.guild.id]
