"""What sits look like in Discord: the announcement, reminders, bells, guide posts, lists and stats."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import discord

from attune.text import clip, minutes, plural
from cogs.sits.guide_posts import GuidePost
from cogs.sits.models import ANSWER_EMOJI, ANSWER_LABELS, ANSWERS, Sit, Stats

COLOUR = discord.Colour.from_rgb(111, 143, 175)
MENTIONS_PER_MESSAGE = 60  # a user mention is ≤ 23 characters; keeps a message well under 2,000


def plain(text: str) -> str:
    """Member-typed text shown as plain text: no mentions, no markdown."""
    return discord.utils.escape_markdown(discord.utils.escape_mentions(text))


def when(instant: datetime) -> str:
    """``<t:…:F> (<t:…:R>)``: each viewer sees their own local time."""
    return f"{discord.utils.format_dt(instant, 'F')} ({discord.utils.format_dt(instant, 'R')})"


def sentence(text: str) -> str:
    """``text`` with its first letter in capitals (the rest untouched: zone names keep their case)."""
    return text[:1].upper() + text[1:]


def rsvp_line(counts: dict[str, int]) -> str:
    return " · ".join(f"{ANSWER_EMOJI[a]} {ANSWER_LABELS[a]} **{counts.get(a, 0)}**" for a in ANSWERS)


def pick(words: Sequence[str], sit: Sit, start: datetime) -> str:
    """A line of words that is the same every time this occurrence is rendered (retries, edits)."""
    return words[(sit.id * 7 + int(start.timestamp()) // 60) % len(words)]


def people(count: int) -> str:
    if count == 0:
        return "No one was counted yet — if you sat, press **I sat**."
    if count == 1:
        return "**1 person sat with us.**"
    return f"**{count} people sat together.**"


def sit_summary(sit: Sit) -> str:
    """``A group sit of 20 minutes, every Monday at 19:00 Europe/Berlin.`` — for calendars and events,
    where Discord timestamps don't render."""
    return f"A group sit of {minutes(sit.duration_min)}, {sit.describe()}."


def when_field(sit: Sit, start: datetime | None) -> str:
    """``Every Monday at <t:…:t> · next <t:…:R>``: the pattern in words, the time as a Discord timestamp."""
    if start is None:
        return sentence(sit.describe())
    if not sit.is_series:
        return f"Once, {when(start)}"
    pattern = sentence(sit.rule.describe(at_time=False))
    return f"{pattern} at {discord.utils.format_dt(start, 't')} · next {discord.utils.format_dt(start, 'R')}"


def announcement_embed(
    sit: Sit, start: datetime | None, counts: dict[str, int], *, now: datetime
) -> discord.Embed:
    """The sit's announcement: title, the current occurrence, details and RSVP counts."""
    embed = discord.Embed(title=plain(sit.title), colour=COLOUR)
    if sit.status == "cancelled":
        embed.description = "**This sit was cancelled.**"
        embed.colour = discord.Colour.dark_grey()
    elif start is None:
        embed.description = "**This sit has ended.** Thank you to everyone who sat."
        embed.colour = discord.Colour.dark_grey()
    else:
        state = "**Happening now** — began" if start <= now else "Next sit"
        embed.description = f"{state} {when(start)}"
    embed.add_field(name="Duration", value=minutes(sit.duration_min), inline=True)
    if sit.host_id:
        embed.add_field(name="Host", value=f"<@{sit.host_id}>", inline=True)
    if sit.voice_channel_id:
        embed.add_field(name="Where", value=f"<#{sit.voice_channel_id}>", inline=True)
    embed.add_field(name="When", value=clip(when_field(sit, start), 1024), inline=False)
    if sit.guide == "wheel":
        embed.add_field(
            name="Guide", value="The Wheel of Awareness, step by step in this channel", inline=False
        )
    if sit.status == "active" and start is not None:
        embed.add_field(name="Who's coming", value=rsvp_line(counts), inline=False)
        embed.set_footer(text="Your answer is for this sit only; it starts fresh for the next one.")
    return embed


def mention_chunks(user_ids: Sequence[int], per_message: int = MENTIONS_PER_MESSAGE) -> list[str]:
    mentions = [f"<@{user_id}>" for user_id in user_ids]
    return [" ".join(mentions[i : i + per_message]) for i in range(0, len(mentions), per_message)]


def late_note(late: bool, what: str) -> str:
    return f"\n-# Posted late: I was offline when the {what} was due." if late else ""


def reminder_text(sit: Sit, start: datetime, going: Sequence[int], *, late: bool) -> str:
    where = f" in <#{sit.voice_channel_id}>" if sit.voice_channel_id else ""
    lines = [f"⏰ **{plain(sit.title)}** begins {when(start)}{where} · {minutes(sit.duration_min)}."]
    if going:
        lines.append("Going: " + mention_chunks(going)[0])
    else:
        lines.append("Join us — answer on the announcement so we know you're coming.")
    return "\n".join(lines) + late_note(late, "reminder")


def opening_text(sit: Sit, start: datetime, words: str, *, late: bool) -> str:
    where = f"Join <#{sit.voice_channel_id}>" if sit.voice_channel_id else "Find a quiet place"
    lines = [
        f"🔔 **{plain(sit.title)}** begins now — {where} · {minutes(sit.duration_min)}, until "
        f"{discord.utils.format_dt(sit.ends(start), 't')}.",
        f"*{words}*",
    ]
    if sit.guide == "wheel":
        lines.append("We'll walk the Wheel of Awareness together; its steps follow here as we go.")
    return "\n".join(lines) + late_note(late, "opening bell")


def closing_text(sit: Sit, start: datetime, words: str, count: int, *, late: bool) -> str:
    return (
        f"🔔 **{plain(sit.title)}** has ended. *{words}*\n{people(count)}\n"
        "-# Sat along without the voice channel? Press **I sat** to be counted."
        + late_note(late, "closing bell")
    )


def guide_embed(post: GuidePost) -> discord.Embed:
    first = post.steps[0]
    embed = discord.Embed(title=f"Wheel of Awareness · {first.segment.name}", colour=COLOUR)
    parts = [f"**{step.step.title}**\n{step.step.guidance}" for step in post.steps]
    embed.description = clip("\n\n".join(parts), 4000)
    last = post.steps[-1]
    span = f"{first.index + 1}" if first is last else f"{first.index + 1}–{last.index + 1}"
    embed.set_footer(text=f"Step {span} of {first.total}")
    return embed


def cancelled_text(sit: Sit, start: datetime, going: Sequence[int], following: datetime | None) -> str:
    text = f"**{plain(sit.title)}** on {discord.utils.format_dt(start, 'F')} is cancelled."
    if following is not None:
        text += f" The next one is {when(following)}."
    elif sit.is_series:
        text += " There are no more sits in this series."
    if going:
        text += "\n" + mention_chunks(going)[0]
    return text


def moved_text(sit: Sit, old: datetime, new: datetime, going: Sequence[int]) -> str:
    text = (
        f"**{plain(sit.title)}** has moved: {discord.utils.format_dt(old, 'F')} is now {when(new)}. "
        "Your answer carries over; change it on the announcement if you need to."
    )
    if going:
        text += "\n" + mention_chunks(going)[0]
    return text


def weeks_in_a_row(weeks: int) -> str | None:
    """A run of practice weeks, said kindly; nothing at all when there is no run (never "0 weeks")."""
    if weeks < 1:
        return None
    if weeks == 1:
        return "You've practised this week."
    return f"You've practised {weeks} weeks in a row."


def stats_embed(stats: Stats, name: str) -> discord.Embed:
    embed = discord.Embed(title=f"Your practice, {plain(name)}", colour=COLOUR)
    embed.add_field(name="Group sits", value=f"{stats.attended}", inline=True)
    embed.add_field(
        name="Minutes",
        value=f"{minutes(stats.minutes)} ({stats.sit_minutes} in sits, {stats.solo_minutes} solo)",
        inline=True,
    )
    run = weeks_in_a_row(stats.streak.current)
    if run is not None:
        embed.add_field(name="Weeks in a row", value=run, inline=False)
    embed.add_field(
        name="Together",
        value=(
            f"You sat with **{plural(stats.sat_with, 'person', 'people')}**."
            if stats.sat_with
            else "Join a group sit to sit with others."
        ),
        inline=False,
    )
    embed.set_footer(text="Solo practice counts too: /sit log")
    return embed
