"""Shares in `/privacy export`; `/privacy delete` removes them, their posts and threads, redacts digests."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tests.cogs.episodes.sim import DIGEST_KIND, deny_bot, episodes_channel, posted_messages
from tests.helpers import answer, community, rows, told


async def share(c, member, n: int, channel) -> None:
    result = await member.slash(
        channel,
        "episode share",
        url=f"https://listening.example/ep-{n}",
        insight=f"Insight {n} from {member.name}.",
        title=f"Episode {n}",
    )
    assert "Shared in" in told(result)


async def export(c, member) -> dict:
    result = await c.alice.slash(c.general, "privacy export") if member is c.alice else None
    assert result is not None
    message = answer(result)
    return json.loads(await message.attachments[0].read())


async def delete_everything(member, channel) -> str:
    asked = await member.slash(channel, "privacy delete")
    done = await member.click(asked.response, label="Yes, delete everything")
    return done.response.content if done.response else ""


async def test_export_contains_the_members_shares(env) -> None:
    c = community(env)
    episodes = await episodes_channel(env, c)
    await share(c, c.alice, 1, c.general)
    await share(c, c.bob, 2, c.general)
    data = await export(c, c.alice)
    [mine] = data["episodes"]["shares"]
    assert mine["url"] == "https://listening.example/ep-1"
    assert mine["title"] == "Episode 1" and mine["insight"] == "Insight 1 from alice."
    assert mine["guild_id"] == str(c.guild.id) and mine["channel_id"] == str(episodes.id)
    assert mine["message_id"] == str(posted_messages(episodes)[0].id)


async def test_delete_removes_shares_posts_and_threads_and_redacts_the_digest(env) -> None:
    c = community(env)
    episodes = await episodes_channel(env, c)
    await share(c, c.alice, 1, c.general)
    await share(c, c.bob, 2, c.general)
    await share(c, c.alice, 3, c.general)
    await env.bot.scheduler.run(DIGEST_KIND, str(c.guild.id), datetime(2026, 1, 1, 18, 0, tzinfo=UTC))
    [digest] = [m for m in posted_messages(episodes) if m.embeds[0].title.startswith("What our")]
    assert "Insight 1 from alice." in digest.embeds[0].description
    assert len(episodes.threads) == 3
    alices_posts = [
        m.id for m in posted_messages(episodes) if m.embeds[0].title in {"Episode 1", "Episode 3"}
    ]
    assert len(alices_posts) == 2

    text = await delete_everything(c.alice, c.general)
    assert "episodes: 2" in text

    assert [r["user_id"] for r in await rows(env.bot, "SELECT user_id FROM episode_shares")] == [c.bob.id]
    remaining = posted_messages(episodes)
    shares_left = [m for m in remaining if m.embeds[0].title.startswith("Episode")]
    assert [m.embeds[0].title for m in shares_left] == ["Episode 2"]
    assert [t.name for t in episodes.threads] == ["Episode 2"]
    assert all(m.id not in alices_posts for m in remaining)
    [digest] = [m for m in remaining if m.embeds[0].title.startswith("What our")]
    assert "alice" not in digest.embeds[0].description and "Insight 1" not in digest.embeds[0].description
    assert "Insight 2 from bob." in digest.embeds[0].description
    assert (await export(c, c.alice))["episodes"] == {"shares": []}


async def test_delete_tolerates_posts_that_are_gone_or_out_of_reach(env) -> None:
    c = community(env)
    episodes = await episodes_channel(env, c)
    await share(c, c.alice, 1, c.general)
    await share(c, c.alice, 2, c.general)
    first, _ = posted_messages(episodes)
    env.backend.delete_message(episodes.id, first.id)  # someone already removed it
    # and the bot may no longer delete threads (Discord asks Manage Threads; simcord Manage Channels)
    deny_bot(env, c, episodes, manage_threads=False, manage_channels=False)
    text = await delete_everything(c.alice, c.general)
    assert "episodes: 2" in text
    assert await rows(env.bot, "SELECT id FROM episode_shares") == []
    assert posted_messages(episodes) == []  # the bot's own post is still deleted
    assert len(episodes.threads) == 2  # threads it may no longer delete stay (their replies are others')
