"""The one error path: a UserError is told as is; anything else is logged with an id the member sees."""

from __future__ import annotations

import logging
import re

import pytest

from attune.bot import intents
from tests.helpers import bot_factory

EXTENSIONS = ("cogs.settings", "tests.attune.failing_probe")


@pytest.fixture
def make_bot(settings, content):
    return bot_factory(settings, content, EXTENSIONS)


async def test_user_error_is_shown_ephemerally(env) -> None:
    channel = env.create_guild().create_text_channel("general")
    alice = env.guild.add_member(env.create_user("alice"))
    result = await alice.slash(channel, "explode", user_error=True)
    assert result.ephemeral
    assert result.response.content == "Say it differently, please."


@pytest.mark.allow_errors.with_args(RuntimeError)
async def test_unexpected_error_is_logged_with_an_id_the_member_sees(env, caplog) -> None:
    caplog.set_level(logging.ERROR, logger="attune.errors")
    channel = env.create_guild().create_text_channel("general")
    alice = env.guild.add_member(env.create_user("alice"))
    result = await alice.slash(channel, "explode")
    assert result.ephemeral
    error_id = re.search(r"error `([0-9a-f]{8})`", result.response.content)
    assert error_id, result.response.content
    logged = [r for r in caplog.records if error_id.group(1) in r.getMessage()]
    assert logged and logged[0].exc_info is not None
    assert f"user={alice.id}" in logged[0].getMessage()


@pytest.mark.allow_errors.with_args(RuntimeError)
async def test_dynamic_buttons_take_the_same_path(env, caplog) -> None:
    channel = env.create_guild().create_text_channel("general")
    alice = env.guild.add_member(env.create_user("alice"))
    await alice.slash(channel, "buttons")
    message = channel.last_message
    told = await alice.click(message, label="Break user")
    assert told.ephemeral and told.response.content == "That button needs a calmer click."
    crashed = await alice.click(message, label="Break crash")
    assert crashed.ephemeral and "error `" in crashed.response.content


def test_only_non_privileged_intents() -> None:
    chosen = intents()
    assert chosen.guilds and chosen.guild_scheduled_events and chosen.voice_states
    assert not (chosen.members or chosen.presences or chosen.message_content)
