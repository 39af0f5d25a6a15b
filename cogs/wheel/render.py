"""What members see: the practice step, its ending, a posted prompt, a journal page.

Every word of the practice comes from ``content/wheel.yaml``; this module only lays it out.
"""

from __future__ import annotations

from datetime import datetime

import discord

from attune.content import WheelContent
from attune.text import clip, progress_bar
from cogs.wheel.models import JournalPage, Reflection
from cogs.wheel.practice import Walk

COLOUR = discord.Colour.from_rgb(94, 129, 172)
LENGTH_LABELS = {"short": "short walk · about 7 min", "full": "full walk · about 20 min"}
LENGTH_NAMES = {"short": "short walk", "full": "full walk"}
HOW_IT_GOES = (
    "The steps move on by themselves. **Pause** holds a step for as long as you like, **Next** moves "
    "on sooner, and **End** stops whenever you wish."
)
GOES_TO_DMS = (
    "A private reply here can only follow you for about a quarter of an hour, so partway through, "
    "this walk continues in a direct message from me. If your direct messages are closed, it pauses "
    "there and waits for you to press **Resume**."
)


def _ts(instant: datetime, style: discord.utils.TimestampStyle) -> str:
    return discord.utils.format_dt(instant, style)


def segment_name(wheel: WheelContent, segment_id: str) -> str:
    return wheel.segment(segment_id).name


def practice_embed(wheel: WheelContent, walk: Walk, length: str, now: datetime) -> discord.Embed:
    """The current step: where on the wheel, step k of n, a progress bar, the guidance, what's next."""
    item = walk.current
    lines = [
        f"**{item.segment.name}** · step {walk.number} of {item.total}",
        progress_bar(walk.number, item.total),
        "",
        f"### {item.step.title}",
        item.text,
        "",
    ]
    ends = walk.step_ends_at(now)
    if walk.paused:
        lines.append("⏸ **Paused.** The step waits for you — press **Resume** when you are ready.")
    elif ends is not None:
        upcoming = "The walk ends" if walk.index + 1 >= item.total else "Next step"
        lines.append(f"{upcoming} {_ts(ends, 'R')} — or press **Next**.")
    embed = discord.Embed(
        title=f"Wheel of Awareness · {LENGTH_LABELS[length]}",
        description="\n".join(lines),
        colour=COLOUR,
    )
    embed.set_footer(text=clip(item.segment.summary, 2048))
    return embed


def practice_intro_embed(wheel: WheelContent, length: str, *, reaches_dms: bool) -> discord.Embed:
    """Before the first step: what the practice is and how it goes, read at the member's own pace."""
    parts = [clip(wheel.intro, 2500), HOW_IT_GOES]
    if reaches_dms:
        parts.append(GOES_TO_DMS)
    parts.append("When you're ready, press **Begin**.")
    return discord.Embed(
        title=f"Wheel of Awareness · {LENGTH_LABELS[length]}", description="\n\n".join(parts), colour=COLOUR
    )


def practice_closed_embed(
    wheel: WheelContent, walk: Walk, length: str, *, completed: bool, note: str | None = None
) -> discord.Embed:
    """The end of a walk: complete, or ended early; the invitation to reflect."""
    total = len(walk.steps)
    if completed:
        title = "Wheel of Awareness · complete"
        head = f"You walked the whole wheel — the {LENGTH_NAMES[length]}.\n{progress_bar(total, total)}"
    else:
        title = "Wheel of Awareness · ended"
        head = (
            f"You stopped during *{walk.current.segment.name}*. Stopping is practice too: noticing what "
            "you need, and honouring it, is part of the wheel."
        )
    parts = [head]
    if note:
        parts.append(note)
    parts.append(wheel.closing_reflection)
    return discord.Embed(title=title, description="\n\n".join(parts), colour=COLOUR)


def practice_notice_embed(title: str, text: str) -> discord.Embed:
    return discord.Embed(title=title, description=text, colour=COLOUR)


def prompt_embed(
    wheel: WheelContent, segment: str, prompt: str, *, late_for: datetime | None = None
) -> discord.Embed:
    """A reflection prompt posted in a channel (by ``/wheel prompt`` or the schedule)."""
    embed = discord.Embed(
        title=f"Wheel of Awareness · {segment_name(wheel, segment)}",
        description=f"**{prompt}**",
        colour=COLOUR,
    )
    embed.add_field(
        name="Reflect",
        value="Press **Reflect** to write a few words: keep them in your private journal, "
        "or share them in this prompt's thread.",
        inline=False,
    )
    if late_for is not None:
        embed.add_field(
            name="Posted late",
            value=f"This prompt was due {_ts(late_for, 'F')}, while Attune was offline.",
            inline=False,
        )
    embed.set_footer(text=clip(wheel.segment(segment).summary, 2048))
    return embed


def journal_embed(wheel: WheelContent, page: JournalPage) -> discord.Embed:
    """One page of a member's journal: date (Discord timestamp), segment, prompt and reflection."""
    embed = discord.Embed(
        title="Your Wheel of Awareness journal",
        colour=COLOUR,
        description=f"{page.total} reflection{'s' if page.total != 1 else ''}, newest first. "
        "Only you can see this.",
    )
    for entry in page.entries:
        embed.add_field(name=_entry_title(wheel, entry), value=_entry_text(entry), inline=False)
    embed.set_footer(text=f"Page {page.page + 1} of {page.pages}")
    return embed


def _entry_title(wheel: WheelContent, entry: Reflection) -> str:
    if entry.source == "practice":
        where = f"After a {entry.practice_length or ''} practice".replace("  ", " ")
    else:
        where = segment_name(wheel, entry.segment) if entry.segment else "Prompt"
    visibility = "shared in the thread" if entry.shared else "private"
    return clip(f"{where} · {visibility}", 256)


def _entry_text(entry: Reflection) -> str:
    head = _ts(entry.created_at, "F")
    if entry.prompt:
        head += f"\n*{clip(entry.prompt, 200)}*"
    return head + "\n" + clip(entry.body, 1024 - len(head) - 1)


def handed_back(rest: str, limit: int) -> str:
    """The part of a reflection past ``limit``, handed back to keep (``""`` when nothing was cut)."""
    if not rest:
        return ""
    shown = clip(rest.replace("```", "'''"), 1500)
    return (
        f"\n\n✂️ It was longer than {limit:,} characters, so the journal kept the first {limit:,}. "
        f"Here is the rest, so you can keep it:\n```\n{shown}\n```"
    )
