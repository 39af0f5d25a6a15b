"""Forged custom_ids, for every component and modal handler: each is refused and changes nothing.

A modified client can press a button that isn't on the message, with any state in its custom_id
(another member's id, another sit, an invented start time), or submit a modal the bot never
showed. A component must be on the message it is pressed on (discord.py matches a dynamic item
against the message Discord fills in, and drops the press otherwise); modals carry no message, so
their handlers check every id themselves (guild, channel, a real prompt, a known zone and word).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.forge import forged_click, forged_modal, told
from tests.helpers import community, rows

STATE_TABLES = ("sit_rsvps", "sit_attendance", "support_alerts", "wheel_reflections", "checkins")


def forged_ids(sit_id: int, start: int, bob: int) -> list[str]:
    """One forged custom_id for every kind of component the bot answers."""
    return [
        "checkin:start",
        "checkin:zone:chaos",
        "checkin:zone:support:go",
        "checkin:alert",
        "checkin:support",
        "checkin:retry:within:Content",
        "checkin:quad:within",
        "checkin:word:within:low_pleasant",
        f"sit:{sit_id}:going",
        f"sit:{sit_id}:ics",
        f"sit:{sit_id}:{start + 86_400}:sat",
        f"privacy:delete:{bob}",
        f"privacy:keep:{bob}",
        "wheel:practice:deadbeef:end",
        "wheel:practice-reflect:full",
        "wheel:reflect:hub:0",
        f"wheel:journal:{bob}:0",
        "ep:b:n:1::",
        "ep:i:n:1:7",
        "ep:r:",
    ]


async def state(bot: Any) -> dict[str, list[dict[str, Any]]]:
    return {table: await rows(bot, f"SELECT * FROM {table}") for table in STATE_TABLES}  # noqa: S608


async def a_sit(c: Any) -> dict[str, Any]:
    await c.facilitator.slash(c.general, "sit schedule", title="Evening sit", when="00:30")
    [sit] = await rows(c.facilitator._env.bot, "SELECT * FROM sits")
    return sit


def message(channel: Any, message_id: int) -> Any:
    return next(m for m in channel.history() if m.id == message_id)


def snapshot(found: Any) -> tuple[Any, ...]:
    return (found.content, [e.to_dict() for e in found.embeds], [c.to_dict() for c in found.components])


async def test_every_registered_component_has_a_forged_case(env) -> None:
    ids = forged_ids(1, 1_767_227_400, 42)
    registered = env.bot._connection._view_store._dynamic_items.values()
    missing = [
        item.__name__
        for item in registered
        if not any(item.__discord_ui_compiled_template__.fullmatch(i) for i in ids)
    ]
    assert missing == []


@pytest.mark.parametrize("index", range(len(forged_ids(1, 0, 2))))
async def test_a_forged_component_is_refused_and_changes_nothing(env, index: int) -> None:
    c = community(env)
    sit = await a_sit(c)
    prompt = (await c.facilitator.slash(c.general, "wheel prompt", segment="senses")).response
    announcement = message(c.general, sit["announcement_id"])
    start = int(env.bot.clock().replace(hour=0, minute=30).timestamp())
    custom_id = forged_ids(sit["id"], start, c.bob.id)[index]
    # A sit button is forged onto the wheel prompt; every other button onto the sit's announcement.
    target = prompt if custom_id.startswith("sit:") else announcement
    before, stored = snapshot(message(c.general, target.id)), await state(env.bot)

    result = await forged_click(env, c.alice, c.general, target, custom_id)

    assert result.response is None and result.followups == [] and result.modal is None
    assert snapshot(message(c.general, target.id)) == before
    assert await state(env.bot) == stored


async def test_an_i_sat_with_an_invented_start_is_refused_on_the_real_closing_bell(env) -> None:
    c = community(env)
    sit = await a_sit(c)
    await env.advance_time(60 * 60)  # the sit at 00:30 ran and its closing bell is posted
    closing = next(m for m in c.general.history() if "I sat" in str(m.components))
    real = closing.components[0].children[0].custom_id
    start = int(real.split(":")[2])
    for invented in (start + 86_400, start - 3_600, 1):
        result = await forged_click(env, c.alice, c.general, closing, f"sit:{sit['id']}:{invented}:sat")
        assert result.response is None and result.followups == []
    assert await rows(env.bot, "SELECT * FROM sit_attendance WHERE source = 'button'") == []
    # The real button still counts the member.
    counted = await c.alice.click(closing, label="I sat")
    assert "Counted" in told(counted).content
    [counted_row] = await rows(env.bot, "SELECT occurrence, user_id FROM sit_attendance")
    assert counted_row["user_id"] == c.alice.id
    assert datetime.fromisoformat(counted_row["occurrence"]).timestamp() == start


async def test_a_reflection_forged_from_another_guilds_prompt_is_refused(env) -> None:
    a = community(env, "Sangha A")
    prompt = (await a.facilitator.slash(a.general, "wheel prompt", segment="hub")).response
    reflect_id = prompt.components[0]["components"][0]["custom_id"]  # an interaction result's dict
    _, _, segment, index = reflect_id.split(":")
    other = env.create_guild("Sangha B")
    general_b = other.create_text_channel("general")
    mallory = other.add_member(env.create_user("mallory"))

    result = await forged_modal(
        mallory,
        general_b,
        f"wheel:rm:{prompt.id}:{segment}:{index}",
        {"reflection": "Posted where it doesn't belong.", "visibility": ["share"]},
    )

    assert "isn't a prompt I posted here" in told(result).content
    assert await rows(env.bot, "SELECT * FROM wheel_reflections") == []
    assert general_b.threads == [] and a.general.threads == []
    assert [m for m in general_b.history() if m.author.bot] == []


async def test_a_reflection_forged_onto_a_message_that_is_no_prompt_opens_no_thread(env) -> None:
    c = community(env)
    sit = await a_sit(c)
    result = await forged_modal(
        c.alice,
        c.general,
        f"wheel:rm:{sit['announcement_id']}:hub:0",
        {"reflection": "A thread on the announcement?", "visibility": ["share"]},
    )
    assert "isn't a prompt I posted here" in told(result).content
    assert c.general.threads == []
    assert await rows(env.bot, "SELECT * FROM wheel_reflections") == []


async def test_a_check_in_modal_with_an_invented_zone_or_word_saves_nothing(env) -> None:
    c = community(env)
    for custom_id in ("checkin:note:panic:Content", "checkin:note:within:Exfiltrated"):
        result = await forged_modal(c.alice, c.general, custom_id, {"note": "x", "visibility": ["shared"]})
        assert "no longer valid" in told(result).content
    assert await rows(env.bot, "SELECT * FROM checkins") == []
