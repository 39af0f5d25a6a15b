"""Episode sharing: members share an episode with one insight; followed feeds; weekly digests."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)


async def setup(bot: AttuneBot) -> None:
    from cogs.episodes import fetch
    from cogs.episodes.cog import EpisodesCog
    from cogs.episodes.destinations import Allowed
    from cogs.episodes.schedules.digest import DIGEST_KIND
    from cogs.episodes.schedules.feeds import POLL_KIND
    from cogs.episodes.views import EPISODE_PAGES, AnotherEpisode, BrowsePage, InsightsPage

    allowed = Allowed.from_entries(bot.settings.feeds_allow)
    fetch.LIMITS = replace(fetch.LIMITS, allowed=allowed)
    if bot.settings.feeds_public_only is not None:
        log.warning(
            "ATTUNE_FEEDS_PUBLIC_ONLY is deprecated and ignored: feeds on private, loopback, link-local "
            "and reserved addresses are now refused by default. To allow a feed on your own network, name "
            "its host or range in ATTUNE_FEEDS_ALLOW (e.g. ATTUNE_FEEDS_ALLOW=10.0.0.0/8). The old "
            "setting will be rejected in a future version."
        )
    if allowed.hosts or allowed.networks:
        log.info("podcast feeds may also be fetched from: %s", ", ".join(bot.settings.feeds_allow))
    cog = EpisodesCog(bot)
    await bot.add_cog(cog)
    bot.handlers.register(EPISODE_PAGES, cog, owner=cog)
    # A missed poll costs nothing but a short delay (the next one finds the same items), so polls
    # missed while the bot was down are not run in a burst at start-up beyond a short grace.
    bot.scheduler.register(
        POLL_KIND,
        load=cog.service.poller.load,
        deliver=cog.service.poller.deliver,
        grace=timedelta(minutes=5),
        late_after=timedelta(minutes=5),
    )
    bot.scheduler.register(
        DIGEST_KIND,
        load=cog.service.digests.load,
        deliver=cog.service.digests.deliver,
        grace=timedelta(hours=6),
        late_after=timedelta(minutes=5),
    )
    bot.add_dynamic_items(BrowsePage, InsightsPage, AnotherEpisode)
