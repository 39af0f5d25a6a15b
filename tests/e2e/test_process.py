"""The real `python bot.py` process against the loopback fake Discord (`fakediscord/`)."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from attune.bot import AttuneBot
from attune.config import DEFAULT_CONTENT_DIR, Settings
from attune.content import load_content
from attune.db import discover_migrations
from fakediscord import FakeDiscord
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
    return process.returncode, out.decode(), err.decode()


def command_shape(command: dict[str, Any]) -> tuple[Any, ...]:
    """A command's name with its subcommands and options, as Discord holds them (order-free)."""
    options = command.get("options") or []
    return (command["name"], frozenset(command_shape(option) for option in options))


async def commands_in_code(tmp_path: Path) -> set[tuple[Any, ...]]:
    """Every application command the bot's cogs define, as a sync would send them."""
    bot = AttuneBot(
        Settings(token="unused", database=tmp_path / "shape.sqlite3", content_dir=DEFAULT_CONTENT_DIR),
        load_content(DEFAULT_CONTENT_DIR),
        start_scheduler=False,
    )
    try:
        await bot.setup_hook()
        return {command_shape(c.to_dict(bot.tree)) for c in bot.tree.get_commands()}
    finally:
        await bot.close_resources()


async def test_sync_registers_every_command(fake: FakeDiscord, tmp_path: Path) -> None:
    code, out, err = await run_to_end(fake, tmp_path / "attune.sqlite3", "sync")
    assert code == 0, err
    assert "Synced" in out and "globally" in out
    synced = {command_shape(command) for command in fake.global_commands}
    expected = await commands_in_code(tmp_path)
    assert {"settings", "privacy", "about", "sit", "checkin", "wheel", "episode"} <= {c[0] for c in expected}
    assert synced == expected  # every command, subcommand and option, nothing missing or extra
    assert len(fake.global_commands) == len(expected)


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

    started = datetime.now(UTC)
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
        assert raw.execute("PRAGMA user_version").fetchone()[0] == discover_migrations()[-1].version
        (heartbeat,) = raw.execute("SELECT value FROM meta WHERE key = 'scheduler.heartbeat'").fetchone()
    # The scheduler stopped cleanly and said when: during this run, in UTC.
    stopped = datetime.fromisoformat(heartbeat)
    assert stopped.utcoffset() == timedelta(0) and started <= stopped <= datetime.now(UTC)


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


async def test_runs_on_postgresql_answers_and_stops_cleanly(
    fake: FakeDiscord, tmp_path: Path, pg_server
) -> None:
    import asyncpg

    from attune.db import POSTGRESQL_DIALECT

    url = await pg_server.fresh(migrated=False)  # empty: the process migrates it
    try:
        guild = fake.add_guild("Sangha", channels=["general"])
        alice = fake.add_member(guild.id, "alice")
        where = tmp_path / "unused.sqlite3"
        async with bot_process(fake, where, "sync", ATTUNE_DATABASE=url) as sync:
            assert await sync.wait() == 0, sync.log
        started = datetime.now(UTC)
        async with bot_process(fake, where, ATTUNE_DATABASE=url) as bot:
            await bot.wait_for_line("ready as")
            handle = await fake.invoke_slash(guild.id, guild.channel("general"), alice, "about")
            assert (await handle.wait_response(timeout=10)).embeds[0]["title"].startswith("Attune ")
            assert await bot.terminate() == 0, bot.log
            assert any("database closed" in line for line in bot.lines)
            assert "Traceback" not in bot.log
        assert not where.exists()  # nothing went to SQLite
        conn = await asyncpg.connect(url)
        try:
            newest = discover_migrations(dialect=POSTGRESQL_DIALECT)[-1].version
            assert await conn.fetchval("SELECT version FROM attune_schema") == newest
            heartbeat = await conn.fetchval("SELECT value FROM meta WHERE key = 'scheduler.heartbeat'")
        finally:
            await conn.close()
        assert started <= datetime.fromisoformat(heartbeat) <= datetime.now(UTC)
        async with bot_process(fake, where, "check", ATTUNE_DATABASE=url) as check:
            assert await check.wait() == 0
        out = (await check.process.stdout.read()).decode() if check.process.stdout else ""
        assert f"is PostgreSQL, reachable (schema {newest}, up to date)" in out
    finally:
        await pg_server.drop(url)
