"""Hostile and huge documents: entity bombs are refused unread; a parse runs in a limited worker
process, so it can neither exhaust the bot's memory nor stall its event loop."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from cogs.episodes import sandbox
from cogs.episodes.parse import NotAFeed, declares_entities, parse_feed
from cogs.episodes.sandbox import ParseLimits, parse_off_loop
from tests.cogs.episodes.realfeeds import real, repeated

LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n <!ENTITY a "ha ha ha ha ha ha ha ha ha ha">\n'
    + b"".join(f' <!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n'.encode() for i in range(8))
    + b"]>\n"
)


def bomb(around: bytes = b"") -> bytes:
    """A real feed with nested entities declared in its prolog and used in its title."""
    body = around or real("podcast_help_desk.xml")
    start = body.index(b"<rss")
    return LAUGHS + body[start:].replace(b"<title>", b"<title>&i;", 1)


def test_documents_declaring_entities_are_refused_before_parsing() -> None:
    started = time.perf_counter()
    with pytest.raises(NotAFeed) as raised:
        parse_feed(bomb(), "https://bomb.example/feed.xml")
    assert "declares XML entities" in raised.value.message
    assert time.perf_counter() - started < 1.0  # nothing was expanded


@pytest.mark.parametrize(
    "encoded",
    [
        lambda b: b,
        lambda b: b.replace(b"<!DOCTYPE", b"<!doctype").replace(b"<!ENTITY", b"<!entity"),
        lambda b: (
            b.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-16"?>')
            .decode()
            .encode("utf-16")
        ),
        lambda b: (
            b.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-16LE"?>')
            .decode()
            .encode("utf-16-le")
        ),
        lambda b: b"\xef\xbb\xbf" + b,
        lambda b: b"\n\n  " + b.replace(b"<!DOCTYPE rss [", b"<!DOCTYPE   rss\n[", 1),
    ],
    ids=["utf-8", "lower-case", "utf-16-bom", "utf-16-no-bom", "utf-8-bom", "whitespace"],
)
def test_entity_declarations_are_found_in_any_encoding(encoded) -> None:
    assert declares_entities(encoded(bomb()))


def test_real_feeds_declare_no_entities() -> None:
    for name in ("serial.xml", "podcasting20.xml", "99_percent_invisible.xml", "reply_all.xml"):
        assert not declares_entities(real(name)), name


async def test_an_entity_bomb_is_refused_by_the_worker_too() -> None:
    with pytest.raises(NotAFeed) as raised:
        await parse_off_loop(bomb(), "https://bomb.example/feed.xml")
    assert "declares XML entities" in raised.value.message


async def test_the_worker_parses_exactly_like_the_parser() -> None:
    body = real("mike_neumann_show.xml")
    assert await parse_off_loop(body, "https://mn.example/feed.xml") == parse_feed(
        body, "https://mn.example/feed.xml"
    )


async def test_a_parse_that_takes_too_long_is_stopped() -> None:
    started = time.monotonic()
    with pytest.raises(NotAFeed) as raised:
        await parse_off_loop(
            repeated(3000), "https://long.example/feed.xml", limits=ParseLimits(wall_seconds=0.3)
        )
    assert raised.value.message == sandbox.TOO_COSTLY
    assert time.monotonic() - started < 10


async def test_a_parse_that_needs_too_much_memory_dies_alone() -> None:
    pid = os.getpid()
    with pytest.raises(NotAFeed) as raised:
        await parse_off_loop(
            repeated(3000),
            "https://long.example/feed.xml",
            limits=ParseLimits(memory_bytes=80 * 1024 * 1024),
        )
    assert raised.value.message == sandbox.TOO_COSTLY
    assert os.getpid() == pid
    assert (await parse_off_loop(real("reply_all.xml"), "https://ok.example/feed.xml")).title == "Reply All"


async def test_a_huge_parse_never_stalls_the_event_loop() -> None:
    """The loop keeps answering while a ~30 MB feed (8,000 real items) is parsed.

    The bound is generous (a loaded 2-core machine is fine): every tick of a 10 ms timer comes
    within 0.5 s, whereas a parse on the loop's own thread would hold it for tens of seconds. And
    the work is not done in this process at all (a thread would share its GIL and its memory):
    the bot's process spends a small fraction of the parse's duration on the CPU.
    """
    body = repeated(8000)
    assert len(body) > 28 * 1024 * 1024
    lags: list[float] = []
    cpu = time.process_time()
    parse = asyncio.create_task(parse_off_loop(body, "https://huge.example/feed.xml"))
    started = time.monotonic()
    while not parse.done():
        before = time.monotonic()
        await asyncio.sleep(0.01)
        lags.append(time.monotonic() - before - 0.01)
    feed = await parse
    elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
    assert feed.title == "Sentimental Garbage" and len(feed.items) == 500
    assert elapsed > 1.0  # the parse really was long enough to matter
    assert len(lags) > 50
    assert max(lags) < 0.5, f"the loop stalled for {max(lags):.2f} s during a {elapsed:.1f} s parse"
    assert cpu < elapsed / 3, f"this process used {cpu:.1f} s of CPU during a {elapsed:.1f} s parse"
