"""Posting to a capability's channel: one way to find it, check it and say what is wrong.

A scheduled post that can't be made tells the facilitators once — naming the permission and the
channel — and raises :class:`PermanentFailure`, since retrying won't help until someone acts. Every
such notice has a key of one format, :func:`notice_key`, so the ``notices`` table reads alike for
every capability. :func:`post_once` is the other half of a safe delivery: it looks for the post an
earlier attempt made before sending, and remembers a new post before doing anything else with it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import discord

from attune.notify import tell_facilitators
from attune.permissions import POST, missing_permissions
from attune.scheduler import PermanentFailure

if TYPE_CHECKING:
    from attune.bot import AttuneBot

#: Channels a capability may post in.
PostChannel = discord.TextChannel | discord.Thread | discord.VoiceChannel


def notice_key(capability: str, problem: str, subject: int | None = None) -> str:
    """``capability:problem[:subject]`` — e.g. ``sits:post:123`` for a channel the sits can't post in."""
    return f"{capability}:{problem}" if subject is None else f"{capability}:{problem}:{subject}"


def bold_names(missing: list[str]) -> str:
    return ", ".join(f"**{name}**" for name in missing)


def _plural(missing: list[str], one: str, many: str) -> str:
    return many if len(missing) > 1 else one


@dataclass(frozen=True)
class Purpose:
    """What a capability posts and how a facilitator fixes a channel that doesn't work for it.

    ``doing`` completes "I can't …" (``"post today's Wheel of Awareness prompt"``); ``elsewhere``
    completes "Grant it to my role, or …" (``"move the prompts with `/wheel schedule`"``).
    """

    capability: str
    doing: str
    elsewhere: str

    def missing_text(self, channel: discord.abc.GuildChannel | discord.Thread, missing: list[str]) -> str:
        return (
            f"⚠️ I can't {self.doing} in {channel.mention}: I'm missing the {bold_names(missing)} "
            f"{_plural(missing, 'permission', 'permissions')} there. Grant "
            f"{_plural(missing, 'it', 'them')} to my role, or {self.elsewhere}."
        )

    def gone_text(self, channel_id: int) -> str:
        return (
            f"⚠️ I can't {self.doing}: its channel (<#{channel_id}>) no longer exists or I can't see it. "
            f"{self.elsewhere[0].upper()}{self.elsewhere[1:]}."
        )


async def resolve(bot: AttuneBot, channel_id: int, *, fetch: bool = False) -> object | None:
    """The channel from the cache (or, with ``fetch``, from Discord); ``None`` when gone or hidden."""
    channel = bot.get_channel(channel_id)
    if channel is None and fetch:
        try:
            return await bot.fetch_channel(channel_id)
        except (discord.NotFound, discord.Forbidden):
            return None
    return channel


async def postable_channel(
    bot: AttuneBot,
    guild_id: int,
    channel_id: int,
    purpose: Purpose,
    *,
    kinds: tuple[type, ...] = (discord.TextChannel, discord.Thread, discord.VoiceChannel),
    needs: Iterable[str] = POST,
    fetch: bool = False,
    tell_when_gone: bool = True,
    fall_back_to_channel: bool = False,
) -> PostChannel:
    """The channel ``purpose`` posts in, if the bot may post there.

    Otherwise the facilitators are told once (a channel that is gone, with ``tell_when_gone``; a
    missing permission, naming it and the channel — in the channel itself when there's no
    facilitators' channel and ``fall_back_to_channel`` and the bot can still write there) and
    :class:`PermanentFailure` is raised.
    """
    channel = await resolve(bot, channel_id, fetch=fetch)
    if not isinstance(channel, kinds):
        if tell_when_gone:
            await tell_facilitators(
                bot,
                guild_id,
                purpose.gone_text(channel_id),
                once_key=notice_key(purpose.capability, "channel-gone", channel_id),
            )
        raise PermanentFailure(f"channel {channel_id} is gone, hidden or can't hold messages")
    found = cast(PostChannel, channel)  # narrowed by ``kinds``
    await require_permissions(bot, guild_id, found, purpose, needs, fall_back_to_channel=fall_back_to_channel)
    return found


async def require_permissions(
    bot: AttuneBot,
    guild_id: int,
    channel: PostChannel,
    purpose: Purpose,
    needs: Iterable[str] = POST,
    *,
    fall_back_to_channel: bool = False,
) -> None:
    """Tell the facilitators once and raise :class:`PermanentFailure` if ``needs`` aren't all granted."""
    missing = missing_permissions(channel, needs)
    if not missing:
        return
    can_write = not missing_permissions(channel, ("view_channel", "send_messages"))
    await tell_facilitators(
        bot,
        guild_id,
        purpose.missing_text(channel, missing),
        once_key=permission_notice_key(purpose.capability, channel.id),
        fallback_channel_id=channel.id if fall_back_to_channel and can_write else None,
    )
    raise PermanentFailure(f"missing {', '.join(missing)} in channel {channel.id}")


def permission_notice_key(capability: str, channel_id: int) -> str:
    return notice_key(capability, "permissions", channel_id)


async def warn_missing(
    bot: AttuneBot,
    guild_id: int,
    channel: discord.abc.GuildChannel | discord.Thread,
    needs: Iterable[str],
    *,
    capability: str,
    problem: str,
    posting: str,
    without: str,
    meanwhile: str = "",
    fall_back_to_channel: bool = False,
) -> bool:
    """Whether ``needs`` are granted; if not, tell the facilitators once what goes without them.

    For a post that still goes out, but lacks something (its thread): "I post ``posting`` in
    #channel without ``without``: I'm missing …".
    """
    missing = missing_permissions(channel, needs)
    if not missing:
        return True
    text = (
        f"⚠️ I post {posting} in {channel.mention} without {without}: I'm missing the "
        f"{bold_names(missing)} {_plural(missing, 'permission', 'permissions')} there."
        + (f" {meanwhile}" if meanwhile else "")
    )
    await tell_facilitators(
        bot,
        guild_id,
        text,
        once_key=notice_key(capability, problem, channel.id),
        fallback_channel_id=channel.id if fall_back_to_channel else None,
    )
    return False


@dataclass(frozen=True)
class Posted:
    """Where a post is, and whether this attempt sent it (``message``) or found it made earlier."""

    channel_id: int
    message_id: int
    message: discord.Message | None = None

    @property
    def earlier(self) -> bool:
        return self.message is None


async def no_earlier_post() -> None:
    """For :func:`post_once` when an earlier post is known to be gone."""
    return None


async def post_once(
    earlier: Callable[[], Awaitable[tuple[int, int] | None]],
    send: Callable[[], Awaitable[discord.Message]],
    remember: Callable[[discord.Message], Awaitable[object]],
) -> Posted:
    """Remember a post so a retry finds it: the ``(channel id, message id)`` an earlier attempt
    recorded, else send (with the occurrence's nonce, so Discord drops a duplicate) and record it
    before anything else can fail."""
    found = await earlier()
    if found is not None:
        return Posted(*found)
    message = await send()
    await remember(message)
    return Posted(message.channel.id, message.id, message)
