"""Handles returned by ``FakeDiscord.invoke_slash`` / ``click_button`` / ``submit_modal``."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .world import EPHEMERAL, LOADING

if TYPE_CHECKING:
    from .server import FakeDiscord

PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5

PONG = 1
CHANNEL_MESSAGE_WITH_SOURCE = 4
DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
APPLICATION_COMMAND_AUTOCOMPLETE_RESULT = 8
MODAL = 9
LAUNCH_ACTIVITY = 12

CALLBACK_NAMES = {
    PONG: "PONG",
    CHANNEL_MESSAGE_WITH_SOURCE: "CHANNEL_MESSAGE_WITH_SOURCE",
    DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE: "DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE",
    DEFERRED_UPDATE_MESSAGE: "DEFERRED_UPDATE_MESSAGE",
    UPDATE_MESSAGE: "UPDATE_MESSAGE",
    APPLICATION_COMMAND_AUTOCOMPLETE_RESULT: "APPLICATION_COMMAND_AUTOCOMPLETE_RESULT",
    MODAL: "MODAL",
}

#: Discord rejects a first response that arrives later than this after the interaction.
INITIAL_RESPONSE_WINDOW = 3.0
#: Interaction tokens (followups, @original edits) stay valid for 15 minutes.
TOKEN_LIFETIME = 15 * 60.0


@dataclass
class InteractionCallback:
    """What the bot POSTed to ``/interactions/{id}/{token}/callback``."""

    type: int
    data: dict[str, Any]
    body: dict[str, Any]
    responded_at: float
    accepted: bool = True
    status: int = 200
    error: dict[str, Any] | None = None
    files: list[str] = field(default_factory=list)

    @property
    def type_name(self) -> str:
        return CALLBACK_NAMES.get(self.type, str(self.type))

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def content(self) -> str | None:
        return self.data.get("content")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.data.get("embeds") or []

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.data.get("components") or []


class InteractionHandle:
    """One interaction the fake dispatched. All timestamps are ``time.perf_counter()``."""

    def __init__(self, fake: FakeDiscord, payload: dict[str, Any]) -> None:
        self._fake = fake
        self.payload = payload
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.guild_id = int(payload["guild_id"]) if payload.get("guild_id") else None
        self.channel_id = int(payload["channel_id"])
        user = payload.get("member", {}).get("user") or payload.get("user") or {}
        self.user_id = int(user["id"])
        self.created_at = time.perf_counter()
        self.created_wall = time.time()
        self.dispatched_at: float | None = None
        self.responded_at: float | None = None
        #: When the member first saw the answer itself: a message, an update, a modal or choices
        #: in the callback, or — after a deferral — the first follow-up or edit.
        self.answered_at: float | None = None
        self.response: InteractionCallback | None = None
        self.rejected_callbacks: list[InteractionCallback] = []
        self.original_message_id: int | None = None
        self.followup_ids: list[int] = []
        self.deferred = False
        self.modal: dict[str, Any] | None = None
        self.autocomplete_choices: list[dict[str, Any]] | None = None

    def __repr__(self) -> str:
        kind = {2: "command", 3: "component", 4: "autocomplete", 5: "modal"}.get(self.type)
        return f"<InteractionHandle id={self.id} type={kind} responded={self.response is not None}>"

    # ---------------------------------------------------------------- timing
    @property
    def latency(self) -> float | None:
        """Seconds from writing INTERACTION_CREATE to receiving the first callback."""
        if self.dispatched_at is None or self.responded_at is None:
            return None
        return self.responded_at - self.dispatched_at

    @property
    def answer_latency(self) -> float | None:
        """Seconds from writing INTERACTION_CREATE to the answer itself (see ``answered_at``)."""
        if self.dispatched_at is None or self.answered_at is None:
            return None
        return self.answered_at - self.dispatched_at

    def mark_answered(self, at: float) -> None:
        if self.answered_at is None:
            self.answered_at = at

    @property
    def message(self) -> dict[str, Any] | None:
        """The message the component/modal interaction was attached to."""
        return self.payload.get("message")

    # -------------------------------------------------------------- messages
    @property
    def original_message(self) -> dict[str, Any] | None:
        if self.original_message_id is None:
            return None
        return self._fake.world.messages.get(self.original_message_id)

    @property
    def followups(self) -> list[dict[str, Any]]:
        world = self._fake.world
        return [world.messages[m] for m in self.followup_ids if m in world.messages]

    # ---------------------------------------------------------------- waiting
    async def wait_dispatched(self, timeout: float = 5.0) -> float:
        await self._fake.wait_for(lambda: self.dispatched_at is not None, timeout)
        assert self.dispatched_at is not None
        return self.dispatched_at

    async def wait_response(self, timeout: float = 5.0) -> InteractionCallback:
        """The first callback the bot sent (accepted or rejected as too late)."""

        def first() -> InteractionCallback | None:
            if self.response is not None:
                return self.response
            return self.rejected_callbacks[0] if self.rejected_callbacks else None

        return await self._fake.wait_for(first, timeout)

    async def wait_followups(self, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        await self._fake.wait_for(lambda: len(self.followups) >= count, timeout)
        return self.followups

    async def wait_original(
        self,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        """The response message once it is final (by default: no longer "thinking")."""

        def check() -> dict[str, Any] | None:
            msg = self.original_message
            if msg is None:
                return None
            if predicate is not None:
                return msg if predicate(msg) else None
            return None if msg["flags"] & LOADING else msg

        return await self._fake.wait_for(check, timeout)
