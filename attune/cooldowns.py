"""Per-member, per-guild cooldowns on everything that makes the bot post publicly.

One member must not be able to make the bot flood a server (posts, threads, edits). Each action has
a default interval that a facilitator can change with ``/settings cooldowns``; facilitators
themselves are exempt (they run the community and can remove what they post). The last use is
stored (``member_cooldowns``), so a restart doesn't reset the clock, and taking a cooldown is one
atomic statement, so two quick presses can't both pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import discord

from attune.clock import Clock, utcnow
from attune.db import Database
from attune.errors import UserError


@dataclass(frozen=True)
class Action:
    key: str
    what: str  # "post a wheel prompt": finishes "You can … again"
    default: int  # seconds


ACTIONS: dict[str, Action] = {
    a.key: a
    for a in (
        Action("wheel-prompt", "post a wheel prompt", 10 * 60),
        Action("episode-share", "share an episode", 10 * 60),
        Action("checkin-share", "share a check-in in the thread", 5 * 60),
        Action("reflection-share", "share a reflection in a thread", 2 * 60),
        Action("rsvp", "change your answer on a sit", 15),
    )
}
MAX_SECONDS = 24 * 60 * 60


class OnCooldown(UserError):
    """A member tried again too soon; the message says when they can."""

    def __init__(self, action: Action, retry_at: datetime) -> None:
        self.action = action
        self.retry_at = retry_at
        super().__init__(
            f"You can {action.what} again {discord.utils.format_dt(retry_at, 'R')}. "
            "This limit keeps the server calm for everyone."
        )


class Cooldowns:
    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock

    async def seconds(self, guild_id: int, action: str) -> int:
        found = await self.db.fetchval(
            "SELECT seconds FROM cooldown_settings WHERE guild_id = ? AND action = ?", (guild_id, action)
        )
        return ACTIONS[action].default if found is None else int(found)

    async def all_seconds(self, guild_id: int) -> dict[str, int]:
        rows = await self.db.fetchall(
            "SELECT action, seconds FROM cooldown_settings WHERE guild_id = ?", (guild_id,)
        )
        chosen = {r[0]: int(r[1]) for r in rows}
        return {key: chosen.get(key, action.default) for key, action in ACTIONS.items()}

    async def set_seconds(self, guild_id: int, action: str, seconds: int) -> None:
        if action not in ACTIONS or not 0 <= seconds <= MAX_SECONDS:
            raise ValueError(f"bad cooldown {action}={seconds}")
        await self.db.execute(
            "INSERT INTO cooldown_settings (guild_id, action, seconds) VALUES (?, ?, ?)"
            " ON CONFLICT (guild_id, action) DO UPDATE SET seconds = excluded.seconds",
            (guild_id, action, seconds),
        )

    async def take(self, guild_id: int, user_id: int, action: str, *, exempt: bool = False) -> None:
        """Record a use now, or raise :class:`OnCooldown` if the last one was too recent."""
        if exempt:
            return
        seconds = await self.seconds(guild_id, action)
        if seconds <= 0:
            return
        now = self.clock()
        threshold = (now - timedelta(seconds=seconds)).isoformat()
        changed = await self.db.execute(
            "INSERT INTO member_cooldowns (guild_id, user_id, action, last_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (guild_id, user_id, action) DO UPDATE SET last_at = excluded.last_at"
            " WHERE member_cooldowns.last_at <= ?",
            (guild_id, user_id, action, now.isoformat(), threshold),
        )
        if changed == 1:
            return
        last = await self.db.fetchval(
            "SELECT last_at FROM member_cooldowns WHERE guild_id = ? AND user_id = ? AND action = ?",
            (guild_id, user_id, action),
        )
        retry_at = datetime.fromisoformat(last) + timedelta(seconds=seconds)
        raise OnCooldown(ACTIONS[action], retry_at)

    # ----------------------------------------------------------------- privacy

    async def export(self, user_id: int) -> list[dict[str, Any]]:
        rows = await self.db.fetchall(
            "SELECT guild_id, action, last_at FROM member_cooldowns WHERE user_id = ? ORDER BY last_at",
            (user_id,),
        )
        return [{"guild_id": str(r[0]), "action": r[1], "last_used_at": r[2]} for r in rows]

    async def delete(self, user_id: int) -> int:
        return await self.db.execute("DELETE FROM member_cooldowns WHERE user_id = ?", (user_id,))


def is_exempt(interaction: discord.Interaction[Any], config: Any) -> bool:
    """Facilitators are exempt from post cooldowns."""
    from attune.permissions import is_facilitator

    return is_facilitator(interaction.user, config)
