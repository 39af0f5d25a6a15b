"""Episode sharing: members share an episode with one insight; followed feeds; weekly digests."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from attune.bot import AttuneBot


async def setup(bot: AttuneBot) -> None:
    from cogs.episodes import fetch
    from cogs.episodes.cog import EpisodesCog
    from cogs.episodes.digest import DIGEST_KIND
    from cogs.episodes.poller import POLL_KIND
    from cogs.episodes.views import AnotherEpisode, BrowsePage, InsightsPage

    fetch.LIMITS = replace(fetch.LIMITS, public_only=bot.settings.feeds_public_only)
    cog = EpisodesCog(bot)
    await bot.add_cog(cog)
    # A missed poll costs nothing but a short delay (the next one finds the same items), so polls
    # missed while the bot was down are not run in a burst at start-up beyond a short grace.
    bot.scheduler.register(
        POLL_KIND,
        load=cog.poller.load,
        deliver=cog.poller.deliver,
        grace=timedelta(minutes=5),
        late_after=timedelta(minutes=5),
    )
    bot.scheduler.register(
        DIGEST_KIND,
        load=cog.digests.load,
        deliver=cog.digests.deliver,
        grace=timedelta(hours=6),
        late_after=timedelta(minutes=5),
    )
    bot.add_dynamic_items(BrowsePage, InsightsPage, AnotherEpisode)
