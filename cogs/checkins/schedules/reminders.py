"""Personal DM reminders: at the member's local time, only on days they haven't checked in yet.

One plan per member (kind ``checkins.reminder``, key = a keyed hash of the user id, so neither the
delivery ledger nor the due-time table holds the raw id; the key is stored with the reminder, which is
how a due key finds its member). When Discord refuses the DM
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
from attune.when import local_date_of, to_utc
from cogs.checkins.models import Reminder
from cogs.checkins.schedules.daily import end_of_local_day
from cogs.checkins.store import CheckinStore
from cogs.checkins.views import StartButton

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)

KIND = "checkins.reminder"
GRACE = timedelta(hours=2)


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
    """The reminder kind's loader and delivery. Its schedule key is stored with each reminder
    (``checkin_reminders.schedule_key``), so a due key leads back to its member without any map."""

    def __init__(self, bot: AttuneBot, store: CheckinStore) -> None:
        self.bot = bot
        self.store = store

    def key(self, user_id: int) -> str:
        return self.store.reminder_key(user_id)

    def plan_for(self, reminder: Reminder) -> Plan:
        return Plan(
            key=self.key(reminder.user_id),
            recurrence=reminder.recurrence(),
            since=reminder.updated_at,
            guild_id=reminder.guild_id,
        )

    async def remove(self, user_id: int) -> None:
        await self.bot.scheduler.remove(KIND, self.key(user_id))

    async def load(self, keys: Collection[str] | None = None) -> list[Plan]:
        if keys is None:  # all of them: the scheduler is filling its due table
            await self.store.fill_reminder_keys()
        return [self.plan_for(reminder) for reminder in await self.store.active_reminders(keys)]

    async def deliver(self, occurrence: Occurrence) -> str:
        reminder = await self.store.reminder_by_key(occurrence.key)
        if reminder is None or reminder.paused:
            return "reminder removed or paused; no DM"
        user_id = reminder.user_id
        start, end = local_day_bounds(occurrence.at, ZoneInfo(reminder.timezone))
        if await self.store.checked_in_between(user_id, start, end):
            return "already checked in that day; no DM"
        text, view = await self._message(reminder.guild_id)
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            channel = user.dm_channel or await user.create_dm()
            await channel.send(text, view=view, nonce=occurrence.nonce)
        except discord.Forbidden as error:
            await self.store.pause_reminder(user_id)
            await self.remove(user_id)
            log.info("reminder paused user=%s: DMs closed (%s)", user_id, error.code)
            raise PermanentFailure(f"DMs closed ({error.code}); reminder paused") from None
        except discord.NotFound:
            await self.store.remove_reminder(user_id)
            await self.remove(user_id)
            raise PermanentFailure("user not found; reminder removed") from None
        return "reminded"

    async def _message(self, guild_id: int) -> tuple[str, discord.ui.View]:
        """The reminder: which server it is from, a way in from the DM, and how to stop it."""
        guild = self.bot.get_guild(guild_id)
        name = discord.utils.escape_markdown(guild.name) if guild is not None else "your server"
        link, label = await self._today_thread_link(guild_id), "Open today's check-in thread"
        if link is None:
            setup = await self.store.get_setup(guild_id)
            if setup is not None and setup.enabled:
                link, label = f"https://discord.com/channels/{guild_id}/{setup.channel_id}", "Open check-ins"
            else:
                link, label = f"https://discord.com/channels/{guild_id}", f"Go to {name}"
        text = (
            f"🌱 **{name}** · check-in reminder\n{self.bot.content.checkin.reminder}\n"
            f"-# To stop these, use `/checkin remind` with time `off` in {name}."
        )
        view = discord.ui.View(timeout=None)
        view.add_item(StartButton())  # the check-in itself, right here in the DM (for this server)
        view.add_item(discord.ui.Button(label=label[:80], url=link, emoji="🌱"))
        return text, view

    async def _today_thread_link(self, guild_id: int) -> str | None:
        setup = await self.store.get_setup(guild_id)
        zone = ZoneInfo(setup.timezone) if setup else (await self.bot.guild_settings.get(guild_id)).zone
        thread = await self.store.day_thread(guild_id, local_date_of(self.bot.clock(), zone))
        if thread is None or thread.thread_id is None:
            return None
        return f"https://discord.com/channels/{guild_id}/{thread.thread_id}"
