"""*Ask someone to reach out*: a member's consented request that the facilitators contact them.

Offered only where it can work (a facilitators' channel the bot can post in). Each request is
stored (``support_alerts``) with the facilitators' post, so the 30-minute "already asked" answer
survives a restart, ``/privacy export`` shows it, and ``/privacy delete`` removes the row and
rewrites the post without the member's name.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord

from attune.errors import UserError
from attune.permissions import missing_permissions

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)

ALERT_COOLDOWN = timedelta(minutes=30)
EMERGENCY = "If you are in danger, call your local emergency number now."


class AlreadyAsked(UserError):
    def __init__(self, asked_at: datetime) -> None:
        self.asked_at = asked_at
        super().__init__(
            f"You asked for someone to reach out {discord.utils.format_dt(asked_at, 'f')} "
            f"({discord.utils.format_dt(asked_at, 'R')}), and the facilitators were told. Someone may "
            "take a little while; meanwhile, the support resources above are there for you, and it can "
            f"help to tell someone you trust how you are. {EMERGENCY}"
        )


def alert_text(user: discord.abc.User) -> str:
    name = discord.utils.escape_markdown(
        discord.utils.escape_mentions(getattr(user, "display_name", user.name))
    )
    return (
        f"**A member asked for someone to reach out.** {user.mention} ({name}) chose *I could use "
        "support* in a check-in and asked that a facilitator contact them. Nothing else from their "
        "check-in is shared. A short, kind private message is a good first step — you are peers, not "
        "professionals, so point to the support resources if it is more than a community can hold."
    )


class SupportAlerts:
    def __init__(self, bot: AttuneBot) -> None:
        self.bot = bot

    async def channel(self, guild_id: int) -> discord.abc.Messageable | None:
        """The facilitators' channel, if one is set and the bot can post there."""
        config = await self.bot.guild_settings.get(guild_id)
        channel_id = config.channel_for("facilitators")
        if channel_id is None:
            return None
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel | discord.Thread) or channel.guild.id != guild_id:
            return None
        if missing_permissions(channel, ("view_channel", "send_messages")):
            return None
        return channel

    async def can_alert(self, guild_id: int) -> bool:
        return await self.channel(guild_id) is not None

    async def send(self, guild_id: int, user: discord.abc.User) -> None:
        """Tell the facilitators, once per :data:`ALERT_COOLDOWN`; raises :class:`UserError` otherwise."""
        now = self.bot.clock()
        since = (now - ALERT_COOLDOWN).isoformat()
        async with self.bot.db.transaction() as conn:
            async with conn.execute(
                "SELECT max(sent_at) FROM support_alerts WHERE guild_id = ? AND user_id = ? AND sent_at > ?",
                (guild_id, user.id, since),
            ) as cursor:
                row = await cursor.fetchone()
            if row is not None and row[0] is not None:
                raise AlreadyAsked(datetime.fromisoformat(row[0]))
            cursor = await conn.execute(
                "INSERT INTO support_alerts (guild_id, user_id, sent_at) VALUES (?, ?, ?)",
                (guild_id, user.id, now.isoformat()),
            )
            alert_id = cursor.lastrowid
            await cursor.close()
        channel = await self.channel(guild_id)
        posted: discord.Message | None = None
        if channel is not None:
            try:
                posted = await channel.send(alert_text(user), allowed_mentions=discord.AllowedMentions.none())
            except discord.HTTPException as error:
                log.warning("guild=%s support alert not posted: %s", guild_id, error.status)
        if posted is None:
            await self.bot.db.execute("DELETE FROM support_alerts WHERE id = ?", (alert_id,))
            raise UserError(
                "I couldn't reach the facilitators just now. Please contact a facilitator directly, or use "
                f"the resources above. {EMERGENCY}"
            )
        await self.bot.db.execute(
            "UPDATE support_alerts SET channel_id = ?, message_id = ? WHERE id = ?",
            (posted.channel.id, posted.id, alert_id),
        )
        log.info("support alert sent guild=%s user=%s", guild_id, user.id)

    # ----------------------------------------------------------------- privacy

    async def export(self, user_id: int) -> list[dict[str, Any]]:
        rows = await self.bot.db.fetchall(
            "SELECT guild_id, sent_at, channel_id, message_id FROM support_alerts WHERE user_id = ?"
            " ORDER BY sent_at",
            (user_id,),
        )
        return [
            {
                "guild_id": str(r["guild_id"]),
                "asked_at": r["sent_at"],
                "posted_in_channel_id": str(r["channel_id"]) if r["channel_id"] else None,
                "message_id": str(r["message_id"]) if r["message_id"] else None,
            }
            for r in rows
        ]
