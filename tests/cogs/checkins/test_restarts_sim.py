"""The check-in's support and retry buttons after a restart: pressed on the new bot, they still work."""

from __future__ import annotations

from cogs.checkins.views import AlertButton, RetryButton
from tests.cogs.checkins.steps import reach_modal, result_embed
from tests.helpers import community, pings_nobody, restart, restarts, rows


@restarts(AlertButton)
async def test_the_alert_button_works_after_a_restart(env, make_bot) -> None:
    c = community(env)
    leads = c.guild.create_text_channel("leads")
    await c.facilitator.slash(c.general, "settings channel", purpose="facilitators", channel=leads)
    step1 = await c.alice.slash(c.general, "checkin now")
    screen = await c.alice.click(step1.response, label="I could use support")
    await restart(env, make_bot)
    pressed = await c.alice.click(screen.response, label="Alert a facilitator")
    [notice] = leads.history()
    assert c.alice.mention in notice.content and pings_nobody(env, notice)
    [thanks] = pressed.followups
    assert thanks.ephemeral and thanks.content == env.bot.content.support.alert_sent


@restarts(RetryButton)
async def test_try_again_works_after_a_restart(env, make_bot) -> None:
    c = community(env)
    shown = await reach_modal(c.alice, c.general, "within", "low_pleasant", "Calm")
    refused = await c.alice.submit_modal(shown, {"note": "a lot " * 100, "visibility": ["private"]})
    assert await rows(env.bot, "SELECT * FROM checkins") == []
    await restart(env, make_bot)
    again = await c.alice.click(refused.response, label="Try again")
    assert again.modal is not None and again.modal["custom_id"] == "checkin:note:within:Calm"
    done = await c.alice.submit_modal(again, {"note": "shorter now", "visibility": ["private"]})
    assert "feeling calm" in result_embed(done).title
    assert await rows(env.bot, "SELECT word, note FROM checkins") == [{"word": "Calm", "note": "shorter now"}]
