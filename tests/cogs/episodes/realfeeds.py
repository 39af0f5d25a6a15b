"""The real-world feed corpus (``fixtures/real``, see its SOURCES.md) and variants derived from it.

Each derivation starts from a real feed and keeps its items' real text, links and dates; only the
quirk under test is introduced (an encoding, relative enclosures, missing guids, order, length).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

REAL = Path(__file__).parent / "fixtures" / "real"
CORPUS = sorted(path.name for path in REAL.glob("*.xml"))

_ITEM = re.compile(rb"<item[\s>].*?</item>", re.DOTALL)
_GUID = re.compile(rb"<guid([^>]*)>(.*?)</guid>", re.DOTALL)
_PUBDATE = re.compile(rb"<pubDate>.*?</pubDate>", re.DOTALL)
_ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"


def real(name: str) -> bytes:
    return (REAL / name).read_bytes()


def split_items(body: bytes) -> tuple[bytes, list[bytes], bytes]:
    """An RSS document as (everything before the first item, the items, everything after the last)."""
    matches = list(_ITEM.finditer(body))
    head, tail = body[: matches[0].start()], body[matches[-1].end() :]
    return head, [m.group(0) for m in matches], tail


def join_items(head: bytes, items: list[bytes], tail: bytes) -> bytes:
    return head + b"\n".join(items) + tail


def raw_durations(body: bytes) -> list[str | None]:
    """Each item's ``itunes:duration`` text as written (``None`` when absent or empty)."""
    root = ElementTree.fromstring(body.lstrip())  # noqa: S314 - our own fixtures
    found = []
    for item in root.iter("item"):
        text = item.findtext(f"{_ITUNES}duration")
        found.append(text.strip() if text and text.strip() else None)
    return found


def reencoded(body: bytes, codec: str, declared: str) -> bytes:
    """The same document in another encoding, its XML declaration saying so."""
    text = body.decode("utf-8")
    text = re.sub(r'encoding="[^"]+"', f'encoding="{declared}"', text, count=1)
    return text.encode(codec, errors="xmlcharrefreplace")


def with_relative_enclosures(body: bytes) -> bytes:
    """Every enclosure URL made relative to the feed's own URL: ``https://host/a/b.mp3`` → ``a/b.mp3``."""

    def relative(match: re.Match[bytes]) -> bytes:
        path = re.sub(rb"^[a-z]+://[^/]+/", b"", match.group(2)).split(b"?", 1)[0]
        return match.group(1) + path + b'"'

    return re.sub(rb'(<enclosure[^>]*?url=")([^"]+)"', relative, body)


def without_guids_sharing_an_image(body: bytes, image: bytes = b"https://example.org/cover.png") -> bytes:
    """Guids removed; each item also carries the same cover image enclosure, listed first."""
    head, items, tail = split_items(body)
    changed = []
    for item in items:
        item = _GUID.sub(b"", item)
        item = item.replace(
            b"<enclosure", b'<enclosure url="' + image + b'" type="image/png" length="1"/><enclosure', 1
        )
        changed.append(item)
    return join_items(head, changed, tail)


def _numbered(number: int) -> Callable[[re.Match[bytes]], bytes]:
    def guid(match: re.Match[bytes]) -> bytes:
        return b"<guid" + match.group(1) + b">" + match.group(2).strip() + f"-{number}</guid>".encode()

    return guid


def repeated(count: int, *, oldest_first: bool = False, start: datetime | None = None) -> bytes:
    """``count`` items of a real feed (Sentimental Garbage), unique guids, one day apart."""
    head, items, tail = split_items(real("sentimental_garbage.xml"))
    first = start or datetime(2001, 1, 1, 12, tzinfo=UTC)
    made = []
    for number in range(count):
        item = items[number % len(items)]
        suffix = b"-" + str(number).encode()
        item = _GUID.sub(
            lambda m, end=suffix: b"<guid" + m.group(1) + b">" + m.group(2).strip() + end + b"</guid>",
            item,
            count=1,
        )
        when = format_datetime(first + timedelta(days=number)).encode()
        item = _PUBDATE.sub(b"<pubDate>" + when + b"</pubDate>", item, count=1)
        made.append(item)
    return join_items(head, made if oldest_first else made[::-1], tail)


def as_atom(body: bytes) -> bytes:
    """An RSS 2.0 feed rewritten as Atom: same titles, links, guids, dates, enclosures, summaries."""
    channel = ElementTree.fromstring(body.lstrip()).find("channel")  # noqa: S314 - our own fixtures
    assert channel is not None
    ns = "http://www.w3.org/2005/Atom"
    ElementTree.register_namespace("", ns)
    feed = ElementTree.Element(f"{{{ns}}}feed")
    ElementTree.SubElement(feed, f"{{{ns}}}title").text = channel.findtext("title")
    ElementTree.SubElement(feed, f"{{{ns}}}link", href=channel.findtext("link") or "", rel="alternate")
    ElementTree.SubElement(feed, f"{{{ns}}}id").text = channel.findtext("link")
    ElementTree.SubElement(feed, f"{{{ns}}}updated").text = datetime.now(UTC).isoformat()
    for item in channel.iter("item"):
        entry = ElementTree.SubElement(feed, f"{{{ns}}}entry")
        ElementTree.SubElement(entry, f"{{{ns}}}title").text = item.findtext("title")
        ElementTree.SubElement(entry, f"{{{ns}}}id").text = item.findtext("guid")
        if item.findtext("link"):
            ElementTree.SubElement(entry, f"{{{ns}}}link", href=item.findtext("link") or "", rel="alternate")
        published = parsedate_to_datetime(item.findtext("pubDate") or "").isoformat()
        ElementTree.SubElement(entry, f"{{{ns}}}published").text = published
        ElementTree.SubElement(entry, f"{{{ns}}}updated").text = published
        enclosure = item.find("enclosure")
        if enclosure is not None:
            ElementTree.SubElement(
                entry,
                f"{{{ns}}}link",
                rel="enclosure",
                href=enclosure.get("url", ""),
                type=enclosure.get("type", ""),
                length=enclosure.get("length", "0"),
            )
        summary = ElementTree.SubElement(entry, f"{{{ns}}}summary", type="html")
        summary.text = item.findtext("description")
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(feed, encoding="unicode").encode()
    )
