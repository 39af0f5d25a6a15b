"""Parsing a feed in a short-lived worker process with limits, so no document can hurt the bot.

A feed is a stranger's document of up to 30 MB. Parsing it in the bot's process would let a hostile
or merely huge one take the bot's memory and, through the GIL, its event loop. So each parse runs in
its own child process, forked from a small, pre-warmed fork server (cheap to start: a few ms):

* the child caps its own address space (``RLIMIT_AS``) and CPU time (``RLIMIT_CPU``) and lowers its
  priority before it reads a byte, so a runaway parse dies alone;
* the parent waits in a worker thread with a wall-clock deadline and kills the child on expiry;
* only the bounded result comes back (at most ``MAX_ITEMS`` short items);
* at most ``MAX_PARSES`` run at once (polls run eight at a time), so the worst case for the host
  is ``MAX_PARSES`` × the memory limit, and the bot keeps a core.

Documents that declare entities are refused before any parsing (see :func:`parse.declares_entities`).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import resource
import threading
import weakref
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from cogs.episodes.parse import NotAFeed, ParsedFeed, parse_feed

log = logging.getLogger(__name__)

MAX_PARSES = 2
TOO_COSTLY = "the feed is too large or too complex to read."


@dataclass(frozen=True)
class ParseLimits:
    """How much a parse may take. Generous for a real 30 MB feed; fatal for a bomb."""

    memory_bytes: int = 1024 * 1024 * 1024  # address space; a 30 MB feed peaks near 300 MB
    cpu_seconds: int = 90  # a 30 MB feed of 8,000 items takes about 20 s of CPU
    wall_seconds: float = 180.0  # the child runs at low priority: slow on a busy host, never harmful


#: The limits every parse uses unless told otherwise (tests may replace this module attribute).
LIMITS = ParseLimits()

_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()
_context_lock = threading.Lock()
_context: Any = None


def _mp_context() -> Any:
    """The fork-server context, with the parser preloaded (started on first use)."""
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            # "__main__" first: the server imports the main module once, so each child skips
            # re-importing it (spawn semantics would otherwise run it per parse).
            context.set_forkserver_preload(["__main__", "cogs.episodes.parse", "feedparser"])
            _context = context
        return _context


def _child(connection: Connection, url: str, content_type: str | None, limits: ParseLimits) -> None:
    """The worker: limit itself, read the body, parse, send back ``(kind, payload)``."""
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
        os.nice(10)
    except (OSError, ValueError):  # pragma: no cover - a platform without these limits
        pass
    try:
        body = connection.recv_bytes()
        try:
            outcome: tuple[str, Any] = ("ok", parse_feed(body, url, content_type))
        except NotAFeed as error:
            outcome = ("not-a-feed", error.message)
        except MemoryError:
            outcome = ("too-costly", "memory")
        except RecursionError:
            outcome = ("too-costly", "recursion")
        except Exception as error:  # a parser surprise: reported as such, details logged by the parent
            outcome = ("error", type(error).__name__)
        connection.send(outcome)
    finally:
        connection.close()


def _run(body: bytes, url: str, content_type: str | None, limits: ParseLimits) -> ParsedFeed:
    context = _mp_context()
    parent_end, child_end = context.Pipe()
    process = context.Process(
        target=_child, args=(child_end, url, content_type, limits), name="attune-feed-parse", daemon=True
    )
    process.start()
    child_end.close()
    try:
        parent_end.send_bytes(body)
        if not parent_end.poll(limits.wall_seconds):
            log.warning("feed parse of %s took longer than %gs; stopped", url, limits.wall_seconds)
            raise NotAFeed(TOO_COSTLY)
        try:
            kind, payload = parent_end.recv()
        except (EOFError, OSError):
            kind, payload = "too-costly", f"worker ended (exit code {process.exitcode})"
    except (BrokenPipeError, ConnectionResetError):
        kind, payload = "too-costly", "worker ended early"
    finally:
        parent_end.close()
        if process.is_alive():
            process.kill()
        process.join(5)
        process.close()
    if kind == "ok":
        parsed: ParsedFeed = payload
        return parsed
    if kind == "not-a-feed":
        raise NotAFeed(str(payload))
    if kind == "too-costly":
        log.warning("feed parse of %s stopped: %s", url, payload)
        raise NotAFeed(TOO_COSTLY)
    log.error("feed parse of %s failed unexpectedly: %s", url, payload)
    raise NotAFeed("the feed couldn't be read.")


async def parse_off_loop(
    body: bytes, url: str, content_type: str | None = None, *, limits: ParseLimits | None = None
) -> ParsedFeed:
    """:func:`parse.parse_feed` in a limited worker process; raises :class:`NotAFeed`."""
    gate = _gates.setdefault(asyncio.get_running_loop(), asyncio.Semaphore(MAX_PARSES))
    async with gate:
        return await asyncio.to_thread(_run, body, url, content_type, limits or LIMITS)
