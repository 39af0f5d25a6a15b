"""The one place Attune asks for the current time.

``discord.utils.utcnow`` is always an aware UTC datetime, and it is the clock the test
simulator (simcord) moves, so schedules can be driven in virtual time without sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import discord

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The current instant, aware, in UTC."""
    return discord.utils.utcnow()
