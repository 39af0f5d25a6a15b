"""Steps shared by the check-in behaviour tests: set up, walk through the flow, read threads."""

from __future__ import annotations

from typing import Any

from cogs.checkins.cog import CheckinsCog

ZONE_LABELS = {
    "chaos": "Chaos / revved up",
    "within": "Within my window",
    "rigidity": "Rigidity / shut down",
    "support": "I could use support",
}
HOUR = 3600
DAY = 24 * HOUR


def cog(env: Any) -> CheckinsCog:
    found = env.bot.get_cog("Check-ins")
    assert isinstance(found, CheckinsCog)
    return found


async def set_up_daily(c: Any, *, time: str = "09:00", days: str | None = None, channel: Any = None) -> Any:
    options: dict[str, Any] = {"channel": channel or c.general, "time": time}
    if days is not None:
        options["days"] = days
    result = await c.facilitator.slash(c.general, "checkin setup", **options)
    assert result.ephemeral
    assert "Daily check-ins are on" in result.response.content, result.response.content
    return result


def starters(channel: Any) -> list[Any]:
    """The daily starter messages in ``channel`` (the ones carrying a Check in button)."""
    return [m for m in channel.history() if m.content.startswith("**Check-in · ")]


def thread_names(channel: Any) -> list[str]:
    return [t.name for t in channel.threads]


async def open_flow(actor: Any, where: Any) -> Any:
    """Step 1 via the starter's **Check in** button (a message) or `/checkin now` (a channel)."""
    if hasattr(where, "components") and hasattr(where, "id") and not hasattr(where, "threads"):
        return await actor.click(where, label="Check in")
    return await actor.slash(where, "checkin now")


async def reach_modal(actor: Any, where: Any, zone: str, quadrant: str, word: str) -> Any:
    """Steps 1 and 2: returns the interaction that showed the note modal."""
    step1 = await open_flow(actor, where)
    assert step1.ephemeral
    step2 = await actor.click(step1.response, label=ZONE_LABELS[zone])
    if zone == "support":
        step2 = await actor.click(step2.response, label="Name a feeling and check in")
    picked = await actor.select(step2.response, [quadrant], custom_id=f"checkin:quad:{zone}")
    shown = await actor.select(picked.response, [word], custom_id=f"checkin:word:{zone}:{quadrant}")
    assert shown.modal is not None, shown
    return shown


async def check_in(
    actor: Any,
    where: Any,
    *,
    zone: str = "within",
    quadrant: str = "low_pleasant",
    word: str = "Content",
    note: str | None = None,
    share: bool = False,
) -> Any:
    """The whole three-step flow; returns the modal submission's result."""
    shown = await reach_modal(actor, where, zone, quadrant, word)
    values: dict[str, Any] = {"visibility": ["shared" if share else "private"]}
    if note is not None:
        values["note"] = note
    return await actor.submit_modal(shown, values)


def result_embed(result: Any) -> Any:
    message = result.response
    assert message is not None and message.ephemeral
    assert message.embeds, message
    return message.embeds[0]
