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
from typing import TYPE_CHECKING, cast
from zoneinfo import ZoneInfo

import discord

from attune.channels import Purpose, no_earlier_post, permission_notice_key, post_once, postable_channel
from attune.permissions import POST_WITH_THREAD
from attune.scheduler import Occurrence, PermanentFailure, Plan
from attune.when import local_date_of, to_utc
from cogs.checkins import render
from cogs.checkins.models import Setup
from cogs.checkins.store import CheckinStore
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


PURPOSE = Purpose("checkins", "open today's check-in thread", "run `/checkin setup` with another channel")


class DailyThreads:
    """Loads the plans and delivers one occurrence: starter message, then its public thread."""

    def __init__(self, bot: AttuneBot, store: CheckinStore) -> None:
        self.bot = bot
        self.store = store

    async def load(self, keys: Collection[str] | None = None) -> list[Plan]:
        guild_ids = None if keys is None else [int(key) for key in keys]
        return [plan_for(setup) for setup in await self.store.enabled_setups(guild_ids)]

    async def deliver(self, occurrence: Occurrence) -> str:
        guild_id = int(occurrence.key)
        setup = await self.store.get_setup(guild_id)
        if setup is None or not setup.enabled:
            return "daily check-ins were disabled; nothing posted"
        day = local_date_of(occurrence.at, ZoneInfo(setup.timezone))
        existing = await self.store.day_thread(guild_id, day)
        if existing is not None and existing.thread_id is not None:
            return f"thread {existing.thread_id} was already open for {day}"
        channel = await self._channel(setup)

        async def made_earlier() -> tuple[int, int] | None:
            """The starter an earlier attempt posted today, if it is in this channel."""
            if existing is None or existing.starter_id is None or existing.channel_id != channel.id:
                return None
            return channel.id, existing.starter_id

        async def send() -> discord.Message:
            return await channel.send(
                render.starter_text(self.bot.content, day, late=occurrence.late),
                view=starter_view(),
                nonce=occurrence.nonce,
            )

        async def remember(message: discord.Message) -> None:
            await self.store.record_starter(guild_id, day, channel.id, message.id, occurrence.at)

        posted = await post_once(made_earlier, send, remember)
        starter = posted.message or channel.get_partial_message(posted.message_id)
        thread_id = await self._open_thread(starter, day)
        if thread_id is None and posted.earlier:  # that starter was deleted meanwhile: post it again
            posted = await post_once(no_earlier_post, send, remember)
            thread_id = await self._open_thread(posted.message or starter, day)
        if thread_id is None:
            raise PermanentFailure(f"starter {posted.message_id} was deleted before its thread opened")
        await self.store.record_thread(guild_id, day, thread_id)
        all_clear = permission_notice_key(PURPOSE.capability, channel.id)
        await self.bot.guild_settings.forget_notice(guild_id, all_clear)
        log.info("check-in thread opened guild=%s date=%s thread=%s", guild_id, day, thread_id)
        return f"thread {thread_id}"

    async def _channel(self, setup: Setup) -> discord.TextChannel:
        """The setup's channel, if the bot may open the day's thread there (else told once, raised)."""
        channel = await postable_channel(
            self.bot,
            setup.guild_id,
            setup.channel_id,
            PURPOSE,
            kinds=(discord.TextChannel,),
            needs=POST_WITH_THREAD,
            fetch=True,
            fall_back_to_channel=True,
        )
        return cast(discord.TextChannel, channel)

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
