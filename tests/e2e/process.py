"""Run the real ``python bot.py`` as a subprocess pointed at a FakeDiscord, and watch its log."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from fakediscord import FakeDiscord

ROOT = Path(__file__).resolve().parents[2]


class BotProcess:
    """A running ``python bot.py …``: its stderr lines, and waits on them."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._changed = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            self.lines.append(raw.decode("utf-8", "replace").rstrip())
            self._changed.set()
        self._changed.set()

    async def wait_for_line(self, needle: str, timeout: float = 20.0) -> str:
        async def scan() -> str:
            seen = 0
            while True:
                for line in self.lines[seen:]:
                    if needle in line:
                        return line
                seen = len(self.lines)
                if self._reader.done():
                    raise AssertionError(f"process ended without {needle!r}:\n" + self.log)
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(scan(), timeout)

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    async def terminate(self, signum: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signum)
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await self._reader
        return code

    async def wait(self, timeout: float = 30.0) -> int:
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await self._reader
        return code


def bot_environment(fake: FakeDiscord, database: Path | str, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "DISCORD_TOKEN": fake.token,
        "DISCORD_API_BASE_URL": fake.api_base_url,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "ATTUNE_DATABASE": str(database),
        "ATTUNE_LOG_LEVEL": "INFO",
        "ATTUNE_FEEDS_ALLOW": "127.0.0.1",  # feeds served by the tests live on loopback
        **extra,
    }


@contextlib.asynccontextmanager
async def bot_process(
    fake: FakeDiscord, database: Path | str, *args: str, **extra: str
) -> AsyncIterator[BotProcess]:
    """``database``: an SQLite file (the process runs in its folder) or a ``postgresql://`` URL."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bot.py"),
        *args,
        cwd=database.parent if isinstance(database, Path) else tempfile.gettempdir(),
        env=bot_environment(fake, database, **extra),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    running = BotProcess(process)
    try:
        yield running
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await running._reader
