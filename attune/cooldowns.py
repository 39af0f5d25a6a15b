"""Per-member, per-guild limits on everything that makes the bot post publicly.

One member must not be able to make the bot flood a server (posts, threads, edits). Each action
allows a few uses per window — room for ordinary use (answer *Going*, then change to *Can't*), none
for a burst — with defaults a facilitator can change in ``/settings cooldowns``. Facilitators are
exempt: they run the community and can remove what they post. Uses are stored
(``member_cooldowns``), so a restart doesn't reset them, and taking one is a single transaction,
so two quick presses can't both slip through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import discord

from attune.clock import Clock, utcnow
from attune.db import Database
from attune.errors import UserError
from attune.permissions import guild_id_of, is_facilitator


@dataclass(frozen=True)
class Limit:
    uses: int  # 0 = no limit
    minutes: int

    def describe(self) -> str:
        if self.uses <= 0:
            return "no limit"
        times = "once" if self.uses == 1 else "twice" if self.uses == 2 else f"{self.uses} times"
        if self.minutes == 60:
            return f"{times} an hour"
        if self.minutes == 1:
            return f"{times} a minute"
        if self.minutes % 60 == 0:
            return f"{times} in {self.minutes // 60} hours"
        return f"{times} in {self.minutes} minutes"


@dataclass(frozen=True)
class Action:
    key: str
    what: str  # "post a wheel prompt": finishes "You can … again"
    default: Limit


ACTIONS: dict[str, Action] = {
    a.key: a
    for a in (
        Action("wheel-prompt", "post a wheel prompt", Limit(3, 60)),
        Action("episode-share", "share an episode", Limit(3, 60)),
        Action("checkin-share", "share a check-in in the thread", Limit(3, 60)),
        Action("reflection-share", "share a reflection in a thread", Limit(5, 60)),
        Action("rsvp", "change your answer on a sit", Limit(6, 10)),
    )
}
MAX_USES = 100
MAX_MINUTES = 1440


class OnCooldown(UserError):
    """A member tried again too soon; the message says when they can."""

    def __init__(self, action: Action, retry_at: datetime) -> None:
        self.action = action
        self.retry_at = retry_at
        super().__init__(
            f"You can {action.what} again {discord.utils.format_dt(retry_at, 'R')}. "
            "This limit keeps the server calm for everyone."
        )


#: Count a use: a new row, a fresh window once the old one has passed, or one more use while
#: uses are left; otherwise change nothing and return no row.
_TAKE = (
    "INSERT INTO member_cooldowns (guild_id, user_id, action, window_start, uses) VALUES (?, ?, ?, ?, 1)"
    " ON CONFLICT (guild_id, user_id, action) DO UPDATE SET"
    " window_start = CASE WHEN member_cooldowns.window_start <= ? THEN excluded.window_start"
    " ELSE member_cooldowns.window_start END,"
    " uses = CASE WHEN member_cooldowns.window_start <= ? THEN 1 ELSE member_cooldowns.uses + 1 END"
    " WHERE member_cooldowns.window_start <= ? OR member_cooldowns.uses < ?"
    " RETURNING uses"
)


class Cooldowns:
    """The limits (cached per guild: interactions for a guild reach the process of its shard, and
    ``/settings cooldowns`` is one of them) and the members' uses (stored)."""

    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock
        self._limits: dict[int, dict[str, Limit]] = {}

    async def limit(self, guild_id: int, action: str) -> Limit:
        return (await self.limits(guild_id))[action]

    async def limits(self, guild_id: int) -> dict[str, Limit]:
        cached = self._limits.get(guild_id)
        if cached is not None:
            return cached
        rows = await self.db.fetchall(
            "SELECT action, uses, minutes FROM cooldown_settings WHERE guild_id = ?", (guild_id,)
        )
        chosen = {r[0]: Limit(r[1], r[2]) for r in rows}
        limits = {key: chosen.get(key, action.default) for key, action in ACTIONS.items()}
        self._limits[guild_id] = limits
        return limits

    async def set_limit(self, guild_id: int, action: str, limit: Limit) -> None:
        if action not in ACTIONS or not 0 <= limit.uses <= MAX_USES or not 1 <= limit.minutes <= MAX_MINUTES:
            raise ValueError(f"bad limit {action}={limit}")
        await self.db.execute(
            "INSERT INTO cooldown_settings (guild_id, action, uses, minutes) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (guild_id, action) DO UPDATE SET uses = excluded.uses, minutes = excluded.minutes",
            (guild_id, action, limit.uses, limit.minutes),
        )
        self._limits.pop(guild_id, None)

    async def take(self, guild_id: int, user_id: int, action: str, *, exempt: bool = False) -> None:
        """Count one use now, or raise :class:`OnCooldown` when the window's uses are spent.

        One statement: a use is counted only if the window has passed (the count starts again) or
        uses are left, so two quick presses can't both slip through.
        """
        if exempt:
            return
        limit = await self.limit(guild_id, action)
        if limit.uses <= 0:
            return
        now = self.clock()
        window = timedelta(minutes=limit.minutes)
        expired = (now - window).isoformat()
        counted = await self.db.execute_returning(
            _TAKE, (guild_id, user_id, action, now.isoformat(), expired, expired, expired, limit.uses)
        )
        if counted is None:
            start = await self.db.fetchval(
                "SELECT window_start FROM member_cooldowns WHERE guild_id = ? AND user_id = ? AND action = ?",
                (guild_id, user_id, action),
            )
            raise OnCooldown(ACTIONS[action], datetime.fromisoformat(start) + window)

    # ----------------------------------------------------------------- privacy

    async def export(self, user_id: int) -> list[dict[str, Any]]:
        rows = await self.db.fetchall(
            "SELECT guild_id, action, window_start, uses FROM member_cooldowns WHERE user_id = ?"
            " ORDER BY window_start",
            (user_id,),
        )
        return [
            {"guild_id": str(r[0]), "action": r[1], "window_started_at": r[2], "uses": r[3]} for r in rows
        ]

    async def delete(self, user_id: int) -> int:
        return await self.db.execute("DELETE FROM member_cooldowns WHERE user_id = ?", (user_id,))


async def take_for(interaction: discord.Interaction[Any], action: str) -> None:
    """Count ``action`` for the interaction's member (facilitators are exempt)."""
    bot = interaction.client
    guild_id = guild_id_of(interaction)
    config = await bot.guild_settings.get(guild_id)
    exempt = is_facilitator(interaction.user, config)
    await bot.cooldowns.take(guild_id, interaction.user.id, action, exempt=exempt)
