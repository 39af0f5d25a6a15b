"""Who is in a sit's voice channel, and for how long: voice-state events into persisted sessions.

Only channels that host a sit are watched, and only from an hour before a sit until it ends, so
members' voice activity is not recorded otherwise. Join times are stored, so a restart mid-sit
loses nothing; at start-up the sessions are reconciled with the voice states Discord reports.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

import discord

from cogs.sits.models import Sit
from cogs.sits.store import WATCH_BEFORE, SitStore

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)


class VoiceTracker:
    def __init__(self, bot: AttuneBot, store: SitStore) -> None:
        self.bot = bot
        self.store = store

    def _is_bot(self, guild: discord.Guild, user_id: int) -> bool:
        if self.bot.user is not None and user_id == self.bot.user.id:
            return True
        member = guild.get_member(user_id)
        return member is not None and member.bot

    async def on_voice_state_update(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        if member.bot or self.store.db.closed:  # closed: the process is shutting down
            return
        old = before.channel.id if before.channel else None
        new = after.channel.id if after.channel else None
        if old == new:
            return  # mute, deafen, stream: no move
        now = self.bot.clock()
        if old is not None:
            await self.store.voice_leave(member.id, old, now)
        if (
            new is not None
            and await self.store.watched(new, now)
            and await self.store.voice_join(member.guild.id, new, member.id, now)
        ):
            log.info("guild=%s user=%s joined sit voice channel %s", member.guild.id, member.id, new)

    async def snapshot(self, sit: Sit, now: datetime) -> int:
        """Open sessions for everyone already in the sit's voice channel (at the opening bell)."""
        guild = self.bot.get_guild(sit.guild_id)
        if guild is None or sit.voice_channel_id is None:
            return 0
        channel = guild.get_channel(sit.voice_channel_id)
        if not isinstance(channel, discord.VoiceChannel | discord.StageChannel):
            return 0
        opened = 0
        for user_id in channel.voice_states:
            if not self._is_bot(guild, user_id):
                opened += await self.store.voice_join(guild.id, channel.id, user_id, now)
        return opened

    async def reconcile(self, guild: discord.Guild, now: datetime) -> None:
        """After a (re)connect: close sessions of members who left meanwhile, open those who came."""
        for channel_id, user_id in await self.store.open_sessions(guild.id):
            channel = guild.get_channel(channel_id)
            present = isinstance(channel, discord.VoiceChannel | discord.StageChannel) and (
                user_id in channel.voice_states
            )
            if not present:
                await self.store.voice_leave(user_id, channel_id, now)
        for sit in await self.store.active_with_voice(guild.id):
            start = sit.current(now)
            if start is not None and start - WATCH_BEFORE <= now < sit.ends(start):
                await self.snapshot(sit, now)
