"""The check-in flow: three ephemeral steps, private or shared, never a ping, restart-proof."""

from __future__ import annotations

import pytest
from simcord import SetupError

from cogs.checkins.views import QuadrantSelect, StartButton, WordSelect, ZoneButton
from tests.cogs.checkins.sim import (
    HOUR,
    check_in,
    reach_modal,
    result_embed,
    set_up_daily,
    starters,
)
from tests.helpers import answered_with, community, pings_nobody, restart, restarts, rows

CHECKIN_COLUMNS = (
    "guild_id, user_id, zone, word, quadrant, energy, pleasantness, note, visibility, local_date"
)


async def thread_of_today(env, c):
    await set_up_daily(c, time="09:00")
    await env.advance_time(9 * HOUR + 120)
    [thread] = c.general.threads
    return thread


async def test_a_private_checkin_is_stored_and_nothing_appears_in_the_thread(env) -> None:
    c = community(env)
    thread = await thread_of_today(env, c)
    [starter] = starters(c.general)
    result = await check_in(
        c.alice, starter, zone="chaos", quadrant="high_unpleasant", word="Anxious", note="big day"
    )
    embed = result_embed(result)
    assert "feeling anxious" in embed.title
    assert "Kept private" in embed.description
    assert [m for m in thread.history() if m.embeds] == []
    stored = await rows(
        env.bot,
        "SELECT guild_id, user_id, zone, word, quadrant, energy, pleasantness, note, visibility, local_date,"
        " created_at FROM checkins",
    )
    assert stored == [
        {
            "guild_id": c.guild.id,
            "user_id": c.alice.id,
            "zone": "chaos",
            "word": "Anxious",
            "quadrant": "high_unpleasant",
            "energy": 3,
            "pleasantness": -3,
            "note": "big day",
            "visibility": "private",
            "local_date": "2026-01-01",
            "created_at": "2026-01-01T09:02:00+00:00",
        }
    ]


async def test_a_private_checkin_is_answered_in_one_request_a_shared_one_acknowledged_first(env) -> None:
    c = community(env)
    await thread_of_today(env, c)
    shown = await reach_modal(c.alice, c.general, "within", "low_pleasant", "Content")
    before = len(env.http_requests)
    kept = await c.alice.submit_modal(shown, {"visibility": ["private"]})
    assert answered_with(env, before) == ["callback 7"]
    assert "Kept private" in result_embed(kept).description
    shown = await reach_modal(c.bob, c.general, "within", "low_pleasant", "Content")
    before = len(env.http_requests)
    shared = await c.bob.submit_modal(shown, {"visibility": ["shared"]})
    assert answered_with(env, before) == ["callback 6", "webhook PATCH"]
    assert "Shared in" in result_embed(shared).description


async def test_every_step_is_ephemeral_and_the_word_list_has_meanings(env) -> None:
    c = community(env)
    step1 = await c.alice.slash(c.general, "checkin now")
    assert step1.ephemeral
    labels = [b["label"] for row in step1.response.components for b in row["components"]]
    assert labels == ["Chaos / revved up", "Within my window", "Rigidity / shut down", "I could use support"]
    assert "not a substitute for professional help" in step1.response.content
    step2 = await c.alice.click(step1.response, label="Within my window")
    assert step2.response.ephemeral and "Step 2 of 3" in step2.response.content
    picked = await c.alice.select(step2.response, ["low_pleasant"], custom_id="checkin:quad:within")
    [quadrants, words] = [row["components"][0] for row in picked.response.components]
    assert [o["label"] for o in quadrants["options"]][-1] == "Not sure / mixed"
    assert len(quadrants["options"]) == 5
    assert 15 <= len(words["options"]) <= 25
    content_word = next(o for o in words["options"] if o["value"] == "Content")
    assert content_word["description"] == "Satisfied with things as they are"
    shown = await c.alice.select(picked.response, ["Content"], custom_id="checkin:word:within:low_pleasant")
    modal = shown.modal
    assert modal is not None and len(modal["components"]) <= 5
    visibility = modal["components"][1]["component"]
    default = [o["value"] for o in visibility["options"] if o.get("default")]
    assert default == ["private"]


async def test_private_is_the_default_when_visibility_is_left_alone(env) -> None:
    c = community(env)
    await thread_of_today(env, c)
    shown = await reach_modal(c.alice, c.general, "within", "low_pleasant", "Calm")
    await c.alice.submit_modal(shown, {})
    assert await rows(env.bot, "SELECT visibility, note FROM checkins") == [
        {"visibility": "private", "note": None}
    ]


async def test_a_shared_checkin_is_one_line_in_todays_thread_coloured_by_quadrant(env) -> None:
    c = community(env)
    thread = await thread_of_today(env, c)
    note = "Grateful for this group @everyone <@&123456789012345678> and <@123456789012345678> @here"
    result = await check_in(c.alice, c.general, word="Content", note=note, share=True)
    assert f"Shared in <#{thread.id}>" in result_embed(result).description
    [post] = [m for m in thread.history() if m.embeds]
    embed = post.embeds[0]
    assert embed.description.startswith("🍃 **alice** is feeling *content* and within their window.\n")
    assert "Grateful for this group" in embed.description
    assert embed.colour is not None and embed.colour.value == 0x4CAF7A  # low energy, pleasant
    # Nothing in a note ever pings: no mentions resolved, @everyone inert.
    assert pings_nobody(env, post)
    assert "@everyone" not in embed.description.replace("@\u200beveryone", "")
    stored = await rows(env.bot, "SELECT visibility, shared_channel_id, shared_message_id FROM checkins")
    assert stored == [{"visibility": "shared", "shared_channel_id": thread.id, "shared_message_id": post.id}]


async def test_sharing_without_a_thread_today_keeps_it_private_and_says_so(env) -> None:
    c = community(env)  # no /checkin setup: no thread
    result = await check_in(c.alice, c.general, note="still here", share=True)
    assert "no check-in thread open today" in result_embed(result).description
    assert await rows(env.bot, "SELECT visibility, note FROM checkins") == [
        {"visibility": "private", "note": "still here"}
    ]


async def test_if_the_thread_refuses_the_post_the_checkin_is_kept_private(env) -> None:
    c = community(env)
    thread = await thread_of_today(env, c)
    env.inject_error("POST", f"/channels/{thread.id}/messages", status=403, code=50001, times=1)
    result = await check_in(c.alice, c.general, share=True)
    assert "couldn't post in today's thread" in result_embed(result).description
    assert await rows(env.bot, "SELECT visibility FROM checkins") == [{"visibility": "private"}]


async def test_the_note_field_counts_to_500_so_discord_stops_a_longer_note(env) -> None:
    c = community(env)
    shown = await reach_modal(c.alice, c.general, "within", "low_pleasant", "Calm")
    note_input = shown.modal["components"][0]["component"]
    assert note_input["max_length"] == 500
    assert "up to 500 characters" in shown.modal["components"][0]["description"]
    with pytest.raises(SetupError, match="max_length=500"):
        await c.alice.submit_modal(shown, {"note": "x" * 501, "visibility": ["private"]})
    done = await c.alice.submit_modal(shown, {"note": "y" * 500, "visibility": ["private"]})
    assert "feeling calm" in result_embed(done).title


async def test_a_longer_note_from_an_older_form_is_saved_trimmed_and_the_rest_handed_back(
    env, monkeypatch
) -> None:
    """A form opened before the limit was set allowed 1,000 characters: the check-in is never lost."""
    monkeypatch.setattr("cogs.checkins.views.NOTE_INPUT_MAX", 1000)
    c = community(env)
    shown = await reach_modal(c.alice, c.general, "within", "low_pleasant", "Calm")
    long_note = "a" * 500 + "THE END OF MY NOTE"
    done = await c.alice.submit_modal(shown, {"note": long_note, "visibility": ["private"]})
    assert "feeling calm" in result_embed(done).title
    told = done.response.content
    assert "longer than 500 characters" in told and "saved your check-in with the first 500" in told
    assert "THE END OF MY NOTE" in told
    assert await rows(env.bot, "SELECT word, note FROM checkins") == [{"word": "Calm", "note": "a" * 500}]


async def test_the_result_offers_a_suggestion_and_never_a_streak(env) -> None:
    c = community(env)
    regulation = env.bot.content.regulation
    first = result_embed(
        await check_in(c.alice, c.general, zone="rigidity", quadrant="low_unpleasant", word="Numb")
    )
    suggestion = next(f.value for f in first.fields if f.name == "Something you could try")
    assert suggestion in regulation.rigidity
    second = result_embed(
        await check_in(c.alice, c.general, zone="rigidity", quadrant="low_unpleasant", word="Tired")
    )
    other = next(f.value for f in second.fields if f.name == "Something you could try")
    assert other in regulation.rigidity and other != suggestion  # rotates
    await env.advance_time(24 * HOUR)
    calm = result_embed(
        await check_in(c.alice, c.general, zone="chaos", quadrant="high_unpleasant", word="Stressed")
    )
    assert next(f.value for f in calm.fields if f.name == "Something you could try") in regulation.chaos
    within = result_embed(await check_in(c.alice, c.general))
    assert next(f.value for f in within.fields if f.name == "Something you could try") in regulation.within
    for embed in (first, second, calm, within):
        shown = " ".join([embed.title, embed.description, *(f"{f.name} {f.value}" for f in embed.fields)])
        assert "streak" not in shown.lower() and "in a row" not in shown and "🔥" not in shown
        assert embed.footer.text is None  # the not-clinical line is on the starter, not repeated here


async def test_from_the_starter_the_not_clinical_line_is_said_once(env) -> None:
    c = community(env)
    await thread_of_today(env, c)
    [starter] = starters(c.general)
    assert "not a substitute for professional help" in starter.content
    step1 = await c.alice.click(starter, label="Check in")
    assert "professional" not in step1.response.content
    assert "Step 1 of 3" in step1.response.content


async def test_not_sure_or_mixed_offers_words_from_the_middle_of_the_map(env) -> None:
    c = community(env)
    step1 = await c.alice.slash(c.general, "checkin now")
    step2 = await c.alice.click(step1.response, label="Within my window")
    picked = await c.alice.select(step2.response, ["mixed"], custom_id="checkin:quad:within")
    said = picked.response.content
    assert "Not sure / mixed" in said and "that's a real answer too" in said
    words = picked.response.components[1]["components"][0]
    labels = [o["label"] for o in words["options"]]
    assert {"Unsure", "Bittersweet", "Conflicted", "Confused"} <= set(labels)
    shown = await c.alice.select(picked.response, ["Bittersweet"], custom_id="checkin:word:within:mixed")
    done = await c.alice.submit_modal(shown, {"visibility": ["private"]})
    assert "feeling bittersweet" in result_embed(done).title
    # The word keeps its place on the energy × pleasantness map.
    assert await rows(env.bot, "SELECT word, quadrant, energy, pleasantness FROM checkins") == [
        {"word": "Bittersweet", "quadrant": "low_pleasant", "energy": -2, "pleasantness": 1}
    ]


@restarts(ZoneButton, QuadrantSelect, WordSelect)
async def test_the_flow_survives_a_restart_between_steps(env, make_bot) -> None:
    c = community(env)
    step1 = await c.alice.slash(c.general, "checkin now")
    await restart(env, make_bot)
    step2 = await c.alice.click(step1.response, label="Within my window")
    picked = await c.alice.select(step2.response, ["low_pleasant"], custom_id="checkin:quad:within")
    shown = await c.alice.select(picked.response, ["Grounded"], custom_id="checkin:word:within:low_pleasant")
    await restart(env, make_bot)  # the modal is open while the bot restarts
    done = await c.alice.submit_modal(shown, {"note": "made it", "visibility": ["private"]})
    assert "feeling grounded" in result_embed(done).title
    assert await rows(env.bot, "SELECT word, note FROM checkins") == [{"word": "Grounded", "note": "made it"}]


@restarts(StartButton)
async def test_the_daily_starter_button_works_after_a_restart(env, make_bot) -> None:
    c = community(env)
    await thread_of_today(env, c)
    [starter] = starters(c.general)
    await restart(env, make_bot)
    result = await check_in(c.bob, starter, share=True)
    assert "Shared in" in result_embed(result).description


async def test_an_outdated_step_gets_a_clear_answer(env, make_bot) -> None:
    """A modal whose feeling word was since removed from content/emotions.yaml."""
    c = community(env)
    shown = await reach_modal(c.alice, c.general, "within", "low_pleasant", "Calm")
    words = [w for w in env.bot.content.emotions.words if w.word != "Calm"]
    edited = env.bot.content.model_copy(
        update={"emotions": env.bot.content.emotions.model_copy(update={"words": words})}
    )
    env.bot.content = edited
    answer = await c.alice.submit_modal(shown, {"note": "hello"})
    assert answer.ephemeral
    reply = answer.response.content if answer.response else answer.followups[0].content
    assert "no longer valid" in reply and "/checkin now" in reply
    assert await rows(env.bot, "SELECT * FROM checkins") == []


async def test_several_checkins_a_day_are_each_stored(env) -> None:
    c = community(env)
    await check_in(c.alice, c.general, word="Calm")
    await check_in(c.alice, c.general, zone="chaos", quadrant="high_unpleasant", word="Restless")
    found = await rows(env.bot, "SELECT word, local_date FROM checkins ORDER BY id")
    assert found == [
        {"word": "Calm", "local_date": "2026-01-01"},
        {"word": "Restless", "local_date": "2026-01-01"},
    ]


async def test_the_local_date_follows_the_guild_time_zone(env) -> None:
    c = community(env)
    await c.facilitator.slash(c.general, "settings timezone", timezone="America/Los_Angeles")
    await check_in(c.alice, c.general)  # 00:00 UTC on 1 January is 16:00 on 31 December in LA
    assert await rows(env.bot, "SELECT local_date FROM checkins") == [{"local_date": "2025-12-31"}]
