"""Feed bytes for the episodes tests: fixture files, feeds grown by new items, fetch limits."""

from __future__ import annotations

from pathlib import Path

from cogs.episodes import fetch
from cogs.episodes.destinations import Allowed

FIXTURES = Path(__file__).parent / "fixtures"
RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
LOOPBACK_ALLOWED = ("127.0.0.1",)  # the operator's ATTUNE_FEEDS_ALLOW for the local feed server
#: A generous timeout: a local fixture server answers at once, however busy the machine. Only the
#: tests of a server that never answers (``/slow.xml``) shorten it, with ``short_fetch_timeout``.
TEST_LIMITS = fetch.FetchLimits(
    timeout=30, max_bytes=256 * 1024, max_redirects=3, allowed=Allowed.from_entries(LOOPBACK_ALLOWED)
)
SHORT_TIMEOUT = 0.5


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def grown(base: bytes, *items: bytes) -> bytes:
    """``base`` RSS with ``items`` inserted before the first existing ``<item>`` (newest first)."""
    marker = b"    <item>"
    head, sep, tail = base.partition(marker)
    return head + b"".join(items) + sep + tail


def rss_item(number: int, *, day: int = 10) -> bytes:
    return (
        f"    <item>\n      <title>Burst episode {number}</title>\n"
        f"      <link>https://listening-circle.example/episodes/burst-{number}</link>\n"
        f'      <guid isPermaLink="false">burst-{number}</guid>\n'
        f"      <pubDate>Sat, {day:02d} Jan 2026 06:{number:02d}:00 +0000</pubDate>\n"
        f"      <description>Burst number {number}.</description>\n    </item>\n"
    ).encode()
