"""Fetching feeds from a local server: conditional GET, redirects, size cap, timeout, bad answers."""

from __future__ import annotations

import socket

import pytest

from cogs.episodes.fetch import FetchError, fetch_feed
from tests.cogs.episodes.factory import TEST_LIMITS, fixture_bytes


async def test_a_feed_is_fetched_with_attunes_user_agent(feed_server) -> None:
    result = await fetch_feed(feed_server.url("/feed/circle"))
    assert result.status == 200
    assert result.body == fixture_bytes("listening_circle.xml")
    assert result.etag and result.last_modified
    assert result.content_type and result.content_type.startswith("application/rss+xml")
    headers = feed_server.hits("/feed/circle")[0]
    assert headers["User-Agent"].startswith("Attune/")
    assert "If-None-Match" not in headers


async def test_conditional_get_gives_304_when_unchanged(feed_server) -> None:
    first = await fetch_feed(feed_server.url("/feed/circle"))
    again = await fetch_feed(
        feed_server.url("/feed/circle"), etag=first.etag, last_modified=first.last_modified
    )
    assert again.unchanged and again.body == b""
    headers = feed_server.hits("/feed/circle")[1]
    assert headers["If-None-Match"] == first.etag
    assert headers["If-Modified-Since"] == first.last_modified


async def test_redirects_are_followed_within_the_bound(feed_server) -> None:
    result = await fetch_feed(feed_server.url("/redirect/3/circle"))
    assert result.status == 200
    assert result.url == feed_server.url("/feed/circle")
    assert len(feed_server.requests) == 4


async def test_too_many_redirects_stop(feed_server) -> None:
    with pytest.raises(FetchError) as raised:
        await fetch_feed(feed_server.url("/redirect/4/circle"))
    assert raised.value.reason == "redirects"
    assert raised.value.message == "too many redirects"
    with pytest.raises(FetchError):
        await fetch_feed(feed_server.url("/loop"))
    assert len(feed_server.hits("/loop")) == TEST_LIMITS.max_redirects + 1


async def test_a_huge_streamed_response_is_cut_off(feed_server) -> None:
    with pytest.raises(FetchError) as raised:
        await fetch_feed(feed_server.url("/huge.xml"))
    assert raised.value.reason == "too-big"
    assert "too big for a podcast feed" in raised.value.message


async def test_a_huge_declared_response_is_refused_before_reading(feed_server) -> None:
    with pytest.raises(FetchError) as raised:
        await fetch_feed(feed_server.url("/huge-declared.xml"))
    assert raised.value.reason == "too-big"


async def test_a_slow_server_times_out(feed_server, short_fetch_timeout) -> None:
    short_fetch_timeout()
    with pytest.raises(FetchError) as raised:
        await fetch_feed(feed_server.url("/slow.xml"))
    assert raised.value.reason == "timeout"
    assert raised.value.message == "timed out"


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (500, "the feed's server had an error: 500"),
        (503, "the feed's server had an error: 503"),
        (404, "the feed's server refused: 404"),
        (401, "the feed's server refused: 401"),
    ],
)
async def test_http_errors_are_a_category_without_the_remote_reason_phrase(
    feed_server, status: int, text: str
) -> None:
    feed_server.statuses["broken"] = status
    with pytest.raises(FetchError) as raised:
        await fetch_feed(feed_server.url("/feed/broken"))
    assert raised.value.reason == "http"
    assert raised.value.message == text
    assert feed_server.reason not in str(raised.value) and "10.1.2.3" not in str(raised.value)


async def test_an_unreachable_host_is_a_network_error_without_socket_details() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError) as raised:
        await fetch_feed(f"http://127.0.0.1:{port}/feed.xml")
    assert raised.value.reason == "network"
    assert raised.value.message == "couldn't connect"
    assert str(port) not in str(raised.value)


async def test_other_schemes_are_never_fetched() -> None:
    for url in ("ftp://example.com/feed.xml", "file:///etc/passwd", "javascript:alert(1)"):
        with pytest.raises(FetchError) as raised:
            await fetch_feed(url)
        assert raised.value.reason == "address"


async def test_a_gzip_bomb_is_cut_off_after_decompression(feed_server) -> None:
    with pytest.raises(FetchError) as raised:
        await fetch_feed(feed_server.url("/gzip-bomb.xml"))
    assert raised.value.reason == "too-big"
