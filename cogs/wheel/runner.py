"""Running practices: one asyncio timer per walk, the buttons that steer it, where it is shown.

A practice is shown *privately*: first as the ephemeral reply to ``/wheel practice``, edited through
the interaction token. A token lives 15 minutes; every button press brings a fresh one. When the
next change of step would come after the token's safe life, the walk moves to a direct message
(which the bot can edit for as long as it likes) while the old token can still say so. If the
member's DMs are closed, the walk pauses instead and asks for a press on **Resume** — which brings
a fresh token. Nothing is ever edited through an expired token.

Practices live in memory only: after a restart their buttons answer that the practice has ended.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import discord

from attune.clock import Clock
from attune.content import WheelContent
from attune.errors import UserError
from cogs.wheel import render
from cogs.wheel.guide import Length, walk
from cogs.wheel.practice import Walk
from cogs.wheel.views import begin_controls, practice_controls, reflect_after_practice

log = logging.getLogger(__name__)

TOKEN_LIFE = timedelta(minutes=15)
#: Edits through a token stop this long before it expires (clock skew, slow requests).
TOKEN_MARGIN = timedelta(seconds=90)

NOT_NOW = "Another time, then. `/wheel practice` starts a walk whenever you like."
ENDED_ANSWER = (
    "This practice is no longer running — it ended, or Attune restarted since. "
    "Start a new one with `/wheel practice`."
)


class Surface(Protocol):
    """Where a practice is shown, and until when it can be edited (``None``: no limit)."""

    @property
    def safe_until(self) -> datetime | None: ...

    async def show(self, *, embed: discord.Embed, view: discord.ui.View | None) -> None: ...


@dataclass
class ResponseSurface:
    """The ephemeral message of an interaction, edited through its token while it is valid."""

    interaction: discord.Interaction[Any]
    received: datetime

    @property
    def safe_until(self) -> datetime | None:
        return self.received + TOKEN_LIFE - TOKEN_MARGIN

    async def show(self, *, embed: discord.Embed, view: discord.ui.View | None) -> None:
        await self.interaction.edit_original_response(content=None, embed=embed, view=view)


@dataclass
class MessageSurface:
    """A direct message from the bot: editable at any time."""

    message: discord.Message

    @property
    def safe_until(self) -> datetime | None:
        return None

    async def show(self, *, embed: discord.Embed, view: discord.ui.View | None) -> None:
        await self.message.edit(content=None, embed=embed, view=view)


@dataclass
class Practice:
    id: str
    user: discord.User | discord.Member
    guild_id: int | None
    length: Length
    walk: Walk
    surface: Surface
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    timer: asyncio.Task[None] | None = None
    over: bool = False
    begun: bool = False  # the introduction is shown until the member presses Begin


class PracticeRunner:
    """Starts, steers and stops practices: at most one per member."""

    def __init__(self, wheel: WheelContent, clock: Clock) -> None:
        self.wheel = wheel
        self.clock = clock
        self.practices: dict[str, Practice] = {}
        self.by_member: dict[int, str] = {}

    # ------------------------------------------------------------------ lifecycle

    async def start(self, interaction: discord.Interaction[Any], length: Length) -> Practice:
        """Begin a walk as the ephemeral reply to ``interaction``; ends the member's previous one."""
        received = self.clock()
        previous = self.practice_of(interaction.user.id)
        practice = Practice(
            id=self._new_id(),
            user=interaction.user,
            guild_id=interaction.guild_id,
            length=length,
            walk=Walk(walk(self.wheel, length), started=received),
            surface=ResponseSurface(interaction, received),
        )
        practice.walk.pause(received)  # the first step's clock starts on Begin
        self.practices[practice.id] = practice
        self.by_member[practice.user.id] = practice.id
        async with practice.lock:
            try:
                await interaction.response.send_message(
                    embed=self._step_embed(practice), view=self._controls(practice), ephemeral=True
                )
            except BaseException:
                self._forget(practice)  # never shown: nothing to steer
                raise
            await self._keep_reachable(practice)
            self._arm(practice)
        if previous is not None:
            async with previous.lock:
                if not previous.over:
                    await self._close(
                        previous,
                        completed=False,
                        note="You started a new practice, so this one ended here.",
                        reflect=False,
                    )
        log.info(
            "wheel practice started guild=%s user=%s length=%s id=%s",
            practice.guild_id,
            practice.user.id,
            length,
            practice.id,
        )
        return practice

    def practice_of(self, user_id: int) -> Practice | None:
        practice_id = self.by_member.get(user_id)
        return self.practices.get(practice_id) if practice_id else None

    async def shutdown(self) -> None:
        """Cancel every timer (cog unload / bot shutdown). Nothing is sent: the network may be gone."""
        timers = [p.timer for p in self.practices.values() if p.timer is not None]
        for practice in self.practices.values():
            practice.over = True
        for timer in timers:
            timer.cancel()
        await asyncio.gather(*timers, return_exceptions=True)
        self.practices.clear()
        self.by_member.clear()

    def _new_id(self) -> str:
        while True:
            candidate = secrets.token_hex(4)
            if candidate not in self.practices:
                return candidate

    # -------------------------------------------------------------------- buttons

    async def click(self, interaction: discord.Interaction[Any], practice_id: str, action: str) -> None:
        """A press on Begin / Next / Pause / Resume / End; answered by updating the practice message."""
        practice = self.practices.get(practice_id)
        if practice is None or practice.over:
            raise UserError(ENDED_ANSWER)
        if practice.user.id != interaction.user.id:
            raise UserError("This practice belongs to someone else. Start your own with `/wheel practice`.")
        async with practice.lock:
            if practice.over:
                raise UserError(ENDED_ANSWER)
            self._disarm(practice)
            now = self.clock()
            walk_ = practice.walk
            if action == "end" and not practice.begun:
                self._forget(practice)
                await interaction.response.edit_message(
                    content=None,
                    embed=render.practice_notice_embed("Wheel of Awareness", NOT_NOW),
                    view=None,
                )
                return
            if action == "end":
                await self._close(practice, completed=False, interaction=interaction)
                return
            if action == "begin" or not practice.begun:
                if not practice.begun:  # a second press on Begin changes nothing
                    practice.begun = True
                    walk_.resume(now)
            elif action == "next" and not walk_.advance(now):
                await self._close(practice, completed=True, interaction=interaction)
                return
            elif action == "pause":
                walk_.pause(now)
            elif action == "resume":
                walk_.resume(now)
            await interaction.response.edit_message(
                content=None, embed=self._step_embed(practice), view=self._controls(practice)
            )
            self._adopt(practice, interaction, now)
            await self._keep_reachable(practice)
            self._arm(practice)
        log.info("wheel practice %s user=%s: %s", practice.id, practice.user.id, action)

    def _adopt(self, practice: Practice, interaction: discord.Interaction[Any], now: datetime) -> None:
        """After a press, edit through the fresh token — unless the practice already lives in a DM."""
        surface = practice.surface
        clicked = interaction.message
        if isinstance(surface, MessageSurface) and clicked is not None and clicked.id == surface.message.id:
            return
        practice.surface = ResponseSurface(interaction, now)

    # --------------------------------------------------------------------- timing

    def _arm(self, practice: Practice) -> None:
        if not practice.over and not practice.walk.paused:
            practice.timer = asyncio.create_task(
                self._tick_on(practice), name=f"wheel-practice-{practice.id}"
            )

    def _disarm(self, practice: Practice) -> None:
        timer = practice.timer
        practice.timer = None
        if timer is not None and timer is not asyncio.current_task():
            timer.cancel()

    async def _tick_on(self, practice: Practice) -> None:
        """Sleep until each step ends, then move on; returns when paused, ended or finished."""
        while True:
            ends = practice.walk.step_ends_at(self.clock())
            if ends is None:
                return
            delay = (ends - self.clock()).total_seconds()
            if delay > 0:
                await asyncio.sleep(delay)
            async with practice.lock:
                if practice.over or practice.timer is not asyncio.current_task():
                    return
                if not practice.walk.advance(self.clock()):
                    await self._close(practice, completed=True)
                    return
                try:
                    await practice.surface.show(
                        embed=self._step_embed(practice), view=self._controls(practice)
                    )
                    await self._keep_reachable(practice)
                except (discord.NotFound, discord.Forbidden) as error:
                    # The message was dismissed or deleted: there is nowhere left to show the walk.
                    log.info("wheel practice %s user=%s stopped: %s", practice.id, practice.user.id, error)
                    self._forget(practice)
                    return
                except discord.HTTPException as error:
                    # Transient (5xx, 429): the walk goes on and the next step is shown as usual.
                    log.warning("wheel practice %s: step not shown: %s", practice.id, error)
                if practice.walk.paused:
                    return

    async def _keep_reachable(self, practice: Practice) -> None:
        """Before the next change is due after the token's safe life, move the walk to a DM."""
        safe_until = practice.surface.safe_until
        ends = practice.walk.step_ends_at(self.clock())
        if safe_until is None or ends is None or ends <= safe_until:
            return
        old = practice.surface
        try:
            message = await practice.user.send(
                embed=self._step_embed(practice), view=self._controls(practice)
            )
        except discord.HTTPException as error:
            log.info("wheel practice %s user=%s: no DM (%s); pausing", practice.id, practice.user.id, error)
            practice.walk.pause(self.clock())
            embed = self._step_embed(practice)
            embed.add_field(
                name="Paused to keep your place",
                value="A private reply can only follow you for about a quarter of an hour, and I couldn't "
                "send you a direct message to carry on there. Press **Resume** to continue here.",
                inline=False,
            )
            await old.show(embed=embed, view=self._controls(practice))
            return
        practice.surface = MessageSurface(message)
        log.info("wheel practice %s user=%s moved to DM", practice.id, practice.user.id)
        try:
            await old.show(
                embed=render.practice_notice_embed(
                    "Wheel of Awareness · continues in your DMs",
                    "A private reply can only follow you for about a quarter of an hour, so your practice "
                    f"carries on in a direct message: {message.jump_url}",
                ),
                view=None,
            )
        except discord.HTTPException as error:
            log.info("wheel practice %s: could not update the old message: %s", practice.id, error)

    # ---------------------------------------------------------------------- ending

    async def _close(
        self,
        practice: Practice,
        *,
        completed: bool,
        interaction: discord.Interaction[Any] | None = None,
        note: str | None = None,
        reflect: bool = True,
    ) -> None:
        """Stop the walk and show its end, with the Reflect button unless ``reflect`` is false."""
        self._disarm(practice)
        self._forget(practice)
        embed = render.practice_closed_embed(
            self.wheel, practice.walk, practice.length, completed=completed, note=note
        )
        shown = reflect_after_practice(practice.length) if reflect else None
        if interaction is not None:
            await interaction.response.edit_message(content=None, embed=embed, view=shown)
        else:
            try:
                await practice.surface.show(embed=embed, view=shown)
            except discord.HTTPException as error:
                log.info("wheel practice %s: could not show its end: %s", practice.id, error)
        log.info(
            "wheel practice %s user=%s %s at step %d/%d",
            practice.id,
            practice.user.id,
            "completed" if completed else "ended",
            practice.walk.number,
            len(practice.walk.steps),
        )

    def _forget(self, practice: Practice) -> None:
        practice.over = True
        self.practices.pop(practice.id, None)
        if self.by_member.get(practice.user.id) == practice.id:
            self.by_member.pop(practice.user.id, None)

    # -------------------------------------------------------------------- rendering

    def _step_embed(self, practice: Practice) -> discord.Embed:
        if not practice.begun:
            total = sum((step.duration for step in practice.walk.steps), timedelta())
            return render.practice_intro_embed(
                self.wheel, practice.length, reaches_dms=total > TOKEN_LIFE - TOKEN_MARGIN
            )
        return render.practice_embed(self.wheel, practice.walk, practice.length, self.clock())

    def _controls(self, practice: Practice) -> discord.ui.View:
        if not practice.begun:
            return begin_controls(practice.id)
        return practice_controls(practice.id, paused=practice.walk.paused)
