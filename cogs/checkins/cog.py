"""``/checkin …``: daily threads, the check-in flow, history, community summary, reminders; privacy."""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from attune.autocomplete import guild_time, reminder_time, zone_autocomplete
from attune.errors import UserError
from attune.permissions import POST_WITH_THREAD, facilitator_only, guild_id_of, require_bot_permissions
from attune.privacy import PrivacyStatement
from attune.ui import report_error
from attune.when import describe_days, get_zone, local_date_of, parse_clock, parse_days
from cogs.checkins import chart_worker, render
from cogs.checkins.flow import CheckinFlow
from cogs.checkins.service import CheckinService
from cogs.checkins.stats import describe_history
from cogs.checkins.summary import closed_period
from cogs.checkins.views import NOTE_MODAL, submitted_values

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)

OFF_WORDS = {"off", "stop", "none", "no", "disable"}
HISTORY_FILE = "checkin-history.png"
SUMMARY_FILE = "checkin-summary.png"


class CheckinsCog(commands.Cog, name="Check-ins"):
    """Commands are thin: read the interaction, call the service or the flow, render."""

    privacy_section = "checkins"
    privacy_statement = PrivacyStatement(
        title="Check-ins",
        stores=(
            "your zone, emotion word, optional note and whether you shared it; your reminder time and "
            "time zone; when you asked someone to reach out"
        ),
        kept=(
            "until you delete them. Totals already published are kept when you delete your data: they "
            "hold no name or note, and keeping them is what stops anyone learning your check-ins by "
            "comparing before and after"
        ),
        seen_by=(
            "only you, unless you share a check-in in the day's thread; facilitators see anonymous daily "
            "totals of closed days with 5+ private check-ins, and your request to reach out"
        ),
    )

    checkin = app_commands.Group(
        name="checkin", description="Daily check-ins: notice and name how you are", guild_only=True
    )

    def __init__(
        self,
        bot: AttuneBot,
        service: CheckinService,
        flow: CheckinFlow,
    ) -> None:
        self.bot = bot
        self.service = service
        self.flow = flow

    async def cog_unload(self) -> None:
        chart_worker.shut_down()

    # ------------------------------------------------------------ facilitators

    @checkin.command(name="setup", description="Open a check-in thread on the chosen days at a set time")
    @app_commands.describe(
        channel="Where the daily starter message and its thread go",
        time="Time of day, HH:MM in the server's time zone (e.g. 09:00)",
        days="every day (default), weekdays, weekends, or days like mon,wed,fri",
    )
    @app_commands.autocomplete(time=guild_time)
    @facilitator_only()
    async def setup_daily(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        time: str,
        days: str | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        clock = parse_clock(time)
        chosen = parse_days(days)
        if not chosen:
            raise UserError("Choose at least one day, e.g. `every day`, `weekdays` or `mon,wed,fri`.")
        require_bot_permissions(channel, POST_WITH_THREAD)
        config = await self.bot.guild_settings.get(guild_id)
        _, upcoming = await self.service.set_up(
            guild_id, channel.id, clock, chosen, config.timezone, interaction.user.id
        )
        log.info("check-ins set up guild=%s channel=%s by=%s", guild_id, channel.id, interaction.user.id)
        when = ""
        if upcoming is not None:
            when = (
                f"The next one opens {discord.utils.format_dt(upcoming, 'F')} "
                f"({discord.utils.format_dt(upcoming, 'R')})."
            )
        await interaction.response.send_message(
            f"Daily check-ins are on: {describe_days(chosen)} at **{clock:%H:%M}** ({config.timezone}) a "
            f"thread opens in {channel.mention} from a message with a **Check in** button. {when}\n"
            "Members can also check in any time with `/checkin now`. `/checkin disable` stops the threads."
            + await self._notice_suffix(interaction.user.id),
            ephemeral=True,
        )

    @checkin.command(name="disable", description="Stop the daily check-in threads")
    @facilitator_only()
    async def disable(self, interaction: discord.Interaction) -> None:
        guild_id = guild_id_of(interaction)
        stopped = await self.service.disable(guild_id, interaction.user.id)
        if not stopped:
            raise UserError(
                "Daily check-in threads aren't running here, so there was nothing to stop. "
                "Start them with `/checkin setup`."
            )
        log.info("check-ins disabled guild=%s by=%s", guild_id, interaction.user.id)
        await interaction.response.send_message(
            "Daily check-in threads are stopped. Today's thread, if there is one, stays open, and members "
            "can still check in privately with `/checkin now`. `/checkin setup` starts them again."
            + await self._notice_suffix(interaction.user.id),
            ephemeral=True,
        )

    @checkin.command(
        name="summary", description="Community check-in counts by zone and feeling for closed days"
    )
    @app_commands.describe(days="How many closed days to include, ending yesterday (1–31, default 7)")
    @facilitator_only()
    async def summary(
        self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 31] = 7
    ) -> None:
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        config = await self.bot.guild_settings.get(guild_id)
        first, last = closed_period(local_date_of(self.bot.clock(), config.zone), days)
        published = await self.service.published_days(guild_id, first, last)
        content = self.bot.content
        text = render.summary_text(content, published)
        zone_labels: dict[str, str] = {zone: info.label for zone, info in content.checkin.zones.items()}
        quadrant_labels: dict[str, str] = {q: info.label for q, info in content.emotions.quadrants.items()}
        png = await chart_worker.render_community(published, zone_labels, quadrant_labels)
        file = discord.File(io.BytesIO(png), filename=SUMMARY_FILE, description=text[:1024])
        embed = render.summary_embed(content, published, first, last)
        embed.set_image(url=f"attachment://{SUMMARY_FILE}")
        notice = await self.flow.reminder_notice(interaction.user.id)
        await interaction.followup.send(
            content=notice or discord.utils.MISSING, embed=embed, file=file, ephemeral=True
        )
        log.info("summary shown guild=%s days=%d", guild_id, days)

    # ----------------------------------------------------------------- members

    @checkin.command(name="now", description="Check in: your zone, a feeling, and an optional note")
    async def now(self, interaction: discord.Interaction) -> None:
        await self.flow.start(interaction)

    @checkin.command(name="history", description="Your own check-ins: a chart, your streak and a summary")
    @app_commands.describe(days="How many days to look back (1–365, default 30)")
    async def history(
        self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 365] = 30
    ) -> None:
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        user_id = interaction.user.id
        config = await self.bot.guild_settings.get(guild_id)
        today = local_date_of(self.bot.clock(), config.zone)
        data = await self.service.history(guild_id, user_id, today, days)
        notice = await self.flow.reminder_notice(user_id)
        prefix = f"{notice}\n\n" if notice else ""
        if data.empty:
            await interaction.followup.send(
                f"{prefix}You haven't checked in here in the last {days} day{'s' if days != 1 else ''}, so "
                "there's nothing to chart yet. Press **Check in** in today's check-in thread or use "
                "`/checkin now` — it takes about a minute, and your history is only ever shown to you.",
                ephemeral=True,
            )
            return
        content = self.bot.content
        zone_labels: dict[str, str] = {zone: info.label for zone, info in content.checkin.zones.items()}
        quadrant_labels: dict[str, str] = {q: info.label for q, info in content.emotions.quadrants.items()}
        summary = describe_history(data, zone_labels, quadrant_labels)
        colours: dict[str, str] = {q: info.colour for q, info in content.emotions.quadrants.items()}
        png = await chart_worker.render(data, zone_labels, colours)
        file = discord.File(io.BytesIO(png), filename=HISTORY_FILE, description=summary[:1024])
        await interaction.followup.send(
            content=notice or discord.utils.MISSING,
            embed=render.history_embed(content, data, summary, filename=HISTORY_FILE),
            file=file,
            ephemeral=True,
        )
        log.info("history shown guild=%s user=%s days=%d", guild_id, user_id, days)

    @checkin.command(name="remind", description="A personal DM reminder on days you haven't checked in")
    @app_commands.describe(
        time="HH:MM for a daily reminder, or off to stop it",
        timezone="Your time zone, e.g. Europe/Berlin (default: your reminder's, else the server's)",
    )
    @app_commands.autocomplete(timezone=zone_autocomplete, time=reminder_time)
    async def remind(self, interaction: discord.Interaction, time: str, timezone: str | None = None) -> None:
        guild_id = guild_id_of(interaction)
        user_id = interaction.user.id
        if time.strip().lower() in OFF_WORDS:
            removed = await self.service.stop_reminding(user_id)
            await interaction.response.send_message(
                "Your check-in reminder is off."
                if removed
                else "You had no check-in reminder; nothing to stop.",
                ephemeral=True,
            )
            return
        clock = parse_clock(time)
        existing = await self.service.reminder(user_id)
        if timezone:
            zone_name = get_zone(timezone).key
        elif existing is not None:
            zone_name = existing.timezone
        else:
            zone_name = (await self.bot.guild_settings.get(guild_id)).timezone
        _, upcoming = await self.service.remind(user_id, guild_id, clock, zone_name)
        log.info("reminder set guild=%s user=%s", guild_id, user_id)
        first = f" The first is {discord.utils.format_dt(upcoming, 'F')}." if upcoming else ""
        was_paused = (
            "\nYour earlier reminder was paused because I couldn't DM you; please check that direct "
            "messages from this server's members are allowed."
            if existing is not None and existing.paused
            else ""
        )
        await interaction.response.send_message(
            f"I'll send you a direct message at **{clock:%H:%M}** ({zone_name}) on days you haven't "
            f"checked in yet.{first} To receive it, allow direct messages from members of this server. "
            f"`/checkin remind off` stops it.{was_paused}",
            ephemeral=True,
        )

    async def _notice_suffix(self, user_id: int) -> str:
        notice = await self.flow.reminder_notice(user_id)
        return f"\n\n{notice}" if notice else ""

    # ------------------------------------------------------------ modal submits

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Answers the note modal from its custom_id, also when it was opened before a restart."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: Any = interaction.data or {}
        match = NOTE_MODAL.fullmatch(str(data.get("custom_id", "")))
        if match is None:
            return
        try:
            await self.flow.submit(interaction, match["zone"], match["word"], submitted_values(data))
        except Exception as error:
            await report_error(interaction, error)

    # ----------------------------------------------------------------- privacy

    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        return await self.service.export(user_id, self.flow.alerts)

    async def delete_user_data(self, user_id: int) -> int:
        """Rows go now; shared check-ins and alert posts are queued in the same transaction."""
        removed = await self.service.delete(user_id)
        log.info("check-in data deleted user=%s records=%d", user_id, removed)
        return removed
