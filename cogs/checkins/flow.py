"""The check-in flow: zone → emotion (quadrant, word) → note and visibility, then save and share.

Every step answers ephemerally and carries its state in custom_ids (see ``views``), so a member can
finish a check-in that they started before a restart. Nothing is stored until the last step.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import discord

from attune.content import MIXED, QUADRANTS, ZONES, Content, EmotionWord
from attune.cooldowns import OnCooldown, take_for
from attune.errors import UserError
from attune.promptly import Promptly
from attune.when import local_date_of
from cogs.checkins import render
from cogs.checkins.alerts import SupportAlerts
from cogs.checkins.in_order import InOrder, Turn
from cogs.checkins.models import VISIBILITIES, DayThread, NewCheckin, clean_note, trim_note
from cogs.checkins.store import CheckinStore
from cogs.checkins.views import (
    NOTE_FIELD,
    VISIBILITY_FIELD,
    NoteModal,
    alert_view,
    emotion_view,
    support_view,
    with_support_button,
    zone_view,
)

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)

EXPIRED = (
    "That check-in step is no longer valid (the feeling words may have changed). "
    "Start again with the **Check in** button or `/checkin now`."
)
PAUSED_NOTICE = (
    "⚠️ I couldn't send your check-in reminder because your direct messages are closed, so I've "
    "paused it. To get reminders, allow direct messages from this server's members (server name → "
    "Privacy Settings), then run `/checkin remind` again."
)


class CheckinFlow:
    def __init__(self, bot: AttuneBot, store: CheckinStore) -> None:
        self.bot = bot
        self.store = store
        self.alerts = SupportAlerts(bot)
        self._sharing = InOrder()

    @property
    def content(self) -> Content:
        return self.bot.content

    # ----------------------------------------------------------------- helpers

    async def reminder_notice(self, user_id: int) -> str:
        """The one-time note that a reminder was paused (closed DMs), or ``""``."""
        return PAUSED_NOTICE if await self.store.take_pause_notice(user_id) else ""

    async def community_zone(self, guild_id: int) -> ZoneInfo:
        """The zone the guild's daily threads are dated in (the setup's, else the guild's)."""
        setup = await self.store.get_setup(guild_id)
        if setup is not None:
            return ZoneInfo(setup.timezone)
        return (await self.bot.guild_settings.get(guild_id)).zone

    async def today_thread(self, guild_id: int) -> DayThread | None:
        """Today's open check-in thread in this guild, if one was opened."""
        day = local_date_of(self.bot.clock(), await self.community_zone(guild_id))
        thread = await self.store.day_thread(guild_id, day)
        return thread if thread is not None and thread.thread_id is not None else None

    async def guild_of(self, interaction: discord.Interaction[Any]) -> int:
        """The server a check-in is for: where it happens, or — from a DM reminder — the reminder's."""
        if interaction.guild_id is not None:
            return interaction.guild_id
        reminder = await self.store.get_reminder(interaction.user.id)
        if reminder is not None and self.bot.get_guild(reminder.guild_id) is not None:
            return reminder.guild_id
        raise UserError(
            "Checking in from direct messages works for the server your check-in reminder comes from. "
            "Check in from your server with **Check in** or `/checkin now`."
        )

    def _zone(self, zone: str) -> str:
        if zone not in ZONES:
            raise UserError(EXPIRED)
        return zone

    def _emotion(self, word: str) -> EmotionWord:
        emotion = self.content.emotions.find(word)
        if emotion is None:
            raise UserError(EXPIRED)
        return emotion

    # ------------------------------------------------------------------- steps

    async def start(self, interaction: discord.Interaction[Any], *, from_starter: bool = False) -> None:
        """Step 1: the four zones."""
        await self.guild_of(interaction)
        notice = await self.reminder_notice(interaction.user.id)
        text = render.zone_step(self.content, from_starter=from_starter and interaction.guild_id is not None)
        await interaction.response.send_message(
            f"{notice}\n\n{text}" if notice else text, view=zone_view(self.content), ephemeral=True
        )

    async def choose_zone(
        self, interaction: discord.Interaction[Any], zone: str, *, skip_support: bool
    ) -> None:
        guild_id = await self.guild_of(interaction)
        self._zone(zone)
        if zone == "support" and not skip_support:
            config = await self.bot.guild_settings.get(guild_id)
            text = self.content.support.text_for(config.support_text)
            await interaction.response.edit_message(
                content=None,
                embed=render.support_embed(self.content, text),
                view=support_view(self.content, can_alert=await self.alerts.can_alert(guild_id)),
            )
            return
        await interaction.response.edit_message(
            content=render.emotion_step(self.content, zone, None),
            embed=None,
            view=emotion_view(self.content, zone, None),
        )

    async def choose_quadrant(self, interaction: discord.Interaction[Any], zone: str, quadrant: str) -> None:
        await self.guild_of(interaction)
        self._zone(zone)
        if quadrant not in QUADRANTS and quadrant != MIXED:
            raise UserError(EXPIRED)
        await interaction.response.edit_message(
            content=render.emotion_step(self.content, zone, quadrant),
            embed=None,
            view=emotion_view(self.content, zone, quadrant),
        )

    async def choose_word(self, interaction: discord.Interaction[Any], zone: str, word: str) -> None:
        """Step 3: the modal with the note and who sees it."""
        guild_id = await self.guild_of(interaction)
        self._zone(zone)
        emotion = self._emotion(word)
        thread_open = await self.today_thread(guild_id) is not None
        await interaction.response.send_modal(NoteModal(zone, emotion.word, thread_open=thread_open))

    async def submit(
        self, interaction: discord.Interaction[Any], zone: str, word: str, values: dict[str, Any]
    ) -> None:
        """The modal came back: save (and share), then answer with a suggestion for the zone.

        A note over the limit (only possible from an older or unusual client) is trimmed, never a
        reason to lose the check-in: the member is shown what was cut, so nothing typed is lost.
        A private check-in is answered in one request (acknowledged first only if saving is slow).
        """
        async with Promptly(interaction, thinking=interaction.message is None) as reply:
            await self._save_and_answer(interaction, reply, zone, word, values)

    async def _save_and_answer(
        self,
        interaction: discord.Interaction[Any],
        reply: Promptly,
        zone: str,
        word: str,
        values: dict[str, Any],
    ) -> None:
        guild_id = await self.guild_of(interaction)
        self._zone(zone)
        emotion = self._emotion(word)
        note, cut = trim_note(clean_note(values.get(NOTE_FIELD)))
        chosen = values.get(VISIBILITY_FIELD) or ["private"]
        visibility = chosen[0] if chosen and chosen[0] in VISIBILITIES else "private"
        held_back: str | None = None
        if visibility == "shared":
            try:
                await take_for(interaction, "checkin-share")
            except OnCooldown as error:
                visibility = "private"
                held_back = (
                    "🔒 Kept private this time — nothing is lost. You can share in the thread again "
                    f"{discord.utils.format_dt(error.retry_at, 'R')}."
                )
        # A place in line, taken before anything is awaited: shares post in the order they arrived.
        turn = self._sharing.take(guild_id) if visibility == "shared" else None
        try:
            if turn is not None:  # the share waits its turn to post: acknowledge at once
                await reply.acknowledge()
            now = self.bot.clock()
            config = await self.bot.guild_settings.get(guild_id)
            local_date = local_date_of(now, config.zone)
            outcome = held_back or "🔒 Kept private: only you can see it."
            shared: discord.Message | None = None
            if turn is not None:
                shared, outcome = await self._share_in_turn(interaction, turn, zone, emotion, note)
                if shared is None:
                    visibility = "private"
        finally:
            if turn is not None:
                turn.release()
        checkin = NewCheckin(
            guild_id=guild_id,
            user_id=interaction.user.id,
            created_at=now,
            local_date=local_date,
            zone=zone,
            word=emotion.word,
            quadrant=emotion.quadrant,
            energy=emotion.energy,
            pleasantness=emotion.pleasantness,
            note=note,
            visibility=visibility,
            shared_channel_id=shared.channel.id if shared else None,
            shared_message_id=shared.id if shared else None,
        )
        try:
            await self.store.add_checkin(checkin)
        except BaseException:
            if shared is not None:
                await _quietly_delete(shared)
            raise
        log.info("check-in saved guild=%s user=%s visibility=%s", guild_id, interaction.user.id, visibility)

        count = await self.store.count_for_member(guild_id, interaction.user.id)
        suggestions = getattr(self.content.regulation, zone)
        can_alert = zone == "support" and await self.alerts.can_alert(guild_id)
        embed = render.result_embed(
            self.content,
            zone,
            emotion,
            outcome=outcome,
            suggestion=suggestions[(count - 1) % len(suggestions)],
        )
        paused = await self.reminder_notice(interaction.user.id)
        notice = "\n\n".join(part for part in (paused, render.trimmed_note(cut)) if part)
        view = alert_view() if can_alert else None
        if zone == "support" or emotion.heavy:
            view = with_support_button(view)
        if interaction.message is not None:
            await reply.edit(content=notice or None, embed=embed, view=view)
        else:
            await reply.send(
                content=notice or discord.utils.MISSING, embed=embed, view=view or discord.utils.MISSING
            )

    async def _share_in_turn(
        self,
        interaction: discord.Interaction[Any],
        turn: Turn,
        zone: str,
        emotion: EmotionWord,
        note: str | None,
    ) -> tuple[discord.Message | None, str]:
        """Post the shared line once the shares submitted before it are out; the post and what to say."""
        guild_id = await self.guild_of(interaction)
        thread = await self.today_thread(guild_id)
        if thread is None or thread.thread_id is None:
            return None, "🔒 There's no check-in thread open today, so I kept this private — nothing is lost."
        async with turn:
            shared = await self._share(interaction, thread.thread_id, zone, emotion, note)
        if shared is None:
            return None, "🔒 I couldn't post in today's thread, so I kept this private — nothing is lost."
        return shared, f"💬 Shared in <#{thread.thread_id}>."

    async def _share(
        self,
        interaction: discord.Interaction[Any],
        thread_id: int,
        zone: str,
        emotion: EmotionWord,
        note: str | None,
    ) -> discord.Message | None:
        name = getattr(interaction.user, "display_name", interaction.user.name)
        embed = render.shared_embed(self.content, name, zone, emotion, note)
        thread = self.bot.get_partial_messageable(thread_id, guild_id=interaction.guild_id)
        try:
            return await thread.send(embed=embed, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as error:
            log.warning(
                "could not share check-in guild=%s user=%s thread=%s: %s",
                interaction.guild_id,
                interaction.user.id,
                thread_id,
                error.status,
            )
            return None

    # ------------------------------------------------------------------ support

    async def show_support(self, interaction: discord.Interaction[Any]) -> None:
        """*Support options* on a result: the support text (with its safety lines), privately."""
        guild_id = await self.guild_of(interaction)
        config = await self.bot.guild_settings.get(guild_id)
        text = self.content.support.text_for(config.support_text)
        can_alert = await self.alerts.can_alert(guild_id)
        await interaction.response.send_message(
            embed=render.support_embed(self.content, text),
            view=alert_view() if can_alert else discord.utils.MISSING,
            ephemeral=True,
        )

    async def alert_facilitators(self, interaction: discord.Interaction[Any]) -> None:
        """Only on the member's own press: ask the facilitators to reach out (no details shared)."""
        guild_id = await self.guild_of(interaction)
        await interaction.response.defer()
        await self.alerts.send(guild_id, interaction.user)
        await interaction.edit_original_response(view=_with_alert_sent(interaction.message, self.content))
        await interaction.followup.send(self.content.support.alert_sent, ephemeral=True)


def _with_alert_sent(message: discord.Message | None, content: Content) -> discord.ui.View:
    """The same buttons as before, with *Ask someone to reach out* shown as done."""
    for row in message.components if message is not None else []:
        for child in getattr(row, "children", []):
            if getattr(child, "custom_id", None) == "checkin:zone:support:go":
                return support_view(content, alert_sent=True)
    return alert_view(sent=True)


async def _quietly_delete(message: discord.Message) -> None:
    try:
        await message.delete()
    except discord.HTTPException:
        log.warning("could not take down shared check-in %s after a failed save", message.id)
