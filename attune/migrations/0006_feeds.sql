-- Feeds that real podcasts publish, safely (issue 11).
--
-- Dedupe keys, version 2: an item without a guid is keyed by its audio/video enclosure (a shared
-- cover image no longer counts), else by link + title + date. A feed followed before this version
-- keeps key_version 1 until its next successful poll: items that poll finds under a new key but
-- already knew under the old one are stored as seen (never posted), then the feed moves to 2.
ALTER TABLE episode_feeds ADD COLUMN key_version INTEGER NOT NULL DEFAULT 1;

-- What people see of a failure is a plain category now. Earlier versions stored the remote
-- server's reason phrase and socket error text here; don't keep showing it.
UPDATE episode_feeds SET last_error = 'the last check failed' WHERE last_error IS NOT NULL;
