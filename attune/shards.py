"""Shard clusters: which guilds this process owns when several processes run one bot on one database.

Discord routes every guild to one shard, ``(guild_id >> 22) % shard_count``, and sends DMs to shard
0. A *cluster* is one process running a contiguous range of shards (``ATTUNE_SHARDS=0-7`` of
``ATTUNE_SHARD_COUNT=16``). It owns — loads, arms and delivers — the schedules of the guilds on its
shards, and the guild-less ones if its range starts at shard 0, so memory and work divide and every
schedule has exactly one owner. (Exactly-once does not rest on this: the ledger's UNIQUE claim still
keeps two processes that both think they own a guild to one post.) Without these settings the
process runs every shard (discord.py's recommended count) and owns everything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Shards:
    """This process's shards: ``first``..``last`` of ``count`` (``count=None``: Discord's recommendation,
    all of them) and how many clusters share the bot's request budget."""

    count: int | None = None
    first: int = 0
    last: int | None = None
    clusters_setting: int | None = None

    @classmethod
    def parse(cls, count: int | None, shards: str | None, clusters: int | None = None) -> Shards:
        """From ``ATTUNE_SHARD_COUNT``, ``ATTUNE_SHARDS`` (``"3"`` or ``"0-7"``) and ``ATTUNE_CLUSTERS``;
        raises ``ValueError`` with one line naming the setting at fault."""
        if count is not None and count < 1:
            raise ValueError("ATTUNE_SHARD_COUNT must be 1 or more")
        if clusters is not None and clusters < 1:
            raise ValueError("ATTUNE_CLUSTERS must be 1 or more")
        if shards is None:
            return cls(count, 0, None if count is None else count - 1, clusters)
        if count is None:
            raise ValueError("ATTUNE_SHARDS needs ATTUNE_SHARD_COUNT (the total over all processes)")
        first_text, _, last_text = shards.replace(" ", "").partition("-")
        try:
            first = int(first_text)
            last = int(last_text) if last_text else first
        except ValueError:
            raise ValueError(f"ATTUNE_SHARDS must be a shard or a range like 0-7 (got {shards!r})") from None
        if not 0 <= first <= last < count:
            raise ValueError(
                f"ATTUNE_SHARDS {shards!r} must lie within 0-{count - 1} (ATTUNE_SHARD_COUNT={count}),"
                " first shard before last"
            )
        return cls(count, first, last, clusters)

    @property
    def ids(self) -> list[int] | None:
        """The shard ids to run, for ``AutoShardedBot(shard_ids=…)`` (``None``: all of them)."""
        if self.count is None or self.last is None:
            return None
        return list(range(self.first, self.last + 1))

    @property
    def partial(self) -> bool:
        """True when other processes run the other shards: ownership then filters the schedules."""
        return (
            self.count is not None
            and self.last is not None
            and (self.first, self.last) != (0, self.count - 1)
        )

    @property
    def clusters(self) -> int:
        """How many processes share the bot: ``ATTUNE_CLUSTERS``, else as many as ranges of this size."""
        if self.clusters_setting is not None:
            return self.clusters_setting
        if not self.partial or self.count is None or self.last is None:
            return 1
        return math.ceil(self.count / (self.last - self.first + 1))

    def owns(self, guild_id: int | None) -> bool:
        """Whether this process delivers the schedules of ``guild_id`` (``None``: guild-less work)."""
        if not self.partial or self.count is None or self.last is None:
            return True
        if guild_id is None:
            return self.first == 0
        return self.first <= (guild_id >> 22) % self.count <= self.last

    def where(self, column: str = "guild_id") -> tuple[str, tuple[int, ...]]:
        """:meth:`owns` as an SQL condition on ``column`` and its parameters (``1 = 1`` when whole);
        the same text runs on SQLite and PostgreSQL."""
        if not self.partial or self.count is None or self.last is None:
            return "1 = 1", ()
        condition = f"(({column} >> 22) % ?) BETWEEN ? AND ?"
        if self.first == 0:
            condition = f"({condition} OR {column} IS NULL)"
        return condition, (self.count, self.first, self.last)

    def describe(self) -> str:
        """For ``check`` and the start-up log, e.g. ``2-3 of 4: one of 2 clusters, …``."""
        if self.count is None:
            return "all, as many as Discord recommends, in this one process"
        if not self.partial:
            return f"all {self.count} in this one process"
        span = f"{self.first}" if self.first == self.last else f"{self.first}-{self.last}"
        guildless = " and the guild-less ones" if self.first == 0 else ""
        return (
            f"{span} of {self.count}: one of {self.clusters} clusters, with 1/{self.clusters} of the request"
            f" budget; it delivers the schedules of its shards' guilds{guildless}"
        )
