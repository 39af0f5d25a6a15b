"""The sits' use cases: schedule, edit, cancel, answer, count who sat, settle after downtime.

Each method coordinates the store, the announcement, the native event and the schedules for one
thing a member or facilitator does, and returns a plain outcome the cog renders. Nothing here reads
an interaction or words a reply.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord

from attune.scheduler import PermanentFailure
from cogs.sits import render
from cogs.sits.announcements import Announcements
from cogs.sits.attendance import VoiceTracker
from cogs.sits.drafting import Draft, remap_exclusions
from cogs.sits.events import NativeEvents
from cogs.sits.models import Sit, Stats
from cogs.sits.schedules import SitSchedules, mention_only
from cogs.sits.store import I_SAT_WINDOW, SESSION_KEEP, SitStore

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)


class AnnouncementFailed(Exception):
    """The new sit's announcement couldn't be posted, so nothing was kept; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Scheduled:
    sit: Sit
    jump_url: str
    #: Why the native event couldn't be made, if it couldn't (the sit works without it).
    event_problem: str | None


@dataclass(frozen=True)
class Edited:
    sit: Sit
    #: ``(old start, new start)`` when the next sit moved and its answers moved with it.
    moved: tuple[datetime, datetime] | None


@dataclass(frozen=True)
class Cancelled:
    sit: Sit
    #: The occurrence that was called off (``None`` when a series with nothing ahead was closed).
    target: datetime | None
    #: Who had said Going to it (they were told in the sit's channel).
    going: list[int]
    #: The next sit of the series, if one is left.
    following: datetime | None


@dataclass(frozen=True)
class Answered:
    start: datetime
    previous: str | None
    counts: dict[str, int] = field(default_factory=dict)


class SatRefusal(enum.Enum):
    NOT_AN_OCCURRENCE = "not an occurrence"
    NOT_THE_CLOSING_BELL = "not the closing bell"
    NOT_ENDED = "not ended"
    TOO_LATE = "too late"


@dataclass(frozen=True)
class Sat:
    added: bool
    count: int


class SitService:
    """The use cases of sits, over the store, the announcement, native events and schedules."""

    def __init__(self, bot: AttuneBot) -> None:
        self.bot = bot
        self.store = SitStore(bot.db, bot.clock)
        self.events = NativeEvents(bot, self.store)
        self.announcements = Announcements(bot, self.store, self.events)
        self.voice = VoiceTracker(bot, self.store)
        self.schedules = SitSchedules(bot, self.announcements, self.voice)

    # ------------------------------------------------------------ schedule

    async def schedule(self, guild_id: int, host_id: int, draft: Draft, now: datetime) -> Scheduled:
        """Store the sit, announce it (or keep nothing), make its event and schedules."""
        sit = await self.store.create(guild_id, host_id, draft)
        try:
            message = await self.announcements.announce(sit)
        except (discord.HTTPException, PermanentFailure) as error:
            await self.store.delete(sit.id)
            log.warning("guild=%s sit=%s announcement failed, nothing kept: %s", guild_id, sit.id, error)
            raise AnnouncementFailed(getattr(error, "text", "") or str(error)) from None
        sit = await self.announcements.reload(sit)
        start = sit.current(now)
        problem = await self.events.create(sit, start) if start is not None else None
        sit = await self.announcements.reload(sit)
        await self.schedules.put(sit)
        return Scheduled(sit, message.jump_url, problem)

    # ---------------------------------------------------------------- edit

    async def edit(self, before: Sit, draft: Draft, now: datetime) -> Edited:
        """Apply ``draft``; answers, event, announcement and schedules follow; Going members of a
        moved sit are told where it went."""
        async with self.announcements.lock(before.id):
            after, moved = await self._apply_edit(before, draft, now)
        await self.schedules.put(after)
        if moved is not None:
            going = await self.store.answered(after.id, moved[1], "going")
            if going:
                await self.tell(after, render.moved_text(after, moved[0], moved[1], going), going)
        return Edited(after, moved)

    async def _apply_edit(
        self, before: Sit, draft: Draft, now: datetime
    ) -> tuple[Sit, tuple[datetime, datetime] | None]:
        """Store the change and bring answers, cancellations, event and announcement along."""
        old_start = before.current(now)
        await self.store.update(before.id, draft)
        await self.store.replace_exclusions(before.id, remap_exclusions(before, draft))
        after = await self.announcements.reload(before)
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
        after = await self.announcements.reload(after)
        return await self.announcements.sync_locked(after, refresh=True), moved

    # -------------------------------------------------------------- cancel

    async def cancel(self, chosen: Sit, *, whole_series: bool, now: datetime) -> Cancelled:
        """Call off the next sit (or the series, or a one-off's only sit) and tell who was going."""
        target = chosen.next_start(now)
        going = await self.store.answered(chosen.id, target, "going") if target else []
        async with self.announcements.lock(chosen.id):
            if not whole_series and target is not None:
                await self.store.exclude(chosen.id, target)
                after = await self.announcements.reload(chosen)
                if after.event_at == target:
                    await self.events.finish(after)
                    after = await self.announcements.reload(after)
            else:
                after = chosen
            if whole_series or after.current(now) is None:  # a one-off's only occurrence counts as all
                await self.store.set_status(after.id, "cancelled")
                after = await self.announcements.reload(after)
                await self.events.finish(after)
                after = await self.announcements.reload(after)
                await self.announcements.safe_refresh(after)
            else:
                after = await self.announcements.sync_locked(after, refresh=True)
        await self.schedules.put(after)
        following = after.next_start(now) if after.active else None
        if target is not None:
            await self.tell(after, render.cancelled_text(after, target, going, following), going)
        return Cancelled(after, target, going, following)

    async def tell(self, sit: Sit, text: str, users: list[int]) -> None:
        """Post in the sit's channel, pinging exactly ``users`` (never everyone or roles)."""
        try:
            channel = await self.announcements.postable(sit)
            sent = await channel.send(
                text[:2000],
                allowed_mentions=mention_only(users),
            )
            await self.store.remember_mentions(users[: render.MENTIONS_PER_MESSAGE], sent.channel.id, sent.id)
        except (discord.HTTPException, PermanentFailure) as error:
            log.warning("guild=%s sit=%s could not tell members: %s", sit.guild_id, sit.id, error)

    # ------------------------------------------------------------- answers

    async def answer(self, sit: Sit, start: datetime, user_id: int, answer: str) -> Answered:
        """Record ``answer`` for the occurrence at ``start``; the counts to show on the announcement."""
        previous = await self.store.answer(sit.id, start, user_id, answer)
        return Answered(start, previous, await self.store.counts(sit.id, start))

    async def shown(self, sit: Sit, start: datetime, message_id: int | None) -> None:
        """The announcement (``message_id``) now shows the occurrence at ``start``."""
        if message_id is not None and message_id == sit.announcement_id and sit.shown_at != start:
            await self.store.set_shown(sit.id, start)

    async def i_sat(
        self, sit: Sit, start: datetime, user_id: int, message_id: int | None, now: datetime
    ) -> Sat | SatRefusal:
        """Count ``user_id`` as having sat the occurrence at ``start`` (from its closing bell)."""
        if sit.rule.next_after(start - timedelta(seconds=1)) != start:
            return SatRefusal.NOT_AN_OCCURRENCE
        closing = await self.store.post_of(sit.id, start, "end")
        if closing is not None and message_id is not None and message_id != closing[1]:
            return SatRefusal.NOT_THE_CLOSING_BELL
        end = sit.ends(start)
        if now < end:
            return SatRefusal.NOT_ENDED
        if now > end + I_SAT_WINDOW:
            return SatRefusal.TOO_LATE
        added = await self.store.record_sat(sit, start, user_id)
        return Sat(added, await self.store.sat_count(sit.id, start))

    # ------------------------------------------------------------ start-up

    async def settle(self, now: datetime) -> None:
        """After downtime: tally the sits that ended meanwhile, and bring each announcement and event
        up to date (a page of sits at a time, so memory doesn't grow with their number)."""
        last = 0
        while page := await self.store.active_after(last, 200):
            last = page[-1].id
            for sit in (s for s in page if self.bot.owns(s.guild_id)):  # other clusters settle their own
                try:
                    for start in await self.store.untallied_since(sit, now - SESSION_KEEP, now):
                        await self.store.tally(sit, start)
                    await self.announcements.sync(sit)
                except Exception:
                    log.exception("guild=%s sit=%s could not be brought up to date", sit.guild_id, sit.id)

    # --------------------------------------------------------------- reads

    async def active(self, guild_id: int) -> list[Sit]:
        return await self.store.active(guild_id)

    async def get(self, sit_id: int) -> Sit | None:
        return await self.store.get(sit_id)

    async def counts(self, sit: Sit, start: datetime) -> dict[str, int]:
        return await self.store.counts(sit.id, start)

    async def stats(self, guild_id: int, user_id: int, zone_name: str) -> Stats:
        return await self.store.stats(guild_id, user_id, zone_name)

    async def log_practice(
        self, guild_id: int, user_id: int, minutes: int, note: str | None, zone_name: str
    ) -> Stats:
        """Log solo practice; the member's stats with it counted."""
        await self.store.add_log(guild_id, user_id, minutes, note)
        return await self.store.stats(guild_id, user_id, zone_name)

    # ------------------------------------------------------------- privacy

    async def export_user(self, user_id: int) -> dict[str, Any]:
        return await self.store.export_user(user_id)

    async def delete_user(self, user_id: int) -> int:
        removed, touched = await self.store.delete_user(user_id)
        self.bot.takedowns.kick()
        for sit_id in touched:  # counts changed, or a host's name must leave the announcement
            sit = await self.store.get(sit_id)
            if sit is not None:
                await self.announcements.safe_refresh(sit)
        return removed
