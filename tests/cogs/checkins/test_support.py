"""*I could use support*: the guild's resources, and facilitators alerted only with consent."""

from __future__ import annotations

from tests.cogs.checkins.steps import check_in, result_embed
from tests.helpers import community, pings_nobody, rows, told


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
    assert any(f.name == "Support" for f in result_embed(done).fields)
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
    assert "already told" in told(again)
    assert len(leads.history()) == 1


async def test_without_a_facilitators_channel_the_member_is_told_honestly(env) -> None:
    c = community(env)
    screen = await support_screen(c)
    pressed = await c.alice.click(screen.response, label="Alert a facilitator")
    assert "couldn't reach the facilitators" in told(pressed) and "emergency" in told(pressed)
    # Nothing was posted anywhere public instead.
    assert [m for m in c.general.history() if "support" in m.content] == []
