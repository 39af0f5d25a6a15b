"""One request for a quick answer; an acknowledgement first when the answer is slow."""

from __future__ import annotations

import pytest

from tests.helpers import answer, answered_with, bot_factory, refused, told

EXTENSIONS = ("cogs.settings", "tests.attune.promptly_probe")


@pytest.fixture
def make_bot(settings, content):
    return bot_factory(settings, content, EXTENSIONS)


async def test_a_quick_answer_is_one_request(env) -> None:
    channel = env.create_guild().create_text_channel("general")
    alice = env.guild.add_member(env.create_user("alice"))
    before = len(env.http_requests)
    result = await alice.slash(channel, "promptly", delay=0)
    assert answered_with(env, before) == ["callback 4"]
    assert answer(result).ephemeral and told(result) == "Done."


async def test_a_slow_answer_is_acknowledged_first_then_arrives(env) -> None:
    channel = env.create_guild().create_text_channel("general")
    alice = env.guild.add_member(env.create_user("alice"))
    before = len(env.http_requests)
    result = await alice.slash(channel, "promptly", delay=0.3)
    assert answered_with(env, before) == ["callback 5", "webhook POST"]
    assert answer(result).ephemeral and told(result) == "Done."


async def test_an_error_after_the_acknowledgement_still_reaches_the_member(env) -> None:
    channel = env.create_guild().create_text_channel("general")
    alice = env.guild.add_member(env.create_user("alice"))
    before = len(env.http_requests)
    result = await alice.slash(channel, "promptly", delay=0.3, fail=True)
    assert answered_with(env, before)[0] == "callback 5"
    refused(result, "went wrong")


@pytest.mark.parametrize(
    ("delay", "requests"),
    [(0, ["callback 7", "webhook POST"]), (0.3, ["callback 6", "webhook PATCH", "webhook POST"])],
)
async def test_a_button_edits_its_own_message_quickly_or_slowly(env, delay, requests) -> None:
    channel = env.create_guild().create_text_channel("general")
    alice = env.guild.add_member(env.create_user("alice"))
    await alice.slash(channel, "tally", delay=delay)
    message = channel.last_message
    before = len(env.http_requests)
    result = await alice.click(message, label="Clicked 0")
    assert answered_with(env, before) == requests
    edited = channel.last_message
    assert edited.id == message.id and edited.content == "1 clicks"
    assert "Counted." in told(result)
