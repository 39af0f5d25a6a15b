"""``/sit …``: schedule, list, edit, cancel, calendar, stats and log; the sit buttons' handlers.

Thin: reads the interaction, asks the drafting rules, the store and the keeper, renders replies.
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
from attune.scheduler import PermanentFailure
from attune.text import clip, minutes, one_line, plural
from attune.timeparse import get_zone, to_local
from cogs.sits import ics, render
from cogs.sits.attendance import VoiceTracker
from cogs.sits.delivery import SitSchedules, mention_only
from cogs.sits.drafting import (
    DURATION_DEFAULT,
    DURATION_MAX,
    DURATION_MIN,
    REMINDER_DEFAULT,
    REMINDER_MAX,
    REMINDER_MIN,
    TITLE_MAX,
    Draft,
    edited_draft,
    new_draft,
    remap_exclusions,
)
from cogs.sits.events import NativeEvents
from cogs.sits.keeper import SitKeeper
from cogs.sits.models import ANSWER_LABELS, Sit
from cogs.sits.service import I_SAT_WINDOW, SESSION_KEEP, SitStore
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


def _local_label(sit: Sit, start: datetime) -> str:
    local = to_local(start, sit.rule.zone)
    return f"{local:%a %d %b %H:%M} {sit.zone}"


class SitsCog(commands.Cog, name="Sits"):
    """Group sits; implements :class:`attune.privacy.PersonalData` (RSVPs, attendance, logs)."""

    privacy_section = "sits"

    sit = app_commands.Group(
        name="sit", description="Group sits: schedule, RSVP, calendar and your practice", guild_only=True
    )

    def __init__(self, bot: AttuneBot) -> None:
        self.bot = bot
        self.store = SitStore(bot.db, bot.clock)
        self.events = NativeEvents(bot, self.store)
        self.keeper = SitKeeper(bot, self.store, self.events)
        self.voice = VoiceTracker(bot, self.store)
        self.schedules = SitSchedules(bot, self.keeper, self.voice)
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
        for sit in await self.store.active(interaction.guild_id):
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
        sits = await self.store.active(guild_id)
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

    async def _tell(self, sit: Sit, text: str, users: list[int]) -> None:
        """Post in the sit's channel, pinging exactly ``users`` (never everyone or roles)."""
        try:
            channel = await self.keeper.postable(sit)
            sent = await channel.send(
                text[:2000],
                allowed_mentions=mention_only(users),
            )
            await self.store.remember_mentions(users[: render.MENTIONS_PER_MESSAGE], sent.channel.id, sent.id)
        except (discord.HTTPException, PermanentFailure) as error:
            log.warning("guild=%s sit=%s could not tell members: %s", sit.guild_id, sit.id, error)

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
        sit = await self.store.create(guild_id, interaction.user.id, draft)
        try:
            message = await self.keeper.announce(sit)
        except (discord.HTTPException, PermanentFailure) as error:
            await self.store.delete(sit.id)
            log.warning("guild=%s sit=%s announcement failed, nothing kept: %s", guild_id, sit.id, error)
            raise UserError(
                f"I couldn't post the announcement in {target.mention} "
                f"({getattr(error, 'text', '') or error}), so nothing was scheduled. Check my permissions "
                "there, or choose another `channel`."
            ) from None
        sit = await self.keeper.reload(sit)
        start = sit.current(now)
        problem = await self.events.create(sit, start) if start is not None else None
        sit = await self.keeper.reload(sit)
        await self.schedules.put(sit)
        log.info("guild=%s user=%s scheduled sit=%s (%s)", guild_id, interaction.user.id, sit.id, sit.repeat)
        reply = f"Scheduled. {self._summary(sit, now)}\nAnnouncement: {message.jump_url}"
        if problem:
            reply += f"\n⚠️ {problem} The sit works without it."
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
        for sit in await self.store.active(guild_id):
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
                line += "\n　" + render.rsvp_line(await self.store.counts(sit.id, start))
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
        async with self.keeper.lock(before.id):
            after, moved = await self._apply_edit(before, draft, now)
        await self.schedules.put(after)
        if moved is not None:
            going = await self.store.answered(after.id, moved[1], "going")
            if going:
                await self._tell(after, render.moved_text(after, moved[0], moved[1], going), going)
        log.info("guild=%s user=%s edited sit=%s", guild_id, interaction.user.id, after.id)
        await interaction.followup.send(f"Updated. {self._summary(after, now)}"[:2000], ephemeral=True)

    async def _apply_edit(
        self, before: Sit, draft: Draft, now: datetime
    ) -> tuple[Sit, tuple[datetime, datetime] | None]:
        """Store the change and bring answers, cancellations, event and announcement along."""
        old_start = before.current(now)
        await self.store.update(before.id, draft)
        await self.store.replace_exclusions(before.id, remap_exclusions(before, draft))
        after = await self.keeper.reload(before)
        new_start = after.current(now)
        moved = None
        if old_start is not None and new_start is not None and old_start != new_start and old_start > now:
            await self.store.move_answers(after.id, old_start, new_start)
            moved = (old_start, new_start)
        if (
            after.event_id is not None
            and new_start is not None
            and new_start > now
            and not await self.events.move(after, new_start)
        ):
            await self.events.finish(after)
        if after.channel_id != before.channel_id and before.announcement_id is not None:
            old = self.bot.get_partial_messageable(before.channel_id, guild_id=before.guild_id)
            try:
                await old.get_partial_message(before.announcement_id).delete()
            except discord.HTTPException as error:
                log.info(
                    "guild=%s sit=%s old announcement not deleted: %s", before.guild_id, before.id, error
                )
            await self.store.set_announcement(after.id, after.channel_id, None)
        after = await self.keeper.reload(after)
        return await self.keeper.sync_locked(after, refresh=True), moved

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
        going = await self.store.answered(chosen.id, target, "going") if target else []
        async with self.keeper.lock(chosen.id):
            if scope == "next" and target is not None:
                await self.store.exclude(chosen.id, target)
                after = await self.keeper.reload(chosen)
                if after.event_at == target:
                    await self.events.finish(after)
                    after = await self.keeper.reload(after)
            else:
                after = chosen
            if scope == "all" or after.current(now) is None:  # a one-off's only occurrence counts as all
                await self.store.set_status(after.id, "cancelled")
                after = await self.keeper.reload(after)
                await self.events.finish(after)
                after = await self.keeper.reload(after)
                await self.keeper.safe_refresh(after)
            else:
                after = await self.keeper.sync_locked(after, refresh=True)
        await self.schedules.put(after)
        following = after.next_start(now) if after.active else None
        if target is not None:
            await self._tell(after, render.cancelled_text(after, target, going, following), going)
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
        sits = [await self._resolve(guild_id, sit)] if sit else await self.store.active(guild_id)
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
        stats = await self.store.stats(guild_id, interaction.user.id, config.timezone)
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
        await self.store.add_log(guild_id, interaction.user.id, minutes, cleaned)
        config = await self.bot.guild_settings.get(guild_id)
        stats = await self.store.stats(guild_id, interaction.user.id, config.timezone)
        log.info("guild=%s user=%s logged %d minutes", guild_id, interaction.user.id, minutes)
        await interaction.response.send_message(
            f"Logged **{plural(minutes, 'minute')}** of practice. That's {plural(stats.minutes, 'minute')} "
            "here in all.",
            ephemeral=True,
        )

    # ------------------------------------------------------------- buttons

    async def _button_sit(self, interaction: discord.Interaction, sit_id: int) -> Sit:
        sit = await self.store.get(sit_id)
        if sit is None or sit.guild_id != interaction.guild_id:
            raise UserError("This sit no longer exists.")
        return sit

    async def on_rsvp(self, interaction: discord.Interaction, sit_id: int, answer: str) -> None:
        # Acknowledge first (no visible change), so a burst of clicks is answered at once; the
        # counts are then edited onto the announcement and the member is told privately.
        await interaction.response.defer()
        sit = await self._button_sit(interaction, sit_id)
        if sit.status == "cancelled":
            raise UserError("This sit was cancelled, so there's nothing to answer.")
        await take_for(interaction, "rsvp")
        now = self.bot.clock()
        start = sit.current(now) if sit.active else None
        if start is None:
            raise UserError("This sit has ended; look for the next one with `/sit list`.")
        previous = await self.store.answer(sit.id, start, interaction.user.id, answer)
        counts = await self.store.counts(sit.id, start)
        await interaction.edit_original_response(
            embed=render.announcement_embed(sit, start, counts, now=now),
            view=announcement_view(sit.id, open_for_answers=True),
        )
        if (
            interaction.message is not None
            and interaction.message.id == sit.announcement_id
            and sit.shown_at != start
        ):
            await self.store.set_shown(sit.id, start)
        label = ANSWER_LABELS[answer]
        at = discord.utils.format_dt(start, "F")
        if previous == answer:
            text = f"You had already answered **{label}** for {at}."
        elif answer == "going":
            title = render.plain(sit.title)
            text = f"You're **going** to **{title}** on {at}. I'll mention you in the reminder."
        elif answer == "maybe":
            text = f"Marked as **maybe** for {at}. Change it any time on the announcement."
        else:
            text = f"Thanks for letting us know you can't make it on {at}."
        log.info("guild=%s user=%s rsvp sit=%s %s", sit.guild_id, interaction.user.id, sit.id, answer)
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
        if sit.rule.next_after(start - timedelta(seconds=1)) != start:
            raise UserError("This isn't one of this sit's times, so there's nothing to count.")
        closing = await self.store.post_of(sit.id, start, "end")
        if closing is not None and interaction.message is not None and interaction.message.id != closing[1]:
            raise UserError("This button isn't on that sit's closing bell, so there's nothing to count.")
        now = self.bot.clock()
        end = sit.ends(start)
        if now < end:
            raise UserError("You can press **I sat** once the sit has ended.")
        if now > end + I_SAT_WINDOW:
            raise UserError(
                "This sit ended more than a day ago, so it can't be counted from here any more. "
                "Log your practice with `/sit log` instead."
            )
        added = await self.store.record_sat(sit, start, interaction.user.id)
        count = await self.store.sat_count(sit.id, start)
        message = interaction.message
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
        await self.voice.on_voice_state_update(member, before, after)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Reconcile voice time with Discord; once per process, settle what happened while down."""
        now = self.bot.clock()
        for guild in self.bot.guilds:
            await self.voice.reconcile(guild, now)
        if self._caught_up:
            return
        self._caught_up = True
        last = 0  # a page at a time, so memory doesn't grow with the number of sits
        while page := await self.store.active_after(last, 200):
            last = page[-1].id
            for sit in (s for s in page if self.bot.owns(s.guild_id)):  # another cluster's guilds are its own
                try:
                    for start in await self.store.untallied_since(sit, now - SESSION_KEEP, now):
                        await self.store.tally(sit, start)
                    await self.keeper.sync(sit)
                except Exception:
                    log.exception("guild=%s sit=%s could not be brought up to date", sit.guild_id, sit.id)

    # --------------------------------------------------------------- privacy

    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        return await self.store.export_user(user_id)

    async def delete_user_data(self, user_id: int) -> int:
        removed, touched = await self.store.delete_user(user_id)
        self.bot.takedowns.kick()
        for sit_id in touched:  # counts changed, or a host's name must leave the announcement
            sit = await self.store.get(sit_id)
            if sit is not None:
                await self.keeper.safe_refresh(sit)
        return removed
