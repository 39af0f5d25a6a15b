"""`python bot.py …` as an operator runs it: one clear line and exit 2 for every start-up problem."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from attune.config import DEFAULT_CONTENT_DIR, load_settings
from attune.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "ATTUNE_DATABASE": str(tmp_path / "data" / "attune.sqlite3"),
        "PYTHONPATH": str(ROOT),
        **env,
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "bot.py"), *args],
        cwd=tmp_path,  # no .env there
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_missing_token_is_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    result = run([], tmp_path)
    assert result.returncode == 2
    assert "DISCORD_TOKEN is not set" in one_line(result)
    assert not (tmp_path / "data").exists()


def test_malformed_content_names_file_and_key(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    text = (content / "emotions.yaml").read_text("utf-8")
    (content / "emotions.yaml").write_text(text.replace("energy: 5,", "energy: loud,", 1), "utf-8")
    result = run([], tmp_path, DISCORD_TOKEN="x", ATTUNE_CONTENT_DIR=str(content))
    assert result.returncode == 2
    line = one_line(result)
    assert "emotions.yaml" in line and "words[0].energy" in line


def test_invalid_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    (content / "sits.yaml").write_text("opening_words: [unclosed\n", "utf-8")
    result = run([], tmp_path, DISCORD_TOKEN="x", ATTUNE_CONTENT_DIR=str(content))
    assert result.returncode == 2
    assert "sits.yaml" in one_line(result) and "not valid YAML" in one_line(result)


def test_newer_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "data" / "attune.sqlite3"
    path.parent.mkdir()
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version = 999")
    raw.close()
    before = path.read_bytes()
    result = run([], tmp_path, DISCORD_TOKEN="x")
    assert result.returncode == 2
    assert "newer version of Attune" in one_line(result)
    assert path.read_bytes() == before


def test_corrupt_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "data" / "attune.sqlite3"
    path.parent.mkdir()
    path.write_bytes(b"garbage" * 1000)
    result = run([], tmp_path, DISCORD_TOKEN="x")
    assert result.returncode == 2
    assert "not a readable SQLite database" in one_line(result)
    assert path.read_bytes() == b"garbage" * 1000


def _make_read_only(folder: Path) -> bool:
    """Make ``folder`` unwritable, even for root (immutable flag); False if this host can't."""
    folder.chmod(0o500)
    if not os.access(folder, os.W_OK):
        return True
    done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)  # noqa: S603, S607
    return done.returncode == 0


def _make_writable(folder: Path) -> None:
    subprocess.run(["chattr", "-i", str(folder)], capture_output=True, check=False)  # noqa: S603, S607
    folder.chmod(0o700)


def test_read_only_data_directory(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    if not _make_read_only(folder):
        pytest.skip("this host can make no folder read-only for the current user")
    try:
        result = run([], tmp_path, DISCORD_TOKEN="x")
        checked = run(["check"], tmp_path, DISCORD_TOKEN="x")
    finally:
        _make_writable(folder)
    assert result.returncode == 2
    assert "attune.sqlite3" in one_line(result)
    assert list(folder.iterdir()) == []
    assert checked.returncode == 2
    assert "not writable" in checked.stdout


def test_unopenable_database_path(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    result = run([], tmp_path, DISCORD_TOKEN="x", ATTUNE_DATABASE=str(blocker / "attune.sqlite3"))
    assert result.returncode == 2
    assert "blocker" in one_line(result)


def test_locked_database_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "data" / "attune.sqlite3"
    path.parent.mkdir()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("CREATE TABLE t (x)")
    try:
        result = run([], tmp_path, DISCORD_TOKEN="x")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 2
    assert "locked" in one_line(result)


def test_check_reports_every_problem_at_once(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    (content / "support.yaml").unlink()
    (content / "sits.yaml").write_text("opening_words: []\nclosing_words: [a, b, c]\n", "utf-8")
    result = run(["check"], tmp_path, ATTUNE_CONTENT_DIR=str(content))
    assert result.returncode == 2
    out = result.stdout
    assert "DISCORD_TOKEN is not set" in out
    assert "support.yaml: file is missing" in out
    assert "sits.yaml: opening_words" in out
    assert "will be created on first run" in out
    assert "3 problem(s) found" in out


def test_check_passes_on_a_good_setup(tmp_path: Path) -> None:
    result = run(["check"], tmp_path, DISCORD_TOKEN="x")
    assert result.returncode == 0, result.stdout
    assert "all good" in result.stdout


def test_settings_from_dotenv_and_environment(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DISCORD_TOKEN=from-file\nATTUNE_LOG_LEVEL=debug\nATTUNE_DEV_GUILD=42\n")
    settings = load_settings({"DISCORD_TOKEN": "from-env"}, env_file)
    assert settings.token == "from-env"
    assert settings.log_level == "DEBUG"
    assert settings.dev_guild == 42
    with pytest.raises(ConfigError, match="ATTUNE_DEV_GUILD is invalid"):
        load_settings({"ATTUNE_DEV_GUILD": "abc"}, None)
    with pytest.raises(ConfigError, match="DISCORD_GATEWAY_URL"):
        load_settings({"DISCORD_GATEWAY_URL": "http://x"}, None)


def migrated(path: Path, *rows: tuple[str, tuple[object, ...]]) -> None:
    """Create the SQLite database at ``path`` as a start would, with ``rows`` written into it."""
    import asyncio

    from attune.db import Database

    async def fill() -> None:
        db = await Database.open(path)
        await db.migrate()
        for sql, params in rows:
            await db.execute(sql, params)
        await db.close()

    asyncio.run(fill())


def test_check_names_the_backend_and_schema_version(tmp_path: Path) -> None:
    from attune.db import discover_migrations

    assert "does not exist yet" in run(["check"], tmp_path, DISCORD_TOKEN="x").stdout
    migrated(tmp_path / "data" / "attune.sqlite3")
    newest = discover_migrations()[-1].version
    result = run(["check"], tmp_path, DISCORD_TOKEN="x")
    assert f"is SQLite, readable (schema {newest}, up to date)" in result.stdout


def test_migrate_to_copies_and_then_refuses_the_filled_target(tmp_path: Path, pg_server) -> None:
    import asyncio

    from attune.db import Database

    path = tmp_path / "data" / "attune.sqlite3"

    async def fill() -> None:
        db = await Database.open(path)
        await db.migrate()
        await db.execute(
            "INSERT INTO guild_settings (guild_id, timezone, updated_at) VALUES (1, 'UTC', ?)",
            ("2026-11-25T09:00:00+00:00",),
        )
        await db.close()

    asyncio.run(fill())
    url = asyncio.run(pg_server.fresh(migrated=False))
    try:
        result = run(["migrate-to", url], tmp_path)
        assert result.returncode == 0, result.stderr
        assert "row counts verified" in result.stdout and "Copied" in result.stdout
        again = run(["migrate-to", url], tmp_path)
        assert again.returncode == 2
        assert "not empty" in one_line(again)
        bad = run(["migrate-to", "mysql://nope"], tmp_path)
        assert "is not a postgresql:// URL" in one_line(bad)
    finally:
        asyncio.run(pg_server.drop(url))
