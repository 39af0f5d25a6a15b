"""Helpers for the episodes behaviour tests."""

from __future__ import annotations

from typing import Any

import discord
from simcord.backend.models import Overwrite
from simcord.enums import OverwriteType

from cogs.episodes.digest import DIGEST_KIND
from cogs.episodes.poller import POLL_KIND

__all__ = [
    "DIGEST_KIND",
    "POLL_KIND",
    "deny_bot",
    "episodes_channel",
    "posted_messages",
    "said",
    "sent_payloads",
]


def said(result: Any) -> str:
    """Everything the member was told in reply (response and follow-ups)."""
    parts = []
    if result.response is not None:
        parts.append(result.response.content or "")
    parts.extend(f.content or "" for f in result.followups)
    return "\n".join(parts)


def reply_embed(result: Any) -> Any:
    message = result.followups[-1] if result.followups else result.response
    return message.embeds[0]


def reply_message(result: Any) -> Any:
    return result.followups[-1] if result.followups else result.response


async def episodes_channel(env: Any, c: Any, name: str = "episodes") -> Any:
    """A channel set as the episodes channel by the facilitator."""
    channel = c.guild.create_text_channel(name)
    result = await c.facilitator.slash(c.general, "settings channel", purpose="episodes", channel=channel)
    assert "will post in" in said(result)
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
