"""``/checkin summary``: each differencing attack, run through the bot, teaches the facilitator nothing.

Rules under test (see :mod:`cogs.checkins.summary`): closed days only; one check-in per member per
day (the last); only private check-ins of established accounts count, 5 needed; cells under 3 show
as "<3"; a day is frozen once published.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cogs.checkins import summary
from cogs.checkins.summary import DayRow, aggregate_day, closed_period, last_of_each_day
from tests.cogs.checkins.sim import DAY, HOUR, check_in
from tests.helpers import community, rows

JAN_1 = date(2026, 1, 1)
NOT_PUBLISHED = "not published (fewer than 5 private check-ins)"
FROZEN = "SELECT * FROM checkin_day_aggregates WHERE local_date = '2026-01-01'"


@pytest.fixture(autouse=True)
def _accounts_count_from_day_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """simcord's accounts are created at the start of the simulation; the sock-puppet test sets its own."""
    monkeypatch.setattr(summary, "MIN_ACCOUNT_AGE", timedelta(0))


def crowd(env, c, n: int, prefix: str = "member") -> list:
    return [c.guild.add_member(env.create_user(f"{prefix}{i}")) for i in range(n)]


async def read(c, days: int = 3):
    """The facilitator's summary: (description lines, the whole message) — asserting it is private."""
    result = await c.facilitator.slash(c.general, "checkin summary", days=days)
    message = result.followups[0] if result.followups else result.response
    assert message.ephemeral
    return message.embeds[0].description.splitlines(), message


def line_for(lines: list[str], day: date) -> str:
    [found] = [line for line in lines if line.startswith(f"**{day:%a} {day.day} {day:%b}**")]
    return found


async def test_a_closed_day_is_published_with_one_private_check_in_per_member(env) -> None:
    c = community(env)
    people = crowd(env, c, 6)
    await env.advance_time(10 * HOUR)  # Thu 1 Jan, 10:00 UTC
    for member in people[:4]:
        await check_in(member, c.general, word="Content", note="private thoughts of mine")
    for member in people[4:]:
        await check_in(member, c.general, zone="chaos", quadrant="high_unpleasant", word="Anxious")
    # The same member again: counts once, as their last check-in of the day.
    await check_in(people[5], c.general, zone="chaos", quadrant="high_unpleasant", word="Stressed")
    lines, message = await read(c)
    assert line_for(lines, JAN_1 - timedelta(days=1)).endswith(NOT_PUBLISHED)
    assert not any(line.startswith("**Thu 1 Jan**") for line in lines)  # today is never shown

    await env.advance_time(DAY)
    lines, message = await read(c)
    assert message.embeds[0].title == "Check-ins · Tue 30 Dec – Thu 1 Jan"
    assert line_for(lines, JAN_1) == (
        "**Thu 1 Jan** — 5–9 members · 🌊 <3 🌱 4 🧊 <3 🤝 <3 · 🌪️ <3 ☀️ <3 🍃 4 🌧️ <3"
    )
    assert lines[-1] == "**1 published day together** — 🌊 ≥0 🌱 4 🧊 ≥0 🤝 ≥0 · 🌪️ ≥0 ☀️ ≥0 🍃 4 🌧️ ≥0"
    text = "\n".join([message.embeds[0].description, *(f.value for f in message.embeds[0].fields)])
    for private in ("private thoughts", "Content", "Anxious", "Stressed"):
        assert private not in text
    for member in people:
        assert member.name not in text and str(member.id) not in text
    # The chart of the published days comes with it, described in words for screen readers.
    [chart] = message.attachments
    assert chart.filename == "checkin-summary.png" and (await chart.read()).startswith(b"\x89PNG")
    assert chart.description == message.embeds[0].description[:1024]


async def test_before_and_after_one_private_check_in_today_reads_the_same(env) -> None:
    c = community(env)
    people = crowd(env, c, 6)
    await env.advance_time(10 * HOUR)
    for member in people[:5]:
        await check_in(member, c.general)
    before, _ = await read(c)
    await check_in(people[5], c.general)
    after, _ = await read(c)
    assert after == before
    assert not any(line.startswith("**Thu 1 Jan**") for line in after)
    # Once the day has closed it is published, with all six.
    await env.advance_time(DAY)
    lines, _ = await read(c)
    assert "🌱 6" in line_for(lines, JAN_1)


async def test_shared_check_ins_never_complete_a_group(env) -> None:
    """Four share in the thread, one keeps it private: nothing is published about the fifth."""
    c = community(env)
    people = crowd(env, c, 5)
    await c.facilitator.slash(c.general, "checkin setup", channel=c.general, time="09:00")
    await env.advance_time(10 * HOUR)
    for member in people[:4]:
        await check_in(member, c.general, share=True)
    await check_in(people[4], c.general, zone="rigidity", quadrant="low_unpleasant", word="Numb")
    await env.advance_time(DAY)
    lines, _ = await read(c)
    assert line_for(lines, JAN_1).endswith(NOT_PUBLISHED)


async def test_a_delete_after_publication_changes_nothing_a_facilitator_sees(env) -> None:
    c = community(env)
    people = crowd(env, c, 5)
    await env.advance_time(10 * HOUR)
    for member in [*people, c.alice]:
        await check_in(member, c.general)
    await env.advance_time(DAY)
    before, _ = await read(c)
    assert "🌱 6" in line_for(before, JAN_1)
    frozen = await rows(env.bot, FROZEN)
    asked = await c.alice.slash(c.general, "privacy delete")
    await c.alice.click(asked.response, label="Yes, delete everything")
    assert await rows(env.bot, "SELECT * FROM checkins WHERE user_id = ?", (c.alice.id,)) == []
    after, _ = await read(c)
    assert after == before
    assert await rows(env.bot, FROZEN) == frozen


async def test_one_member_checking_in_many_times_counts_once(env) -> None:
    c = community(env)
    people = crowd(env, c, 4)
    await env.advance_time(10 * HOUR)
    for _ in range(5):
        await check_in(c.alice, c.general, zone="chaos", quadrant="high_unpleasant", word="Anxious")
    await check_in(c.alice, c.general)  # her last check-in of the day
    for member in people:
        await check_in(member, c.general)
    await env.advance_time(DAY)
    lines, _ = await read(c)
    assert line_for(lines, JAN_1) == (
        "**Thu 1 Jan** — 5–9 members · 🌊 <3 🌱 5 🧊 <3 🤝 <3 · 🌪️ <3 ☀️ <3 🍃 5 🌧️ <3"
    )


async def test_a_repeater_cant_make_up_a_group(env) -> None:
    c = community(env)
    people = crowd(env, c, 3)
    await env.advance_time(10 * HOUR)
    for _ in range(6):
        await check_in(c.alice, c.general)
    for member in people:
        await check_in(member, c.general)
    await env.advance_time(DAY)
    lines, _ = await read(c)  # 9 check-ins by 4 members
    assert line_for(lines, JAN_1).endswith(NOT_PUBLISHED)


async def test_fresh_accounts_cant_make_up_a_group(env, monkeypatch: pytest.MonkeyPatch) -> None:
    """Four sock puppets plus the target: the puppets are too new to count, so nothing is published."""
    monkeypatch.setattr(summary, "MIN_ACCOUNT_AGE", timedelta(days=1))
    c = community(env)
    await env.advance_time(DAY + HOUR)  # Fri 2 Jan, 01:00: the community's accounts are a day old
    puppets = crowd(env, c, 4, prefix="puppet")
    for puppet in puppets:
        await check_in(puppet, c.general)
    await check_in(c.alice, c.general, zone="support", quadrant="low_unpleasant", word="Hopeless")
    await env.advance_time(DAY)
    lines, _ = await read(c)
    assert line_for(lines, JAN_1 + timedelta(days=1)).endswith(NOT_PUBLISHED)


async def test_summary_is_for_facilitators_only(env) -> None:
    c = community(env)
    result = await c.alice.slash(c.general, "checkin summary")
    assert result.ephemeral and "Only facilitators" in result.response.content


async def test_summary_days_are_bounded_and_end_yesterday(env) -> None:
    c = community(env)
    lines, _ = await read(c, days=31)
    assert len(lines) == 31 + 2
    assert lines[0].startswith("**Wed 31 Dec**") and lines[30].startswith("**Mon 1 Dec**")
    assert lines[-1] == "**Period** — no day had enough private check-ins to publish"


# ------------------------------------------------------------------------ the rules alone


def row(user: int, zone: str = "within", quadrant: str = "low_pleasant", *, private: bool = True) -> DayRow:
    return DayRow(JAN_1, user, zone, quadrant, private)


def test_small_cells_and_the_member_count_hide_individuals() -> None:
    rows_ = [row(u) for u in range(1, 8)] + [row(8, "chaos", "high_unpleasant")]
    published = aggregate_day(JAN_1, rows_, min_age=timedelta(0))
    assert published.shown and published.members == 5  # 8 members, rounded down to a multiple of 5
    assert published.zones == {"chaos": None, "within": 7, "rigidity": None, "support": None}
    assert published.quadrants is not None and published.quadrants["high_unpleasant"] is None


def test_the_last_check_in_of_the_day_is_the_one_that_counts() -> None:
    kept = last_of_each_day([row(1, "chaos"), row(2), row(1, "within", private=False)])
    assert sorted((r.user_id, r.zone, r.private) for r in kept[JAN_1]) == [
        (1, "within", False),
        (2, "within", True),
    ]


def test_the_period_is_closed_days_only() -> None:
    assert closed_period(JAN_1, 7) == (JAN_1 - timedelta(days=7), JAN_1 - timedelta(days=1))
