"""`/privacy export|delete` and `/about` on simcord, through the PersonalData interface."""

from __future__ import annotations

import json
from typing import Any

import pytest
from discord.ext import commands

from cogs.settings.privacy import DeleteCancel, DeleteConfirm
from tests.helpers import answer, community, restart, restarts

pytestmark = pytest.mark.both_backends


class NotesCog(commands.Cog):
    """A stand-in capability that stores one note per member, to prove the interface plugs in."""

    privacy_section = "notes"

    def __init__(self) -> None:
        self.notes: dict[int, list[str]] = {}

    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        return {"notes": self.notes.get(user_id, [])}

    async def delete_user_data(self, user_id: int) -> int:
        return len(self.notes.pop(user_id, []))


async def test_about_says_what_is_stored_and_how_to_leave(env) -> None:
    c = community(env)
    result = await c.alice.slash(c.general, "about")
    assert result.ephemeral
    embed = result.response.embeds[0]
    assert embed.title.startswith("Attune ")
    text = " ".join(f.value for f in embed.fields)
    assert "/privacy export" in text and "/privacy delete" in text
    assert "Totals already published are kept when you delete your data" in " ".join(text.split())
    assert "professional" in (embed.footer.text or "").lower()


async def test_export_is_a_private_json_file_with_every_capability(env) -> None:
    c = community(env)
    notes = NotesCog()
    notes.notes[c.alice.id] = ["breathe"]
    await env.bot.add_cog(notes)
    result = await c.alice.slash(c.general, "privacy export")
    assert result.ephemeral
    message = answer(result)
    attachment = message.attachments[0]
    assert attachment.filename == f"attune-export-{c.alice.id}.json"
    data = json.loads(await attachment.read())
    assert data["user_id"] == str(c.alice.id)
    assert data["notes"] == {"notes": ["breathe"]}


async def test_delete_asks_first_then_removes_everything(env) -> None:
    c = community(env)
    notes = NotesCog()
    notes.notes[c.alice.id] = ["breathe", "rest"]
    notes.notes[c.bob.id] = ["walk"]
    await env.bot.add_cog(notes)
    asked = await c.alice.slash(c.general, "privacy delete")
    assert asked.ephemeral
    assert "can't be undone" in asked.response.content
    assert notes.notes[c.alice.id]  # nothing deleted before the confirmation
    done = await c.alice.click(asked.response, label="Yes, delete everything")
    assert notes.notes.get(c.alice.id) is None
    assert notes.notes[c.bob.id] == ["walk"]
    final = done.response.content if done.response else ""
    assert final == "Done. Everything Attune stored about you is deleted (2 items: notes: 2)."
    again = await c.alice.slash(c.general, "privacy delete")
    nothing = await c.alice.click(again.response, label="Yes, delete everything")
    assert nothing.response.content == (
        "Done. Attune had nothing stored about you, so there was nothing to delete."
    )


async def test_delete_can_be_cancelled_and_nothing_is_deleted(env, make_bot) -> None:
    c = community(env)
    notes = NotesCog()
    notes.notes[c.alice.id] = ["breathe"]
    await env.bot.add_cog(notes)
    asked = await c.alice.slash(c.general, "privacy delete")
    labels = [b["label"] for row in asked.response.components for b in row["components"]]
    assert labels == ["Yes, delete everything", "Cancel"]
    kept = await c.alice.click(asked.response, label="Cancel")
    assert kept.response.content == "Cancelled — nothing was deleted. Your data stays as it was."
    assert kept.response.components == []
    assert notes.notes[c.alice.id] == ["breathe"]


@restarts(DeleteCancel)
async def test_cancel_still_keeps_everything_after_a_restart(env, make_bot) -> None:
    c = community(env)
    asked = await c.alice.slash(c.general, "privacy delete")
    await restart(env, make_bot)
    notes = NotesCog()
    notes.notes[c.alice.id] = ["kept"]
    await env.bot.add_cog(notes)
    kept = await c.alice.click(asked.response, label="Cancel")
    assert kept.response.content == "Cancelled — nothing was deleted. Your data stays as it was."
    assert notes.notes[c.alice.id] == ["kept"]


@restarts(DeleteConfirm)
async def test_delete_confirmation_survives_a_restart(env, make_bot) -> None:
    c = community(env)
    asked = await c.alice.slash(c.general, "privacy delete")
    await restart(env, make_bot)
    notes = NotesCog()
    notes.notes[c.alice.id] = ["one"]
    await env.bot.add_cog(notes)
    await c.alice.click(asked.response, label="Yes, delete everything")
    assert c.alice.id not in notes.notes
