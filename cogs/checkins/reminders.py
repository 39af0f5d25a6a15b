"""Personal DM reminders: at the member's local time, only on days they haven't checked in yet.

One plan per member (kind ``checkins.reminder``, key = user id). When Discord refuses the DM
(closed DMs: 403 / 50007) the reminder is paused and its job removed; the member is told once, in
an ephemeral reply, the next time they use a check-in command.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord

from attune.scheduler import Occurrence, PermanentFailure, Plan
from attune.timeparse import to_utc
from cogs.checkins.daily import end_of_local_day
from cogs.checkins.service import CheckinService, Reminder
from cogs.checkins.stats import local_date_of

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)

KIND = "checkins.reminder"
GRACE = timedelta(hours=2)


def plan_for(reminder: Reminder) -> Plan:
    return Plan(
        key=str(reminder.user_id),
        recurrence=reminder.recurrence(),
        since=reminder.updated_at,
        guild_id=reminder.guild_id,
    )


def deadline(plan: Plan, at: datetime) -> datetime:
    """A late reminder is still useful for two hours, but never after its local day ended."""
    zone_name = getattr(plan.recurrence, "zone_name", "UTC")
    return min(at + GRACE, end_of_local_day(zone_name, at))


def local_day_bounds(at: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where the local day containing ``at`` starts and ends."""
    day = local_date_of(at, zone)
    start = to_utc(datetime.combine(day, time(0)), zone)
    end = to_utc(datetime.combine(day + timedelta(days=1), time(0)), zone)
    return start, end


class Reminders:
    def __init__(self, bot: AttuneBot, service: CheckinService) -> None:
        self.bot = bot
        self.service = service

    async def load(self, keys: Collection[str] | None = None) -> list[Plan]:
        user_ids = None if keys is None else [int(key) for key in keys]
        return [plan_for(reminder) for reminder in await self.service.active_reminders(user_ids)]

    async def deliver(self, occurrence: Occurrence) -> str:
        user_id = int(occurrence.key)
        reminder = await self.service.get_reminder(user_id)
        if reminder is None or reminder.paused:
            return "reminder removed or paused; no DM"
        start, end = local_day_bounds(occurrence.at, ZoneInfo(reminder.timezone))
        if await self.service.checked_in_between(user_id, start, end):
            return "already checked in that day; no DM"
        text = self.bot.content.checkin.reminder
        link = await self._today_thread_link(reminder.guild_id)
        if link:
            text += f"\nToday's check-in thread: {link}"
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            channel = user.dm_channel or await user.create_dm()
            await channel.send(text, nonce=occurrence.nonce)
        except discord.Forbidden as error:
            await self.service.pause_reminder(user_id)
            await self.bot.scheduler.remove(KIND, occurrence.key)
            log.info("reminder paused user=%s: DMs closed (%s)", user_id, error.code)
            raise PermanentFailure(f"DMs closed ({error.code}); reminder paused") from None
        except discord.NotFound:
            await self.service.remove_reminder(user_id)
            await self.bot.scheduler.remove(KIND, occurrence.key)
            raise PermanentFailure("user not found; reminder removed") from None
        return "reminded"

    async def _today_thread_link(self, guild_id: int) -> str | None:
        setup = await self.service.get_setup(guild_id)
        zone = ZoneInfo(setup.timezone) if setup else (await self.bot.guild_settings.get(guild_id)).zone
        thread = await self.service.day_thread(guild_id, local_date_of(self.bot.clock(), zone))
        if thread is None or thread.thread_id is None:
            return None
        return f"https://discord.com/channels/{guild_id}/{thread.thread_id}"
