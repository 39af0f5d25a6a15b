"""``/privacy export`` and ``/privacy delete`` cover every check-in, its note, and the reminder."""

from __future__ import annotations

import json

import pytest

from cogs.checkins import reminders
from tests.cogs.checkins.steps import HOUR, check_in, set_up_daily
from tests.helpers import answer, community, rows

pytestmark = pytest.mark.both_backends


async def exported(actor, channel) -> dict:
    result = await actor.slash(channel, "privacy export")
    message = answer(result)
    return json.loads(await message.attachments[0].read())


async def test_export_has_every_checkin_with_its_note_and_the_reminder(env) -> None:
    c = community(env)
    await set_up_daily(c, time="09:00")
    await env.advance_time(9 * HOUR + 120)
    await check_in(c.alice, c.general, word="Calm", note="a quiet morning")
    await check_in(c.alice, c.general, zone="chaos", quadrant="high_unpleasant", word="Restless", share=True)
    await check_in(c.bob, c.general, note="bob's own")
    await c.alice.slash(c.general, "checkin remind", time="20:00", timezone="Europe/Lisbon")
    data = (await exported(c.alice, c.general))["checkins"]
    assert [(x["word"], x["note"], x["visibility"]) for x in data["checkins"]] == [
        ("Calm", "a quiet morning", "private"),
        ("Restless", None, "shared"),
    ]
    first = data["checkins"][0]
    assert first["zone"] == "within" and first["energy"] == -3 and first["pleasantness"] == 3
    assert first["local_date"] == "2026-01-01" and first["guild_id"] == str(c.guild.id)
    assert data["reminder"]["time"] == "20:00" and data["reminder"]["timezone"] == "Europe/Lisbon"
    assert "bob's own" not in json.dumps(data)


async def test_delete_removes_checkins_reminder_its_job_and_shared_posts(env) -> None:
    c = community(env)
    await set_up_daily(c, time="09:00")
    await env.advance_time(9 * HOUR + 120)
    [thread] = c.general.threads
    await check_in(c.alice, c.general, note="mine")
    await check_in(c.alice, c.general, share=True, note="shared words")
    await check_in(c.bob, c.general, share=True)
    await c.alice.slash(c.general, "checkin remind", time="20:00")
    assert len([m for m in thread.history() if m.embeds]) == 2

    asked = await c.alice.slash(c.general, "privacy delete")
    done = await c.alice.click(asked.response, label="Yes, delete everything")
    final = done.response.content if done.response else ""
    assert "checkins: 3" in final  # two check-ins and the reminder

    assert await rows(env.bot, "SELECT user_id FROM checkins") == [{"user_id": c.bob.id}]
    assert await rows(env.bot, "SELECT * FROM checkin_reminders") == []
    assert not [job for job in await env.bot.scheduler.job_ids() if job.startswith(reminders.KIND)]
    remaining = [m.embeds[0].description for m in thread.history() if m.embeds]
    assert len(remaining) == 1 and remaining[0].startswith("🍃 **bob**")
    await env.advance_time(24 * HOUR)
    assert [m for m in c.alice.user.dm_channel.history() if m.author.bot] == []
    assert (await exported(c.alice, c.general))["checkins"] == {
        "checkins": [],
        "reminder": None,
        "support_requests": [],
    }
