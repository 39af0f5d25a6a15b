"""The bot: wires settings, content, storage and the scheduler core, then loads the cogs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import discord
import yarl
from discord.ext import commands

from attune import __version__, ledger
from attune.clock import Clock, utcnow
from attune.config import Settings
from attune.content import Content
from attune.cooldowns import Cooldowns
from attune.db import Database
from attune.guilds import GuildSettings
from attune.pacing import RequestPacer, pace
from attune.privacy import PersonalData
from attune.scheduler import Scheduler
from attune.takedowns import Takedowns
from attune.ui import AttuneTree, Handlers, keep_only_needed_views

log = logging.getLogger(__name__)

EXTENSIONS: tuple[str, ...] = (
    "cogs.settings",
    "cogs.sits",
    "cogs.wheel",
    "cogs.checkins",
    "cogs.episodes",
)


def use_endpoints(settings: Settings) -> None:
    """Point discord.py at a Discord-compatible server when the operator configured one."""
    if settings.api_base_url:
        discord.http.Route.BASE = settings.api_base_url
    if settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


def intents() -> discord.Intents:
    """Only non-privileged intents: guilds, scheduled events and voice states."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.guild_scheduled_events = True
    chosen.voice_states = True
    return chosen


class AttuneBot(commands.AutoShardedBot):
    """``setup_hook``: database → migrations → scheduler → cogs → persistent components.

    Sharded by discord.py: over the shards of ``settings.cluster`` (``ATTUNE_SHARD_COUNT``,
    ``ATTUNE_SHARDS``) when set, else over as many as Discord recommends, all in this process.
    """

    db: Database
    guild_settings: GuildSettings
    scheduler: Scheduler
    cooldowns: Cooldowns
    takedowns: Takedowns

    def __init__(
        self,
        settings: Settings,
        content: Content,
        *,
        clock: Clock = utcnow,
        extensions: Sequence[str] = EXTENSIONS,
        start_scheduler: bool = True,
        db: Database | None = None,
        pacer: RequestPacer | None = None,
        **options: Any,
    ) -> None:
        self.cluster = settings.cluster
        options.setdefault("shard_count", self.cluster.count)
        options.setdefault("shard_ids", self.cluster.ids)
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=AttuneTree,
            help_command=None,
            **options,
        )
        self.settings = settings
        self.content = content
        self.clock = clock
        self.version = __version__
        self._extensions = tuple(extensions)
        self._start_scheduler = start_scheduler
        self._resources_closed = False
        self._pruning: asyncio.Task[None] | None = None
        self.pacer = pacer
        #: Who answers each capability's components, registered in its ``setup()``.
        self.handlers = Handlers()
        if db is not None:
            self.db = db

    async def setup_hook(self) -> None:
        keep_only_needed_views(self._connection)
        if self.pacer is not None:
            pace(self.http, self.pacer)
        if not hasattr(self, "db"):
            self.db = await Database.open(self.settings.database)
        await self.db.migrate()
        self.guild_settings = GuildSettings(self.db, self.clock)
        self.scheduler = Scheduler(
            self.db,
            clock=self.clock,
            ready=self.wait_until_ready,
            available=self.guild_available,
            shards=self.cluster,
        )
        self.ledger_secret = await ledger.load_secret(self.db)
        self.cooldowns = Cooldowns(self.db, self.clock)
        self.takedowns = Takedowns(self)
        for extension in self._extensions:
            await self.load_extension(extension)
        if self._start_scheduler:
            await self.scheduler.start()
            self._pruning = asyncio.ensure_future(self._prune_ledger())
            self.takedowns.kick()  # finish take-downs a crash interrupted
        log.info(
            "Attune %s set up with %d cogs; shards %s", self.version, len(self.cogs), self.cluster.describe()
        )

    async def launch_shards(self) -> None:
        """Ask Discord for the recommended count when none is set, but connect to the configured
        gateway (``DISCORD_GATEWAY_URL``) rather than the one that answer names, as before sharding."""
        if self.shard_count is None and self.settings.gateway_url:
            self.shard_count, _, _ = await self.http.get_bot_gateway()
        await super().launch_shards()

    async def _prune_ledger(self) -> None:
        """Drop old ledger rows now (after every plan loaded) and then once a day."""
        while True:
            try:
                await ledger.prune(self.db, self.clock())
            except Exception:
                log.warning("pruning the delivery ledger failed", exc_info=True)
            await asyncio.sleep(ledger.PRUNE_EVERY.total_seconds())

    async def on_ready(self) -> None:
        user = self.user
        log.info("ready as %s (%s) in %d guilds", user, user.id if user else "?", len(self.guilds))

    def owns(self, guild_id: int | None) -> bool:
        """Whether this process looks after ``guild_id``'s schedules and posts (its shard is ours)."""
        return self.cluster.owns(guild_id)

    def guild_available(self, guild_id: int) -> bool:
        """False while Discord has named the guild but not sent it: after a fresh IDENTIFY (READY
        empties the cache until its GUILD_CREATE) or during an outage. Scheduled posts wait for it."""
        guild = self.get_guild(guild_id)
        return guild is None or not guild.unavailable

    async def remove_cog(
        self,
        name: str,
        /,
        *,
        guild: discord.abc.Snowflake | None = discord.utils.MISSING,
        guilds: Sequence[discord.abc.Snowflake] = discord.utils.MISSING,
    ) -> commands.Cog | None:
        """Remove a cog, and the component handlers it owned with it."""
        cog = await super().remove_cog(name, guild=guild, guilds=guilds)
        if cog is not None:
            self.handlers.forget(cog)
        return cog

    def personal_data(self) -> list[PersonalData]:
        """The loaded cogs that store personal data, for ``/privacy``."""
        return [cog for cog in self.cogs.values() if isinstance(cog, PersonalData)]

    async def close_resources(self, *, clean: bool = True) -> None:
        """Stop the scheduler and close the database (idempotent)."""
        if self._resources_closed:
            return
        self._resources_closed = True
        if hasattr(self, "takedowns"):
            await self.takedowns.stop()
        if self._pruning is not None:
            self._pruning.cancel()
            await asyncio.gather(self._pruning, return_exceptions=True)
        if hasattr(self, "scheduler"):
            await self.scheduler.shutdown(clean=clean)
        if hasattr(self, "db"):
            await self.db.close(optimize=clean)

    async def close(self) -> None:
        """Stop cleanly: scheduled work, then event handlers, the gateway, and last the database."""
        if hasattr(self, "scheduler"):
            await self.scheduler.shutdown()
        await self._cancel_event_handlers()
        await super().close()
        await self._cancel_event_handlers()
        await self.close_resources()

    async def _cancel_event_handlers(self) -> None:
        """Cancel handlers still running (a long on_ready, a button callback) before the database goes.

        discord.py names the tasks it starts for events and components; those are ours to stop.
        """
        current = asyncio.current_task()
        running = [
            task
            for task in asyncio.all_tasks()
            if task is not current and task.get_name().startswith(("discord.py: ", "discord-ui-"))
        ]
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
