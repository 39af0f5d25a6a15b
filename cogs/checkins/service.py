"""The check-ins' use cases: set up and stop the daily threads, reminders, history, the summary.

Each method coordinates the store, guild settings and the scheduler for one thing a member or
facilitator does, and returns plain values that the cog renders. The check-in flow itself (zone →
feeling → note → share) lives in :mod:`cogs.checkins.flow`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from cogs.checkins.models import Reminder, Setup
from cogs.checkins.schedules import daily, reminders
from cogs.checkins.stats import HistoryData, history_data, streak
from cogs.checkins.store import CheckinStore
from cogs.checkins.summary import DayAggregate, aggregate_day, last_of_each_day

if TYPE_CHECKING:
    from attune.bot import AttuneBot
    from cogs.checkins.alerts import SupportAlerts


class CheckinService:
    """The use cases of check-ins, over the store, guild settings and the two schedule kinds."""

    def __init__(self, bot: AttuneBot, store: CheckinStore) -> None:
        self.bot = bot
        self.store = store
        self.threads = daily.DailyThreads(bot, store)
        self.reminder_jobs = reminders.Reminders(bot, store)

    # ------------------------------------------------------------ daily threads

    async def set_up(
        self, guild_id: int, channel_id: int, clock: time, days: frozenset[int], zone_name: str, by: int
    ) -> tuple[Setup, datetime | None]:
        """Save the setup, make its channel the check-ins channel, schedule it; the next opening."""
        setup = await self.store.save_setup(guild_id, channel_id, clock, days, zone_name, by)
        await self.bot.guild_settings.set_channel(guild_id, "checkins", channel_id)
        plan = daily.plan_for(setup)
        await self.bot.scheduler.put(daily.KIND, plan)
        return setup, plan.recurrence.next_after(self.bot.clock())

    async def disable(self, guild_id: int, by: int) -> bool:
        """Stop the daily threads; whether they were running."""
        stopped = await self.store.disable(guild_id, by)
        await self.bot.scheduler.remove(daily.KIND, str(guild_id))
        return stopped

    # ----------------------------------------------------------------- summary

    async def published_days(self, guild_id: int, first: date, last: date) -> list[DayAggregate]:
        """Each closed day as first published: frozen ones as stored, the others computed and frozen."""
        frozen = await self.store.frozen_days(guild_id, first, last)
        missing = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        missing = [day for day in missing if day not in frozen]
        if missing:
            rows = last_of_each_day(await self.store.day_rows(guild_id, missing[0], missing[-1]))
            await self.store.freeze(guild_id, [aggregate_day(day, rows.get(day, [])) for day in missing])
            frozen = await self.store.frozen_days(guild_id, first, last)
        return [frozen[day] for day in sorted(frozen, reverse=True)]

    # ----------------------------------------------------------------- history

    async def history(self, guild_id: int, user_id: int, today: date, days: int) -> HistoryData:
        entries = await self.store.entries(guild_id, user_id, today - timedelta(days=days - 1), today)
        all_days = await self.store.checkin_days(guild_id, user_id, today)
        return history_data(entries, today=today, days=days, streak_days=streak(all_days, today))

    # --------------------------------------------------------------- reminders

    async def reminder(self, user_id: int) -> Reminder | None:
        return await self.store.get_reminder(user_id)

    async def remind(
        self, user_id: int, guild_id: int, clock: time, zone_name: str
    ) -> tuple[Reminder, datetime | None]:
        """Set the member's daily reminder and schedule it; the first one's instant."""
        reminder = await self.store.set_reminder(user_id, guild_id, clock, zone_name)
        plan = self.reminder_jobs.plan_for(reminder)
        await self.bot.scheduler.put(reminders.KIND, plan)
        return reminder, plan.recurrence.next_after(self.bot.clock())

    async def stop_reminding(self, user_id: int) -> bool:
        """Remove the member's reminder and its schedule; whether there was one."""
        removed = await self.store.remove_reminder(user_id)
        await self.reminder_jobs.remove(user_id)
        return removed

    # ----------------------------------------------------------------- privacy

    async def export(self, user_id: int, alerts: SupportAlerts) -> dict[str, Any]:
        data = await self.store.export(user_id)
        data["support_requests"] = await alerts.export(user_id)
        return data

    async def delete(self, user_id: int) -> int:
        """Rows go now; shared check-ins and alert posts are queued in the same transaction."""
        removed = await self.store.delete(user_id)
        await self.reminder_jobs.remove(user_id)
        self.bot.takedowns.kick()
        return removed
