"""Migration 0006: feeds keep their items under the old keys until re-keyed; stored errors that may
hold remote text are replaced by a plain category."""

from __future__ import annotations

from attune.db import Database, discover_migrations


async def test_0006_marks_old_feeds_for_rekeying_and_scrubs_remote_error_text(db_path) -> None:
    migrations = discover_migrations()
    db = await Database.open(db_path)
    try:
        await db.migrate([m for m in migrations if m.version <= 5])
        await db.execute(
            "INSERT INTO episode_feeds (guild_id, url, title, channel_id, added_at, failures, last_error)"
            " VALUES (1, 'https://a.example/feed.xml', 'A', 2, '2026-01-01T00:00:00+00:00', 3, ?)",
            ("the server answered HTTP 503 Internal admin panel 10.1.2.3.",),
        )
        await db.migrate(migrations)
        [row] = await db.fetchall("SELECT key_version, last_error FROM episode_feeds")
        assert dict(row) == {"key_version": 1, "last_error": "the last check failed"}
    finally:
        await db.close()
