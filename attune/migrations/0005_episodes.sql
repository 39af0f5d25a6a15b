-- Episodes: member shares (with one insight), followed podcast feeds and their episodes,
-- the weekly insight digest. Times are ISO-8601 UTC strings, which sort chronologically.

-- One episode a member shared, with the insight they are carrying into their week.
-- Personal data: covered by /privacy export and /privacy delete.
CREATE TABLE episode_shares (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    url        TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    insight    TEXT    NOT NULL,
    channel_id INTEGER NOT NULL,
    message_id INTEGER,             -- the bot's post of it (NULL until posted)
    thread_id  INTEGER,             -- its discussion thread
    shared_at  TEXT    NOT NULL
);
CREATE INDEX episode_shares_by_guild_time ON episode_shares (guild_id, shared_at);
CREATE INDEX episode_shares_by_user ON episode_shares (user_id);
CREATE INDEX episode_shares_by_url ON episode_shares (guild_id, url);

-- A podcast feed a guild follows. Conditional GET validators, back-off state and the last
-- error live here so a restart neither re-downloads needlessly nor forgets a failing feed.
CREATE TABLE episode_feeds (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    url             TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    site_url        TEXT,
    channel_id      INTEGER NOT NULL,   -- where feed-add ran: used when no episodes channel is set
    poll_minutes    INTEGER NOT NULL DEFAULT 30 CHECK (poll_minutes BETWEEN 5 AND 1440),
    etag            TEXT,
    last_modified   TEXT,
    added_at        TEXT    NOT NULL,
    last_polled_at  TEXT,
    last_success_at TEXT,
    failures        INTEGER NOT NULL DEFAULT 0,
    next_poll_after TEXT,               -- back-off: polls before this instant are skipped
    last_error      TEXT,
    last_error_at   TEXT,
    UNIQUE (guild_id, url)
);

-- Every item seen in a followed feed, keyed by its dedupe key (guid, else enclosure URL, else
-- link + title). state: seeded (there when the feed was added; never posted) | new (to post) |
-- posting / listing (claimed: a send is under way) | posted | listed (named in a burst list).
CREATE TABLE feed_episodes (
    id            INTEGER PRIMARY KEY,
    feed_id       INTEGER NOT NULL REFERENCES episode_feeds (id) ON DELETE CASCADE,
    dedupe_key    TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    link          TEXT,
    enclosure_url TEXT,
    summary       TEXT    NOT NULL DEFAULT '',
    duration_s    INTEGER,
    published_at  TEXT,
    position      INTEGER NOT NULL DEFAULT 0,   -- order in the feed when first seen (0 = top)
    seen_at       TEXT    NOT NULL,
    state         TEXT    NOT NULL
                  CHECK (state IN ('seeded', 'new', 'posting', 'listing', 'posted', 'listed')),
    claimed_at    TEXT,
    channel_id    INTEGER,
    message_id    INTEGER,
    thread_id     INTEGER,
    posted_at     TEXT,
    UNIQUE (feed_id, dedupe_key)
);
CREATE INDEX feed_episodes_to_post ON feed_episodes (feed_id, state)
    WHERE state IN ('new', 'posting', 'listing');
CREATE INDEX feed_episodes_by_link ON feed_episodes (link);
CREATE INDEX feed_episodes_by_enclosure ON feed_episodes (enclosure_url);
CREATE INDEX feed_episodes_latest ON feed_episodes (feed_id, published_at);

-- The weekly insight digest of a guild: weekday (0 = Monday) and wall-clock time in the
-- guild's time zone. Created with the default (Sunday 18:00) at the guild's first share.
CREATE TABLE episode_digests (
    guild_id   INTEGER PRIMARY KEY,
    weekday    INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    clock      TEXT    NOT NULL,        -- HH:MM
    zone       TEXT    NOT NULL,        -- the zone the plan was built in (follows the guild's)
    enabled    INTEGER NOT NULL DEFAULT 1,
    since      TEXT    NOT NULL         -- created or last changed
);

-- Digests that were posted, so /privacy delete can re-render one without a member's insight.
CREATE TABLE episode_digest_posts (
    guild_id     INTEGER NOT NULL,
    occurrence   TEXT    NOT NULL,
    window_start TEXT    NOT NULL,
    channel_id   INTEGER NOT NULL,
    message_id   INTEGER NOT NULL,
    PRIMARY KEY (guild_id, occurrence)
) WITHOUT ROWID;
