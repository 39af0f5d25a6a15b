"""Which network destinations a feed fetch may reach: public addresses, plus what the operator allows.

Any facilitator of any server can point Attune at an address, so by default a fetch refuses every
destination that is not on the public internet — loopback, private (RFC 1918, unique-local),
link-local (the cloud metadata service at 169.254.169.254 among them), carrier-grade NAT, reserved,
multicast and unspecified addresses, for IPv4 and IPv6 alike, including IPv4 addresses wrapped in
IPv6 (``::ffff:127.0.0.1``, NAT64 ``64:ff9b::/96``, 6to4, Teredo). Operators who do want a feed on
their own network name it in ``ATTUNE_FEEDS_ALLOW``: host names, addresses and CIDR ranges.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo), if any."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if int(ip) >> 32 == 0 and int(ip) > 1:  # deprecated IPv4-compatible form ::a.b.c.d
        return ipaddress.IPv4Address(int(ip))
    return None


def is_public(ip: IPAddress) -> bool:
    """On the public internet: globally routable, not multicast, and so is any IPv4 it wraps."""
    if not ip.is_global or ip.is_multicast or ip.is_unspecified:
        return False
    inner = embedded_ipv4(ip)
    return inner is None or is_public(inner)


def parse_ip(text: str) -> IPAddress | None:
    """``text`` as an IP address (brackets and an IPv6 zone id tolerated), else ``None``."""
    try:
        return ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


@dataclass(frozen=True)
class Allowed:
    """The operator's exceptions (``ATTUNE_FEEDS_ALLOW``): host names and networks."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_entries(cls, entries: Iterable[str]) -> Allowed:
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in entries:
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                hosts.add(entry.strip().lower().rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def host(self, name: str) -> bool:
        return name.strip("[]").lower().rstrip(".") in self.hosts

    def address(self, ip: IPAddress) -> bool:
        candidates = [ip] + ([inner] if (inner := embedded_ipv4(ip)) is not None else [])
        return any(c in net for c in candidates for net in self.networks if c.version == net.version)

    def permits(self, host: str, ip: IPAddress) -> bool:
        """May a fetch of ``host`` connect to ``ip``?"""
        return is_public(ip) or self.host(host) or self.address(ip)


#: Nothing but the public internet.
PUBLIC_ONLY = Allowed()
