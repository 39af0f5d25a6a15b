"""A real, unmodified discord.py ``commands.Bot`` against the loopback ``FakeDiscord``."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from fakediscord import FakeDiscord, FakeGuild
from fakediscord.botrunner import pointed_at, running

TOKEN = "test-token.abc.def"


class PingView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.button(label="Ping", custom_id="ping", style=discord.ButtonStyle.primary)
    async def ping(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content="pong", view=None)


class AnswerModal(discord.ui.Modal, title="A question"):
    answer: discord.ui.TextInput = discord.ui.TextInput(label="Answer", custom_id="answer")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"got {self.answer.value}", ephemeral=True)


class EchoBot(commands.Bot):
    """A plain bot. ``guild_ready_timeout`` is lowered (discord.py waits 2 s after the last
    GUILD_CREATE before on_ready) and re-IDENTIFY does not sleep 5 s."""

    def __init__(self, *, intents: discord.Intents | None = None) -> None:
        super().__init__(
            command_prefix="!",
            intents=intents or discord.Intents.default(),
            guild_ready_timeout=0.05,
        )
        self.ready_count = 0
        self.seen_messages: list[discord.Message] = []

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None

    async def on_ready(self) -> None:
        self.ready_count += 1

    async def on_message(self, message: discord.Message) -> None:
        self.seen_messages.append(message)

    async def setup_hook(self) -> None:
        tree = self.tree

        @tree.command(description="About this bot")
        async def about(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("Attune test bot", view=PingView())

        @tree.command(description="Defers, then follows up twice")
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send("done")
            await interaction.followup.send("and one more", ephemeral=True)

        @tree.command(description="Asks a question in a modal")
        async def ask(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(AnswerModal())

        @tree.command(description="Waits before answering")
        async def late(interaction: discord.Interaction, seconds: float) -> None:
            await asyncio.sleep(seconds)
            try:
                await interaction.response.send_message("too late?")
            except discord.NotFound:
                self.late_failed = True

        @tree.command(description="Edits its own messages")
        async def steps(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("step 1")
            await interaction.edit_original_response(content="step 2")
            original = await interaction.original_response()
            note = await interaction.followup.send(f"was {original.content}", wait=True)
            await note.edit(content="note edited")
            extra = await interaction.followup.send("to delete", wait=True)
            await extra.delete()

        settings = app_commands.Group(name="settings", description="Settings")

        @settings.command(name="show", description="Show a setting")
        @app_commands.describe(key="Which setting")
        async def settings_show(interaction: discord.Interaction, key: str, verbose: bool = False):
            await interaction.response.send_message(f"{key}={verbose}", ephemeral=True)

        tree.add_command(settings)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token=TOKEN) as fake:
        yield fake


@pytest.fixture
def guild(fake: FakeDiscord) -> FakeGuild:
    return fake.add_guild(
        "Sangha",
        channels=["general", "sits", {"name": "Meditation Hall", "type": "voice"}],
    )


@pytest.fixture
def member(fake: FakeDiscord, guild: FakeGuild) -> int:
    return fake.add_member(guild.id, "alice")


@pytest.fixture
async def bot(fake: FakeDiscord, guild: FakeGuild, member: int) -> AsyncIterator[EchoBot]:
    async with running(EchoBot(), fake) as bot:
        yield bot


async def test_login_ready_and_guild_cache(fake: FakeDiscord, guild: FakeGuild, bot: EchoBot):
    assert bot.user is not None and bot.user.id == fake.bot_user_id
    assert bot.application_id == fake.application_id
    cached = bot.get_guild(guild.id)
    assert cached is not None and cached.name == "Sangha"
    assert {c.name for c in cached.text_channels} == {"general", "sits"}
    assert [c.name for c in cached.voice_channels] == ["Meditation Hall"]
    assert cached.me is not None and cached.default_role.id == guild.id
    assert fake.identify_count == 1 and fake.resume_count == 0
    assert [r.path for r in fake.requests[:2]] == ["/users/@me", "/oauth2/applications/@me"]
    conn = fake.gateway.connections[0]
    assert conn.compress == "zlib-stream" and conn.path == "/gateway"
    assert fake.api_base_url.endswith("/api/v10") and fake.gateway_url.startswith("ws://127.0.0.1:")


async def test_heartbeats_are_acknowledged(guild: FakeGuild):
    async with FakeDiscord(token=TOKEN, heartbeat_interval=0.05) as fake:
        fake.add_guild("Other")
        async with running(EchoBot(), fake) as bot:
            conn = fake.gateway.connections[0]
            await fake.wait_for(lambda: conn.heartbeats >= 3, timeout=3)
            await fake.wait_for(lambda: bot.latency != float("inf"), timeout=3)


async def test_wrong_token_raises_login_failure(fake: FakeDiscord, guild: FakeGuild):
    with pytest.raises(discord.LoginFailure):
        async with running(EchoBot(), fake, token="not-the-token"):
            pass
    assert fake.requests[0].status == 401
    assert fake.identify_count == 0


async def test_tree_sync_stores_commands(fake: FakeDiscord, guild: FakeGuild, bot: EchoBot):
    synced = await bot.tree.sync()
    assert sorted(c.name for c in synced) == ["about", "ask", "late", "settings", "slow", "steps"]
    stored = {c["name"]: c for c in fake.global_commands}
    assert stored["settings"]["options"][0]["name"] == "show"
    assert {c.id for c in synced} == {int(c["id"]) for c in fake.global_commands}
    # ids survive a re-sync, like Discord's upsert
    again = await bot.tree.sync()
    assert {c.id for c in again} == {c.id for c in synced}

    bot.tree.copy_global_to(guild=discord.Object(guild.id))
    await bot.tree.sync(guild=discord.Object(guild.id))
    assert len(fake.guild_commands(guild.id)) == 6
    assert [s[0] for s in fake.command_syncs] == [None, None, guild.id]
    fetched = await bot.tree.fetch_commands(guild=discord.Object(guild.id))
    assert {c.name for c in fetched} == {c["name"] for c in fake.guild_commands(guild.id)}


async def test_slash_command_response_and_button(
    fake: FakeDiscord, guild: FakeGuild, member: int, bot: EchoBot
):
    await bot.tree.sync()
    general = guild.channels["general"]
    handle = await fake.invoke_slash(guild.id, general, member, "about")
    response = await handle.wait_response(timeout=5)
    assert response.type == 4 and response.content == "Attune test bot"
    assert response.accepted and not response.ephemeral
    assert handle.dispatched_at is not None and handle.responded_at is not None
    assert handle.responded_at >= handle.dispatched_at and handle.latency >= 0  # answered after asked
    message = fake.messages(general)[-1]
    assert message["id"] == str(handle.original_message_id)
    assert message["interaction_metadata"]["user"]["id"] == str(member)
    await fake.wait_for_dispatch("MESSAGE_CREATE", lambda d: d["id"] == message["id"])

    click = await fake.click_button(int(message["id"]), "ping", member)
    clicked = await click.wait_response()
    assert clicked.type_name == "UPDATE_MESSAGE"
    assert fake.message(int(message["id"]))["content"] == "pong"
    assert fake.message(int(message["id"]))["components"] == []
    # a second response to the same interaction is refused, as on Discord
    assert click.rejected_callbacks == []


async def test_subcommand_options(fake: FakeDiscord, guild: FakeGuild, member: int, bot: EchoBot):
    await bot.tree.sync()
    handle = await fake.invoke_slash(
        guild.id, guild.channels["sits"], member, "settings show", {"key": "tz", "verbose": True}
    )
    response = await handle.wait_response()
    assert response.content == "tz=True" and response.ephemeral
    with pytest.raises(ValueError, match="missing required"):
        await fake.invoke_slash(guild.id, guild.channels["sits"], member, "settings show", {})


async def test_defer_and_followups(fake: FakeDiscord, guild: FakeGuild, member: int, bot: EchoBot):
    await bot.tree.sync()
    handle = await fake.invoke_slash(guild.id, guild.channels["general"], member, "slow")
    first = await handle.wait_response()
    assert first.type_name == "DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE"
    followups = await handle.wait_followups(2)
    # Discord: the first followup after a defer replaces the "thinking" message
    assert followups[0]["id"] == str(handle.original_message_id)
    assert followups[0]["content"] == "done"
    assert followups[1]["content"] == "and one more" and followups[1]["flags"] & 64
    original = await handle.wait_original()
    assert original["content"] == "done"
    visible = fake.messages(guild.channels["general"], include_ephemeral=False)
    assert [m["content"] for m in visible] == ["done"]


async def test_modal_round_trip(fake: FakeDiscord, guild: FakeGuild, member: int, bot: EchoBot):
    await bot.tree.sync()
    handle = await fake.invoke_slash(guild.id, guild.channels["general"], member, "ask")
    shown = await handle.wait_response()
    assert shown.type_name == "MODAL" and shown.data["title"] == "A question"
    submitted = await fake.submit_modal(shown.data["custom_id"], {"answer": "breathe"})
    reply = await submitted.wait_response()
    assert reply.content == "got breathe" and reply.ephemeral


async def test_late_interaction_response_is_rejected(guild: FakeGuild):
    async with FakeDiscord(token=TOKEN, interaction_response_window=0.1) as fake:
        g = fake.add_guild("Late")
        user = fake.add_member(g.id, "bob")
        async with running(EchoBot(), fake) as bot:
            await bot.tree.sync()
            handle = await fake.invoke_slash(g.id, g.channels["general"], user, "late", {"seconds": 0.3})
            callback = await handle.wait_response()
            assert not callback.accepted and callback.status == 404
            assert callback.error == {"message": "Unknown interaction", "code": 10062}
            await fake.wait_for(lambda: getattr(bot, "late_failed", False))


async def test_nonce_enforced_message_is_created_once(fake: FakeDiscord, guild: FakeGuild, bot: EchoBot):
    channel = bot.get_channel(guild.channels["sits"])
    assert isinstance(channel, discord.TextChannel)
    first = await channel.send("sit starts in 5 minutes", nonce="sit-42")
    second = await channel.send("sit starts in 5 minutes", nonce="sit-42")
    assert first.id == second.id
    assert [m["content"] for m in fake.messages(channel.id)] == ["sit starts in 5 minutes"]
    assert fake.nonce_dedupes == 1
    posts = fake.requests_to("POST", f"/channels/{channel.id}/messages")
    assert [p.json["enforce_nonce"] for p in posts] == [True, True]


async def test_lost_response_then_retry_with_same_nonce(fake: FakeDiscord, guild: FakeGuild, bot: EchoBot):
    channel = bot.get_channel(guild.channels["general"])
    assert isinstance(channel, discord.TextChannel)
    fault = fake.lose_response_once("POST", "/channels/*/messages")
    with pytest.raises(aiohttp.ClientError):
        await channel.send("daily check-in", nonce="checkin-2024-06-01")
    assert fault.hits == 1
    assert len(fake.messages(channel.id)) == 1  # Discord did create it
    retried = await channel.send("daily check-in", nonce="checkin-2024-06-01")
    assert [m["id"] for m in fake.messages(channel.id)] == [str(retried.id)]


async def test_injected_faults(fake: FakeDiscord, guild: FakeGuild, bot: EchoBot):
    channel = bot.get_channel(guild.channels["general"])
    assert isinstance(channel, discord.TextChannel)
    fault = fake.inject("POST", "/channels/*/messages", status=429, retry_after=0.05)
    sent = await channel.send("retried after 429")
    assert fault.hits == 1 and sent.content == "retried after 429"
    statuses = [r.status for r in fake.requests_to("POST", "/channels/*/messages")]
    assert statuses == [429, 200]

    fake.inject("POST", "/channels/*/messages", status=503)
    with pytest.raises(discord.DiscordServerError):
        await channel.send("discord.py does not retry a 503")


async def test_rate_limited_mode_retries_and_succeeds(guild: FakeGuild):
    async with FakeDiscord(token=TOKEN, rate_limits=True, global_rate_limit=4) as fake:
        g = fake.add_guild("Busy", channels=["a", "b", "c"])
        async with running(EchoBot(), fake) as bot:
            channels = [bot.get_channel(g.channels[n]) for n in "abc"]
            sent = await asyncio.gather(
                *(ch.send(f"{ch.name}-{i}") for ch in channels for i in range(2))  # type: ignore[union-attr]
            )
        assert len(sent) == 6
        for name in "abc":
            assert len(fake.messages(g.channels[name])) == 2
        # login used part of the 4 requests/s global budget, so some sends got a global 429
        # (with Via + retry_after, as discord.py requires) and were retried after the window
        assert fake.rate_limited_count >= 1
        limited = [r for r in fake.requests if r.status == 429]
        assert limited and all(r.response["global"] for r in limited)
        assert len(fake.requests_to("POST", "/channels/*/messages")) == 6 + len(limited)


async def test_per_channel_bucket_headers(guild: FakeGuild):
    async with FakeDiscord(
        token=TOKEN,
        rate_limits=True,
        route_limits={"POST /channels/{channel_id}/messages": (2, 0.3)},
    ) as fake:
        g = fake.add_guild("Quiet")
        async with running(EchoBot(), fake) as bot:
            channel = bot.get_channel(g.channels["general"])
            for i in range(5):
                await channel.send(f"msg {i}")  # type: ignore[union-attr]
        posts = fake.requests_to("POST", "/channels/*/messages")
        # discord.py reads X-RateLimit-* and waits pre-emptively instead of hitting 429s
        assert [p.status for p in posts] == [200] * 5
        assert len(fake.messages(g.channels["general"])) == 5


async def test_close_socket_leads_to_resume_and_replay(
    fake: FakeDiscord, guild: FakeGuild, member: int, bot: EchoBot
):
    await fake.close_socket(code=4000)
    # sent while the bot is disconnected: must be replayed on RESUME
    posted = fake.send_user_message(guild.channels["general"], member, "hello while away")
    await fake.wait_for(lambda: fake.resume_count == 1)
    await fake.wait_for(lambda: any(m.id == int(posted["id"]) for m in bot.seen_messages))
    assert fake.identify_count == 1
    assert fake.gateway.connections[-1].path == "/resume-gateway"

    await fake.close_socket(abrupt=True)
    await fake.wait_for(lambda: fake.resume_count == 2)
    assert fake.identify_count == 1


async def test_reconnect_opcode_leads_to_resume(fake: FakeDiscord, guild: FakeGuild, bot: EchoBot):
    assert await fake.send_reconnect() == 1
    await fake.wait_for(lambda: fake.resume_count == 1)
    await fake.wait_for_dispatch("RESUMED")
    assert fake.identify_count == 1


async def test_invalid_session(fake: FakeDiscord, guild: FakeGuild, bot: EchoBot):
    await fake.send_invalid_session(resumable=True)
    await fake.wait_for(lambda: fake.resume_count == 1)
    assert fake.identify_count == 1

    await fake.send_invalid_session(resumable=False)
    await fake.wait_for(lambda: fake.identify_count == 2)
    await fake.wait_for(lambda: bot.ready_count == 2)
    assert bot.get_guild(guild.id) is not None
    assert fake.resume_count == 1


async def test_threads_events_and_dms(fake: FakeDiscord, guild: FakeGuild, member: int, bot: EchoBot):
    channel = bot.get_channel(guild.channels["sits"])
    assert isinstance(channel, discord.TextChannel)
    message = await channel.send("Tonight's sit")
    thread = await message.create_thread(name="Sit notes")
    assert thread.id == message.id
    standalone = await channel.create_thread(name="Open", type=discord.ChannelType.public_thread)
    assert {t["name"] for t in fake.threads} == {"Sit notes", "Open"}
    await fake.wait_for(lambda: bot.get_guild(guild.id).get_thread(standalone.id) is not None)
    await thread.send("first note")
    assert fake.channel(thread.id)["message_count"] == 1

    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    event = await bot.get_guild(guild.id).create_scheduled_event(
        name="Evening sit",
        start_time=start,
        end_time=start + dt.timedelta(hours=1),
        entity_type=discord.EntityType.external,
        location="Online",
        privacy_level=discord.PrivacyLevel.guild_only,
    )
    assert [e["name"] for e in fake.events] == ["Evening sit"]
    await fake.wait_for_dispatch("GUILD_SCHEDULED_EVENT_CREATE")
    await event.edit(name="Evening sit (moved)")
    await fake.wait_for_dispatch("GUILD_SCHEDULED_EVENT_UPDATE")
    assert fake.events[0]["name"] == "Evening sit (moved)"
    with pytest.raises(discord.HTTPException) as excinfo:
        await event.edit(start_time=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    assert excinfo.value.code == 50035
    await event.delete()
    assert fake.events == []

    user = await bot.fetch_user(member)
    dm = await user.send("welcome")
    assert fake.messages(dm.channel.id)[0]["content"] == "welcome"
    fake.set_dms_closed(member)
    with pytest.raises(discord.Forbidden):
        await user.send("again")


async def test_message_and_interaction_edits(fake: FakeDiscord, guild: FakeGuild, member: int, bot: EchoBot):
    channel = bot.get_channel(guild.channels["general"])
    assert isinstance(channel, discord.TextChannel)
    message = await channel.send("draft")
    edited = await message.edit(content="final")
    assert edited.edited_at is not None
    assert (await channel.fetch_message(message.id)).content == "final"
    assert (await bot.fetch_channel(channel.id)).name == "general"
    await message.delete()
    await fake.wait_for_dispatch("MESSAGE_DELETE", lambda d: d["id"] == str(message.id))
    assert fake.messages(channel.id) == []
    with pytest.raises(discord.NotFound):
        await channel.fetch_message(message.id)

    await bot.tree.sync()
    handle = await fake.invoke_slash(guild.id, channel.id, member, "steps")
    await fake.wait_for_request("DELETE", f"/webhooks/{fake.application_id}/*/messages/*")
    assert handle.original_message is not None
    assert handle.original_message["content"] == "step 2"
    assert [m["content"] for m in handle.followups] == ["note edited"]
    assert [m["content"] for m in fake.messages(channel.id)] == ["step 2", "note edited"]


async def test_unknown_routes_are_recorded(fake: FakeDiscord, guild: FakeGuild, bot: EchoBot):
    with pytest.raises(discord.NotFound):
        await bot.http.get_bans(guild.id, limit=10)
    assert fake.unknown_routes == [("GET", f"/guilds/{guild.id}/bans")]


async def test_pointed_at_restores_discord_urls(fake: FakeDiscord):
    before = discord.http.Route.BASE
    with pointed_at(fake):
        assert fake.api_base_url == discord.http.Route.BASE
    assert before == discord.http.Route.BASE
