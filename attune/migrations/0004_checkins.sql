-- Daily check-ins: the guild's daily thread, members' check-ins, and personal DM reminders.
-- Times are ISO-8601 UTC strings; local dates are 'YYYY-MM-DD' in the zone named alongside.

-- One row per guild that set up daily check-ins (/checkin setup); disable keeps the row.
CREATE TABLE checkin_setups (
    guild_id   INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL,
    clock      TEXT    NOT NULL,               -- 'HH:MM', wall time in `timezone`
    days       TEXT    NOT NULL,               -- weekday numbers, Monday = 0: '0,1,2,3,4,5,6'
    timezone   TEXT    NOT NULL,               -- the guild's zone when it was set up
    enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    updated_by INTEGER,
    updated_at TEXT    NOT NULL                -- also the plan's "since": nothing earlier is missed
);

-- The day's thread of a guild: at most one per local date. The starter is recorded as soon as it
-- is posted, so a retried delivery reuses it instead of posting a second one.
CREATE TABLE checkin_threads (
    guild_id   INTEGER NOT NULL,
    local_date TEXT    NOT NULL,
    channel_id INTEGER NOT NULL,
    starter_id INTEGER,
    thread_id  INTEGER,
    occurrence TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, local_date)
) WITHOUT ROWID;

-- One row per check-in. Several a day are allowed; streaks count a day once.
CREATE TABLE checkins (
    id                INTEGER PRIMARY KEY,
    guild_id          INTEGER NOT NULL,
    user_id           INTEGER NOT NULL,
    created_at        TEXT    NOT NULL,
    local_date        TEXT    NOT NULL,        -- in the guild's zone at the time
    zone              TEXT    NOT NULL CHECK (zone IN ('chaos', 'within', 'rigidity', 'support')),
    word              TEXT    NOT NULL,
    quadrant          TEXT    NOT NULL CHECK (
                          quadrant IN ('high_unpleasant', 'high_pleasant', 'low_pleasant', 'low_unpleasant')),
    energy            INTEGER NOT NULL CHECK (energy BETWEEN -5 AND 5),
    pleasantness      INTEGER NOT NULL CHECK (pleasantness BETWEEN -5 AND 5),
    note              TEXT    CHECK (note IS NULL OR length(note) <= 500),
    visibility        TEXT    NOT NULL CHECK (visibility IN ('private', 'shared')),
    shared_channel_id INTEGER,                 -- the thread a shared check-in was posted in
    shared_message_id INTEGER
);
-- Community summaries per day (covering: never touches the table rows).
CREATE INDEX checkins_guild_day ON checkins (guild_id, local_date, user_id, zone, quadrant);
-- A member's history and streak in one guild.
CREATE INDEX checkins_user_guild_day ON checkins (user_id, guild_id, local_date);
-- "Has this member checked in today?" for reminders (any guild), and exports.
CREATE INDEX checkins_user_time ON checkins (user_id, created_at);

-- A member's personal DM reminder (one per member, whichever server they set it in).
-- paused = 1 after Discord refused the DM (closed DMs); told = 1 once the member was told so.
CREATE TABLE checkin_reminders (
    user_id    INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    clock      TEXT    NOT NULL,
    timezone   TEXT    NOT NULL,
    paused     INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    told       INTEGER NOT NULL DEFAULT 0 CHECK (told IN (0, 1)),
    updated_at TEXT    NOT NULL
);
