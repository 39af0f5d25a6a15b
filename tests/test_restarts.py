"""Buttons keep working after a restart: every dynamic item the bot registers has a restart test.

A restart test is marked ``@pytest.mark.restarts(Item, ...)``; the ``env`` fixture then fails it
unless each named item was really pressed on a bot that a restart started. This guard fails when
an item is registered that no test marks, so a new button cannot ship without one.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

TESTS = Path(__file__).parent


def registered_items(bot: Any) -> set[type]:
    """The dynamic item classes the fully set-up bot dispatches presses to."""
    return set(bot._connection._view_store._dynamic_items.values())


def restart_tests() -> Iterator[tuple[str, type]]:
    """(test name, item) for every ``restarts`` mark on a test function anywhere under tests/."""
    for path in sorted(TESTS.rglob("test_*.py")):
        module = importlib.import_module(".".join(path.relative_to(TESTS.parent).with_suffix("").parts))
        for name, function in vars(module).items():
            if not name.startswith("test_"):
                continue
            for mark in getattr(function, "pytestmark", []):
                if mark.name == "restarts":
                    for item in mark.args:
                        yield f"{path.name}::{name}", item


async def test_every_dynamic_item_has_a_restart_test(env: Any) -> None:
    registered = registered_items(env.bot)
    assert len(registered) >= 15  # the full bot: every capability's buttons and menus
    covered = {item for _, item in restart_tests()}
    missing = sorted(item.__name__ for item in registered - covered)
    assert not missing, f"dynamic items with no restart test (press after restart, assert): {missing}"
