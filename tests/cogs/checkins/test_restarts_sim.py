"""The check-in's support and retry buttons after a restart: pressed on the new bot, they still work."""

from __future__ import annotations

import discord

from cogs.checkins.views import AlertButton, RetryButton
from tests.helpers import community, pings_nobody, restart, restarts, rows


@restarts(AlertButton)
async def test_the_alert_button_works_after_a_restart(env, make_bot) -> None:
    c = community(env)
    leads = c.guild.create_text_channel("leads")
    await c.facilitator.slash(c.general, "settings channel", purpose="facilitators", channel=leads)
    step1 = await c.alice.slash(c.general, "checkin now")
    screen = await c.alice.click(step1.response, label="I could use support")
    await restart(env, make_bot)
    pressed = await c.alice.click(screen.response, label="Ask someone to reach out")
    [notice] = leads.history()
    assert c.alice.mention in notice.content and pings_nobody(env, notice)
    [thanks] = pressed.followups
    assert thanks.ephemeral and thanks.content == env.bot.content.support.alert_sent


@restarts(RetryButton)
async def test_try_again_from_an_older_version_works_after_a_restart(env, make_bot) -> None:
    """Older versions refused a long note with **Try again**; such buttons still reopen the form."""
    c = community(env)
    view = discord.ui.View(timeout=None)
    view.add_item(RetryButton("within", "Calm"))
    old = await env.bot.get_channel(c.general.id).send("Your note was too long.", view=view)
    await restart(env, make_bot)
    again = await c.alice.click(next(m for m in c.general.history() if m.id == old.id), label="Try again")
    assert again.modal is not None and again.modal["custom_id"] == "checkin:note:within:Calm"
    done = await c.alice.submit_modal(again, {"note": "shorter now", "visibility": ["private"]})
    assert "feeling calm" in done.response.embeds[0].title
    assert await rows(env.bot, "SELECT word, note FROM checkins") == [{"word": "Calm", "note": "shorter now"}]
