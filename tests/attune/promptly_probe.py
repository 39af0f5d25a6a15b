"""A test extension that answers through :class:`attune.promptly.Promptly`, quickly or slowly."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from attune.bot import AttuneBot
from attune.errors import UserError
from attune.promptly import Promptly
from attune.ui import AttuneDynamicItem

PATIENCE = 0.05


class Tally(
    AttuneDynamicItem[discord.ui.Button[Any]], template=r"probe:tally:(?P<count>\d+):(?P<delay>[\d.]+)"
):
    """Counts its clicks on its own message, after ``delay`` seconds of pretend work."""

    def __init__(self, count: int, delay: float) -> None:
        super().__init__(
            discord.ui.Button(label=f"Clicked {count}", custom_id=f"probe:tally:{count}:{delay}")
        )
        self.count = count
        self.delay = delay

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> Tally:
        return cls(int(match["count"]), float(match["delay"]))

    async def handle(self, interaction: discord.Interaction) -> None:
        async with Promptly(interaction, ephemeral=False, patience=PATIENCE) as reply:
            await asyncio.sleep(self.delay)
            view = discord.ui.View(timeout=None).add_item(Tally(self.count + 1, self.delay))
            await reply.edit(content=f"{self.count + 1} clicks", view=view)
        await interaction.followup.send("Counted.", ephemeral=True)


class Probe(commands.Cog):
    @app_commands.command(name="promptly", description="answers after a delay")
    async def promptly(self, interaction: discord.Interaction, delay: float, fail: bool = False) -> None:
        async with Promptly(interaction, thinking=True, patience=PATIENCE) as reply:
            await asyncio.sleep(delay)
            if fail:
                raise UserError("That took long and still went wrong.")
            await reply.send(content="Done.")

    @app_commands.command(name="tally", description="a counting button")
    async def tally(self, interaction: discord.Interaction, delay: float) -> None:
        view = discord.ui.View(timeout=None).add_item(Tally(0, delay))
        await interaction.response.send_message("0 clicks", view=view)


async def setup(bot: AttuneBot) -> None:
    await bot.add_cog(Probe())
    bot.add_dynamic_items(Tally)
