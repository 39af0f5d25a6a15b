"""Server-side request forgery: with default settings no fetch reaches an internal destination.

Each test performs the attack — a facilitator's feed address (or a redirect, or a DNS answer)
pointing at loopback, a private network, the cloud metadata service, IPv6 and mapped forms — and
checks that no connection was made and that the answer names no address.
"""

from __future__ import annotations

import socket
from typing import Any, ClassVar

import pytest
from aiohttp.abc import ResolveResult

from attune.config import load_settings
from attune.errors import ConfigError
from cogs.episodes import fetch
from cogs.episodes.destinations import PUBLIC_ONLY, Allowed, is_public, parse_ip
from cogs.episodes.fetch import FetchError, FetchLimits, fetch_feed

DEFAULT = FetchLimits(timeout=2.0)  # the production destinations rule; a short timeout

INTERNAL = [
    "http://127.0.0.1/feed.xml",
    "http://127.8.9.10:8080/admin",
    "http://10.0.0.1/feed.xml",
    "http://172.16.5.4/feed.xml",
    "http://192.168.1.1/feed.xml",
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://100.64.0.1/feed.xml",
    "http://0.0.0.0:8000/",
    "http://240.0.0.1/",
    "http://224.0.0.251/",
    "http://[::1]/feed.xml",
    "http://[::]/feed.xml",
    "http://[::ffff:127.0.0.1]/feed.xml",
    "http://[::ffff:7f00:1]:8080/",
    "http://[::ffff:169.254.169.254]/latest/meta-data/",
    "http://[::ffff:10.0.0.1]/",
    "http://[::127.0.0.1]/",
    "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
    "http://[2002:7f00:1::]/",
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
    "http://[fd00::1]/feed.xml",
    "http://[fe80::1]/feed.xml",
    "http://[ff02::1]/",
]


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Records (and refuses) any connection attempt, so a test proves none was made."""
    attempts: list[Any] = []
    real_connect = socket.socket.connect

    def spy(self: socket.socket, address: Any) -> Any:
        attempts.append(address)
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", spy)
    return attempts


def _shown(error: FetchError) -> str:
    return f"{error.message} {error}"


@pytest.mark.parametrize("url", INTERNAL)
async def test_default_settings_refuse_internal_addresses(url: str) -> None:
    with pytest.raises(FetchError) as raised:
        await fetch_feed(url, limits=DEFAULT)
    assert raised.value.reason == "address"
    assert raised.value.message == fetch.NOT_ALLOWED
    host = url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
    assert host not in _shown(raised.value)


def test_the_default_limits_are_public_only() -> None:
    assert fetch.FetchLimits().allowed == PUBLIC_ONLY
    assert load_settings({}, None).feeds_allow == ()


async def test_the_local_feed_server_is_refused_by_default_and_never_reached(feed_server) -> None:
    for url in (
        feed_server.url("/feed/circle"),
        feed_server.url("/feed/circle").replace("127.0.0.1", "localhost"),
    ):
        with pytest.raises(FetchError) as raised:
            await fetch_feed(url, limits=DEFAULT)
        assert raised.value.reason == "address", url
    assert feed_server.requests == []


@pytest.mark.parametrize(
    "name", ["localhost", "2130706433", "0x7f.1", "127.1", "0177.0.0.1", "localhost.", "LOCALHOST"]
)
async def test_names_and_odd_spellings_that_resolve_to_loopback_are_refused(
    name: str, feed_server, no_connections: list[Any]
) -> None:
    port = feed_server.base.rsplit(":", 1)[1]
    with pytest.raises(FetchError) as raised:
        await fetch_feed(f"http://{name}:{port}/feed/circle", limits=DEFAULT)
    # refused as a non-public destination, as a malformed address (aiohttp rejects non-canonical
    # IPv4 like 127.1), or unresolvable here ("localhost." on some hosts) — never connected
    assert raised.value.reason in {"address", "network"}
    assert no_connections == [] and feed_server.requests == []


class FakeDNS:
    """A resolver whose answers the test chooses (what a hostile DNS server could answer)."""

    answers: ClassVar[dict[str, list[str]]] = {}

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=0,
            )
            for address in self.answers[host]
        ]

    async def close(self) -> None:
        return None


@pytest.mark.parametrize(
    ("answers"),
    [
        ["10.0.0.7"],
        ["169.254.169.254"],
        ["127.0.0.1"],
        ["::1"],
        ["::ffff:192.168.0.10"],
        ["fd12:3456::1"],
        ["93.184.216.34", "169.254.169.254"],  # one public answer doesn't excuse a private one
    ],
)
async def test_dns_answers_pointing_inside_are_refused(
    answers: list[str], monkeypatch: pytest.MonkeyPatch, no_connections: list[Any]
) -> None:
    FakeDNS.answers = {"feeds.attacker.example": answers}
    monkeypatch.setattr(fetch, "DefaultResolver", FakeDNS)
    with pytest.raises(FetchError) as raised:
        await fetch_feed("http://feeds.attacker.example/feed.xml", limits=DEFAULT)
    assert raised.value.reason == "address"
    assert no_connections == []
    for address in answers:
        assert address not in _shown(raised.value)


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.2:{port}/feed/circle",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/feed/circle",
        "http://[::ffff:127.0.0.2]:{port}/feed/circle",
        "http://10.0.0.1/feed.xml",
    ],
)
async def test_redirects_into_internal_addresses_are_refused(
    target: str, feed_server, no_connections: list[Any]
) -> None:
    """The feed server (allowed here, as an operator's own feed host) redirects elsewhere inside."""
    port = feed_server.base.rsplit(":", 1)[1]
    allowed_server = FetchLimits(timeout=2.0, allowed=Allowed.from_entries(["127.0.0.1"]))
    location = target.format(port=port)
    with pytest.raises(FetchError) as raised:
        await fetch_feed(feed_server.url(f"/to?url={location}"), limits=allowed_server)
    assert raised.value.reason == "address"
    assert [path for path, _ in feed_server.requests] == ["/to"]  # only the first hop was made
    assert all(address[0] == "127.0.0.1" for address in no_connections)


async def test_a_redirect_to_a_name_resolving_inside_is_refused(feed_server, monkeypatch) -> None:
    FakeDNS.answers = {"cdn.attacker.example": ["192.168.4.4"]}
    monkeypatch.setattr(fetch, "DefaultResolver", FakeDNS)
    allowed_server = FetchLimits(timeout=2.0, allowed=Allowed.from_entries(["127.0.0.1"]))
    with pytest.raises(FetchError) as raised:
        await fetch_feed(
            feed_server.url("/to?url=http://cdn.attacker.example/feed.xml"), limits=allowed_server
        )
    assert raised.value.reason == "address"


# ------------------------------------------------------------------------- the allow-list


async def test_an_allowed_range_or_host_name_is_fetched(feed_server) -> None:
    for entries in (["127.0.0.0/8"], ["127.0.0.1"], ["localhost", "::1"]):
        limits = FetchLimits(timeout=2.0, allowed=Allowed.from_entries(entries))
        url = feed_server.url("/feed/circle")
        if "localhost" in entries:
            url = url.replace("127.0.0.1", "localhost")
        result = await fetch_feed(url, limits=limits)
        assert result.status == 200, entries


def test_allowed_ranges_cover_mapped_forms_and_nothing_else() -> None:
    allowed = Allowed.from_entries(["10.0.0.0/8", "feeds.lan"])
    assert allowed.permits("x", parse_ip("10.20.30.40"))  # type: ignore[arg-type]
    assert allowed.permits("x", parse_ip("::ffff:10.20.30.40"))  # type: ignore[arg-type]
    assert not allowed.permits("x", parse_ip("192.168.0.1"))  # type: ignore[arg-type]
    assert not allowed.permits("x", parse_ip("169.254.169.254"))  # type: ignore[arg-type]
    assert allowed.permits("FEEDS.lan.", parse_ip("192.168.0.1"))  # type: ignore[arg-type]
    assert allowed.permits("example.com", parse_ip("93.184.216.34"))  # type: ignore[arg-type]
    assert is_public(parse_ip("2606:4700::1111"))  # type: ignore[arg-type]


def test_the_allow_list_is_an_operator_setting() -> None:
    settings = load_settings(
        {"ATTUNE_FEEDS_ALLOW": " 127.0.0.1, 10.0.0.0/8 ,Feeds.LAN, [::1], fd00::/8,"}, None
    )
    assert settings.feeds_allow == ("127.0.0.1/32", "10.0.0.0/8", "feeds.lan", "::1/128", "fd00::/8")
    for bad in ("10.0.0.0/33", "not a host!", "http://feeds.lan"):
        with pytest.raises(ConfigError) as raised:
            load_settings({"ATTUNE_FEEDS_ALLOW": bad}, None)
        assert "ATTUNE_FEEDS_ALLOW" in str(raised.value)


def test_the_retired_public_only_setting_is_still_accepted() -> None:
    assert load_settings({"ATTUNE_FEEDS_PUBLIC_ONLY": "1"}, None).feeds_public_only == "1"
    assert load_settings({"ATTUNE_FEEDS_PUBLIC_ONLY": "0"}, None).feeds_allow == ()
