"""Feed parsing on fixture files: RSS 2.0 with iTunes tags, Atom, and things that are not feeds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cogs.episodes.parse import (
    NotAFeed,
    dedupe_key,
    describe_duration,
    discover_feed_link,
    parse_duration,
    parse_feed,
    strip_html,
)
from tests.cogs.episodes.factory import fixture_bytes, grown


def test_rss_with_itunes_tags() -> None:
    feed = parse_feed(fixture_bytes("listening_circle.xml"), "https://listening-circle.example/feed.xml")
    assert feed.title == "The Listening Circle"
    assert feed.site_url == "https://listening-circle.example/"
    assert feed.version == "rss20"
    first = feed.items[0]
    assert first.title == "Feeling Felt: Attunement in Everyday Conversations"
    assert first.link == "https://listening-circle.example/episodes/feeling-felt"
    assert first.enclosure_url == "https://cdn.listening-circle.example/audio/ep3.mp3"
    assert first.duration_s == 52 * 60 + 14
    assert first.published_at == datetime(2025, 12, 29, 6, 0, tzinfo=UTC)
    # HTML stripped, entities decoded, script dropped, whitespace collapsed
    assert first.summary.startswith("What does it take for someone to feel felt? We talk about attunement,")
    assert "& the quiet power" in first.summary
    assert "<" not in first.summary and "alert" not in first.summary
    assert [item.duration_s for item in feed.items] == [3134, 2712, 845]
    assert [item.position for item in feed.items] == [0, 1, 2]


def test_atom_feed() -> None:
    feed = parse_feed(fixture_bytes("stillness_notes.atom"), "https://stillness-notes.example/atom.xml")
    assert feed.title == "Stillness Notes"
    assert feed.version == "atom10"
    assert [item.title for item in feed.items] == [
        "Hub and Rim: A Short Wheel of Awareness",
        "Memory Lives in the Body",
    ]
    hub, memory = feed.items
    assert hub.enclosure_url == "https://stillness-notes.example/audio/hub-and-rim.mp3"
    assert hub.summary == "A ten-minute walk around the wheel: senses, body, mind, and the people around us."
    assert memory.enclosure_url is None
    assert memory.summary.startswith("Why some memories return as sensations")
    assert memory.published_at == datetime(2025, 12, 16, 8, 0, tzinfo=UTC)  # from <updated>


def test_malformed_xml_is_refused_with_a_reason() -> None:
    with pytest.raises(NotAFeed) as raised:
        parse_feed(fixture_bytes("malformed.xml"), "https://example.com/feed.xml", "application/rss+xml")
    assert "malformed XML" in raised.value.message


def test_a_web_page_is_refused_and_its_feed_link_suggested() -> None:
    with pytest.raises(NotAFeed) as raised:
        parse_feed(fixture_bytes("podcast_page.html"), "https://listening-circle.example/", "text/html")
    assert "web page, not a podcast feed" in raised.value.message
    assert "https://listening-circle.example/feed.xml" in raised.value.message


@pytest.mark.parametrize("body", [b"", b"hello world", b'{"episodes": []}', b"<?xml version='1.0'?><note/>"])
def test_other_content_is_not_a_feed(body: bytes) -> None:
    with pytest.raises(NotAFeed):
        parse_feed(body, "https://example.com/x", "application/xml")


def test_an_empty_but_valid_feed_is_accepted() -> None:
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Soon</title></channel></rss>'
    feed = parse_feed(body, "https://example.com/feed.xml", "application/rss+xml")
    assert feed.title == "Soon" and feed.items == []


def test_feed_texts_are_plain_and_bounded_and_links_checked() -> None:
    item = (
        b"<item><title>" + b"Long title " * 40 + b"</title>"
        b"<link>javascript:alert(1)</link><guid>x-1</guid>"
        b"<description>&lt;p&gt;" + b"word " * 200 + b"&lt;/p&gt;</description></item>"
    )
    body = grown(fixture_bytes("listening_circle.xml"), item.replace(b"<item>", b"    <item>"))
    feed = parse_feed(body, "https://example.com/feed.xml", "application/rss+xml")
    first = feed.items[0]
    assert len(first.title) <= 200 and first.title.endswith("…")
    assert len(first.summary) <= 300
    assert first.link is None  # a javascript: link is never shown


def test_dedupe_key_prefers_guid_then_enclosure_then_link_and_title() -> None:
    by_guid = dedupe_key("guid-1", "https://a/x.mp3", "https://a/x", "T")
    assert by_guid == dedupe_key("guid-1", "https://b/other.mp3", None, "Other")
    by_enclosure = dedupe_key(None, "https://a/x.mp3", "https://a/x", "T")
    assert by_enclosure == dedupe_key("  ", "https://a/x.mp3", "https://a/changed", "Changed")
    by_link = dedupe_key(None, None, "https://a/x", "T")
    assert by_link != dedupe_key(None, None, "https://a/x", "T2")
    assert len({by_guid, by_enclosure, by_link}) == 3


def test_items_without_guid_dedupe_on_enclosure() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>S</title>'
        b'<item><title>A</title><enclosure url="https://a/1.mp3" type="audio/mpeg"/></item>'
        b'<item><title>A again</title><enclosure url="https://a/1.mp3" type="audio/mpeg"/></item>'
        b"<item><title>B</title><link>https://a/b</link></item>"
        b"</channel></rss>"
    )
    feed = parse_feed(body, "https://a/feed", "application/rss+xml")
    assert [item.title for item in feed.items] == ["A", "B"]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("3725", 3725),
        ("62:05", 3725),
        ("1:02:05", 3725),
        ("00:52:14", 3134),
        ("", None),
        ("soon", None),
        (None, None),
        ("0", None),
    ],
)
def test_itunes_durations(value: str | None, seconds: int | None) -> None:
    assert parse_duration(value) == seconds


def test_durations_read_well() -> None:
    assert describe_duration(3725) == "1 h 02 min"
    assert describe_duration(2712) == "45 min"
    assert describe_duration(20) == "1 min"
    assert describe_duration(None) is None


def test_strip_html() -> None:
    assert strip_html("<p>One&nbsp;<b>two</b><br>three</p><style>p{}</style>") == "One two three"
    assert strip_html("Tom &amp; Jerry &lt;3") == "Tom & Jerry <3"


def test_discover_feed_link_on_a_page() -> None:
    assert discover_feed_link(fixture_bytes("podcast_page.html"), "https://x.example/show/") == (
        "https://x.example/feed.xml"
    )
    assert discover_feed_link(b"<html><head></head></html>", "https://x.example/") is None


def test_only_audio_and_video_enclosures_are_keys() -> None:
    from cogs.episodes.parse import is_media

    assert is_media("https://a/ep.mp3", "audio/mpeg")
    assert is_media("https://a/stream", "video/mp4")
    assert is_media("https://a/ep.m4a?x=1", None)
    assert is_media("https://a/ep.MP3", "application/octet-stream")
    assert not is_media("https://a/cover.jpg", "image/jpeg")
    assert not is_media("https://a/ep.mp3", "image/png")  # the type, when given, wins
    assert not is_media("https://a/page", None)


def test_keys_without_guid_or_media_use_link_title_and_date() -> None:
    when = datetime(2026, 1, 5, tzinfo=UTC)
    later = datetime(2026, 2, 5, tzinfo=UTC)
    assert dedupe_key(None, None, "https://a/x", "T", when) != dedupe_key(
        None, None, "https://a/x", "T", later
    )
    assert dedupe_key(None, None, "https://a/x", "T", when) == dedupe_key(" ", None, "https://a/x", "T", when)


def test_newest_items_are_kept_whatever_the_order() -> None:
    from cogs.episodes.parse import newest

    items = parse_feed(fixture_bytes("listening_circle.xml"), "https://x/feed.xml").items
    kept = newest(list(reversed(items)), 2)
    assert [i.title for i in kept] == [items[0].title, items[1].title]  # the two newest, in document order


def test_relative_enclosures_and_site_links_resolve_against_the_feed_url() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>S</title><link>/show/</link>'
        b'<item><title>A</title><guid>a</guid><enclosure url="media/a.mp3" type="audio/mpeg"/></item>'
        b'<item><title>B</title><guid>b</guid><enclosure url="javascript:alert(1)" type="audio/mpeg"/></item>'
        b"</channel></rss>"
    )
    feed = parse_feed(body, "https://host.example/feeds/main.xml", "application/rss+xml")
    assert feed.items[0].enclosure_url == "https://host.example/feeds/media/a.mp3"
    assert feed.items[1].enclosure_url is None
    assert feed.site_url == "https://host.example/show/"


def test_the_show_title_is_the_channels_own_element() -> None:
    from cogs.episodes.parse import channel_title_and_link

    body = (
        b'<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:podcast="https://podcastindex.org/namespace/1.0">'
        b'<channel><atom:title>Not this</atom:title><atom:link href="https://no/" rel="self"/>'
        b"<podcast:liveItem><title>Live now</title><link>https://live/</link></podcast:liveItem>"
        b"<title>The Show</title><link>https://show.example/</link></channel></rss>"
    )
    assert channel_title_and_link(body) == ("The Show", "https://show.example/")
    assert channel_title_and_link(b"<rss><channel><title>Broken") is None
    feed = parse_feed(body, "https://show.example/feed.xml", "application/rss+xml")
    assert feed.title == "The Show" and feed.site_url == "https://show.example/"
