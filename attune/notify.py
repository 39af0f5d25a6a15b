"""Telling facilitators about something once (a missing permission, a support request)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)


async def tell_facilitators(
    bot: AttuneBot,
    guild_id: int,
    text: str,
    *,
    once_key: str | None = None,
    fallback_channel_id: int | None = None,
    allowed_mentions: discord.AllowedMentions | None = None,
) -> bool:
    """Post ``text`` in the guild's facilitators channel (else ``fallback_channel_id``).

    With ``once_key`` the notice is sent at most once per guild (recorded in ``notices``), so a
    recurring problem is reported once, not at every occurrence. Returns whether it was posted.
    """
    config = await bot.guild_settings.get(guild_id)
    channel_id = config.channel_for("facilitators") or fallback_channel_id
    if channel_id is None:
        log.warning("guild=%s has no facilitators channel; notice not posted: %s", guild_id, once_key)
        return False
    if once_key is not None and not await bot.guild_settings.notice_once(guild_id, once_key):
        return False
    try:
        await bot.get_partial_messageable(channel_id, guild_id=guild_id).send(
            text[:2000], allowed_mentions=allowed_mentions or discord.AllowedMentions.none()
        )
    except discord.HTTPException as error:
        log.warning("guild=%s could not notify facilitators in %s: %s", guild_id, channel_id, error)
        if once_key is not None:
            await bot.guild_settings.forget_notice(guild_id, once_key)
        return False
    return True
