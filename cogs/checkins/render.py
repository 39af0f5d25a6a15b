"""What check-ins look like in Discord: texts and embeds, built from content and plain values."""

from __future__ import annotations

from datetime import date
from typing import Literal

import discord

from attune.content import Content, EmotionWord
from attune.text import inert
from attune.timeparse import WEEKDAY_NAMES
from cogs.checkins.stats import HistoryData

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


def zone_step(content: Content) -> str:
    lines = ["**Step 1 of 3 — where are you in your window of tolerance right now?**"]
    for info in content.checkin.zones.values():
        lines.append(f"{info.emoji} **{info.label}** — {info.description}")
    lines.append(f"-# {content.checkin.not_clinical}")
    return "\n".join(lines)


def emotion_step(content: Content, zone: str, quadrant: str | None) -> str:
    info = content.checkin.zones[zone]  # type: ignore[index]
    lines = [
        f"{info.emoji} {info.label}",
        "**Step 2 of 3 — which feeling is closest?** First how much energy and how pleasant, then a word.",
    ]
    if quadrant is not None:
        chosen = content.emotions.quadrants[quadrant]  # type: ignore[index]
        lines.append(f"{chosen.emoji} *{chosen.label}* — {chosen.description}")
    return "\n".join(lines)


def support_embed(content: Content, support_text: str) -> discord.Embed:
    embed = discord.Embed(
        title="You don't have to hold this alone",
        description=discord.utils.escape_mentions(support_text)[:4000],
        colour=discord.Colour.from_str("#8e6cc1"),
    )
    embed.set_footer(text=content.checkin.not_clinical[:2048])
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
    line = f"{quadrant.emoji} **{who}** {zone_info.phrase} — feeling *{emotion.word.lower()}*"
    if note:
        line += "\n" + quote(safe_user_text(note))
    return discord.Embed(description=line[:4096], colour=colour_of(content, emotion.quadrant))


def streak_text(days: int) -> str:
    if days <= 1:
        return "1 day — every check-in counts."
    return f"🔥 {days} days in a row."


def result_embed(
    content: Content,
    zone: str,
    emotion: EmotionWord,
    *,
    outcome: str,
    suggestion: str,
    streak: int,
    can_alert: bool = True,
) -> discord.Embed:
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
    embed.add_field(name="Your streak", value=streak_text(streak), inline=False)
    if zone == "support" and can_alert:
        embed.add_field(
            name="Support",
            value="If you'd like a facilitator to reach out, press **Ask someone to reach out**. "
            "They are only told if you press it.",
            inline=False,
        )
    embed.set_footer(text=content.checkin.not_clinical[:2048])
    return embed


# --------------------------------------------------------------------------- history


def history_embed(content: Content, data: HistoryData, summary: str, *, filename: str) -> discord.Embed:
    embed = discord.Embed(
        title=f"Your check-ins · {short_date(data.first_day)} – {short_date(data.last_day)}",
        description=summary[:4096],
        colour=discord.Colour.teal(),
    )
    embed.add_field(name="Streak", value=streak_text(data.streak) if data.streak else "No current streak.")
    if data.top_words:
        embed.add_field(
            name="Most named",
            value=", ".join(f"{word} ({n})" for word, n in data.top_words),
        )
    embed.set_image(url=f"attachment://{filename}")
    embed.set_footer(text="Only you can see this. " + content.checkin.not_clinical)
    return embed
