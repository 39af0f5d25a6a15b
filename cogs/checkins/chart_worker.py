"""Rendering history charts in a separate process, so drawing never competes with the bot.

Drawing holds the GIL (Pillow's shapes and text for the history chart, matplotlib for the summary):
in a thread, a burst of ``/checkin history`` requests starves the event loop, and every other
member's button waits. One worker process draws instead (charts queue there), started on the first
chart, so a bot that never draws never pays for it.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from cogs.checkins.charts import render_history, render_summary
from cogs.checkins.stats import HistoryData
from cogs.checkins.summary import DayAggregate

_pool: ProcessPoolExecutor | None = None


def _executor() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _pool


async def render(
    data: HistoryData, zone_labels: dict[str, str], quadrant_colours: dict[str, str] | None = None
) -> bytes:
    """The chart's PNG, drawn in the worker process (restarted once if it died)."""
    global _pool
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_executor(), render_history, data, zone_labels, quadrant_colours)
    except BrokenProcessPool:
        _pool = None
        return await loop.run_in_executor(_executor(), render_history, data, zone_labels, quadrant_colours)


async def render_community(
    days: list[DayAggregate], zone_labels: dict[str, str], quadrant_labels: dict[str, str]
) -> bytes:
    """The community summary chart's PNG, drawn in the same worker process."""
    global _pool
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_executor(), render_summary, days, zone_labels, quadrant_labels)
    except BrokenProcessPool:
        _pool = None
        return await loop.run_in_executor(_executor(), render_summary, days, zone_labels, quadrant_labels)


def shut_down() -> None:
    """Stop the worker (when the bot stops)."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None
