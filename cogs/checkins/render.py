"""What check-ins look like in Discord: texts and embeds, built from content and plain values."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Literal

import discord

from attune.content import MIXED, QUADRANTS, ZONES, Content, EmotionWord
from attune.text import inert
from attune.when import WEEKDAY_NAMES
from cogs.checkins.models import NOTE_LIMIT
from cogs.checkins.stats import HistoryData
from cogs.checkins.summary import MEMBERS_STEP, MIN_ACCOUNT_AGE, MIN_CELL, MIN_MEMBERS, DayAggregate

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440


def long_date(day: date) -> str:
    """``Wednesday 25 November`` (English, independent of the process locale)."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}"


def short_date(day: date) -> str:
    return f"{WEEKDAY_NAMES[day.weekday()][:3]} {day.day} {MONTH_NAMES[day.month - 1][:3]}"


def thread_name(day: date) -> str:
    return f"Check-in · {long_date(day)}"


def prompt_for(content: Content, day: date) -> str:
    """The day's starter prompt: rotates through the list, one step per calendar day."""
    prompts = content.checkin.prompts
    return prompts[day.toordinal() % len(prompts)]


def starter_text(content: Content, day: date, *, late: bool) -> str:
    lines = [f"**{thread_name(day)}**", prompt_for(content, day)]
    if late:
        lines.append("-# Opened a little late today: I was offline at the usual time.")
    lines.append(f"-# {content.checkin.not_clinical}")
    return "\n".join(lines)


def colour_of(content: Content, quadrant: str) -> discord.Colour:
    return discord.Colour.from_str(content.emotions.quadrants[quadrant].colour)  # type: ignore[index]


def zone_step(content: Content, *, from_starter: bool = False) -> str:
    """Step 1. The not-clinical line is on the starter message; ``/checkin now`` has none, so it's here."""
    lines = ["**Step 1 of 3 — where are you in your window of tolerance right now?**"]
    for info in content.checkin.zones.values():
        lines.append(f"{info.emoji} **{info.label}** — {info.description}")
    if not from_starter:
        lines.append(f"-# {content.checkin.not_clinical}")
    return "\n".join(lines)


def emotion_step(content: Content, zone: str, quadrant: str | None) -> str:
    info = content.checkin.zones[zone]  # type: ignore[index]
    lines = [
        f"{info.emoji} {info.label}",
        "**Step 2 of 3 — which feeling is closest?** First how much energy and how pleasant, then a word.",
    ]
    if quadrant == MIXED:
        lines.append(
            "🌫️ *Not sure / mixed* — that's a real answer too. These words sit near the middle of the "
            "map; pick the one that comes closest, and let it be rough."
        )
    elif quadrant is not None:
        chosen = content.emotions.quadrants[quadrant]  # type: ignore[index]
        lines.append(f"{chosen.emoji} *{chosen.label}* — {chosen.description}")
    return "\n".join(lines)


def support_embed(content: Content, support_text: str) -> discord.Embed:
    embed = discord.Embed(
        title="You don't have to hold this alone",
        description=discord.utils.escape_mentions(support_text)[:4000],
        colour=discord.Colour.from_str("#8e6cc1"),
    )
    return embed


def quote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines())


def safe_user_text(text: str) -> str:
    """Member-typed text made inert: no mentions (not even rendered ones), no markdown."""
    return inert(text)


def shared_embed(
    content: Content, name: str, zone: str, emotion: EmotionWord, note: str | None
) -> discord.Embed:
    """The compact line posted in today's thread when a member shares a check-in."""
    zone_info = content.checkin.zones[zone]  # type: ignore[index]
    quadrant = content.emotions.quadrants[emotion.quadrant]
    who = safe_user_text(name)
    line = f"{quadrant.emoji} **{who}** is feeling *{emotion.word.lower()}* and {zone_info.phrase}."
    if note:
        line += "\n" + quote(safe_user_text(note))
    return discord.Embed(description=line[:4096], colour=colour_of(content, emotion.quadrant))


def streak_text(days: int) -> str | None:
    """A run of days, said gently, and only when there is a run to speak of (never 0 or 1)."""
    if days < 2:
        return None
    return f"You've checked in {days} days in a row."


def result_embed(
    content: Content,
    zone: str,
    emotion: EmotionWord,
    *,
    outcome: str,
    suggestion: str,
    can_alert: bool = True,
) -> discord.Embed:
    """What a member sees after checking in: what they named, where it went, one thing to try.

    No streak or score here: a member who just named distress is not shown a number.
    """
    zone_info = content.checkin.zones[zone]  # type: ignore[index]
    quadrant = content.emotions.quadrants[emotion.quadrant]
    embed = discord.Embed(
        title=f"Checked in — feeling {emotion.word.lower()}",
        description=(
            f"{zone_info.emoji} {zone_info.label} · {quadrant.emoji} {quadrant.label}\n"
            f"*{emotion.meaning}*\n\n{outcome}"
        ),
        colour=colour_of(content, emotion.quadrant),
    )
    embed.add_field(name="Something you could try", value=suggestion[:1024], inline=False)
    if zone == "support" or emotion.heavy:
        embed.add_field(name="You're not alone with this", value=SUPPORT_LINE, inline=False)
    return embed


def trimmed_note(cut: str) -> str:
    """The part of a note that didn't fit, handed back so the member can keep it (``""`` if none)."""
    if not cut:
        return ""
    shown = cut.replace("```", "'''")
    if len(shown) > 1500:
        shown = shown[:1500] + "…"
    return (
        f"✂️ Your note was longer than {NOTE_LIMIT} characters, so I saved your check-in with the first "
        f"{NOTE_LIMIT}. Here is the rest, so you can keep it:\n```\n{shown}\n```"
    )


SUPPORT_LINE = (
    "Thank you for naming it. If it would help to talk with someone, **Support options** shows where "
    "you can turn, now or later."
)


# --------------------------------------------------------------------------- history


def history_embed(content: Content, data: HistoryData, summary: str, *, filename: str) -> discord.Embed:
    embed = discord.Embed(
        title=f"Your check-ins · {short_date(data.first_day)} – {short_date(data.last_day)}",
        description=summary[:4096],
        colour=discord.Colour.teal(),
    )
    run = streak_text(data.streak)
    if run is not None:
        embed.add_field(name="Showing up", value=run)
    if data.top_words:
        embed.add_field(
            name="Most named",
            value=", ".join(f"{word} ({n})" for word, n in data.top_words),
        )
    embed.set_image(url=f"attachment://{filename}")
    embed.set_footer(text="Only you can see this. " + content.checkin.not_clinical)
    return embed


# ------------------------------------------------------------ /checkin summary


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
