"""Forged interactions: what a modified client can send that the official one never would.

Discord passes on any ``custom_id`` a client puts in a component click or a modal submission (it
only fills in the message and the guild itself), so these helpers send such payloads through
simcord, the way an attacker's client would.
"""

from __future__ import annotations

from typing import Any

from simcord.backend import serializers
from simcord.enums import ComponentType, InteractionType


async def forged_click(env: Any, actor: Any, channel: Any, message: Any, custom_id: str) -> Any:
    """Press a button carrying ``custom_id`` on ``message`` (which need not have such a button)."""
    stored = env.backend.get_message(channel.id, message.id)
    return await actor._dispatch_interaction(
        InteractionType.MESSAGE_COMPONENT,
        channel,
        {"custom_id": custom_id, "component_type": ComponentType.BUTTON},
        extra={"message": dict(serializers.message_payload(env.backend, stored))},
        source_message_id=stored.id,
    )


async def forged_modal(actor: Any, channel: Any, custom_id: str, values: dict[str, Any]) -> Any:
    """Submit a modal with ``custom_id`` that the bot never showed to ``actor``."""
    components = []
    for field, value in values.items():
        if isinstance(value, list):
            inner = {"type": ComponentType.STRING_SELECT, "custom_id": field, "values": value}
        else:
            inner = {"type": ComponentType.TEXT_INPUT, "custom_id": field, "value": value}
        components.append({"type": 18, "component": inner})  # a Label around each field
    return await actor._dispatch_interaction(
        InteractionType.MODAL_SUBMIT, channel, {"custom_id": custom_id, "components": components}
    )


def told(result: Any) -> Any:
    """The ephemeral answer the member got (a deferred press answers with a follow-up)."""
    message = result.followups[-1] if result.followups else result.response
    assert message is not None and message.ephemeral, result
    return message
