"""Group sits: scheduled, recurring group meditations with RSVP, reminders, bells, native events,
attendance and calendars (``/sit …``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from attune.bot import AttuneBot


async def setup(bot: AttuneBot) -> None:
    """Add the cog, register the sit schedule kinds with the core, and the restart-proof buttons."""
    from cogs.sits.cog import SitsCog
    from cogs.sits.views import DYNAMIC_ITEMS, SIT_HANDLER

    cog = SitsCog(bot)
    await bot.add_cog(cog)
    bot.handlers.register(SIT_HANDLER, cog, owner=cog)
    cog.service.schedules.register()
    bot.add_dynamic_items(*DYNAMIC_ITEMS)
