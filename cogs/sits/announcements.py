"""Keeps each sit's Discord side in step with its rule: the announcement and the native event.

``sync`` is idempotent ("make it right for now"): the closing of an occurrence, an edit, a
cancellation and every start-up call it, one sit at a time (a lock per sit), so nothing is created
twice when two of them meet.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TYPE_CHECKING

import discord

from attune.channels import Purpose, postable_channel
from attune.locks import KeyedLocks
from attune.scheduler import PermanentFailure
from cogs.sits import render
from cogs.sits.events import NativeEvents
from cogs.sits.models import Sit
from cogs.sits.store import SitStore
from cogs.sits.views import announcement_view

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)


class Announcements:
    def __init__(self, bot: AttuneBot, store: SitStore, events: NativeEvents) -> None:
        self.bot = bot
        self.store = store
        self.events = events
        self._locks = KeyedLocks()  # a sit's lock lives while someone holds or waits for it

    def lock(self, sit_id: int) -> asyncio.Lock:
        return self._locks[sit_id]

    async def reload(self, sit: Sit | int) -> Sit:
        found = await self.store.get(sit if isinstance(sit, int) else sit.id)
        if found is None:
            raise LookupError(f"sit {sit} is gone")
        return found

    # ----------------------------------------------------------------- posting

    async def postable(self, sit: Sit) -> discord.abc.Messageable:
        """The sit's channel, if the bot can post there; else the facilitators are told (once)."""
        return await postable_channel(
            self.bot,
            sit.guild_id,
            sit.channel_id,
            Purpose(
                "sits",
                f"post the bells and reminders of the sit **{render.plain(sit.title)}**",
                "move the sit with `/sit edit channel:`",
            ),
            tell_when_gone=False,
        )

    # ------------------------------------------------------------ announcement

    async def _announcement(
        self, sit: Sit, now: datetime
    ) -> tuple[discord.Embed, discord.ui.View, datetime | None]:
        current = sit.current(now) if sit.active else None
        counts = await self.store.counts(sit.id, current)
        embed = render.announcement_embed(sit, current, counts, now=now)
        view = announcement_view(sit.id, open_for_answers=sit.active and current is not None)
        return embed, view, current

    async def announce(self, sit: Sit) -> discord.Message:
        """Post a new announcement for ``sit`` (raises on Discord errors; the caller decides)."""
        channel = self.bot.get_channel(sit.channel_id)
        if not isinstance(channel, discord.TextChannel | discord.Thread | discord.VoiceChannel):
            raise PermanentFailure(f"channel {sit.channel_id} can't hold messages")
        embed, view, current = await self._announcement(sit, self.bot.clock())
        message = await channel.send(embed=embed, view=view)
        await self.store.set_announcement(sit.id, channel.id, message.id)
        await self.store.set_shown(sit.id, current)
        return message

    async def refresh(self, sit: Sit) -> None:
        """Edit the announcement to show the current occurrence, its counts and the sit's state."""
        embed, view, current = await self._announcement(sit, self.bot.clock())
        if sit.announcement_id is None:
            if sit.active and current is not None:
                await self.announce(sit)
            return
        message = self.bot.get_partial_messageable(sit.channel_id, guild_id=sit.guild_id).get_partial_message(
            sit.announcement_id
        )
        try:
            await message.edit(embed=embed, view=view)
        except discord.NotFound:
            log.info("guild=%s sit=%s announcement gone; posting it again", sit.guild_id, sit.id)
            await self.store.set_announcement(sit.id, sit.channel_id, None)
            if sit.active and current is not None:
                await self.announce(sit)
            return
        except discord.Forbidden as error:
            log.warning("guild=%s sit=%s announcement not editable: %s", sit.guild_id, sit.id, error)
            return
        await self.store.set_shown(sit.id, current)

    async def safe_refresh(self, sit: Sit) -> None:
        try:
            await self.refresh(sit)
        except (discord.HTTPException, PermanentFailure) as error:
            log.warning("guild=%s sit=%s announcement not refreshed: %s", sit.guild_id, sit.id, error)

    # -------------------------------------------------------------------- sync

    async def sync(self, sit: Sit | int, *, refresh: bool = False) -> Sit:
        """Make the event and announcement right for now; end a series that has no occurrence left."""
        async with self.lock(sit if isinstance(sit, int) else sit.id):
            return await self.sync_locked(await self.reload(sit), refresh=refresh)

    async def sync_locked(self, sit: Sit, *, refresh: bool = False) -> Sit:
        """``sync`` for a caller that already holds the sit's lock."""
        if not sit.active:
            return sit
        now = self.bot.clock()
        current = sit.current(now)
        if sit.event_id is not None and sit.event_at != current:
            await self.events.finish(sit)
            sit = await self.reload(sit)
        if current is None:
            # Its schedules have no occurrence left; they fall away by themselves (and a closing bell
            # firing at this same instant still finds its plan).
            await self.store.set_status(sit.id, "ended")
            sit = await self.reload(sit)
            await self.safe_refresh(sit)
            log.info("guild=%s sit=%s ended: no occurrence left", sit.guild_id, sit.id)
            return sit
        if sit.event_id is None and current > now:
            await self.events.create(sit, current)
            sit = await self.reload(sit)
        if refresh or sit.shown_at != current or sit.announcement_id is None:
            await self.safe_refresh(sit)
            sit = await self.reload(sit)
        return sit
