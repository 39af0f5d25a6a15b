"""Which web addresses Attune accepts: plain http(s) links to a real host, nothing else."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from attune.errors import UserError

SHARE_URL_MAX = 500
_CONTROL_OR_SPACE = re.compile(r"[\s\x00-\x1f\x7f]")


def url_problem(text: str, *, max_length: int = SHARE_URL_MAX) -> str | None:
    """Why ``text`` is not an acceptable http(s) link, or ``None`` when it is."""
    if not text:
        return "it is empty"
    if len(text) > max_length:
        return f"it is {len(text):,} characters long; the limit is {max_length:,}"
    if _CONTROL_OR_SPACE.search(text):
        return "it contains spaces or control characters"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return "it is not a well-formed web address"
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        shown = f"`{scheme}:`" if scheme else "no scheme"
        return f"it uses {shown}; only `http://` and `https://` links are accepted"
    if not parts.hostname:
        return "it has no host name after `//`"
    if parts.username is not None or parts.password is not None:
        return "it contains a user name or password; share the public address instead"
    if port == 0:
        return "it names port 0"
    return None


def check_url(text: str, *, what: str = "link", max_length: int = SHARE_URL_MAX) -> str:
    """``text`` stripped, or a :class:`UserError` saying what is wrong and what to send instead."""
    cleaned = (text or "").strip().strip("<>")
    problem = url_problem(cleaned, max_length=max_length)
    if problem is not None:
        shown = cleaned[:80].replace("`", "'") + ("…" if len(cleaned) > 80 else "")
        raise UserError(
            f"That {what} can't be used: {problem}. Paste the full web address, starting with "
            f"`https://` (for example `https://example.com/podcast/episode-12`). You sent: `{shown}`"
        )
    return cleaned


def safe_link(text: str | None, *, max_length: int = 2000) -> str | None:
    """``text`` if it is a usable http(s) link (for feed data we don't control), else ``None``."""
    if not text:
        return None
    cleaned = text.strip()
    return cleaned if url_problem(cleaned, max_length=max_length) is None else None


def host_and_path(url: str, limit: int = 200) -> str:
    """A readable stand-in title: ``example.com/podcast/episode-12``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    path = parts.path.rstrip("/")
    text = f"{host}{path}" or url
    return text if len(text) <= limit else text[: limit - 1] + "…"
