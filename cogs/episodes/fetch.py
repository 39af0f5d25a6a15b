"""Downloading a feed politely and defensively.

* http(s) only, at every redirect hop; redirects are followed by hand and bounded.
* Only public destinations by default (see :mod:`cogs.episodes.destinations`): a literal address
  is checked before each hop, and a name when it is resolved for the connection itself, so a name
  can't resolve to a public address for a check and a private one for the connection. The
  operator's ``ATTUNE_FEEDS_ALLOW`` names the exceptions.
* One overall timeout for the whole exchange, a size cap enforced while streaming (a huge or
  endless response is cut off, never held in memory; compressed bodies are capped after
  decompression), and a ``User-Agent`` naming Attune.
* Conditional GET: ``If-None-Match`` / ``If-Modified-Since`` from the last answer; 304 is a result.
* :func:`fetch_off_loop` runs the download in a worker thread with its own event loop: a slow or
  huge feed never competes with the Discord connection for the bot's loop, and the timeout is kept
  by a clock that a busy bot loop can't stall (callers use this; :func:`fetch_feed` is the core).
* A failure is a :class:`FetchError` whose message is a plain category ("couldn't connect",
  "timed out", "the feed's server refused: 401"). It never carries what the remote side or the
  network stack said — no reason phrase, no socket error, no resolved address — because it is shown
  to members; details go to the log.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from attune import __version__
from cogs.episodes.destinations import PUBLIC_ONLY, Allowed, parse_ip
from cogs.episodes.urls import url_problem

log = logging.getLogger(__name__)

USER_AGENT = f"Attune/{__version__} (podcast feed reader for a mindfulness community Discord bot)"
ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK = 64 * 1024


MAX_FEED_BYTES = 30 * 1024 * 1024  # long-running shows publish feeds of 10–20 MB


@dataclass(frozen=True)
class FetchLimits:
    """How patient and how generous a fetch is, and where it may go. Tests shrink the timeout."""

    timeout: float = 15.0
    max_bytes: int = MAX_FEED_BYTES
    max_redirects: int = 5
    allowed: Allowed = PUBLIC_ONLY  # the operator's ATTUNE_FEEDS_ALLOW (see cogs.episodes.setup)


#: The limits every fetch uses unless told otherwise (tests replace this module attribute).
LIMITS = FetchLimits()

# What people are told; the reason codes are for code and logs.
NOT_ALLOWED = "that address points to a private or local network, which Attune doesn't fetch"
COULD_NOT_CONNECT = "couldn't connect"
TIMED_OUT = "timed out"
TOO_MANY_REDIRECTS = "too many redirects"


class FetchError(Exception):
    """The feed could not be downloaded; ``message`` is a plain category, safe to show anyone."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason  # timeout | http | too-big | network | address | redirects


@dataclass(frozen=True)
class FetchResult:
    url: str  # after redirects
    status: int  # 200, or 304 when unchanged
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None

    @property
    def unchanged(self) -> bool:
        return self.status == 304


class GuardedResolver(AbstractResolver):
    """Resolves like the default resolver, then refuses the name if any answer isn't allowed.

    This runs when the connection is made, for every hop, so what was checked is what is
    connected to (no window for a DNS answer to change in between).
    """

    def __init__(self, allowed: Allowed) -> None:
        self._inner = DefaultResolver()
        self._allowed = allowed

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        for result in results:
            ip = parse_ip(result["host"])
            if ip is None or not self._allowed.permits(host, ip):
                log.warning("feed fetch refused: %s resolves to a non-public address", host)
                raise FetchError(NOT_ALLOWED, reason="address")
        return results

    async def close(self) -> None:
        await self._inner.close()


def _check_hop(url: str, limits: FetchLimits) -> None:
    problem = url_problem(url, max_length=2000)
    if problem is not None:
        raise FetchError(f"the address can't be fetched: {problem}", reason="address")
    host = urlsplit(url).hostname or ""
    ip = parse_ip(host)
    if ip is not None and not limits.allowed.permits(host, ip):  # a literal is never resolved
        log.warning("feed fetch refused: a hop names the non-public address %s", host)
        raise FetchError(NOT_ALLOWED, reason="address")


async def _read_capped(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    declared = response.content_length
    if declared is not None and declared > max_bytes:
        raise FetchError(_too_big(max_bytes), reason="too-big")
    body = bytearray()
    async for chunk in response.content.iter_chunked(CHUNK):
        if len(body) + len(chunk) > max_bytes:
            raise FetchError(_too_big(max_bytes), reason="too-big")
        body += chunk
    return bytes(body)


def _too_big(max_bytes: int) -> str:
    return f"the feed is larger than {max_bytes // (1024 * 1024) or 1} MB, too big for a podcast feed"


def _refused(status: int) -> FetchError:
    if 300 <= status < 400:
        return FetchError(f"the feed's server answered {status} without a usable redirect", reason="http")
    if status >= 500:
        return FetchError(f"the feed's server had an error: {status}", reason="http")
    if status >= 400:
        return FetchError(f"the feed's server refused: {status}", reason="http")
    return FetchError(f"the feed's server answered {status}, not a feed", reason="http")


async def _exchange(
    session: aiohttp.ClientSession,
    url: str,
    headers: dict[str, str],
    limits: FetchLimits,
) -> FetchResult:
    current = url
    for _hop in range(limits.max_redirects + 1):
        _check_hop(current, limits)
        async with session.get(current, headers=headers, allow_redirects=False) as response:
            if response.status in REDIRECT_STATUSES:
                location = response.headers.get("Location")
                if not location:
                    raise _refused(response.status)
                current = urljoin(current, location)
                continue
            if response.status == 304:
                return FetchResult(current, 304, b"", None, None, None)
            if response.status != 200:
                log.info("feed fetch of %s: HTTP %s %r", current, response.status, response.reason)
                raise _refused(response.status)
            body = await _read_capped(response, limits.max_bytes)
            return FetchResult(
                current,
                200,
                body,
                response.headers.get("Content-Type"),
                response.headers.get("ETag"),
                response.headers.get("Last-Modified"),
            )
    raise FetchError(TOO_MANY_REDIRECTS, reason="redirects")


async def fetch_feed(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: FetchLimits | None = None,
) -> FetchResult:
    """GET ``url`` within ``limits``; raises :class:`FetchError` with a plain category."""
    limits = limits or LIMITS
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    connector_options: dict[str, Any] = {"force_close": True, "resolver": GuardedResolver(limits.allowed)}
    try:
        async with asyncio.timeout(limits.timeout):
            connector = aiohttp.TCPConnector(**connector_options)
            async with aiohttp.ClientSession(
                connector=connector, auto_decompress=True, trust_env=False
            ) as session:
                return await _exchange(session, url, headers, limits)
    except TimeoutError:
        log.info("feed fetch of %s timed out after %gs", url, limits.timeout)
        raise FetchError(TIMED_OUT, reason="timeout") from None
    except FetchError:
        raise
    except aiohttp.ClientConnectorError as error:
        # aiohttp wraps what the resolver raised; a refusal stays a refusal.
        if isinstance(error.__cause__, FetchError) or isinstance(error.os_error, FetchError):
            raise FetchError(NOT_ALLOWED, reason="address") from None
        log.info("feed fetch of %s: couldn't connect (%s)", url, error.os_error)
        raise FetchError(COULD_NOT_CONNECT, reason="network") from None
    except aiohttp.InvalidURL:
        raise FetchError(
            "the address can't be fetched: it is not a well-formed web address", reason="address"
        ) from None
    except aiohttp.TooManyRedirects:
        raise FetchError(TOO_MANY_REDIRECTS, reason="redirects") from None
    except (aiohttp.ClientError, OSError, ValueError) as error:
        log.info("feed fetch of %s failed: %s", url, type(error).__name__)
        raise FetchError(COULD_NOT_CONNECT, reason="network") from None


def _fetch_blocking(
    url: str, etag: str | None, last_modified: str | None, limits: FetchLimits
) -> FetchResult:
    # A fresh context: the worker's loop keeps its own clock and inherits none of the caller's
    # context variables (a simulated clock in tests, for one).
    return contextvars.Context().run(
        asyncio.run, fetch_feed(url, etag=etag, last_modified=last_modified, limits=limits)
    )


async def fetch_off_loop(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: FetchLimits | None = None,
) -> FetchResult:
    """:func:`fetch_feed` in a worker thread with its own event loop (see the module docstring)."""
    return await asyncio.to_thread(_fetch_blocking, url, etag, last_modified, limits or LIMITS)
