"""Rotating prompts on a schedule, delivered through the scheduler core (kind ``wheel.prompt``).

The core claims each occurrence in the delivery ledger before :meth:`PromptSchedule.deliver` runs,
so a post is never made twice; occurrences missed while the bot was down are posted late within
:data:`GRACE` and recorded as skipped after it. The rotation position comes from the posts already
made (``wheel_prompt_posts``), so it survives restarts; a retried delivery reuses its own row.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import timedelta
from typing import TYPE_CHECKING, Literal, cast

import discord

from attune.channels import Purpose, post_once, postable_channel, warn_missing
from attune.locks import KeyedLocks
from attune.scheduler import Occurrence, PermanentFailure, Plan
from attune.text import clip
from attune.when import to_local
from cogs.wheel import render
from cogs.wheel.store import WheelStore
from cogs.wheel.views import prompt_view

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)

KIND = "wheel.prompt"
#: A prompt is still worth posting this long after its time (e.g. after a restart); later, skipped.
GRACE = timedelta(hours=3)
THREAD_PERMISSIONS = ("create_public_threads", "send_messages_in_threads")
THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440


PURPOSE = Purpose(
    "wheel", "post today's Wheel of Awareness prompt", "move the prompts with `/wheel schedule`"
)


def thread_name(segment_name: str, local_day: str) -> str:
    return clip(f"Reflections · {segment_name} · {local_day}", 100)


class PromptSchedule:
    """Loads every guild's schedule for the core, and posts one rotating prompt per occurrence."""

    def __init__(self, bot: AttuneBot, store: WheelStore) -> None:
        self.bot = bot
        self.store = store
        self._guild_locks = KeyedLocks()  # per guild, only while in use

    def register(self) -> None:
        self.bot.scheduler.register(KIND, load=self.load, deliver=self.deliver, grace=GRACE)

    async def load(self, keys: Collection[str] | None = None) -> list[Plan]:
        guild_ids = None if keys is None else [int(key) for key in keys]
        return [schedule.plan for schedule in await self.store.schedules(guild_ids)]

    async def deliver(self, occurrence: Occurrence) -> str:
        guild_id = int(occurrence.key)
        schedule = await self.store.schedule(guild_id)
        if schedule is None:
            raise PermanentFailure("the wheel schedule was removed")
        channel = await postable_channel(
            self.bot, guild_id, schedule.channel_id, PURPOSE, kinds=(discord.TextChannel,), fetch=True
        )
        async with self._guild_locks[guild_id]:
            return await self._post(occurrence, guild_id, cast(discord.TextChannel, channel))

    async def _post(self, occurrence: Occurrence, guild_id: int, channel: discord.TextChannel) -> str:
        wheel = self.bot.content.wheel
        earlier = await self.store.post_for_delivery(occurrence.delivery_id)
        if earlier is not None:  # an interrupted attempt already posted it: just finish the thread
            segment, index, prompt = earlier.segment, earlier.prompt_index, earlier.prompt
        else:
            segment, index = await self.store.next_in_rotation(guild_id, wheel)
            prompt = wheel.prompts[segment][index]  # type: ignore[index]

        async def made_earlier() -> tuple[int, int] | None:
            return None if earlier is None else (earlier.channel_id, earlier.message_id)

        posted = await post_once(
            made_earlier,
            lambda: channel.send(
                embed=render.prompt_embed(
                    wheel, segment, prompt, late_for=occurrence.at if occurrence.late else None
                ),
                view=prompt_view(segment, index),
                nonce=occurrence.nonce,
            ),
            lambda message: self.store.record_prompt_post(
                message_id=message.id,
                guild_id=guild_id,
                channel_id=channel.id,
                segment=segment,
                prompt_index=index,
                prompt=prompt,
                delivery_id=occurrence.delivery_id,
            ),
        )
        if earlier is None or earlier.thread_id is None:
            await self._open_thread(occurrence, channel, posted.message_id, segment)
        log.info(
            "wheel prompt posted guild=%s channel=%s segment=%s index=%d late=%s",
            guild_id,
            channel.id,
            segment,
            index,
            occurrence.late,
        )
        return str(posted.message_id)

    async def _open_thread(
        self, occurrence: Occurrence, channel: discord.TextChannel, message_id: int, segment: str
    ) -> None:
        """Each scheduled prompt opens its reflection thread; without permission, shares open it later."""
        guild_id = channel.guild.id
        if not await warn_missing(
            self.bot,
            guild_id,
            channel,
            THREAD_PERMISSIONS,
            capability=PURPOSE.capability,
            problem="thread-permissions",
            posting="Wheel of Awareness prompts",
            without="their reflection threads",
            meanwhile="Members can still reflect privately.",
            fall_back_to_channel=True,
        ):
            return
        config = await self.bot.guild_settings.get(guild_id)
        local_day = to_local(occurrence.at, config.zone)
        day = f"{local_day:%A} {local_day.day} {local_day:%B}"
        name = thread_name(render.segment_name(self.bot.content.wheel, segment), day)
        thread = await channel.get_partial_message(message_id).create_thread(
            name=name, auto_archive_duration=THREAD_ARCHIVE_MINUTES
        )
        await self.store.set_thread(message_id, thread.id)
