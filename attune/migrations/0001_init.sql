-- Foundation: guild configuration, the delivery ledger, process metadata, one-time notices.
-- Times are ISO-8601 UTC strings ("2026-11-25T09:00:00+00:00"), which sort chronologically.

CREATE TABLE guild_settings (
    guild_id            INTEGER PRIMARY KEY,
    timezone            TEXT    NOT NULL DEFAULT 'UTC',
    facilitator_role_id INTEGER,
    support_text        TEXT,
    updated_at          TEXT    NOT NULL
);

-- Where each capability posts: purpose is one of sits, checkins, wheel, episodes, facilitators.
CREATE TABLE guild_channels (
    guild_id   INTEGER NOT NULL,
    purpose    TEXT    NOT NULL,
    channel_id INTEGER NOT NULL,
    PRIMARY KEY (guild_id, purpose)
) WITHOUT ROWID;

-- Every scheduled post is claimed here once, keyed by what it is and which occurrence,
-- before anything is sent. status: claimed -> posted | late | skipped | failed.
CREATE TABLE deliveries (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    occurrence  TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('claimed', 'posted', 'late', 'skipped', 'failed')),
    guild_id    INTEGER,
    attempts    INTEGER NOT NULL DEFAULT 0,
    claimed_at  TEXT    NOT NULL,
    finished_at TEXT,
    detail      TEXT,
    UNIQUE (kind, key, occurrence)
);
CREATE INDEX deliveries_open ON deliveries (status) WHERE status = 'claimed';

-- Small key/value facts about the running process (e.g. the last heartbeat).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Things a facilitator should be told once, not on every occurrence (e.g. a missing permission).
CREATE TABLE notices (
    guild_id INTEGER NOT NULL,
    key      TEXT    NOT NULL,
    sent_at  TEXT    NOT NULL,
    PRIMARY KEY (guild_id, key)
) WITHOUT ROWID;
