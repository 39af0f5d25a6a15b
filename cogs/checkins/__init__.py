"""Daily check-ins: a thread every day, window-of-tolerance and emotion check-ins, history charts,
privacy-safe community aggregates, personal reminders and a path to support."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from attune.bot import AttuneBot


async def setup(bot: AttuneBot) -> None:
    """Adds the cog, registers the two schedule kinds and the restart-proof components."""
    from cogs.checkins.cog import CheckinsCog
    from cogs.checkins.flow import CheckinFlow
    from cogs.checkins.schedules import daily, reminders
    from cogs.checkins.service import CheckinService
    from cogs.checkins.store import CheckinStore
    from cogs.checkins.views import CHECKIN_HANDLER, DYNAMIC_ITEMS

    store = CheckinStore(bot.db, bot.clock, bot.ledger_secret)
    service = CheckinService(bot, store)
    bot.scheduler.register(
        daily.KIND,
        load=service.threads.load,
        deliver=service.threads.deliver,
        grace=timedelta(hours=24),  # how far back catch-up looks; the deadline is the end of the day
        late_after=timedelta(minutes=2),
        deadline=daily.deadline,
    )
    bot.scheduler.register(
        reminders.KIND,
        load=service.reminder_jobs.load,
        deliver=service.reminder_jobs.deliver,
        grace=reminders.GRACE,
        late_after=timedelta(minutes=5),
        deadline=reminders.deadline,
    )
    flow = CheckinFlow(bot, store)
    cog = CheckinsCog(bot, service, flow)
    await bot.add_cog(cog)
    bot.handlers.register(CHECKIN_HANDLER, flow, owner=cog)
    bot.add_dynamic_items(*DYNAMIC_ITEMS)
