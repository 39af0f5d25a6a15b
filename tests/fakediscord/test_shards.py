"""The fake Discord sharded as Discord shards: IDENTIFY's ``shard`` is honoured, each guild (its
GUILD_CREATE, interactions and events) reaches only the session of its shard, DMs go to shard 0,
``/gateway/bot`` recommends a count, and one global rate limit holds across every connection."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
import discord
from discord.ext import commands

from fakediscord import FakeDiscord
from fakediscord.botrunner import running

TOKEN = "test-token.abc.def"


class ShardBot(commands.AutoShardedBot):
    """A plain AutoShardedBot running some of the shards; remembers who invoked ``/whoami``."""

    def __init__(self, shard_ids: list[int] | None, shard_count: int | None) -> None:
        super().__init__(
            command_prefix="!",
            intents=discord.Intents.default(),
            guild_ready_timeout=0.05,
            shard_ids=shard_ids,
            shard_count=shard_count,
        )
        self.invoked: list[int | None] = []

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None

    async def setup_hook(self) -> None:
        @self.tree.command(description="Which process answers")
        async def whoami(interaction: discord.Interaction) -> None:
            self.invoked.append(interaction.guild_id)
            await interaction.response.send_message(f"shards {self.shard_ids}")


@contextlib.asynccontextmanager
async def two_clusters(fake: FakeDiscord) -> AsyncIterator[tuple[ShardBot, ShardBot]]:
    async with (
        running(ShardBot([0], 2), fake, token=TOKEN) as low,
        running(ShardBot([1], 2), fake, token=TOKEN) as high,
    ):
        yield low, high


async def test_each_process_gets_only_the_guilds_and_interactions_of_its_shard() -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        guilds = [fake.add_guild(f"G{i}", shard=(i % 2, 2)) for i in range(6)]
        member = fake.add_member(guilds[0].id, "alice")
        for guild in guilds[1:]:
            fake.add_member(guild.id, "alice", user_id=member)
        async with two_clusters(fake) as (low, high):
            assert {g.id for g in low.guilds} == {g.id for g in guilds[0::2]}
            assert {g.id for g in high.guilds} == {g.id for g in guilds[1::2]}
            await low.tree.sync()
            for guild in guilds:
                handle = await fake.invoke_slash(guild.id, guild.channels["general"], member, "whoami")
                await handle.wait_response(timeout=5)
            assert low.invoked == [g.id for g in guilds[0::2]]
            assert high.invoked == [g.id for g in guilds[1::2]]
            # A guild that joins later arrives on its own shard only.
            late = fake.add_guild("Late", shard=(1, 2))
            await fake.wait_for(lambda: high.get_guild(late.id) is not None, timeout=5)
            assert low.get_guild(late.id) is None
            # DMs belong to shard 0.
            handle = await fake.invoke_slash(None, None, member, "whoami")
            await handle.wait_response(timeout=5)
            assert low.invoked[-1] is None and None not in high.invoked


async def test_gateway_bot_recommends_a_shard_count() -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        for i in range(3):
            fake.add_guild(f"G{i}")
        async with aiohttp.ClientSession(headers={"Authorization": f"Bot {TOKEN}"}) as http:
            async with http.get(f"{fake.api_base_url}/gateway/bot") as response:
                assert (await response.json())["shards"] == 1  # one per 1,000 guilds
            fake.recommended_shards = 3
            async with http.get(f"{fake.api_base_url}/gateway/bot") as response:
                body = await response.json()
        assert body["shards"] == 3 and body["url"] == fake.gateway_url
        # An AutoShardedBot told no count runs every recommended shard in one process.
        async with running(ShardBot(None, None), fake, token=TOKEN) as bot:
            assert bot.shard_count == 3 and sorted(bot.shards) == [0, 1, 2]
            assert len(bot.guilds) == 3


async def test_one_global_rate_limit_across_every_connected_process() -> None:
    async with FakeDiscord(token=TOKEN, rate_limits=True, global_rate_limit=50) as fake:
        guild = fake.add_guild("G", channels=[f"c{i}" for i in range(30)])
        headers = {"Authorization": f"Bot {TOKEN}"}  # two clients, as two processes would be
        async with (
            aiohttp.ClientSession(headers=headers) as one,
            aiohttp.ClientSession(headers=headers) as two,
        ):

            async def post(http: aiohttp.ClientSession, channel: int) -> int:
                url = f"{fake.api_base_url}/channels/{channel}/messages"
                async with http.post(url, json={"content": "hi"}) as response:
                    return response.status

            channels = list(guild.channels.values())
            statuses = await asyncio.gather(
                *[post(one, c) for c in channels[:15] for _ in range(2)],
                *[post(two, c) for c in channels[15:] for _ in range(2)],
            )
        # 30 each, under 50 for either alone: only one bucket shared by both says 429, and counts it.
        assert statuses.count(429) > 0 and statuses.count(200) + statuses.count(429) == 60
        assert fake.rate_limited_count == statuses.count(429)
