"""Autocomplete that shows what was understood: ``tomorrow 7:30 → Tue 8 Dec, 07:30 Europe/Berlin``.

People type times in their own words; the picker answers while they type, so a misread time is seen
before the command is sent. The value sent stays exactly what was typed (the command parses it again).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, tzinfo
from typing import Any

import discord
from discord import app_commands

from attune.errors import UserError
from attune.text import clip
from attune.when import get_zone, parse_clock, parse_when, timezone_choices, to_local

WHEN_EXAMPLES = ("19:00", "tomorrow 07:30", "mon 19:00", "tue,thu 19:00")
CLOCK_EXAMPLES = ("07:30", "12:00", "19:00")


def _zone_name(zone: tzinfo) -> str:
    return getattr(zone, "key", str(zone))


def _day_and_time(local: datetime) -> str:
    """``Mon 7 Dec, 19:00`` (English, independent of the process locale)."""
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{days[local.weekday()]} {local.day} {months[local.month - 1]}, {local:%H:%M}"


def _hint(error: UserError, tip: str) -> str:
    """A refusal made short for a picker row: ``in the past (Europe/Berlin time)``, else ``tip``."""
    first = error.message.split(". ")[0].rstrip(".")
    if first.startswith("“") and "” " in first:
        first = first.split("” ", 1)[1].removeprefix("is ").removeprefix("has ")
    if "not a time of day" in first or "couldn't read" in first or first.startswith("I "):
        return tip
    return first


def _choice(name: str, value: str) -> app_commands.Choice[str]:
    return app_commands.Choice(name=clip(name, 100), value=value[:100])


def when_choices(typed: str, zone: tzinfo, now: datetime) -> list[app_commands.Choice[str]]:
    """What ``typed`` means as a ``when`` in ``zone``, or examples (each read out) while it's empty."""
    text = " ".join(typed.split())
    candidates = [text] if text else list(WHEN_EXAMPLES)
    choices = []
    for candidate in candidates:
        try:
            understood = parse_when(candidate, zone, now)
        except UserError as error:
            hint = _hint(error, "not understood yet: try 19:00, tomorrow 07:30 or mon 19:00")
            choices.append(_choice(f"{candidate} — {hint}", candidate))
            continue
        local = to_local(understood.at, zone)
        every = " (and every such day, if the sit repeats)" if understood.weekdays else ""
        name = f"{candidate} → {_day_and_time(local)} {_zone_name(zone)}{every}"
        choices.append(_choice(name, candidate))
    return choices


def clock_choices(
    typed: str, zone: tzinfo, *, extra: tuple[tuple[str, str], ...] = ()
) -> list[app_commands.Choice[str]]:
    """What ``typed`` means as a time of day in ``zone``; ``extra`` adds words like ``off``."""
    text = " ".join(typed.split())
    words = [
        app_commands.Choice(name=name, value=value) for value, name in extra if value.startswith(text.lower())
    ]
    if not text:
        return [
            *[_choice(f"{example} → {example} {_zone_name(zone)}", example) for example in CLOCK_EXAMPLES],
            *words,
        ]
    if words:
        return words
    try:
        clock = parse_clock(text)
    except UserError as error:
        return [_choice(f"{text} — {_hint(error, 'not a time of day: try 07:30 or 19:00')}", text)]
    return [_choice(f"{text} → {clock:%H:%M} {_zone_name(zone)}", text)]


async def _guild_zone(interaction: discord.Interaction[Any]) -> tzinfo:
    if interaction.guild_id is None:
        return UTC
    zone: tzinfo = (await interaction.client.guild_settings.get(interaction.guild_id)).zone
    return zone


async def zone_autocomplete(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """IANA time zone names matching what the member typed (≤ 25)."""
    return [app_commands.Choice(name=name, value=name) for name in timezone_choices(current)]


async def guild_time(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
    """For ``time`` options read in the server's time zone (check-in threads, wheel prompts)."""
    return clock_choices(current, await _guild_zone(interaction))


async def reminder_time(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """For ``/checkin remind time``: read in the ``timezone`` typed alongside, else the server's; or off."""
    zone = await _guild_zone(interaction)
    typed = getattr(interaction.namespace, "timezone", None)
    if typed:
        with contextlib.suppress(UserError):
            zone = get_zone(typed)
    return clock_choices(current, zone, extra=(("off", "off — stop my reminder"),))
