-- Wheel of Awareness: members' reflections (the journal), the prompts posted in channels, and
-- each guild's rotating prompt schedule. Times are ISO-8601 UTC strings.

-- A member's reflection: after a practice (source 'practice') or on a posted prompt ('prompt').
-- Personal data: covered by /privacy export and /privacy delete.
CREATE TABLE wheel_reflections (
    id                INTEGER PRIMARY KEY,
    user_id           INTEGER NOT NULL,
    guild_id          INTEGER,
    source            TEXT    NOT NULL CHECK (source IN ('practice', 'prompt')),
    segment           TEXT    CHECK (segment IN ('hub', 'senses', 'interoception', 'mental', 'relational')),
    practice_length   TEXT    CHECK (practice_length IN ('short', 'full')),
    prompt            TEXT,             -- the prompt answered, as it read when it was posted
    prompt_message_id INTEGER,
    body              TEXT    NOT NULL CHECK (length(body) BETWEEN 1 AND 1000),
    shared_thread_id  INTEGER,          -- set when the member shared it in the prompt's thread
    shared_message_id INTEGER,
    created_at        TEXT    NOT NULL
);
-- /wheel journal pages through one member's reflections, newest first.
CREATE INDEX wheel_reflections_journal ON wheel_reflections (user_id, created_at DESC, id DESC);

-- Every prompt the bot posted (by /wheel prompt or the schedule), so a Reflect button knows the
-- prompt's words and its thread. delivery_id links a scheduled post to its ledger row.
CREATE TABLE wheel_prompt_posts (
    message_id   INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    channel_id   INTEGER NOT NULL,
    segment      TEXT    NOT NULL,
    prompt_index INTEGER NOT NULL,
    prompt       TEXT    NOT NULL,
    thread_id    INTEGER,
    delivery_id  INTEGER UNIQUE,
    posted_at    TEXT    NOT NULL
) WITHOUT ROWID;
-- The rotation: how many scheduled posts a guild has had, overall and per segment.
CREATE INDEX wheel_prompt_posts_rotation ON wheel_prompt_posts (guild_id, segment)
    WHERE delivery_id IS NOT NULL;

-- One rotating prompt schedule per guild: at `clock` (HH:MM wall time in `timezone`) on `weekdays`
-- (Monday = 0, comma-separated). `since` = created or last changed; the rule starts on `from_day`.
CREATE TABLE wheel_schedules (
    guild_id   INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL,
    clock      TEXT    NOT NULL,
    weekdays   TEXT    NOT NULL,
    timezone   TEXT    NOT NULL,
    from_day   TEXT    NOT NULL,
    since      TEXT    NOT NULL
) WITHOUT ROWID;
