"""``/checkin history``: a private PNG chart, streak, most-named feelings and the chart in words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from cogs.checkins.charts import render_history
from cogs.checkins.models import NewCheckin
from cogs.checkins.stats import Entry, history_data
from tests.cogs.checkins.sim import ZONE_LABELS, check_in, cog
from tests.helpers import answer, community, slow_renders

pytestmark = slow_renders  # the chart is rendered in a worker thread

PNG = b"\x89PNG\r\n\x1a\n"


def past(c, user_id: int, days_ago: int, zone: str, word: str, quadrant: str, energy: int, pleasant: int):
    day = date(2026, 1, 1) - timedelta(days=days_ago)
    return NewCheckin(
        guild_id=c.guild.id,
        user_id=user_id,
        created_at=datetime(day.year, day.month, day.day, 8, tzinfo=UTC),
        local_date=day,
        zone=zone,
        word=word,
        quadrant=quadrant,
        energy=energy,
        pleasantness=pleasant,
        note="private words",
        visibility="private",
    )


async def test_history_is_a_private_png_with_streak_words_and_a_text_summary(env) -> None:
    c = community(env)
    seeded = [past(c, c.alice.id, n, "chaos", "Anxious", "high_unpleasant", 3, -3) for n in (1, 2, 3)]
    seeded += [past(c, c.alice.id, 12, "rigidity", "Numb", "low_unpleasant", -4, -2)]
    seeded += [past(c, c.bob.id, 1, "within", "Joyful", "high_pleasant", 3, 5)]  # someone else's
    await cog(env).service.store.add_checkins_batch(seeded)
    await check_in(c.alice, c.general, word="Calm")  # today

    result = await c.alice.slash(c.general, "checkin history")
    assert result.ephemeral
    message = answer(result)
    [attachment] = message.attachments
    assert attachment.filename == "checkin-history.png"
    assert (await attachment.read()).startswith(PNG)
    embed = message.embeds[0]
    assert embed.image.url == "attachment://checkin-history.png"
    run = next(f.value for f in embed.fields if f.name == "Showing up")
    assert run == "You've checked in 4 days in a row."
    assert next(f.value for f in embed.fields if f.name == "Most named") == "Anxious (3), Calm (1), Numb (1)"
    summary = embed.description
    assert "you checked in 5 times, on 5 of 30 days" in summary
    assert "chaos / revved up 3 times" in summary and "joyful" not in summary.lower()
    assert "private words" not in summary  # notes are never part of the chart
    assert attachment.description == summary[:1024]  # the alt text: what the chart shows, in words


async def test_history_with_a_shorter_window(env) -> None:
    c = community(env)
    await cog(env).service.store.add_checkins_batch(
        [past(c, c.alice.id, 20, "chaos", "Anxious", "high_unpleasant", 3, -3)]
    )
    await check_in(c.alice, c.general, word="Calm")
    result = await c.alice.slash(c.general, "checkin history", days=7)
    message = answer(result)
    assert "you checked in once, on 1 of 7 days" in message.embeds[0].description


async def test_history_without_checkins_says_so_clearly(env) -> None:
    c = community(env)
    result = await c.alice.slash(c.general, "checkin history")
    assert result.ephemeral
    message = answer(result)
    assert message.attachments == []
    assert "You haven't checked in here in the last 30 days" in message.content
    assert "/checkin now" in message.content


def test_the_chart_renders_for_one_day_and_for_a_year() -> None:
    today = date(2026, 6, 1)
    entries = [
        Entry(datetime(2026, 6, 1, 9, tzinfo=UTC), today, "within", "Calm", "low_pleasant", -3, 3),
        Entry(
            datetime(2026, 1, 5, 9, tzinfo=UTC),
            date(2026, 1, 5),
            "support",
            "Heavy",
            "low_unpleasant",
            -3,
            -4,
        ),
    ]
    for days in (1, 365):
        png = render_history(history_data(entries, today=today, days=days, streak_days=1), ZONE_LABELS)
        assert png.startswith(PNG) and len(png) > 5_000


def test_the_mood_map_has_every_checkin_oldest_first_in_the_communitys_colours() -> None:
    today = date(2026, 6, 1)
    entries = [
        Entry(datetime(2026, 6, 1, 9, tzinfo=UTC), today, "within", "Calm", "low_pleasant", -3, 3),
        Entry(
            datetime(2026, 5, 30, 9, tzinfo=UTC),
            date(2026, 5, 30),
            "chaos",
            "Tense",
            "high_unpleasant",
            3,
            -2,
        ),
        Entry(datetime(2026, 6, 1, 8, tzinfo=UTC), today, "within", "Focused", "high_pleasant", 1, 1),
    ]
    data = history_data(entries, today=today, days=7, streak_days=1)
    assert data.moods == ((3, -2, "high_unpleasant"), (1, 1, "high_pleasant"), (-3, 3, "low_pleasant"))
    png = render_history(data, ZONE_LABELS, {"low_pleasant": "#000000"})
    assert png.startswith(PNG) and len(png) > 5_000
