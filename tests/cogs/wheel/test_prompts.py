"""``/wheel prompt`` and its Reflect button: private reflections, shared ones in the thread, no pings."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from attune.content import Content
from cogs.wheel.views import PromptReflectButton
from tests.helpers import community, pings_nobody, restart, restarts, rows, told

pytestmark = pytest.mark.both_backends


def labels(message: Any) -> list[str]:
    return [c["label"] for row in message.components for c in row["components"]]


async def post_prompt(env: Any, c: Any, **options: Any) -> Any:
    result = await c.alice.slash(c.general, "wheel prompt", **options)
    assert not result.ephemeral  # the prompt is for the channel
    return result.response


async def reflect(member: Any, prompt: Any, text: str, visibility: str) -> Any:
    shown = await member.click(prompt, label="Reflect")
    assert shown.modal is not None
    return await member.submit_modal(shown, {"reflection": text, "visibility": [visibility]})


async def test_a_prompt_is_posted_with_a_reflect_button(env, content: Content) -> None:
    c = community(env)
    prompt = await post_prompt(env, c, segment="senses")
    embed = prompt.embeds[0]
    assert embed.title == f"Wheel of Awareness · {content.wheel.segment('senses').name}"
    assert embed.description.strip("*") in content.wheel.prompts["senses"]
    assert labels(prompt) == ["Reflect"]
    assert prompt.components[0]["components"][0]["custom_id"].startswith("wheel:reflect:senses:")
    stored = await rows(env.bot, "SELECT segment, prompt, thread_id, delivery_id FROM wheel_prompt_posts")
    assert stored == [
        {"segment": "senses", "prompt": embed.description.strip("*"), "thread_id": None, "delivery_id": None}
    ]


async def test_without_a_segment_any_part_of_the_wheel_may_come(env, content: Content) -> None:
    c = community(env)
    prompt = await post_prompt(env, c)
    text = prompt.embeds[0].description.strip("*")
    assert any(text in prompts for prompts in content.wheel.prompts.values())


async def test_the_modal_offers_private_or_shared_with_private_by_default(env) -> None:
    c = community(env)
    prompt = await post_prompt(env, c, segment="hub")
    shown = await c.bob.click(prompt, label="Reflect")
    modal = shown.modal
    assert modal["components"][0]["type"] == 10  # the prompt's words, shown above the box
    assert prompt.embeds[0].description in modal["components"][0]["content"]
    select = modal["components"][2]["component"]
    assert [(o["value"], o.get("default", False)) for o in select["options"]] == [
        ("private", True),
        ("share", False),
    ]


async def test_a_private_reflection_goes_only_to_the_journal(env) -> None:
    c = community(env)
    prompt = await post_prompt(env, c, segment="mental")
    done = await reflect(c.bob, prompt, "A plan kept returning.", "private")
    assert done.ephemeral and "Saved privately" in told(done)
    assert c.general.threads == []
    assert [m.content for m in c.general.history() if "plan kept" in m.content] == []
    saved = await rows(
        env.bot, "SELECT user_id, source, segment, prompt, body, shared_message_id FROM wheel_reflections"
    )
    assert saved == [
        {
            "user_id": c.bob.id,
            "source": "prompt",
            "segment": "mental",
            "prompt": prompt.embeds[0].description.strip("*"),
            "body": "A plan kept returning.",
            "shared_message_id": None,
        }
    ]


async def test_a_shared_reflection_lands_in_the_thread_opened_on_first_share(env) -> None:
    c = community(env)
    prompt = await post_prompt(env, c, segment="relational")
    assert c.general.threads == []
    first = await reflect(c.bob, prompt, "My neighbour's kindness.", "share")
    assert first.ephemeral and "shared in" in told(first)
    threads = c.general.threads
    assert len(threads) == 1
    thread = threads[0]
    assert thread.name.startswith("Reflections · ")
    await reflect(c.alice, prompt, "The group this morning.", "share")
    assert len(c.general.threads) == 1  # the same thread for every share
    posts = [m for m in thread.history() if "reflects:" in m.content]
    assert [m.content for m in posts] == [
        f"{c.bob.mention} reflects:\n>>> My neighbour's kindness.",
        f"{c.alice.mention} reflects:\n>>> The group this morning.",
    ]
    stored = await rows(
        env.bot, "SELECT user_id, shared_thread_id, shared_message_id FROM wheel_reflections ORDER BY id"
    )
    assert [(r["user_id"], r["shared_thread_id"]) for r in stored] == [
        (c.bob.id, thread.id),
        (c.alice.id, thread.id),
    ]
    assert [r["shared_message_id"] for r in stored] == [m.id for m in posts]
    assert await rows(env.bot, "SELECT thread_id FROM wheel_prompt_posts") == [{"thread_id": thread.id}]


async def test_shared_words_never_ping(env) -> None:
    c = community(env)
    c.guild.create_role("Everyone-ish", mentionable=True)
    prompt = await post_prompt(env, c, segment="relational")
    words = f"Thanks @everyone and @here, especially {c.alice.mention} <@&{c.guild.id}>"
    await reflect(c.bob, prompt, words, "share")
    thread = c.general.threads[0]
    shared = next(m for m in thread.history() if "reflects:" in m.content)
    assert pings_nobody(env, shared)
    sent = [
        r.json
        for r in env.http_requests
        if r.method == "POST" and r.path == f"/channels/{thread.id}/messages" and "reflects:" in str(r.json)
    ]
    assert sent and all(body["allowed_mentions"] == {"parse": []} for body in sent)


@restarts(PromptReflectButton)
async def test_the_reflect_button_and_thread_survive_a_restart(env, make_bot) -> None:
    c = community(env)
    prompt = await post_prompt(env, c, segment="interoception")
    await reflect(c.bob, prompt, "Tight shoulders.", "share")
    await restart(env, make_bot)
    again = await reflect(c.alice, prompt, "Warm belly.", "share")
    assert "shared in" in told(again)
    threads = c.general.threads
    assert len(threads) == 1
    assert len([m for m in threads[0].history() if "reflects:" in m.content]) == 2


async def test_sharing_without_thread_permissions_keeps_it_private_and_says_why(env) -> None:
    c = community(env)
    quiet = c.guild.create_text_channel(
        "quiet", overwrites={c.guild.me: discord.PermissionOverwrite(create_public_threads=False)}
    )
    result = await c.alice.slash(quiet, "wheel prompt", segment="hub")
    done = await reflect(c.bob, result.response, "Stillness.", "share")
    text = told(done)
    assert "Saved privately to your journal, but I couldn't share it" in text
    assert "**Create Public Threads**" in text and quiet.mention in text
    assert quiet.threads == []
    assert await rows(env.bot, "SELECT body, shared_message_id FROM wheel_reflections") == [
        {"body": "Stillness.", "shared_message_id": None}
    ]


async def test_a_prompt_posted_in_a_thread_shares_into_that_thread(env) -> None:
    c = community(env)
    parent = await post_prompt(env, c, segment="hub")
    await reflect(c.bob, parent, "Open.", "share")
    thread = c.general.threads[0]
    result = await c.alice.slash(thread, "wheel prompt", segment="senses")
    await reflect(c.bob, result.response, "Birdsong.", "share")
    assert len(c.general.threads) == 1
    assert [m.content for m in thread.history() if "Birdsong" in m.content] == [
        f"{c.bob.mention} reflects:\n>>> Birdsong."
    ]
