"""All SQL of the episodes capability, in three stores on one connection (no Discord here)."""

from __future__ import annotations

from cogs.episodes.store.digests import DigestStore
from cogs.episodes.store.feeds import FeedStore
from cogs.episodes.store.shares import ShareStore


class EpisodeStore(ShareStore, FeedStore, DigestStore):
    """The shares, feeds and digest stores together, for the parts that use more than one."""


__all__ = ["DigestStore", "EpisodeStore", "FeedStore", "ShareStore"]
