"""What Discord's command picker shows: read from the payload the bot synced, as Discord stores it.

Human choice names, min/max and max_length travel with the commands, so Discord enforces them before
the bot sees a value; ``when`` and ``time`` answer while people type with what was understood.
"""

from __future__ import annotations

import re
from typing import Any

from tests.helpers import community

STRING, INTEGER = 3, 4


def synced(env: Any) -> dict[str, dict[str, Any]]:
    """Every leaf command's options by qualified name (``sit schedule`` → {option name: payload})."""
    found: dict[str, dict[str, Any]] = {}

    def walk(prefix: str, node: dict[str, Any]) -> None:
        subs = [o for o in node.get("options", []) if o["type"] in (1, 2)]
        if subs:
            for sub in subs:
                walk(f"{prefix} {sub['name']}", sub)
        else:
            found[prefix] = {o["name"]: o for o in node.get("options", [])}

    for command in env.backend.commands.get(None, {}).values():
        walk(command["name"], command)
    return found


def choices(option: dict[str, Any]) -> dict[str, str]:
    return {c["value"]: c["name"] for c in option.get("choices", [])}


async def test_every_choice_has_a_human_name(env) -> None:
    commands = synced(env)
    assert choices(commands["sit schedule"]["repeat"]) == {
        "none": "Just once",
        "daily": "Every day",
        "weekdays": "Weekdays (Monday to Friday)",
        "weekly": "Every week",
        "biweekly": "Every two weeks",
        "monthly": "Every month",
    }
    assert choices(commands["sit edit"]["repeat"]) == choices(commands["sit schedule"]["repeat"])
    assert choices(commands["sit schedule"]["guide"]) == {
        "silent": "Silent sit",
        "wheel": "Guided by the Wheel of Awareness",
    }
    assert choices(commands["sit cancel"]["scope"]) == {
        "next": "Only the next one",
        "all": "The whole series",
    }
    assert choices(commands["wheel practice"]["length"]) == {
        "short": "Short · about 7 min",
        "full": "Full · about 20 min",
    }
    assert choices(commands["settings channel"]["purpose"])["checkins"] == "Daily check-ins"
    assert choices(commands["episode insights"]["digest_day"])["off"] == "Off: no weekly digest"
    # No raw key is shown anywhere in the picker.
    for name, options in commands.items():
        for option in options.values():
            for value, label in choices(option).items():
                assert label != value, f"/{name} {option['name']}: choice {value!r} has no human name"


async def test_number_ranges_and_text_lengths_travel_with_the_commands(env) -> None:
    commands = synced(env)
    ranges = {
        ("sit schedule", "duration"): (1, 240),
        ("sit schedule", "reminder"): (0, 1440),
        ("sit edit", "duration"): (1, 240),
        ("sit list", "days"): (1, 90),
        ("sit log", "minutes"): (1, 1440),
        ("checkin history", "days"): (1, 365),
        ("checkin summary", "days"): (1, 31),
    }
    for (command, name), (low, high) in ranges.items():
        option = commands[command][name]
        assert (option.get("min_value"), option.get("max_value")) == (low, high), (command, name)
    lengths = {
        ("sit schedule", "title"): 100,
        ("sit schedule", "when"): 100,
        ("sit log", "note"): 500,
        ("settings support", "text"): 1800,
        ("episode share", "insight"): 300,
    }
    for (command, name), most in lengths.items():
        assert commands[command][name].get("max_length") == most, (command, name)
    # An integer option that promises a range in its description carries that range.
    for command, options in commands.items():
        for option in options.values():
            said = re.search(r"(\d+)–(\d+)", option["description"])
            if option["type"] == INTEGER and said:
                promised = (int(said[1]), int(said[2]))
                assert (option.get("min_value"), option.get("max_value")) == promised, (command, option)


async def test_descriptions_have_no_literal_backticks(env) -> None:
    for command, options in synced(env).items():
        for option in options.values():
            assert "`" not in option["description"], (command, option["name"])


async def test_when_autocomplete_shows_what_was_understood(env) -> None:
    c = community(env)
    await c.facilitator.slash(c.general, "settings timezone", timezone="Europe/Berlin")
    # simcord's clock starts on Thursday 1 January 2026, 00:00 UTC (01:00 in Berlin).
    [understood] = await c.facilitator.autocomplete(c.general, "sit schedule", "when", "tomorrow 7:30")
    assert understood == {"name": "tomorrow 7:30 → Fri 2 Jan, 07:30 Europe/Berlin", "value": "tomorrow 7:30"}
    [in_tokyo] = await c.facilitator.autocomplete(
        c.general, "sit schedule", "when", "19:00", timezone="Asia/Tokyo"
    )
    assert in_tokyo["name"] == "19:00 → Thu 1 Jan, 19:00 Asia/Tokyo"
    [unclear] = await c.facilitator.autocomplete(c.general, "sit edit", "when", "whenever")
    assert unclear == {
        "name": "whenever — not understood yet: try 19:00, tomorrow 07:30 or mon 19:00",
        "value": "whenever",
    }
    [past] = await c.facilitator.autocomplete(c.general, "sit schedule", "when", "2025-06-01 19:00")
    assert past["name"] == "2025-06-01 19:00 — in the past (Europe/Berlin time)"
    examples = await c.facilitator.autocomplete(c.general, "sit schedule", "when", "")
    assert [e["value"] for e in examples] == ["19:00", "tomorrow 07:30", "mon 19:00", "tue,thu 19:00"]
    assert all("→" in e["name"] for e in examples)


async def test_time_autocomplete_shows_the_time_and_zone(env) -> None:
    c = community(env)
    await c.facilitator.slash(c.general, "settings timezone", timezone="Europe/Berlin")
    [setup] = await c.facilitator.autocomplete(c.general, "checkin setup", "time", "7pm")
    assert setup == {"name": "7pm → 19:00 Europe/Berlin", "value": "7pm"}
    [wheel] = await c.facilitator.autocomplete(c.general, "wheel schedule", "time", "25:00")
    assert wheel["name"] == "25:00 — not a time of day: try 07:30 or 19:00"
    [own] = await c.alice.autocomplete(
        c.general, "checkin remind", "time", "8:15", timezone="America/New_York"
    )
    assert own["name"] == "8:15 → 08:15 America/New_York"
    [off] = await c.alice.autocomplete(c.general, "checkin remind", "time", "of")
    assert off == {"name": "off — stop my reminder", "value": "off"}
