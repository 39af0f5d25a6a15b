"""``ATTUNE_FEEDS_PUBLIC_ONLY`` is retired: accepted for one version, logged, and it opens nothing."""

from __future__ import annotations

import logging

import pytest

from attune.config import Settings
from tests.helpers import community, rows, told


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """An operator who still sets the old switch off (it used to allow every address)."""
    return settings.model_copy(update={"feeds_public_only": "0"})


async def test_the_retired_setting_is_logged_and_opens_nothing(caplog, env, feed_server) -> None:
    logged = [r.getMessage() for r in caplog.get_records("setup") if r.levelno == logging.WARNING]
    assert any("ATTUNE_FEEDS_PUBLIC_ONLY is deprecated and ignored" in m for m in logged), logged
    assert any("ATTUNE_FEEDS_ALLOW" in m for m in logged)

    c = community(env)
    port = feed_server.base.rsplit(":", 1)[1]
    result = await c.facilitator.slash(
        c.general, "episode feed-add", url=f"http://127.0.0.2:{port}/feed/circle"
    )
    assert result.ephemeral
    assert "private or local network" in told(result) and "127.0.0.2" not in told(result).split("You sent")[0]
    assert feed_server.requests == []
    assert await rows(env.bot, "SELECT id FROM episode_feeds") == []
