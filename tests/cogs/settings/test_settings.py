"""`/settings …` on simcord: what the facilitator sees and what the database holds."""

from __future__ import annotations

import discord

from tests.helpers import community, rows


async def test_facilitator_sets_timezone_and_it_is_stored(env) -> None:
    c = community(env)
    result = await c.facilitator.slash(c.general, "settings timezone", timezone="Europe/Berlin")
    assert result.ephemeral
    assert "Europe/Berlin" in result.response.content
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
        c.general, "settings support", text="Talk to @everyone in #help or call 0800 111"
    )
    assert result.ephemeral
    assert "0800 111" in result.response.content
    assert "@\u200beveryone" in result.response.content  # shown, never a ping
    stored = await rows(env.bot, "SELECT support_text FROM guild_settings")
    assert stored == [{"support_text": "Talk to @everyone in #help or call 0800 111"}]
    reset = await c.facilitator.slash(c.general, "settings support", text="default")
    assert "reset" in reset.response.content
    assert await rows(env.bot, "SELECT support_text FROM guild_settings") == [{"support_text": None}]


async def test_support_text_too_long_is_refused_and_nothing_changes(env) -> None:
    c = community(env)
    result = await c.facilitator.slash(c.general, "settings support", text="x" * 1900)
    assert result.ephemeral
    assert "1,800" in result.response.content
    assert await rows(env.bot, "SELECT * FROM guild_settings") == []
