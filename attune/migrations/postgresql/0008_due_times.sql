-- PostgreSQL's 0008_due_times.sql (the SQLite one is ../0008_due_times.sql): BIGINT for Discord ids and counts,
-- TIMESTAMPTZ for instants, identity ids, no WITHOUT ROWID. Keep the two in step.
-- The due-time table is the scheduler's queue: one row per schedule (kind and key, as in the
-- ledger) with the next instant it is due. The scheduler wakes once for MIN(next_due), claims what
-- is due in the ledger and writes each row's following instant back in the same transaction, so
-- nothing per schedule lives in memory. Rows of existing installations are filled in by the first
-- start (a rule is Python, not SQL), which records that in meta ('scheduler.due.<kind>').
CREATE TABLE schedule_due (
    kind     TEXT    NOT NULL,
    key      TEXT    NOT NULL,
    guild_id BIGINT,
    next_due TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (kind, key)
);
-- Per kind, by due instant: the earliest and the due rows of each registered kind are index seeks
-- (a process reads only the kinds it runs).
CREATE INDEX schedule_due_kind_next ON schedule_due (kind, next_due);
CREATE INDEX schedule_due_guild ON schedule_due (guild_id, next_due);
