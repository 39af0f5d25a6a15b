"""The episodes' use cases: share an episode, follow and unfollow feeds, set the weekly digest.

Each method coordinates the stores, Discord posts and the scheduler for one thing a member or
facilitator does, and returns a plain outcome (or raises a plain exception) that the cog words.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord

from cogs.episodes import fetch as fetching
from cogs.episodes.library import Entry, feed_entries, library_entries, share_entries
from cogs.episodes.models import Digest, Feed, FeedEpisode, FollowRefusal, Share
from cogs.episodes.parse import ParsedFeed
from cogs.episodes.posting import PostTarget, open_thread
from cogs.episodes.render import share_embed, thread_name
from cogs.episodes.sandbox import parse_off_loop
from cogs.episodes.schedules.digest import DigestPoster
from cogs.episodes.schedules.feeds import POLL_KIND, FeedPoller, failing_notice_key
from cogs.episodes.store import EpisodeStore
from cogs.episodes.urls import host_and_path

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)

#: The same member sharing the same link again within this long is a double submission.
REPEAT_WINDOW = timedelta(minutes=10)


class ShareNotPosted(Exception):
    """Discord refused or failed the share's post; nothing was kept."""

    def __init__(self, *, refused: bool, text: str) -> None:
        super().__init__(text)
        self.refused = refused
        self.text = text


@dataclass(frozen=True)
class Shared:
    share: Share
    jump_url: str
    thread_id: int | None


@dataclass(frozen=True)
class Followed:
    feed: Feed
    seeded: int


class EpisodeService:
    """The use cases of episodes, over the shares, feeds and digest stores, posts and schedules."""

    def __init__(self, bot: AttuneBot) -> None:
        self.bot = bot
        self.store = EpisodeStore(bot.db, bot.clock)
        self.poller = FeedPoller(bot, self.store)
        self.digests = DigestPoster(bot, self.store)

    # ------------------------------------------------------------------------ share

    async def shared_just_now(self, guild_id: int, user_id: int, url: str) -> bool:
        return await self.store.shared_since(guild_id, user_id, url, self.bot.clock() - REPEAT_WINDOW)

    async def share(
        self,
        guild_id: int,
        user_id: int,
        url: str,
        insight: str,
        title: str | None,
        channel: PostTarget,
        zone_name: str,
    ) -> Shared:
        """Store the share, post it (or keep nothing), open its thread, and make sure the weekly
        digest is scheduled."""
        known = await self.store.known_title(guild_id, url)
        episode_title = title or (known[0] if known else host_and_path(url))
        show = known[1] if known else None
        share = await self.store.add_share(guild_id, user_id, url, episode_title, insight, channel.id)
        try:
            message = await channel.send(embed=share_embed(share, show))
        except Exception as error:
            await self.store.drop_share(share.id)
            if isinstance(error, discord.Forbidden):
                raise ShareNotPosted(refused=True, text=error.text or "Forbidden") from None
            if isinstance(error, discord.HTTPException):
                raise ShareNotPosted(refused=False, text=error.text) from None
            raise
        thread_id = None
        if not isinstance(channel, discord.Thread):
            thread_id = await open_thread(message, thread_name(episode_title), guild_id=guild_id)
        await self.store.set_share_post(share.id, message.id, thread_id)
        log.info("guild=%s user=%s shared episode %s", guild_id, user_id, share.id)
        digest, changed = await self.store.ensure_digest(guild_id, zone_name)
        if changed:
            await self.digests.put(digest)
        return Shared(share, message.jump_url, thread_id)

    # ------------------------------------------------------------------------ feeds

    async def follow_refusal(self, guild_id: int, url: str) -> FollowRefusal | None:
        return await self.store.follow_refusal(guild_id, url)

    async def fetch_feed(self, url: str) -> tuple[fetching.FetchResult, ParsedFeed]:
        """Fetch and parse a feed off the event loop (raises ``FetchError`` or ``NotAFeed``)."""
        result = await fetching.fetch_off_loop(url)
        if result.unchanged:
            raise fetching.FetchError("the feed's server answered 304 to a first request", reason="http")
        return result, await parse_off_loop(result.body, result.url, result.content_type)

    async def follow(self, guild_id: int, url: str, *, channel_id: int, poll_minutes: int) -> Followed:
        """Fetch the feed, follow it with its current items seen (not posted), and schedule its polls.

        Raises ``FetchError``/``NotAFeed`` when the feed can't be read, :class:`FollowRefused` when
        the server can't follow it (checked again as it is stored)."""
        result, parsed = await self.fetch_feed(url)
        feed = await self.store.add_feed(
            guild_id,
            url,
            parsed,
            channel_id=channel_id,
            poll_minutes=poll_minutes,
            etag=result.etag,
            last_modified=result.last_modified,
        )
        await self.bot.scheduler.put(POLL_KIND, self.poller.plan_for(feed))
        return Followed(feed, len(parsed.items))

    async def unfollow(self, guild_id: int, feed_id: int) -> Feed | None:
        """Stop following; its schedule and any "failing" notice go with it."""
        removed = await self.store.remove_feed(guild_id, feed_id)
        if removed is not None:
            await self.bot.scheduler.remove(POLL_KIND, str(removed.id))
            await self.bot.guild_settings.forget_notice(guild_id, failing_notice_key(removed.id))
        return removed

    async def feeds(self, guild_id: int) -> list[Feed]:
        return await self.store.feeds(guild_id)

    async def feeds_with_latest(self, guild_id: int) -> list[tuple[Feed, FeedEpisode | None]]:
        return [(feed, await self.store.latest_episode(feed.id)) for feed in await self.store.feeds(guild_id)]

    # ----------------------------------------------------------- browse and insights

    async def entries(self, guild_id: int) -> list[Entry]:
        """Member shares (newest first), then feed episodes (newest first), then the library."""
        shares = share_entries(await self.store.guild_shares(guild_id))
        episodes = feed_entries(await self.store.guild_episodes(guild_id))
        return [*shares, *episodes, *library_entries(self.bot.content.episodes)]

    async def shares_between(self, guild_id: int, start: datetime, end: datetime) -> list[Share]:
        return await self.store.shares_between(guild_id, start, end)

    # ------------------------------------------------------------------------ digest

    async def digest(self, guild_id: int) -> Digest | None:
        return await self.store.digest(guild_id)

    async def set_digest(self, guild_id: int, weekday: int, clock: str, zone: str, enabled: bool) -> Digest:
        digest = await self.store.set_digest(guild_id, weekday, clock, zone, enabled)
        await self.digests.put(digest)
        return digest

    async def next_digest(self, guild_id: int) -> datetime | None:
        return await self.digests.next_run(guild_id)

    # ----------------------------------------------------------------------- privacy

    async def export_user(self, user_id: int) -> dict[str, Any]:
        return {"shares": [share.export() for share in await self.store.user_shares(user_id)]}

    async def delete_user(self, user_id: int) -> int:
        removed = await self.store.delete_user_shares(user_id)
        self.bot.takedowns.kick()
        if removed:
            await self.digests.redact(removed)
        log.info("privacy: removed %d episode share(s) of user=%s", len(removed), user_id)
        return len(removed)
