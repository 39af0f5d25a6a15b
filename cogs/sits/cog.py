"""``/sit …``: schedule, list, edit, cancel, calendar, stats and log; the sit buttons' handlers.

Thin: reads the options (through the drafting rules), calls :class:`SitService`, words the outcome.
"""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from attune.autocomplete import when_choices, zone_autocomplete
from attune.cooldowns import take_for
from attune.errors import UserError
from attune.guilds import GuildConfig
from attune.permissions import POST, facilitator_only, guild_id_of, require_bot_permissions
from attune.privacy import PrivacyStatement
from attune.promptly import Promptly
from attune.text import clip, minutes, one_line, plural
from attune.when import get_zone, to_local
from cogs.sits import ics, render
from cogs.sits.drafting import (
    DURATION_DEFAULT,
    DURATION_MAX,
    DURATION_MIN,
    REMINDER_DEFAULT,
    REMINDER_MAX,
    REMINDER_MIN,
    TITLE_MAX,
    edited_draft,
    new_draft,
)
from cogs.sits.models import ANSWER_LABELS, Sit
from cogs.sits.service import AnnouncementFailed, SatRefusal, SitService
from cogs.sits.views import announcement_view, closing_view

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)

Choice = app_commands.Choice
#: Human names in the picker; the values are what is stored and what scripts send.
REPEAT_CHOICES = [
    Choice(name="Just once", value="none"),
    Choice(name="Every day", value="daily"),
    Choice(name="Weekdays (Monday to Friday)", value="weekdays"),
    Choice(name="Every week", value="weekly"),
    Choice(name="Every two weeks", value="biweekly"),
    Choice(name="Every month", value="monthly"),
]
GUIDE_CHOICES = [
    Choice(name="Silent sit", value="silent"),
    Choice(name="Guided by the Wheel of Awareness", value="wheel"),
]
SCOPE_CHOICES = [
    Choice(name="Only the next one", value="next"),
    Choice(name="The whole series", value="all"),
]
VoiceOption = discord.VoiceChannel | discord.StageChannel
NOTE_MAX = 500
LOG_MAX_MINUTES = 1440
LIST_MAX_DAYS = 90
LIST_MAX_LINES = 25

OPTION_HELP = {
    "title": "A short name, plain text, up to 100 characters",
    "when": "e.g. 2026-12-01 19:00, 19:00, tomorrow 07:30, mon 19:00, tue,thu 19:00 (server's time zone)",
    "duration": f"Minutes, 1–240 (default {DURATION_DEFAULT})",
    "repeat": "Once, or how often it comes back",
    "voice_channel": "The voice or stage channel where people sit together",
    "channel": "Where the announcement, reminders and bells are posted",
    "reminder": f"Minutes before the start to remind Going members; 0 = none (default {REMINDER_DEFAULT})",
    "timezone": "Time zone for when, e.g. Europe/Berlin (default: the server's)",
    "guide": "A silent sit, or the Wheel of Awareness posted step by step during it",
}


async def when_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """``tomorrow 7:30 → Tue 8 Dec, 07:30 Europe/Berlin``: what the sit's ``when`` was understood as."""
    typed_zone = getattr(interaction.namespace, "timezone", None)
    try:
        zone = get_zone(typed_zone) if typed_zone else None
    except UserError:
        zone = None
    if zone is None and interaction.guild_id is not None:
        zone = (await interaction.client.guild_settings.get(interaction.guild_id)).zone  # type: ignore[attr-defined]
    return when_choices(current, zone or UTC, interaction.client.clock())  # type: ignore[attr-defined]


SAT_REFUSALS = {
    SatRefusal.NOT_AN_OCCURRENCE: "This isn't one of this sit's times, so there's nothing to count.",
    SatRefusal.NOT_THE_CLOSING_BELL: (
        "This button isn't on that sit's closing bell, so there's nothing to count."
    ),
    SatRefusal.NOT_ENDED: "You can press **I sat** once the sit has ended.",
    SatRefusal.TOO_LATE: (
        "This sit ended more than a day ago, so it can't be counted from here any more. "
        "Log your practice with `/sit log` instead."
    ),
}


def _local_label(sit: Sit, start: datetime) -> str:
    local = to_local(start, sit.rule.zone)
    return f"{local:%a %d %b %H:%M} {sit.zone}"


class SitsCog(commands.Cog, name="Sits"):
    """Group sits; implements :class:`attune.privacy.PersonalData` (RSVPs, attendance, logs)."""

    privacy_section = "sits"
    privacy_statement = PrivacyStatement(
        title="Sits",
        stores=(
            "your RSVPs, attendance and solo practice logs (minutes and an optional private note); when "
            "you joined and left a sit's voice channel around a sit, to count attendance; which of the "
            "bot's posts mention you"
        ),
        kept="until you delete them; voice join and leave times only two days",
        seen_by=(
            "the server as counts on a sit's announcement and closing bell, and reminders mention who "
            "said Going; your stats and practice log only you"
        ),
    )

    sit = app_commands.Group(
        name="sit", description="Group sits: schedule, RSVP, calendar and your practice", guild_only=True
    )

    def __init__(self, bot: AttuneBot) -> None:
        self.bot = bot
        self.service = SitService(bot)
        self._caught_up = False

    # ------------------------------------------------------------- helpers

    async def sit_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """The guild's sits that have an occurrence ahead, soonest first (≤ 25)."""
        if interaction.guild_id is None:
            return []
        now = self.bot.clock()
        needle = current.strip().lower()
        found: list[tuple[datetime, Sit]] = []
        for sit in await self.service.active(interaction.guild_id):
            start = sit.current(now)
            if start is not None and (not needle or needle in sit.title.lower() or needle == str(sit.id)):
                found.append((start, sit))
        found.sort(key=lambda pair: pair[0])
        return [
            app_commands.Choice(
                name=clip(f"{sit.title} — {_local_label(sit, start)}", 100), value=str(sit.id)
            )
            for start, sit in found[:25]
        ]

    async def _resolve(self, guild_id: int, value: str) -> Sit:
        """The active sit a ``sit`` option names (its id from autocomplete, or its exact title)."""
        text = one_line(value or "")
        sits = await self.service.active(guild_id)
        by_id = {str(sit.id): sit for sit in sits}
        if text.lstrip("#") in by_id:
            return by_id[text.lstrip("#")]
        named = [sit for sit in sits if sit.title.lower() == text.lower()]
        if len(named) == 1:
            return named[0]
        raise UserError(
            f"I couldn't find a scheduled sit called “{clip(text, 60)}” here. Start typing in the `sit` "
            "option and pick one from the list (`/sit list` shows what's scheduled)."
        )

    def _announcement_channel(
        self, interaction: discord.Interaction, chosen: discord.TextChannel | None, config: GuildConfig
    ) -> discord.TextChannel:
        candidate: Any = chosen
        if candidate is None and interaction.guild is not None:
            configured = config.channel_for("sits")
            candidate = interaction.guild.get_channel(configured) if configured else interaction.channel
        if not isinstance(candidate, discord.TextChannel):
            raise UserError(
                "Choose a text channel for the announcement with the `channel` option, or set one for all "
                "sits with `/settings channel purpose:sits`."
            )
        require_bot_permissions(candidate, POST)
        return candidate

    @staticmethod
    def _voice_id(voice: Any) -> int | None:
        if voice is None:
            return None
        if not isinstance(voice, discord.VoiceChannel | discord.StageChannel):
            raise UserError(
                f"{getattr(voice, 'mention', 'That channel')} is not a voice or stage channel. Choose the "
                "voice channel where people will sit together, or leave `voice_channel` empty."
            )
        return voice.id

    def _summary(self, sit: Sit, now: datetime) -> str:
        start = sit.current(now)
        pattern = sit.rule.describe(at_time=False)
        lines = [
            f"**{render.plain(sit.title)}** — {pattern}, {minutes(sit.duration_min)}.",
            f"Next sit: {render.when(start)}." if start else "No sit ahead in this series.",
        ]
        details = [f"announced in <#{sit.channel_id}>"]
        if sit.voice_channel_id:
            details.append(f"sitting in <#{sit.voice_channel_id}>")
        details.append(f"reminder {sit.reminder_min} min before" if sit.reminder_min else "no reminder")
        if sit.guide == "wheel":
            details.append("guided by the Wheel of Awareness")
        lines.append(render.sentence(", ".join(details)) + ".")
        return "\n".join(lines)

    # ------------------------------------------------------------ schedule

    @sit.command(name="schedule", description="Schedule a group sit, one-off or repeating")
    @app_commands.describe(**OPTION_HELP)
    @app_commands.choices(repeat=REPEAT_CHOICES, guide=GUIDE_CHOICES)
    @app_commands.autocomplete(timezone=zone_autocomplete, when=when_autocomplete)
    @facilitator_only()
    async def schedule(
        self,
        interaction: discord.Interaction,
        title: app_commands.Range[str, 1, TITLE_MAX],
        when: app_commands.Range[str, 1, 100],
        duration: app_commands.Range[int, DURATION_MIN, DURATION_MAX] = DURATION_DEFAULT,
        repeat: str | None = None,
        voice_channel: VoiceOption | None = None,
        channel: discord.TextChannel | None = None,
        reminder: app_commands.Range[int, REMINDER_MIN, REMINDER_MAX] = REMINDER_DEFAULT,
        timezone: str | None = None,
        guide: str = "silent",
    ) -> None:
        guild_id = guild_id_of(interaction)
        config = await self.bot.guild_settings.get(guild_id)
        now = self.bot.clock()
        target = self._announcement_channel(interaction, channel, config)
        draft = new_draft(
            title=title,
            when=when,
            zone_name=timezone or config.timezone,
            now=now,
            channel_id=target.id,
            duration=duration,
            repeat=repeat,
            reminder=reminder,
            guide=guide,
            voice_channel_id=self._voice_id(voice_channel),
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            done = await self.service.schedule(guild_id, interaction.user.id, draft, now)
        except AnnouncementFailed as failure:
            raise UserError(
                f"I couldn't post the announcement in {target.mention} ({failure.reason}), so nothing was "
                "scheduled. Check my permissions there, or choose another `channel`."
            ) from None
        sit = done.sit
        log.info("guild=%s user=%s scheduled sit=%s (%s)", guild_id, interaction.user.id, sit.id, sit.repeat)
        reply = f"Scheduled. {self._summary(sit, now)}\nAnnouncement: {done.jump_url}"
        if done.event_problem:
            reply += f"\n⚠️ {done.event_problem} The sit works without it."
        await interaction.followup.send(reply[:2000], ephemeral=True)

    # ---------------------------------------------------------------- list

    @sit.command(name="list", description="Upcoming sits with their RSVP counts")
    @app_commands.describe(days="How many days ahead, 1–90 (default 14)")
    async def list_sits(
        self, interaction: discord.Interaction, days: app_commands.Range[int, 1, LIST_MAX_DAYS] = 14
    ) -> None:
        guild_id = guild_id_of(interaction)
        if not 1 <= days <= LIST_MAX_DAYS:
            raise UserError(f"`days` is 1–{LIST_MAX_DAYS}, e.g. `days: 14`.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        now = self.bot.clock()
        until = now + timedelta(days=days)
        entries: list[tuple[datetime, Sit]] = []
        for sit in await self.service.active(guild_id):
            entries += [(start, sit) for start in sit.rule.between(now - sit.length, until, limit=200)]
        if not entries:
            await interaction.followup.send(
                f"No sits in the next {plural(days, 'day')}. Facilitators can add one with `/sit schedule`.",
                ephemeral=True,
            )
            return
        entries.sort(key=lambda pair: (pair[0], pair[1].id))
        lines = []
        for start, sit in entries[:LIST_MAX_LINES]:
            where = f" · <#{sit.voice_channel_id}>" if sit.voice_channel_id else ""
            line = (
                f"{discord.utils.format_dt(start, 'F')} · **{render.plain(sit.title)}** · "
                f"{sit.duration_min} min{where}"
            )
            if start == sit.current(now):
                line += "\n　" + render.rsvp_line(await self.service.counts(sit, start))
            lines.append(line)
        if len(entries) > LIST_MAX_LINES:
            lines.append(f"…and {len(entries) - LIST_MAX_LINES} more; try fewer `days`.")
        embed = discord.Embed(
            title=f"Sits in the next {plural(days, 'day')}",
            description=clip("\n".join(lines), 4096),
            colour=render.COLOUR,
        )
        embed.set_footer(text="RSVP on each sit's announcement · /sit calendar adds them to your calendar")
        await interaction.followup.send(embed=embed, ephemeral=True)

    # ---------------------------------------------------------------- edit

    @sit.command(name="edit", description="Change a sit or series; its announcement and event follow")
    @app_commands.describe(sit="The sit to change", **OPTION_HELP)
    @app_commands.choices(repeat=REPEAT_CHOICES, guide=GUIDE_CHOICES)
    @app_commands.autocomplete(sit=sit_autocomplete, timezone=zone_autocomplete, when=when_autocomplete)
    @facilitator_only()
    async def edit(
        self,
        interaction: discord.Interaction,
        sit: str,
        title: app_commands.Range[str, 1, TITLE_MAX] | None = None,
        when: app_commands.Range[str, 1, 100] | None = None,
        duration: app_commands.Range[int, DURATION_MIN, DURATION_MAX] | None = None,
        repeat: str | None = None,
        voice_channel: VoiceOption | None = None,
        channel: discord.TextChannel | None = None,
        reminder: app_commands.Range[int, REMINDER_MIN, REMINDER_MAX] | None = None,
        timezone: str | None = None,
        guide: str | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        before = await self._resolve(guild_id, sit)
        options = (title, when, duration, repeat, voice_channel, channel, reminder, timezone, guide)
        if all(option is None for option in options):
            raise UserError("Tell me what to change: add at least one option, e.g. `when: 19:30`.")
        config = await self.bot.guild_settings.get(guild_id)
        now = self.bot.clock()
        target = self._announcement_channel(interaction, channel, config) if channel is not None else None
        draft = edited_draft(
            before,
            now=now,
            title=title,
            when=when,
            duration=duration,
            repeat=repeat,
            reminder=reminder,
            zone_name=timezone,
            guide=guide,
            voice_channel_id=self._voice_id(voice_channel),
            channel_id=target.id if target else None,
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        after = (await self.service.edit(before, draft, now)).sit
        log.info("guild=%s user=%s edited sit=%s", guild_id, interaction.user.id, after.id)
        await interaction.followup.send(f"Updated. {self._summary(after, now)}"[:2000], ephemeral=True)

    # -------------------------------------------------------------- cancel

    @sit.command(name="cancel", description="Cancel the next sit, or the whole series")
    @app_commands.describe(sit="The sit to cancel", scope="Only the next sit, or the whole series")
    @app_commands.choices(scope=SCOPE_CHOICES)
    @app_commands.autocomplete(sit=sit_autocomplete)
    @facilitator_only()
    async def cancel(self, interaction: discord.Interaction, sit: str, scope: str = "next") -> None:
        guild_id = guild_id_of(interaction)
        chosen = await self._resolve(guild_id, sit)
        now = self.bot.clock()
        target = chosen.next_start(now)
        if scope == "next" and target is None:
            raise UserError(
                "That sit has nothing ahead to cancel. To close it, choose scope **The whole series**."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        done = await self.service.cancel(chosen, whole_series=scope == "all", now=now)
        after, going, following = done.sit, done.going, done.following
        log.info(
            "guild=%s user=%s cancelled sit=%s scope=%s", guild_id, interaction.user.id, chosen.id, scope
        )
        what = (
            f"the sit on {discord.utils.format_dt(target, 'F')}"
            if scope == "next" and target
            else "the whole series"
        )
        who = "the 1 member who said Going" if len(going) == 1 else f"the {len(going)} members who said Going"
        told = f" I told {who} in <#{after.channel_id}>." if going else ""
        nxt = f" The next one is {render.when(following)}." if following else ""
        await interaction.followup.send(
            f"Cancelled {what} of **{render.plain(after.title)}**.{told}{nxt}", ephemeral=True
        )

    # ------------------------------------------------------------ calendar

    def _ics(self, sits: list[Sit], guild: discord.Guild | None) -> bytes:
        stamp = self.bot.clock()
        events = []
        for sit in sits:
            voice = guild.get_channel(sit.voice_channel_id) if guild and sit.voice_channel_id else None
            where = f"#{voice.name} on Discord ({guild.name})" if voice and guild else "Discord"
            description = render.sit_summary(sit)
            events.append(ics.sit_event(sit, stamp=stamp, location=where, description=description))
        name = f"Sits · {guild.name}" if guild else "Attune sits"
        return ics.calendar(events, name=name)

    @sit.command(name="calendar", description="An .ics file to add sits to your calendar")
    @app_commands.describe(sit="One sit (leave empty for all of this server's sits)")
    @app_commands.autocomplete(sit=sit_autocomplete)
    async def calendar(self, interaction: discord.Interaction, sit: str | None = None) -> None:
        guild_id = guild_id_of(interaction)
        sits = [await self._resolve(guild_id, sit)] if sit else await self.service.active(guild_id)
        if not sits:
            raise UserError("No sits are scheduled here yet, so there's nothing to add to a calendar.")
        await self._send_ics(interaction, sits)

    async def _send_ics(self, interaction: discord.Interaction, sits: list[Sit]) -> None:
        payload = self._ics(sits, interaction.guild)
        name = f"sit-{sits[0].id}.ics" if len(sits) == 1 else "sits.ics"
        what = f"**{render.plain(sits[0].title)}**" if len(sits) == 1 else f"{len(sits)} sits"
        await interaction.response.send_message(
            f"Open this file to add {what} to your calendar. Series repeat by themselves, cancelled dates "
            "are left out, and times follow the sit's own time zone.",
            file=discord.File(io.BytesIO(payload), filename=name),
            ephemeral=True,
        )

    # --------------------------------------------------------- stats & log

    @sit.command(name="stats", description="Your sits, minutes, weekly streak and who you sat with")
    async def stats(self, interaction: discord.Interaction) -> None:
        guild_id = guild_id_of(interaction)
        config = await self.bot.guild_settings.get(guild_id)
        stats = await self.service.stats(guild_id, interaction.user.id, config.timezone)
        await interaction.response.send_message(
            embed=render.stats_embed(stats, interaction.user.display_name), ephemeral=True
        )

    @sit.command(name="log", description="Log solo practice; it counts in your stats")
    @app_commands.describe(
        minutes="How long you practised, 1–1440", note="Optional, private (≤ 500 characters)"
    )
    async def log_practice(
        self,
        interaction: discord.Interaction,
        minutes: app_commands.Range[int, 1, LOG_MAX_MINUTES],
        note: app_commands.Range[str, 1, NOTE_MAX] | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        if not 1 <= minutes <= LOG_MAX_MINUTES:
            raise UserError(f"`minutes` is 1–{LOG_MAX_MINUTES}, e.g. `minutes: 15`. Nothing was logged.")
        cleaned = (note or "").strip() or None
        if cleaned is not None and len(cleaned) > NOTE_MAX:
            raise UserError(
                f"The note is {len(cleaned)} characters; keep it to {NOTE_MAX}. Nothing was logged."
            )
        config = await self.bot.guild_settings.get(guild_id)
        stats = await self.service.log_practice(
            guild_id, interaction.user.id, minutes, cleaned, config.timezone
        )
        log.info("guild=%s user=%s logged %d minutes", guild_id, interaction.user.id, minutes)
        await interaction.response.send_message(
            f"Logged **{plural(minutes, 'minute')}** of practice. That's {plural(stats.minutes, 'minute')} "
            "here in all.",
            ephemeral=True,
        )

    # ------------------------------------------------------------- buttons

    async def _button_sit(self, interaction: discord.Interaction, sit_id: int) -> Sit:
        sit = await self.service.get(sit_id)
        if sit is None or sit.guild_id != interaction.guild_id:
            raise UserError("This sit no longer exists.")
        return sit

    async def on_rsvp(self, interaction: discord.Interaction, sit_id: int, answer: str) -> None:
        # One request answers the click and edits the new counts onto the announcement (with an
        # acknowledgement first only if that takes long); then the member is told privately.
        async with Promptly(interaction, ephemeral=False) as reply:
            await self._answer_rsvp(interaction, reply, sit_id, answer)

    async def _answer_rsvp(
        self, interaction: discord.Interaction, reply: Promptly, sit_id: int, choice: str
    ) -> None:
        sit = await self._button_sit(interaction, sit_id)
        if sit.status == "cancelled":
            raise UserError("This sit was cancelled, so there's nothing to answer.")
        await take_for(interaction, "rsvp")
        now = self.bot.clock()
        start = sit.current(now) if sit.active else None
        if start is None:
            raise UserError("This sit has ended; look for the next one with `/sit list`.")
        answered = await self.service.answer(sit, start, interaction.user.id, choice)
        previous = answered.previous
        await reply.edit(
            embed=render.announcement_embed(sit, start, answered.counts, now=now),
            view=announcement_view(sit.id, open_for_answers=True),
        )
        await self.service.shown(sit, start, interaction.message.id if interaction.message else None)
        label = ANSWER_LABELS[choice]
        at = discord.utils.format_dt(start, "F")
        if previous == choice:
            text = f"You had already answered **{label}** for {at}."
        elif choice == "going":
            title = render.plain(sit.title)
            text = f"You're **going** to **{title}** on {at}. I'll mention you in the reminder."
        elif choice == "maybe":
            text = f"Marked as **maybe** for {at}. Change it any time on the announcement."
        else:
            text = f"Thanks for letting us know you can't make it on {at}."
        log.info("guild=%s user=%s rsvp sit=%s %s", sit.guild_id, interaction.user.id, sit.id, choice)
        await interaction.followup.send(text, ephemeral=True)

    async def on_calendar_button(self, interaction: discord.Interaction, sit_id: int) -> None:
        sit = await self._button_sit(interaction, sit_id)
        if not sit.active:
            raise UserError("This sit is no longer scheduled, so there's nothing to add to a calendar.")
        await self._send_ics(interaction, [sit])

    async def on_i_sat(self, interaction: discord.Interaction, sit_id: int, start: datetime) -> None:
        sit = await self._button_sit(interaction, sit_id)
        # The start comes from the button: it must be one of this sit's occurrences, and the button
        # must be on that occurrence's closing post.
        message = interaction.message
        outcome = await self.service.i_sat(
            sit, start, interaction.user.id, message.id if message else None, self.bot.clock()
        )
        if isinstance(outcome, SatRefusal):
            raise UserError(SAT_REFUSALS[outcome])
        added, count = outcome.added, outcome.count
        if message is not None and added:
            lines = message.content.split("\n")
            if len(lines) > 1:
                lines[1] = render.people(count)
            await interaction.response.edit_message(
                content="\n".join(lines), view=closing_view(sit.id, start)
            )
        else:
            await interaction.response.defer()
        text = (
            f"Counted — thank you for sitting with us. {render.people(count)}"
            if added
            else "You're already counted for this sit. Thank you for sitting."
        )
        log.info("guild=%s user=%s i-sat sit=%s new=%s", sit.guild_id, interaction.user.id, sit.id, added)
        await interaction.followup.send(text, ephemeral=True)

    # ----------------------------------------------------------- listeners

    @commands.Cog.listener()
    async def on_voice_state_update(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        await self.service.voice.on_voice_state_update(member, before, after)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Reconcile voice time with Discord; once per process, settle what happened while down."""
        now = self.bot.clock()
        for guild in self.bot.guilds:
            await self.service.voice.reconcile(guild, now)
        if self._caught_up:
            return
        self._caught_up = True
        await self.service.settle(now)

    # --------------------------------------------------------------- privacy

    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        return await self.service.export_user(user_id)

    async def delete_user_data(self, user_id: int) -> int:
        return await self.service.delete_user(user_id)
