-- Privacy that holds under attack: frozen community aggregates, durable post take-downs, records of
-- the posts that mention a member, support alerts, per-member cooldowns on public posts.
-- Times are ISO-8601 UTC strings.

-- A closed day's community check-in aggregate as it was first published by /checkin summary,
-- computed once and never recomputed, so later check-ins and deletions can't be differenced.
-- Anonymous: no user ids, small cells already suppressed (NULL = "fewer than 3").
CREATE TABLE checkin_day_aggregates (
    guild_id   INTEGER NOT NULL,
    local_date TEXT    NOT NULL,
    shown      INTEGER NOT NULL CHECK (shown IN (0, 1)),  -- 0: too few private check-ins that day
    members    INTEGER,                                   -- rounded down to a multiple of 5
    zones      TEXT,                                      -- JSON {zone: count or null}
    quadrants  TEXT,                                      -- JSON {quadrant: count or null}
    frozen_at  TEXT    NOT NULL,
    PRIMARY KEY (guild_id, local_date)
) WITHOUT ROWID;

-- Bot posts to take down (or scrub a mention from) after a /privacy delete. Written in the same
-- transaction that deletes the rows, worked off after it and again at every start until done.
CREATE TABLE post_takedowns (
    id         INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    action     TEXT    NOT NULL CHECK (action IN ('delete', 'delete_thread', 'scrub', 'replace')),
    text       TEXT,                    -- 'scrub': the mention to cut out; 'replace': the new content
    attempts   INTEGER NOT NULL DEFAULT 0,
    not_before TEXT    NOT NULL,
    detail     TEXT
);

-- Bot posts that mention a member (sit reminders, cancellations, moves), so a privacy delete can
-- scrub the mention. Personal data: exported and deleted.
CREATE TABLE member_mentions (
    user_id    INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    posted_at  TEXT    NOT NULL,
    PRIMARY KEY (user_id, message_id)
) WITHOUT ROWID;

-- Support alerts a member asked for: when (the cooldown survives a restart) and the facilitators'
-- post (redacted after a privacy delete). Personal data: exported and deleted.
CREATE TABLE support_alerts (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    sent_at    TEXT    NOT NULL,
    channel_id INTEGER,
    message_id INTEGER
);
CREATE INDEX support_alerts_by_member ON support_alerts (user_id, guild_id, sent_at);

-- How much a member made the bot post publicly, per action, in the current window (limits survive
-- restarts). Personal data: exported and deleted.
CREATE TABLE member_cooldowns (
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    action       TEXT    NOT NULL,
    window_start TEXT    NOT NULL,
    uses         INTEGER NOT NULL CHECK (uses >= 1),
    PRIMARY KEY (guild_id, user_id, action)
) WITHOUT ROWID;
CREATE INDEX member_cooldowns_by_user ON member_cooldowns (user_id);

-- A guild's own limits (/settings cooldowns): at most `uses` per `minutes`; 0 uses = no limit.
-- Absent rows use the defaults.
CREATE TABLE cooldown_settings (
    guild_id INTEGER NOT NULL,
    action   TEXT    NOT NULL,
    uses     INTEGER NOT NULL CHECK (uses BETWEEN 0 AND 100),
    minutes  INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
    PRIMARY KEY (guild_id, action)
) WITHOUT ROWID;

-- The secret that keys member-keyed ledger rows (attune.ledger.member_key), made once here so that
-- starting the bot never has to write it.
INSERT INTO meta (key, value) VALUES ('ledger.secret', lower(hex(randomblob(32))))
    ON CONFLICT (key) DO NOTHING;

-- checkin_setups.updated_by named the facilitator who last changed the setup: not needed, and a
-- person's id that outlived their deletion. Existing values are cleared (the column stays, unused).
UPDATE checkin_setups SET updated_by = NULL;
