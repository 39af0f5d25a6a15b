"""Small text helpers for what members type and what the bot shows."""

from __future__ import annotations

import discord


def clip(text: str, limit: int) -> str:
    """``text`` shortened to ``limit`` characters, ending with an ellipsis when cut."""
    text = text.strip()
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def one_line(text: str) -> str:
    """Collapse all whitespace (newlines included) to single spaces."""
    return " ".join(text.split())


def progress_bar(done: int, total: int, width: int = 12) -> str:
    """``▰▰▰▱▱▱`` — ``done`` of ``total`` as a bar of ``width`` cells."""
    filled = 0 if total <= 0 else round(width * min(done, total) / total)
    return "▰" * filled + "▱" * (width - filled)


def plural(count: int, one: str, many: str | None = None) -> str:
    """``1 minute``, ``0 minutes``, ``2 people``: a count with its noun in the right number."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def minutes(count: int) -> str:
    return plural(count, "minute")


def inert(text: str) -> str:
    """What a member typed, made inert for the bot's own posts: markdown shows as typed (no masked
    links, headings, block quotes or formatting that could pass for the bot's voice) and mentions
    don't resolve."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))
