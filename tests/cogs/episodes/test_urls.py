"""Which links are accepted for shares and feeds."""

from __future__ import annotations

import pytest

from attune.errors import UserError
from cogs.episodes.urls import check_url, host_and_path, safe_link, url_problem


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/podcast/episode-12",
        "http://example.com",
        "HTTPS://Example.com/a?b=c#d",
        "https://example.com:8443/feed.xml",
        "http://127.0.0.1:8080/feed.xml",
    ],
)
def test_http_links_are_accepted(url: str) -> None:
    assert url_problem(url) is None
    assert check_url(f"  {url}  ") == url


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("javascript:alert(1)", "`javascript:`"),
        ("JavaScript://example.com/%0Aalert(1)", "`javascript:`"),
        ("ftp://example.com/episode.mp3", "`ftp:`"),
        ("data:text/html,hello", "`data:`"),
        ("file:///etc/passwd", "`file:`"),
        ("example.com/episode", "no scheme"),
        ("https://", "no host"),
        ("https:///path-only", "no host"),
        ("https://exa mple.com/", "spaces"),
        ("https://user:secret@example.com/", "user name or password"),
        ("https://example.com:99999/", "well-formed"),
        ("https://example.com/" + "a" * 500, "limit is 500"),
    ],
)
def test_other_links_get_a_clear_reason(url: str, says: str) -> None:
    problem = url_problem(url)
    assert isinstance(problem, str) and says in problem
    with pytest.raises(UserError) as raised:
        check_url(url, what="episode link")
    message = raised.value.message
    assert "That episode link can't be used" in message
    assert "https://" in message  # says how to do it right


def test_a_501_character_link_is_refused_and_500_accepted() -> None:
    base = "https://example.com/"
    assert url_problem(base + "a" * (500 - len(base))) is None
    problem = url_problem(base + "a" * (501 - len(base)))
    assert isinstance(problem, str) and "limit is 500" in problem


def test_safe_link_drops_anything_but_http() -> None:
    assert safe_link(" https://example.com/a ") == "https://example.com/a"
    assert safe_link("javascript:alert(1)") is None
    assert safe_link("") is None
    assert safe_link(None) is None


def test_host_and_path_is_a_readable_stand_in_title() -> None:
    assert (
        host_and_path("https://www.example.com/podcast/episode-12/?utm=x") == "example.com/podcast/episode-12"
    )
    assert host_and_path("https://example.com/") == "example.com"
    assert len(host_and_path("https://example.com/" + "a" * 400)) == 200
