"""Storage faults at start-up, against a reachable (loopback) Discord so that only the database can
stop the bot: one clear ``attune:`` line, exit code 2, no traceback, and the database file exactly as
it was. ``tests/attune/test_cli.py`` covers a fresh file locked in the same process's test, garbage in
place of the file and an empty read-only folder; these are the cases it leaves out:

* an existing Attune database (WAL) whose write lock another process holds — reads still work in
  WAL mode, so only a write shows it;
* a database whose header is fine but a table is corrupt — it shows only when the schedules load;
* garbage in place of the file: not one byte changed, no ``-wal``/``-shm`` left next to it;
* an existing database in a read-only folder, and a read-only (immutable) database file.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from fakediscord import FakeDiscord
from tests.e2e.process import BotProcess, bot_process
from tests.faults.harness import create_database, query, seed_heartbeat, seed_sit, utcnow

pytestmark = pytest.mark.e2e

HOLD_WRITE_LOCK = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN EXCLUSIVE")
print("held", flush=True)
sys.stdin.read()
connection.execute("ROLLBACK")
"""


@contextlib.asynccontextmanager
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token="storage-faults") as fake:
        fake.add_guild("Sangha", channels=["sits"])
        yield fake


async def start_and_stop(fake: FakeDiscord, database: Path) -> BotProcess:
    """``python bot.py`` until it exits by itself (it must: the database can't be used)."""
    async with bot_process(fake, database) as bot:
        await bot.wait(timeout=30)
    return bot


def assert_one_clear_line(bot: BotProcess, *needles: str) -> str:
    assert bot.process.returncode == 2, bot.log
    problems = [line for line in bot.lines if line.startswith("attune:")]
    assert len(problems) == 1, bot.log
    assert "Traceback" not in bot.log
    assert all(needle in problems[0] for needle in needles), problems[0]
    assert not any("ready as" in line for line in bot.lines)  # it never went on to run
    return problems[0]


async def attune_database(folder: Path) -> Path:
    """An established installation's database: migrated, with a sit and a heartbeat, closed cleanly."""
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "attune.sqlite3"
    await create_database(database)
    now = utcnow()
    for index in range(200):  # enough rows that the sits table spans pages of its own
        seed_sit(
            database, guild_id=1, channel_id=2, start=now + timedelta(days=1), title=f"Sit {index:03d} " * 6
        )
    seed_heartbeat(database, now)
    with contextlib.closing(sqlite3.connect(database)) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return database


def writable(path: Path) -> bool:
    """Whether this process can still change ``path`` (a folder: add a file; a file: open it to write)."""
    try:
        if path.is_dir():
            probe = path / ".write-probe"
            probe.touch()
            probe.unlink()
        else:
            path.open("r+b").close()
    except OSError:
        return False
    return True


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[bool]:
    """``path`` read-only for every process of this user while inside; yields whether that held.

    ``chmod`` is enough for an ordinary user (as on CI). Root ignores modes, so there ``chattr +i``
    is added where the host allows it; only root on a host without it yields False.
    """
    path.chmod(0o500 if path.is_dir() else 0o400)
    frozen = False
    if writable(path):
        chattr = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)  # noqa: S603, S607
        frozen = chattr.returncode == 0
    try:
        yield not writable(path)
    finally:
        if frozen:
            subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)  # noqa: S603, S607
        path.chmod(0o700 if path.is_dir() else 0o600)


async def test_database_locked_by_another_process(tmp_path: Path) -> None:
    database = await attune_database(tmp_path / "data")
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        HOLD_WRITE_LOCK,
        str(database),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert (await asyncio.wait_for(holder.stdout.readline(), 10)).strip() == b"held"
        before = database.read_bytes()
        async with fake_discord() as fake:
            bot = await start_and_stop(fake, database)
        assert_one_clear_line(bot, "locked by another process")
        assert database.read_bytes() == before
    finally:
        holder.stdin.close()
        await holder.wait()
    # Once the other process lets go, everything is still there and sound.
    assert query(database, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]
    assert query(database, "SELECT COUNT(*) AS n FROM sits") == [{"n": 200}]


async def test_table_corrupt_behind_a_good_header(tmp_path: Path) -> None:
    database = await attune_database(tmp_path / "data")
    root = query(database, "SELECT rootpage FROM sqlite_master WHERE name = 'sits'")[0]["rootpage"]
    page_size = query(database, "PRAGMA page_size")[0]["page_size"]
    data = bytearray(database.read_bytes())
    data[(root - 1) * page_size : root * page_size] = b"\xde\xad\xbe\xef" * (page_size // 4)
    database.write_bytes(bytes(data))
    async with fake_discord() as fake:
        bot = await start_and_stop(fake, database)
    assert_one_clear_line(bot, str(database), "not a readable SQLite database")
    assert database.read_bytes() == bytes(data)


async def test_garbage_file_left_byte_identical_with_nothing_beside_it(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    database = folder / "attune.sqlite3"
    garbage = bytes(range(256)) * 64
    database.write_bytes(garbage)
    async with fake_discord() as fake:
        bot = await start_and_stop(fake, database)
    assert_one_clear_line(bot, "not a readable SQLite database")
    assert database.read_bytes() == garbage
    assert sorted(p.name for p in folder.iterdir()) == ["attune.sqlite3"]


@pytest.mark.parametrize("frozen", ["folder", "file"])
async def test_existing_database_that_cannot_be_written(tmp_path: Path, frozen: str) -> None:
    database = await attune_database(tmp_path / "data")
    before = database.read_bytes()
    listing = sorted(p.name for p in database.parent.iterdir())
    with read_only(database.parent if frozen == "folder" else database) as possible:
        if not possible:  # only root on a host without `chattr +i`: nothing stops root writing
            pytest.skip("running as root on a host where `chattr +i` is refused: nothing is read-only")
        async with fake_discord() as fake:
            bot = await start_and_stop(fake, database)
    line = assert_one_clear_line(bot, str(database))
    assert "read-only" in line or "cannot open" in line
    assert database.read_bytes() == before
    if frozen == "folder":
        assert sorted(p.name for p in database.parent.iterdir()) == listing
