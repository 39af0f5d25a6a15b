"""Who may do what: the facilitator check, and the bot's own channel permissions by name."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

from attune.errors import MissingBotPermissions, NotFacilitator, UserError

if TYPE_CHECKING:
    from attune.guilds import GuildConfig

T = TypeVar("T")

PERMISSION_NAMES = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "send_messages_in_threads": "Send Messages in Threads",
    "create_public_threads": "Create Public Threads",
    "embed_links": "Embed Links",
    "attach_files": "Attach Files",
    "read_message_history": "Read Message History",
    "manage_events": "Manage Events",
    "manage_messages": "Manage Messages",
    "connect": "Connect",
}

POST = ("view_channel", "send_messages", "embed_links")
POST_WITH_THREAD = (*POST, "create_public_threads", "send_messages_in_threads")


def permission_name(flag: str) -> str:
    return PERMISSION_NAMES.get(flag, flag.replace("_", " ").title())


def is_facilitator(member: discord.Member | discord.User, config: GuildConfig) -> bool:
    """Members with Manage Server, or with the guild's facilitator role."""
    if not isinstance(member, discord.Member):
        return False
    if member.guild_permissions.manage_guild:
        return True
    role_id = config.facilitator_role_id
    return role_id is not None and any(role.id == role_id for role in member.roles)


def require_facilitator(member: discord.Member | discord.User, config: GuildConfig) -> None:
    if is_facilitator(member, config):
        return
    role = f" or the <@&{config.facilitator_role_id}> role" if config.facilitator_role_id else ""
    raise NotFacilitator(
        f"Only facilitators can do that: members with the **Manage Server** permission{role}. "
        "Ask a facilitator, or ask an admin to run `/settings facilitator-role`."
    )


def missing_permissions(
    channel: discord.abc.GuildChannel | discord.Thread, needed: Iterable[str]
) -> list[str]:
    """Human names of the permissions in ``needed`` that the bot lacks in ``channel``."""
    me = channel.guild.me
    granted = channel.permissions_for(me)
    return [permission_name(flag) for flag in needed if not getattr(granted, flag)]


def require_bot_permissions(
    channel: discord.abc.GuildChannel | discord.Thread, needed: Iterable[str]
) -> None:
    missing = missing_permissions(channel, needed)
    if missing:
        raise MissingBotPermissions(missing, channel.mention)


class FacilitatorRequired(app_commands.CheckFailure):
    """The check failure for facilitator-only commands; its text is shown to the member."""


def facilitator_only() -> Callable[[T], T]:
    """Decorator for facilitator commands (Manage Server, or the guild's facilitator role)."""

    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        if interaction.guild_id is None:
            raise FacilitatorRequired("This command works in a server, not in DMs.")
        config = await interaction.client.guild_settings.get(interaction.guild_id)
        try:
            require_facilitator(interaction.user, config)
        except NotFacilitator as error:
            raise FacilitatorRequired(error.message) from None
        return True

    return app_commands.check(predicate)


def guild_id_of(interaction: discord.Interaction[Any]) -> int:
    """The interaction's guild id; a clear answer when a server command is used in DMs."""
    if interaction.guild_id is None:
        raise UserError("This command works in a server, not in DMs.")
    return interaction.guild_id
