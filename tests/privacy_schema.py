"""Every column of the live schema, declared personal or not personal (with the reason).

``OWNERS`` names, for each table that holds personal data, the column that says whose it is: the
no-trace test (``tests/cogs/settings/test_no_trace.py``) makes a member leave rows in every one of
these tables, checks that the export shows them, deletes, and checks that nothing of them is
left. A new column fails ``test_personal_data_schema.py`` until it is declared here.
"""

from __future__ import annotations

P = "personal"


def each(names: str, kind: str) -> dict[str, str]:
    """The same declaration for every column named in ``names`` (space-separated)."""
    return dict.fromkeys(names.split(), kind)


GUILD = "not personal: ids of the server and its channels, roles, messages or our own rows"
SCHEDULE = "not personal: when and how a community schedule runs"
TIME = "not personal: when the community's own record was written"

#: table -> column -> "personal" or "not personal: why".
SCHEMA: dict[str, dict[str, str]] = {
    "checkin_day_aggregates": {
        "guild_id": GUILD,
        "local_date": TIME,
        "shown": "not personal: whether the day reached 5 private check-ins",
        "members": "not personal: anonymous count, rounded down to a multiple of 5",
        "zones": "not personal: anonymous counts, cells under 3 suppressed (frozen on purpose)",
        "quadrants": "not personal: anonymous counts, cells under 3 suppressed (frozen on purpose)",
        "frozen_at": TIME,
    },
    "checkin_reminders": {
        "user_id": P,
        "guild_id": P,
        "clock": P,
        "timezone": P,
        "paused": P,
        "told": P,
        "updated_at": P,
        "schedule_key": P,
    },
    "schedule_due": {
        "kind": SCHEDULE,
        "key": "not personal: a schedule's key (a community row id; for a member's reminder a keyed hash, "
        "removed with the reminder)",
        "guild_id": GUILD,
        "next_due": SCHEDULE,
    },
    "checkin_setups": {
        "guild_id": GUILD,
        "channel_id": GUILD,
        "clock": SCHEDULE,
        "days": SCHEDULE,
        "timezone": SCHEDULE,
        "enabled": SCHEDULE,
        "updated_by": "not personal: no longer written (always NULL since 0007_privacy.sql)",
        "updated_at": TIME,
    },
    "checkin_threads": {
        "guild_id": GUILD,
        "local_date": TIME,
        "channel_id": GUILD,
        "starter_id": GUILD,
        "thread_id": GUILD,
        "occurrence": SCHEDULE,
        "created_at": TIME,
    },
    "checkins": {
        "id": P,
        "guild_id": P,
        "user_id": P,
        "created_at": P,
        "local_date": P,
        "zone": P,
        "word": P,
        "quadrant": P,
        "energy": P,
        "pleasantness": P,
        "note": P,
        "visibility": P,
        "shared_channel_id": P,
        "shared_message_id": P,
    },
    "cooldown_settings": {
        "guild_id": GUILD,
        "action": "not personal: a kind of post",
        "uses": "not personal: the server's limit",
        "minutes": "not personal: the server's limit",
    },
    "deliveries": {
        "id": GUILD,
        "kind": SCHEDULE,
        "key": "not personal: a guild or sit id, or for a member's reminder a keyed hash (attune.ledger)",
        "occurrence": SCHEDULE,
        "status": SCHEDULE,
        "guild_id": GUILD,
        "attempts": SCHEDULE,
        "claimed_at": TIME,
        "finished_at": TIME,
        "detail": "not personal: the outcome in fixed words, an error type or a message id",
        "claimed_by": "not personal: a random number naming the bot process that claimed it",
    },
    "episode_digest_posts": {
        "guild_id": GUILD,
        "occurrence": SCHEDULE,
        "window_start": SCHEDULE,
        "channel_id": GUILD,
        "message_id": GUILD,
    },
    "episode_digests": {
        "guild_id": GUILD,
        "weekday": SCHEDULE,
        "clock": SCHEDULE,
        "zone": SCHEDULE,
        "enabled": SCHEDULE,
        "since": TIME,
    },
    "episode_feeds": each(
        "id guild_id url title site_url channel_id poll_minutes etag last_modified added_at "
        "last_polled_at last_success_at failures next_poll_after last_error last_error_at key_version",
        "not personal: a public podcast feed the server follows, and how polling it goes",
    ),
    "episode_shares": {
        "id": P,
        "guild_id": P,
        "user_id": P,
        "url": P,
        "title": P,
        "insight": P,
        "channel_id": P,
        "message_id": P,
        "thread_id": P,
        "shared_at": P,
    },
    "feed_episodes": each(
        "id feed_id dedupe_key title link enclosure_url summary duration_s published_at position "
        "seen_at state claimed_at channel_id message_id thread_id posted_at",
        "not personal: a public podcast episode and where the bot posted it",
    ),
    "guild_channels": {"guild_id": GUILD, "purpose": GUILD, "channel_id": GUILD},
    "guild_settings": {
        "guild_id": GUILD,
        "timezone": SCHEDULE,
        "facilitator_role_id": GUILD,
        "support_text": "not personal: the community's support resources, written for everyone",
        "updated_at": TIME,
    },
    "member_cooldowns": {
        "guild_id": P,
        "user_id": P,
        "action": P,
        "window_start": P,
        "uses": P,
    },
    "member_mentions": {"user_id": P, "channel_id": P, "message_id": P, "posted_at": P},
    "meta": {
        "key": "not personal: process facts (heartbeat, the ledger's secret)",
        "value": "not personal: process facts (heartbeat, the ledger's secret)",
    },
    "notices": {
        "guild_id": GUILD,
        "key": "not personal: which notice a server's facilitators were given",
        "sent_at": TIME,
    },
    "post_takedowns": {
        "id": GUILD,
        "channel_id": GUILD,
        "message_id": GUILD,
        "action": GUILD,
        "text": P,  # a queued scrub holds the member's mention until the post is fixed
        "attempts": GUILD,
        "not_before": TIME,
        "detail": "not personal: an HTTP status and error type",
    },
    "sit_attendance": {
        "sit_id": P,
        "occurrence": P,
        "user_id": P,
        "guild_id": P,
        "minutes": P,
        "source": P,
        "recorded_at": P,
    },
    "sit_exclusions": {"sit_id": GUILD, "occurrence": SCHEDULE},
    "sit_logs": {"id": P, "guild_id": P, "user_id": P, "minutes": P, "note": P, "logged_at": P},
    "sit_posts": {
        "sit_id": GUILD,
        "occurrence": SCHEDULE,
        "part": SCHEDULE,
        "channel_id": GUILD,
        "message_id": GUILD,
    },
    "sit_rsvps": {"sit_id": P, "occurrence": P, "user_id": P, "answer": P, "answered_at": P},
    "sit_tallies": {"sit_id": GUILD, "occurrence": SCHEDULE, "tallied_at": TIME},
    "sit_voice_sessions": {
        "id": P,
        "guild_id": P,
        "channel_id": P,
        "user_id": P,
        "joined_at": P,
        "left_at": P,
    },
    "sits": {
        "id": GUILD,
        "guild_id": GUILD,
        "title": "not personal: the community's event, written for everyone; it stays when its host leaves",
        "host_id": P,
        **each(
            "start_local zone repeat weekdays duration_min reminder_min guide voice_channel_id "
            "channel_id announcement_id shown_at event_id event_at status created_at updated_at",
            "not personal: the community's event and where it is announced",
        ),
    },
    "support_alerts": {
        "id": P,
        "guild_id": P,
        "user_id": P,
        "sent_at": P,
        "channel_id": P,
        "message_id": P,
    },
    "wheel_prompt_posts": each(
        "message_id guild_id channel_id segment prompt_index prompt thread_id delivery_id posted_at",
        "not personal: a prompt the bot posted from the content file",
    ),
    "wheel_reflections": each(
        "id user_id guild_id source segment practice_length prompt prompt_message_id body "
        "shared_thread_id shared_message_id created_at",
        P,
    ),
    "wheel_schedules": {
        "guild_id": GUILD,
        "channel_id": GUILD,
        "clock": SCHEDULE,
        "weekdays": SCHEDULE,
        "timezone": SCHEDULE,
        "from_day": SCHEDULE,
        "since": TIME,
    },
}

#: For each table with personal columns, the column naming whose they are; ``None``: transient
#: rows a worker empties (they must be gone once it is idle).
OWNERS: dict[str, str | None] = {
    "checkin_reminders": "user_id",
    "checkins": "user_id",
    "episode_shares": "user_id",
    "member_cooldowns": "user_id",
    "member_mentions": "user_id",
    "post_takedowns": None,
    "sit_attendance": "user_id",
    "sit_logs": "user_id",
    "sit_rsvps": "user_id",
    "sit_voice_sessions": "user_id",
    "sits": "host_id",
    "support_alerts": "user_id",
    "wheel_reflections": "user_id",
}
