"""A test extension whose command and button fail in the two ways the error path handles."""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from attune.bot import AttuneBot
from attune.errors import UserError
from attune.ui import AttuneDynamicItem


class Broken(AttuneDynamicItem[discord.ui.Button[Any]], template=r"probe:broken:(?P<kind>\w+)"):
    def __init__(self, kind: str) -> None:
        super().__init__(discord.ui.Button(label=f"Break {kind}", custom_id=f"probe:broken:{kind}"))
        self.kind = kind

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> Broken:
        return cls(match["kind"])

    async def handle(self, interaction: discord.Interaction) -> None:
        if self.kind == "user":
            raise UserError("That button needs a calmer click.")
        raise RuntimeError("the button broke")


class Probe(commands.Cog):
    @app_commands.command(name="explode", description="fails")
    async def explode(self, interaction: discord.Interaction, user_error: bool = False) -> None:
        if user_error:
            raise UserError("Say it differently, please.")
        raise RuntimeError("kaboom")

    @app_commands.command(name="buttons", description="buttons that fail")
    async def buttons(self, interaction: discord.Interaction) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(Broken("user")).add_item(Broken("crash"))
        await interaction.response.send_message("try these", view=view)


async def setup(bot: AttuneBot) -> None:
    await bot.add_cog(Probe())
    bot.add_dynamic_items(Broken)
