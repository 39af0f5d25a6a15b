"""*I could use support*: the guild's resources, and facilitators alerted only with consent."""

from __future__ import annotations

from tests.cogs.checkins.steps import check_in, pings_nobody, result_embed
from tests.helpers import community, restart, rows


async def support_screen(c):
    step1 = await c.alice.slash(c.general, "checkin now")
    return await c.alice.click(step1.response, label="I could use support")


def with_leads(c):
    return c.guild.create_text_channel("leads")


async def test_support_shows_the_default_resources_and_tells_no_one_without_consent(env) -> None:
    c = community(env)
    leads = with_leads(c)
    await c.facilitator.slash(c.general, "settings channel", purpose="facilitators", channel=leads)
    screen = await support_screen(c)
    message = screen.response
    assert message.ephemeral
    text = message.embeds[0].description
    assert "not professional care or an emergency service" in text
    assert "emergency" in text and "findahelpline.com" in text
    labels = [b["label"] for row in message.components for b in row["components"]]
    assert labels == ["Alert a facilitator", "Name a feeling and check in"]
    # The member goes on to check in with a note, but never presses the alert button.
    await check_in(
        c.alice, c.general, zone="support", quadrant="low_unpleasant", word="Heavy", note="rough week"
    )
    assert leads.history() == []
    assert await rows(env.bot, "SELECT zone, word FROM checkins") == [{"zone": "support", "word": "Heavy"}]


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


async def test_the_support_button_works_after_a_restart(env, make_bot) -> None:
    c = community(env)
    done = await check_in(c.alice, c.general, zone="within", quadrant="low_unpleasant", word="Hopeless")
    await restart(env, make_bot)
    shown = await c.alice.click(done.response, label="Support options")
    assert "findahelpline.com" in shown.response.embeds[0].description


async def test_alerting_with_consent_tells_the_facilitators_who_without_any_detail(env) -> None:
    c = community(env)
    leads = with_leads(c)
    await c.facilitator.slash(c.general, "settings channel", purpose="facilitators", channel=leads)
    await c.facilitator.slash(c.general, "settings facilitator-role", role=c.guild.create_role("Carers"))
    screen = await support_screen(c)
    pressed = await c.alice.click(screen.response, label="Alert a facilitator")
    [notice] = leads.history()
    assert c.alice.mention in notice.content and "could use support" in notice.content
    # The mention shows facilitators who it is, but pings no one: not the member, no role, not everyone.
    assert pings_nobody(env, notice)
    # The member is thanked, reminded this is not professional care, and the button shows it's done.
    [thanks] = pressed.followups
    assert thanks.ephemeral and thanks.content == env.bot.content.support.alert_sent
    buttons = {
        b["label"]: b.get("disabled", False) for row in pressed.response.components for b in row["components"]
    }
    assert buttons == {"Facilitators alerted": True, "Name a feeling and check in": False}


async def test_the_alert_never_carries_the_note(env) -> None:
    c = community(env)
    leads = with_leads(c)
    await c.facilitator.slash(c.general, "settings channel", purpose="facilitators", channel=leads)
    done = await check_in(
        c.alice, c.general, zone="support", quadrant="low_unpleasant", word="Hopeless", note="secret detail"
    )
    assert any(f.name == "You're not alone with this" for f in result_embed(done).fields)
    await c.alice.click(done.response, label="Alert a facilitator")
    [notice] = leads.history()
    assert "secret detail" not in notice.content and "Hopeless" not in notice.content.lower().title()
    assert "hopeless" not in notice.content.lower()


async def test_pressing_again_soon_does_not_alert_twice(env) -> None:
    c = community(env)
    leads = with_leads(c)
    await c.facilitator.slash(c.general, "settings channel", purpose="facilitators", channel=leads)
    first = await support_screen(c)
    await c.alice.click(first.response, label="Alert a facilitator")
    second = await support_screen(c)
    again = await c.alice.click(second.response, label="Alert a facilitator")
    assert again.ephemeral
    reply = again.followups[0].content if again.followups else again.response.content
    assert "already told" in reply
    assert len(leads.history()) == 1


async def test_without_a_facilitators_channel_the_member_is_told_honestly(env) -> None:
    c = community(env)
    screen = await support_screen(c)
    pressed = await c.alice.click(screen.response, label="Alert a facilitator")
    reply = pressed.followups[0].content if pressed.followups else pressed.response.content
    assert "couldn't reach the facilitators" in reply and "emergency" in reply
    # Nothing was posted anywhere public instead.
    assert [m for m in c.general.history() if "support" in m.content] == []
