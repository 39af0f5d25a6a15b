"""Shared fixtures: real SQLite files under tmp_path (and real PostgreSQL databases for tests marked
``both_backends``), the real bot on simcord, virtual time."""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import apscheduler.executors.base
import apscheduler.schedulers.base
import apscheduler.triggers.interval
import discord
import hypothesis
import pytest
from discord import app_commands

from attune.config import DEFAULT_CONTENT_DIR, Settings
from attune.content import Content, load_content
from attune.db import Database
from attune.errors import UserError
from attune.ui import AttuneDynamicItem, unwrap
from tests import pg
from tests.helpers import bot_factory

CONTENT_DIR = DEFAULT_CONTENT_DIR

# Property tests see the same examples on every run and machine, with no wall-clock deadline (a busy
# machine must not fail them). HYPOTHESIS_PROFILE=explore searches afresh, for local bug hunts.
hypothesis.settings.register_profile("attune", derandomize=True, deadline=None, database=None)
hypothesis.settings.register_profile("explore", deadline=None, max_examples=1000)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "attune"))


class _SimulatedDatetime(_dt.datetime):
    """``datetime`` whose ``now()`` follows simcord's virtual clock inside a simulation.

    APScheduler computes its wake-ups from ``datetime.now``; discord.py's clock (which simcord
    moves) is what Attune reads. Aligning the two lets ``env.advance_time`` fire real jobs.
    Outside a simulation ``discord.utils.utcnow`` is the real clock, so nothing changes.
    """

    @classmethod
    def now(cls, tz: _dt.tzinfo | None = None) -> _dt.datetime:  # type: ignore[override]
        current = discord.utils.utcnow()
        return current.astimezone(tz) if tz is not None else current.replace(tzinfo=None)


@pytest.fixture(autouse=True)
def _scheduler_follows_virtual_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (
        apscheduler.schedulers.base,
        apscheduler.executors.base,
        apscheduler.triggers.interval,
    ):
        monkeypatch.setattr(module, "datetime", _SimulatedDatetime)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "both_backends: run the test on SQLite and on PostgreSQL (the PostgreSQL case skips unless "
        "ATTUNE_TEST_POSTGRESQL names a server)",
    )
    config.addinivalue_line("markers", "sqlite_only: exempt from a module's both_backends (SQLite specifics)")
    config.addinivalue_line(
        "markers",
        "restarts(*items): the test presses each of these DynamicItem classes on a bot started by a "
        "restart and asserts the outcome (checked when it ends; tests/test_restarts.py wants one per item)",
    )


@pytest.fixture(autouse=True)
def _pressed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[type, object]]:
    """Every dynamic item pressed in the test, with the bot that handled the press."""
    pressed: list[tuple[type, object]] = []
    callback = AttuneDynamicItem.callback

    async def recording(self: AttuneDynamicItem[Any], interaction: discord.Interaction[Any]) -> None:
        pressed.append((type(self), interaction.client))
        await callback(self, interaction)

    monkeypatch.setattr(AttuneDynamicItem, "callback", recording)
    return pressed


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(CONTENT_DIR)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marked = metafunc.definition.get_closest_marker("both_backends")
    if (
        "backend" in metafunc.fixturenames
        and marked
        and not metafunc.definition.get_closest_marker("sqlite_only")
    ):
        metafunc.parametrize("backend", pg.BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """``sqlite``, or ``postgresql`` for the second case of a test marked ``both_backends``."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def pg_server() -> Any:
    server = pg.Server(pg.server_url())
    yield server
    server.drop_template()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "attune.sqlite3"


@pytest.fixture
async def database(backend: str, db_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Path | str]:
    """What ``ATTUNE_DATABASE`` names in this test: an SQLite file, or a fresh PostgreSQL database
    (already migrated, copied from a template: fast)."""
    if backend == "sqlite":
        yield db_path
        return
    server = request.getfixturevalue("pg_server")
    url = await server.fresh()
    yield url
    await server.drop(url)


@pytest.fixture
def settings(database: Path | str) -> Settings:
    # One shard: simcord needs the count an AutoShardedBot would otherwise ask Discord for.
    return Settings(token="test-token", database=database, content_dir=CONTENT_DIR, shard_count=1)


@pytest.fixture
async def db(database: Path | str) -> AsyncIterator[Database]:
    opened = await Database.open(database)
    await opened.migrate()
    yield opened
    await opened.close()


@pytest.fixture
def make_bot(settings: Settings, content: Content):
    """Build a fresh bot on the same settings (and database file): for ``restart_bot``."""
    return bot_factory(settings, content)


PG_SETTLE_TIMEOUT = 60.0


@pytest.fixture
def simcord_bot(make_bot):
    return make_bot()


@pytest.fixture
async def env(simcord_env, make_bot, request, backend, _pressed):
    """simcord's environment with the commands synced (as `python bot.py sync` would do).

    Closes every bot's database and scheduler at the end. A test marked ``restarts(*items)`` must
    have pressed each of those items on a bot that a restart started (not the first one).
    """
    if backend == "postgresql":
        # simcord gives a whole ``advance_time`` one settle deadline of real time; on PostgreSQL
        # every virtual heartbeat and delivery is a real round trip to a server, so days of virtual
        # time on a loaded CI machine need more than the 5 s an in-process SQLite file does.
        simcord_env.settle_timeout = PG_SETTLE_TIMEOUT
    await simcord_env.bot.tree.sync()
    yield simcord_env
    for bot in make_bot.built:
        await bot.close_resources()
    marker = request.node.get_closest_marker("allow_errors")
    allowed = tuple(marker.args) if marker else ()
    unexpected = [
        error
        for error in simcord_env.errors
        if not _told_to_the_member(error) and not isinstance(unwrap(error), allowed)
    ]
    if unexpected:
        raise ExceptionGroup("the bot raised unexpected errors", unexpected)
    restarts = request.node.get_closest_marker("restarts")
    if restarts is not None:
        first = make_bot.built[0] if make_bot.built else None
        after_restart = {item for item, bot in _pressed if bot is not first}
        missing = [item.__name__ for item in restarts.args if item not in after_restart]
        assert not missing, f"never pressed after a restart: {missing}"


def _told_to_the_member(error: BaseException) -> bool:
    """Errors that the one error path turns into a clear ephemeral answer are not failures."""
    original = unwrap(error)
    return isinstance(original, UserError | app_commands.CheckFailure)
