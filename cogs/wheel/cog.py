"""``/wheel practice | prompt | schedule | unschedule | journal`` and the reflection modals.

Thin: read the interaction, call the runner / :class:`WheelService`, render. Reflection modals are
handled here from their ``custom_id`` (``wheel:rm:practice:<length>`` or
``wheel:rm:<message>:<segment>:<index>``), so they work across restarts.
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from attune.autocomplete import guild_time as time_autocomplete
from attune.content import PROMPT_ROTATION, WheelContent
from attune.cooldowns import take_for
from attune.errors import UserError
from attune.permissions import (
    POST_WITH_THREAD,
    facilitator_only,
    guild_id_of,
    require_bot_permissions,
)
from attune.privacy import PrivacyStatement
from attune.ui import report_error
from attune.when import describe_days, parse_clock, parse_days
from cogs.wheel import render
from cogs.wheel.models import REFLECTION_MAX, JournalPage, check_reflection
from cogs.wheel.runner import PracticeRunner
from cogs.wheel.service import NotShared, WheelService
from cogs.wheel.views import (
    MODAL_PREFIX,
    REFLECTION_FIELD,
    VISIBILITY_FIELD,
    journal_view,
    modal_values,
    prompt_view,
)

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)

PRACTICE_MODAL = re.compile(rf"^{MODAL_PREFIX}practice:(?P<length>short|full)$")
PROMPT_MODAL = re.compile(
    rf"^{MODAL_PREFIX}(?P<message>\d{{1,20}}):(?P<segment>{'|'.join(PROMPT_ROTATION)}):(?P<index>\d{{1,3}})$"
)
LENGTH_CHOICES = [
    app_commands.Choice(name="Short · about 7 min", value="short"),
    app_commands.Choice(name="Full · about 20 min", value="full"),
]
SEGMENT_CHOICES = [
    app_commands.Choice(name="The hub (open awareness)", value="hub"),
    app_commands.Choice(name="The five senses", value="senses"),
    app_commands.Choice(name="The body from within", value="interoception"),
    app_commands.Choice(name="Mental activities", value="mental"),
    app_commands.Choice(name="Connection (the relational sense)", value="relational"),
]


class WheelCog(commands.Cog, name="Wheel"):
    """The Wheel of Awareness: a paced private practice, rotating prompts, a private journal."""

    privacy_section = "wheel"
    privacy_statement = PrivacyStatement(
        title="Wheel of Awareness",
        stores="reflections you save to your journal",
        kept="until you delete them",
        seen_by="only you, unless you share one in a prompt's thread",
    )

    wheel = app_commands.Group(
        name="wheel", description="Dan Siegel's Wheel of Awareness: practice and reflect", guild_only=True
    )

    def __init__(self, bot: AttuneBot) -> None:
        self.bot = bot
        self.service = WheelService(bot)
        self.runner = PracticeRunner(bot.content.wheel, bot.clock)

    @property
    def content(self) -> WheelContent:
        return self.bot.content.wheel

    async def cog_unload(self) -> None:
        await self.runner.shutdown()

    # ------------------------------------------------------------------ /wheel practice

    @wheel.command(name="practice", description="A private, paced guided walk around the Wheel of Awareness")
    @app_commands.describe(length="Short takes about 7 minutes, full about 20")
    @app_commands.choices(length=LENGTH_CHOICES)
    async def practice(self, interaction: discord.Interaction, length: str = "short") -> None:
        await self.runner.start(interaction, "full" if length == "full" else "short")

    # -------------------------------------------------------------------- /wheel prompt

    @wheel.command(name="prompt", description="Post a reflection prompt from the wheel in this channel")
    @app_commands.describe(segment="Which part of the wheel (default: any)")
    @app_commands.choices(segment=SEGMENT_CHOICES)
    async def prompt(
        self, interaction: discord.Interaction, segment: app_commands.Choice[str] | None = None
    ) -> None:
        guild_id = guild_id_of(interaction)
        if not isinstance(interaction.channel, discord.TextChannel | discord.Thread):
            raise UserError("Prompts can be posted in text channels and threads; try it in one of those.")
        await take_for(interaction, "wheel-prompt")
        chosen = segment.value if segment else secrets.choice(PROMPT_ROTATION)
        prompts = self.content.prompts[chosen]  # type: ignore[index]
        index = secrets.randbelow(len(prompts))
        await interaction.response.send_message(
            embed=render.prompt_embed(self.content, chosen, prompts[index]), view=prompt_view(chosen, index)
        )
        message = await interaction.original_response()
        await self.service.record_prompt(
            message_id=message.id,
            guild_id=guild_id,
            channel_id=interaction.channel.id,
            segment=chosen,
            prompt_index=index,
            prompt=prompts[index],
            thread_id=interaction.channel.id if isinstance(interaction.channel, discord.Thread) else None,
        )
        log.info("wheel prompt guild=%s channel=%s segment=%s", guild_id, interaction.channel.id, chosen)

    async def prompt_text(self, interaction: discord.Interaction, message_id: int, segment: str) -> str:
        """The words of a prompt posted in this guild and channel, as they read when posted.

        The message id comes from a custom_id a client could forge: a prompt from another guild or
        channel, or a message that is no prompt, is refused rather than shared into.
        """
        prompt = await self.service.prompt_text(
            interaction.guild_id, interaction.channel_id, message_id, segment
        )
        if prompt is None:
            raise UserError("This isn't a prompt I posted here, so there's nothing to reflect on.")
        return prompt

    # ------------------------------------------------------------ /wheel schedule|unschedule

    @wheel.command(name="schedule", description="Post rotating wheel prompts at a time on chosen days")
    @app_commands.describe(
        time="Time of day in the server's time zone, HH:MM (e.g. 07:30)",
        channel="Where to post (default: the channel set with /settings channel wheel)",
        days="every day (default), weekdays, weekends, or days like mon,wed,fri",
    )
    @app_commands.autocomplete(time=time_autocomplete)
    @facilitator_only()
    async def schedule(
        self,
        interaction: discord.Interaction,
        time: str,
        channel: discord.TextChannel | None = None,
        days: str | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        clock = parse_clock(time)
        weekdays = parse_days(days)
        if not weekdays:
            raise UserError("Choose at least one day, e.g. `every day`, `weekdays` or `mon,wed,fri`.")
        config = await self.bot.guild_settings.get(guild_id)
        target = channel
        if target is None:
            configured = config.channel_for("wheel")
            found = self.bot.get_channel(configured) if configured else None
            if not isinstance(found, discord.TextChannel):
                raise UserError(
                    "Which channel? Pass `channel:`, or set one for the wheel with "
                    "`/settings channel purpose:wheel`."
                )
            target = found
        require_bot_permissions(target, POST_WITH_THREAD)
        done = await self.service.schedule(guild_id, target.id, clock, weekdays, config.timezone)
        first, replaced, segment = done.first, done.replaced, done.next_segment
        when = (
            f"next {discord.utils.format_dt(first, 'F')} ({discord.utils.format_dt(first, 'R')})"
            if first
            else "no upcoming time"
        )
        log.info("wheel schedule set guild=%s channel=%s at=%s", guild_id, target.id, clock)
        await interaction.response.send_message(
            f"{'Updated: w' if replaced else 'W'}heel prompts will be posted in {target.mention} "
            f"{describe_days(weekdays)} at {clock:%H:%M} ({config.timezone}) — {when}. "
            f"Each opens a reflection thread, and they travel around the wheel: hub → senses → body → "
            f"mind → connection. Next up: **{render.segment_name(self.content, segment)}**.",
            ephemeral=True,
        )

    @wheel.command(name="unschedule", description="Stop the rotating wheel prompts")
    @facilitator_only()
    async def unschedule(self, interaction: discord.Interaction) -> None:
        guild_id = guild_id_of(interaction)
        removed = await self.service.unschedule(guild_id)
        if removed is None:
            await interaction.response.send_message(
                "There are no scheduled wheel prompts here; nothing to stop.", ephemeral=True
            )
            return
        log.info("wheel schedule removed guild=%s", guild_id)
        await interaction.response.send_message(
            f"Stopped the wheel prompts in <#{removed.channel_id}>. Posted prompts and their threads stay; "
            "`/wheel schedule` starts them again, carrying on around the wheel.",
            ephemeral=True,
        )

    # ------------------------------------------------------------------- /wheel journal

    @wheel.command(name="journal", description="Your own reflections, newest first (only you see them)")
    async def journal(self, interaction: discord.Interaction) -> None:
        embed, view = await self.journal_message(interaction.user.id, 0)
        if view is None:
            await interaction.response.send_message(embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    async def journal_message(self, user_id: int, page: int) -> tuple[discord.Embed, discord.ui.View | None]:
        found: JournalPage = await self.service.journal_page(user_id, page)
        if found.total == 0:
            embed = render.practice_notice_embed(
                "Your Wheel of Awareness journal",
                "No reflections yet. Reflect after a `/wheel practice`, or press **Reflect** under a "
                "`/wheel prompt`; whatever you write is kept here, privately.",
            )
            return embed, None
        return render.journal_embed(self.content, found), journal_view(user_id, found.page, found.pages)

    # ------------------------------------------------------------------ reflection modals

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: Any = interaction.data or {}
        custom_id = str(data.get("custom_id", ""))
        if not custom_id.startswith(MODAL_PREFIX):
            return
        try:
            await self._reflection_submitted(interaction, custom_id, modal_values(data))
        except Exception as error:
            await report_error(interaction, error)

    async def _reflection_submitted(
        self, interaction: discord.Interaction, custom_id: str, values: dict[str, Any]
    ) -> None:
        typed = str(values.get(REFLECTION_FIELD) or "").strip()
        # A longer text (only from an older form) is saved trimmed, never lost: the rest is handed back.
        body = check_reflection(typed[:REFLECTION_MAX])
        rest = render.handed_back(typed[REFLECTION_MAX:], REFLECTION_MAX)
        if match := PRACTICE_MODAL.match(custom_id):
            await self.service.save_reflection(
                user_id=interaction.user.id,
                guild_id=interaction.guild_id,
                source="practice",
                body=body,
                practice_length=match["length"],
            )
            log.info("wheel reflection saved user=%s source=practice", interaction.user.id)
            await interaction.response.send_message(
                f"Saved to your journal. Read it any time with `/wheel journal`.{rest}", ephemeral=True
            )
            return
        match = PROMPT_MODAL.match(custom_id)
        if match is None:
            raise UserError("This form is from an older version of Attune; press Reflect again.")
        message_id, segment = int(match["message"]), match["segment"]
        prompt = await self.prompt_text(interaction, message_id, segment)
        share = "share" in (values.get(VISIBILITY_FIELD) or [])
        await interaction.response.defer(ephemeral=True, thinking=True)
        reflection_id = await self.service.save_reflection(
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            source="prompt",
            body=body,
            segment=segment,
            prompt=prompt,
            prompt_message_id=message_id,
        )
        log.info("wheel reflection saved user=%s source=prompt share=%s", interaction.user.id, share)
        if not share:
            await interaction.followup.send(
                f"Saved privately to your journal (`/wheel journal`). Only you can read it.{rest}",
                ephemeral=True,
            )
            return
        try:
            await take_for(interaction, "reflection-share")
            thread = await self.service.share(
                interaction.channel, message_id, segment, body, interaction.user, reflection_id
            )
        except (UserError, NotShared) as error:
            why = error.message if isinstance(error, UserError) else error.text
            await interaction.followup.send(
                f"Saved privately to your journal, but I couldn't share it: {why}{rest}",
                ephemeral=True,
            )
            return
        await interaction.followup.send(
            f"Saved to your journal and shared in {thread.mention}. Thank you for sharing.{rest}",
            ephemeral=True,
        )

    # ------------------------------------------------------------------------- privacy

    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        return await self.service.export(user_id)

    async def delete_user_data(self, user_id: int) -> int:
        """Delete the member's reflections, and take down the ones they shared in threads."""
        return await self.service.delete(user_id)
