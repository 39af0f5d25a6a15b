"""``/privacy export``, ``/privacy delete`` and ``/about``.

Both privacy commands work through :class:`attune.privacy.PersonalData`, which every capability
cog implements; nothing here knows what the capabilities store — ``/about`` shows what each declares
(``privacy_statement``).
"""

from __future__ import annotations

import io
import json
import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from attune import ledger
from attune.errors import UserError
from attune.privacy import PersonalData, PrivacyStatement
from attune.text import plural
from attune.ui import AttuneDynamicItem

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)

#: The core's own record about members (the other capabilities declare theirs on their cogs).
LIMITS = PrivacyStatement(
    title="Limits",
    stores="when you last made a public post, so one person can't flood the server",
    kept="for the current window",
    seen_by="nobody; the bot counts it",
)
SERVERS_OWN = "Server settings (time zone, channels, roles) belong to the server, not to you."


def about_fields(providers: list[PersonalData]) -> list[tuple[str, str]]:
    """``/about``'s "Your data": one field per capability, from what each declares."""
    fields = [(p.privacy_statement.title, p.privacy_statement.sentence()) for p in providers]
    return [("Your data", "Attune stores only what you do with it."), *fields]


async def collect_export(bot: AttuneBot, user_id: int) -> dict[str, Any]:
    data: dict[str, Any] = {
        "user_id": str(user_id),
        "exported_at": bot.clock().isoformat(),
        "attune_version": bot.version,
    }
    for provider in bot.personal_data():
        data[provider.privacy_section] = await provider.export_user_data(user_id)
    return data


class DeleteConfirm(AttuneDynamicItem[discord.ui.Button[Any]], template=r"privacy:delete:(?P<user>\d+)"):
    """The confirm button of ``/privacy delete``; only the member it was shown to can press it."""

    def __init__(self, user_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Yes, delete everything",
                style=discord.ButtonStyle.danger,
                custom_id=f"privacy:delete:{user_id}",
            )
        )
        self.user_id = user_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> DeleteConfirm:
        return cls(int(match["user"]))

    async def handle(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.user_id:
            raise UserError("This button belongs to someone else's request.")
        bot: AttuneBot = interaction.client  # type: ignore[assignment]
        await interaction.response.defer(ephemeral=True, thinking=True)
        removed: dict[str, int] = {}
        for provider in bot.personal_data():
            removed[provider.privacy_section] = await provider.delete_user_data(self.user_id)
        total = sum(removed.values())
        # Posts queued for take-down go now (and at every start until done); then the WAL is
        # checkpointed so the deleted text doesn't linger there (secure_delete zeroes the pages).
        bot.takedowns.kick(checkpoint=True)
        await ledger.prune(bot.db, bot.clock())
        await bot.db.checkpoint()
        log.info("privacy delete user=%s removed=%d", self.user_id, total)
        detail = (
            ", ".join(f"{name}: {count}" for name, count in removed.items() if count) or "nothing was stored"
        )
        await interaction.edit_original_response(content=deleted_text(total, detail), view=None)


def deleted_text(total: int, detail: str) -> str:
    """What a member reads after ``/privacy delete``, in words rather than a count of records."""
    if total == 0:
        return "Done. Attune had nothing stored about you, so there was nothing to delete."
    return f"Done. Everything Attune stored about you is deleted ({plural(total, 'item')}: {detail})."


class DeleteCancel(AttuneDynamicItem[discord.ui.Button[Any]], template=r"privacy:keep:(?P<user>\d+)"):
    """*Cancel* beside the confirm button: nothing is deleted, and the buttons go away."""

    def __init__(self, user_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Cancel", style=discord.ButtonStyle.secondary, custom_id=f"privacy:keep:{user_id}"
            )
        )
        self.user_id = user_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> DeleteCancel:
        return cls(int(match["user"]))

    async def handle(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.user_id:
            raise UserError("This button belongs to someone else's request.")
        await interaction.response.edit_message(
            content="Cancelled — nothing was deleted. Your data stays as it was.", view=None
        )


class PrivacyCog(commands.Cog, name="Privacy"):
    privacy = app_commands.Group(name="privacy", description="Your data in Attune")
    privacy_section = "limits"
    privacy_statement = LIMITS

    def __init__(self, bot: AttuneBot) -> None:
        self.bot = bot

    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        return {"last_public_posts": await self.bot.cooldowns.export(user_id)}

    async def delete_user_data(self, user_id: int) -> int:
        return await self.bot.cooldowns.delete(user_id)

    @privacy.command(name="export", description="Download everything Attune stores about you (JSON)")
    async def export(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await collect_export(self.bot, interaction.user.id)
        payload = json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")
        file = discord.File(io.BytesIO(payload), filename=f"attune-export-{interaction.user.id}.json")
        await interaction.followup.send(
            "Here is everything Attune stores about you.", file=file, ephemeral=True
        )

    @privacy.command(name="delete", description="Delete everything Attune stores about you")
    async def delete(self, interaction: discord.Interaction) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(DeleteConfirm(interaction.user.id))
        view.add_item(DeleteCancel(interaction.user.id))
        await interaction.response.send_message(
            "This deletes **everything** Attune stores about you, in every server: RSVPs, attendance, "
            "practice logs, reflections, check-ins, reminders and shared episodes. It can't be undone. "
            "(Use `/privacy export` first if you want a copy.)",
            view=view,
            ephemeral=True,
        )

    @app_commands.command(name="about", description="What Attune is, what it stores, and your choices")
    async def about(self, interaction: discord.Interaction) -> None:
        embed = discord.Embed(
            title=f"Attune {self.bot.version}",
            description=(
                "A companion for practising together: group sits, the Wheel of Awareness, daily "
                "check-ins and episode sharing. *Awareness grows where attention goes.*"
            ),
            colour=discord.Colour.teal(),
        )
        # The capabilities in the order they were loaded, then this cog's own record.
        providers = [p for p in self.bot.personal_data() if p is not self] + [self]
        for name, value in about_fields(providers):
            embed.add_field(name=name, value=value[:1024], inline=False)
        embed.add_field(
            name="Your choices",
            value="`/privacy export` sends you a JSON file of all of it; `/privacy delete` erases it. "
            + SERVERS_OWN,
            inline=False,
        )
        embed.set_footer(text=self.bot.content.checkin.not_clinical[:2048])
        await interaction.response.send_message(embed=embed, ephemeral=True)
