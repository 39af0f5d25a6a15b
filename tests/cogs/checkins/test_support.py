"""*I could use support*: the guild's resources, and *Ask someone to reach out* only with consent,
only where it can work, remembered across restarts, and covered by export and delete."""

from __future__ import annotations

import json
import re

import discord

from cogs.checkins.models import ALERT_REDACTED
from cogs.checkins.views import SupportButton
from tests.cogs.checkins.sim import check_in, result_embed
from tests.helpers import community, pings_nobody, restart, restarts, rows

ASK = "Ask someone to reach out"
EMERGENCY = "If you are in danger, call your local emergency number now."


async def support_screen(c, member=None):
    member = member or c.alice
    step1 = await member.slash(c.general, "checkin now")
    return await member.click(step1.response, label="I could use support")


async def with_leads(c):
    leads = c.guild.create_text_channel("leads")
    await c.facilitator.slash(c.general, "settings channel", purpose="facilitators", channel=leads)
    return leads


def buttons(message) -> list[dict]:
    return [b for row in message.components for b in row["components"]]


def reply_of(result) -> str:
    return result.followups[0].content if result.followups else result.response.content


async def test_support_shows_the_default_resources_and_tells_no_one_without_consent(env) -> None:
    c = community(env)
    leads = await with_leads(c)
    screen = await support_screen(c)
    message = screen.response
    assert message.ephemeral
    text = message.embeds[0].description
    assert "not professional care or an emergency service" in text
    assert "emergency" in text and "findahelpline.com" in text
    assert [b["label"] for b in buttons(message)] == [ASK, "Name a feeling and check in"]
    ask = buttons(message)[0]
    # A calm button: not the red danger style, and no bell (the bell is the sit's).
    assert ask["style"] != discord.ButtonStyle.danger.value and "emoji" not in ask
    await check_in(
        c.alice, c.general, zone="support", quadrant="low_unpleasant", word="Heavy", note="rough week"
    )
    assert leads.history() == []
    assert await rows(env.bot, "SELECT zone, word FROM checkins") == [{"zone": "support", "word": "Heavy"}]


async def test_without_a_facilitators_channel_the_button_is_not_offered(env) -> None:
    c = community(env)
    screen = await support_screen(c)
    assert [b["label"] for b in buttons(screen.response)] == ["Name a feeling and check in"]
    done = await check_in(c.alice, c.general, zone="support", quadrant="low_unpleasant", word="Heavy")
    # The support text stays one press away; asking someone to reach out is not offered.
    assert [b["label"] for b in buttons(done.response)] == ["Support options"]
    assert ASK not in str(result_embed(done).to_dict())
    shown = await c.alice.click(done.response, label="Support options")
    assert shown.response.components == []
    assert await rows(env.bot, "SELECT * FROM support_alerts") == []


async def test_a_facilitators_channel_the_bot_cannot_post_in_is_not_offered(env) -> None:
    c = community(env)
    muted = c.guild.create_text_channel(
        "muted-leads", overwrites={c.guild.me: discord.PermissionOverwrite(send_messages=False)}
    )
    await env.bot.guild_settings.set_channel(c.guild.id, "facilitators", muted.id)
    screen = await support_screen(c)
    assert ASK not in [b["label"] for b in buttons(screen.response)]


async def test_the_guilds_own_support_text_is_shown(env) -> None:
    c = community(env)
    await c.facilitator.slash(c.general, "settings support", text="Call Sam on 0123 456 789 (@everyone)")
    screen = await support_screen(c)
    text = screen.response.embeds[0].description
    assert "Call Sam on 0123 456 789" in text
    assert "@everyone" not in text.replace("@\u200beveryone", "")


async def test_custom_support_text_keeps_the_not_professional_care_and_emergency_lines(env) -> None:
    """Crisis information can't be configured away: a server's own text is followed by the safety lines."""
    c = community(env)
    await c.facilitator.slash(c.general, "settings support", text="Ask in #help, we read it daily.")
    screen = await support_screen(c)
    [embed] = screen.response.embeds
    text = embed.description
    assert text.startswith("Ask in #help, we read it daily.")
    assert "we are not professional care or an emergency service" in text
    assert "call your local emergency number now" in text
    assert "https://findahelpline.com" in text
    # Said once: the safety lines are the support text's own, not repeated in a footer.
    assert text.count("not professional care") == 1 and embed.footer.text is None


async def test_a_heavy_feeling_in_any_zone_offers_support_gently(env) -> None:
    c = community(env)
    for zone, quadrant, word in (
        ("within", "low_unpleasant", "Hopeless"),
        ("chaos", "high_unpleasant", "Panicked"),
        ("rigidity", "low_unpleasant", "Empty"),
    ):
        done = await check_in(c.alice, c.general, zone=zone, quadrant=quadrant, word=word)
        embed = result_embed(done)
        line = next(f.value for f in embed.fields if f.name == "You're not alone with this")
        assert "Support options" in line
        assert any(f.name == "Something you could try" for f in embed.fields)
        labels = [b["label"] for row in done.response.components for b in row["components"]]
        assert labels == ["Support options"]
        shown = await c.alice.click(done.response, label="Support options")
        assert shown.ephemeral
        support = shown.response.embeds[0].description
        assert "call your local emergency number now" in support and "findahelpline.com" in support
    # A lighter word adds neither the line nor the button.
    light = await check_in(c.alice, c.general, zone="within", quadrant="low_unpleasant", word="Tired")
    assert all(f.name != "You're not alone with this" for f in result_embed(light).fields)
    assert not light.response.components


@restarts(SupportButton)
async def test_the_support_button_works_after_a_restart(env, make_bot) -> None:
    c = community(env)
    done = await check_in(c.alice, c.general, zone="within", quadrant="low_unpleasant", word="Hopeless")
    await restart(env, make_bot)
    shown = await c.alice.click(done.response, label="Support options")
    assert "findahelpline.com" in shown.response.embeds[0].description


async def test_asking_with_consent_tells_the_facilitators_who_without_any_detail(env) -> None:
    c = community(env)
    leads = await with_leads(c)
    await c.facilitator.slash(c.general, "settings facilitator-role", role=c.guild.create_role("Carers"))
    screen = await support_screen(c)
    pressed = await c.alice.click(screen.response, label=ASK)
    [notice] = leads.history()
    assert c.alice.mention in notice.content and "reach out" in notice.content
    assert "🔔" not in notice.content
    # The mention shows facilitators who it is, but pings no one: not the member, no role, not everyone.
    assert pings_nobody(env, notice)
    [thanks] = pressed.followups
    assert thanks.ephemeral and thanks.content == env.bot.content.support.alert_sent
    shown = {b["label"]: b.get("disabled", False) for b in buttons(pressed.response)}
    assert shown == {"Asked someone to reach out": True, "Name a feeling and check in": False}


async def test_the_alert_never_carries_the_note(env) -> None:
    c = community(env)
    leads = await with_leads(c)
    done = await check_in(
        c.alice, c.general, zone="support", quadrant="low_unpleasant", word="Hopeless", note="secret detail"
    )
    assert any(f.name == "You're not alone with this" for f in result_embed(done).fields)
    await c.alice.click(done.response, label=ASK)
    [notice] = leads.history()
    assert "secret detail" not in notice.content and "hopeless" not in notice.content.lower()


async def test_a_second_press_says_when_they_asked_and_what_to_do_meanwhile(env) -> None:
    c = community(env)
    leads = await with_leads(c)
    first = await support_screen(c)
    await c.alice.click(first.response, label=ASK)
    asked_at = int(env.bot.clock().timestamp())
    await env.advance_time(10 * 60)
    second = await support_screen(c)
    again = await c.alice.click(second.response, label=ASK)
    reply = reply_of(again)
    assert (again.followups[0] if again.followups else again.response).ephemeral
    assert f"<t:{asked_at}:f>" in reply and f"<t:{asked_at}:R>" in reply
    assert EMERGENCY in reply and "support resources" in reply
    assert len(leads.history()) == 1


async def test_the_cooldown_survives_a_restart(env, make_bot) -> None:
    c = community(env)
    leads = await with_leads(c)
    first = await support_screen(c)
    await c.alice.click(first.response, label=ASK)
    await restart(env, make_bot)
    second = await support_screen(c)
    again = await c.alice.click(second.response, label=ASK)
    assert EMERGENCY in reply_of(again)
    assert len(leads.history()) == 1
    # Past the 30 minutes a member can ask again.
    await env.advance_time(31 * 60)
    third = await support_screen(c)
    await c.alice.click(third.response, label=ASK)
    assert len(leads.history()) == 2


async def test_export_shows_the_request_and_delete_takes_the_name_out_of_the_post(env) -> None:
    c = community(env)
    leads = await with_leads(c)
    screen = await support_screen(c)
    await c.alice.click(screen.response, label=ASK)
    [notice] = leads.history()
    result = await c.alice.slash(c.general, "privacy export")
    message = result.followups[0] if result.followups else result.response
    data = json.loads(await message.attachments[0].read())
    [request] = data["checkins"]["support_requests"]
    assert request["guild_id"] == str(c.guild.id) and request["message_id"] == str(notice.id)

    asked = await c.alice.slash(c.general, "privacy delete")
    await c.alice.click(asked.response, label="Yes, delete everything")
    await env.bot.takedowns.idle()
    [redacted] = leads.history()
    assert redacted.id == notice.id and redacted.content == ALERT_REDACTED
    assert str(c.alice.id) not in redacted.content and "alice" not in redacted.content
    assert await rows(env.bot, "SELECT * FROM support_alerts") == []
    assert await rows(env.bot, "SELECT * FROM post_takedowns") == []
    assert not re.search(str(c.alice.id), json.dumps(await rows(env.bot, "SELECT * FROM deliveries")))
