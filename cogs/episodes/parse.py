"""Turning downloaded bytes into clean feed items (feedparser does the XML; we do the judging).

Everything that comes out of here is plain, bounded text and checked links: feed authors'
HTML is stripped, lengths are capped, non-http(s) links are dropped. Callers run
:func:`parse_feed` through :func:`cogs.episodes.sandbox.parse_off_loop` (a limited worker process).

What real feeds do, and what we do about it:

* Documents that declare entities (a DOCTYPE with ``<!ENTITY``) are refused unread: no podcast
  needs them, and nested entities expand a few MB into gigabytes.
* The show's title and link come from the channel's (or Atom feed's) own elements. feedparser
  doesn't know Podcasting 2.0's ``<podcast:liveItem>``, so a live item's ``<title>`` would
  otherwise overwrite the show's.
* Enclosure URLs may be relative; they are resolved against the feed's URL (after redirects).
* Dedupe keys: the guid; else an audio/video enclosure (by MIME type or extension — a shared
  cover image is not an episode); else link + title + date. None depends on the item's position.
* A feed may list oldest first: the newest ``MAX_ITEMS`` by date are kept, whatever the order.
"""

from __future__ import annotations

import calendar
import codecs
import hashlib
import re
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from attune.text import clip, one_line
from cogs.episodes.urls import host_and_path, safe_link

MAX_ITEMS = 500
TITLE_MAX = 200
SUMMARY_MAX = 300
SHOW_MAX = 100


class NotAFeed(Exception):
    """The bytes are not a podcast feed; the message says what they seem to be instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FeedItem:
    key: str
    legacy_key: str  # the key earlier versions gave this item (to re-key stored items quietly)
    title: str
    link: str | None
    enclosure_url: str | None
    summary: str
    duration_s: int | None
    published_at: datetime | None
    position: int


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    site_url: str | None
    version: str
    items: list[FeedItem]


# ------------------------------------------------------------------------------ text


class _TextOnly(HTMLParser):
    _SKIP = frozenset({"script", "style", "head", "title"})
    _BREAKS = frozenset({"br", "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "tr", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def strip_html(text: str | None) -> str:
    """Plain text of an HTML fragment, entities decoded, whitespace collapsed to single spaces."""
    if not text:
        return ""
    parser = _TextOnly()
    parser.feed(text)
    parser.close()
    return one_line("".join(parser.parts))


def plain(text: str | None, limit: int) -> str:
    return clip(strip_html(text), limit)


# -------------------------------------------------------------------------- durations

_NUMBER = re.compile(r"^\d+(?:\.\d*)?$|^\.\d+$")
MAX_DURATION_S = 7 * 24 * 3600


def parse_duration(value: Any) -> int | None:
    """``itunes:duration`` in whole seconds, in every form podcast apps accept.

    ``3725``, ``1014.708375`` (fractional seconds), ``62:05`` (MM:SS), ``1:02:05`` and
    ``01:02:05.250`` (HH:MM:SS), with stray whitespace anywhere. Anything else → ``None``.
    """
    if value is None:
        return None
    parts = [part.strip() for part in "".join(str(value).split()).split(":")]
    if not 1 <= len(parts) <= 3 or not all(_NUMBER.match(part) for part in parts):
        return None
    if any("." in part for part in parts[:-1]):
        return None  # only the seconds may have a fraction
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    if len(parts) > 1 and any(float(part) >= 60 for part in parts[-1:]):
        return None  # 1:75 is not a time
    whole = round(seconds)
    return whole if 0 < whole < MAX_DURATION_S else None


def describe_duration(seconds: int | None) -> str | None:
    """``1 h 02 min`` or ``45 min`` (rounded to the minute; at least 1 min)."""
    if not seconds:
        return None
    minutes = max(1, round(seconds / 60))
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


# ------------------------------------------------------------------------------ items


def _hashed(basis: str) -> str:
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def dedupe_key(
    guid: str | None,
    media_url: str | None,
    link: str | None,
    title: str,
    published: datetime | None = None,
) -> str:
    """A stable key: the guid, else the audio/video enclosure, else link + title + date (hashed).

    Nothing here depends on where the item sits in the feed, so reordering changes no key.
    """
    if guid and guid.strip():
        return _hashed("guid:" + guid.strip())
    if media_url:
        return _hashed("enclosure:" + media_url)
    when = published.isoformat() if published else ""
    return _hashed(f"link:{link or ''}\n{title}\n{when}")


def legacy_dedupe_key(guid: str | None, any_enclosure: str | None, link: str | None, title: str) -> str:
    """The key earlier versions gave an item (any enclosure; no date): only to re-key stored feeds."""
    if guid and guid.strip():
        return _hashed("guid:" + guid.strip())
    if any_enclosure:
        return _hashed("enclosure:" + any_enclosure)
    return _hashed(f"link:{link or ''}\n{title}")


_AUDIO = (".mp3", ".m4a", ".m4b", ".aac", ".ogg", ".oga", ".opus", ".wav", ".flac", ".wma", ".aif", ".aiff")
_VIDEO = (".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi", ".mpg", ".mpeg", ".3gp")
MEDIA_EXTENSIONS = frozenset(_AUDIO + _VIDEO)


def is_media(url: str, mime: str | None) -> bool:
    """Audio or video, by MIME type, else by the file's extension."""
    kind = (mime or "").split(";", 1)[0].strip().lower()
    if kind.startswith(("audio/", "video/")):
        return True
    if kind and kind not in {"application/octet-stream", "binary/octet-stream"}:
        return False
    path = urlsplit(url).path.lower()
    return any(path.endswith(extension) for extension in MEDIA_EXTENSIONS)


@dataclass(frozen=True)
class _Enclosures:
    shown: str | None  # the link a post offers: the first media enclosure, else the first of any kind
    media: str | None  # the first audio/video enclosure (a key)
    legacy: str | None  # the first absolute enclosure of any kind, unresolved (the old key)


def _enclosures(entry: Any, base_url: str) -> _Enclosures:
    candidates: list[tuple[str, str | None]] = []
    for enclosure in entry.get("enclosures") or []:
        href = enclosure.get("href") or enclosure.get("url")
        if href:
            candidates.append((str(href), enclosure.get("type")))
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure" and link.get("href"):
            candidates.append((str(link["href"]), link.get("type")))
    legacy = next((found for href, _ in candidates if (found := safe_link(href))), None)
    resolved = [
        (link, mime) for href, mime in candidates if (link := safe_link(urljoin(base_url, href.strip())))
    ]
    media = next((link for link, mime in resolved if is_media(link, mime)), None)
    shown = media or (resolved[0][0] if resolved else None)
    return _Enclosures(shown, media, legacy)


def _published(entry: Any) -> datetime | None:
    for name in ("published_parsed", "updated_parsed"):
        parsed = entry.get(name)
        if isinstance(parsed, time.struct_time):
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None


def _summary(entry: Any) -> str:
    text = entry.get("summary") or entry.get("subtitle") or entry.get("itunes_summary")
    if not text:
        for content in entry.get("content") or []:
            if content.get("value"):
                text = content["value"]
                break
    return plain(text, SUMMARY_MAX)


def _item(entry: Any, position: int, base_url: str) -> FeedItem | None:
    link = safe_link(entry.get("link"))
    enclosures = _enclosures(entry, base_url)
    title = plain(entry.get("title"), TITLE_MAX)
    legacy_title = title
    if not title:
        if not (link or enclosures.shown):
            return None  # nothing to show and nothing to link to: not worth posting
        title = host_and_path(link or enclosures.shown or "", TITLE_MAX)
        legacy_title = host_and_path(link or enclosures.legacy or "", TITLE_MAX)
    guid = entry.get("id") or entry.get("guid")
    guid_text = str(guid) if guid else None
    published = _published(entry)
    return FeedItem(
        key=dedupe_key(guid_text, enclosures.media, link, title, published),
        legacy_key=legacy_dedupe_key(guid_text, enclosures.legacy, link, legacy_title),
        title=title,
        link=link,
        enclosure_url=enclosures.shown,
        summary=_summary(entry),
        duration_s=parse_duration(entry.get("itunes_duration")),
        published_at=published,
        position=position,
    )


def newest(items: list[FeedItem], limit: int) -> list[FeedItem]:
    """The ``limit`` newest items by date (undated ones after dated ones, in document order)."""
    if len(items) <= limit:
        return items
    ranked = sorted(
        items,
        key=lambda item: (
            item.published_at is None,
            -(item.published_at.timestamp() if item.published_at else 0),
            item.position,
        ),
    )
    return sorted(ranked[:limit], key=lambda item: item.position)


# ------------------------------------------------------------------------------- feeds


class _FeedLinkFinder(HTMLParser):
    """Finds ``<link rel="alternate" type="application/rss+xml" href=…>`` on a web page."""

    TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/feed+json"})

    def __init__(self) -> None:
        super().__init__()
        self.found: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.found or tag != "link":
            return
        values = {name: (value or "") for name, value in attrs}
        rel = values.get("rel", "").lower().split()
        if "alternate" in rel and values.get("type", "").lower() in self.TYPES and values.get("href"):
            self.found = values["href"]


def discover_feed_link(body: bytes, base_url: str) -> str | None:
    """The feed a web page advertises, if any (so the member can be pointed at it)."""
    finder = _FeedLinkFinder()
    try:
        finder.feed(body[: 512 * 1024].decode("utf-8", errors="replace"))
    except Exception:
        return None
    return safe_link(urljoin(base_url, finder.found)) if finder.found else None


def _looks_like_html(body: bytes, content_type: str | None) -> bool:
    head = body[:2048].lstrip().lower()
    return (content_type or "").lower().startswith("text/html") or head.startswith(
        (b"<!doctype html", b"<html")
    )


def _malformed(parsed: Any) -> bool:
    """feedparser flagged a real problem (not just a charset or content-type quibble)."""
    import feedparser

    problem = parsed.get("bozo_exception")
    return bool(parsed.get("bozo")) and not isinstance(
        problem, feedparser.exceptions.ThingsNobodyCaresAboutButMe
    )


_DOCTYPE = re.compile(rb"<!\s*DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WIDE_STARTS = (
    (b"<\0\0\0", "utf-32-le"),
    (b"\0\0\0<", "utf-32-be"),
    (b"<\0", "utf-16-le"),
    (b"\0<", "utf-16-be"),
)


def _ascii_view(body: bytes) -> bytes:
    """The document in an ASCII-compatible encoding, so markup can be searched as bytes."""
    for bom, codec in _WIDE_BOMS:
        if body.startswith(bom):
            return body.decode(codec, errors="replace").encode("utf-8", errors="replace")
    for start, codec in _WIDE_STARTS:
        if body.startswith(start):
            return body.decode(codec, errors="replace").encode("utf-8", errors="replace")
    return body


def declares_entities(body: bytes) -> bool:
    """Does the document have a DOCTYPE that declares entities (an entity bomb's only way in)?"""
    view = _ascii_view(body)
    doctype = _DOCTYPE.search(view)
    return doctype is not None and _ENTITY.search(view, doctype.end()) is not None


_RSS_CHANNELS = (
    "channel",
    "{http://purl.org/rss/1.0/}channel",
    "{http://my.netscape.com/rdf/simple/0.9/}channel",
)
_ATOM_FEEDS = ("{http://www.w3.org/2005/Atom}feed", "{http://purl.org/atom/ns#}feed")


def channel_title_and_link(body: bytes) -> tuple[str | None, str | None] | None:
    """The show's own title and link: direct children of ``<channel>`` (RSS) or ``<feed>`` (Atom).

    ``None`` when the document isn't well-formed XML (feedparser's lenient reading is used then).
    """
    title: str | None = None
    link: str | None = None
    path: list[str] = []
    try:  # safe: parse_feed refuses entity declarations first, and expat loads no external ones
        for event, element in ElementTree.iterparse(_BytesReader(body), events=("start", "end")):  # noqa: S314
            if event == "start":
                path.append(element.tag)
                continue
            parent = path[-2] if len(path) >= 2 else ""
            tag = path.pop()
            if parent in _RSS_CHANNELS or parent in _ATOM_FEEDS:
                local = tag.rsplit("}", 1)[-1]
                namespace = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
                own = namespace == parent[1:].split("}", 1)[0] if parent.startswith("{") else not namespace
                if own and local == "title" and title is None:
                    title = "".join(element.itertext())
                elif own and local == "link" and link is None:
                    if parent in _ATOM_FEEDS:
                        if element.get("rel", "alternate") == "alternate" and element.get("href"):
                            link = element.get("href")
                    else:
                        link = (element.text or "").strip() or None
            if len(path) >= 2:
                element.clear()  # items are read by feedparser; keep memory flat here
            if title is not None and link is not None:
                break
    except ElementTree.ParseError:
        return None
    return title, link


_LEADING_SPACE = re.compile(rb"\s*")


class _BytesReader:
    """A file-like view of bytes for ``iterparse`` without copying them."""

    def __init__(self, body: bytes) -> None:
        self._view = memoryview(body)
        self._at = _LEADING_SPACE.match(body).end()  # type: ignore[union-attr]  # some feeds start with blank lines

    def read(self, size: int = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else self._at + size
        chunk = bytes(self._view[self._at : end])
        self._at += len(chunk)
        return chunk


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse RSS 2.0 (with iTunes tags) or Atom; raises :class:`NotAFeed` for anything else.

    ``url`` is where the feed was fetched from, after redirects: relative links resolve against it.
    """
    import feedparser

    if declares_entities(body):
        raise NotAFeed(
            "the feed declares XML entities, which Attune doesn't read (no podcast feed needs them)."
        )
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(
        body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    version = parsed.get("version") or ""
    entries = list(parsed.get("entries") or [])
    channel = parsed.get("feed") or {}
    if not version:
        if _looks_like_html(body, content_type):
            advertised = discover_feed_link(body, url)
            hint = (
                f" The page points to a feed at {advertised} — try that address."
                if advertised
                else " Look on the podcast's page for its RSS feed link (often labelled RSS or Subscribe)."
            )
            raise NotAFeed("that address is a web page, not a podcast feed." + hint)
        if not body.lstrip().startswith(b"<") or (not entries and not _malformed(parsed)):
            raise NotAFeed("that address doesn't return an RSS or Atom feed.")
    items: list[FeedItem] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries):
        item = _item(entry, position, url)
        if item is None or item.key in seen:
            continue
        seen.add(item.key)
        items.append(item)
    if _malformed(parsed) and not items:
        raise NotAFeed("the feed is malformed XML that can't be read.")
    own = channel_title_and_link(body)
    raw_title, raw_link = own if own is not None else (channel.get("title"), channel.get("link"))
    title = plain(raw_title, SHOW_MAX) or host_and_path(url, SHOW_MAX)
    site = safe_link(urljoin(url, raw_link.strip())) if raw_link else None
    return ParsedFeed(title=title, site_url=site, version=version, items=newest(items, MAX_ITEMS))
