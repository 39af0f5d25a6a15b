"""Restart safety: schedules rebuilt from the database, late bells marked, old ones skipped and recorded,
and no double posts when a restart falls between claiming and posting."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from cogs.sits.views import CalendarButton, SatButton
from tests.cogs.sits.sim import announcement, bot_posts, deny_bot_in, only_sit, sangha, schedule
from tests.helpers import restart, restarts, rows

pytestmark = pytest.mark.both_backends


def bells(channel) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.content for m in bot_posts(channel) if m.content.startswith("🔔")]


async def down(env, make_bot, minutes_from_now: int, minutes_down: int):  # type: ignore[no-untyped-def]
    await env.advance_time(minutes_from_now * 60)
    await env.bot.close_resources(clean=False)
    await env.advance_time(minutes_down * 60)
    bot = make_bot()
    await env.restart_bot(bot)
    await bot.scheduler.caught_up.wait()
    return bot


async def test_schedules_are_rebuilt_from_the_database(env, make_bot) -> None:
    c, zendo = await sangha(env)
    await schedule(c, repeat="daily", voice_channel=zendo, guide="wheel")
    kinds = ("sits.reminder", "sits.start", "sits.guide", "sits.end", "sits.rollover")
    before = {kind: await env.bot.scheduler.next_run(kind, "1") for kind in kinds}
    await restart(env, make_bot)
    # One job for the sit, waking at the earliest of its moments; every moment's plan rebuilt.
    assert sorted(await env.bot.scheduler.job_ids()) == ["core:heartbeat", "sits:1"]
    assert {kind: await env.bot.scheduler.next_run(kind, "1") for kind in kinds} == before
    assert all(before.values())
    await env.advance_time(51 * 60)
    assert len(bells(c.general)) == 2


async def test_a_start_bell_missed_by_less_than_ten_minutes_is_posted_late_and_says_so(env, make_bot) -> None:
    c, zendo = await sangha(env)
    await schedule(c, voice_channel=zendo, reminder=0)
    bot = await down(env, make_bot, 25, 12)  # down 00:25–00:37; the bell was due at 00:30
    (opening,) = bells(c.general)
    assert "begins now" in opening and "Posted late: I was offline when the opening bell was due" in opening
    assert await rows(bot, "SELECT status FROM deliveries WHERE kind = 'sits.start'") == [{"status": "late"}]


async def test_an_older_start_bell_is_skipped_and_recorded_the_rest_goes_on(env, make_bot) -> None:
    c, zendo = await sangha(env)
    await schedule(c, voice_channel=zendo, reminder=0)
    bot = await down(env, make_bot, 25, 16)  # back at 00:41: eleven minutes after the start
    assert bells(c.general) == []
    skipped = await rows(bot, "SELECT status, detail FROM deliveries WHERE kind = 'sits.start'")
    assert skipped == [{"status": "skipped", "detail": "missed its window"}]
    await env.advance_time(10 * 60)
    (closing,) = bells(c.general)
    assert "has ended" in closing and "Posted late" not in closing


async def test_attendance_is_tallied_even_when_the_closing_bell_is_long_missed(env, make_bot) -> None:
    c, zendo = await sangha(env)
    await schedule(c, repeat="daily", voice_channel=zendo, reminder=0)
    await env.advance_time(30 * 60)
    await c.alice.join_voice(zendo)
    await env.advance_time(15 * 60)
    await env.bot.close_resources(clean=False)  # down from 00:45 ...
    await c.alice.leave_voice()
    await env.advance_time(3 * 3600)  # ... until 03:45: the closing bell's two hours are over
    bot = make_bot()
    await env.restart_bot(bot)
    await bot.scheduler.caught_up.wait()
    assert [b for b in bells(c.general) if "has ended" in b] == []
    assert await rows(bot, "SELECT status FROM deliveries WHERE kind = 'sits.end'") == [{"status": "skipped"}]
    # Alice's join time was kept across the downtime (she left unseen, noticed at restart): she sat.
    assert await rows(bot, "SELECT user_id FROM sit_attendance") == [{"user_id": c.alice.id}]
    sit = await only_sit(bot)
    assert sit["shown_at"] == "2026-01-02T00:30:00+00:00"  # the announcement moved on
    assert "<t:1767313800:F>" in announcement(c.general, sit).embeds[0].description


async def test_a_restart_between_claim_and_post_posts_once(env, make_bot) -> None:
    c, zendo = await sangha(env)
    await schedule(c, voice_channel=zendo, reminder=0)
    env.inject_error("POST", f"/channels/{c.general.id}/messages", status=503, times=1)
    await env.advance_time(30 * 60)  # the bell is claimed, its first post fails, a retry waits 5 s
    claimed = await rows(env.bot, "SELECT status, attempts FROM deliveries WHERE kind = 'sits.start'")
    assert claimed == [{"status": "claimed", "attempts": 1}]
    await env.bot.close_resources(clean=False)  # ... and the process dies before the retry
    await env.advance_time(90)
    bot = make_bot()
    await env.restart_bot(bot)
    await bot.scheduler.caught_up.wait()
    await env.advance_time(60)
    assert len(bells(c.general)) == 1
    done = await rows(bot, "SELECT status, attempts FROM deliveries WHERE kind = 'sits.start'")
    assert done == [{"status": "late", "attempts": 2}]


async def test_a_restart_after_posting_but_before_confirming_does_not_post_again(env, make_bot) -> None:
    c, zendo = await sangha(env)
    await schedule(c, voice_channel=zendo, reminder=0)
    await env.advance_time(30 * 60)
    assert len(bells(c.general)) == 1
    # As if the process died right after Discord accepted the bell, before the ledger said so:
    await env.bot.db.execute("UPDATE deliveries SET status = 'claimed' WHERE kind = 'sits.start'")
    await env.bot.close_resources(clean=False)
    await env.advance_time(60)
    bot = make_bot()
    await env.restart_bot(bot)
    await bot.scheduler.caught_up.wait()
    assert len(bells(c.general)) == 1
    (row,) = await rows(bot, "SELECT status, detail FROM deliveries WHERE kind = 'sits.start'")
    assert row["status"] in ("posted", "late") and row["detail"].startswith("already posted")


async def test_running_an_occurrence_twice_is_a_duplicate(env) -> None:
    c, zendo = await sangha(env)
    await schedule(c, voice_channel=zendo, reminder=0)
    await env.advance_time(30 * 60)
    start = datetime(2026, 1, 1, 0, 30, tzinfo=UTC)
    assert await env.bot.scheduler.run("sits.start", "1", start) == "duplicate"
    assert len(bells(c.general)) == 1


async def test_losing_send_permission_is_told_once_naming_it_and_the_channel(env) -> None:
    c, zendo = await sangha(env)
    notices = c.guild.create_text_channel("facilitators")
    await c.facilitator.slash(c.general, "settings channel", purpose="facilitators", channel=notices)
    await schedule(c, voice_channel=zendo, repeat="daily")
    deny_bot_in(env, c.general, "send_messages")
    await env.advance_time(51 * 60)  # reminder, opening and closing bell all due
    assert bot_posts(c.general) == []
    (notice,) = bot_posts(notices)
    assert "**Send Messages**" in notice.content and c.general.mention in notice.content
    failed = await rows(
        env.bot,
        "SELECT kind, status FROM deliveries WHERE kind IN"
        " ('sits.reminder', 'sits.start', 'sits.end') ORDER BY id",
    )
    assert {r["status"] for r in failed} == {"failed"} and len(failed) == 3


async def test_a_reminder_missed_while_down_is_still_sent_before_the_start(env, make_bot) -> None:
    c, zendo = await sangha(env)
    await schedule(c, voice_channel=zendo)
    await c.alice.click(announcement(c.general, await only_sit(env.bot)), label="Going")
    await down(env, make_bot, 10, 10)  # down 00:10–00:20; the reminder was due at 00:15
    (reminder,) = bot_posts(c.general)
    assert reminder.content.startswith("⏰") and "Posted late" in reminder.content
    assert c.alice.mention in reminder.content
    bot = await down(env, make_bot, 0, 15)  # down again 00:20–00:35: the bell at 00:30 comes late
    assert "Posted late" in bells(c.general)[0]
    delivered = await rows(bot, "SELECT kind, status FROM deliveries")
    assert sorted((r["kind"], r["status"]) for r in delivered) == [
        ("sits.event_start", "late"),
        ("sits.reminder", "late"),
        ("sits.start", "late"),
    ]


@restarts(CalendarButton)
async def test_add_to_calendar_works_after_a_restart(env, make_bot) -> None:
    c, zendo = await sangha(env)
    await schedule(c, repeat="weekly", voice_channel=zendo, when="mon 19:00")
    sit = await only_sit(env.bot)
    await restart(env, make_bot)
    result = await c.alice.click(announcement(c.general, sit), label="Add to calendar")
    assert result.ephemeral
    (attachment,) = result.response.attachments
    assert attachment.filename == f"sit-{sit['id']}.ics"
    (event,) = Calendar.from_ical(await attachment.read()).walk("VEVENT")
    assert event.decoded("dtstart").astimezone(UTC) == datetime(2026, 1, 5, 19, 0, tzinfo=UTC)


@restarts(SatButton)
async def test_i_sat_works_after_a_restart(env, make_bot) -> None:
    c, zendo = await sangha(env)
    await schedule(c, repeat="daily", voice_channel=zendo, reminder=0)
    await env.advance_time(50 * 60)  # 00:50: the sit has ended
    closing = bot_posts(c.general)[-1]
    assert closing.content.startswith("🔔 **Evening sit** has ended.")
    await restart(env, make_bot)
    clicked = await c.bob.click(closing, label="I sat")
    [counted] = clicked.followups
    assert counted.ephemeral and "Counted" in counted.content
    assert "**1 person sat with us.**" in bot_posts(c.general)[-1].content
    attended = await rows(env.bot, "SELECT user_id, source, minutes FROM sit_attendance")
    assert attended == [{"user_id": c.bob.id, "source": "button", "minutes": 20}]
