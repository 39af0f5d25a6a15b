"""What any member can do: `/sit list`, `/sit calendar`, `/sit log`, `/sit stats`, and `/privacy`."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from icalendar import Calendar
from simcord import OptionError

from tests.cogs.sits.sim import announcement, field, only_sit, sangha, schedule
from tests.helpers import answer, refused, rows, told


async def test_list_shows_upcoming_occurrences_with_rsvp_counts(env) -> None:
    c, zendo = await sangha(env)
    await schedule(c, title="Evening sit", when="19:00", repeat="daily", voice_channel=zendo)
    await schedule(c, title="Monthly retreat", when="2026-01-20 09:00", repeat="monthly", duration=120)
    sit = (await rows(env.bot, "SELECT * FROM sits ORDER BY id"))[0]
    await c.alice.click(announcement(c.general, sit), label="Going")
    result = await c.bob.slash(c.general, "sit list", days=3)
    assert result.ephemeral
    embed = result.response.embeds[0]
    assert embed.title == "Sits in the next 3 days"
    lines = embed.description.split("\n")
    assert lines[0] == f"<t:1767294000:F> · **Evening sit** · 20 min · {zendo.mention}"
    assert "Going **1**" in lines[1]
    assert len([line for line in lines if "Evening sit" in line]) == 3
    assert "Monthly retreat" not in embed.description
    one_day = await c.bob.slash(c.general, "sit list", days=1)
    assert one_day.response.embeds[0].title == "Sits in the next 1 day"
    month = await c.bob.slash(c.general, "sit list", days=30)
    assert "Monthly retreat" in month.response.embeds[0].description
    for days in (400, 91, 0, -3):  # Discord holds days to 1–90 before the bot sees them
        with pytest.raises(OptionError, match=r"must be [≤≥]"):
            await c.bob.slash(c.general, "sit list", days=days)


async def test_calendar_holds_every_sit_of_the_server(env) -> None:
    c, _ = await sangha(env)
    nothing = await c.alice.slash(c.general, "sit calendar")
    refused(nothing, "No sits are scheduled")
    assert nothing.response.attachments == []
    await schedule(c, title="Evening sit", when="19:00", repeat="daily")
    await schedule(c, title="Retreat", when="2026-02-01 09:00")
    result = await c.alice.slash(c.general, "sit calendar")
    assert result.ephemeral
    attachment = result.response.attachments[0]
    assert attachment.filename == "sits.ics"
    parsed = Calendar.from_ical(await attachment.read())
    assert sorted(str(e["summary"]) for e in parsed.walk("VEVENT")) == ["Evening sit", "Retreat"]
    one = await c.alice.slash(c.general, "sit calendar", sit="Retreat")
    assert one.ephemeral and [a.filename for a in one.response.attachments] == ["sit-2.ics"]


async def test_calendar_of_an_unknown_sit_says_how_to_pick_one(env) -> None:
    c, _ = await sangha(env)
    await schedule(c, title="Evening sit")
    result = await c.alice.slash(c.general, "sit calendar", sit="Full moon")
    refused(result, "couldn't find", "“Full moon”", "`sit`", "/sit list")
    assert result.response.attachments == []


async def test_log_and_stats(env) -> None:
    c, zendo = await sangha(env)
    await schedule(c, voice_channel=zendo, reminder=0)
    await env.advance_time(30 * 60)
    await c.alice.join_voice(zendo)
    await c.bob.join_voice(zendo)
    await env.advance_time(20 * 60)
    logged = await c.alice.slash(c.general, "sit log", minutes=15, note="@everyone quiet morning")
    assert logged.ephemeral and "Logged **15 minutes**" in told(logged)
    assert [m for m in c.general.history() if "quiet morning" in m.content] == []
    stats = await c.alice.slash(c.general, "sit stats")
    assert stats.ephemeral
    values = {f.name: f.value for f in stats.response.embeds[0].fields}
    assert values["Group sits"] == "1"
    assert values["Minutes"] == "35 minutes (20 in sits, 15 solo)"
    assert values["Weeks in a row"] == "You've practised this week."
    assert values["Together"] == "You sat with **1 person**."
    for options, says in (({"minutes": 0}, "must be ≥ 1"), ({"note": "x" * 501}, "at most 500 characters")):
        with pytest.raises(OptionError, match=says):  # the limits travel with the command to Discord
            await c.alice.slash(c.general, "sit log", **{"minutes": 10, **options})
    assert len(await rows(env.bot, "SELECT id FROM sit_logs")) == 1


async def test_stats_never_show_a_zero_streak(env) -> None:
    c, _ = await sangha(env)
    for weeks_ago in (3, 4, 5):  # a run of three weeks that ended before the last two quiet ones
        await env.bot.db.execute(
            "INSERT INTO sit_logs (guild_id, user_id, minutes, logged_at) VALUES (?, ?, 1, ?)",
            (c.guild.id, c.alice.id, (env.bot.clock() - timedelta(weeks=weeks_ago)).isoformat()),
        )
    stats = await c.alice.slash(c.general, "sit stats")
    embed = stats.response.embeds[0]
    values = {f.name: f.value for f in embed.fields}
    assert "Weeks in a row" not in values
    assert values["Minutes"] == "3 minutes (0 in sits, 3 solo)"
    shown = " ".join(f"{f.name} {f.value}" for f in embed.fields)
    assert "0 week" not in shown and "streak" not in shown.lower() and "longest" not in shown


async def test_privacy_export_and_delete_cover_sits(env) -> None:
    c, zendo = await sangha(env)
    await schedule(c, voice_channel=zendo, reminder=0, repeat="daily")
    sit = await only_sit(env.bot)
    await c.alice.click(announcement(c.general, sit), label="Going")
    await c.bob.click(announcement(c.general, sit), label="Going")
    await c.alice.join_voice(zendo)
    await env.advance_time(50 * 60)
    await c.alice.slash(c.general, "sit log", minutes=10, note="evening walk")
    await c.alice.click(announcement(c.general, sit), label="Maybe")  # for tomorrow's sit

    exported = await c.alice.slash(c.general, "privacy export")
    message = answer(exported)
    assert message.ephemeral  # personal data is shown to the member alone
    data = json.loads(await message.attachments[0].read())["sits"]
    assert [(r["occurrence"][:10], r["answer"]) for r in data["rsvps"]] == [
        ("2026-01-01", "going"),
        ("2026-01-02", "maybe"),
    ]
    assert [(r["sit_title"], r["source"]) for r in data["attendance"]] == [("Evening sit", "voice")]
    assert [r["note"] for r in data["practice_logs"]] == ["evening walk"]
    assert data["voice_sessions"][0]["channel_id"] == str(zendo.id)

    asked = await c.alice.slash(c.general, "privacy delete")
    assert asked.ephemeral
    deleted = await c.alice.click(asked.response, label="Yes, delete everything")
    assert answer(deleted).ephemeral
    for table in ("sit_rsvps", "sit_attendance", "sit_logs", "sit_voice_sessions"):
        assert await rows(env.bot, f"SELECT * FROM {table} WHERE user_id = ?", (c.alice.id,)) == []  # noqa: S608
    assert await rows(env.bot, "SELECT user_id FROM sit_rsvps") == [{"user_id": c.bob.id}]
    assert "Maybe **0**" in field(announcement(c.general, sit), "Who's coming")
