"""Sent views are kept in memory only when a click needs them (nothing grows per interaction)."""

from __future__ import annotations

import discord

from attune.ui import AttuneView, needs_view_store
from cogs.sits.views import announcement_view


async def test_restart_proof_views_are_not_kept_but_views_with_callbacks_are() -> None:
    plain = discord.ui.View(timeout=None)
    plain.add_item(discord.ui.Button(label="Open", custom_id="listener:handled"))
    plain.add_item(discord.ui.Button(label="Docs", url="https://example.org"))
    assert not needs_view_store(plain)
    assert not needs_view_store(announcement_view(1, open_for_answers=True))
    assert not needs_view_store(AttuneView(timeout=None))

    class Confirm(discord.ui.View):
        @discord.ui.button(label="Yes")
        async def yes(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
            raise NotImplementedError

    assert needs_view_store(Confirm())
    assert needs_view_store(discord.ui.Modal(title="Note"))
