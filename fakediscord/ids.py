"""Snowflake ids and timestamps shaped like Discord's."""

from __future__ import annotations

import datetime as dt
import time

DISCORD_EPOCH_MS = 1_420_070_400_000

#: The bot user id. Modern applications share the id of their bot user.
BOT_USER_ID = 1_270_000_000_000_000_001
APPLICATION_ID = BOT_USER_ID


class SnowflakeFactory:
    """Makes unique, strictly increasing snowflakes from the wall clock."""

    def __init__(self, worker: int = 1, process: int = 1) -> None:
        self._worker = worker & 0x1F
        self._process = process & 0x1F
        self._last = 0

    def next(self, shard: tuple[int, int] | None = None) -> int:
        """The next snowflake; with ``shard=(id, count)`` one that Discord routes to that shard
        (``(snowflake >> 22) % count == id``: its timestamp moved up by under ``count`` ms)."""
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        value = (ms << 22) | (self._worker << 17) | (self._process << 12)
        if value <= self._last:
            value = self._last + 1
        if shard is not None:
            shard_id, count = shard
            ahead = (shard_id - (value >> 22)) % count
            if ahead:
                value = ((value >> 22) + ahead) << 22 | (self._worker << 17) | (self._process << 12)
        self._last = value
        return value


def snowflake_datetime(snowflake: int) -> dt.datetime:
    ms = (int(snowflake) >> 22) + DISCORD_EPOCH_MS
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def iso(moment: dt.datetime | None = None) -> str:
    """ISO-8601 with an explicit UTC offset, as Discord writes timestamps."""
    return (moment or dt.datetime.now(dt.UTC)).isoformat()


def parse_iso(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment
