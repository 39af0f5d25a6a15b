"""The sits' schedule kinds for the scheduler core, and what each delivers.

Every moment is derived from the sit's one stored rule (see :mod:`cogs.sits.rules`):

=====================  ===================  ===========================================  ==============
kind                   when                 does                                         late window
=====================  ===================  ===========================================  ==============
``sits.reminder``      start − reminder     reminder mentioning the Going members        until the start
``sits.start``         start                opening bell (+ the wheel's first step)      10 minutes
``sits.event_start``   start                native event set active                      the sit's length
``sits.guide``         start + offsets      the wheel's next step(s), ``guide: wheel``   2 minutes
``sits.end``           start + duration     attendance tally, closing bell with I sat    2 hours
``sits.rollover``      start + duration     event completed, next event, announcement    1 day
=====================  ===================  ===========================================  ==============

The core claims each occurrence in its ledger before calling us, so each runs at most once; each
deliverer also records its message in ``sit_posts`` and looks there first, so a retry after a crash
between posting and confirming finds the post instead of posting again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord

from attune.channels import Posted, post_once
from attune.scheduler import Occurrence, Plan, window_deadline
from cogs.sits import render
from cogs.sits.announcements import Announcements
from cogs.sits.attendance import VoiceTracker
from cogs.sits.guide_posts import GuidePost, guide_posts
from cogs.sits.models import Sit
from cogs.sits.rules import Offsets, Shifted, occurs_at
from cogs.sits.views import closing_view

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)

REMINDER = "sits.reminder"
START = "sits.start"
EVENT_START = "sits.event_start"
GUIDE = "sits.guide"
END = "sits.end"
ROLLOVER = "sits.rollover"
KINDS = (REMINDER, START, EVENT_START, GUIDE, END, ROLLOVER)
GROUP = "sits"  # the scheduler job shared by a sit's moments: "sits:{id}"

START_GRACE = timedelta(minutes=10)
GUIDE_GRACE = timedelta(minutes=2)
END_GRACE = timedelta(hours=2)
ROLLOVER_GRACE = timedelta(days=1)


def plans_for(sit: Sit, posts: list[GuidePost]) -> dict[str, Plan | None]:
    """Every schedule of one sit (``None`` where a kind doesn't apply to it)."""
    rule = sit.rule
    key, since, guild = str(sit.id), sit.updated_at, sit.guild_id
    lead = timedelta(minutes=sit.reminder_min)
    reminder = Plan(key, Shifted(rule, -lead, window=lead), since, guild, lead) if sit.reminder_min else None
    later = tuple(post.offset for post in posts[1:])
    guide = Plan(key, Offsets(rule, later), since, guild) if sit.guide == "wheel" and later else None
    return {
        REMINDER: reminder,
        START: Plan(key, Shifted(rule), since, guild),
        EVENT_START: Plan(key, Shifted(rule, window=sit.length), since, guild, sit.length),
        GUIDE: guide,
        END: Plan(key, Shifted(rule, sit.length), since, guild),
        ROLLOVER: Plan(key, Shifted(rule, sit.length), since, guild),
    }


def mention_only(user_ids: list[int]) -> discord.AllowedMentions:
    """Pings for exactly these members: never everyone, never roles."""
    return discord.AllowedMentions(
        everyone=False, roles=False, replied_user=False, users=[discord.Object(u) for u in user_ids]
    )


class SitSchedules:
    def __init__(self, bot: AttuneBot, announcements: Announcements, voice: VoiceTracker) -> None:
        self.bot = bot
        self.announcements = announcements
        self.store = announcements.store
        self.voice = voice
        self._posts: dict[int, list[GuidePost]] = {}

    # ---------------------------------------------------------------- plans

    def posts(self, sit: Sit) -> list[GuidePost]:
        """The wheel guide's posts for a wheel-guided sit (cached per length: they depend on nothing else)."""
        if sit.guide != "wheel":
            return []
        if sit.duration_min not in self._posts:
            self._posts[sit.duration_min] = guide_posts(self.bot.content.wheel, sit.duration_min)
        return self._posts[sit.duration_min]

    def register(self) -> None:
        """One schedule kind per moment, one loader for the group (``sits``): a sit is read once."""
        scheduler = self.bot.scheduler
        scheduler.register_group(GROUP, load=self.load)
        deliverers = {
            REMINDER: self.deliver_reminder,
            START: self.deliver_start,
            EVENT_START: self.deliver_event_start,
            GUIDE: self.deliver_guide,
            END: self.deliver_end,
            ROLLOVER: self.deliver_rollover,
        }
        for kind, deliver in deliverers.items():
            windowed = kind in (REMINDER, EVENT_START)
            scheduler.register(
                kind,
                deliver=deliver,
                grace={START: START_GRACE, GUIDE: GUIDE_GRACE, END: END_GRACE}.get(kind, ROLLOVER_GRACE),
                deadline=window_deadline if windowed else None,
                group=GROUP,
            )

    async def load(self, keys: Collection[str] | None) -> dict[str, list[Plan]]:
        """The plans per kind of these active sits (every active sit when ``keys`` is ``None``)."""
        sits = await self.store.active(ids=None if keys is None else [int(k) for k in keys])
        found: dict[str, list[Plan]] = {kind: [] for kind in KINDS}
        for sit in sits:
            for kind, plan in plans_for(sit, self.posts(sit)).items():
                if plan is not None:
                    found[kind].append(plan)
        return found

    async def put(self, sit: Sit) -> None:
        """(Re)schedule every moment of ``sit`` after it was created or changed."""
        if not sit.active:
            await self.drop(sit.id)
            return
        for kind, plan in plans_for(sit, self.posts(sit)).items():
            if plan is None:
                await self.bot.scheduler.remove(kind, str(sit.id))
            else:
                await self.bot.scheduler.put(kind, plan)

    async def drop(self, sit_id: int) -> None:
        for kind in KINDS:
            await self.bot.scheduler.remove(kind, str(sit_id))

    # ----------------------------------------------------------- deliverers

    async def _sit_at(self, occurrence: Occurrence, start: datetime) -> Sit | None:
        """The sit, if ``start`` is (still) one of its occurrences; an ended one-off still counts."""
        sit = await self.store.get(int(occurrence.key))
        if sit is None or sit.status == "cancelled" or not occurs_at(sit.rule, start):
            return None
        return sit

    async def deliver_reminder(self, occurrence: Occurrence) -> str:
        sit = await self.store.get(int(occurrence.key))
        if sit is None:
            return "sit gone"
        start = occurrence.at + timedelta(minutes=sit.reminder_min)
        if await self._sit_at(occurrence, start) is None:
            return "not an occurrence any more"
        going = await self.store.answered(sit.id, start, "going")
        first = going[: render.MENTIONS_PER_MESSAGE]
        posted = await self._post_once(
            sit,
            start,
            "reminder",
            lambda channel: channel.send(
                render.reminder_text(sit, start, going, late=occurrence.late),
                nonce=occurrence.nonce,
                allowed_mentions=mention_only(first),
            ),
        )
        if posted.message is None:
            return f"already posted {posted.message_id}"
        message, channel = posted.message, posted.message.channel
        chunks = render.mention_chunks(going)
        await self.store.remember_mentions(first, message.channel.id, message.id)
        for index, chunk in enumerate(chunks[1:], start=1):
            batch = going[index * render.MENTIONS_PER_MESSAGE : (index + 1) * render.MENTIONS_PER_MESSAGE]
            more = await channel.send(chunk, allowed_mentions=mention_only(batch))
            await self.store.remember_mentions(batch, more.channel.id, more.id)
        log.info("guild=%s sit=%s reminder for %s, %d going", sit.guild_id, sit.id, start, len(going))
        return str(message.id)

    async def deliver_start(self, occurrence: Occurrence) -> str:
        start = occurrence.at
        sit = await self._sit_at(occurrence, start)
        if sit is None:
            return "not an occurrence any more"
        await self.voice.snapshot(sit, self.bot.clock())
        words = render.pick(self.bot.content.sits.opening_words, sit, start)
        posted = await self._post_once(
            sit,
            start,
            "start",
            lambda channel: channel.send(
                render.opening_text(sit, start, words, late=occurrence.late), nonce=occurrence.nonce
            ),
        )
        if posted.message is None:
            return f"already posted {posted.message_id}"
        posts = self.posts(sit)
        if posts:
            await self._post_guide(sit, start, posts[0])
        await self.announcements.safe_refresh(sit)  # "happening now"
        log.info("guild=%s sit=%s opening bell for %s", sit.guild_id, sit.id, start)
        return str(posted.message_id)

    async def _post_once(
        self,
        sit: Sit,
        start: datetime,
        part: str,
        send: Callable[[discord.abc.Messageable], Awaitable[discord.Message]],
    ) -> Posted:
        """Post ``part`` of the occurrence at ``start`` unless ``sit_posts`` says it is already made."""

        async def to_channel() -> discord.Message:
            return await send(await self.announcements.postable(sit))

        return await post_once(
            lambda: self.store.post_of(sit.id, start, part),
            to_channel,
            lambda message: self.store.remember_post(sit.id, start, part, message.channel.id, message.id),
        )

    async def _post_guide(self, sit: Sit, start: datetime, post: GuidePost) -> str:
        posted = await self._post_once(
            sit, start, f"guide:{post.index}", lambda channel: channel.send(embed=render.guide_embed(post))
        )
        return f"already posted {posted.message_id}" if posted.earlier else str(posted.message_id)

    async def deliver_guide(self, occurrence: Occurrence) -> str:
        sit = await self.store.get(int(occurrence.key))
        if sit is None or sit.status == "cancelled":
            return "sit gone"
        posts = self.posts(sit)
        located = Offsets(sit.rule, tuple(p.offset for p in posts[1:])).locate(occurrence.at)
        if located is None:
            return "not a step of this sit any more"
        start, index = located
        return await self._post_guide(sit, start, posts[index + 1])

    async def deliver_event_start(self, occurrence: Occurrence) -> str:
        sit = await self._sit_at(occurrence, occurrence.at)
        if sit is None:
            return "not an occurrence any more"
        return await self.announcements.events.begin(sit, occurrence.at)

    async def deliver_end(self, occurrence: Occurrence) -> str:
        sit = await self.store.get(int(occurrence.key))
        if sit is None:
            return "sit gone"
        start = occurrence.at - sit.length
        if await self._sit_at(occurrence, start) is None:
            return "not an occurrence any more"
        count = await self.store.tally(sit, start)
        words = render.pick(self.bot.content.sits.closing_words, sit, start)
        posted = await self._post_once(
            sit,
            start,
            "end",
            lambda channel: channel.send(
                render.closing_text(sit, start, words, count, late=occurrence.late),
                view=closing_view(sit.id, start),
                nonce=occurrence.nonce,
            ),
        )
        if posted.earlier:
            return f"already posted {posted.message_id}"
        log.info("guild=%s sit=%s closing bell for %s: %d sat", sit.guild_id, sit.id, start, count)
        return str(posted.message_id)

    async def deliver_rollover(self, occurrence: Occurrence) -> str:
        sit = await self.store.get(int(occurrence.key))
        if sit is None or not sit.active:
            return "sit gone"
        after = await self.announcements.sync(sit)
        return f"now showing {after.shown_at.isoformat() if after.shown_at else 'nothing'} ({after.status})"
