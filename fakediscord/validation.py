"""The subset of Discord's request validation that commonly catches bot bugs.

Each check raises ``ApiError`` with the same status/code Discord uses, so discord.py raises
the exception the bot would see in production (mostly ``HTTPException`` 400 / 50035).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .errors import ApiError, FormErrors
from .ids import parse_iso
from .world import IS_COMPONENTS_V2, iter_components

COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$", re.UNICODE)
INTERACTIVE_COMPONENTS = frozenset({2, 3, 4, 5, 6, 7, 8})


def validate_message(body: dict[str, Any], *, has_files: bool = False, edit: bool = False) -> None:
    errors = FormErrors()
    content = body.get("content")
    embeds = body.get("embeds") or []
    components = body.get("components") or []
    flags = int(body.get("flags") or 0)
    if content is not None and not isinstance(content, str):
        errors.add("content", "BASE_TYPE_STRING", "Must be a string.")
    elif content is not None:
        errors.max_length("content", content, 2000)
    if len(embeds) > 10:
        errors.add("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for i, embed in enumerate(embeds):
        p = f"embeds.{i}"
        errors.max_length(f"{p}.title", embed.get("title"), 256)
        errors.max_length(f"{p}.description", embed.get("description"), 4096)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            errors.add(f"{p}.fields", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for j, field_ in enumerate(fields):
            if not field_.get("name"):
                errors.add(f"{p}.fields.{j}.name", "BASE_TYPE_REQUIRED", "This field is required")
            if not field_.get("value"):
                errors.add(f"{p}.fields.{j}.value", "BASE_TYPE_REQUIRED", "This field is required")
            errors.max_length(f"{p}.fields.{j}.name", field_.get("name"), 256)
            errors.max_length(f"{p}.fields.{j}.value", field_.get("value"), 1024)
            total += len(field_.get("name") or "") + len(field_.get("value") or "")
        footer = (embed.get("footer") or {}).get("text")
        author = (embed.get("author") or {}).get("name")
        errors.max_length(f"{p}.footer.text", footer, 2048)
        errors.max_length(f"{p}.author.name", author, 256)
        total += sum(len(x or "") for x in (embed.get("title"), embed.get("description"), footer, author))
    if total > 6000:
        errors.add("embeds", "MESSAGE_EMBEDS_TOO_LONG", "Embed size exceeds maximum size of 6000")
    _validate_components(errors, components, flags)
    errors.raise_if_any()
    if flags & IS_COMPONENTS_V2 and (content or embeds):
        raise ApiError(
            400,
            50035,
            "Invalid Form Body",
            errors={
                "content": {
                    "_errors": [
                        {
                            "code": "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                            "message": "The 'content' and 'embeds' fields cannot be used "
                            "when using MessageFlags.IS_COMPONENTS_V2",
                        }
                    ]
                }
            },
        )
    if not edit and not (
        content or embeds or components or has_files or body.get("sticker_ids") or body.get("poll")
    ):
        raise ApiError(400, 50006, "Cannot send an empty message")


def _validate_components(errors: FormErrors, components: list[dict[str, Any]], flags: int) -> None:
    if not flags & IS_COMPONENTS_V2:
        if len(components) > 5:
            errors.add("components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
        for i, row in enumerate(components):
            if row.get("type") != 1:
                errors.add(
                    f"components.{i}.type",
                    "UNION_TYPE_CHOICES",
                    'Value of field "type" must be one of (1,).',
                )
                continue
            children = row.get("components") or []
            if not 1 <= len(children) <= 5:
                errors.add(
                    f"components.{i}.components",
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 5 in length.",
                )
            selects = [c for c in children if c.get("type") in (3, 5, 6, 7, 8)]
            if selects and len(children) > 1:
                errors.add(
                    f"components.{i}.components",
                    "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                    "The specified component exceeds the maximum width",
                )
    elif sum(1 for _ in iter_components(components)) > 40:
        errors.add("components", "BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer in length.")
    seen: set[str] = set()
    for component in iter_components(components):
        ctype = component.get("type")
        custom_id = component.get("custom_id")
        if ctype == 2:
            style = component.get("style", 1)
            errors.max_length("components.label", component.get("label"), 80)
            if style == 5:
                if not component.get("url"):
                    errors.add("components.url", "BASE_TYPE_REQUIRED", "This field is required")
                continue
            if style == 6:
                continue
        if ctype in INTERACTIVE_COMPONENTS:
            if not custom_id:
                errors.add("components.custom_id", "BASE_TYPE_REQUIRED", "This field is required")
                continue
            errors.max_length("components.custom_id", custom_id, 100)
            if custom_id in seen:
                errors.add(
                    "components.custom_id",
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    "Component custom id cannot be duplicated",
                )
            seen.add(custom_id)
        if ctype == 3:
            options = component.get("options") or []
            if not 1 <= len(options) <= 25:
                errors.add(
                    "components.options",
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 25 in length.",
                )
        if ctype in (3, 5, 6, 7, 8):
            errors.max_length("components.placeholder", component.get("placeholder"), 150)


def validate_commands(commands: list[dict[str, Any]]) -> None:
    errors = FormErrors()
    seen: set[tuple[int, str]] = set()
    counts: dict[int, int] = {}
    for i, cmd in enumerate(commands):
        ctype = int(cmd.get("type", 1))
        counts[ctype] = counts.get(ctype, 0) + 1
        name = cmd.get("name") or ""
        valid_name = COMMAND_NAME.match(name) if ctype == 1 else 1 <= len(name) <= 32
        if not valid_name:
            errors.add(f"{i}.name", "APPLICATION_COMMAND_INVALID_NAME", "Invalid command name")
        if ctype == 1 and name != name.lower():
            errors.add(f"{i}.name", "APPLICATION_COMMAND_INVALID_NAME", "Invalid command name")
        if (ctype, name) in seen:
            errors.add(
                f"{i}.name",
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Application command names must be unique: {name}",
            )
        seen.add((ctype, name))
        if ctype == 1:
            errors.length_between(f"{i}.description", cmd.get("description"), 1, 100)
            _validate_options(errors, f"{i}.options", cmd.get("options") or [], depth=0)
        elif cmd.get("description"):
            errors.add(
                f"{i}.description",
                "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                "Context menu commands cannot have description",
            )
    if counts.get(1, 0) > 100 or counts.get(2, 0) > 15 or counts.get(3, 0) > 15:
        errors.add("_", "APPLICATION_COMMAND_TOO_MANY", "Too many application commands")
    errors.raise_if_any()


def _validate_options(errors: FormErrors, path: str, options: list[dict[str, Any]], depth: int):
    if len(options) > 25:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    names: set[str] = set()
    optional_seen = False
    for j, opt in enumerate(options):
        p = f"{path}.{j}"
        name = opt.get("name") or ""
        if not COMMAND_NAME.match(name) or name != name.lower():
            errors.add(f"{p}.name", "APPLICATION_COMMAND_INVALID_NAME", "Invalid command name")
        if name in names:
            errors.add(
                f"{p}.name",
                "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                "Option names must be unique",
            )
        names.add(name)
        errors.length_between(f"{p}.description", opt.get("description"), 1, 100)
        otype = opt.get("type")
        if otype in (1, 2):
            if depth >= (1 if otype == 2 else 2):
                errors.add(f"{p}.type", "APPLICATION_COMMAND_OPTION_TYPE", "Invalid nesting")
            _validate_options(errors, f"{p}.options", opt.get("options") or [], depth + 1)
            continue
        if opt.get("required"):
            if optional_seen:
                errors.add(
                    f"{p}.required",
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            optional_seen = True
        choices = opt.get("choices") or []
        if len(choices) > 25:
            errors.add(f"{p}.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        if choices and opt.get("autocomplete"):
            errors.add(
                f"{p}.autocomplete",
                "APPLICATION_COMMAND_OPTION_CHOICES_AUTOCOMPLETE",
                "Autocomplete and choices cannot both be set",
            )


def validate_scheduled_event(
    body: dict[str, Any],
    *,
    existing: dict[str, Any] | None,
    channel_type: int | None,
    check_times: bool,
) -> None:
    """Creation (``existing`` None) or modification of a guild scheduled event."""
    merged = dict(existing or {})
    merged.update(body)
    errors = FormErrors()
    if existing is None:
        errors.required("name", body.get("name"))
        errors.required("scheduled_start_time", body.get("scheduled_start_time"))
        errors.required("privacy_level", body.get("privacy_level"))
        errors.required("entity_type", body.get("entity_type"))
        errors.raise_if_any()
    errors.length_between("name", merged.get("name"), 1, 100)
    errors.max_length("description", merged.get("description"), 1000)
    if merged.get("privacy_level") != 2:
        errors.add("privacy_level", "BASE_TYPE_CHOICES", "Value must be one of {2}.")
    entity_type = merged.get("entity_type")
    if entity_type not in (1, 2, 3):
        errors.add("entity_type", "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.")
    start = end = None
    try:
        start = parse_iso(merged["scheduled_start_time"])
        if merged.get("scheduled_end_time"):
            end = parse_iso(merged["scheduled_end_time"])
    except (KeyError, ValueError, TypeError):
        errors.add("scheduled_start_time", "DATE_TIME_TYPE_PARSE", "Could not parse date.")
    if entity_type == 3:
        location = (merged.get("entity_metadata") or {}).get("location")
        if not location:
            errors.add(
                "entity_metadata.location",
                "BASE_TYPE_REQUIRED",
                "This field is required",
            )
        if end is None:
            errors.add(
                "scheduled_end_time",
                "GUILD_SCHEDULED_EVENT_END_TIME_REQUIRED",
                "End time is required for external events.",
            )
    elif entity_type in (1, 2):
        wanted = 13 if entity_type == 1 else 2
        if not merged.get("channel_id"):
            errors.add("channel_id", "BASE_TYPE_REQUIRED", "This field is required")
        elif channel_type != wanted:
            errors.add(
                "channel_id",
                "GUILD_SCHEDULED_EVENT_INVALID_CHANNEL_TYPE",
                "Channel type does not match the entity type.",
            )
    if start is not None and end is not None and end <= start:
        errors.add(
            "scheduled_end_time",
            "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
            "End time must be after start time.",
        )
    schedule_changed = existing is None or "scheduled_start_time" in body
    if (
        check_times
        and start is not None
        and schedule_changed
        and merged.get("status", 1) == 1
        and start < dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    ):
        errors.add(
            "scheduled_start_time",
            "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
            "Cannot schedule event in the past.",
        )
    errors.raise_if_any()


#: Allowed ``status`` transitions: SCHEDULED→ACTIVE/CANCELED, ACTIVE→COMPLETED.
EVENT_TRANSITIONS = {1: {1, 2, 4}, 2: {2, 3}, 3: {3}, 4: {4}}
