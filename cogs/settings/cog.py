"""``/settings …``: a guild's time zone, channels, facilitator role and support text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from attune.autocomplete import zone_autocomplete
from attune.cooldowns import ACTIONS, MAX_MINUTES, MAX_USES, Limit
from attune.errors import UserError
from attune.guilds import GuildConfig
from attune.permissions import (
    POST,
    POST_WITH_THREAD,
    facilitator_only,
    guild_id_of,
    require_bot_permissions,
    require_facilitator,
)
from attune.ui import AttuneModal, report_error
from attune.when import get_zone

if TYPE_CHECKING:
    from attune.bot import AttuneBot

SUPPORT_TEXT_MAX = 1800

#: What each purpose's channel must allow the bot to do, and what it is for.
PURPOSE_NEEDS: dict[str, tuple[tuple[str, ...], str]] = {
    "sits": (POST, "sit announcements, reminders and bells"),
    "checkins": (POST_WITH_THREAD, "the daily check-in thread"),
    "wheel": (POST_WITH_THREAD, "scheduled Wheel of Awareness prompts"),
    "episodes": (POST_WITH_THREAD, "shared episodes, new feed episodes and weekly digests"),
    "facilitators": (POST, "notices for facilitators (support requests, missing permissions)"),
}


PURPOSE_CHOICES = [
    app_commands.Choice(name="Group sits", value="sits"),
    app_commands.Choice(name="Daily check-ins", value="checkins"),
    app_commands.Choice(name="Wheel of Awareness prompts", value="wheel"),
    app_commands.Choice(name="Episodes and insights", value="episodes"),
    app_commands.Choice(name="Facilitators' notices", value="facilitators"),
]


def describe_config(config: GuildConfig, default_support: str) -> discord.Embed:
    embed = discord.Embed(title="Attune settings", colour=discord.Colour.teal())
    embed.add_field(name="Time zone", value=config.timezone, inline=False)
    lines = []
    for purpose, (_, what) in PURPOSE_NEEDS.items():
        channel_id = config.channel_for(purpose)
        where = f"<#{channel_id}>" if channel_id else "not set"
        lines.append(f"**{purpose}** — {where} ({what})")
    embed.add_field(name="Channels", value="\n".join(lines), inline=False)
    role = f"<@&{config.facilitator_role_id}>" if config.facilitator_role_id else "not set"
    embed.add_field(
        name="Facilitators", value=f"Members with **Manage Server**, and role: {role}", inline=False
    )
    support = config.support_text or default_support
    label = "custom" if config.support_text else "default"
    embed.add_field(
        name=f"Support text ({label})",
        value=discord.utils.escape_mentions(support)[:900]
        + "\n-# Followed by the safety lines (not professional care, emergency number, helplines).",
        inline=False,
    )
    return embed


class SettingsCog(commands.Cog, name="Settings"):
    settings = app_commands.Group(
        name="settings", description="Configure Attune for this server", guild_only=True
    )

    def __init__(self, bot: AttuneBot) -> None:
        self.bot = bot
        self.store = bot.guild_settings

    @settings.command(name="show", description="Show this server's Attune configuration")
    @facilitator_only()
    async def show(self, interaction: discord.Interaction) -> None:
        guild_id = guild_id_of(interaction)
        config = await self.store.get(guild_id)
        embed = describe_config(config, self.bot.content.support.default_text)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @settings.command(name="timezone", description="Set the server's time zone (default UTC)")
    @app_commands.describe(timezone="An IANA name such as Europe/Berlin or America/New_York")
    @app_commands.autocomplete(timezone=zone_autocomplete)
    @facilitator_only()
    async def timezone(self, interaction: discord.Interaction, timezone: str) -> None:
        guild_id = guild_id_of(interaction)
        zone = get_zone(timezone)
        await self.store.set_timezone(guild_id, zone.key)
        there = self.bot.clock().astimezone(zone)
        await interaction.response.send_message(
            f"Time zone set to **{zone.key}**, where it is **{there:%H:%M}** now. Times people type are "
            f"read in {zone.key} from now on. Existing schedules keep the zone they were made in.",
            ephemeral=True,
        )

    @settings.command(name="channel", description="Choose where a capability posts")
    @app_commands.describe(purpose="What the channel is for", channel="The text channel to post in")
    @app_commands.choices(purpose=PURPOSE_CHOICES)
    @facilitator_only()
    async def channel(
        self, interaction: discord.Interaction, purpose: str, channel: discord.TextChannel
    ) -> None:
        guild_id = guild_id_of(interaction)
        needs, what = PURPOSE_NEEDS[purpose]
        require_bot_permissions(channel, needs)
        await self.store.set_channel(guild_id, purpose, channel.id)
        await interaction.response.send_message(
            f"**{purpose}** will post in {channel.mention}: {what}.", ephemeral=True
        )

    @settings.command(name="facilitator-role", description="Choose the role that counts as facilitator")
    @app_commands.describe(role="Members with this role can schedule sits, set up check-ins and more")
    @facilitator_only()
    async def facilitator_role(self, interaction: discord.Interaction, role: discord.Role) -> None:
        guild_id = guild_id_of(interaction)
        if role.is_default():
            raise UserError("@everyone can't be the facilitator role; choose a role that some members have.")
        await self.store.set_facilitator_role(guild_id, role.id)
        await interaction.response.send_message(
            f"Members with {role.mention} are now facilitators (as are members with Manage Server).",
            ephemeral=True,
        )

    @settings.command(name="cooldowns", description="How often one member may make me post publicly")
    @app_commands.describe(
        action="Which kind of post (leave out to see every limit)",
        uses="How many a member may make in the time below (0 = no limit)",
        minutes="In how many minutes (1–1440)",
    )
    @app_commands.choices(
        action=[app_commands.Choice(name=a.what.capitalize(), value=a.key) for a in ACTIONS.values()]
    )
    @facilitator_only()
    async def cooldowns(
        self,
        interaction: discord.Interaction,
        action: app_commands.Choice[str] | None = None,
        uses: app_commands.Range[int, 0, MAX_USES] | None = None,
        minutes: app_commands.Range[int, 1, MAX_MINUTES] | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        if action is None and (uses is not None or minutes is not None):
            raise UserError("Choose which kind of post the limit is for (`action`). Nothing was changed.")
        if action is not None:
            if uses is None:
                raise UserError(
                    f"Say how many a member may make, e.g. `action: {action.name}` `uses: 3` `minutes: 60`. "
                    "Nothing was changed."
                )
            current = await self.bot.cooldowns.limit(guild_id, action.value)
            await self.bot.cooldowns.set_limit(
                guild_id, action.value, Limit(uses, minutes if minutes is not None else current.minutes)
            )
        limits = await self.bot.cooldowns.limits(guild_id)
        lines = [f"• {ACTIONS[key].what.capitalize()}: {limit.describe()}" for key, limit in limits.items()]
        await interaction.response.send_message(
            ("Saved. " if action is not None else "")
            + "How often one member may make me post publicly here:\n"
            + "\n".join(lines)
            + "\nFacilitators aren't limited.",
            ephemeral=True,
        )

    @settings.command(name="support", description="Edit the support resources shown to members who ask")
    @app_commands.describe(
        text="Optional, for scripts: the new text (type default to restore ours). Leave empty for a form"
    )
    @facilitator_only()
    async def support(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, SUPPORT_TEXT_MAX] | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        if text is None:
            config = await self.store.get(guild_id)
            current = config.support_text or self.bot.content.support.default_text
            await interaction.response.send_modal(SupportModal(current))
            return
        cleaned = text.strip().replace("\\n", "\n")
        await self.save_support(interaction, None if cleaned.lower() == "default" else cleaned)

    async def save_support(self, interaction: discord.Interaction, text: str | None) -> None:
        """Save the guild's own support text (``None``: ours) and show what members will now see."""
        guild_id = guild_id_of(interaction)
        await self.store.set_support_text(guild_id, text)
        if text is None:
            intro = "Support text reset to Attune's default. Members who ask for support will see:"
        else:
            intro = "Support text saved. Members who ask for support will see:"
        shown = self.bot.content.support.text_for(text)
        embed = discord.Embed(description=discord.utils.escape_mentions(shown)[:4096], colour=SUPPORT_COLOUR)
        embed.set_footer(text=SAFETY_NOTE)
        await interaction.response.send_message(intro, embed=embed, ephemeral=True)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Saves the support form from its custom_id, also when it was opened before a restart."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: Any = interaction.data or {}
        if data.get("custom_id") != SUPPORT_MODAL:
            return
        try:
            config = await self.store.get(guild_id_of(interaction))
            require_facilitator(interaction.user, config)
            typed = str(_text_value(data, SUPPORT_FIELD) or "").strip()
            default = self.bot.content.support.default_text.strip()
            await self.save_support(interaction, None if not typed or typed == default else typed)
        except Exception as error:
            await report_error(interaction, error)


SUPPORT_COLOUR = discord.Colour.from_str("#8e6cc1")
SUPPORT_MODAL = "settings:support"
SUPPORT_FIELD = "support_text"
SAFETY_NOTE = (
    "The last lines (not professional care, emergency number, helpline directory) are always added, "
    "so members in crisis can find help whatever the text says."
)


class SupportModal(AttuneModal):
    """A paragraph form prefilled with the current support text; saved by the cog's listener."""

    def __init__(self, current: str) -> None:
        super().__init__(title="Support resources", custom_id=SUPPORT_MODAL, timeout=1800)
        self.add_item(
            discord.ui.Label(
                text="What members see when they ask for support",
                description="Local numbers, people to contact, what facilitators can offer. "
                "Empty restores the default.",
                component=discord.ui.TextInput(
                    custom_id=SUPPORT_FIELD,
                    style=discord.TextStyle.paragraph,
                    required=False,
                    max_length=SUPPORT_TEXT_MAX,
                    default=current[:SUPPORT_TEXT_MAX],
                ),
            )
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Nothing: the cog's listener answers every ``settings:support`` submission."""


def _text_value(data: Any, custom_id: str) -> str | None:
    """The value of one text input in a raw modal submission (rows or labels)."""
    for node in data.get("components") or []:
        for child in [*(node.get("components") or []), *([node["component"]] if "component" in node else [])]:
            if child.get("custom_id") == custom_id:
                value = child.get("value")
                return value if isinstance(value, str) else None
    return None
