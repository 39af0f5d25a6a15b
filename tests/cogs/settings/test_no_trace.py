"""No trace: a member uses every feature, runs ``/privacy delete``, and afterwards neither their user
id nor anything they wrote is anywhere in the database file or its WAL.

Also the proof for ``tests/privacy_schema.py``: every table declared personal holds rows of the
member before the delete (so the scenario really covers it), the export shows them, and none is
left after.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import discord

from tests.cogs.checkins.sim import HOUR, check_in, set_up_daily
from tests.helpers import community, rows
from tests.privacy_schema import OWNERS

WORDS = {
    "private_note": "kept-to-myself-41d7",
    "shared_note": "said-in-the-thread-9be2",
    "log_note": "solo-sit-by-the-river-c30a",
    "reflection": "the-hub-felt-wide-5f61",
    "insight": "slowness-is-a-gift-77e0",
    "title": "Listening-Circle-Ep-e913",
}


async def export_of(actor: Any, channel: Any) -> str:
    result = await actor.slash(channel, "privacy export")
    message = result.followups[0] if result.followups else result.response
    return (await message.attachments[0].read()).decode()


async def delete(actor: Any, channel: Any) -> None:
    asked = await actor.slash(channel, "privacy delete")
    done = await actor.click(asked.response, label="Yes, delete everything")
    assert "is deleted" in (done.response.content if done.response else "")


async def owned_rows(bot: Any, user_id: int) -> dict[str, int]:
    counts = {}
    for table, owner in OWNERS.items():
        if owner is not None:
            found = await bot.db.fetchval(f"SELECT count(*) FROM {table} WHERE {owner} = ?", (user_id,))  # noqa: S608
            counts[table] = int(found)
    return counts


def traces(path: Path, user_id: int, texts: list[str]) -> list[str]:
    """What of the member is still in the database file and its WAL (as text or as an integer)."""
    found = []
    for file in (path, Path(f"{path}-wal")):
        data = file.read_bytes() if file.exists() else b""
        needles = {str(user_id): str(user_id).encode(), "id as integer": user_id.to_bytes(8, "big")}
        needles |= {text: text.encode() for text in texts}
        found += [f"{file.name}: {name}" for name, needle in needles.items() if needle in data]
    return found


async def test_after_a_delete_nothing_of_the_member_is_left_in_the_database_file(env, db_path: Path) -> None:
    c = community(env)
    leads = c.guild.create_text_channel("leads")
    zendo = c.guild.create_voice_channel("Zendo")
    await c.facilitator.slash(c.general, "settings channel", purpose="facilitators", channel=leads)
    await set_up_daily(c, time="09:00")
    # The facilitator hosts a sit at 10:30 with a reminder at 10:15; alice is going.
    await c.facilitator.slash(
        c.general, "sit schedule", title="Morning sit", when="10:30", voice_channel=zendo, reminder=15
    )
    [sit] = await rows(env.bot, "SELECT * FROM sits")
    announcement = next(m for m in c.general.history() if m.id == sit["announcement_id"])
    await c.alice.click(announcement, label="Going")
    await c.alice.slash(c.general, "checkin remind", time="09:30")
    await env.advance_time(9 * HOUR + 35 * 60)  # 09:35: the thread is open, the DM reminder was sent

    await check_in(c.alice, c.general, note=WORDS["private_note"])
    await check_in(c.alice, c.general, share=True, note=WORDS["shared_note"])
    step1 = await c.alice.slash(c.general, "checkin now")
    support = await c.alice.click(step1.response, label="I could use support")
    await c.alice.click(support.response, label="Ask someone to reach out")
    await c.alice.slash(c.general, "sit log", minutes=10, note=WORDS["log_note"])
    prompt = (await c.facilitator.slash(c.general, "wheel prompt", segment="hub")).response
    shown = await c.alice.click(prompt, label="Reflect")
    await c.alice.submit_modal(shown, {"reflection": WORDS["reflection"], "visibility": ["share"]})
    await c.alice.slash(
        c.general,
        "episode share",
        url="https://pod.example/ep",
        insight=WORDS["insight"],
        title=WORDS["title"],
    )
    await env.advance_time(56 * 60)  # 10:31: the reminder mentioned alice; the sit has begun
    await c.alice.join_voice(zendo)
    await env.advance_time(25 * 60)  # 10:56: the sit ended and was tallied
    await c.alice.leave_voice()

    # Every table declared personal holds something of hers (the host's sit is the facilitator's).
    mine = await owned_rows(env.bot, c.alice.id)
    assert [t for t, n in mine.items() if n == 0] == ["sits"]
    assert (await owned_rows(env.bot, c.facilitator.id))["sits"] == 1
    exported = await export_of(c.alice, c.general)
    for text in WORDS.values():
        assert text in exported
    data = json.loads(exported)
    assert data["checkins"]["reminder"] is not None and data["checkins"]["support_requests"]
    assert data["sits"]["rsvps"] and data["sits"]["attendance"] and data["sits"]["voice_sessions"]
    assert data["sits"]["posts_mentioning_you"] and data["limits"]["last_public_posts"]
    [reminder_post] = [m for m in c.general.history() if m.content.startswith("⏰")]
    assert c.alice.mention in reminder_post.content

    await delete(c.alice, c.general)
    await delete(c.facilitator, c.general)
    await env.bot.takedowns.idle()
    assert await env.bot.db.checkpoint()

    assert await owned_rows(env.bot, c.alice.id) == dict.fromkeys(mine, 0)
    assert await rows(env.bot, "SELECT * FROM post_takedowns") == []
    assert traces(db_path, c.alice.id, list(WORDS.values())) == []
    assert traces(db_path, c.facilitator.id, []) == []
    # What was posted on her behalf is gone or no longer names her.
    reminder_post = next(m for m in c.general.history() if m.id == reminder_post.id)
    assert c.alice.mention not in reminder_post.content and str(c.alice.id) not in reminder_post.content
    everywhere = [
        *c.general.history(),
        *leads.history(),
        *(m for t in c.general.threads for m in t.history()),
    ]
    assert WORDS["title"] not in [t.name for t in c.general.threads]  # the share's thread is gone
    for message in everywhere:
        if message.type is discord.MessageType.thread_created:
            continue  # the simulator's "started a thread" notice, named after a thread that is gone
        shown_text = message.content + " ".join(str(e.to_dict()) for e in message.embeds)
        assert str(c.alice.id) not in shown_text and not any(w in shown_text for w in WORDS.values())
    announcement = next(m for m in c.general.history() if m.id == sit["announcement_id"])
    assert all(f.name != "Host" for f in announcement.embeds[0].fields)
