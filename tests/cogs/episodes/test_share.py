"""`/episode share` on simcord: the post, its thread, what is stored, bad input, never a ping."""

from __future__ import annotations

import discord

from tests.cogs.episodes.sim import episodes_channel, posted_messages, sent_payloads
from tests.helpers import community, pings_nobody, rows, told

URL = "https://listening.example/podcast/ep-12"


async def test_share_posts_the_insight_in_the_episodes_channel_with_a_thread(env) -> None:
    c = community(env)
    episodes = await episodes_channel(env, c)
    result = await c.alice.slash(
        c.general,
        "episode share",
        url=URL,
        insight="Feeling felt is something we do together, not alone.",
        title="Attunement at Home",
    )
    assert result.ephemeral
    assert f"Shared in {episodes.mention}" in told(result)
    assert "discussion thread" in told(result)
    [post] = posted_messages(episodes)
    embed = post.embeds[0]
    assert embed.title == "Attunement at Home"
    assert embed.url == URL
    assert embed.description.startswith("> Feeling felt is something we do together, not alone.")
    assert embed.description.endswith(f"— shared by <@{c.alice.id}>")
    assert embed.author.name == "One insight I'm carrying into my week"
    shown = f"{embed.author.name} {embed.description}".lower()
    assert shown.count("carrying into") == 1  # the insight phrase is said once
    [thread] = episodes.threads
    assert thread.id == post.id and thread.name == "Attunement at Home"
    assert posted_messages(c.general) == []
    assert await rows(
        env.bot, "SELECT user_id, url, title, insight, channel_id, message_id, thread_id FROM episode_shares"
    ) == [
        {
            "user_id": c.alice.id,
            "url": URL,
            "title": "Attunement at Home",
            "insight": "Feeling felt is something we do together, not alone.",
            "channel_id": episodes.id,
            "message_id": post.id,
            "thread_id": thread.id,
        }
    ]


async def test_without_an_episodes_channel_it_posts_where_the_member_is(env) -> None:
    c = community(env)
    result = await c.bob.slash(c.general, "episode share", url=URL, insight="Pause before replying.")
    assert f"Shared in {c.general.mention}" in told(result)
    [post] = posted_messages(c.general)
    assert post.embeds[0].title == "listening.example/podcast/ep-12"  # host and path stand in for a title
    assert c.general.threads[0].id == post.id


async def test_the_title_of_a_followed_feeds_episode_is_used(env, feed_server) -> None:
    c = community(env)
    await c.facilitator.slash(c.general, "episode feed-add", url=feed_server.url("/feed/circle"))
    await c.alice.slash(
        c.general,
        "episode share",
        url="https://listening-circle.example/episodes/window-of-tolerance",
        insight="My window widens when I'm with people who stay calm.",
    )
    embed = posted_messages(c.general)[-1].embeds[0]
    assert embed.title == "The Window of Tolerance, Gently"
    assert embed.footer.text == "from The Listening Circle"


async def test_titles_and_insights_never_ping(env) -> None:
    c = community(env)
    role = c.guild.create_role("Everyone-ish", mentionable=True)
    await c.alice.slash(
        c.general,
        "episode share",
        url=URL,
        insight=f"@everyone @here <@{c.bob.id}> <@&{role.id}> listen!",
        title=f"@everyone <@&{role.id}> <@{c.bob.id}>",
    )
    [post] = posted_messages(c.general)
    assert pings_nobody(env, post)
    [payload] = sent_payloads(env, c.general)
    assert payload["allowed_mentions"] == {"parse": []}
    assert not payload.get("content")
    thread = c.general.threads[0]
    assert "@everyone" not in thread.name  # mention syntax in the thread name is made inert
    assert all(not m.mention_everyone and not m.mentions for m in c.general.history())


async def test_bad_links_get_a_clear_private_answer_and_nothing_is_posted(env) -> None:
    c = community(env)
    for url, expected in (
        ("javascript:alert(1)", "`javascript:`"),
        ("ftp://example.com/ep.mp3", "`ftp:`"),
        ("example.com/episode", "no scheme"),
        ("https://", "no host name"),
    ):
        result = await c.alice.slash(c.general, "episode share", url=url, insight="Something true.")
        assert result.ephemeral
        assert expected in told(result)
        assert "https://" in told(result)
    assert posted_messages(c.general) == []
    assert await rows(env.bot, "SELECT id FROM episode_shares") == []


async def test_an_empty_insight_is_refused(env) -> None:
    c = community(env)
    result = await c.alice.slash(c.general, "episode share", url=URL, insight="   ")
    assert result.ephemeral and "insight is empty" in told(result)
    assert posted_messages(c.general) == []


async def test_the_same_share_twice_in_a_row_is_posted_once(env) -> None:
    c = community(env)
    await c.alice.slash(c.general, "episode share", url=URL, insight="Once.")
    again = await c.alice.slash(c.general, "episode share", url=URL, insight="Once.")
    assert "a moment ago" in told(again)
    assert len(posted_messages(c.general)) == 1


async def test_missing_permissions_are_named_and_nothing_is_stored(env) -> None:
    c = community(env)
    quiet = c.guild.create_text_channel(
        "quiet", overwrites={c.guild.me: discord.PermissionOverwrite(create_public_threads=False)}
    )
    result = await c.alice.slash(quiet, "episode share", url=URL, insight="Slow down.")
    assert result.ephemeral
    assert "Create Public Threads" in told(result) and quiet.mention in told(result)
    assert await rows(env.bot, "SELECT id FROM episode_shares") == []


async def test_a_failed_post_leaves_nothing_half_written(env) -> None:
    c = community(env)
    env.inject_error("POST", f"/channels/{c.general.id}/messages", status=403, times=1)
    result = await c.alice.slash(c.general, "episode share", url=URL, insight="Breathe.")
    assert result.ephemeral and "permission" in told(result).lower()
    assert await rows(env.bot, "SELECT id FROM episode_shares") == []


async def test_the_first_share_sets_up_the_weekly_digest(env) -> None:
    c = community(env)
    await c.alice.slash(c.general, "episode share", url=URL, insight="Breathe.")
    assert await rows(env.bot, "SELECT weekday, clock, zone, enabled FROM episode_digests") == [
        {"weekday": 6, "clock": "18:00", "zone": "UTC", "enabled": 1}
    ]
    assert (await env.bot.scheduler.next_run("episodes.digest", str(c.guild.id))).isoformat() == (
        "2026-01-04T18:00:00+00:00"
    )


async def test_a_discord_hiccup_is_explained_and_nothing_is_stored(env) -> None:
    c = community(env)
    env.inject_error("POST", f"/channels/{c.general.id}/messages", status=503, times=5)
    result = await c.alice.slash(c.general, "episode share", url=URL, insight="Breathe.")
    assert result.ephemeral and "try again" in told(result)
    assert await rows(env.bot, "SELECT id FROM episode_shares") == []


async def test_sharing_inside_a_thread_posts_there_without_a_new_thread(env) -> None:
    c = community(env)
    await c.alice.slash(c.general, "episode share", url=URL, insight="Start here.")
    [thread] = c.general.threads
    result = await c.bob.slash(thread, "episode share", url=URL + "-part-2", insight="And continue here.")
    assert f"Shared in {thread.mention}" in told(result)
    assert "discussion thread" not in told(result)
    assert [m.embeds[0].description.split("\n")[0] for m in posted_messages(thread)] == [
        "> And continue here."
    ]
    assert len(c.general.threads) == 1
