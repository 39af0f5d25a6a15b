"""The daily check-in thread: one per guild and local date, through the scheduler core's ledger.

Each enabled setup is one plan (kind ``checkins.daily``, key = guild id). Many guilds that chose
the same minute don't stampede: the core runs a kind's deliveries a few at a time, and the bot's
request pacer (:mod:`attune.pacing`) spaces them under Discord's global rate limit, so a thousand
threads open as fast as Discord allows and no faster. An occurrence may be delivered until the
end of its local day, so after downtime the day's thread still opens that same day (marked late)
— and never twice: the ledger claims the occurrence, and ``checkin_threads`` (one row per guild
and date) makes a retry reuse the starter it already posted.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord

from attune.notify import tell_facilitators
from attune.permissions import POST_WITH_THREAD, missing_permissions
from attune.scheduler import Occurrence, PermanentFailure, Plan
from attune.timeparse import to_utc
from cogs.checkins import render
from cogs.checkins.service import CheckinService, Setup
from cogs.checkins.stats import local_date_of
from cogs.checkins.views import starter_view

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)

KIND = "checkins.daily"
THREAD_EXISTS = 160004  # Discord: "A thread has already been created for this message"


def plan_for(setup: Setup) -> Plan:
    return Plan(
        key=str(setup.guild_id),
        recurrence=setup.recurrence(),
        since=setup.updated_at,
        guild_id=setup.guild_id,
    )


def end_of_local_day(zone_name: str, at: datetime) -> datetime:
    zone = ZoneInfo(zone_name)
    next_day = local_date_of(at, zone) + timedelta(days=1)
    return to_utc(datetime.combine(next_day, time(0)), zone)


def deadline(plan: Plan, at: datetime) -> datetime:
    """A day's thread may still open until that local day ends, never on the next one."""
    zone_name = getattr(plan.recurrence, "zone_name", "UTC")
    return end_of_local_day(zone_name, at)


def permission_notice_key(channel_id: int) -> str:
    return f"checkins.permissions.{channel_id}"


class DailyThreads:
    """Loads the plans and delivers one occurrence: starter message, then its public thread."""

    def __init__(self, bot: AttuneBot, service: CheckinService) -> None:
        self.bot = bot
        self.service = service

    async def load(self, keys: Collection[str] | None = None) -> list[Plan]:
        guild_ids = None if keys is None else [int(key) for key in keys]
        return [plan_for(setup) for setup in await self.service.enabled_setups(guild_ids)]

    async def deliver(self, occurrence: Occurrence) -> str:
        guild_id = int(occurrence.key)
        setup = await self.service.get_setup(guild_id)
        if setup is None or not setup.enabled:
            return "daily check-ins were disabled; nothing posted"
        day = local_date_of(occurrence.at, ZoneInfo(setup.timezone))
        existing = await self.service.day_thread(guild_id, day)
        if existing is not None and existing.thread_id is not None:
            return f"thread {existing.thread_id} was already open for {day}"
        channel = await self._channel(setup)
        await self._require_permissions(setup, channel)

        starter: discord.Message | discord.PartialMessage | None = None
        if existing is not None and existing.starter_id is not None and existing.channel_id == channel.id:
            starter = channel.get_partial_message(existing.starter_id)
        thread_id = await self._open_thread(starter, day) if starter is not None else None
        if thread_id is None:
            message = await channel.send(
                render.starter_text(self.bot.content, day, late=occurrence.late),
                view=starter_view(),
                nonce=occurrence.nonce,
            )
            await self.service.record_starter(guild_id, day, channel.id, message.id, occurrence.at)
            thread_id = await self._open_thread(message, day)
            if thread_id is None:
                raise PermanentFailure(f"starter {message.id} was deleted before its thread opened")
        await self.service.record_thread(guild_id, day, thread_id)
        await self.bot.guild_settings.forget_notice(guild_id, permission_notice_key(channel.id))
        log.info("check-in thread opened guild=%s date=%s thread=%s", guild_id, day, thread_id)
        return f"thread {thread_id}"

    async def _channel(self, setup: Setup) -> discord.TextChannel:
        channel = self.bot.get_channel(setup.channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(setup.channel_id)
            except (discord.NotFound, discord.Forbidden):
                channel = None
        if not isinstance(channel, discord.TextChannel):
            await tell_facilitators(
                self.bot,
                setup.guild_id,
                f"⚠️ I couldn't open today's check-in thread: the channel <#{setup.channel_id}> no longer "
                "exists or I can't see it. Run `/checkin setup` again with another channel.",
                once_key=f"checkins.channel-gone.{setup.channel_id}",
            )
            raise PermanentFailure(f"check-in channel {setup.channel_id} is gone or hidden")
        return channel

    async def _require_permissions(self, setup: Setup, channel: discord.TextChannel) -> None:
        missing = missing_permissions(channel, POST_WITH_THREAD)
        if not missing:
            return
        names = ", ".join(f"**{name}**" for name in missing)
        can_post_there = not missing_permissions(channel, ("view_channel", "send_messages"))
        await tell_facilitators(
            self.bot,
            setup.guild_id,
            f"⚠️ I couldn't open today's check-in thread in {channel.mention}: I'm missing the {names} "
            f"permission{'s' if len(missing) > 1 else ''} there. Please grant "
            f"{'them' if len(missing) > 1 else 'it'} to my role, or run `/checkin setup` with another "
            "channel.",
            once_key=permission_notice_key(channel.id),
            fallback_channel_id=channel.id if can_post_there else None,
        )
        raise PermanentFailure(f"missing permissions in {channel.id}: {', '.join(missing)}")

    async def _open_thread(self, starter: discord.Message | discord.PartialMessage, day: date) -> int | None:
        """The thread from ``starter`` (the existing one when a retry finds it made); ``None`` if the
        starter is gone."""
        try:
            thread = await starter.create_thread(
                name=render.thread_name(day), auto_archive_duration=render.THREAD_ARCHIVE_MINUTES
            )
        except discord.NotFound:
            return None
        except discord.HTTPException as error:
            if error.code == THREAD_EXISTS:
                return starter.id  # a thread started from a message shares the message's id
            raise
        return thread.id
