"""The check-in flow's components. Their state lives in ``custom_id`` so they work after a restart.

* ``checkin:start`` — the **Check in** button on the daily starter message.
* ``checkin:zone:<zone>[:go]`` — step 1, the window-of-tolerance zone (``:go`` skips the support
  screen and goes on to the emotion).
* ``checkin:quad:<zone>`` and ``checkin:word:<zone>:<quadrant>`` — step 2, quadrant then word.
* ``checkin:note:<zone>:<word>`` — step 3, the modal (note + visibility); its submissions are handled
  by :class:`cogs.checkins.cog.CheckinsCog` from the custom_id, not by the modal object, so a modal
  opened before a restart still saves afterwards. ``checkin:retry:…`` reopens it.
* ``checkin:alert`` — *Ask someone to reach out*, only ever pressed by the member themself.
* ``checkin:support`` — *Support options* on a result after a heavy feeling or *I could use support*.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import discord

from attune.content import MIXED, Content
from attune.ui import AttuneDynamicItem, AttuneModal, HandlerKey, handler
from cogs.checkins.models import NOTE_LIMIT

MIXED_LABEL = "Not sure / mixed"
NOTE_FIELD = "note"
VISIBILITY_FIELD = "visibility"
NOTE_MODAL = re.compile(r"checkin:note:(?P<zone>[a-z]+):(?P<word>.{1,40})")
NOTE_INPUT_MAX = NOTE_LIMIT  # Discord counts down as the member types, and refuses more


class CheckinHandler(Protocol):
    """What the check-in components need answered (the check-in flow implements it)."""

    async def start(self, interaction: discord.Interaction[Any], *, from_starter: bool = False) -> None: ...

    async def choose_zone(
        self, interaction: discord.Interaction[Any], zone: str, *, skip_support: bool
    ) -> None: ...

    async def choose_quadrant(
        self, interaction: discord.Interaction[Any], zone: str, quadrant: str
    ) -> None: ...

    async def choose_word(self, interaction: discord.Interaction[Any], zone: str, word: str) -> None: ...

    async def show_support(self, interaction: discord.Interaction[Any]) -> None: ...

    async def alert_facilitators(self, interaction: discord.Interaction[Any]) -> None: ...


CHECKIN_HANDLER = HandlerKey[CheckinHandler](
    "check-in components", unavailable="Check-ins are not available right now; please try again in a moment."
)


def _flow(interaction: discord.Interaction[Any]) -> CheckinHandler:
    return handler(interaction, CHECKIN_HANDLER)


# ---------------------------------------------------------------------------- buttons


class StartButton(AttuneDynamicItem[discord.ui.Button[Any]], template=r"checkin:start"):
    """The persistent **Check in** button on the daily starter message."""

    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(
                label="Check in", emoji="🌱", style=discord.ButtonStyle.primary, custom_id="checkin:start"
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> StartButton:
        return cls()

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        await _flow(interaction).start(interaction, from_starter=True)


class ZoneButton(
    AttuneDynamicItem[discord.ui.Button[Any]], template=r"checkin:zone:(?P<zone>[a-z]+)(?P<go>:go)?"
):
    """Step 1: a window-of-tolerance zone."""

    def __init__(self, zone: str, *, label: str = "Zone", emoji: str | None = None, go: bool = False) -> None:
        style = discord.ButtonStyle.success if zone == "support" and not go else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(
                label=label,
                emoji=emoji,
                style=discord.ButtonStyle.primary if go else style,
                custom_id=f"checkin:zone:{zone}{':go' if go else ''}",
            )
        )
        self.zone = zone
        self.go = go

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ZoneButton:
        return cls(match["zone"], go=bool(match["go"]))

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        await _flow(interaction).choose_zone(interaction, self.zone, skip_support=self.go)


class AlertButton(AttuneDynamicItem[discord.ui.Button[Any]], template=r"checkin:alert"):
    """*Ask someone to reach out*: offered to a member who chose *I could use support*, only where a
    facilitators' channel can take the request. A calm button: no alarm colour, no bell."""

    def __init__(self, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="Asked someone to reach out" if disabled else "Ask someone to reach out",
                style=discord.ButtonStyle.secondary if disabled else discord.ButtonStyle.primary,
                custom_id="checkin:alert",
                disabled=disabled,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AlertButton:
        return cls()

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        await _flow(interaction).alert_facilitators(interaction)


class SupportButton(AttuneDynamicItem[discord.ui.Button[Any]], template=r"checkin:support"):
    """*Support options*: the support resources, offered after a heavy feeling or *I could use support*."""

    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(
                label="Support options",
                emoji="🤝",
                style=discord.ButtonStyle.secondary,
                custom_id="checkin:support",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> SupportButton:
        return cls()

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        await _flow(interaction).show_support(interaction)


class RetryButton(
    AttuneDynamicItem[discord.ui.Button[Any]], template=r"checkin:retry:(?P<zone>[a-z]+):(?P<word>.{1,40})"
):
    """Reopens the note modal; still answered for messages from before notes were saved trimmed."""

    def __init__(self, zone: str, word: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Try again",
                emoji="✏️",
                style=discord.ButtonStyle.primary,
                custom_id=f"checkin:retry:{zone}:{word}",
            )
        )
        self.zone = zone
        self.word = word

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> RetryButton:
        return cls(match["zone"], match["word"])

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        await _flow(interaction).choose_word(interaction, self.zone, self.word)


# ---------------------------------------------------------------------------- selects


class QuadrantSelect(AttuneDynamicItem[discord.ui.Select[Any]], template=r"checkin:quad:(?P<zone>[a-z]+)"):
    """Step 2a: the Mood-Meter quadrant (energy × pleasantness)."""

    def __init__(self, zone: str, options: list[discord.SelectOption] | None = None) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=f"checkin:quad:{zone}",
                placeholder="How much energy, and how pleasant?",
                options=options or [discord.SelectOption(label="-", value="-")],
            )
        )
        self.zone = zone

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> QuadrantSelect:
        return cls(match["zone"])

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        chosen = self.item.values[0] if self.item.values else ""
        await _flow(interaction).choose_quadrant(interaction, self.zone, chosen)


class WordSelect(
    AttuneDynamicItem[discord.ui.Select[Any]], template=r"checkin:word:(?P<zone>[a-z]+):(?P<quadrant>[a-z_]+)"
):
    """Step 2b: the feeling word within the chosen quadrant (≤ 25 words, meanings as descriptions)."""

    def __init__(self, zone: str, quadrant: str, options: list[discord.SelectOption] | None = None) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=f"checkin:word:{zone}:{quadrant}",
                placeholder="Which word fits best?",
                options=options or [discord.SelectOption(label="-", value="-")],
            )
        )
        self.zone = zone
        self.quadrant = quadrant

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> WordSelect:
        return cls(match["zone"], match["quadrant"])

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        chosen = self.item.values[0] if self.item.values else ""
        await _flow(interaction).choose_word(interaction, self.zone, chosen)


DYNAMIC_ITEMS: tuple[type[AttuneDynamicItem[Any]], ...] = (
    StartButton,
    ZoneButton,
    AlertButton,
    SupportButton,
    RetryButton,
    QuadrantSelect,
    WordSelect,
)


# ------------------------------------------------------------------------------ modal


class NoteModal(AttuneModal):
    """Step 3: an optional note and who sees the check-in.

    Submissions are handled from the custom_id by the cog's ``on_interaction`` listener (so they
    also work when the bot restarted while the modal was open); this object only draws it.
    """

    def __init__(self, zone: str, word: str, *, thread_open: bool) -> None:
        super().__init__(
            title=f"Check in · {word}"[:45], custom_id=f"checkin:note:{zone}:{word}", timeout=900
        )
        self.add_item(
            discord.ui.Label(
                text="A note (optional)",
                description=f"A few words about what's here — up to {NOTE_LIMIT} characters.",
                component=discord.ui.TextInput(
                    custom_id=NOTE_FIELD,
                    style=discord.TextStyle.paragraph,
                    required=False,
                    max_length=NOTE_INPUT_MAX,
                    placeholder="What's here for you right now?",
                ),
            )
        )
        share_hint = (
            "Posted in today's check-in thread, with your name"
            if thread_open
            else "There's no check-in thread today, so it will stay private"
        )
        self.add_item(
            discord.ui.Label(
                text="Who sees it",
                description="Private check-ins are only ever counted, never shown.",
                component=discord.ui.Select(
                    custom_id=VISIBILITY_FIELD,
                    required=False,
                    options=[
                        discord.SelectOption(
                            label="Keep it private",
                            value="private",
                            emoji="🔒",
                            default=True,
                            description="Only you can see it (facilitators see anonymous counts)",
                        ),
                        discord.SelectOption(
                            label="Share in today's thread",
                            value="shared",
                            emoji="💬",
                            description=share_hint,
                        ),
                    ],
                ),
            )
        )

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Nothing: the cog's listener answers every ``checkin:note:`` submission."""


def submitted_values(data: Any) -> dict[str, Any]:
    """``custom_id -> value`` (text) or ``-> values`` (selects) from a raw modal submission."""
    found: dict[str, Any] = {}

    def walk(nodes: Any) -> None:
        for node in nodes or []:
            if not isinstance(node, dict):
                continue
            if "components" in node:
                walk(node["components"])
            if "component" in node:
                walk([node["component"]])
            custom_id = node.get("custom_id")
            if custom_id is None:
                continue
            if "value" in node:
                found[custom_id] = node["value"]
            elif "values" in node:
                found[custom_id] = list(node["values"])

    walk((data or {}).get("components"))
    return found


# -------------------------------------------------------------------------- builders


def starter_view() -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(StartButton())
    return view


def zone_view(content: Content) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for zone, info in content.checkin.zones.items():
        view.add_item(ZoneButton(zone, label=info.label, emoji=info.emoji))
    return view


def support_view(content: Content, *, alert_sent: bool = False, can_alert: bool = True) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if can_alert or alert_sent:
        view.add_item(AlertButton(disabled=alert_sent))
    view.add_item(ZoneButton("support", label="Name a feeling and check in", emoji="🌱", go=True))
    return view


def emotion_view(content: Content, zone: str, quadrant: str | None) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    quadrant_options = [
        discord.SelectOption(
            label=info.label,
            value=key,
            emoji=info.emoji,
            description=info.description[:100],
            default=key == quadrant,
        )
        for key, info in content.emotions.quadrants.items()
    ]
    if content.emotions.in_quadrant(MIXED):
        quadrant_options.append(
            discord.SelectOption(
                label=MIXED_LABEL,
                value=MIXED,
                emoji="🌫️",
                description="Hard to place, or a bit of everything — see words from the middle",
                default=quadrant == MIXED,
            )
        )
    view.add_item(QuadrantSelect(zone, quadrant_options))
    if quadrant is not None:
        word_options = [
            discord.SelectOption(label=w.word, value=w.word, description=w.meaning[:100])
            for w in content.emotions.in_quadrant(quadrant)[:25]
        ]
        view.add_item(WordSelect(zone, quadrant, word_options))
    return view


def alert_view(*, sent: bool = False) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(AlertButton(disabled=sent))
    return view


def with_support_button(view: discord.ui.View | None) -> discord.ui.View:
    """``view`` (or a new one) with *Support options* added."""
    view = view or discord.ui.View(timeout=None)
    view.add_item(SupportButton())
    return view
