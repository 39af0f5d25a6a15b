"""What the episodes capability stores: shares, followed feeds and their items, the weekly digest."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

MAX_FEEDS_PER_GUILD = 25
DEFAULT_POLL_MINUTES = 30
BACKOFF_CAP = timedelta(hours=12)
DIGEST_DEFAULT_WEEKDAY = 6  # Sunday
DIGEST_DEFAULT_CLOCK = "18:00"
LAST_ERROR_MAX = 300
KEY_VERSION = 2  # see parse.dedupe_key and migration 0006


def dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class Share:
    id: int
    guild_id: int
    user_id: int
    url: str
    title: str
    insight: str
    channel_id: int
    message_id: int | None
    thread_id: int | None
    shared_at: datetime

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> Share:
        return cls(
            row["id"],
            row["guild_id"],
            row["user_id"],
            row["url"],
            row["title"],
            row["insight"],
            row["channel_id"],
            row["message_id"],
            row["thread_id"],
            datetime.fromisoformat(row["shared_at"]),
        )

    def export(self) -> dict[str, Any]:
        return {
            "guild_id": str(self.guild_id),
            "url": self.url,
            "title": self.title,
            "insight": self.insight,
            "shared_at": self.shared_at.isoformat(),
            "channel_id": str(self.channel_id),
            "message_id": str(self.message_id) if self.message_id else None,
            "thread_id": str(self.thread_id) if self.thread_id else None,
        }


@dataclass(frozen=True)
class Feed:
    id: int
    guild_id: int
    url: str
    title: str
    site_url: str | None
    channel_id: int
    poll_minutes: int
    etag: str | None
    last_modified: str | None
    added_at: datetime
    last_polled_at: datetime | None
    last_success_at: datetime | None
    failures: int
    next_poll_after: datetime | None
    last_error: str | None
    last_error_at: datetime | None

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> Feed:
        return cls(
            row["id"],
            row["guild_id"],
            row["url"],
            row["title"],
            row["site_url"],
            row["channel_id"],
            row["poll_minutes"],
            row["etag"],
            row["last_modified"],
            datetime.fromisoformat(row["added_at"]),
            dt(row["last_polled_at"]),
            dt(row["last_success_at"]),
            row["failures"],
            dt(row["next_poll_after"]),
            row["last_error"],
            dt(row["last_error_at"]),
        )

    @property
    def interval(self) -> timedelta:
        return timedelta(minutes=self.poll_minutes)

    @property
    def first_poll(self) -> datetime:
        return self.added_at + self.interval


@dataclass(frozen=True)
class FeedEpisode:
    id: int
    feed_id: int
    title: str
    link: str | None
    enclosure_url: str | None
    summary: str
    duration_s: int | None
    published_at: datetime | None
    position: int
    seen_at: datetime
    state: str
    claimed_at: datetime | None
    message_id: int | None
    thread_id: int | None
    show: str = ""

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> FeedEpisode:
        keys = row.keys()
        return cls(
            row["id"],
            row["feed_id"],
            row["title"],
            row["link"],
            row["enclosure_url"],
            row["summary"],
            row["duration_s"],
            dt(row["published_at"]),
            row["position"],
            datetime.fromisoformat(row["seen_at"]),
            row["state"],
            dt(row["claimed_at"]),
            row["message_id"],
            row["thread_id"],
            row["show"] if "show" in keys else "",
        )

    @property
    def url(self) -> str | None:
        return self.link or self.enclosure_url


@dataclass(frozen=True)
class Digest:
    guild_id: int
    weekday: int
    clock: str
    zone: str
    enabled: bool
    since: datetime

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> Digest:
        return cls(
            row["guild_id"],
            row["weekday"],
            row["clock"],
            row["zone"],
            bool(row["enabled"]),
            datetime.fromisoformat(row["since"]),
        )


@dataclass(frozen=True)
class DigestPost:
    guild_id: int
    occurrence: datetime
    window_start: datetime
    channel_id: int
    message_id: int


class FollowRefusal(enum.Enum):
    """Why a server can't follow a feed (the cog words it)."""

    ALREADY_FOLLOWED = "already followed"
    TOO_MANY = "too many feeds"


def follow_refusal(followed: int, same_url: int) -> FollowRefusal | None:
    """One rule, used before fetching a feed and again when it is stored."""
    if followed >= MAX_FEEDS_PER_GUILD:
        return FollowRefusal.TOO_MANY
    if same_url:
        return FollowRefusal.ALREADY_FOLLOWED
    return None


class FollowRefused(Exception):
    def __init__(self, refusal: FollowRefusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


def backoff(failures: int, interval: timedelta) -> timedelta:
    """How long a failing feed rests: the interval, doubled per further failure, at most 12 h."""
    if failures <= 0:
        return timedelta(0)
    return min(interval * (2 ** min(failures - 1, 16)), max(BACKOFF_CAP, interval))
