"""Turning downloaded bytes into clean feed items (feedparser does the XML; we do the judging).

Everything that comes out of here is plain, bounded text and checked links: feed authors'
HTML is stripped, lengths are capped, non-http(s) links are dropped. Run :func:`parse_feed`
off the event loop (``asyncio.to_thread``): feedparser is synchronous.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

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

_CLOCK_DURATION = re.compile(r"^(?:(\d+):)?(\d{1,3}):(\d{1,2})(?:\.\d+)?$")


def parse_duration(value: Any) -> int | None:
    """``itunes:duration`` in seconds: ``3725``, ``62:05``, ``1:02:05`` (others → ``None``)."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if text.isdigit():
        seconds = int(text)
    elif match := _CLOCK_DURATION.match(text):
        hours = int(match[1] or 0)
        seconds = hours * 3600 + int(match[2]) * 60 + int(match[3])
    else:
        return None
    return seconds if 0 < seconds < 7 * 24 * 3600 else None


def describe_duration(seconds: int | None) -> str | None:
    """``1 h 02 min`` or ``45 min`` (rounded to the minute; at least 1 min)."""
    if not seconds:
        return None
    minutes = max(1, round(seconds / 60))
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


# ------------------------------------------------------------------------------ items


def dedupe_key(guid: str | None, enclosure_url: str | None, link: str | None, title: str) -> str:
    """A stable key: the guid, else the enclosure URL, else link + title (hashed, fixed size)."""
    if guid and guid.strip():
        basis = "guid:" + guid.strip()
    elif enclosure_url:
        basis = "enclosure:" + enclosure_url
    else:
        basis = f"link:{link or ''}\n{title}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def _enclosure(entry: Any) -> str | None:
    for enclosure in entry.get("enclosures") or []:
        link = safe_link(enclosure.get("href") or enclosure.get("url"))
        if link:
            return link
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure":
            found = safe_link(link.get("href"))
            if found:
                return found
    return None


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


def _item(entry: Any, position: int) -> FeedItem | None:
    link = safe_link(entry.get("link"))
    enclosure = _enclosure(entry)
    title = plain(entry.get("title"), TITLE_MAX)
    if not title:
        if not (link or enclosure):
            return None  # nothing to show and nothing to link to: not worth posting
        title = host_and_path(link or enclosure or "", TITLE_MAX)
    guid = entry.get("id") or entry.get("guid")
    return FeedItem(
        key=dedupe_key(str(guid) if guid else None, enclosure, link, title),
        title=title,
        link=link,
        enclosure_url=enclosure,
        summary=_summary(entry),
        duration_s=parse_duration(entry.get("itunes_duration")),
        published_at=_published(entry),
        position=position,
    )


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


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse RSS 2.0 (with iTunes tags) or Atom; raises :class:`NotAFeed` for anything else.

    feedparser is imported here, on the first fetch, rather than when the bot starts.
    """
    import feedparser

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
    for position, entry in enumerate(entries[:MAX_ITEMS]):
        item = _item(entry, position)
        if item is None or item.key in seen:
            continue
        seen.add(item.key)
        items.append(item)
    if _malformed(parsed) and not items:
        problem = parsed.get("bozo_exception")
        detail = f" ({one_line(str(problem))[:120]})" if problem else ""
        raise NotAFeed(f"the feed is malformed XML that can't be read{detail}.")
    title = plain(channel.get("title"), SHOW_MAX) or host_and_path(url, SHOW_MAX)
    return ParsedFeed(title=title, site_url=safe_link(channel.get("link")), version=version, items=items)
