"""Helpers for the episodes behaviour tests."""

from __future__ import annotations

from typing import Any

import discord
from simcord.backend.models import Overwrite
from simcord.enums import OverwriteType

from cogs.episodes.schedules.digest import DIGEST_KIND
from cogs.episodes.schedules.feeds import POLL_KIND
from tests.helpers import told

__all__ = [
    "DIGEST_KIND",
    "POLL_KIND",
    "deny_bot",
    "episodes_channel",
    "posted_messages",
    "sent_payloads",
]


async def episodes_channel(env: Any, c: Any, name: str = "episodes") -> Any:
    """A channel set as the episodes channel by the facilitator."""
    channel = c.guild.create_text_channel(name)
    result = await c.facilitator.slash(c.general, "settings channel", purpose="episodes", channel=channel)
    assert "will post in" in told(result)
    return channel


def posted_messages(channel: Any) -> list[Any]:
    """The bot's public posts in ``channel`` (no system messages)."""
    return [m for m in channel.history() if m.type.value == 0]


def sent_payloads(env: Any, channel: Any) -> list[dict[str, Any]]:
    """JSON bodies of the bot's POSTs to ``channel``'s messages endpoint."""
    return [
        request.json
        for request in env.http_requests
        if request.method == "POST" and request.path == f"/channels/{channel.id}/messages"
    ]


def deny_bot(env: Any, c: Any, channel: Any, **permissions: bool) -> None:
    """Change the bot's permissions in ``channel`` after the fact (as an admin would)."""
    allow, deny = discord.PermissionOverwrite(**permissions).pair()
    env.backend.set_overwrite(
        channel.id,
        Overwrite(target_id=c.guild.me.id, type=OverwriteType.MEMBER, allow=allow.value, deny=deny.value),
    )
