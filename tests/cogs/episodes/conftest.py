"""Fixtures for the episodes tests: a local feed server on 127.0.0.1 and a bot with just this cog."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace

import pytest
from aiohttp import web

from attune.config import Settings
from cogs.episodes import fetch
from tests.cogs.episodes.factory import (
    ATOM_TYPE,
    LOOPBACK_ALLOWED,
    RSS_TYPE,
    SHORT_TIMEOUT,
    TEST_LIMITS,
    fixture_bytes,
)
from tests.helpers import bot_factory


@dataclass
class FeedServer:
    """Serves named feeds with ETag/Last-Modified support, and misbehaving routes."""

    base: str = ""
    feeds: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    # What a hostile or chatty server says with an error status (never to be shown to anyone).
    reason: str = "Internal admin panel 10.1.2.3 says no"
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def serve(self, name: str, body: bytes, content_type: str = RSS_TYPE) -> str:
        self.feeds[name] = (body, content_type)
        return self.url(f"/feed/{name}")

    def hits(self, path: str) -> list[dict[str, str]]:
        return [headers for seen, headers in self.requests if seen == path]


def _app(server: FeedServer) -> web.Application:
    async def record(request: web.Request) -> None:
        server.requests.append((request.path, dict(request.headers)))

    async def feed(request: web.Request) -> web.StreamResponse:
        await record(request)
        name = request.match_info["name"]
        if name in server.statuses:
            return web.Response(status=server.statuses[name], reason=server.reason, text="server trouble")
        if name not in server.feeds:
            return web.Response(status=404, text="not found")
        body, content_type = server.feeds[name]
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        last_modified = "Thu, 01 Jan 2026 00:00:00 GMT"
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(
            body=body, headers={"Content-Type": content_type, "ETag": etag, "Last-Modified": last_modified}
        )

    async def redirect(request: web.Request) -> web.StreamResponse:
        await record(request)
        hops = int(request.match_info["hops"])
        target = request.match_info["name"]
        location = f"/redirect/{hops - 1}/{target}" if hops > 1 else f"/feed/{target}"
        raise web.HTTPMovedPermanently(location=location)

    async def redirect_to(request: web.Request) -> web.StreamResponse:
        await record(request)
        raise web.HTTPFound(location=request.query["url"])

    async def gzip_bomb(request: web.Request) -> web.StreamResponse:
        await record(request)
        packed = gzip.compress(
            b'<?xml version="1.0"?><rss version="2.0"><channel>' + b" " * (20 * 1024 * 1024)
        )
        return web.Response(body=packed, headers={"Content-Type": RSS_TYPE, "Content-Encoding": "gzip"})

    async def loop(request: web.Request) -> web.StreamResponse:
        await record(request)
        raise web.HTTPFound(location="/loop")

    async def huge(request: web.Request) -> web.StreamResponse:
        await record(request)
        response = web.StreamResponse(headers={"Content-Type": RSS_TYPE})
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>')
        chunk = b"<!-- " + b"x" * 65_000 + b" -->"
        try:
            for _ in range(40):  # ~2.6 MB, far past the test cap, never all read
                await response.write(chunk)
        except (ConnectionResetError, RuntimeError):
            pass
        return response

    async def huge_declared(request: web.Request) -> web.StreamResponse:
        await record(request)
        return web.Response(
            body=b"<rss>" + b" " * (300 * 1024) + b"</rss>", content_type="application/rss+xml"
        )

    async def slow(request: web.Request) -> web.StreamResponse:
        await record(request)
        await server.release.wait()  # never answers while the test runs
        return web.Response(body=fixture_bytes("listening_circle.xml"), content_type="application/rss+xml")

    app = web.Application()
    app.router.add_get("/feed/{name}", feed)
    app.router.add_get("/redirect/{hops}/{name}", redirect)
    app.router.add_get("/loop", loop)
    app.router.add_get("/to", redirect_to)
    app.router.add_get("/gzip-bomb.xml", gzip_bomb)
    app.router.add_get("/huge.xml", huge)
    app.router.add_get("/huge-declared.xml", huge_declared)
    app.router.add_get("/slow.xml", slow)
    return app


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    server = FeedServer()
    runner = web.AppRunner(_app(server), shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    sockets = site._server.sockets if site._server else []  # type: ignore[union-attr]
    port = sockets[0].getsockname()[1]
    server.base = f"http://127.0.0.1:{port}"
    server.feeds["circle"] = (fixture_bytes("listening_circle.xml"), RSS_TYPE)
    server.feeds["stillness"] = (fixture_bytes("stillness_notes.atom"), ATOM_TYPE)
    server.feeds["malformed"] = (fixture_bytes("malformed.xml"), RSS_TYPE)
    server.feeds["page"] = (fixture_bytes("podcast_page.html"), "text/html; charset=utf-8")
    yield server
    server.release.set()
    await runner.cleanup()


@pytest.fixture(autouse=True)
def _quick_fetches(monkeypatch: pytest.MonkeyPatch) -> None:
    """A small size cap keeps the tests fast; 127.0.0.1 is allowed explicitly."""
    monkeypatch.setattr(fetch, "LIMITS", TEST_LIMITS)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared test settings, with the local feed server's address allowed (as an operator would)."""
    return settings.model_copy(update={"feeds_allow": LOOPBACK_ALLOWED})


@pytest.fixture
def short_fetch_timeout(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Call it right before fetching ``/slow.xml``: fetches then give up after half a second."""

    def shorten() -> None:
        monkeypatch.setattr(fetch, "LIMITS", replace(fetch.LIMITS, timeout=SHORT_TIMEOUT))

    return shorten


@pytest.fixture
def make_bot(settings, content):
    """The real bot with settings/privacy and episodes only (other capabilities stay out of the way)."""
    return bot_factory(settings, content, extensions=("cogs.settings", "cogs.episodes"))
