"""The weekly insight digest: "What our community is carrying this week".

One plan per guild (``episodes.digest``, key = guild id), weekly at the configured weekday and
wall-clock time in the guild's time zone (default Sunday 18:00). The ledger makes each week's
digest run once, also across restarts; the post carries the occurrence's nonce. A week without
insights posts nothing (the ledger records why). Posted digests are remembered so that a member's
``/privacy delete`` can take their insight out of them.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord

from attune.recurrence import weekly_at
from attune.scheduler import Occurrence, Plan
from attune.when import WEEKDAY_NAMES, parse_clock, to_local
from cogs.episodes.models import Digest, Share
from cogs.episodes.posting import usable_channel
from cogs.episodes.render import DIGEST_COLOUR, DIGEST_TITLE, digest_embed
from cogs.episodes.store import EpisodeStore

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)

DIGEST_KIND = "episodes.digest"
WEEK = timedelta(days=7)


def describe(digest: Digest) -> str:
    return f"every {WEEKDAY_NAMES[digest.weekday]} at {digest.clock} ({digest.zone})"


class DigestPoster:
    def __init__(self, bot: AttuneBot, store: EpisodeStore) -> None:
        self.bot = bot
        self.store = store

    @staticmethod
    def plan_for(digest: Digest, zone: str | None = None) -> Plan:
        zone_name = zone or digest.zone
        from_day = to_local(digest.since, ZoneInfo(zone_name)).date()
        recurrence = weekly_at(parse_clock(digest.clock), frozenset({digest.weekday}), zone_name, from_day)
        return Plan(str(digest.guild_id), recurrence, since=digest.since, guild_id=digest.guild_id)

    async def load(self, keys: Collection[str] | None = None) -> list[Plan]:
        guild_ids = None if keys is None else [int(key) for key in keys]
        return [self.plan_for(digest, zone) for digest, zone in await self.store.all_digests(guild_ids)]

    async def put(self, digest: Digest) -> None:
        if digest.enabled:
            await self.bot.scheduler.put(DIGEST_KIND, self.plan_for(digest))
        else:
            await self.bot.scheduler.remove(DIGEST_KIND, str(digest.guild_id))

    async def next_run(self, guild_id: int) -> datetime | None:
        return await self.bot.scheduler.next_run(DIGEST_KIND, str(guild_id))

    async def deliver(self, occurrence: Occurrence) -> str:
        guild_id = int(occurrence.key)
        if self.bot.get_guild(guild_id) is None:
            return "Attune is not in this server (any more); nothing posted"
        start = occurrence.at - WEEK
        shares = await self.store.shares_between(guild_id, start, occurrence.at)
        if not shares:
            log.info("guild=%s digest at %s: no insights this week", guild_id, occurrence.at.isoformat())
            return "no insights this week; nothing posted"
        channel, _ = await usable_channel(
            self.bot, guild_id, shares[0].channel_id, what="the weekly insight digest"
        )
        message = await channel.send(
            embed=digest_embed(shares, start, occurrence.at, late=occurrence.late), nonce=occurrence.nonce
        )
        await self.store.record_digest_post(guild_id, occurrence.at, start, channel.id, message.id)
        log.info("guild=%s digest posted with %d insight(s)", guild_id, len(shares))
        return f"{len(shares)} insight(s)"

    async def redact(self, removed: list[Share]) -> int:
        """Re-render posted digests that quoted any of ``removed`` (already deleted); returns edits."""
        edited = 0
        for post in await self.store.digest_posts_covering(removed):
            remaining = await self.store.shares_between(post.guild_id, post.window_start, post.occurrence)
            if remaining:
                embed = digest_embed(remaining, post.window_start, post.occurrence)
            else:
                embed = discord.Embed(
                    title=DIGEST_TITLE,
                    description="The insights of this week were removed at their authors' request.",
                    colour=DIGEST_COLOUR,
                )
            message = self.bot.get_partial_messageable(
                post.channel_id, guild_id=post.guild_id
            ).get_partial_message(post.message_id)
            try:
                await message.edit(embed=embed)
                edited += 1
            except discord.HTTPException as error:
                log.info(
                    "guild=%s could not edit digest %s: %s", post.guild_id, post.message_id, error.status
                )
        return edited
