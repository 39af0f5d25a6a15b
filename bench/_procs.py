"""Start Attune (``python bot.py``) or the bare floor bot as their own processes against a fake."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

from _common import ROOT

from fakediscord import FakeDiscord
from tests.e2e.process import BotProcess, bot_environment


@contextlib.asynccontextmanager
async def started(
    fake: FakeDiscord,
    database: Path | str,
    *,
    bare: bool = False,
    ready_timeout: float = 300.0,
    **extra_env: str,
) -> AsyncIterator[tuple[BotProcess, float]]:
    """Yields the process and the seconds from spawn to its "ready as" log line."""
    script = ROOT / "bench" / "barebot.py" if bare else ROOT / "bot.py"
    began = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        cwd=database.parent if isinstance(database, Path) else tempfile.gettempdir(),
        env=bot_environment(fake, database, **extra_env),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        limit=1 << 20,
    )
    bot = BotProcess(process)
    try:
        await bot.wait_for_line("ready as", timeout=ready_timeout)
        yield bot, time.perf_counter() - began
    finally:
        if process.returncode is None:
            await bot.terminate(timeout=60)
