"""``/wheel practice`` on simcord in virtual time: pacing, buttons, the 15-minute token, reflection."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from attune.content import PRACTICE_ORDER, Content
from cogs.wheel import views
from cogs.wheel.guide import walk
from cogs.wheel.runner import ENDED_ANSWER
from cogs.wheel.views import PracticeButton, PracticeReflectButton
from tests.helpers import answer, community, restart, restarts, rows, told

WHERE = re.compile(r"\*\*(?P<segment>.+?)\*\* · step (?P<k>\d+) of (?P<n>\d+)")


def where(message: Any) -> tuple[str, int, int]:
    match = WHERE.search(message.embeds[0].description or "")
    assert match, message.embeds[0].description
    return match["segment"], int(match["k"]), int(match["n"])


def labels(message: Any) -> list[str]:
    return [c["label"] for row in message.components for c in row["components"]]


def practice_tasks() -> list[asyncio.Task[Any]]:
    return [t for t in asyncio.all_tasks() if t.get_name().startswith("wheel-practice-") and not t.done()]


async def begin(member: Any, channel: Any, length: str | None = None) -> Any:
    """``/wheel practice``, then **Begin** on its introduction: the result whose message is the walk."""
    options = {"length": length} if length else {}
    result = await member.slash(channel, "wheel practice", **options)
    assert result.ephemeral and labels(result.response) == ["Begin", "End"]
    await member.click(result.response, label="Begin")
    return result


def dm_messages(member: Any) -> list[Any]:
    return member.user.dm_channel.history()


async def test_a_short_practice_walks_every_segment_in_order_and_ends_with_reflect(
    env, content: Content
) -> None:
    c = community(env)
    result = await begin(c.alice, c.general, length="short")
    assert result.ephemeral
    first = result.response
    assert labels(first) == ["Next", "Pause", "End"]
    assert "▰" in first.embeds[0].description and "▱" in first.embeds[0].description
    assert "<t:" in first.embeds[0].description  # when the step moves on, as a Discord timestamp
    steps = walk(content.wheel, "short")
    visited: list[tuple[str, int]] = []
    for step in steps:
        segment, k, n = where(result.response)
        assert n == len(steps)
        assert step.step.title in result.response.embeds[0].description
        visited.append((segment, k))
        await env.advance_time(step.duration.total_seconds())
    assert [k for _, k in visited] == list(range(1, len(steps) + 1))
    names = [content.wheel.segment(s).name for s in PRACTICE_ORDER]
    assert list(dict.fromkeys(s for s, _ in visited)) == names
    done = result.response
    assert done.embeds[0].title == "Wheel of Awareness · complete"
    assert labels(done) == ["Reflect"]
    assert practice_tasks() == []

    shown = await c.alice.click(done, label="Reflect")
    assert shown.modal is not None and shown.modal["title"] == "Reflect on your practice"
    saved = await c.alice.submit_modal(shown, {"reflection": "Warmth in my hands; a wish for my sister."})
    assert saved.ephemeral and "Saved to your journal" in saved.response.content
    assert await rows(
        env.bot, "SELECT user_id, source, practice_length, segment, body FROM wheel_reflections"
    ) == [
        {
            "user_id": c.alice.id,
            "source": "practice",
            "practice_length": "short",
            "segment": None,
            "body": "Warmth in my hands; a wish for my sister.",
        }
    ]


@pytest.mark.parametrize("length", ["short", "full"])
async def test_the_introduction_has_its_own_screen_and_the_clock_starts_on_begin(
    env, content: Content, length: str
) -> None:
    c = community(env)
    result = await c.alice.slash(c.general, "wheel practice", length=length)
    intro = result.response.embeds[0]
    assert intro.title == f"Wheel of Awareness · {length} walk · about {7 if length == 'short' else 20} min"
    assert "(" not in intro.title
    assert content.wheel.intro.strip()[:80] in intro.description
    assert intro.description.endswith("When you're ready, press **Begin**.")
    # Only the full walk outlives a private reply, and it says so before it begins.
    assert ("continues in a direct message" in intro.description) is (length == "full")
    assert "Discord lets me" not in intro.description
    await env.advance_time(10 * 60)  # reading takes as long as it takes
    assert result.response.embeds[0].to_dict() == intro.to_dict()
    await c.alice.click(result.response, label="Begin")
    step = result.response.embeds[0]
    assert where(result.response)[1] == 1 and step.fields == []  # Arriving is practice time only
    assert re.search(r"Next step <t:\d+:R> — or press \*\*Next\*\*\.", step.description)
    assert labels(result.response) == ["Next", "Pause", "End"]


async def test_end_on_the_introduction_starts_nothing(env) -> None:
    c = community(env)
    result = await c.alice.slash(c.general, "wheel practice")
    ended = await c.alice.click(result.response, label="End")
    assert "Another time, then" in ended.response.embeds[0].description
    assert ended.response.components == [] and practice_tasks() == []


async def test_pause_holds_the_step_and_resume_carries_on(env, content: Content) -> None:
    c = community(env)
    first = walk(content.wheel, "short")[0].duration.total_seconds()
    result = await begin(c.alice, c.general)
    await env.advance_time(5)
    paused = await c.alice.click(result.response, label="Pause")
    assert paused.response.id == result.response.id  # the practice message itself changes
    assert "Paused" in result.response.embeds[0].description
    assert labels(result.response) == ["Next", "Resume", "End"]
    await env.advance_time(30 * 60)
    assert where(result.response)[1] == 1
    assert practice_tasks() == []
    await c.alice.click(result.response, label="Resume")
    await env.advance_time(first - 5 - 1)
    assert where(result.response)[1] == 1
    await env.advance_time(1)
    assert where(result.response)[1] == 2


async def test_next_moves_on_at_once_and_the_timer_restarts(env, content: Content) -> None:
    c = community(env)
    steps = walk(content.wheel, "short")
    result = await begin(c.alice, c.general)
    await env.advance_time(3)
    await c.alice.click(result.response, label="Next")
    assert where(result.response)[1] == 2
    await env.advance_time(steps[1].duration.total_seconds() - 1)
    assert where(result.response)[1] == 2
    await env.advance_time(1)
    assert where(result.response)[1] == 3


async def test_end_stops_the_timers(env) -> None:
    c = community(env)
    result = await begin(c.alice, c.general, length="full")
    await env.advance_time(70)
    assert practice_tasks()
    ended = await c.alice.click(result.response, label="End")
    assert ended.response.embeds[0].title == "Wheel of Awareness · ended"
    ended_text = ended.response.embeds[0].description
    assert ended_text.startswith("You stopped during *The hub*. Stopping is practice too")
    assert "step" not in ended_text.split("\n")[0]  # no "at step 2 of 22"
    assert labels(result.response) == ["Reflect"]
    assert practice_tasks() == []
    before = result.response.embeds[0].to_dict()
    requests = len(env.http_requests)
    await env.advance_time(40 * 60)
    assert result.response.embeds[0].to_dict() == before
    assert len(env.http_requests) == requests  # nothing more was sent or edited
    assert dm_messages(c.alice) == []


async def test_two_members_practices_do_not_interfere(env, content: Content) -> None:
    c = community(env)
    steps = walk(content.wheel, "short")
    alice = await begin(c.alice, c.general)
    bob = await begin(c.bob, c.general)
    await c.alice.click(alice.response, label="Pause")
    await env.advance_time(steps[0].duration.total_seconds())
    assert where(alice.response)[1] == 1
    assert where(bob.response)[1] == 2
    await c.bob.click(bob.response, label="Next")
    assert where(bob.response)[1] == 3
    assert where(alice.response)[1] == 1
    await c.alice.click(alice.response, label="End")
    total = sum(s.duration.total_seconds() for s in steps)
    await env.advance_time(total)
    assert bob.response.embeds[0].title == "Wheel of Awareness · complete"
    assert alice.response.embeds[0].title == "Wheel of Awareness · ended"


async def test_starting_another_practice_ends_the_first(env) -> None:
    c = community(env)
    old = await begin(c.alice, c.general, length="full")
    new = await begin(c.alice, c.general, length="short")
    assert old.response.embeds[0].title == "Wheel of Awareness · ended"
    assert "started a new practice" in old.response.embeds[0].description
    assert labels(old.response) == []
    assert where(new.response)[1] == 1
    assert len(practice_tasks()) == 1
    assert len(env.bot.get_cog("Wheel").runner.practices) == 1


@restarts(PracticeButton)
async def test_a_click_after_a_restart_gets_a_clear_answer(env, make_bot) -> None:
    c = community(env)
    result = await begin(c.alice, c.general)
    await restart(env, make_bot)
    pressed = await c.alice.click(result.response, label="Next")
    assert pressed.ephemeral
    assert answer(pressed).content == ENDED_ANSWER


async def test_unloading_the_cog_cancels_running_timers(env) -> None:
    c = community(env)
    await begin(c.alice, c.general)
    await begin(c.bob, c.general, length="full")
    timers = practice_tasks()
    assert len(timers) == 2
    await env.bot.remove_cog("Wheel")
    assert all(t.cancelled() for t in timers)
    assert practice_tasks() == []


async def test_a_full_practice_moves_to_a_dm_before_the_token_expires(env, content: Content) -> None:
    c = community(env)
    steps = walk(content.wheel, "full")
    result = await begin(c.alice, c.general, length="full")
    await env.advance_time(14 * 60)  # the token (15 min) is still valid: the switch happened already
    moved = result.response
    assert moved.embeds[0].title == "Wheel of Awareness · continues in your DMs"
    assert labels(moved) == []
    dm = dm_messages(c.alice)
    assert len(dm) == 1
    assert dm[0].jump_url in moved.embeds[0].description
    at = where(dm[0])[1]
    assert steps[at - 1].offset <= env.now() - result.response.message.created_at
    # the walk carries on in the DM, long after the interaction token has expired
    await env.advance_time(10 * 60)
    final = dm_messages(c.alice)[-1]
    assert len(dm_messages(c.alice)) == 1  # edited in place, not re-sent
    assert final.embeds[0].title == "Wheel of Awareness · complete"
    shown = await c.alice.user.click(final, label="Reflect")
    saved = await c.alice.user.submit_modal(shown, {"reflection": "Spacious."})
    assert "Saved to your journal" in saved.response.content
    assert await rows(env.bot, "SELECT practice_length, body FROM wheel_reflections") == [
        {"practice_length": "full", "body": "Spacious."}
    ]


async def test_buttons_work_in_the_dm(env) -> None:
    c = community(env)
    await begin(c.alice, c.general, length="full")
    await env.advance_time(14 * 60)
    dm = dm_messages(c.alice)[0]
    k = where(dm)[1]
    await c.alice.user.click(dm, label="Pause")
    assert "Paused" in dm_messages(c.alice)[0].embeds[0].description
    await env.advance_time(60 * 60)
    await c.alice.user.click(dm_messages(c.alice)[0], label="Next")
    assert where(dm_messages(c.alice)[0])[1] == k + 1
    await c.alice.user.click(dm_messages(c.alice)[0], label="End")
    assert dm_messages(c.alice)[0].embeds[0].title == "Wheel of Awareness · ended"


async def test_pressing_a_button_renews_the_token_so_no_dm_is_needed(env) -> None:
    c = community(env)
    result = await begin(c.alice, c.general, length="full")
    for _ in range(4):  # a press every 4 minutes: each brings a fresh 15-minute token
        await env.advance_time(4 * 60)
        await c.alice.click(result.response, label="Pause")
        await c.alice.click(result.response, label="Resume")
    assert result.response.embeds[0].title != "Wheel of Awareness · complete"
    await env.advance_time(5 * 60)
    assert result.response.embeds[0].title == "Wheel of Awareness · complete"
    assert dm_messages(c.alice) == []


async def test_with_dms_closed_a_long_practice_pauses_and_resumes_on_a_press(env, content: Content) -> None:
    c = community(env)
    dm_id = c.alice.user.dm_channel.id
    env.inject_error(
        "POST",
        f"/channels/{dm_id}/messages",
        status=403,
        code=50007,
        message="Cannot send messages to this user",
    )
    result = await begin(c.alice, c.general, length="full")
    await env.advance_time(14 * 60)
    held = result.response
    assert "Paused" in held.embeds[0].description
    assert any(f.name == "Paused to keep your place" for f in held.embeds[0].fields)
    assert labels(held) == ["Next", "Resume", "End"]
    k = where(held)[1]
    await env.advance_time(30 * 60)  # the token is long gone; nothing tries to use it
    assert where(result.response)[1] == k
    await c.alice.click(result.response, label="Resume")  # a fresh token
    await env.advance_time(20 * 60)
    assert result.response.embeds[0].title == "Wheel of Awareness · complete"


async def test_a_longer_reflection_from_an_older_form_is_saved_trimmed_and_the_rest_handed_back(
    env, monkeypatch
) -> None:
    monkeypatch.setattr(views, "INPUT_MAX", 4000)  # as if a client let more through
    c = community(env)
    result = await begin(c.alice, c.general)
    await c.alice.click(result.response, label="End")
    shown = await c.alice.click(result.response, label="Reflect")
    answer = await c.alice.submit_modal(shown, {"reflection": "x" * 1000 + "THE LAST WORDS"})
    assert answer.ephemeral
    told = answer.response.content
    assert told.startswith("Saved to your journal.") and "kept the first 1,000" in told
    assert "THE LAST WORDS" in told
    assert await rows(env.bot, "SELECT body FROM wheel_reflections") == [{"body": "x" * 1000}]


async def test_the_reflection_box_itself_stops_at_1000_characters(env) -> None:
    c = community(env)
    result = await begin(c.alice, c.general)
    await c.alice.click(result.response, label="End")
    shown = await c.alice.click(result.response, label="Reflect")
    box = shown.modal["components"][1]["component"]
    assert box["max_length"] == 1000 and box["custom_id"] == "reflection"


@restarts(PracticeReflectButton)
async def test_reflect_after_a_practice_works_after_a_restart(env, make_bot) -> None:
    c = community(env)
    result = await begin(c.alice, c.general)
    await c.alice.click(result.response, label="End")
    await restart(env, make_bot)
    shown = await c.alice.click(result.response, label="Reflect")
    assert shown.modal is not None
    saved = await c.alice.submit_modal(shown, {"reflection": "After the restart."})
    assert "Saved to your journal" in told(saved)
    assert await rows(env.bot, "SELECT body FROM wheel_reflections") == [{"body": "After the restart."}]


async def test_a_reflection_typed_across_a_restart_is_still_saved(env, make_bot) -> None:
    c = community(env)
    result = await begin(c.alice, c.general)
    await c.alice.click(result.response, label="End")
    shown = await c.alice.click(result.response, label="Reflect")
    await restart(env, make_bot)
    saved = await c.alice.submit_modal(shown, {"reflection": "Still here."})
    assert "Saved to your journal" in saved.response.content
    assert await rows(env.bot, "SELECT body FROM wheel_reflections") == [{"body": "Still here."}]


@pytest.mark.parametrize("length", ["short", "full"])
async def test_each_step_shows_the_text_for_its_length(env, content: Content, length: str) -> None:
    c = community(env)
    result = await begin(c.alice, c.general, length=length)
    first = walk(content.wheel, length)[0]
    assert first.text in result.response.embeds[0].description
    assert (first.step.cue in result.response.embeds[0].description) == (length == "short")


async def test_a_dismissed_practice_message_stops_the_walk_quietly(env, content: Content) -> None:
    c = community(env)
    await begin(c.alice, c.general)
    env.inject_error(
        "PATCH",
        "/webhooks/*/messages/@original",
        status=404,
        code=10008,
        message="Unknown Message",
        times=None,
    )
    await env.advance_time(walk(content.wheel, "short")[0].duration.total_seconds())
    assert practice_tasks() == []
    assert env.bot.get_cog("Wheel").runner.practices == {}


async def test_a_passing_discord_error_does_not_end_the_walk(env, content: Content) -> None:
    c = community(env)
    steps = walk(content.wheel, "short")
    result = await begin(c.alice, c.general)
    env.inject_error("PATCH", "/webhooks/*/messages/@original", status=503, times=1)
    await env.advance_time(steps[0].duration.total_seconds())
    assert where(result.response)[1] == 1  # that one edit was lost …
    await env.advance_time(steps[1].duration.total_seconds())
    assert where(result.response)[1] == 3  # … and the walk carried on in time
