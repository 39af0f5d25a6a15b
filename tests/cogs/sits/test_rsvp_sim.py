"""RSVP buttons: one changeable answer per member, counts on the announcement, after restarts too;
an answer is for the occurrence the announcement shows and starts fresh after it ends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from cogs.sits.views import RsvpButton
from tests.cogs.sits.sim import announcement, field, only_sit, sangha, schedule
from tests.helpers import restart, restarts, rows, told

pytestmark = pytest.mark.both_backends


def coming(channel, sit) -> str:  # type: ignore[no-untyped-def]
    return field(announcement(channel, sit), "Who's coming")


async def test_answers_change_the_counts_on_the_announcement(env) -> None:
    c, _ = await sangha(env)
    await schedule(c, repeat="daily")
    sit = await only_sit(env.bot)
    going = await c.alice.click(announcement(c.general, sit), label="Going")
    assert "You're **going**" in told(going) and going.followups[0].ephemeral
    await c.bob.click(announcement(c.general, sit), label="Maybe")
    assert coming(c.general, sit) == "✅ Going **1** · 🤔 Maybe **1** · 🚫 Can't **0**"
    changed = await c.alice.click(announcement(c.general, sit), label="Can't")
    assert "can't make it" in told(changed)
    assert coming(c.general, sit) == "✅ Going **0** · 🤔 Maybe **1** · 🚫 Can't **1**"
    again = await c.alice.click(announcement(c.general, sit), label="Can't")
    assert "already answered" in told(again)
    answers = await rows(env.bot, "SELECT user_id, answer FROM sit_rsvps ORDER BY user_id")
    assert answers == [{"user_id": c.alice.id, "answer": "cant"}, {"user_id": c.bob.id, "answer": "maybe"}]


@restarts(RsvpButton)
async def test_buttons_and_counts_survive_a_restart(env, make_bot) -> None:
    c, _ = await sangha(env)
    await schedule(c, repeat="weekly")
    sit = await only_sit(env.bot)
    await c.alice.click(announcement(c.general, sit), label="Going")
    await restart(env, make_bot)
    assert "Going **1**" in coming(c.general, sit)
    await c.bob.click(announcement(c.general, sit), label="Going")
    assert "Going **2**" in coming(c.general, sit)
    await restart(env, make_bot, crash=True)
    await c.bob.click(announcement(c.general, sit), label="Maybe")
    assert coming(c.general, sit) == "✅ Going **1** · 🤔 Maybe **1** · 🚫 Can't **0**"


async def test_an_answer_is_for_the_next_occurrence_and_resets_after_it(env) -> None:
    c, _ = await sangha(env)
    await schedule(c, repeat="daily", when="00:30")  # 00:30–00:50 every day
    sit = await only_sit(env.bot)
    await c.alice.click(announcement(c.general, sit), label="Going")
    await env.advance_time(40 * 60)  # the sit is under way: the answer still counts
    assert "Happening now" in announcement(c.general, sit).embeds[0].description
    assert "Going **1**" in coming(c.general, sit)
    await env.advance_time(11 * 60)  # 00:51: it has ended, the announcement shows tomorrow's
    shown = announcement(c.general, sit).embeds[0]
    assert "<t:1767313800:F>" in shown.description  # 2 January 00:30 UTC
    assert "Going **0**" in coming(c.general, sit)
    await c.bob.click(announcement(c.general, sit), label="Going")
    answers = await rows(env.bot, "SELECT user_id, occurrence FROM sit_rsvps ORDER BY occurrence")
    assert answers == [
        {"user_id": c.alice.id, "occurrence": "2026-01-01T00:30:00+00:00"},  # kept (history, export)
        {"user_id": c.bob.id, "occurrence": "2026-01-02T00:30:00+00:00"},
    ]


async def test_add_to_calendar_gives_a_private_ics_file(env) -> None:
    c, zendo = await sangha(env)
    await schedule(c, repeat="weekly", voice_channel=zendo, when="mon 19:00")
    sit = await only_sit(env.bot)
    result = await c.alice.click(announcement(c.general, sit), label="Add to calendar")
    assert result.ephemeral
    (attachment,) = result.response.attachments
    assert attachment.filename == f"sit-{sit['id']}.ics"
    (event,) = Calendar.from_ical(await attachment.read()).walk("VEVENT")
    assert event.decoded("dtstart").astimezone(UTC) == datetime(2026, 1, 5, 19, 0, tzinfo=UTC)
    assert event["rrule"].to_ical() == b"FREQ=WEEKLY;BYDAY=MO;WKST=MO"
    assert "Zendo" in str(event["location"])


async def test_a_click_after_the_cog_is_removed_is_told_sits_are_unavailable(env) -> None:
    c, _ = await sangha(env)
    await schedule(c, repeat="daily")
    sit = await only_sit(env.bot)
    await env.bot.remove_cog("Sits")  # its buttons stay registered; their handler goes with the cog
    pressed = await c.alice.click(announcement(c.general, sit), label="Going")
    assert pressed.ephemeral
    assert "Sits are not available right now" in told(pressed)
