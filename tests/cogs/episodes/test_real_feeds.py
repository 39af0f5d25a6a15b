"""Real podcast feeds (fixtures/real, see SOURCES.md) through fetch → parse → seed → grow, and each
quirk real feeds have: live items, fractional durations, relative enclosures, no guids, order, size,
Atom, legacy encodings."""

from __future__ import annotations

from dataclasses import replace

import feedparser
import pytest

from cogs.episodes import fetch
from cogs.episodes.parse import MAX_ITEMS, parse_duration, parse_feed
from cogs.episodes.sandbox import parse_off_loop
from cogs.episodes.store import EpisodeStore
from tests.cogs.episodes.factory import TEST_LIMITS
from tests.cogs.episodes.realfeeds import (
    CORPUS,
    as_atom,
    join_items,
    raw_durations,
    real,
    reencoded,
    repeated,
    split_items,
    with_relative_enclosures,
    without_guids_sharing_an_image,
)

GUILD, CHANNEL = 1, 2

TITLES = {
    "99_percent_invisible.xml": "99% Invisible",
    "all_things_chemical.xml": "All Things Chemical",
    "changing_the_tide.xml": "Changing the Tide",
    "homegrown_hits.xml": "Homegrown Hits",
    "langsam_gesprochene_nachrichten.xml": "Langsam gesprochene Nachrichten | Audios | DW Deutsch lernen",
    "mike_neumann_show.xml": "The Mike Neumann Show",
    "natube_boo_bury.xml": "Boo Bury: Mothman of the Minneapocalypse",
    "podcast_help_desk.xml": "Podcast Help Desk™",
    "podcasting20.xml": "Podcasting 2.0",
    "podverse_test_feed.xml": "Podverse - Test Feed",
    "reply_all.xml": "Reply All",
    "sentimental_garbage.xml": "Sentimental Garbage",
    "serial.xml": "Serial",
}


@pytest.fixture
def roomy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The production size cap (real feeds are large); the short test timeout stays."""
    monkeypatch.setattr(fetch, "LIMITS", replace(TEST_LIMITS, max_bytes=fetch.MAX_FEED_BYTES))


async def _fetch_parse(feed_server, name: str, body: bytes, etag: str | None = None):
    feed_server.serve(name, body)
    result = await fetch.fetch_feed(feed_server.url(f"/feed/{name}"), etag=etag)
    if result.unchanged:
        return result, None
    return result, await parse_off_loop(result.body, result.url, result.content_type)


def test_the_corpus_is_all_there() -> None:
    assert sorted(TITLES) == CORPUS
    assert sum(len(real(name)) for name in CORPUS) < 3 * 1024 * 1024


@pytest.mark.parametrize("name", CORPUS)
async def test_every_real_feed_fetch_parse_seed_grow(name: str, feed_server, db, roomy) -> None:
    store = EpisodeStore(db)
    body = real(name)
    head, items, tail = split_items(body)
    before = join_items(head, items[1:], tail)  # the feed as it was before its first item appeared

    # seed: every item recorded, none posted, titles and durations right
    first, parsed = await _fetch_parse(feed_server, name, before)
    assert parsed is not None and parsed.title == TITLES[name]
    assert len(parsed.items) == len(items) - 1  # no item dropped
    feed = await store.add_feed(
        GUILD, first.url, parsed, channel_id=CHANNEL, poll_minutes=30, etag=first.etag, last_modified=None
    )
    stored = await db.fetchall("SELECT dedupe_key, title, duration_s, state FROM feed_episodes")
    assert len(stored) == len(items) - 1 and {r["state"] for r in stored} == {"seeded"}
    written = raw_durations(before)
    assert [item.duration_s for item in parsed.items] == [parse_duration(d) for d in written]
    assert sum(item.duration_s is not None for item in parsed.items) == sum(d is not None for d in written)

    # grow: the new first item, and only it, is new
    grown, parsed_grown = await _fetch_parse(feed_server, name, body)
    assert parsed_grown is not None
    added = await store.record_fetched(
        feed.id, parsed_grown.items, grown.etag, None, title=parsed_grown.title
    )
    assert added == 1
    [new] = await db.fetchall("SELECT title FROM feed_episodes WHERE state = 'new'")
    assert new["title"] == parsed_grown.items[0].title

    # refetch: 304; the same document again and the items reordered add nothing, keys unchanged
    unchanged, _ = await _fetch_parse(feed_server, name, body, etag=grown.etag)
    assert unchanged.unchanged
    shuffled = join_items(head, items[::-1], tail)
    _, parsed_shuffled = await _fetch_parse(feed_server, name, shuffled)
    assert parsed_shuffled is not None
    assert {i.key for i in parsed_shuffled.items} == {i.key for i in parsed_grown.items}
    assert (
        await store.record_fetched(feed.id, parsed_shuffled.items, None, None, title=parsed_shuffled.title)
        == 0
    )
    assert await store.record_fetched(feed.id, parsed_grown.items, None, None, title=parsed_grown.title) == 0
    assert (await store.feed(feed.id)).title == TITLES[name]  # type: ignore[union-attr]
    assert await db.fetchval("SELECT count(*) FROM feed_episodes") == len(items)


# ------------------------------------------------------------------------------- quirks


def test_fractional_itunes_durations_of_a_real_feed() -> None:
    feed = parse_feed(real("podverse_test_feed.xml"), "https://podverse.example/feed.xml")
    assert raw_durations(real("podverse_test_feed.xml"))[1:] == [
        "1014.708375",
        "835.821875",
        "835.821875",
        "1031.870813",
    ]
    assert [item.duration_s for item in feed.items] == [None, 1015, 836, 836, 1032]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("1014.708375", 1015),
        (" 3725 ", 3725),
        ("62:05", 3725),
        ("1:02:05", 3725),
        ("01:02:05.250", 3725),
        (" 00:52:14\n", 3134),
        ("7:10", 430),
        ("1 : 02 : 05", 3725),
        ("1:75", None),
        ("1.5:00", None),
        ("-5", None),
        ("a:b", None),
        ("1:2:3:4", None),
    ],
)
def test_every_duration_form_podcast_apps_accept(value: str, seconds: int | None) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize(
    "name", ["podverse_test_feed.xml", "homegrown_hits.xml", "natube_boo_bury.xml", "mike_neumann_show.xml"]
)
def test_a_live_item_never_takes_the_shows_title(name: str) -> None:
    feed = parse_feed(real(name), "https://example.org/feed.xml")
    assert feed.title == TITLES[name]
    assert all(not item.title.startswith("Live Audio") for item in feed.items)


def test_the_live_item_quirk_is_real() -> None:
    """Without reading the channel's own title, feedparser reports the live item's title."""
    assert feedparser.parse(real("podverse_test_feed.xml")).feed.title == "Live Audio"


async def test_later_polls_never_rename_a_show_to_its_live_item(db) -> None:
    store = EpisodeStore(db)
    body = real("podverse_test_feed.xml")
    head, items, tail = split_items(body)
    first = parse_feed(join_items(head, items[1:], tail), "https://podverse.example/feed.xml")
    feed = await store.add_feed(
        GUILD,
        "https://podverse.example/feed.xml",
        first,
        channel_id=CHANNEL,
        poll_minutes=30,
        etag=None,
        last_modified=None,
    )
    again = parse_feed(body, "https://podverse.example/feed.xml")
    assert await store.record_fetched(feed.id, again.items, None, None, title=again.title) == 1
    assert (await store.feed(feed.id)).title == "Podverse - Test Feed"  # type: ignore[union-attr]
    assert first.site_url is None  # its channel <link/> is empty


async def test_relative_enclosures_resolve_against_the_feed_url_after_redirects(feed_server, roomy) -> None:
    feed_server.serve("serial-relative", with_relative_enclosures(real("serial.xml")))
    result = await fetch.fetch_feed(feed_server.url("/to?url=/feed/serial-relative"))
    assert result.url == feed_server.url("/feed/serial-relative")
    feed = await parse_off_loop(result.body, result.url, result.content_type)
    assert len(feed.items) == 40
    first = feed.items[0].enclosure_url
    assert first is not None and first.startswith(
        feed_server.url("/feed/redirect.mp3/nyt.simplecastaudio.com/")
    )
    assert first.endswith("/audio/128/default.mp3")
    assert all(item.enclosure_url and item.enclosure_url.startswith("http://") for item in feed.items)


async def test_items_without_guid_sharing_a_cover_image_each_count(db) -> None:
    body = without_guids_sharing_an_image(real("reply_all.xml"))
    feed = parse_feed(body, "https://gimlet.example/feed.xml")
    assert len(feed.items) == 3 and len({item.key for item in feed.items}) == 3
    assert all(
        item.enclosure_url and ".mp3" in item.enclosure_url for item in feed.items
    )  # audio, not the image

    # a later item that reuses the image (and one that reuses nothing) is new, and posts
    store = EpisodeStore(db)
    followed = await store.add_feed(
        GUILD,
        "https://gimlet.example/feed.xml",
        feed,
        channel_id=CHANNEL,
        poll_minutes=30,
        etag=None,
        last_modified=None,
    )
    head, items, tail = split_items(body)
    later = (
        b"<item><title>A later episode</title><pubDate>Mon, 01 Dec 2014 13:00:00 -0000</pubDate>"
        b'<enclosure url="https://example.org/cover.png" type="image/png" length="1"/></item>'
    )
    grown = parse_feed(join_items(head, [later, *items], tail), "https://gimlet.example/feed.xml")
    assert await store.record_fetched(followed.id, grown.items, None, None) == 1


async def test_feeds_followed_before_the_new_keys_do_not_repost_old_items(db) -> None:
    """Earlier versions keyed guid-less items by any enclosure: three items shared one cover image
    and were stored as one. The first poll after the upgrade re-keys quietly; later items post."""
    store = EpisodeStore(db)
    body = without_guids_sharing_an_image(real("reply_all.xml"))
    feed = parse_feed(body, "https://gimlet.example/feed.xml")
    followed = await store.add_feed(
        GUILD,
        "https://gimlet.example/feed.xml",
        replace(feed, items=feed.items[:1]),
        channel_id=CHANNEL,
        poll_minutes=30,
        etag=None,
        last_modified=None,
    )
    # what an older version stored: one row under the old key, and the feed on key version 1
    await db.execute("UPDATE feed_episodes SET dedupe_key = ?", (feed.items[0].legacy_key,))
    await db.execute("UPDATE episode_feeds SET key_version = 1")
    assert await store.record_fetched(followed.id, feed.items, None, None) == 0
    assert {r["state"] for r in await db.fetchall("SELECT state FROM feed_episodes")} == {"seeded"}
    assert await db.fetchval("SELECT key_version FROM episode_feeds") == 2
    head, items, tail = split_items(body)
    later = b"<item><title>After the upgrade</title><link>https://gimlet.example/after</link></item>"
    grown = parse_feed(join_items(head, [later, *items], tail), "https://gimlet.example/feed.xml")
    assert await store.record_fetched(followed.id, grown.items, None, None) == 1


async def test_an_oldest_first_feed_longer_than_the_item_cap_still_shows_new_episodes(db) -> None:
    body = repeated(MAX_ITEMS + 100, oldest_first=True)
    feed = parse_feed(body, "https://sentimental.example/feed.xml")
    assert len(feed.items) == MAX_ITEMS
    dates = sorted(item.published_at for item in feed.items if item.published_at)
    assert dates[0].isoformat() == "2001-04-11T12:00:00+00:00"  # the 100 oldest fell off, not the newest
    assert dates[-1].isoformat() == "2002-08-23T12:00:00+00:00"

    store = EpisodeStore(db)
    followed = await store.add_feed(
        GUILD,
        "https://sentimental.example/feed.xml",
        feed,
        channel_id=CHANNEL,
        poll_minutes=30,
        etag=None,
        last_modified=None,
    )
    appended = repeated(MAX_ITEMS + 101, oldest_first=True)  # the newest is written last
    grown = parse_feed(appended, "https://sentimental.example/feed.xml")
    assert await store.record_fetched(followed.id, grown.items, None, None) == 1
    [new] = await db.fetchall("SELECT published_at FROM feed_episodes WHERE state = 'new'")
    assert new["published_at"] == "2002-08-24T12:00:00+00:00"


async def test_a_long_running_shows_feed_over_5_mb_is_read(feed_server, roomy) -> None:
    body = repeated(1500)
    assert len(body) > 5 * 1024 * 1024
    _, feed = await _fetch_parse(feed_server, "long", body)
    assert feed is not None and feed.title == "Sentimental Garbage"
    assert len(feed.items) == MAX_ITEMS
    assert (
        max(i.published_at for i in feed.items if i.published_at).isoformat() == "2005-02-08T12:00:00+00:00"
    )


async def test_a_feed_over_the_cap_is_refused_while_streaming(feed_server, roomy) -> None:
    feed_server.serve("too-long", repeated(9000))  # about 34 MB
    with pytest.raises(fetch.FetchError) as raised:
        await fetch.fetch_feed(feed_server.url("/feed/too-long"))
    assert raised.value.reason == "too-big" and "30 MB" in raised.value.message


def test_an_atom_feed_reads_like_its_rss_original() -> None:
    rss = parse_feed(real("serial.xml"), "https://serial.example/feed.xml")
    atom = parse_feed(as_atom(real("serial.xml")), "https://serial.example/atom.xml")
    assert (
        atom.version == "atom10" and atom.title == "Serial" and atom.site_url == "https://serialpodcast.org"
    )
    assert [i.title for i in atom.items] == [i.title for i in rss.items]
    assert [i.enclosure_url for i in atom.items] == [i.enclosure_url for i in rss.items]
    assert [i.published_at for i in atom.items] == [i.published_at for i in rss.items]
    assert len({i.key for i in atom.items}) == 40


@pytest.mark.parametrize(
    ("codec", "declared"), [("cp1252", "windows-1252"), ("iso-8859-1", "ISO-8859-1"), ("utf-16", "UTF-16")]
)
def test_legacy_and_wide_encodings_read_the_same(codec: str, declared: str) -> None:
    original = real("langsam_gesprochene_nachrichten.xml")
    utf8 = parse_feed(original, "https://dw.example/feed.xml")
    other = parse_feed(reencoded(original, codec, declared), "https://dw.example/feed.xml")
    assert other.title == utf8.title
    assert [(i.title, i.summary, i.key) for i in other.items] == [
        (i.title, i.summary, i.key) for i in utf8.items
    ]
    assert any(ch in "".join(i.title + i.summary for i in utf8.items) for ch in "äöüß„")
