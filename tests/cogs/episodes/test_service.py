"""The episodes store on a real SQLite file: seeding, dedupe, claims, back-off, shares, digests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from attune.errors import UserError
from cogs.episodes.parse import parse_feed
from cogs.episodes.service import MAX_FEEDS_PER_GUILD, EpisodeStore, backoff
from tests.cogs.episodes.conftest import fixture_bytes, grown, rss_item

pytestmark = pytest.mark.both_backends

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
GUILD = 111


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(db, clock) -> EpisodeStore:
    return EpisodeStore(db, clock)


def circle(*extra: bytes):
    return parse_feed(grown(fixture_bytes("listening_circle.xml"), *extra), "https://c.example/feed.xml")


async def follow(store: EpisodeStore, url: str = "https://c.example/feed.xml", *extra: bytes):
    return await store.add_feed(
        GUILD, url, circle(*extra), channel_id=5, poll_minutes=30, etag='"a"', last_modified=None
    )


async def test_adding_a_feed_seeds_its_items_without_anything_to_post(store) -> None:
    feed = await follow(store)
    assert feed.title == "The Listening Circle" and feed.etag == '"a"'
    assert feed.first_poll == NOW + timedelta(minutes=30)
    states = await store.db.fetchall("SELECT state FROM feed_episodes")
    assert [r["state"] for r in states] == ["seeded"] * 3
    assert await store.to_post(feed.id) == []
    latest = await store.latest_episode(feed.id)
    assert latest is not None and latest.title.startswith("Feeling Felt")


async def test_the_same_feed_twice_and_the_feed_limit_are_refused(store) -> None:
    await follow(store)
    with pytest.raises(UserError, match="already follows that feed"):
        await follow(store)
    for n in range(MAX_FEEDS_PER_GUILD - 1):
        await follow(store, f"https://c.example/feed-{n}.xml")
    with pytest.raises(UserError, match="already follows 25 feeds"):
        await follow(store, "https://c.example/one-too-many.xml")


async def test_only_unseen_items_become_new_and_are_stored_once(store) -> None:
    feed = await follow(store)
    added = await store.record_fetched(feed.id, circle(rss_item(1)).items, '"b"', None)
    assert added == 1
    again = await store.record_fetched(feed.id, circle(rss_item(1)).items, '"b"', None)
    assert again == 0
    pending = await store.to_post(feed.id)
    assert [e.title for e in pending] == ["Burst episode 1"]
    refreshed = await store.feed(feed.id)
    assert refreshed is not None and refreshed.etag == '"b"'


async def test_a_304_keeps_the_validators(store) -> None:
    feed = await follow(store)
    assert await store.record_fetched(feed.id, None, None, None) == 0
    refreshed = await store.feed(feed.id)
    assert refreshed is not None and refreshed.etag == '"a"'


async def test_a_claim_is_owned_by_one_caller_only(store) -> None:
    feed = await follow(store)
    await store.record_fetched(feed.id, circle(rss_item(1), rss_item(2)).items, None, None)
    ids = [e.id for e in await store.to_post(feed.id)]
    assert await store.claim(ids, "posting") == ids
    assert await store.claim(ids, "posting") == []
    await store.mark_sent(ids[:1], "posted", 5, 999)
    left = await store.to_post(feed.id)
    assert [(e.id, e.state) for e in left] == [(ids[1], "posting")]  # interrupted: still to finish


async def test_pending_items_are_oldest_first(store) -> None:
    feed = await follow(store)
    await store.record_fetched(feed.id, circle(rss_item(3), rss_item(2), rss_item(1)).items, None, None)
    assert [e.title for e in await store.to_post(feed.id)] == [
        "Burst episode 1",
        "Burst episode 2",
        "Burst episode 3",
    ]


async def test_failures_back_off_and_success_resets(store, clock) -> None:
    feed = await follow(store)
    first = await store.record_failure(feed.id, "it did not answer within 20 seconds.", NOW)
    assert first is not None and first.failures == 1
    assert first.next_poll_after == NOW + timedelta(minutes=30)
    second = await store.record_failure(feed.id, "HTTP 500", NOW)
    assert second is not None and second.failures == 2
    assert second.next_poll_after == NOW + timedelta(hours=1)
    assert second.last_error == "HTTP 500"
    await store.record_fetched(feed.id, [], None, None)
    healed = await store.feed(feed.id)
    assert healed is not None and healed.failures == 0 and healed.next_poll_after is None
    assert healed.last_error == "HTTP 500"  # remembered, shown as recovered


def test_backoff_doubles_up_to_twelve_hours() -> None:
    interval = timedelta(minutes=30)
    assert [backoff(n, interval) for n in range(0, 4)] == [
        timedelta(0),
        timedelta(minutes=30),
        timedelta(hours=1),
        timedelta(hours=2),
    ]
    assert backoff(10, interval) == timedelta(hours=12)
    assert backoff(60, interval) == timedelta(hours=12)


async def test_shares_between_and_user_deletion(store, clock) -> None:
    a = await store.add_share(GUILD, 1, "https://e.example/1", "One", "first insight", 5)
    clock.now = NOW + timedelta(days=2)
    b = await store.add_share(GUILD, 2, "https://e.example/2", "Two", "second insight", 5)
    await store.add_share(999, 1, "https://e.example/3", "Three", "elsewhere", 6)
    week = await store.shares_between(GUILD, NOW - timedelta(days=1), NOW + timedelta(days=3))
    assert [s.id for s in week] == [b.id, a.id]
    assert [s.id for s in await store.shares_between(GUILD, NOW, NOW + timedelta(days=3))] == [b.id]
    removed = await store.delete_user_shares(1)
    assert sorted(s.title for s in removed) == ["One", "Three"]
    assert [s.user_id for s in await store.guild_shares(GUILD)] == [2]


async def test_known_title_comes_from_a_followed_feed(store) -> None:
    await follow(store)
    assert await store.known_title(GUILD, "https://listening-circle.example/episodes/welcome") == (
        "Welcome to the Circle",
        "The Listening Circle",
    )
    assert await store.known_title(GUILD, "https://cdn.listening-circle.example/audio/ep2.mp3") == (
        "The Window of Tolerance, Gently",
        "The Listening Circle",
    )
    assert await store.known_title(GUILD + 1, "https://listening-circle.example/episodes/welcome") is None


async def test_digest_is_created_once_with_the_default_and_follows_the_zone(store, clock) -> None:
    digest, changed = await store.ensure_digest(GUILD, "UTC")
    assert (digest.weekday, digest.clock, digest.zone, changed) == (6, "18:00", "UTC", True)
    same, changed = await store.ensure_digest(GUILD, "UTC")
    assert same == digest and not changed
    moved, changed = await store.ensure_digest(GUILD, "Europe/Berlin")
    assert moved.zone == "Europe/Berlin" and changed
    off = await store.set_digest(GUILD, 2, "07:30", "Europe/Berlin", False)
    assert not off.enabled
    assert await store.all_digests() == []
