"""The sit buttons. All are dynamic items: their custom id carries the state, so they keep
working after a restart with no per-message registration.

``sit:{id}:going|maybe|cant`` and ``sit:{id}:ics`` sit on the announcement;
``sit:{id}:{start epoch}:sat`` (I sat) on the closing bell of one occurrence.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Protocol

import discord

from attune.ui import AttuneDynamicItem, HandlerKey, handler
from cogs.sits.models import ANSWER_EMOJI, ANSWER_LABELS, ANSWERS

_STYLES = {
    "going": discord.ButtonStyle.success,
    "maybe": discord.ButtonStyle.primary,
    "cant": discord.ButtonStyle.secondary,
}


class SitHandler(Protocol):
    """What the sit buttons need answered."""

    async def on_rsvp(self, interaction: discord.Interaction, sit_id: int, answer: str) -> None: ...

    async def on_calendar_button(self, interaction: discord.Interaction, sit_id: int) -> None: ...

    async def on_i_sat(self, interaction: discord.Interaction, sit_id: int, start: datetime) -> None: ...


SIT_HANDLER = HandlerKey[SitHandler](
    "sit buttons", unavailable="Sits are not available right now; please try again in a moment."
)


def _sits(interaction: discord.Interaction[Any]) -> SitHandler:
    return handler(interaction, SIT_HANDLER)


class RsvpButton(
    AttuneDynamicItem[discord.ui.Button[Any]], template=r"sit:(?P<sit>\d+):(?P<answer>going|maybe|cant)"
):
    def __init__(self, sit_id: int, answer: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=ANSWER_LABELS[answer],
                emoji=ANSWER_EMOJI[answer],
                style=_STYLES[answer],
                custom_id=f"sit:{sit_id}:{answer}",
            )
        )
        self.sit_id = sit_id
        self.answer = answer

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> RsvpButton:
        return cls(int(match["sit"]), match["answer"])

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        await _sits(interaction).on_rsvp(interaction, self.sit_id, self.answer)


class CalendarButton(AttuneDynamicItem[discord.ui.Button[Any]], template=r"sit:(?P<sit>\d+):ics"):
    def __init__(self, sit_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Add to calendar",
                emoji="📅",
                style=discord.ButtonStyle.secondary,
                custom_id=f"sit:{sit_id}:ics",
            )
        )
        self.sit_id = sit_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> CalendarButton:
        return cls(int(match["sit"]))

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        await _sits(interaction).on_calendar_button(interaction, self.sit_id)


class SatButton(AttuneDynamicItem[discord.ui.Button[Any]], template=r"sit:(?P<sit>\d+):(?P<at>\d{1,12}):sat"):
    def __init__(self, sit_id: int, start: datetime) -> None:
        super().__init__(
            discord.ui.Button(
                label="I sat",
                emoji="🪷",
                style=discord.ButtonStyle.success,
                custom_id=f"sit:{sit_id}:{int(start.timestamp())}:sat",
            )
        )
        self.sit_id = sit_id
        self.start = start

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> SatButton:
        return cls(int(match["sit"]), datetime.fromtimestamp(int(match["at"]), UTC))

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        await _sits(interaction).on_i_sat(interaction, self.sit_id, self.start)


def announcement_view(sit_id: int, *, open_for_answers: bool) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if open_for_answers:
        for answer in ANSWERS:
            view.add_item(RsvpButton(sit_id, answer))
        view.add_item(CalendarButton(sit_id))
    return view


def closing_view(sit_id: int, start: datetime) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(SatButton(sit_id, start))
    return view


DYNAMIC_ITEMS = (RsvpButton, CalendarButton, SatButton)
