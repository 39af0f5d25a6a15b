"""The native Discord scheduled event that stands for a sit's next occurrence.

One event per sit at a time (Discord allows 100 upcoming events per guild): created for the current
occurrence, moved when the sit is edited, set active at the opening bell and completed at the end,
when the next occurrence's event is created. Without *Manage Events* / *Create Events* the sit works
on without one and the facilitators are told once, naming the permission.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from attune.channels import notice_key
from attune.notify import tell_facilitators
from attune.text import clip
from cogs.sits import render
from cogs.sits.models import Sit
from cogs.sits.store import SitStore

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)

NOTICE_KEY = notice_key("sits", "event-permissions")


def missing_event_permissions(guild: discord.Guild) -> list[str]:
    """Human names of what the bot lacks to manage its own scheduled events here."""
    granted = guild.me.guild_permissions
    if granted.manage_events or granted.create_events:
        return []
    return ["Manage Events"]


class NativeEvents:
    def __init__(self, bot: AttuneBot, store: SitStore) -> None:
        self.bot = bot
        self.store = store

    # ---------------------------------------------------------------- helpers

    async def _tell_missing(self, sit: Sit, guild: discord.Guild, missing: list[str]) -> None:
        names = " and ".join(f"**{name}**" for name in missing)
        text = (
            f"Heads up: I can't create Discord events for sits in **{clip(guild.name, 80)}** because I'm "
            f"missing the {names} permission (server-wide, in Server Settings → Roles). Sits still work — "
            "announcements, RSVPs, reminders and bells — just without the native event. Grant it and the "
            "next sit gets its event."
        )
        await tell_facilitators(
            self.bot, sit.guild_id, text, once_key=NOTICE_KEY, fallback_channel_id=sit.channel_id
        )

    async def fetch(self, guild: discord.Guild, event_id: int) -> discord.ScheduledEvent | None:
        cached = guild.get_scheduled_event(event_id)
        if cached is not None:
            return cached
        try:
            return await guild.fetch_scheduled_event(event_id)
        except discord.NotFound:
            return None

    def _target(self, sit: Sit, guild: discord.Guild) -> dict[str, Any]:
        voice = guild.get_channel(sit.voice_channel_id) if sit.voice_channel_id else None
        if isinstance(voice, discord.StageChannel):
            return {"entity_type": discord.EntityType.stage_instance, "channel": voice}
        if isinstance(voice, discord.VoiceChannel):
            return {"entity_type": discord.EntityType.voice, "channel": voice}
        announce = guild.get_channel(sit.channel_id)
        where = f"#{announce.name}" if announce is not None else guild.name
        return {
            "entity_type": discord.EntityType.external,
            "location": clip(f"Discord · {where} ({guild.name})", 100),
        }

    def _details(self, sit: Sit, guild: discord.Guild, start: datetime) -> dict[str, Any]:
        announce = guild.get_channel(sit.channel_id)
        rsvp = f" RSVP in #{announce.name}." if announce is not None else ""
        description = f"{render.sit_summary(sit)}{rsvp}"
        return {
            "name": clip(sit.title, 100),
            "description": clip(description, 1000),
            # Discord requires it when creating an event; discord.py 2.7 leaves it out unless given.
            "privacy_level": discord.PrivacyLevel.guild_only,
            "start_time": start,
            "end_time": sit.ends(start),
            **self._target(sit, guild),
        }

    def _guild(self, sit: Sit) -> discord.Guild | None:
        return self.bot.get_guild(sit.guild_id)

    # ------------------------------------------------------------- lifecycle

    async def create(self, sit: Sit, start: datetime) -> str | None:
        """Create the event for ``start``; returns a problem to tell the facilitator, or ``None``."""
        guild = self._guild(sit)
        if guild is None:
            return None
        missing = missing_event_permissions(guild)
        if missing:
            await self._tell_missing(sit, guild, missing)
            return f"I couldn't create the Discord event: I'm missing the **{missing[0]}** permission."
        try:
            event = await guild.create_scheduled_event(**self._details(sit, guild, start))
        except discord.Forbidden:
            await self._tell_missing(sit, guild, ["Manage Events"])
            return "I couldn't create the Discord event: Discord refused (missing **Manage Events**)."
        except discord.HTTPException as error:
            log.warning("guild=%s sit=%s event not created: %s", sit.guild_id, sit.id, error)
            return "I couldn't create the Discord event this time; I'll try again for the next sit."
        await self.store.set_event(sit.id, event.id, start)
        await self.bot.guild_settings.forget_notice(sit.guild_id, NOTICE_KEY)
        log.info("guild=%s sit=%s event=%s created for %s", sit.guild_id, sit.id, event.id, start.isoformat())
        return None

    async def move(self, sit: Sit, start: datetime) -> bool:
        """Bring the existing event in step with ``sit`` at ``start``; False if there is none to edit."""
        guild = self._guild(sit)
        if guild is None or sit.event_id is None:
            return False
        event = await self.fetch(guild, sit.event_id)
        if event is None or event.status is not discord.EventStatus.scheduled:
            return False
        try:
            await event.edit(**self._details(sit, guild, start))
        except discord.HTTPException as error:
            log.warning("guild=%s sit=%s event=%s not edited: %s", sit.guild_id, sit.id, sit.event_id, error)
            return False
        await self.store.set_event(sit.id, event.id, start)
        return True

    async def begin(self, sit: Sit, start: datetime) -> str:
        guild = self._guild(sit)
        if guild is None or sit.event_id is None or sit.event_at != start:
            return "no event for this occurrence"
        event = await self.fetch(guild, sit.event_id)
        if event is None:
            return "event gone"
        if event.status is discord.EventStatus.scheduled:
            await event.start()
            return f"event {event.id} active"
        return f"event {event.id} already {event.status.name}"

    async def finish(self, sit: Sit) -> None:
        """Complete (or, if it never started, cancel) the event; forget it either way."""
        guild = self._guild(sit)
        if guild is None or sit.event_id is None:
            return
        event = await self.fetch(guild, sit.event_id)
        try:
            if event is not None and event.status is discord.EventStatus.active:
                await event.end()
            elif event is not None and event.status is discord.EventStatus.scheduled:
                await event.cancel()
        except discord.NotFound:
            pass
        except discord.HTTPException as error:
            log.warning(
                "guild=%s sit=%s event=%s not finished: %s", sit.guild_id, sit.id, sit.event_id, error
            )
        await self.store.set_event(sit.id, None, None)
