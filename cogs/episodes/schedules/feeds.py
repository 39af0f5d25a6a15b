"""Polling followed feeds through the scheduler core, and posting each new episode once.

* One plan per feed (``episodes.poll``, key = feed id) at a fixed interval; the core's ledger makes
  each poll occurrence run once.
* A failing feed rests: each further failure doubles the wait (up to 12 h); occurrences inside the
  rest return at once. Fetch and parse errors are logged and stored, never raised; what is stored
  (and shown in ``/episode feeds`` and the facilitators' notice) is a plain category, never text
  from the remote server or the network stack.
* Items are claimed (``new → posting``) before the send, then marked ``posted`` with the message
  id. A restart finds an interrupted claim, looks for the post in the channel, and only sends again
  (with the same nonce) when it is not there. A burst posts the newest few and lists the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING

import discord

from attune.channels import notice_key
from attune.locks import KeyedLocks
from attune.notify import tell_facilitators
from attune.recurrence import Every
from attune.scheduler import Occurrence, Plan
from cogs.episodes import fetch as fetching
from cogs.episodes.models import Feed, FeedEpisode
from cogs.episodes.parse import NotAFeed
from cogs.episodes.posting import PostTarget, find_recent_post, open_thread, usable_channel
from cogs.episodes.render import burst_embed, episode_embed, thread_name
from cogs.episodes.sandbox import parse_off_loop
from cogs.episodes.store import EpisodeStore

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)

POLL_KIND = "episodes.poll"
BURST_POSTS = 3  # a burst posts this many newest items on their own and lists the rest
FAILING_NOTICE_AT = 3  # consecutive failures before facilitators hear about it


def failing_notice_key(feed_id: int) -> str:
    return notice_key("episodes", "feed-failing", feed_id)


class FeedPoller:
    def __init__(self, bot: AttuneBot, store: EpisodeStore) -> None:
        self.bot = bot
        self.store = store
        self._locks = KeyedLocks()  # per feed, only while in use

    # ------------------------------------------------------------------ schedule

    @staticmethod
    def plan_for(feed: Feed) -> Plan:
        return Plan(
            str(feed.id), Every(feed.interval, feed.first_poll), since=feed.added_at, guild_id=feed.guild_id
        )

    async def load(self, keys: Collection[str] | None = None) -> list[Plan]:
        feed_ids = None if keys is None else [int(key) for key in keys]
        return [self.plan_for(feed) for feed in await self.store.all_feeds(feed_ids)]

    async def deliver(self, occurrence: Occurrence) -> str:
        async with self._locks[int(occurrence.key)]:
            feed = await self.store.feed(int(occurrence.key))
            if feed is None:
                return "feed no longer followed"
            if self.bot.get_guild(feed.guild_id) is None:
                return "Attune is not in this server (any more); not polled"
            checked = await self._check(feed, occurrence.at)
            posted = await self.post_pending(await self.store.feed(feed.id) or feed)
            return f"{checked}; {posted}"

    # ------------------------------------------------------------------- fetching

    async def _check(self, feed: Feed, at: datetime) -> str:
        now = self.bot.clock()
        if feed.next_poll_after is not None and at < feed.next_poll_after:
            return f"resting after {feed.failures} failure(s) until {feed.next_poll_after.isoformat()}"
        if feed.last_polled_at is not None and now - feed.last_polled_at < feed.interval / 2:
            return "checked moments ago"
        try:
            result = await fetching.fetch_off_loop(feed.url, etag=feed.etag, last_modified=feed.last_modified)
            if result.unchanged:
                await self.store.record_fetched(feed.id, None, None, None)
                await self._recovered(feed)
                return "unchanged (304)"
            parsed = await parse_off_loop(result.body, result.url, result.content_type)
        except (fetching.FetchError, NotAFeed) as error:
            return await self._failed(feed, error.message, at)
        except Exception:  # a parser surprise must not stop the poller
            log.exception("guild=%s feed=%s: unexpected error while reading the feed", feed.guild_id, feed.id)
            return await self._failed(feed, "the feed couldn't be read", at)
        added = await self.store.record_fetched(
            feed.id, parsed.items, result.etag, result.last_modified, title=parsed.title
        )
        await self._recovered(feed)
        if added:
            log.info("guild=%s feed=%s: %d new episode(s)", feed.guild_id, feed.id, added)
        return f"{added} new"

    async def _failed(self, feed: Feed, category: str, at: datetime) -> str:
        message = category.rstrip(".")
        updated = await self.store.record_failure(feed.id, message, at)
        failures = updated.failures if updated else feed.failures + 1
        log.warning(
            "guild=%s feed=%s poll failed (%d in a row): %s", feed.guild_id, feed.id, failures, message
        )
        if updated is not None and failures >= FAILING_NOTICE_AT:
            resume = updated.next_poll_after
            retry = (
                f" I'll try again {discord.utils.format_dt(resume, 'R')}, less often while it keeps failing."
                if resume
                else ""
            )
            await tell_facilitators(
                self.bot,
                feed.guild_id,
                f"The podcast feed **{discord.utils.escape_markdown(feed.title)}** has failed "
                f"{failures} times in a row: {message}.{retry} "
                "`/episode feeds` shows its status; `/episode feed-remove` stops following it.",
                once_key=failing_notice_key(feed.id),
                fallback_channel_id=feed.channel_id,
            )
        return f"fetch failed: {message}"

    async def _recovered(self, feed: Feed) -> None:
        if feed.failures >= FAILING_NOTICE_AT:
            await self.bot.guild_settings.forget_notice(feed.guild_id, failing_notice_key(feed.id))

    # -------------------------------------------------------------------- posting

    async def post_pending(self, feed: Feed) -> str:
        """Post what is waiting: interrupted sends first, then new items (a burst is condensed)."""
        pending = await self.store.to_post(feed.id)
        if not pending:
            return "nothing to post"
        channel, threads = await usable_channel(
            self.bot, feed.guild_id, feed.channel_id, what=f"new episodes of **{feed.title}**"
        )
        interrupted_posts = [e for e in pending if e.state == "posting"]
        interrupted_list = [e for e in pending if e.state == "listing"]
        fresh = [e for e in pending if e.state == "new"]
        if interrupted_list:
            await self._send_list(channel, feed, interrupted_list, resumed=True)
        for episode in interrupted_posts:
            await self._send_one(channel, threads, feed, episode, resumed=True)
        listed, solo = (
            (fresh[:-BURST_POSTS], fresh[-BURST_POSTS:]) if len(fresh) > BURST_POSTS else ([], fresh)
        )
        if listed:
            owned = set(await self.store.claim([e.id for e in listed], "listing"))
            await self._send_list(channel, feed, [e for e in listed if e.id in owned], resumed=False)
        posted = 0
        for episode in solo:
            if await self.store.claim([episode.id], "posting"):
                await self._send_one(channel, threads, feed, episode, resumed=False)
                posted += 1
        return f"posted {posted + len(interrupted_posts)}, listed {len(listed) + len(interrupted_list)}"

    async def _send_one(
        self, channel: PostTarget, threads: bool, feed: Feed, episode: FeedEpisode, *, resumed: bool
    ) -> None:
        embed = episode_embed(episode, feed.title)
        message = None
        if resumed:
            message = await find_recent_post(
                self.bot, channel, episode.claimed_at, lambda e: e.title == embed.title and e.url == embed.url
            )
        if message is None:
            message = await channel.send(embed=embed, nonce=f"attuneep{episode.id}")
        await self.store.mark_sent([episode.id], "posted", channel.id, message.id)
        log.info("guild=%s feed=%s posted episode %s", feed.guild_id, feed.id, episode.id)
        if threads and message.thread is None:
            thread_id = await open_thread(message, thread_name(episode.title), guild_id=feed.guild_id)
            if thread_id is not None:
                await self.store.set_thread(episode.id, thread_id)

    async def _send_list(
        self, channel: PostTarget, feed: Feed, episodes: list[FeedEpisode], *, resumed: bool
    ) -> None:
        if not episodes:
            return
        embed = burst_embed(feed.title, episodes)
        message = None
        if resumed:
            message = await find_recent_post(
                self.bot, channel, episodes[0].claimed_at, lambda e: e.title == embed.title
            )
        if message is None:
            message = await channel.send(embed=embed, nonce=f"attunels{episodes[0].id}")
        await self.store.mark_sent([e.id for e in episodes], "listed", channel.id, message.id)
        log.info("guild=%s feed=%s listed %d older new episode(s)", feed.guild_id, feed.id, len(episodes))
