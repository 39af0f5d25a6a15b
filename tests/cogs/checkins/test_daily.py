"""The daily check-in thread: one per guild and local date, on time, late after downtime, never twice."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import discord
import pytest

from attune.timeparse import Recurrence, Repeat
from cogs.checkins.daily import KIND, deadline, plan_for
from cogs.checkins.service import Setup
from tests.cogs.checkins.steps import DAY, HOUR, cog, set_up_daily, starters, thread_names
from tests.helpers import community, restart, rows

pytestmark = pytest.mark.both_backends

# simcord's clock starts at 2026-01-01T00:00Z, a Thursday.


async def deliveries(env) -> list[dict]:
    return await rows(env.bot, "SELECT occurrence, status, detail FROM deliveries WHERE kind = ?", (KIND,))


async def test_setup_opens_one_thread_at_the_chosen_time_with_a_check_in_button(env) -> None:
    c = community(env)
    await set_up_daily(c, time="09:00")
    await env.advance_time(9 * HOUR - 1)
    assert c.general.threads == []
    await env.advance_time(2 * 60)
    assert thread_names(c.general) == ["Check-in · Thursday 1 January"]
    [starter] = starters(c.general)
    assert "Check-in · Thursday 1 January" in starter.content
    assert any(p in starter.content for p in env.bot.content.checkin.prompts)
    assert "not a substitute for professional help" in starter.content
    buttons = [child for row in starter.components for child in row.children]
    assert [(b.label, b.custom_id) for b in buttons] == [("Check in", "checkin:start")]
    thread = env.bot.get_channel(c.general.threads[0].id)
    assert isinstance(thread, discord.Thread) and thread.auto_archive_duration == 1440
    assert thread.starter_message is None or thread.starter_message.id == starter.id
    stored = await rows(env.bot, "SELECT local_date, starter_id, thread_id FROM checkin_threads")
    assert stored == [{"local_date": "2026-01-01", "starter_id": starter.id, "thread_id": thread.id}]
    [delivery] = await deliveries(env)
    assert delivery["status"] == "posted"


async def test_exactly_one_thread_per_date_also_across_restarts(env, make_bot) -> None:
    c = community(env)
    await set_up_daily(c, time="09:00")
    await env.advance_time(9 * HOUR + 120)
    await restart(env, make_bot)
    await env.advance_time(HOUR)
    assert thread_names(c.general) == ["Check-in · Thursday 1 January"]
    await env.advance_time(DAY)
    await restart(env, make_bot, crash=True)
    await env.bot.scheduler.caught_up.wait()
    await env.advance_time(60)
    assert thread_names(c.general) == ["Check-in · Thursday 1 January", "Check-in · Friday 2 January"]
    assert len(starters(c.general)) == 2
    assert [d["status"] for d in await deliveries(env)] == ["posted", "posted"]


async def test_after_downtime_the_days_thread_still_opens_that_day_marked_late(env, make_bot) -> None:
    c = community(env)
    await set_up_daily(c, time="09:00")
    await env.advance_time(8 * HOUR)
    await env.bot.close_resources(clean=False)  # crashes at 08:00
    await env.advance_time(7 * HOUR)  # ... and is back at 15:00
    await env.restart_bot(make_bot())
    await env.bot.scheduler.caught_up.wait()
    assert thread_names(c.general) == ["Check-in · Thursday 1 January"]
    [starter] = starters(c.general)
    assert "late" in starter.content
    assert [d["status"] for d in await deliveries(env)] == ["late"]
    await restart(env, make_bot)
    await env.advance_time(60)
    assert len(c.general.threads) == 1


async def test_a_day_missed_entirely_is_recorded_not_opened_the_next_day(env, make_bot) -> None:
    c = community(env)
    await set_up_daily(c, time="09:00")
    await env.advance_time(8 * HOUR)
    await env.bot.close_resources(clean=False)
    await env.advance_time(17 * HOUR)  # back at 01:00 on 2 January
    await env.restart_bot(make_bot())
    await env.bot.scheduler.caught_up.wait()
    assert c.general.threads == []
    assert [(d["status"], d["detail"]) for d in await deliveries(env)] == [("skipped", "missed its window")]
    await env.advance_time(9 * HOUR)
    assert thread_names(c.general) == ["Check-in · Friday 2 January"]


async def test_chosen_days_and_the_guild_time_zone(env) -> None:
    c = community(env)
    await c.facilitator.slash(c.general, "settings timezone", timezone="America/New_York")
    await set_up_daily(c, time="07:30", days="weekdays")
    # 07:30 in New York is 12:30 UTC in winter. Thu 1 → Mon 5 January: no weekend threads.
    await env.advance_time(12 * HOUR + 29 * 60)
    assert c.general.threads == []
    await env.advance_time(5 * DAY)
    assert thread_names(c.general) == [
        "Check-in · Thursday 1 January",
        "Check-in · Friday 2 January",
        "Check-in · Monday 5 January",
    ]
    first = datetime.fromisoformat((await deliveries(env))[0]["occurrence"])
    assert first.replace(second=0) == datetime(2026, 1, 1, 12, 30, tzinfo=UTC)


async def test_fifty_guilds_at_the_same_minute_each_get_exactly_one_thread(env, make_bot) -> None:
    communities = [community(env, f"Circle {n}") for n in range(50)]
    for c in communities:
        await set_up_daily(c, time="09:00")
    await env.advance_time(9 * HOUR + 2 * 60)
    for c in communities:
        assert thread_names(c.general) == ["Check-in · Thursday 1 January"]
        assert len(starters(c.general)) == 1
    found = await deliveries(env)
    assert len(found) == 50 and {d["status"] for d in found} == {"posted"}
    await restart(env, make_bot)
    await env.advance_time(60)
    assert sum(len(c.general.threads) for c in communities) == 50


async def test_a_failed_thread_creation_is_retried_without_a_second_starter(env) -> None:
    c = community(env)
    await set_up_daily(c, time="09:00")
    env.inject_error("POST", "/channels/*/messages", status=503, times=1)
    env.inject_error("POST", "/channels/*/messages/*/threads", status=503, times=2)
    await env.advance_time(9 * HOUR + 60)
    await env.advance_time(5 * 60)
    assert len(starters(c.general)) == 1
    assert thread_names(c.general) == ["Check-in · Thursday 1 January"]
    [delivery] = await rows(env.bot, "SELECT status, attempts FROM deliveries")
    assert delivery == {"status": "posted", "attempts": 4}


async def test_a_restart_between_starter_and_thread_reuses_the_starter(env, make_bot) -> None:
    c = community(env)
    await set_up_daily(c, time="09:00")
    env.inject_error("POST", "/channels/*/messages/*/threads", status=503, times=None)
    await env.advance_time(9 * HOUR + 60)
    assert len(starters(c.general)) == 1 and c.general.threads == []
    env.backend.faults.clear()
    await restart(env, make_bot, crash=True)
    await env.bot.scheduler.caught_up.wait()
    await env.advance_time(60)
    assert len(starters(c.general)) == 1
    assert thread_names(c.general) == ["Check-in · Thursday 1 January"]
    stored = await rows(env.bot, "SELECT starter_id, thread_id FROM checkin_threads")
    assert stored[0]["starter_id"] == starters(c.general)[0].id and stored[0]["thread_id"] is not None


async def test_missing_thread_permissions_are_named_to_the_facilitators_once(env, make_bot) -> None:
    c = community(env)
    leads = c.guild.create_text_channel("leads")
    await c.facilitator.slash(c.general, "settings channel", purpose="facilitators", channel=leads)
    locked = c.guild.create_text_channel(
        "locked",
        overwrites={c.guild.me: discord.PermissionOverwrite(create_public_threads=False)},
    )
    # Permissions were fine at setup time and taken away later: stored and scheduled directly, as
    # setup would (setup itself refuses the channel now).
    await cog(env).service.save_setup(c.guild.id, locked.id, time(9, 0), frozenset(range(7)), "UTC", 1)
    setup = await cog(env).service.get_setup(c.guild.id)
    assert setup is not None
    await env.bot.scheduler.put(KIND, plan_for(setup))
    await restart(env, make_bot)
    await env.advance_time(9 * HOUR + 120)
    assert locked.threads == [] and starters(locked) == []
    notices = [m.content for m in leads.history()]
    assert len(notices) == 1
    assert "**Create Public Threads**" in notices[0] and locked.mention in notices[0]
    await env.advance_time(DAY)
    assert len(leads.history()) == 1  # told once, not every day
    statuses = [(d["status"], d["detail"]) for d in await deliveries(env)]
    assert [s for s, _ in statuses] == ["failed", "failed"]
    assert "Create Public Threads" in statuses[0][1]


async def test_setup_refuses_a_channel_where_threads_cannot_be_made(env) -> None:
    c = community(env)
    locked = c.guild.create_text_channel(
        "locked",
        overwrites={
            c.guild.me: discord.PermissionOverwrite(
                create_public_threads=False, send_messages_in_threads=False
            )
        },
    )
    result = await c.facilitator.slash(c.general, "checkin setup", channel=locked, time="09:00")
    assert result.ephemeral
    text = result.response.content
    assert "**Create Public Threads**" in text and "**Send Messages in Threads**" in text
    assert await rows(env.bot, "SELECT * FROM checkin_setups") == []


async def test_setup_and_disable_are_for_facilitators(env) -> None:
    c = community(env)
    for command, options in (
        ("checkin setup", {"channel": c.general, "time": "09:00"}),
        ("checkin disable", {}),
    ):
        result = await c.alice.slash(c.general, command, **options)
        assert result.ephemeral and "Only facilitators" in result.response.content
    assert await rows(env.bot, "SELECT * FROM checkin_setups") == []


async def test_bad_time_and_days_get_a_clear_answer_and_change_nothing(env) -> None:
    c = community(env)
    bad_time = await c.facilitator.slash(c.general, "checkin setup", channel=c.general, time="25:00")
    assert bad_time.ephemeral and "hours go to 23" in bad_time.response.content
    bad_days = await c.facilitator.slash(
        c.general, "checkin setup", channel=c.general, time="09:00", days="funday"
    )
    assert bad_days.ephemeral and "“funday” is not a day" in bad_days.response.content
    assert await rows(env.bot, "SELECT * FROM checkin_setups") == []


async def test_disable_stops_the_threads_and_setup_starts_them_again(env) -> None:
    c = community(env)
    await set_up_daily(c, time="09:00")
    done = await c.facilitator.slash(c.general, "checkin disable")
    assert done.ephemeral and "stopped" in done.response.content
    again = await c.facilitator.slash(c.general, "checkin disable")
    assert "nothing to stop" in again.response.content
    await env.advance_time(DAY)
    assert c.general.threads == []
    await set_up_daily(c, time="10:00")
    await env.advance_time(10 * HOUR + 120)
    assert thread_names(c.general) == ["Check-in · Friday 2 January"]


async def test_editing_the_time_the_same_day_never_opens_a_second_thread(env) -> None:
    c = community(env)
    await set_up_daily(c, time="09:00")
    await env.advance_time(9 * HOUR + 120)
    await set_up_daily(c, time="15:00")
    await env.advance_time(7 * HOUR)
    assert len(c.general.threads) == 1
    assert "already open" in (await deliveries(env))[-1]["detail"]


# ---------------------------------------------------------------------------- unit level


def test_daily_occurrences_across_dst_and_the_end_of_day_deadline() -> None:
    rule = Recurrence(Repeat.DAILY, datetime(2026, 3, 28, 23, 59), "Europe/Berlin")
    first = rule.next_after(datetime(2026, 3, 28, tzinfo=UTC))
    assert first == datetime(2026, 3, 28, 22, 59, tzinfo=UTC)  # 23:59 CET
    second = rule.next_after(first)
    assert second == datetime(2026, 3, 29, 21, 59, tzinfo=UTC)  # 23:59 CEST (after the change)
    setup = Setup(
        1, 2, time(23, 59), frozenset(range(7)), "Europe/Berlin", True, datetime(2026, 3, 28, tzinfo=UTC)
    )
    plan = plan_for(setup)
    # The deadline is local midnight: one second after the late-evening occurrence.
    at = datetime(2026, 3, 28, 22, 59, 30, tzinfo=UTC)
    assert deadline(plan, at) == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert date(2026, 3, 28) == at.astimezone(rule.zone).date()


async def test_a_thread_discord_already_made_for_the_starter_is_adopted(env) -> None:
    """A retry whose first thread request reached Discord but whose answer was lost."""
    c = community(env)
    await set_up_daily(c, time="09:00")
    env.inject_error(
        "POST",
        "/channels/*/messages/*/threads",
        status=400,
        code=160004,
        message="A thread has already been created for this message",
        times=1,
    )
    await env.advance_time(9 * HOUR + 120)
    [starter] = starters(c.general)
    stored = await rows(env.bot, "SELECT starter_id, thread_id FROM checkin_threads")
    assert stored == [{"starter_id": starter.id, "thread_id": starter.id}]
    assert [d["status"] for d in await deliveries(env)] == ["posted"]
