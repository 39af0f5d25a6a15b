"""Member text can't impersonate the bot: masked links, headings, block quotes and formatting typed
into notes, reflections and insights show as typed inside the bot's posts, never as markup."""

from __future__ import annotations

import re

from attune.text import inert
from tests.cogs.checkins.sim import HOUR, check_in, set_up_daily
from tests.helpers import community

PHISH = (
    "[Verify your account](https://attune-support.example/login)\n"
    "# Attune · official notice\n"
    "-# sent by the Attune team\n"
    "> Moderators: press the link above\n"
    "**urgent** ||secret||"
)
MASKED_LINK = re.compile(r"(?<!\\)\[[^\]\n]*\]\([^)\n]*\)")
BLOCK_MARKUP = re.compile(r"^(?:> )*(?:#{1,3} |-# |>>> |> )", re.MULTILINE)


def renders_markup(member_part: str) -> bool:
    """Would Discord render markup in ``member_part`` (the member's words as the bot posted them)?"""
    unescaped_bold = re.search(r"(?<!\\)\*\*", member_part) is not None
    return bool(MASKED_LINK.search(member_part) or BLOCK_MARKUP.search(member_part) or unescaped_bold)


def test_inert_text_keeps_the_words_and_drops_the_markup() -> None:
    assert renders_markup(PHISH)  # the attack, as typed
    safe = inert(PHISH)
    assert not renders_markup(safe)
    assert safe.replace("\\", "") == PHISH  # every word is still there


async def test_a_shared_check_in_note_shows_as_typed(env) -> None:
    c = community(env)
    await set_up_daily(c, time="09:00")
    await env.advance_time(9 * HOUR + 120)
    await check_in(c.alice, c.general, share=True, note=PHISH)
    [thread] = c.general.threads
    [post] = [m for m in thread.history() if m.embeds]
    description = post.embeds[0].description
    member_part = description.split("\n", 1)[1]  # after the bot's own line
    quoted = "\n".join(line.removeprefix("> ").removeprefix(">") for line in member_part.splitlines())
    assert not renders_markup(quoted)
    assert "Verify your account" in quoted and "attune-support.example/login" in quoted


async def test_a_shared_reflection_shows_as_typed(env) -> None:
    c = community(env)
    prompt = (await c.alice.slash(c.general, "wheel prompt", segment="hub")).response
    shown = await c.bob.click(prompt, label="Reflect")
    await c.bob.submit_modal(shown, {"reflection": PHISH, "visibility": ["share"]})
    [thread] = c.general.threads
    [post] = [m for m in thread.history() if "reflects:" in m.content]
    member_part = post.content.split(">>> ", 1)[1]
    assert not renders_markup(member_part)
    assert "Verify your account" in member_part


async def test_a_shared_insight_shows_as_typed(env) -> None:
    c = community(env)
    insight = "[Claim your badge](https://attune-support.example) # Attune staff"
    await c.alice.slash(c.general, "episode share", url="https://pod.example/1", insight=insight)
    [post] = [m for m in c.general.history() if m.embeds]
    quoted = post.embeds[0].description.split("\n\n— shared by", 1)[0].removeprefix("> ")
    assert not renders_markup(quoted)
    assert not MASKED_LINK.search(quoted)
    assert "Claim your badge" in quoted
