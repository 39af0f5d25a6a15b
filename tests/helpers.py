"""Small helpers shared by behaviour tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord

from attune.bot import AttuneBot
from attune.config import Settings
from attune.content import Content


@dataclass
class Community:
    """A guild with a facilitator, two members and a general channel."""

    guild: Any
    general: Any
    facilitator: Any
    alice: Any
    bob: Any


def community(env: Any, name: str = "Sangha") -> Community:
    guild = env.create_guild(name)
    general = guild.create_text_channel("general")
    leads = guild.create_role("Leads", permissions=discord.Permissions(manage_guild=True))
    facilitator = guild.add_member(env.create_user("fran"), roles=[leads])
    alice = guild.add_member(env.create_user("alice"))
    bob = guild.add_member(env.create_user("bob"))
    return Community(guild, general, facilitator, alice, bob)


async def restart(env: Any, make_bot: Any, *, crash: bool = False) -> Any:
    """Stop the running bot (cleanly, or as a crash would) and start a fresh one on the same data."""
    await env.bot.close_resources(clean=not crash)
    bot = make_bot()
    await env.restart_bot(bot)
    return bot


async def rows(bot: Any, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    return [dict(row) for row in await bot.db.fetchall(sql, params)]


def bot_factory(settings: Settings, content: Content, extensions: tuple[str, ...] | None = None):
    """Builds fresh bots on the same settings (and database file), remembering each to close it."""
    built: list[AttuneBot] = []

    def factory() -> AttuneBot:
        bot = (
            AttuneBot(settings, content)
            if extensions is None
            else AttuneBot(settings, content, extensions=extensions)
        )
        built.append(bot)
        return bot

    factory.built = built  # type: ignore[attr-defined]
    return factory
