"""``/wheel journal`` (newest first, paged, private) and the wheel's part of ``/privacy``."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from attune.content import Content
from cogs.wheel.views import JournalPageButton
from tests.helpers import answer, community, restart, restarts, rows

pytestmark = pytest.mark.both_backends


def labels(message: Any) -> list[tuple[str, bool]]:
    return [(c["label"], c.get("disabled", False)) for row in message.components for c in row["components"]]


async def write(env: Any, member: Any, body: str, **fields: Any) -> None:
    fields.setdefault("source", "prompt")
    if fields["source"] == "prompt":
        fields.setdefault("segment", "senses")
        fields.setdefault("prompt", "What do you hear?")
    await env.bot.get_cog("Wheel").store.save_reflection(
        user_id=member.id, guild_id=member.guild.id, body=body, **fields
    )
    await env.advance_time(60)


async def test_an_empty_journal_says_how_to_start(env) -> None:
    c = community(env)
    result = await c.alice.slash(c.general, "wheel journal")
    assert result.ephemeral
    assert "No reflections yet" in result.response.embeds[0].description
    assert result.response.components == []


async def test_the_journal_is_newest_first_paged_and_private(env, content: Content) -> None:
    c = community(env)
    for n in range(6):
        await write(env, c.alice, f"note {n}", segment=["hub", "senses", "mental"][n % 3])
    await write(env, c.alice, "after practice", source="practice", practice_length="full")
    await write(env, c.bob, "bob's own words")
    result = await c.alice.slash(c.general, "wheel journal")
    assert result.ephemeral
    page = result.response.embeds[0]
    assert page.footer.text == "Page 1 of 2"
    assert "7 reflections" in page.description
    bodies = [f.value.splitlines()[-1] for f in page.fields]
    assert bodies == ["after practice", "note 5", "note 4", "note 3", "note 2"]
    assert page.fields[0].name == "After a full practice · private"
    assert page.fields[1].name == f"{content.wheel.segment('mental').name} · private"
    assert all(re.match(r"<t:\d+:F>", f.value) for f in page.fields)
    assert "*What do you hear?*" in page.fields[1].value
    assert labels(result.response) == [("◀ Newer", True), ("Older ▶", False)]

    older = await c.alice.click(result.response, label="Older ▶")
    second = older.response.embeds[0]
    assert second.footer.text == "Page 2 of 2"
    assert [f.value.splitlines()[-1] for f in second.fields] == ["note 1", "note 0"]
    assert labels(older.response) == [("◀ Newer", False), ("Older ▶", True)]
    newer = await c.alice.click(older.response, label="◀ Newer")
    assert newer.response.embeds[0].footer.text == "Page 1 of 2"
    assert "bob's own words" not in str(newer.response.embeds[0].to_dict())


@restarts(JournalPageButton)
async def test_journal_buttons_work_after_a_restart(env, make_bot) -> None:
    c = community(env)
    for n in range(6):
        await write(env, c.alice, f"note {n}")
    result = await c.alice.slash(c.general, "wheel journal")
    await restart(env, make_bot)
    older = await c.alice.click(result.response, label="Older ▶")
    assert [f.value.splitlines()[-1] for f in older.response.embeds[0].fields] == ["note 0"]


async def test_a_shared_reflection_is_marked_in_the_journal(env) -> None:
    c = community(env)
    prompt = (await c.alice.slash(c.general, "wheel prompt", segment="hub")).response
    shown = await c.bob.click(prompt, label="Reflect")
    await c.bob.submit_modal(shown, {"reflection": "Open sky.", "visibility": ["share"]})
    result = await c.bob.slash(c.general, "wheel journal")
    [entry] = result.response.embeds[0].fields
    assert entry.name.endswith("· shared in the thread")
    assert entry.value.endswith("Open sky.")


async def test_privacy_export_contains_the_reflections(env) -> None:
    c = community(env)
    await write(env, c.alice, "kept", segment="relational", prompt="Who steadies you?")
    await write(env, c.bob, "not alice's")
    result = await c.alice.slash(c.general, "privacy export")
    message = answer(result)
    data = json.loads(await message.attachments[0].read())
    assert [r["reflection"] for r in data["wheel"]["reflections"]] == ["kept"]
    entry = data["wheel"]["reflections"][0]
    assert entry["segment"] == "relational" and entry["prompt"] == "Who steadies you?"
    assert entry["guild_id"] == str(c.guild.id) and entry["shared"] is False


async def test_privacy_delete_removes_reflections_and_takes_down_shared_ones(env) -> None:
    c = community(env)
    prompt = (await c.alice.slash(c.general, "wheel prompt", segment="senses")).response
    for member, text in ((c.bob, "Bob shares."), (c.alice, "Alice shares.")):
        shown = await member.click(prompt, label="Reflect")
        await member.submit_modal(shown, {"reflection": text, "visibility": ["share"]})
    await write(env, c.bob, "private too")
    [thread] = c.general.threads
    assert len([m for m in thread.history() if "reflects:" in m.content]) == 2
    asked = await c.bob.slash(c.general, "privacy delete")
    done = await c.bob.click(asked.response, label="Yes, delete everything")
    assert "wheel: 2" in done.response.content
    assert await rows(env.bot, "SELECT body FROM wheel_reflections") == [{"body": "Alice shares."}]
    left = [m.content for m in thread.history() if "reflects:" in m.content]
    assert left == [f"{c.alice.mention} reflects:\n>>> Alice shares."]
