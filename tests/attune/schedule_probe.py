"""A tiny extension for testing the scheduler core through the real bot: posts 'tick' daily."""

from __future__ import annotations

from datetime import datetime, timedelta

from attune.bot import AttuneBot
from attune.recurrence import Recurrence, Repeat
from attune.scheduler import Occurrence, Plan

PROBE_KEY = "probe.channel"
BROKEN_KEY = "probe.broken"  # while set in meta, reading the probe's plans fails
KIND = "probe.tick"


def plan() -> Plan:
    rule = Recurrence(Repeat.DAILY, datetime(2026, 1, 1, 9, 0), "Europe/Berlin")
    return Plan("tick", rule, since=datetime.fromisoformat("2026-01-01T00:00:00+00:00"))


async def setup(bot: AttuneBot) -> None:
    """The channel to post in is read from the ``meta`` table (key ``probe.channel``)."""
    channel_id: list[int] = []

    async def load(keys: object) -> list[Plan]:
        if await bot.db.fetchval("SELECT value FROM meta WHERE key = ?", (BROKEN_KEY,)):
            raise RuntimeError("the probe's table could not be read")
        value = await bot.db.fetchval("SELECT value FROM meta WHERE key = ?", (PROBE_KEY,))
        if value is None:
            return []
        channel_id[:] = [int(value)]
        return [plan()]

    async def deliver(occurrence: Occurrence) -> str:
        channel = bot.get_partial_messageable(channel_id[0])
        late = " (late)" if occurrence.late else ""
        message = await channel.send(f"tick {occurrence.at:%Y-%m-%d %H:%M}{late}", nonce=occurrence.nonce)
        return str(message.id)

    bot.scheduler.register(KIND, load=load, deliver=deliver, grace=timedelta(minutes=30))
