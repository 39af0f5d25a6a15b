"""Data at rest and in logs: an owner-only database, zeroed deletes, a truncated WAL, quiet discord logs."""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from attune.cli import configure_logging
from attune.db import Database
from tests.cogs.checkins.sim import check_in
from tests.helpers import community

NOTE = "a-note-nobody-else-reads-3c9d"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_new_database_and_its_folder_are_readable_by_the_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "attune.sqlite3"
    db = await Database.open(path)
    await db.migrate()
    await db.execute("INSERT INTO meta (key, value) VALUES ('probe', 'x')")
    try:
        assert mode(path.parent) == 0o700
        assert mode(path) == 0o600
        assert mode(Path(f"{path}-wal")) == 0o600
        assert await db.fetchval("PRAGMA secure_delete") == 1
    finally:
        await db.close()


async def test_after_a_delete_the_note_is_in_neither_the_database_nor_the_wal(env, db_path: Path) -> None:
    c = community(env)
    await check_in(c.alice, c.general, note=NOTE)
    wal = Path(f"{db_path}-wal")
    assert NOTE.encode() in db_path.read_bytes() + wal.read_bytes()  # it was really written
    asked = await c.alice.slash(c.general, "privacy delete")
    await c.alice.click(asked.response, label="Yes, delete everything")
    await env.bot.takedowns.idle()
    assert NOTE.encode() not in db_path.read_bytes()
    assert NOTE.encode() not in (wal.read_bytes() if wal.exists() else b"")


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    discord_level = logging.getLogger("discord").level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("discord").setLevel(discord_level)


def test_debug_logging_keeps_discord_request_bodies_out(restore_logging, capsys) -> None:
    configure_logging("DEBUG")
    assert logging.getLogger("attune").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("discord.http").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("discord.gateway").isEnabledFor(logging.DEBUG)
    logging.getLogger("discord.http").debug("POST /channels/1/messages with %s", NOTE)
    assert NOTE not in capsys.readouterr().err


def test_only_the_explicit_setting_lets_discord_debug_through(restore_logging, capsys) -> None:
    configure_logging("INFO", discord_debug=True)
    err = capsys.readouterr().err
    assert "private text" in err  # said loudly in the log itself
    assert logging.getLogger("discord.http").isEnabledFor(logging.DEBUG)
