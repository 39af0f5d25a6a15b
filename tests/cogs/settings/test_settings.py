"""`/settings …` on simcord: what the facilitator sees and what the database holds."""

from __future__ import annotations

import discord
import pytest
from simcord import OptionError

from tests.helpers import community, rows


async def test_facilitator_sets_timezone_and_it_is_stored(env) -> None:
    c = community(env)
    result = await c.facilitator.slash(c.general, "settings timezone", timezone="Europe/Berlin")
    assert result.ephemeral
    # The server's own time (00:00 UTC is 01:00 in Berlin), not the facilitator's local time.
    assert "Time zone set to **Europe/Berlin**, where it is **01:00** now." in result.response.content
    stored = await rows(env.bot, "SELECT timezone FROM guild_settings WHERE guild_id = ?", (c.guild.id,))
    assert stored == [{"timezone": "Europe/Berlin"}]


async def test_timezone_autocomplete_offers_iana_names(env) -> None:
    c = community(env)
    choices = await c.facilitator.autocomplete(c.general, "settings timezone", "timezone", "berl")
    assert choices[0]["value"] == "Europe/Berlin"
    many = await c.facilitator.autocomplete(c.general, "settings timezone", "timezone", "a")
    assert len(many) == 25


async def test_unknown_timezone_is_a_clear_ephemeral_answer_and_changes_nothing(env) -> None:
    c = community(env)
    result = await c.facilitator.slash(c.general, "settings timezone", timezone="Mars/Olympus")
    assert result.ephemeral
    assert "not a time zone I know" in result.response.content
    assert await rows(env.bot, "SELECT * FROM guild_settings") == []


async def test_members_who_are_not_facilitators_are_told_why(env) -> None:
    c = community(env)
    for command, options in [
        ("settings show", {}),
        ("settings timezone", {"timezone": "UTC"}),
        ("settings support", {"text": "call me"}),
    ]:
        result = await c.alice.slash(c.general, command, **options)
        assert result.ephemeral
        assert "Only facilitators" in result.response.content
        assert "Manage Server" in result.response.content
    assert await rows(env.bot, "SELECT * FROM guild_settings") == []


async def test_facilitator_role_grants_facilitator_commands(env) -> None:
    c = community(env)
    helpers = c.guild.create_role("Helpers")
    helper = c.guild.add_member(env.create_user("hana"), roles=[helpers])
    result = await c.facilitator.slash(c.general, "settings facilitator-role", role=helpers)
    assert helpers.mention in result.response.content
    shown = await helper.slash(c.general, "settings show")
    assert shown.ephemeral
    assert shown.response.embeds[0].title == "Attune settings"


async def test_channel_is_stored_when_the_bot_can_post_there(env) -> None:
    c = community(env)
    checkins = c.guild.create_text_channel("check-ins")
    result = await c.facilitator.slash(c.general, "settings channel", purpose="checkins", channel=checkins)
    assert result.ephemeral
    assert checkins.mention in result.response.content
    stored = await rows(env.bot, "SELECT purpose, channel_id FROM guild_channels")
    assert stored == [{"purpose": "checkins", "channel_id": checkins.id}]
    shown = await c.facilitator.slash(c.general, "settings show")
    channels = next(f for f in shown.response.embeds[0].fields if f.name == "Channels")
    assert f"**checkins** — <#{checkins.id}>" in channels.value


async def test_channel_where_the_bot_cannot_create_threads_names_the_permission(env) -> None:
    c = community(env)
    bot_member = c.guild.me
    quiet = c.guild.create_text_channel(
        "quiet", overwrites={bot_member: discord.PermissionOverwrite(create_public_threads=False)}
    )
    result = await c.facilitator.slash(c.general, "settings channel", purpose="checkins", channel=quiet)
    assert result.ephemeral
    assert "Create Public Threads" in result.response.content
    assert quiet.mention in result.response.content
    assert await rows(env.bot, "SELECT * FROM guild_channels") == []


async def test_support_text_is_saved_shown_and_reset(env) -> None:
    c = community(env)
    result = await c.facilitator.slash(
        c.general, "settings support", text="Talk to @everyone in #help\\nor call 0800 111"
    )
    assert result.ephemeral
    assert "Support text saved" in result.response.content
    shown = result.response.embeds[0].description
    assert shown.startswith("Talk to @\u200beveryone in #help\nor call 0800 111")  # shown, never a ping
    assert "call your local emergency number now" in shown  # the safety lines follow, always
    stored = await rows(env.bot, "SELECT support_text FROM guild_settings")
    assert stored == [{"support_text": "Talk to @everyone in #help\nor call 0800 111"}]
    reset = await c.facilitator.slash(c.general, "settings support", text="default")
    assert "reset" in reset.response.content
    assert await rows(env.bot, "SELECT support_text FROM guild_settings") == [{"support_text": None}]


async def test_support_text_is_edited_in_a_form_prefilled_with_the_current_text(env) -> None:
    c = community(env)
    opened = await c.facilitator.slash(c.general, "settings support")
    form = opened.modal
    assert form is not None and form["title"] == "Support resources"
    text_input = form["components"][0]["component"]
    assert text_input["style"] == 2 and text_input["max_length"] == 1800  # a paragraph, counted by Discord
    assert text_input["value"] == env.bot.content.support.default_text.strip()[:1800]
    typed = "Our circle:\n• Sam (facilitator) — DM any time\n• Local line: 0800 111"
    saved = await c.facilitator.submit_modal(opened, {"support_text": typed})
    assert saved.ephemeral and "Support text saved" in saved.response.content
    assert await rows(env.bot, "SELECT support_text FROM guild_settings") == [{"support_text": typed}]
    again = await c.facilitator.slash(c.general, "settings support")
    assert again.modal["components"][0]["component"]["value"] == typed  # prefilled with what's saved
    emptied = await c.facilitator.submit_modal(again, {"support_text": ""})
    assert "reset" in emptied.response.content
    assert await rows(env.bot, "SELECT support_text FROM guild_settings") == [{"support_text": None}]


async def test_support_text_too_long_is_stopped_by_discord_and_nothing_changes(env) -> None:
    c = community(env)
    with pytest.raises(OptionError, match="at most 1800 characters"):
        await c.facilitator.slash(c.general, "settings support", text="x" * 1900)
    assert await rows(env.bot, "SELECT * FROM guild_settings") == []


async def test_only_facilitators_open_the_support_form(env) -> None:
    c = community(env)
    refused = await c.alice.slash(c.general, "settings support")
    assert refused.ephemeral and refused.modal is None
    assert "Only facilitators" in refused.response.content
