"""The floor for process benchmarks: a bare discord.py bot with Attune's intents that answers
every interaction with a constant message and does nothing else.

    DISCORD_TOKEN=… DISCORD_API_BASE_URL=… DISCORD_GATEWAY_URL=… python bench/barebot.py
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

import discord
import yarl
from _common import ROOT  # noqa: F401  (puts the project on sys.path)

from attune.bot import intents

log = logging.getLogger("barebot")


class BareBot(discord.Client):
    async def on_ready(self) -> None:
        log.info("ready as %s in %d guilds", self.user, len(self.guilds))

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)


async def main() -> None:
    discord.http.Route.BASE = os.environ["DISCORD_API_BASE_URL"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])
    bot = BareBot(intents=intents(), allowed_mentions=discord.AllowedMentions.none())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    runner = asyncio.create_task(bot.start(os.environ["DISCORD_TOKEN"]))
    await asyncio.wait({runner, asyncio.create_task(stop.wait())}, return_when=asyncio.FIRST_COMPLETED)
    await bot.close()
    log.info("stopped")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s")
    asyncio.run(main())
