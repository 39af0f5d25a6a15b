"""Answering an interaction in one request when the answer is quick, and in time when it isn't.

Discord gives an interaction three seconds for its first response. Acknowledging first is safe but
costs every answer a second request (the acknowledgement, then the edit or follow-up), and in a
burst of clicks HTTP is a third of the bot's CPU per interaction. :class:`Promptly` acknowledges
only if the answer isn't ready within ``patience`` seconds: a normal answer is one request, and a
stalled database still never lets the interaction expire.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any

import discord

PATIENCE = 1.5  # seconds; half of Discord's three, leaving the acknowledgement time to arrive


class Promptly:
    """``async with Promptly(interaction) as answer: … await answer.edit(...)`` (or ``send``)."""

    def __init__(
        self,
        interaction: discord.Interaction[Any],
        *,
        ephemeral: bool = True,
        thinking: bool = False,
        patience: float = PATIENCE,
    ) -> None:
        self._interaction = interaction
        self._ephemeral = ephemeral
        self._thinking = thinking
        self._patience = patience
        self._timer: asyncio.TimerHandle | None = None
        self._deferring: asyncio.Task[Any] | None = None

    async def __aenter__(self) -> Promptly:
        self._timer = asyncio.get_running_loop().call_later(self._patience, self._acknowledge)
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # On an error too: the error path must know whether the interaction was acknowledged.
        await self._settle()

    def _acknowledge(self) -> None:
        if not self._interaction.response.is_done():
            self._deferring = asyncio.create_task(
                self._interaction.response.defer(ephemeral=self._ephemeral, thinking=self._thinking)
            )

    async def acknowledge(self) -> None:
        """Acknowledge now (before slow work that must come first, like posting in a thread)."""
        if self._timer is not None:
            self._timer.cancel()
        self._acknowledge()
        await self._settle()

    async def _settle(self) -> bool:
        """Stop the timer; whether the interaction has been acknowledged already."""
        if self._timer is not None:
            self._timer.cancel()
        if self._deferring is not None:
            deferring, self._deferring = self._deferring, None
            await deferring
        return self._interaction.response.is_done()

    async def send(self, **kwargs: Any) -> None:
        """A new message (private when ``ephemeral``): the response, or a follow-up after a deferral."""
        if await self._settle():
            await self._interaction.followup.send(ephemeral=self._ephemeral, **kwargs)
        else:
            await self._interaction.response.send_message(ephemeral=self._ephemeral, **kwargs)

    async def edit(self, **kwargs: Any) -> None:
        """Edit the message the component (or the modal's button) is on."""
        if await self._settle():
            await self._interaction.edit_original_response(**kwargs)
        else:
            await self._interaction.response.edit_message(**kwargs)
