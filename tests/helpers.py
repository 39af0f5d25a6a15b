"""Small helpers shared by behaviour tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord
import pytest

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


#: For tests whose bot renders in a worker thread (the history chart): simcord's 5 s settle budget is
#: wall-clock time a busy machine can exceed. Not for tests with real-time timers (the wheel
#: practice): a longer budget lets those timers fire while simcord waits.
slow_renders = pytest.mark.simcord(settle_timeout=60)


def restarts(*items: type) -> pytest.MarkDecorator:
    """Mark a restart test: it presses each of ``items`` on a bot a restart started, and asserts.

    The ``env`` fixture checks the presses really happened after a restart; tests/test_restarts.py
    checks every registered dynamic item has such a test.
    """
    return pytest.mark.restarts.with_args(*items)


async def restart(env: Any, make_bot: Any, *, crash: bool = False) -> Any:
    """Stop the running bot (cleanly, or as a crash would) and start a fresh one on the same data."""
    await env.bot.close_resources(clean=not crash)
    bot = make_bot()
    await env.restart_bot(bot)
    return bot


def replies(result: Any) -> list[Any]:
    """Every message the member got in reply to an interaction: the response, then each follow-up."""
    return [m for m in (result.response, *result.followups) if m is not None]


def answer(result: Any) -> Any:
    """The message the member read last in reply (a deferred command's follow-up, else the response)."""
    found = replies(result)
    assert found, f"the member was told nothing: {result!r}"
    return found[-1]


def told(result: Any) -> str:
    """What the member was told in reply: the text and embeds of the response and every follow-up.

    The one way tests read an answer. Assert the substance (what was wrong, how to say it right),
    not a whole sentence verbatim, so rewording an answer does not break a test that still holds.
    """
    parts: list[str] = []
    for message in replies(result):
        parts.append(message.content or "")
        for embed in message.embeds:
            parts += [embed.title or "", embed.description or ""]
            parts += [f"{f.name}\n{f.value}" for f in embed.fields]
            parts.append(embed.footer.text or "")
    return "\n".join(part for part in parts if part)


def refused(result: Any, *substance: str) -> str:
    """The member was answered privately, in words naming each of ``substance`` (any case).

    Pass what was wrong and how to say it right (an option name, an example), not a sentence.
    Returns what they were told, for further checks.
    """
    found = replies(result)
    assert found and all(m.ephemeral for m in found), f"not a private answer: {result!r}"
    said = told(result)
    missing = [words for words in substance if words.lower() not in said.lower()]
    assert not missing, f"the answer does not say {missing}: {said!r}"
    return said


def answered_with(env: Any, before: int) -> list[str]:
    """The requests that answered interactions since request number ``before``: interaction
    callbacks by type (4 message, 5 deferred, 6 deferred update, 7 update) and webhook calls."""
    kinds = []
    for request in env.http_requests[before:]:
        if "/callback" in request.path:
            kinds.append(f"callback {request.json['type']}")
        elif request.path.startswith("/webhooks/"):
            kinds.append(f"webhook {request.method}")
    return kinds


def pings_nobody(env: Any, message: Any) -> bool:
    """Discord notified nobody for ``message``, and its mention policy could notify nobody.

    Checks what Discord received and applied (simcord's ping record and allowed-mentions policy),
    so a mention in the text that the policy disarmed still counts as pinging nobody.
    """
    stored = env.backend.get_message(message.channel.id, message.id)
    policy = stored.allowed_mentions
    return (
        not stored.ping_user_ids
        and not stored.ping_role_ids
        and not stored.mention_everyone
        and policy.everyone is False
        and policy.users == frozenset()
        and policy.roles == frozenset()
    )


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
