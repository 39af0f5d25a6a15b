"""The real `python bot.py` process against the loopback fake Discord (tests/e2e/fakediscord)."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.e2e.fakediscord import FakeDiscord
from tests.e2e.process import ROOT, bot_environment, bot_process

pytestmark = pytest.mark.e2e


@pytest.fixture
async def fake():
    async with FakeDiscord(token="e2e-token") as server:
        yield server


async def run_to_end(fake: FakeDiscord, database: Path, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bot.py"),
        *args,
        cwd=database.parent,
        env=bot_environment(fake, database),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_sync_registers_every_command(fake: FakeDiscord, tmp_path: Path) -> None:
    code, out, err = await run_to_end(fake, tmp_path / "attune.sqlite3", "sync")
    assert code == 0, err
    assert "Synced" in out and "globally" in out
    names = {command["name"] for command in fake.global_commands}
    assert {"settings", "privacy", "about"} <= names
    settings = next(c for c in fake.global_commands if c["name"] == "settings")
    assert {o["name"] for o in settings["options"]} >= {
        "show",
        "timezone",
        "channel",
        "facilitator-role",
        "support",
    }


async def test_sync_to_one_guild(fake: FakeDiscord, tmp_path: Path) -> None:
    guild = fake.add_guild("Sangha")
    code, out, _ = await run_to_end(fake, tmp_path / "attune.sqlite3", "sync", "--guild", str(guild.id))
    assert code == 0
    assert f"to guild {guild.id}" in out
    assert {c["name"] for c in fake.guild_commands(guild.id)} >= {"about", "settings"}


async def test_runs_answers_survives_reconnect_and_stops_cleanly(fake: FakeDiscord, tmp_path: Path) -> None:
    database = tmp_path / "attune.sqlite3"
    guild = fake.add_guild("Sangha", channels=["general"])
    alice = fake.add_member(guild.id, "alice")
    code, _, _ = await run_to_end(fake, database, "sync")
    assert code == 0

    async with bot_process(fake, database) as bot:
        await bot.wait_for_line("ready as")
        assert database.exists()  # created on first run

        handle = await fake.invoke_slash(guild.id, guild.channel("general"), alice, "about")
        answer = await handle.wait_response(timeout=10)
        assert answer.ephemeral
        assert answer.embeds[0]["title"].startswith("Attune ")

        resumes = fake.resume_count
        await fake.close_socket(code=4000)
        await fake.wait_for(lambda: fake.resume_count > resumes, timeout=20)
        again = await fake.invoke_slash(guild.id, guild.channel("general"), alice, "about")
        assert (await again.wait_response(timeout=10)).ephemeral

        code = await bot.terminate()
        assert code == 0, bot.log
        assert any("stopped cleanly" in line for line in bot.lines)
        assert any("database closed" in line for line in bot.lines)
        assert "Traceback" not in bot.log

    # Closed properly: the WAL was checkpointed away and the schema is current.
    assert not Path(f"{database}-wal").exists()
    with sqlite3.connect(database) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] >= 1
        heartbeat = raw.execute("SELECT value FROM meta WHERE key = 'scheduler.heartbeat'").fetchone()
    assert heartbeat is not None  # the scheduler stopped cleanly and said when


async def test_sigint_also_stops_cleanly(fake: FakeDiscord, tmp_path: Path) -> None:
    import signal

    fake.add_guild("Sangha")
    async with bot_process(fake, tmp_path / "attune.sqlite3") as bot:
        await bot.wait_for_line("ready as")
        assert await bot.terminate(signal.SIGINT) == 0, bot.log
        assert "Traceback" not in bot.log


async def test_rejected_token_is_one_line_and_exit_2(fake: FakeDiscord, tmp_path: Path) -> None:
    database = tmp_path / "attune.sqlite3"
    async with bot_process(fake, database, DISCORD_TOKEN="not-the-token") as bot:
        code = await bot.wait()
    assert code == 2
    problems = [line for line in bot.lines if line.startswith("attune:")]
    assert len(problems) == 1 and "Discord rejected DISCORD_TOKEN" in problems[0]
    assert "Traceback" not in bot.log


async def test_unreachable_discord_is_one_line_and_exit_2(tmp_path: Path) -> None:
    async with FakeDiscord(token="t") as server:
        environment_fake = server
    # The fake has stopped: nothing listens on its port any more.
    async with bot_process(environment_fake, tmp_path / "attune.sqlite3") as bot:
        code = await bot.wait()
    assert code == 2
    assert any(line.startswith("attune: cannot reach Discord") for line in bot.lines), bot.log
    assert "Traceback" not in bot.log
