"""The wheel's buttons and modals.

Every button is an :class:`AttuneDynamicItem` whose ``custom_id`` carries its state, so it answers
after a restart. Modals are *stateless* too: their ``custom_id`` says what the reflection is for
(``wheel:rm:…``) and the cog handles the submission from it (see ``WheelCog.on_interaction``), so
a reflection typed while the bot restarted is still saved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol

import discord

from attune.content import WheelContent
from attune.errors import UserError
from attune.ui import AttuneDynamicItem, AttuneView, HandlerKey, handler
from cogs.wheel.models import REFLECTION_MAX

SEGMENTS = "hub|senses|interoception|mental|relational"
MODAL_PREFIX = "wheel:rm:"
REFLECTION_FIELD = "reflection"
VISIBILITY_FIELD = "visibility"
#: How long the reflection box lets people type. The same limit is enforced when saving.
INPUT_MAX = REFLECTION_MAX

PRACTICE_LABELS = {"begin": "Begin", "next": "Next", "pause": "Pause", "resume": "Resume", "end": "End"}


class PracticeClicks(Protocol):
    async def click(self, interaction: discord.Interaction[Any], practice_id: str, action: str) -> None: ...


class WheelHandler(Protocol):
    """What the wheel's buttons need answered (the wheel cog implements it)."""

    @property
    def content(self) -> WheelContent: ...

    @property
    def runner(self) -> PracticeClicks: ...

    async def prompt_text(self, interaction: discord.Interaction, message_id: int, segment: str) -> str: ...

    async def journal_message(
        self, user_id: int, page: int
    ) -> tuple[discord.Embed, discord.ui.View | None]: ...


WHEEL_HANDLER = HandlerKey[WheelHandler](
    "wheel buttons",
    unavailable="The Wheel of Awareness is not available right now; please try again later.",
)


def wheel_handler(interaction: discord.Interaction[Any]) -> WheelHandler:
    return handler(interaction, WHEEL_HANDLER)


# ---------------------------------------------------------------------------- practice


class PracticeButton(
    AttuneDynamicItem[discord.ui.Button[Any]],
    template=r"wheel:practice:(?P<pid>[0-9a-f]{8}):(?P<action>begin|next|pause|resume|end)",
):
    """Begin / Next / Pause / Resume / End of one practice (``wheel:practice:<id>:<action>``)."""

    def __init__(self, practice_id: str, action: str) -> None:
        style = {
            "begin": discord.ButtonStyle.primary,
            "next": discord.ButtonStyle.primary,
            "end": discord.ButtonStyle.danger,
        }.get(action, discord.ButtonStyle.secondary)
        super().__init__(
            discord.ui.Button(
                label=PRACTICE_LABELS[action], style=style, custom_id=f"wheel:practice:{practice_id}:{action}"
            )
        )
        self.practice_id = practice_id
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PracticeButton:
        return cls(match["pid"], match["action"])

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        await wheel_handler(interaction).runner.click(interaction, self.practice_id, self.action)


class PracticeReflectButton(
    AttuneDynamicItem[discord.ui.Button[Any]], template=r"wheel:practice-reflect:(?P<length>short|full)"
):
    """Opens the reflection modal after a practice; the reflection goes to the journal."""

    def __init__(self, length: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Reflect",
                emoji="✍️",
                style=discord.ButtonStyle.primary,
                custom_id=f"wheel:practice-reflect:{length}",
            )
        )
        self.length = length

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PracticeReflectButton:
        return cls(match["length"])

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        wheel = wheel_handler(interaction)
        modal = reflection_modal(
            f"{MODAL_PREFIX}practice:{self.length}",
            title="Reflect on your practice",
            intro=wheel.content.closing_reflection,
            with_visibility=False,
        )
        await send_stateless_modal(interaction, modal)


def begin_controls(practice_id: str) -> AttuneView:
    """The introduction's buttons: Begin when ready, or End without starting."""
    view = AttuneView(timeout=None)
    view.add_item(PracticeButton(practice_id, "begin"))
    view.add_item(PracticeButton(practice_id, "end"))
    return view


def practice_controls(practice_id: str, *, paused: bool) -> AttuneView:
    view = AttuneView(timeout=None)
    view.add_item(PracticeButton(practice_id, "next"))
    view.add_item(PracticeButton(practice_id, "resume" if paused else "pause"))
    view.add_item(PracticeButton(practice_id, "end"))
    return view


def reflect_after_practice(length: str) -> AttuneView:
    view = AttuneView(timeout=None)
    view.add_item(PracticeReflectButton(length))
    return view


# ----------------------------------------------------------------------------- prompts


class PromptReflectButton(
    AttuneDynamicItem[discord.ui.Button[Any]],
    template=rf"wheel:reflect:(?P<segment>{SEGMENTS}):(?P<index>\d{{1,3}})",
):
    """The Reflect button under a posted prompt (``wheel:reflect:<segment>:<prompt index>``)."""

    def __init__(self, segment: str, index: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Reflect",
                emoji="✍️",
                style=discord.ButtonStyle.primary,
                custom_id=f"wheel:reflect:{segment}:{index}",
            )
        )
        self.segment = segment
        self.index = index

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PromptReflectButton:
        return cls(match["segment"], int(match["index"]))

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.message is None:  # pragma: no cover - a button always sits on a message
            raise UserError("I can't tell which prompt this is; please use a newer prompt.")
        wheel = wheel_handler(interaction)
        prompt = await wheel.prompt_text(interaction, interaction.message.id, self.segment)
        modal = reflection_modal(
            f"{MODAL_PREFIX}{interaction.message.id}:{self.segment}:{self.index}",
            title="Reflect",
            intro=f"**{prompt}**",
            with_visibility=True,
        )
        await send_stateless_modal(interaction, modal)


def prompt_view(segment: str, index: int) -> AttuneView:
    view = AttuneView(timeout=None)
    view.add_item(PromptReflectButton(segment, index))
    return view


# ----------------------------------------------------------------------------- journal


class JournalPageButton(
    AttuneDynamicItem[discord.ui.Button[Any]],
    template=r"wheel:journal:(?P<user>\d{1,20}):(?P<page>\d{1,6})",
):
    """Newer / Older on a journal page (``wheel:journal:<user id>:<target page>``)."""

    def __init__(self, user_id: int, page: int, *, label: str = "Older", disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"wheel:journal:{user_id}:{page}",
                disabled=disabled,
            )
        )
        self.user_id = user_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> JournalPageButton:
        return cls(int(match["user"]), int(match["page"]))

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.user.id != self.user_id:
            raise UserError("This journal belongs to someone else. Open your own with `/wheel journal`.")
        wheel = wheel_handler(interaction)
        embed, view = await wheel.journal_message(self.user_id, self.page)
        await interaction.response.edit_message(embed=embed, view=view)


def journal_view(user_id: int, page: int, pages: int) -> AttuneView:
    view = AttuneView(timeout=None)
    view.add_item(JournalPageButton(user_id, max(page - 1, 0), label="◀ Newer", disabled=page <= 0))
    view.add_item(JournalPageButton(user_id, page + 1, label="Older ▶", disabled=page + 1 >= pages))
    return view


# ------------------------------------------------------------------------------ modals


def reflection_modal(custom_id: str, *, title: str, intro: str, with_visibility: bool) -> discord.ui.Modal:
    """The reflection form: the prompt, a text box, and (for prompts) who may read it."""
    modal = discord.ui.Modal(title=title[:45], custom_id=custom_id, timeout=None)
    modal.add_item(discord.ui.TextDisplay(intro[:4000]))
    modal.add_item(
        discord.ui.Label(
            text="Your reflection",
            description=f"Up to {REFLECTION_MAX:,} characters.",
            component=discord.ui.TextInput(
                custom_id=REFLECTION_FIELD,
                style=discord.TextStyle.paragraph,
                max_length=INPUT_MAX,
                placeholder="A sensation, a thought, a moment of connection…",
            ),
        )
    )
    if with_visibility:
        choice: discord.ui.Select[Any] = discord.ui.Select(
            custom_id=VISIBILITY_FIELD,
            options=[
                discord.SelectOption(
                    label="Keep it private",
                    value="private",
                    description="Only in your journal (/wheel journal).",
                    default=True,
                ),
                discord.SelectOption(
                    label="Share it in the thread",
                    value="share",
                    description="Also posted in this prompt's thread, under your name.",
                ),
            ],
        )
        modal.add_item(discord.ui.Label(text="Who reads it", component=choice))
    return modal


async def send_stateless_modal(interaction: discord.Interaction[Any], modal: discord.ui.Modal) -> None:
    """Show ``modal`` and drop discord.py's in-memory copy: the cog handles the submission."""
    await interaction.response.send_modal(modal)
    modal.stop()


def modal_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """``custom_id → value`` (text) or ``→ [values]`` (selects) from a raw modal submission."""
    found: dict[str, Any] = {}

    def visit(component: Mapping[str, Any]) -> None:
        if "component" in component:  # a Label
            visit(component["component"])
        for child in component.get("components") or ():  # an action row
            visit(child)
        custom_id = component.get("custom_id")
        if custom_id is None:
            return
        if "value" in component:
            found[custom_id] = component["value"]
        elif "values" in component:
            found[custom_id] = list(component["values"])

    for component in data.get("components") or ():
        visit(component)
    return found
