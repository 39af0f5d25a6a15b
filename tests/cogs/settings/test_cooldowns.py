"""Limits on what one member can make the bot post: each burst is cut off, the member is told
privately when they can try again, the limit survives a restart, facilitators are exempt and can
change it with ``/settings cooldowns``."""

from __future__ import annotations

from typing import Any

import pytest
from discord import app_commands
from discord.ext import commands

from tests.cogs.checkins.sim import HOUR, check_in, set_up_daily
from tests.cogs.sits.sim import announcement, only_sit, schedule
from tests.helpers import community, restart, rows

pytestmark = pytest.mark.both_backends

MINUTE = 60


def reply(result: Any) -> Any:
    return result.followups[-1] if result.followups else result.response


def retry_stamp(env: Any, seconds_from_now: int) -> str:
    return f"<t:{int(env.bot.clock().timestamp()) + seconds_from_now}:R>"


def prompts_in(channel: Any) -> list[Any]:
    return [
        m
        for m in channel.history()
        if m.author.bot and m.embeds and "Wheel of Awareness" in m.embeds[0].title
    ]


async def test_a_burst_of_wheel_prompts_is_cut_off_and_stays_cut_off_after_a_restart(env, make_bot) -> None:
    c = community(env)
    for _ in range(3):
        posted = await c.alice.slash(c.general, "wheel prompt")
        assert not posted.ephemeral
    refused = await c.alice.slash(c.general, "wheel prompt")
    assert refused.ephemeral
    assert reply(refused).content.startswith(f"You can post a wheel prompt again {retry_stamp(env, HOUR)}")
    assert len(prompts_in(c.general)) == 3
    await restart(env, make_bot)
    again = await c.alice.slash(c.general, "wheel prompt")
    assert again.ephemeral and "again <t:" in reply(again).content
    assert len(prompts_in(c.general)) == 3
    await env.advance_time(HOUR)
    assert not (await c.alice.slash(c.general, "wheel prompt")).ephemeral
    assert len(prompts_in(c.general)) == 4
    # Another member has their own allowance.
    assert not (await c.bob.slash(c.general, "wheel prompt")).ephemeral


async def test_facilitators_are_not_limited(env) -> None:
    c = community(env)
    for _ in range(5):
        assert not (await c.facilitator.slash(c.general, "wheel prompt")).ephemeral
    assert len(prompts_in(c.general)) == 5


async def test_a_facilitator_sets_the_limit_and_sees_them_all(env) -> None:
    c = community(env)
    shown = await c.facilitator.slash(c.general, "settings cooldowns")
    assert shown.ephemeral
    assert "• Post a wheel prompt: 3 times an hour" in shown.response.content
    assert "• Change your answer on a sit: 6 times in 10 minutes" in shown.response.content
    assert "Facilitators aren't limited." in shown.response.content
    saved = await c.facilitator.slash(
        c.general, "settings cooldowns", action="wheel-prompt", uses=1, minutes=30
    )
    assert "• Post a wheel prompt: once in 30 minutes" in saved.response.content
    assert await rows(env.bot, "SELECT action, uses, minutes FROM cooldown_settings") == [
        {"action": "wheel-prompt", "uses": 1, "minutes": 30}
    ]
    await c.alice.slash(c.general, "wheel prompt")
    refused = await c.alice.slash(c.general, "wheel prompt")
    assert refused.ephemeral and retry_stamp(env, 30 * MINUTE) in reply(refused).content
    off = await c.facilitator.slash(c.general, "settings cooldowns", action="wheel-prompt", uses=0)
    assert "• Post a wheel prompt: no limit" in off.response.content
    assert not (await c.alice.slash(c.general, "wheel prompt")).ephemeral


async def test_cooldown_settings_are_for_facilitators_and_say_what_is_missing(env) -> None:
    c = community(env)
    member = await c.alice.slash(c.general, "settings cooldowns", action="rsvp", uses=50)
    assert member.ephemeral and "Only facilitators" in member.response.content
    missing = await c.facilitator.slash(c.general, "settings cooldowns", action="rsvp")
    assert (
        missing.ephemeral
        and "how many" in missing.response.content
        and "Nothing was changed" in missing.response.content
    )
    assert await rows(env.bot, "SELECT * FROM cooldown_settings") == []


async def test_a_burst_of_episode_shares_posts_three_and_stores_three(env) -> None:
    c = community(env)
    for n in range(3):
        await c.alice.slash(c.general, "episode share", url=f"https://pod.example/{n}", insight="Go slow.")
    refused = await c.alice.slash(c.general, "episode share", url="https://pod.example/9", insight="Again.")
    assert refused.ephemeral and "You can share an episode again <t:" in reply(refused).content
    assert len(await rows(env.bot, "SELECT id FROM episode_shares")) == 3
    assert len(c.general.threads) == 3


async def test_a_burst_of_shared_check_ins_keeps_the_rest_private_and_loses_nothing(env) -> None:
    c = community(env)
    await set_up_daily(c, time="09:00")
    await env.advance_time(9 * HOUR + 120)
    [thread] = c.general.threads
    for _ in range(3):
        await check_in(c.alice, c.general, share=True)
    held = await check_in(c.alice, c.general, share=True, note="fourth")
    embed = reply(held).embeds[0]
    shown = [embed.description or "", *(f.value or "" for f in embed.fields)]
    assert any("Kept private this time" in text and "<t:" in text for text in shown)
    assert len([m for m in thread.history() if m.embeds]) == 3
    saved = await rows(env.bot, "SELECT visibility, note FROM checkins ORDER BY id")
    assert [r["visibility"] for r in saved] == ["shared", "shared", "shared", "private"]
    assert saved[-1]["note"] == "fourth"


async def test_rsvp_churn_stops_editing_the_announcement(env) -> None:
    c = community(env)
    c.guild.create_voice_channel("Zendo")
    await schedule(c, repeat="daily")
    sit = await only_sit(env.bot)
    for label in ("Going", "Maybe", "Can't", "Going", "Maybe", "Can't"):
        await c.alice.click(announcement(c.general, sit), label=label)
    refused = await c.alice.click(announcement(c.general, sit), label="Going")
    assert reply(refused).ephemeral
    assert "You can change your answer on a sit again <t:" in reply(refused).content
    assert await rows(env.bot, "SELECT answer FROM sit_rsvps") == [{"answer": "cant"}]


async def test_a_burst_of_shared_reflections_is_kept_private_after_the_limit(env) -> None:
    c = community(env)
    prompt = (await c.facilitator.slash(c.general, "wheel prompt")).response
    for n in range(6):
        shown = await c.alice.click(prompt, label="Reflect")
        result = await c.alice.submit_modal(shown, {"reflection": f"Words {n}.", "visibility": ["share"]})
    assert "couldn't share it: You can share a reflection in a thread again <t:" in reply(result).content
    [thread] = c.general.threads
    assert len([m for m in thread.history() if "reflects:" in m.content]) == 5
    assert len(await rows(env.bot, "SELECT id FROM wheel_reflections")) == 6


class Slow(commands.Cog):
    @app_commands.command(name="slow", description="A command with discord.py's own cooldown")
    @app_commands.checks.cooldown(1, 60)
    async def slow(self, interaction: Any) -> None:
        await interaction.response.send_message("done", ephemeral=True)


@pytest.mark.sqlite_only  # discord.py's own cooldown, kept in memory on the command: nothing stored
async def test_a_command_cooldown_is_answered_with_when_to_try_again(env) -> None:
    c = community(env)
    await env.bot.add_cog(Slow())
    await env.bot.tree.sync()
    assert (await c.alice.slash(c.general, "slow")).response.content == "done"
    again = await c.alice.slash(c.general, "slow")
    assert again.ephemeral
    assert again.response.content == f"You can use that again {retry_stamp(env, 60)}."
