"""Where episode posts go, and posting them without surprises.

Shared by the poller and the digest: the episodes channel (``/settings channel episodes``), else a
fallback channel; missing permissions are told to the facilitators once, naming them and the
channel; an interrupted post is looked for in the channel before it is sent again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

import discord

from attune.channels import Purpose, notice_key, require_permissions, warn_missing
from attune.notify import tell_facilitators
from attune.permissions import POST_WITH_THREAD
from attune.scheduler import PermanentFailure

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)

PostTarget = discord.TextChannel | discord.Thread
CAPABILITY = "episodes"
CHANNEL_COMMAND = "`/settings channel purpose:episodes`"
THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080  # a week: long enough for a week's listening


async def target_channel(bot: AttuneBot, guild_id: int, fallback_id: int | None) -> PostTarget | None:
    """The guild's episodes channel if it still exists, else ``fallback_id``'s channel."""
    config = await bot.guild_settings.get(guild_id)
    for channel_id in (config.channel_for("episodes"), fallback_id):
        if channel_id is None:
            continue
        channel = bot.get_channel(channel_id)
        if isinstance(channel, PostTarget):
            return channel
    return None


async def usable_channel(
    bot: AttuneBot, guild_id: int, fallback_id: int | None, *, what: str
) -> tuple[PostTarget, bool]:
    """A channel the bot may post in, and whether it may open threads there.

    Raises :class:`PermanentFailure` (after telling the facilitators once) when there is none.
    """
    channel = await target_channel(bot, guild_id, fallback_id)
    if channel is None:
        await tell_facilitators(
            bot,
            guild_id,
            f"I have {what} to post but no channel to post in: set one with "
            "`/settings channel purpose:episodes`.",
            once_key=notice_key(CAPABILITY, "no-channel"),
        )
        raise PermanentFailure("no episodes channel")
    await require_permissions(
        bot,
        guild_id,
        channel,
        Purpose(CAPABILITY, f"post {what}", f"choose another channel with {CHANNEL_COMMAND}"),
    )
    if isinstance(channel, discord.Thread):
        return channel, False
    threads = await warn_missing(
        bot,
        guild_id,
        channel,
        POST_WITH_THREAD,
        capability=CAPABILITY,
        problem="thread-permissions",
        posting="episodes",
        without="discussion threads",
    )
    return channel, threads


async def open_thread(message: discord.Message, name: str, *, guild_id: int) -> int | None:
    """A discussion thread on ``message``; ``None`` (logged) when Discord refuses."""
    try:
        thread = await message.create_thread(name=name, auto_archive_duration=THREAD_ARCHIVE_MINUTES)
    except discord.HTTPException as error:
        log.warning(
            "guild=%s could not open a thread on message %s: %s %s",
            guild_id,
            message.id,
            error.status,
            error.text,
        )
        return None
    return thread.id


async def find_recent_post(
    bot: AttuneBot,
    channel: PostTarget,
    since: datetime | None,
    matches: Callable[[discord.Embed], bool],
) -> discord.Message | None:
    """A post of ours after ``since`` with an embed that ``matches`` (for interrupted sends)."""
    me = channel.guild.me
    if bot.user is None or not channel.permissions_for(me).read_message_history:
        return None
    after = (since or bot.clock()) - timedelta(minutes=2)
    try:
        async for message in channel.history(limit=50, after=after):
            if message.author.id == bot.user.id and any(matches(embed) for embed in message.embeds):
                return message
    except discord.HTTPException as error:
        log.info("could not read history of %s to check an interrupted post: %s", channel.id, error.status)
    return None
