"""How ``/checkin summary`` reads: one line per closed day, the published days together, the rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import discord

from attune.content import QUADRANTS, ZONES, Content
from cogs.checkins.summary import MEMBERS_STEP, MIN_ACCOUNT_AGE, MIN_CELL, MIN_MEMBERS, DayAggregate


def _count(value: int | None) -> str:
    return f"<{MIN_CELL}" if value is None else str(value)


def _cells_text(emojis: dict[str, str], cells: dict[str, int | None]) -> str:
    return " ".join(f"{emojis[key]} {_count(value)}" for key, value in cells.items())


def _members(members: int | None) -> str:
    low = members or 0
    return f"{low}–{low + MEMBERS_STEP - 1} members"


def _together(values: Iterable[dict[str, int | None]], keys: Sequence[str]) -> dict[str, str]:
    """Period sums of published numbers only; "≥" where some day's cell was under 3."""
    sums: dict[str, str] = {}
    chosen = list(values)
    for key in keys:
        total = sum(v[key] or 0 for v in chosen)
        sums[key] = f"≥{total}" if any(v[key] is None for v in chosen) else str(total)
    return sums


def summary_text(content: Content, days: Sequence[DayAggregate]) -> str:
    """Newest first, one line per day, and the published days together."""
    zone_emoji: dict[str, str] = {key: info.emoji for key, info in content.checkin.zones.items()}
    quadrant_emoji: dict[str, str] = {key: info.emoji for key, info in content.emotions.quadrants.items()}
    lines = []
    for aggregate in sorted(days, key=lambda a: a.day, reverse=True):
        name = f"**{aggregate.day:%a} {aggregate.day.day} {aggregate.day:%b}**"
        if not aggregate.shown or aggregate.zones is None or aggregate.quadrants is None:
            lines.append(f"{name} — not published (fewer than {MIN_MEMBERS} private check-ins)")
            continue
        lines.append(
            f"{name} — {_members(aggregate.members)} · {_cells_text(zone_emoji, aggregate.zones)} · "
            f"{_cells_text(quadrant_emoji, aggregate.quadrants)}"
        )
    shown = [a for a in days if a.shown and a.zones is not None and a.quadrants is not None]
    lines.append("")
    if not shown:
        lines.append("**Period** — no day had enough private check-ins to publish")
    else:
        zones = _together((a.zones for a in shown if a.zones is not None), ZONES)
        quadrants = _together((a.quadrants for a in shown if a.quadrants is not None), QUADRANTS)
        lines.append(
            f"**{len(shown)} published day{'s' if len(shown) != 1 else ''} together** — "
            + " ".join(f"{zone_emoji[k]} {v}" for k, v in zones.items())
            + " · "
            + " ".join(f"{quadrant_emoji[k]} {v}" for k, v in quadrants.items())
        )
    return "\n".join(lines)


RULES = (
    f"Closed days only, never today. Each member counts once a day (their last check-in), only if they "
    f"kept it private; a day is published with {MIN_MEMBERS}+ such members, and numbers under "
    f"{MIN_CELL} show as <{MIN_CELL}. Accounts under {MIN_ACCOUNT_AGE.days} days old aren't counted. "
    "A published day is frozen: later check-ins and deletions don't change it."
)


def summary_embed(content: Content, days: Sequence[DayAggregate], first: date, last: date) -> discord.Embed:
    embed = discord.Embed(
        title=f"Check-ins · {first:%a} {first.day} {first:%b} – {last:%a} {last.day} {last:%b}",
        description=summary_text(content, days)[:4096],
        colour=discord.Colour.teal(),
    )
    zones = " ".join(f"{i.emoji} {i.label}" for i in content.checkin.zones.values())
    quadrants = " ".join(f"{i.emoji} {i.label}" for i in content.emotions.quadrants.values())
    embed.add_field(name="Zones", value=zones[:1024], inline=False)
    embed.add_field(name="Feelings", value=quadrants[:1024], inline=False)
    embed.set_footer(text=RULES)
    return embed
