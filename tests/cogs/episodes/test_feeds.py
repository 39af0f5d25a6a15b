"""Followed feeds on simcord with a real local feed server: add, poll, post once, back off, remove."""

from __future__ import annotations

import discord
import pytest

from cogs.episodes.service import EpisodeStore
from tests.cogs.episodes.conftest import RSS_TYPE as RSS
from tests.cogs.episodes.conftest import fixture_bytes, grown, rss_item
from tests.cogs.episodes.support import (
    POLL_KIND,
    deny_bot,
    episodes_channel,
    posted_messages,
    sent_payloads,
)
from tests.helpers import community, pings_nobody, refused, restart, rows, told

pytestmark = pytest.mark.both_backends

HALF_HOUR = 30 * 60


async def follow(env, c, feed_server, name: str = "circle") -> str:
    result = await c.facilitator.slash(c.general, "episode feed-add", url=feed_server.url(f"/feed/{name}"))
    assert result.ephemeral
    return told(result)


def grow(feed_server, *items: bytes, name: str = "circle") -> None:
    body, content_type = feed_server.feeds[name]
    feed_server.feeds[name] = (grown(body, *items), content_type)


async def states(env) -> dict[str, str]:
    return {r["title"]: r["state"] for r in await rows(env.bot, "SELECT title, state FROM feed_episodes")}


# ------------------------------------------------------------------------------------ adding


async def test_feed_add_records_current_episodes_without_posting_them(env, feed_server) -> None:
    c = community(env)
    episodes = await episodes_channel(env, c)
    reply = await follow(env, c, feed_server)
    assert "Now following **The Listening Circle**" in reply
    assert "noted its 3 current episodes without posting them" in reply
    assert episodes.mention in reply and "every 30 minutes" in reply
    assert posted_messages(episodes) == [] and posted_messages(c.general) == []
    assert set((await states(env)).values()) == {"seeded"}
    [feed] = await rows(env.bot, "SELECT id, url, title, etag FROM episode_feeds")
    assert feed["url"] == feed_server.url("/feed/circle") and feed["etag"]
    upcoming = await env.bot.scheduler.next_run(POLL_KIND, str(feed["id"]))
    assert upcoming is not None and upcoming.isoformat() == "2026-01-01T00:30:00+00:00"


async def test_an_atom_feed_and_a_redirected_feed_can_be_followed(env, feed_server) -> None:
    c = community(env)
    assert "Now following **Stillness Notes**" in await follow(env, c, feed_server, "stillness")
    result = await c.facilitator.slash(
        c.general, "episode feed-add", url=feed_server.url("/redirect/2/circle")
    )
    assert "Now following **The Listening Circle**" in told(result)
    urls = [r["url"] for r in await rows(env.bot, "SELECT url FROM episode_feeds ORDER BY id")]
    assert urls == [feed_server.url("/feed/stillness"), feed_server.url("/redirect/2/circle")]


async def test_only_facilitators_can_follow_feeds(env, feed_server) -> None:
    c = community(env)
    result = await c.alice.slash(c.general, "episode feed-add", url=feed_server.url("/feed/circle"))
    assert result.ephemeral and "Only facilitators" in told(result)
    assert feed_server.requests == []
    assert await rows(env.bot, "SELECT id FROM episode_feeds") == []


async def test_what_is_not_a_feed_is_refused_clearly_at_add_time(
    env, feed_server, short_fetch_timeout
) -> None:
    c = community(env)
    feed_server.statuses["down"] = 500
    cases = {
        "javascript:alert(1)": "`javascript:`",
        "ftp://example.com/feed.xml": "`ftp:`",
        feed_server.url("/feed/malformed"): "malformed XML",
        feed_server.url("/feed/page"): "web page, not a podcast feed",
        feed_server.url("/huge.xml"): "too big for a podcast feed",
        feed_server.url("/huge-declared.xml"): "too big for a podcast feed",
        feed_server.url("/feed/down"): "the feed's server had an error: 500",
        feed_server.url("/feed/missing"): "the feed's server refused: 404",
        feed_server.url("/loop"): "too many redirects",
        "http://127.0.0.1:9/feed.xml": "couldn't connect",
        "http://10.0.0.1:8080/feed.xml": "private or local network",
    }
    for url, expected in cases.items():
        result = await c.facilitator.slash(c.general, "episode feed-add", url=url)
        assert result.ephemeral, url
        assert expected in told(result), (url, told(result))
        for leak in ("Internal Server Error", "Not Found", "Connect call failed", "Errno", "10.0.0.1"):
            assert leak not in told(result), (url, told(result))
        assert "Nothing was added" in told(result) or "can't be used" in told(result), url
    short_fetch_timeout()  # a server that never answers: refused after half a second
    result = await c.facilitator.slash(c.general, "episode feed-add", url=feed_server.url("/slow.xml"))
    refused(result, "timed out", "Nothing was added")
    page = await c.facilitator.slash(c.general, "episode feed-add", url=feed_server.url("/feed/page"))
    assert f"{feed_server.base}/feed.xml" in told(page)  # the page's own feed link is suggested
    assert await rows(env.bot, "SELECT id FROM episode_feeds") == []
    assert await env.bot.scheduler.job_ids() == ["core:heartbeat"]


async def test_the_same_feed_twice_is_refused(env, feed_server) -> None:
    c = community(env)
    await follow(env, c, feed_server)
    again = await c.facilitator.slash(c.general, "episode feed-add", url=feed_server.url("/feed/circle"))
    assert "already follows that feed" in told(again)


# ----------------------------------------------------------------------------------- polling


async def test_a_new_episode_is_posted_once_with_a_thread(env, feed_server) -> None:
    c = community(env)
    episodes = await episodes_channel(env, c)
    await follow(env, c, feed_server)
    await env.advance_time(HALF_HOUR + 1)
    assert posted_messages(episodes) == []  # unchanged feed: 304, nothing new
    assert "If-None-Match" in feed_server.hits("/feed/circle")[-1]
    grow(feed_server, fixture_bytes("new_item.xml"))
    await env.advance_time(HALF_HOUR)
    [post] = posted_messages(episodes)
    embed = post.embeds[0]
    assert embed.title.startswith("Emotion as an Integrator")
    assert embed.url == "https://listening-circle.example/episodes/emotion-integrator"
    assert embed.author.name == "New episode · The Listening Circle"
    assert embed.description.startswith("Emotions as signals that link body, brain and relationships.")
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Duration"] == "1 h 02 min"
    assert fields["Published"].startswith("<t:1767592800:D>")
    assert "emotion-integrator" in fields["Listen"]
    [thread] = episodes.threads
    assert thread.id == post.id and thread.name.startswith("Emotion as an Integrator")
    # feed text never pings: @everyone, role and user mentions are inert
    assert pings_nobody(env, post)
    assert all(p["allowed_mentions"] == {"parse": []} for p in sent_payloads(env, episodes))
    assert "<@123456789012345678>" not in embed.description
    await env.advance_time(3 * HALF_HOUR)
    assert len(posted_messages(episodes)) == 1
    [stored] = await rows(
        env.bot, "SELECT state, message_id, thread_id FROM feed_episodes WHERE state != 'seeded'"
    )
    assert stored == {"state": "posted", "message_id": post.id, "thread_id": thread.id}


async def test_a_new_episode_is_posted_once_across_restarts(env, feed_server, make_bot) -> None:
    c = community(env)
    episodes = await episodes_channel(env, c)
    await follow(env, c, feed_server)
    grow(feed_server, fixture_bytes("new_item.xml"))
    await restart(env, make_bot)
    await env.advance_time(HALF_HOUR + 1)
    assert len(posted_messages(episodes)) == 1
    await restart(env, make_bot)
    await env.advance_time(HALF_HOUR)
    await restart(env, make_bot, crash=True)
    await env.advance_time(2 * HALF_HOUR)
    assert len(posted_messages(episodes)) == 1
    polls = await rows(
        env.bot, "SELECT occurrence, status FROM deliveries WHERE kind = ? ORDER BY occurrence", (POLL_KIND,)
    )
    # One poll per half hour over the two hours, each once, across both restarts and the crash.
    assert [(p["occurrence"][11:16], p["status"]) for p in polls] == [
        ("00:30", "posted"),
        ("01:00", "posted"),
        ("01:30", "posted"),
        ("02:00", "posted"),
    ]


async def test_an_interrupted_post_is_not_posted_again(env, feed_server, make_bot, monkeypatch) -> None:
    """The bot dies after Discord took the post but before it was marked: the post is found, not repeated."""
    c = community(env)
    episodes = await episodes_channel(env, c)
    await follow(env, c, feed_server)
    grow(feed_server, fixture_bytes("new_item.xml"))

    async def dies(self, *args, **kwargs):
        raise RuntimeError("the process died here")

    with monkeypatch.context() as patched:
        patched.setattr(EpisodeStore, "mark_sent", dies)
        await env.advance_time(HALF_HOUR + 1)
    assert len(posted_messages(episodes)) == 1
    assert set((await states(env)).values()) == {"seeded", "posting"}
    await restart(env, make_bot, crash=True)
    await env.advance_time(HALF_HOUR)
    assert len(posted_messages(episodes)) == 1
    [stored] = await rows(env.bot, "SELECT state, message_id FROM feed_episodes WHERE state != 'seeded'")
    assert stored == {"state": "posted", "message_id": posted_messages(episodes)[0].id}


async def test_a_claim_interrupted_before_the_send_is_posted_after_restart(
    env, feed_server, make_bot, monkeypatch
) -> None:
    c = community(env)
    episodes = await episodes_channel(env, c)
    await follow(env, c, feed_server)
    grow(feed_server, fixture_bytes("new_item.xml"))
    claim = EpisodeStore.claim

    async def claims_then_dies(self, ids, state):
        await claim(self, ids, state)
        raise RuntimeError("the process died here")

    with monkeypatch.context() as patched:
        patched.setattr(EpisodeStore, "claim", claims_then_dies)
        await env.advance_time(HALF_HOUR + 1)
    assert posted_messages(episodes) == []
    assert set((await states(env)).values()) == {"seeded", "posting"}
    await restart(env, make_bot, crash=True)
    await env.advance_time(HALF_HOUR)
    [post] = posted_messages(episodes)
    assert post.embeds[0].title.startswith("Emotion as an Integrator")
    assert set((await states(env)).values()) == {"seeded", "posted"}


async def test_a_burst_posts_the_newest_three_and_lists_the_rest(env, feed_server) -> None:
    c = community(env)
    episodes = await episodes_channel(env, c)
    await follow(env, c, feed_server)
    grow(feed_server, *(rss_item(n) for n in range(6, 0, -1)))  # episodes 1..6, newest first in the feed
    await env.advance_time(HALF_HOUR + 1)
    posts = posted_messages(episodes)
    assert len(posts) == 4
    listing = posts[0].embeds[0]
    assert listing.title == "3 more new episodes from The Listening Circle"
    assert [line.split("](")[0] for line in listing.description.splitlines()] == [
        "• [Burst episode 1",
        "• [Burst episode 2",
        "• [Burst episode 3",
    ]
    assert [p.embeds[0].title for p in posts[1:]] == ["Burst episode 4", "Burst episode 5", "Burst episode 6"]
    assert len(episodes.threads) == 3
    assert sorted((await states(env)).values()).count("listed") == 3


async def test_a_feed_on_a_channel_without_send_permission_waits_and_facilitators_hear(
    env, feed_server
) -> None:
    c = community(env)
    mods = c.guild.create_text_channel("facilitators")
    await c.facilitator.slash(c.general, "settings channel", purpose="facilitators", channel=mods)
    episodes = await episodes_channel(env, c)
    await follow(env, c, feed_server)
    deny_bot(env, c, episodes, send_messages=False)
    grow(feed_server, fixture_bytes("new_item.xml"))
    await env.advance_time(HALF_HOUR + 1)
    assert posted_messages(episodes) == []
    [notice] = posted_messages(mods)
    assert "Send Messages" in notice.content and episodes.mention in notice.content
    assert "new" in (await states(env)).values()  # kept, not lost
    await env.advance_time(HALF_HOUR)
    assert len(posted_messages(mods)) == 1  # told once
    env.backend.delete_overwrite(episodes.id, c.guild.me.id)  # an admin fixes the permission
    await env.advance_time(HALF_HOUR)
    [post] = posted_messages(episodes)
    assert post.embeds[0].title.startswith("Emotion as an Integrator")


# ------------------------------------------------------------------- failures and back-off


async def test_poll_failures_are_logged_backed_off_and_told_once_then_recover(env, feed_server) -> None:
    c = community(env)
    mods = c.guild.create_text_channel("facilitators")
    await c.facilitator.slash(c.general, "settings channel", purpose="facilitators", channel=mods)
    episodes = await episodes_channel(env, c)
    await follow(env, c, feed_server)
    requests = lambda: len(feed_server.hits("/feed/circle"))  # noqa: E731
    assert requests() == 1

    feed_server.statuses["circle"] = 500
    await env.advance_time(HALF_HOUR + 1)  # 00:30 fails (1): rest until 01:00
    [feed] = await rows(env.bot, "SELECT failures, last_error, next_poll_after FROM episode_feeds")
    assert feed == {
        "failures": 1,
        "last_error": "the feed's server had an error: 500",
        "next_poll_after": "2026-01-01T01:00:00+00:00",
    }
    del feed_server.statuses["circle"]
    feed_server.feeds["circle"] = (fixture_bytes("malformed.xml"), feed_server.feeds["circle"][1])
    await env.advance_time(HALF_HOUR)  # 01:00 malformed (2): rest until 02:00
    await env.advance_time(HALF_HOUR)  # 01:30 skipped without a request
    assert requests() == 3
    feed_server.feeds["circle"] = (b"", "text/plain")
    feed_server.statuses.clear()
    await env.advance_time(HALF_HOUR)  # 02:00 not a feed (3): facilitators hear; rest until 04:00
    assert requests() == 4
    [notice] = posted_messages(mods)
    assert "**The Listening Circle** has failed 3 times in a row" in notice.content
    assert "doesn't return an RSS or Atom feed. I'll try again <t:" in notice.content
    assert "/episode feed-remove" in notice.content
    await env.advance_time(3 * HALF_HOUR)  # 02:30, 03:00, 03:30 resting
    assert requests() == 4
    assert posted_messages(episodes) == []
    statuses = await rows(
        env.bot, "SELECT detail FROM deliveries WHERE kind = ? ORDER BY occurrence", (POLL_KIND,)
    )
    assert sum("resting after" in s["detail"] for s in statuses) == 4

    listing = await c.alice.slash(c.general, "episode feeds")
    field = listing.response.embeds[0].fields[0]
    assert field.name == "The Listening Circle"
    assert "Failing (3×)" in field.value and "doesn't return an RSS or Atom feed" in field.value
    assert "Last episode: [Feeling Felt" in field.value

    feed_server.feeds["circle"] = (
        grown(fixture_bytes("listening_circle.xml"), fixture_bytes("new_item.xml")),
        "application/rss+xml",
    )
    await env.advance_time(HALF_HOUR)  # 04:00 works again
    assert [p.embeds[0].title[:24] for p in posted_messages(episodes)] == ["Emotion as an Integrator"]
    [feed] = await rows(env.bot, "SELECT failures, next_poll_after FROM episode_feeds")
    assert feed == {"failures": 0, "next_poll_after": None}
    assert await rows(env.bot, "SELECT key FROM notices WHERE key LIKE 'episodes:feed-failing:%'") == []
    healthy = await c.alice.slash(c.general, "episode feeds")
    assert "(recovered)" in healthy.response.embeds[0].fields[0].value


async def test_a_feed_that_turns_huge_or_slow_is_never_posted(env, feed_server, short_fetch_timeout) -> None:
    c = community(env)
    episodes = await episodes_channel(env, c)
    result = await c.facilitator.slash(c.general, "episode feed-add", url=feed_server.url("/feed/circle"))
    assert "Now following" in told(result)
    await env.bot.db.execute("UPDATE episode_feeds SET url = ?", (feed_server.url("/huge.xml"),))
    await env.advance_time(HALF_HOUR + 1)
    short_fetch_timeout()
    await env.bot.db.execute("UPDATE episode_feeds SET url = ?", (feed_server.url("/slow.xml"),))
    await env.advance_time(HALF_HOUR)
    errors = [r["detail"] for r in await rows(env.bot, "SELECT detail FROM deliveries ORDER BY occurrence")]
    assert "too big for a podcast feed" in errors[0]
    assert "timed out" in errors[1]
    assert posted_messages(episodes) == []
    [feed] = await rows(env.bot, "SELECT failures FROM episode_feeds")
    assert feed["failures"] == 2


# ---------------------------------------------------------------------- listing and removing


async def test_feeds_lists_each_feed_with_its_last_episode(env, feed_server) -> None:
    c = community(env)
    empty = await c.alice.slash(c.general, "episode feeds")
    assert "follows no feeds yet" in empty.response.embeds[0].description
    await follow(env, c, feed_server)
    await follow(env, c, feed_server, "stillness")
    result = await c.alice.slash(c.general, "episode feeds")
    assert result.ephemeral
    fields = result.response.embeds[0].fields
    assert [f.name for f in fields] == ["Stillness Notes", "The Listening Circle"]
    assert "Last episode: [Hub and Rim: A Short Wheel of Awareness]" in fields[0].value
    assert "Last episode: [Feeling Felt: Attunement in Everyday Conversations]" in fields[1].value
    assert "checked every 30 min" in fields[1].value


async def test_feed_remove_offers_the_guilds_feeds_and_stops_polling(env, feed_server) -> None:
    c = community(env)
    await follow(env, c, feed_server)
    await follow(env, c, feed_server, "stillness")
    other = community(env, "Elsewhere")
    choices = await c.facilitator.autocomplete(c.general, "episode feed-remove", "feed", "")
    assert [ch["name"].split(" — ")[0] for ch in choices] == ["Stillness Notes", "The Listening Circle"]
    assert await other.facilitator.autocomplete(other.general, "episode feed-remove", "feed", "") == []
    [still] = await c.facilitator.autocomplete(c.general, "episode feed-remove", "feed", "still")
    denied = await c.alice.slash(c.general, "episode feed-remove", feed=still["value"])
    assert "Only facilitators" in told(denied)
    result = await c.facilitator.slash(c.general, "episode feed-remove", feed=still["value"])
    assert result.ephemeral and "Stopped following **Stillness Notes**" in told(result)
    assert await env.bot.scheduler.next_run(POLL_KIND, still["value"]) is None
    titles = {r["title"] for r in await rows(env.bot, "SELECT title FROM episode_feeds")}
    assert titles == {"The Listening Circle"}
    assert await rows(env.bot, "SELECT id FROM feed_episodes WHERE feed_id = ?", (int(still["value"]),)) == []
    typed = await c.facilitator.slash(c.general, "episode feed-remove", feed="listening circle")
    assert "Stopped following **The Listening Circle**" in told(typed)
    unknown = await c.facilitator.slash(c.general, "episode feed-remove", feed="nothing like it")
    assert "follows no feeds" in told(unknown)
    await env.advance_time(2 * HALF_HOUR)
    assert len(feed_server.requests) == 2  # only the two adds: nothing polls removed feeds


async def test_feed_add_names_a_missing_permission_in_the_target_channel(env, feed_server) -> None:
    c = community(env)
    closed = c.guild.create_text_channel(
        "closed", overwrites={c.guild.me: discord.PermissionOverwrite(embed_links=False)}
    )
    result = await c.facilitator.slash(closed, "episode feed-add", url=feed_server.url("/feed/circle"))
    assert result.ephemeral and "Embed Links" in told(result) and closed.mention in told(result)
    assert feed_server.requests == [] and await rows(env.bot, "SELECT id FROM episode_feeds") == []


async def test_discord_trouble_while_posting_is_retried_and_posts_once(env, feed_server) -> None:
    c = community(env)
    episodes = await episodes_channel(env, c)
    await follow(env, c, feed_server)
    grow(feed_server, fixture_bytes("new_item.xml"))
    env.inject_error("POST", f"/channels/{episodes.id}/messages", status=503, times=2)
    await env.advance_time(HALF_HOUR + 1)
    await env.advance_time(60)
    assert len(posted_messages(episodes)) == 1
    [delivery] = await rows(env.bot, "SELECT status, attempts FROM deliveries WHERE kind = ?", (POLL_KIND,))
    assert delivery == {"status": "posted", "attempts": 3}
    assert set((await states(env)).values()) == {"seeded", "posted"}


async def test_without_thread_permission_episodes_are_posted_and_facilitators_told(env, feed_server) -> None:
    c = community(env)
    mods = c.guild.create_text_channel("facilitators")
    await c.facilitator.slash(c.general, "settings channel", purpose="facilitators", channel=mods)
    episodes = await episodes_channel(env, c)
    await follow(env, c, feed_server)
    deny_bot(env, c, episodes, create_public_threads=False)
    grow(feed_server, fixture_bytes("new_item.xml"))
    await env.advance_time(HALF_HOUR + 1)
    assert len(posted_messages(episodes)) == 1 and episodes.threads == []
    [notice] = posted_messages(mods)
    assert "Create Public Threads" in notice.content and episodes.mention in notice.content


async def test_a_renamed_show_is_posted_under_its_new_name(env, feed_server) -> None:
    c = community(env)
    episodes = await episodes_channel(env, c)
    await follow(env, c, feed_server)
    body = grown(fixture_bytes("listening_circle.xml"), fixture_bytes("new_item.xml"))
    feed_server.feeds["circle"] = (body.replace(b"The Listening Circle", b"Listening Circle Radio", 1), RSS)
    await env.advance_time(HALF_HOUR + 1)
    [post] = posted_messages(episodes)
    assert post.embeds[0].author.name == "New episode · Listening Circle Radio"
    assert [r["title"] for r in await rows(env.bot, "SELECT title FROM episode_feeds")] == [
        "Listening Circle Radio"
    ]


async def test_feeds_of_a_server_the_bot_left_are_not_fetched(env, feed_server) -> None:
    c = community(env)
    await follow(env, c, feed_server)
    await env.bot.db.execute("UPDATE episode_feeds SET guild_id = 42")  # a server Attune is not in
    await env.advance_time(HALF_HOUR + 1)
    assert len(feed_server.requests) == 1  # only the add
    [delivery] = await rows(env.bot, "SELECT detail FROM deliveries WHERE kind = ?", (POLL_KIND,))
    assert "not in this server" in delivery["detail"]


async def test_what_members_and_facilitators_see_of_a_failure_is_a_category(env, feed_server) -> None:
    """A server that answers with a chatty reason phrase (naming an internal address), then a dead
    port: `/episode feeds` and the facilitators' notice say what kind of failure, nothing more."""
    c = community(env)
    mods = c.guild.create_text_channel("facilitators")
    await c.facilitator.slash(c.general, "settings channel", purpose="facilitators", channel=mods)
    await follow(env, c, feed_server)
    feed_server.statuses["circle"] = 401
    await env.advance_time(HALF_HOUR + 1)  # fails: 401
    listing = await c.alice.slash(c.general, "episode feeds")
    shown = listing.response.embeds[0].fields[0].value
    assert "Failing (1×)" in shown and "the feed's server refused: 401" in shown
    await env.bot.db.execute("UPDATE episode_feeds SET url = 'http://127.0.0.1:9/feed.xml'")
    await env.advance_time(2 * HALF_HOUR)  # fails: couldn't connect
    await env.advance_time(4 * HALF_HOUR)  # fails a third time: the facilitators hear
    [notice] = posted_messages(mods)
    assert "has failed 3 times in a row: couldn't connect." in notice.content
    listing = await c.alice.slash(c.general, "episode feeds")
    shown = listing.response.embeds[0].fields[0].value
    assert "Failing (3×)" in shown and "couldn't connect" in shown
    failing = next(line for line in shown.splitlines() if "Failing" in line)  # (the feed's own link is above)
    stored = [r["last_error"] for r in await rows(env.bot, "SELECT last_error FROM episode_feeds")]
    for text in (notice.content, failing, *stored):
        for leak in (feed_server.reason, "10.1.2.3", "Unauthorized", "Connect call failed", "Errno", ":9"):
            assert leak not in text, (leak, text)
