-- sits: group sits stored as rules (occurrences are computed), RSVPs, attendance, solo logs.
-- Times are ISO-8601 UTC strings, except sits.start_local: the naive wall-clock start of the
-- series in sits.zone (so a weekly 19:00 stays 19:00 local across daylight-saving changes).

CREATE TABLE sits (
    id                INTEGER PRIMARY KEY,
    guild_id          INTEGER NOT NULL,
    title             TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    host_id           INTEGER,                       -- who scheduled it (NULL after /privacy delete)
    start_local       TEXT    NOT NULL,              -- "2026-01-06T19:00:00", wall time in zone
    zone              TEXT    NOT NULL,              -- IANA name
    repeat            TEXT    NOT NULL
        CHECK (repeat IN ('none', 'daily', 'weekdays', 'weekly', 'biweekly', 'monthly')),
    weekdays          TEXT    NOT NULL DEFAULT '',   -- "1,3" (Mon=0) for weekly/biweekly series
    duration_min      INTEGER NOT NULL CHECK (duration_min BETWEEN 1 AND 240),
    reminder_min      INTEGER NOT NULL CHECK (reminder_min BETWEEN 0 AND 1440),
    guide             TEXT    NOT NULL DEFAULT 'silent' CHECK (guide IN ('silent', 'wheel')),
    voice_channel_id  INTEGER,
    channel_id        INTEGER NOT NULL,              -- where the announcement and bells go
    announcement_id   INTEGER,                       -- the announcement message
    shown_at          TEXT,                          -- the occurrence the announcement shows
    event_id          INTEGER,                       -- the native scheduled event ...
    event_at          TEXT,                          -- ... and the occurrence it stands for
    status            TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled', 'ended')),
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL               -- the scheduler's Plan.since
);
CREATE INDEX sits_by_status ON sits (status, guild_id);
CREATE INDEX sits_by_voice ON sits (voice_channel_id) WHERE status = 'active';

-- Single occurrences cancelled with `/sit cancel scope:next` (the rule's EXDATEs).
CREATE TABLE sit_exclusions (
    sit_id     INTEGER NOT NULL REFERENCES sits (id) ON DELETE CASCADE,
    occurrence TEXT    NOT NULL,
    PRIMARY KEY (sit_id, occurrence)
) WITHOUT ROWID;

-- One answer per member per occurrence (the occurrence the announcement showed when they clicked).
CREATE TABLE sit_rsvps (
    sit_id      INTEGER NOT NULL REFERENCES sits (id) ON DELETE CASCADE,
    occurrence  TEXT    NOT NULL,
    user_id     INTEGER NOT NULL,
    answer      TEXT    NOT NULL CHECK (answer IN ('going', 'maybe', 'cant')),
    answered_at TEXT    NOT NULL,
    PRIMARY KEY (sit_id, occurrence, user_id)
) WITHOUT ROWID;
CREATE INDEX sit_rsvps_by_user ON sit_rsvps (user_id);

-- Who sat: from time in the voice channel (source 'voice') or the I sat button ('button').
CREATE TABLE sit_attendance (
    sit_id      INTEGER NOT NULL REFERENCES sits (id) ON DELETE CASCADE,
    occurrence  TEXT    NOT NULL,
    user_id     INTEGER NOT NULL,
    guild_id    INTEGER NOT NULL,
    minutes     INTEGER NOT NULL CHECK (minutes >= 0),
    source      TEXT    NOT NULL CHECK (source IN ('voice', 'button')),
    recorded_at TEXT    NOT NULL,
    PRIMARY KEY (sit_id, occurrence, user_id)
) WITHOUT ROWID;
CREATE INDEX sit_attendance_by_user ON sit_attendance (user_id, guild_id);

-- Time spent in a sit's voice channel around a sit, persisted so a restart mid-sit loses nothing.
-- left_at NULL = still there. Pruned once the sits they overlap are tallied.
CREATE TABLE sit_voice_sessions (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    joined_at  TEXT    NOT NULL,
    left_at    TEXT
);
CREATE INDEX sit_voice_sessions_by_channel ON sit_voice_sessions (channel_id, joined_at);
CREATE INDEX sit_voice_sessions_open ON sit_voice_sessions (user_id) WHERE left_at IS NULL;

-- Messages posted for one occurrence (bells, reminders, guide steps, the closing post), so a
-- delivery retried after a crash finds its post instead of posting again, and the closing post
-- can be edited as I sat clicks come in. part: 'reminder', 'start', 'end', 'guide:N'.
CREATE TABLE sit_posts (
    sit_id     INTEGER NOT NULL REFERENCES sits (id) ON DELETE CASCADE,
    occurrence TEXT    NOT NULL,
    part       TEXT    NOT NULL,
    channel_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    PRIMARY KEY (sit_id, occurrence, part)
) WITHOUT ROWID;

-- Occurrences whose attendance has been tallied (by the closing bell or at start-up).
CREATE TABLE sit_tallies (
    sit_id     INTEGER NOT NULL REFERENCES sits (id) ON DELETE CASCADE,
    occurrence TEXT    NOT NULL,
    tallied_at TEXT    NOT NULL,
    PRIMARY KEY (sit_id, occurrence)
) WITHOUT ROWID;

-- Solo practice logged with `/sit log`.
CREATE TABLE sit_logs (
    id        INTEGER PRIMARY KEY,
    guild_id  INTEGER NOT NULL,
    user_id   INTEGER NOT NULL,
    minutes   INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
    note      TEXT,
    logged_at TEXT    NOT NULL
);
CREATE INDEX sit_logs_by_user ON sit_logs (user_id, guild_id);
