"""Downloading a feed politely and defensively.

* http(s) only, at every redirect hop; redirects are followed by hand and bounded.
* One overall timeout for the whole exchange, a size cap enforced while streaming (a huge or
  endless response is cut off, never held in memory), and a ``User-Agent`` naming Attune.
* Conditional GET: ``If-None-Match`` / ``If-Modified-Since`` from the last answer; 304 is a result.
* :func:`fetch_off_loop` runs the download in a worker thread with its own event loop: a slow or
  huge feed never competes with the Discord connection for the bot's loop, and the timeout is kept
  by a clock that a busy bot loop can't stall (callers use this; :func:`fetch_feed` is the core).
* Optional, for production: ``ATTUNE_FEEDS_PUBLIC_ONLY=1`` (a setting) refuses hosts that
  resolve to private, loopback, link-local or reserved addresses (off by default, so a feed on
  the local network — or the tests' server on 127.0.0.1 — works).
"""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import logging
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from attune import __version__
from cogs.episodes.urls import url_problem

log = logging.getLogger(__name__)

USER_AGENT = f"Attune/{__version__} (podcast feed reader for a mindfulness community Discord bot)"
ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchLimits:
    """How patient and how generous a fetch is. Tests shrink the timeout."""

    timeout: float = 15.0
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    public_only: bool = False  # the operator's ATTUNE_FEEDS_PUBLIC_ONLY (see cogs.episodes.setup)


#: The limits every fetch uses unless told otherwise (tests replace this module attribute).
LIMITS = FetchLimits()


class FetchError(Exception):
    """The feed could not be downloaded; the message says why in plain words."""

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


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_global and not ip.is_multicast


class PublicOnlyResolver(AbstractResolver):
    """Resolves like the default resolver, then refuses any non-public address.

    Checked at connection time (not just before), so a name can't resolve to a public address
    for the check and a private one for the connection.
    """

    def __init__(self) -> None:
        self._inner = DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        blocked = [r["host"] for r in results if not _is_public(r["host"])]
        if blocked:
            raise FetchError(
                f"{host} points to a private or local address, which Attune is set not to fetch.",
                reason="address",
            )
        return results

    async def close(self) -> None:
        await self._inner.close()


def _check_hop(url: str, limits: FetchLimits) -> None:
    problem = url_problem(url, max_length=2000)
    if problem is not None:
        raise FetchError(f"the address can't be fetched: {problem}.", reason="address")
    host = urlsplit(url).hostname or ""
    if limits.public_only:
        try:
            literal = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return  # a name: the resolver checks what it resolves to
        if not _is_public(str(literal)):
            raise FetchError(
                f"{host} is a private or local address, which Attune is set not to fetch.",
                reason="address",
            )


async def _read_capped(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    declared = response.content_length
    if declared is not None and declared > max_bytes:
        raise FetchError(_too_big(max_bytes), reason="too-big")
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.content.iter_chunked(CHUNK):
        total += len(chunk)
        if total > max_bytes:
            raise FetchError(_too_big(max_bytes), reason="too-big")
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big(max_bytes: int) -> str:
    return f"the response is larger than {max_bytes // (1024 * 1024) or 1} MB, too big for a podcast feed."


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
                    raise FetchError(
                        f"the server answered {response.status} (a redirect) without saying where to.",
                        reason="http",
                    )
                current = urljoin(current, location)
                continue
            if response.status == 304:
                return FetchResult(current, 304, b"", None, None, None)
            if response.status >= 400:
                reason = response.reason or ""
                raise FetchError(
                    f"the server answered HTTP {response.status} {reason}".rstrip() + ".", reason="http"
                )
            if response.status != 200:
                raise FetchError(f"the server answered HTTP {response.status}, not a feed.", reason="http")
            body = await _read_capped(response, limits.max_bytes)
            return FetchResult(
                current,
                200,
                body,
                response.headers.get("Content-Type"),
                response.headers.get("ETag"),
                response.headers.get("Last-Modified"),
            )
    raise FetchError(f"it redirects more than {limits.max_redirects} times.", reason="redirects")


async def fetch_feed(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: FetchLimits | None = None,
) -> FetchResult:
    """GET ``url`` within ``limits``; raises :class:`FetchError` with a plain-words reason."""
    limits = limits or LIMITS
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    connector_options: dict[str, Any] = {"force_close": True}
    if limits.public_only:
        connector_options["resolver"] = PublicOnlyResolver()
    try:
        async with asyncio.timeout(limits.timeout):
            connector = aiohttp.TCPConnector(**connector_options)
            async with aiohttp.ClientSession(connector=connector, auto_decompress=True) as session:
                return await _exchange(session, url, headers, limits)
    except TimeoutError:
        raise FetchError(f"it did not answer within {limits.timeout:g} seconds.", reason="timeout") from None
    except FetchError:
        raise
    except aiohttp.ClientConnectorError as error:
        raise FetchError(
            f"I couldn't connect to {error.host} ({error.os_error.strerror or 'unreachable'}).",
            reason="network",
        ) from None
    except aiohttp.TooManyRedirects:
        raise FetchError(
            f"it redirects more than {limits.max_redirects} times.", reason="redirects"
        ) from None
    except (aiohttp.ClientError, OSError, ValueError) as error:
        log.info("feed fetch failed for %s: %s", url, type(error).__name__)
        raise FetchError(f"the connection failed ({type(error).__name__}).", reason="network") from None


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
