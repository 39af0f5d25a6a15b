"""Helpers for the sits behaviour tests on simcord (virtual time starts 2026-01-01 00:00 UTC, a Thursday)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import discord

from tests.helpers import Community, community, rows

T0 = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)


async def sangha(env: Any) -> tuple[Community, Any]:
    """A community with a voice channel 'Zendo'."""
    c = community(env)
    return c, c.guild.create_voice_channel("Zendo")


async def schedule(c: Community, **options: Any) -> Any:
    values: dict[str, Any] = {"title": "Evening sit", "when": "00:30"}
    values.update(options)
    return await c.facilitator.slash(c.general, "sit schedule", **values)


async def only_sit(bot: Any) -> dict[str, Any]:
    (sit,) = await rows(bot, "SELECT * FROM sits")
    return sit


def announcement(channel: Any, sit_row: dict[str, Any]) -> discord.Message:
    return next(m for m in channel.history() if m.id == sit_row["announcement_id"])


def field(message: discord.Message, name: str) -> str:
    return next(f.value for f in message.embeds[0].fields if f.name == name)


def bot_posts(channel: Any) -> list[discord.Message]:
    """Messages with content the bot posted in a channel (bells, reminders, notices)."""
    return [m for m in channel.history() if m.content]


def pings(env: Any, message: discord.Message) -> list[int]:
    """Who Discord actually notified for this message (simcord applies allowed_mentions)."""
    stored = env.backend.messages[message.channel.id][message.id]
    return list(stored.ping_user_ids)


def events(env: Any, guild: Any) -> list[Any]:
    """The guild's native scheduled events as Discord holds them."""
    return list(env.backend.get_guild(guild.id).scheduled_events.values())


def deny_bot(env: Any, guild: Any, *names: str) -> None:
    """Take server-wide permissions from the bot's role (as an admin would in Server Settings)."""
    backend_guild = env.backend.get_guild(guild.id)
    role = next(r for r in backend_guild.roles.values() if r.managed)
    permissions = discord.Permissions(role.permissions)
    permissions.update(**dict.fromkeys(names, False))
    env.backend.edit_role(guild.id, role.id, {"permissions": permissions.value})


def deny_bot_in(env: Any, channel: Any, *names: str) -> None:
    """Add a channel overwrite denying the bot these permissions (as an admin would)."""
    from simcord.backend.models import Overwrite
    from simcord.enums import OverwriteType

    denied = discord.Permissions(**dict.fromkeys(names, True))
    overwrite = Overwrite(target_id=env.bot.user.id, type=OverwriteType.MEMBER, deny=denied.value)
    env.backend.set_overwrite(channel.id, overwrite)
