"""The wheel's use cases: schedule prompts, record and reflect on prompts, share a reflection.

Each method coordinates the store, Discord threads and the scheduler for one thing a member or
facilitator does, and returns plain values (or raises :class:`NotShared`) that the cog words.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING, Any

import discord

from attune.content import WheelContent
from attune.locks import KeyedLocks
from attune.permissions import missing_permissions
from attune.text import inert
from cogs.wheel import render
from cogs.wheel.models import JournalPage, Schedule
from cogs.wheel.schedules import KIND, THREAD_ARCHIVE_MINUTES, PromptSchedule, thread_name
from cogs.wheel.store import WheelStore

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)

THREAD_SHARE_PERMISSIONS = ("view_channel", "create_public_threads", "send_messages_in_threads")


class NotShared(Exception):
    """A reflection couldn't be shared in its prompt's thread; the text says why."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass(frozen=True)
class Scheduled:
    schedule: Schedule
    replaced: bool
    first: datetime | None
    next_segment: str


class WheelService:
    """The use cases of the wheel, over the store, prompt threads and the ``wheel.prompt`` kind."""

    def __init__(self, bot: AttuneBot) -> None:
        self.bot = bot
        self.store = WheelStore(bot.db, bot.clock)
        self.prompts = PromptSchedule(bot, self.store)
        self._thread_locks = KeyedLocks()  # per prompt message, only while in use

    @property
    def content(self) -> WheelContent:
        return self.bot.content.wheel

    # ------------------------------------------------------------ schedule

    async def schedule(
        self, guild_id: int, channel_id: int, clock: time, weekdays: frozenset[int], zone_name: str
    ) -> Scheduled:
        """Save the guild's prompt schedule and put it on the scheduler; what comes first and next."""
        schedule, replaced = await self.store.set_schedule(
            guild_id=guild_id, channel_id=channel_id, clock=clock, weekdays=weekdays, timezone=zone_name
        )
        await self.bot.scheduler.put(KIND, schedule.plan)
        first = schedule.recurrence.next_after(self.bot.clock())
        segment, _ = await self.store.next_in_rotation(guild_id, self.content)
        return Scheduled(schedule, replaced, first, segment)

    async def unschedule(self, guild_id: int) -> Schedule | None:
        removed = await self.store.remove_schedule(guild_id)
        if removed is not None:
            await self.bot.scheduler.remove(KIND, str(guild_id))
        return removed

    # ------------------------------------------------------------- prompts

    async def record_prompt(
        self,
        *,
        message_id: int,
        guild_id: int,
        channel_id: int,
        segment: str,
        prompt_index: int,
        prompt: str,
        thread_id: int | None,
    ) -> None:
        await self.store.record_prompt_post(
            message_id=message_id,
            guild_id=guild_id,
            channel_id=channel_id,
            segment=segment,
            prompt_index=prompt_index,
            prompt=prompt,
            thread_id=thread_id,
        )

    async def prompt_text(
        self, guild_id: int | None, channel_id: int | None, message_id: int, segment: str
    ) -> str | None:
        """The words of a prompt posted in this guild and channel, as they read when posted.

        The message id comes from a custom_id a client could forge: a prompt from another guild or
        channel, or a message that is no prompt, gives ``None``.
        """
        post = await self.store.prompt_post(message_id)
        if (
            post is None
            or post.guild_id != guild_id
            or post.segment != segment
            or not {channel_id} & {post.channel_id, post.thread_id}
        ):
            return None
        return post.prompt

    # ---------------------------------------------------------- reflections

    async def save_reflection(self, **fields: Any) -> int:
        return await self.store.save_reflection(**fields)

    async def share(
        self,
        channel: object,
        message_id: int,
        segment: str,
        body: str,
        author: discord.abc.User,
        reflection_id: int,
    ) -> discord.Thread:
        """Post the member's words in the prompt's thread (opening it on the first share); no pings."""
        thread = await self._prompt_thread(channel, message_id, segment)
        missing = missing_permissions(thread, ("send_messages_in_threads",))
        if missing:
            raise NotShared(f"I'm missing the **{missing[0]}** permission in {thread.mention}.")
        try:
            sent = await thread.send(
                f"{author.mention} reflects:\n>>> {inert(body)}",
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException as error:
            log.warning("wheel share failed thread=%s: %s", thread.id, error)
            raise NotShared("Discord refused the post in the thread just now.") from error
        log.info(
            "wheel reflection shared guild=%s thread=%s user=%s",
            thread.guild.id,
            thread.id,
            author.id,
        )
        await self.store.mark_shared(reflection_id, thread.id, sent.id)
        return thread

    async def _prompt_thread(self, channel: object, message_id: int, segment: str) -> discord.Thread:
        if isinstance(channel, discord.Thread):
            return channel
        if not isinstance(channel, discord.TextChannel):
            raise NotShared("this prompt is not in a text channel.")
        async with self._thread_locks[message_id]:
            post = await self.store.prompt_post(message_id)
            if post is not None and post.thread_id is not None:
                existing = await self._thread(post.thread_id)
                if existing is not None:
                    return existing
            missing = missing_permissions(channel, THREAD_SHARE_PERMISSIONS)
            if missing:
                names = ", ".join(f"**{m}**" for m in missing)
                raise NotShared(f"I'm missing {names} in {channel.mention} to open the prompt's thread.")
            name = thread_name(render.segment_name(self.content, segment), "shared reflections")
            try:
                thread = await channel.get_partial_message(message_id).create_thread(
                    name=name, auto_archive_duration=THREAD_ARCHIVE_MINUTES
                )
            except discord.HTTPException as error:
                # A thread started by someone else on the prompt has the prompt's id.
                thread_or_none = await self._thread(message_id)
                if thread_or_none is None:
                    log.warning("wheel thread creation failed message=%s: %s", message_id, error)
                    raise NotShared("Discord refused to open the prompt's thread just now.") from error
                thread = thread_or_none
            if post is not None:
                await self.store.set_thread(message_id, thread.id)
            return thread

    async def _thread(self, thread_id: int) -> discord.Thread | None:
        found = self.bot.get_channel(thread_id)
        if found is None:
            try:
                found = await self.bot.fetch_channel(thread_id)
            except discord.HTTPException:
                return None
        return found if isinstance(found, discord.Thread) else None

    # ------------------------------------------------------------- journal

    async def journal_page(self, user_id: int, page: int) -> JournalPage:
        return await self.store.journal_page(user_id, page)

    # ------------------------------------------------------------- privacy

    async def export(self, user_id: int) -> dict[str, Any]:
        return await self.store.export(user_id)

    async def delete(self, user_id: int) -> int:
        """Delete the member's reflections, and take down the ones they shared in threads."""
        deleted = await self.store.delete_reflections(user_id)
        self.bot.takedowns.kick()
        log.info("wheel privacy delete user=%s reflections=%d", user_id, len(deleted))
        return len(deleted)
