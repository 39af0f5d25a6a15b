"""``/checkin summary``: counts by zone and quadrant per day, only for groups of 5+, never people."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from cogs.checkins.service import NewCheckin
from tests.cogs.checkins.steps import check_in, cog
from tests.helpers import community

TODAY = date(2026, 1, 1)


def seeded(
    guild_id: int, user_id: int, day: date, zone: str, word: str, quadrant: str, note: str
) -> NewCheckin:
    return NewCheckin(
        guild_id=guild_id,
        user_id=user_id,
        created_at=datetime(day.year, day.month, day.day, tzinfo=UTC)
        - timedelta(hours=1)
        + timedelta(days=1),
        local_date=day,
        zone=zone,
        word=word,
        quadrant=quadrant,
        energy=3 if quadrant.startswith("high") else -3,
        pleasantness=3 if quadrant.endswith("_pleasant") else -3,
        note=note,
        visibility="private",
    )


def summary_text(result) -> str:
    message = result.followups[0] if result.followups else result.response
    embed = message.embeds[0]
    return "\n".join(
        [message.content, embed.title or "", embed.description or ""] + [f.value for f in embed.fields]
    )


async def test_days_under_five_members_are_hidden_and_no_person_word_or_note_appears(env) -> None:
    c = community(env)
    members = [c.alice, c.bob] + [c.guild.add_member(env.create_user(f"member{n}")) for n in range(4)]
    yesterday = TODAY - timedelta(days=1)
    rows = [
        seeded(c.guild.id, m.id, yesterday, "within", "Serene", "low_pleasant", f"secret note {n}")
        for n, m in enumerate(members[:4])
    ]
    rows += [
        seeded(
            c.guild.id, members[0].id, TODAY - timedelta(days=3), "support", "Hopeless", "low_unpleasant", "x"
        )
    ]
    await cog(env).service.add_checkins_batch(rows)
    # Today six members check in through the flow: 4 within, 2 revved up (one of them twice).
    for member in members[:4]:
        await check_in(member, c.general, word="Content", note="private thoughts of mine")
    for member in members[4:]:
        await check_in(member, c.general, zone="chaos", quadrant="high_unpleasant", word="Anxious")
    await check_in(members[5], c.general, zone="chaos", quadrant="high_unpleasant", word="Stressed")

    result = await c.facilitator.slash(c.general, "checkin summary")
    assert result.ephemeral
    text = summary_text(result)
    lines = (result.followups[0] if result.followups else result.response).embeds[0].description.splitlines()
    assert lines[0] == "**Thu 1 Jan** — 6 members, 7 check-ins · 🌊 3 🌱 4 🧊 0 🤝 0 · 🌪️ 3 ☀️ 0 🍃 4 🌧️ 0"
    assert lines[1] == "**Wed 31 Dec** — too few to show"  # four members
    assert lines[3] == "**Mon 29 Dec** — too few to show"  # one member
    assert len([line for line in lines if line.startswith("**") and "—" in line]) == 7 + 1
    assert lines[-1] == "**Shown days together** — 7 check-ins · 🌊 3 🌱 4 🧊 0 🤝 0 · 🌪️ 3 ☀️ 0 🍃 4 🌧️ 0"
    for private in (
        "secret note",
        "private thoughts",
        "Content",
        "Anxious",
        "Stressed",
        "Serene",
        "Hopeless",
    ):
        assert private not in text
    for member in members:
        assert member.name not in text and str(member.id) not in text


async def test_a_period_without_five_members_on_any_day_is_too_few_to_show(env) -> None:
    c = community(env)
    for member in (c.alice, c.bob, c.facilitator):
        await check_in(member, c.general, note="mine")
    result = await c.facilitator.slash(c.general, "checkin summary", days=3)
    lines = (result.followups[0] if result.followups else result.response).embeds[0].description.splitlines()
    assert lines == [
        "**Thu 1 Jan** — too few to show",
        "**Wed 31 Dec** — too few to show",
        "**Tue 30 Dec** — too few to show",
        "",
        "**Period** — too few to show",
    ]


async def test_summary_is_for_facilitators_only(env) -> None:
    c = community(env)
    result = await c.alice.slash(c.general, "checkin summary")
    assert result.ephemeral and "Only facilitators" in result.response.content


async def test_summary_days_are_bounded(env) -> None:
    c = community(env)
    result = await c.facilitator.slash(c.general, "checkin summary", days=31)
    lines = (result.followups[0] if result.followups else result.response).embeds[0].description.splitlines()
    assert len(lines) == 31 + 2
