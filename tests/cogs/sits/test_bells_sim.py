"""Reminders, opening and closing bells, the wheel guide, I sat, and the native event's lifecycle,
driven in virtual time (a daily sit 00:30–00:50 UTC; the clock starts at 00:00)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from attune.content import Content
from cogs.sits.guide_posts import guide_posts
from tests.cogs.sits.sim import announcement, bot_posts, events, only_sit, pings, sangha, schedule
from tests.helpers import rows, told

START = datetime(2026, 1, 1, 0, 30, tzinfo=UTC)


async def test_the_reminder_mentions_only_the_going_members(env) -> None:
    c, zendo = await sangha(env)
    await schedule(c, repeat="daily", voice_channel=zendo)
    sit = await only_sit(env.bot)
    await c.alice.click(announcement(c.general, sit), label="Going")
    await c.bob.click(announcement(c.general, sit), label="Maybe")
    await env.advance_time(15 * 60 - 1)
    assert bot_posts(c.general) == []
    await env.advance_time(2)  # 00:15: 15 minutes before the start
    (reminder,) = bot_posts(c.general)
    assert "**Evening sit** begins <t:1767227400:F>" in reminder.content
    assert zendo.mention in reminder.content
    assert c.alice.mention in reminder.content and c.bob.mention not in reminder.content
    assert pings(env, reminder) == [c.alice.id]
    assert not reminder.mention_everyone


async def test_opening_and_closing_bells_carry_the_voice_channel_words_and_i_sat(
    env, content: Content
) -> None:
    c, zendo = await sangha(env)
    await schedule(c, repeat="daily", voice_channel=zendo, reminder=0)
    await env.advance_time(30 * 60)
    (opening,) = bot_posts(c.general)
    assert opening.content.startswith("🔔 **Evening sit** begins now")
    assert f"Join {zendo.mention}" in opening.content and "20 minutes" in opening.content
    assert any(words in opening.content for words in content.sits.opening_words)
    assert "Posted late" not in opening.content
    await env.advance_time(20 * 60)
    closing = bot_posts(c.general)[-1]
    assert closing.content.startswith("🔔 **Evening sit** has ended.")
    assert any(words in closing.content for words in content.sits.closing_words)
    assert [child.label for row in closing.components for child in row.children] == ["I sat"]
    assert all(pings(env, m) == [] for m in bot_posts(c.general))
    assert [m.id for m in bot_posts(c.general)] == [opening.id, closing.id]  # no reminder post
    ledger = await rows(env.bot, "SELECT kind FROM deliveries ORDER BY id")
    assert "sits.reminder" not in {r["kind"] for r in ledger}  # reminder: 0 = none, not even attempted


async def test_people_in_the_voice_channel_and_i_sat_make_the_count(env) -> None:
    c, zendo = await sangha(env)
    await schedule(c, repeat="daily", voice_channel=zendo, reminder=0)
    await env.advance_time(25 * 60)
    await c.alice.join_voice(zendo)  # five minutes early
    await env.advance_time(25 * 60)  # 00:50: the sit has ended
    closing = bot_posts(c.general)[-1]
    assert "**1 person sat with us.**" in closing.content
    clicked = await c.bob.click(closing, label="I sat")
    assert "Counted" in told(clicked)
    closing = bot_posts(c.general)[-1]
    assert "**2 people sat together.**" in closing.content
    again = await c.bob.click(closing, label="I sat")
    assert "already counted" in told(again)
    assert "**2 people sat together.**" in bot_posts(c.general)[-1].content
    attended = await rows(env.bot, "SELECT user_id, source, minutes FROM sit_attendance ORDER BY source DESC")
    assert attended == [
        {"user_id": c.alice.id, "source": "voice", "minutes": 20},
        {"user_id": c.bob.id, "source": "button", "minutes": 20},
    ]
    await c.alice.leave_voice()
    await env.advance_time(24 * 3600 + 60)
    late = await c.facilitator.click(closing, label="I sat")
    assert "more than a day ago" in told(late) and "/sit log" in told(late)
    assert len(await rows(env.bot, "SELECT user_id FROM sit_attendance")) == 2


async def test_a_wheel_guided_sit_posts_the_steps_paced_through_it(env, content: Content) -> None:
    c, zendo = await sangha(env)
    await schedule(c, repeat="daily", voice_channel=zendo, reminder=0, guide="wheel")
    posts = guide_posts(content.wheel, 20)

    def guide_messages() -> list:  # type: ignore[type-arg]
        return [
            m for m in c.general.history() if m.embeds and m.embeds[0].title.startswith("Wheel of Awareness")
        ]

    await env.advance_time(30 * 60)
    assert len(guide_messages()) == 1  # with the opening bell: the hub
    assert guide_messages()[0].embeds[0].description.startswith(f"**{posts[0].steps[0].step.title}**")
    await env.advance_time(posts[1].offset.total_seconds())
    assert len(guide_messages()) == 2
    await env.advance_time(20 * 60)
    shown = guide_messages()
    assert len(shown) == len(posts)
    assert [m.embeds[0].footer.text for m in shown][-1].endswith(f"of {posts[0].steps[0].total}")
    times = await rows(env.bot, "SELECT occurrence FROM deliveries WHERE kind = 'sits.guide' ORDER BY id")
    assert [datetime.fromisoformat(r["occurrence"]) - START for r in times] == [p.offset for p in posts[1:]]


async def test_the_native_event_is_started_completed_and_the_next_one_created(env) -> None:
    c, zendo = await sangha(env)
    await schedule(c, repeat="daily", voice_channel=zendo, reminder=0)
    (event,) = events(env, c.guild)
    assert event.status == 1  # scheduled
    await env.advance_time(29 * 60)
    status = await env.bot.scheduler.run("sits.event_start", "1", START)
    assert status == "posted"
    assert event.status == 2  # our bell set it active
    patched = [r.json for r in env.http_requests if r.method == "PATCH" and "scheduled-events" in r.path]
    assert patched == [{"status": 2}]
    await env.advance_time(21 * 60 + 1)
    assert event.status == 3  # completed at the end
    _, new = events(env, c.guild)
    assert new.status == 1 and new.scheduled_start_time.startswith("2026-01-02T00:30:00")
    sit = await only_sit(env.bot)
    assert (sit["event_id"], sit["event_at"]) == (new.id, "2026-01-02T00:30:00+00:00")


async def test_a_one_off_sit_ends_cleanly(env) -> None:
    c, zendo = await sangha(env)
    await schedule(c, voice_channel=zendo, reminder=0)
    await env.advance_time(51 * 60)
    sit = await only_sit(env.bot)
    assert sit["status"] == "ended"
    message = announcement(c.general, sit)
    assert "has ended" in message.embeds[0].description
    assert message.components == []
    assert len(events(env, c.guild)) == 1  # no next one
    assert bot_posts(c.general)[-1].content.startswith("🔔 **Evening sit** has ended.")
    listed = await c.alice.slash(c.general, "sit list")
    assert "No sits" in told(listed)
    await env.advance_time(timedelta(days=2).total_seconds())
    assert len(bot_posts(c.general)) == 2  # nothing more was posted
