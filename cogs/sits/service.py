"""Storage and logic of sits: the rules, RSVPs, voice time, attendance, logs and stats.

Plain values in, plain values out, and a clock; no Discord here, so it is tested on its own.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from attune.clock import Clock
from attune.db import Database
from attune.takedowns import Takedown, enqueue
from attune.timeparse import days_to_text
from cogs.sits.drafting import Draft
from cogs.sits.models import ANSWERS, NONE, Sit
from cogs.sits.streaks import Streak, weekly_streak

log = logging.getLogger(__name__)

#: Voice time is only recorded from this long before a sit in its channel until it ends.
WATCH_BEFORE = timedelta(minutes=60)
#: Closed voice sessions are kept this long (enough to tally any sit they overlap), then pruned.
SESSION_KEEP = timedelta(days=2)
#: I sat counts for this long after a sit ends.
I_SAT_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Stats:
    attended: int
    sit_minutes: int
    solo_minutes: int
    solo_logs: int
    streak: Streak
    sat_with: int

    @property
    def minutes(self) -> int:
        return self.sit_minutes + self.solo_minutes


def _iso(instant: datetime) -> str:
    return instant.isoformat()


_SELECT_SITS = (
    "SELECT sits.*, (SELECT group_concat(e.occurrence, ',') FROM sit_exclusions AS e"
    " WHERE e.sit_id = sits.id) AS excluded FROM sits WHERE "
)


class SitStore:
    """Everything sits keep in the database."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    # ------------------------------------------------------------------ sits

    async def create(self, guild_id: int, host_id: int, draft: Draft) -> Sit:
        now = _iso(self.clock())
        sit_id = await self.db.insert(
            "INSERT INTO sits (guild_id, title, host_id, start_local, zone, repeat, weekdays,"
            " duration_min, reminder_min, guide, voice_channel_id, channel_id, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                draft.title,
                host_id,
                draft.start_local.isoformat(),
                draft.zone,
                draft.repeat.value,
                days_to_text(draft.rule.weekdays),
                draft.duration_min,
                draft.reminder_min,
                draft.guide,
                draft.voice_channel_id,
                draft.channel_id,
                now,
                now,
            ),
        )
        sit = await self.get(sit_id)
        if sit is None:  # pragma: no cover - just inserted
            raise LookupError(f"sit {sit_id} vanished")
        return sit

    async def update(self, sit_id: int, draft: Draft) -> None:
        await self.db.execute(
            "UPDATE sits SET title = ?, start_local = ?, zone = ?, repeat = ?, weekdays = ?,"
            " duration_min = ?, reminder_min = ?, guide = ?, voice_channel_id = ?, channel_id = ?,"
            " updated_at = ? WHERE id = ?",
            (
                draft.title,
                draft.start_local.isoformat(),
                draft.zone,
                draft.repeat.value,
                days_to_text(draft.rule.weekdays),
                draft.duration_min,
                draft.reminder_min,
                draft.guide,
                draft.voice_channel_id,
                draft.channel_id,
                _iso(self.clock()),
                sit_id,
            ),
        )

    async def delete(self, sit_id: int) -> None:
        """Remove a sit that never got announced (nothing half-created)."""
        await self.db.execute("DELETE FROM sits WHERE id = ?", (sit_id,))

    async def set_announcement(self, sit_id: int, channel_id: int, message_id: int | None) -> None:
        await self.db.execute(
            "UPDATE sits SET channel_id = ?, announcement_id = ? WHERE id = ?",
            (channel_id, message_id, sit_id),
        )

    async def set_shown(self, sit_id: int, occurrence: datetime | None) -> None:
        await self.db.execute(
            "UPDATE sits SET shown_at = ? WHERE id = ?", (_iso(occurrence) if occurrence else None, sit_id)
        )

    async def set_event(self, sit_id: int, event_id: int | None, occurrence: datetime | None) -> None:
        await self.db.execute(
            "UPDATE sits SET event_id = ?, event_at = ? WHERE id = ?",
            (event_id, _iso(occurrence) if occurrence else None, sit_id),
        )

    async def set_status(self, sit_id: int, status: str) -> None:
        await self.db.execute(
            "UPDATE sits SET status = ?, updated_at = ? WHERE id = ?", (status, _iso(self.clock()), sit_id)
        )

    async def exclude(self, sit_id: int, occurrence: datetime) -> None:
        await self.db.execute(
            "INSERT INTO sit_exclusions (sit_id, occurrence) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (sit_id, _iso(occurrence)),
        )

    async def replace_exclusions(self, sit_id: int, occurrences: Iterable[datetime]) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM sit_exclusions WHERE sit_id = ?", (sit_id,))
            await conn.executemany(
                "INSERT INTO sit_exclusions (sit_id, occurrence) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [(sit_id, _iso(at)) for at in occurrences],
            )

    async def _sits(self, where: str, params: tuple[Any, ...], limit: int | None = None) -> list[Sit]:
        # One statement, exclusions folded in (ISO instants hold no comma): a button click that
        # reads its sit costs one database round trip, not two.
        sql = _SELECT_SITS + where + " ORDER BY id"
        if limit is not None:
            sql, params = sql + " LIMIT ?", (*params, limit)
        rows = await self.db.fetchall(sql, params)
        return [
            Sit.from_row(
                row,
                frozenset(datetime.fromisoformat(x) for x in row["excluded"].split(","))
                if row["excluded"]
                else NONE,
            )
            for row in rows
        ]

    async def get(self, sit_id: int) -> Sit | None:
        found = await self._sits("id = ?", (sit_id,))
        return found[0] if found else None

    async def active(self, guild_id: int | None = None, *, ids: Collection[int] | None = None) -> list[Sit]:
        if ids is not None:
            return await self._sits(
                f"status = 'active' AND sits.id IN ({','.join('?' * len(ids))})", tuple(ids)
            )
        if guild_id is None:
            return await self._sits("status = 'active'", ())
        return await self._sits("status = 'active' AND guild_id = ?", (guild_id,))

    async def active_after(self, sit_id: int, limit: int) -> list[Sit]:
        """The next ``limit`` active sits by id after ``sit_id``: walk them all without holding them all."""
        return await self._sits("status = 'active' AND id > ?", (sit_id,), limit)

    async def active_in_voice(self, channel_id: int) -> list[Sit]:
        return await self._sits("status = 'active' AND voice_channel_id = ?", (channel_id,))

    async def active_with_voice(self, guild_id: int) -> list[Sit]:
        return await self._sits(
            "status = 'active' AND guild_id = ? AND voice_channel_id IS NOT NULL", (guild_id,)
        )

    # ----------------------------------------------------------------- RSVPs

    async def answer(self, sit_id: int, occurrence: datetime, user_id: int, answer: str) -> str | None:
        """Record ``user_id``'s answer for one occurrence; returns their previous answer."""
        if answer not in ANSWERS:
            raise ValueError(f"unknown answer {answer!r}")
        # Two single statements, no transaction: the previous answer only words the reply, and the
        # upsert alone keeps one answer per member (a click costs two database round trips, not four).
        previous = await self.db.fetchval(
            "SELECT answer FROM sit_rsvps WHERE sit_id = ? AND occurrence = ? AND user_id = ?",
            (sit_id, _iso(occurrence), user_id),
        )
        await self.db.execute(
            "INSERT INTO sit_rsvps (sit_id, occurrence, user_id, answer, answered_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (sit_id, occurrence, user_id)"
            " DO UPDATE SET answer = excluded.answer, answered_at = excluded.answered_at",
            (sit_id, _iso(occurrence), user_id, answer, _iso(self.clock())),
        )
        return None if previous is None else str(previous)

    async def counts(self, sit_id: int, occurrence: datetime | None) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(ANSWERS, 0)
        if occurrence is None:
            return counts
        for row in await self.db.fetchall(
            "SELECT answer, count(*) FROM sit_rsvps WHERE sit_id = ? AND occurrence = ? GROUP BY answer",
            (sit_id, _iso(occurrence)),
        ):
            counts[row[0]] = row[1]
        return counts

    async def answered(self, sit_id: int, occurrence: datetime, answer: str = "going") -> list[int]:
        rows = await self.db.fetchall(
            "SELECT user_id FROM sit_rsvps WHERE sit_id = ? AND occurrence = ? AND answer = ?"
            " ORDER BY answered_at",
            (sit_id, _iso(occurrence), answer),
        )
        return [row[0] for row in rows]

    async def move_answers(self, sit_id: int, old: datetime, new: datetime) -> int:
        """Carry the answers for a moved occurrence over to its new time."""
        if old == new:
            return 0
        async with self.db.transaction() as conn:  # a member's answer at `new` gives way to the moved one
            await conn.execute(
                "DELETE FROM sit_rsvps WHERE sit_id = ? AND occurrence = ? AND user_id IN"
                " (SELECT user_id FROM sit_rsvps WHERE sit_id = ? AND occurrence = ?)",
                (sit_id, _iso(new), sit_id, _iso(old)),
            )
            cursor = await conn.execute(
                "UPDATE sit_rsvps SET occurrence = ? WHERE sit_id = ? AND occurrence = ?",
                (_iso(new), sit_id, _iso(old)),
            )
            return int(cursor.rowcount)

    # ------------------------------------------------------------ voice time

    async def voice_join(self, guild_id: int, channel_id: int, user_id: int, at: datetime) -> bool:
        """Open a session unless one is open already for this member in this channel."""
        open_id = await self.db.fetchval(
            "SELECT id FROM sit_voice_sessions WHERE user_id = ? AND channel_id = ? AND left_at IS NULL",
            (user_id, channel_id),
        )
        if open_id is not None:
            return False
        await self.db.insert(
            "INSERT INTO sit_voice_sessions (guild_id, channel_id, user_id, joined_at) VALUES (?, ?, ?, ?)",
            (guild_id, channel_id, user_id, _iso(at)),
        )
        return True

    async def voice_leave(self, user_id: int, channel_id: int, at: datetime) -> int:
        return await self.db.execute(
            "UPDATE sit_voice_sessions SET left_at = ?"
            " WHERE user_id = ? AND channel_id = ? AND left_at IS NULL",
            (_iso(at), user_id, channel_id),
        )

    async def open_sessions(self, guild_id: int) -> list[tuple[int, int]]:
        """``(channel_id, user_id)`` of every session still open in a guild."""
        rows = await self.db.fetchall(
            "SELECT channel_id, user_id FROM sit_voice_sessions WHERE guild_id = ? AND left_at IS NULL",
            (guild_id,),
        )
        return [(row[0], row[1]) for row in rows]

    async def watched(self, channel_id: int, now: datetime) -> bool:
        """Whether a sit in this voice channel is under way or starts within :data:`WATCH_BEFORE`."""
        for sit in await self.active_in_voice(channel_id):
            start = sit.current(now)
            if start is not None and start - WATCH_BEFORE <= now < sit.ends(start):
                return True
        return False

    async def voice_seconds(
        self, channel_id: int, start: datetime, end: datetime, now: datetime
    ) -> dict[int, float]:
        """Seconds each member spent in ``channel_id`` between ``start`` and ``end``."""
        rows = await self.db.fetchall(
            "SELECT user_id, joined_at, left_at FROM sit_voice_sessions WHERE channel_id = ?"
            " AND joined_at < ? AND (left_at IS NULL OR left_at > ?)",
            (channel_id, _iso(end), _iso(start)),
        )
        seconds: dict[int, float] = defaultdict(float)
        for row in rows:
            joined = max(datetime.fromisoformat(row["joined_at"]), start)
            left = datetime.fromisoformat(row["left_at"]) if row["left_at"] else now
            overlap = (min(left, end) - joined).total_seconds()
            if overlap > 0:
                seconds[row["user_id"]] += overlap
        return dict(seconds)

    # ------------------------------------------------------------ attendance

    async def tallied(self, sit_id: int, occurrence: datetime) -> bool:
        row = await self.db.fetchval(
            "SELECT 1 FROM sit_tallies WHERE sit_id = ? AND occurrence = ?", (sit_id, _iso(occurrence))
        )
        return row is not None

    async def tally(self, sit: Sit, start: datetime) -> int:
        """Record everyone who spent at least half the sit in its voice channel (once per occurrence).

        Returns how many people sat (voice and I sat) in that occurrence.
        """
        now = self.clock()
        end = sit.ends(start)
        if not await self.tallied(sit.id, start):
            present = (
                await self.voice_seconds(sit.voice_channel_id, start, end, now)
                if sit.voice_channel_id
                else {}
            )
            half = sit.length.total_seconds() / 2
            sat = [
                (
                    sit.id,
                    _iso(start),
                    user_id,
                    sit.guild_id,
                    min(round(s / 60), sit.duration_min),
                    "voice",
                    _iso(now),
                )
                for user_id, s in present.items()
                if s >= half
            ]
            async with self.db.transaction() as conn:
                await conn.executemany(
                    "INSERT INTO sit_attendance (sit_id, occurrence, user_id, guild_id, minutes, source,"
                    " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    sat,
                )
                await conn.execute(
                    "INSERT INTO sit_tallies (sit_id, occurrence, tallied_at) VALUES (?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    (sit.id, _iso(start), _iso(now)),
                )
                await conn.execute(
                    "DELETE FROM sit_voice_sessions WHERE left_at IS NOT NULL AND left_at < ?",
                    (_iso(now - SESSION_KEEP),),
                )
            log.info("sit=%s occurrence=%s tallied: %d by voice", sit.id, start.isoformat(), len(sat))
        return await self.sat_count(sit.id, start)

    async def sat_count(self, sit_id: int, occurrence: datetime) -> int:
        return int(
            await self.db.fetchval(
                "SELECT count(*) FROM sit_attendance WHERE sit_id = ? AND occurrence = ?",
                (sit_id, _iso(occurrence)),
                default=0,
            )
        )

    async def record_sat(self, sit: Sit, occurrence: datetime, user_id: int) -> bool:
        """The I sat button: True if newly recorded, False if already counted."""
        changed = await self.db.execute(
            "INSERT INTO sit_attendance (sit_id, occurrence, user_id, guild_id, minutes, source, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, 'button', ?) ON CONFLICT DO NOTHING",
            (sit.id, _iso(occurrence), user_id, sit.guild_id, sit.duration_min, _iso(self.clock())),
        )
        return changed == 1

    async def untallied_since(self, sit: Sit, since: datetime, now: datetime) -> list[datetime]:
        """Occurrences that ended after ``since`` and before ``now`` without a tally."""
        ended = sit.rule.between(since - sit.length, now - sit.length, limit=50)
        return [start for start in ended if not await self.tallied(sit.id, start)]

    # ------------------------------------------------------------------ posts

    async def post_of(self, sit_id: int, occurrence: datetime, part: str) -> tuple[int, int] | None:
        row = await self.db.fetchone(
            "SELECT channel_id, message_id FROM sit_posts WHERE sit_id = ? AND occurrence = ? AND part = ?",
            (sit_id, _iso(occurrence), part),
        )
        return None if row is None else (row[0], row[1])

    async def remember_post(
        self, sit_id: int, occurrence: datetime, part: str, channel_id: int, message_id: int
    ) -> None:
        await self.db.execute(
            "INSERT INTO sit_posts (sit_id, occurrence, part, channel_id, message_id) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (sit_id, occurrence, part) DO UPDATE SET message_id = excluded.message_id,"
            " channel_id = excluded.channel_id",
            (sit_id, _iso(occurrence), part, channel_id, message_id),
        )

    async def remember_mentions(self, user_ids: Iterable[int], channel_id: int, message_id: int) -> None:
        """A post that mentions members, so a privacy delete can scrub each one's mention."""
        now = _iso(self.clock())
        await self.db.executemany(
            "INSERT INTO member_mentions (user_id, channel_id, message_id, posted_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id, message_id) DO NOTHING",
            [(user_id, channel_id, message_id, now) for user_id in user_ids],
        )

    # ------------------------------------------------------------------- logs

    async def add_log(self, guild_id: int, user_id: int, minutes: int, note: str | None) -> int:
        return await self.db.insert(
            "INSERT INTO sit_logs (guild_id, user_id, minutes, note, logged_at) VALUES (?, ?, ?, ?, ?)",
            (guild_id, user_id, minutes, note, _iso(self.clock())),
        )

    # ------------------------------------------------------------------ stats

    async def stats(self, guild_id: int, user_id: int, zone_name: str) -> Stats:
        attended = await self.db.fetchall(
            "SELECT occurrence, minutes FROM sit_attendance WHERE user_id = ? AND guild_id = ?",
            (user_id, guild_id),
        )
        logs = await self.db.fetchall(
            "SELECT logged_at, minutes FROM sit_logs WHERE user_id = ? AND guild_id = ?", (user_id, guild_id)
        )
        sat_with = await self.db.fetchval(
            "SELECT count(DISTINCT other.user_id) FROM sit_attendance AS mine"
            " JOIN sit_attendance AS other ON other.sit_id = mine.sit_id"
            " AND other.occurrence = mine.occurrence AND other.user_id != mine.user_id"
            " WHERE mine.user_id = ? AND mine.guild_id = ?",
            (user_id, guild_id),
            default=0,
        )
        days = [datetime.fromisoformat(r["occurrence"]) for r in attended]
        days += [datetime.fromisoformat(r["logged_at"]) for r in logs]
        return Stats(
            attended=len(attended),
            sit_minutes=sum(r["minutes"] for r in attended),
            solo_minutes=sum(r["minutes"] for r in logs),
            solo_logs=len(logs),
            streak=weekly_streak(days, zone_name, self.clock()),
            sat_with=int(sat_with),
        )

    # ---------------------------------------------------------------- privacy

    async def export_user(self, user_id: int) -> dict[str, Any]:
        titles = {
            row["id"]: row["title"]
            for row in await self.db.fetchall(
                "SELECT id, title FROM sits WHERE id IN (SELECT sit_id FROM sit_rsvps WHERE user_id = ?"
                " UNION SELECT sit_id FROM sit_attendance WHERE user_id = ?) OR host_id = ?",
                (user_id, user_id, user_id),
            )
        }
        rsvps = await self.db.fetchall(
            "SELECT sit_id, occurrence, answer, answered_at FROM sit_rsvps WHERE user_id = ?"
            " ORDER BY occurrence",
            (user_id,),
        )
        attendance = await self.db.fetchall(
            "SELECT sit_id, guild_id, occurrence, minutes, source, recorded_at FROM sit_attendance"
            " WHERE user_id = ? ORDER BY occurrence",
            (user_id,),
        )
        logs = await self.db.fetchall(
            "SELECT guild_id, minutes, note, logged_at FROM sit_logs WHERE user_id = ? ORDER BY logged_at",
            (user_id,),
        )
        sessions = await self.db.fetchall(
            "SELECT guild_id, channel_id, joined_at, left_at FROM sit_voice_sessions WHERE user_id = ?"
            " ORDER BY joined_at",
            (user_id,),
        )
        hosted = await self.db.fetchall(
            "SELECT id, guild_id, title, created_at FROM sits WHERE host_id = ? ORDER BY id", (user_id,)
        )
        mentions = await self.db.fetchall(
            "SELECT channel_id, message_id, posted_at FROM member_mentions WHERE user_id = ?"
            " ORDER BY posted_at",
            (user_id,),
        )

        def with_title(row: Any) -> dict[str, Any]:
            item = {key: row[key] for key in row.keys()}  # noqa: SIM118 - aiosqlite.Row
            item["sit_title"] = titles.get(row["sit_id"])
            return item

        def plain(row: Any) -> dict[str, Any]:
            item = {key: row[key] for key in row.keys()}  # noqa: SIM118 - aiosqlite.Row
            for key in ("guild_id", "channel_id", "id"):
                if key in item and item[key] is not None:
                    item[key] = str(item[key])
            return item

        return {
            "rsvps": [with_title(r) for r in rsvps],
            "attendance": [plain(with_title(r)) for r in attendance],
            "practice_logs": [plain(r) for r in logs],
            "voice_sessions": [plain(r) for r in sessions],
            "sits_hosted": [plain(r) for r in hosted],
            "posts_mentioning_you": [
                {"channel_id": str(r[0]), "message_id": str(r[1]), "posted_at": r[2]} for r in mentions
            ],
        }

    async def delete_user(self, user_id: int) -> tuple[int, list[int]]:
        """Delete everything about ``user_id``; returns the count and the sits to re-render (their
        RSVPs changed, or the member hosted them). Mentions of the member in sit posts are queued
        to be scrubbed, in the same transaction."""
        touched = [
            row[0]
            for row in await self.db.fetchall(
                "SELECT DISTINCT sit_id FROM sit_rsvps WHERE user_id = ?"
                " UNION SELECT id FROM sits WHERE host_id = ?",
                (user_id, user_id),
            )
        ]
        removed = 0
        mention = f"<@{user_id}>"
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT channel_id, message_id FROM member_mentions WHERE user_id = ?", (user_id,)
            ) as cursor:
                posts = [Takedown(r[0], r[1], "scrub", mention) for r in await cursor.fetchall()]
            await enqueue(conn, posts, self.clock())
            for sql in (
                "DELETE FROM sit_rsvps WHERE user_id = ?",
                "DELETE FROM sit_attendance WHERE user_id = ?",
                "DELETE FROM sit_logs WHERE user_id = ?",
                "DELETE FROM sit_voice_sessions WHERE user_id = ?",
                "DELETE FROM member_mentions WHERE user_id = ?",
                "UPDATE sits SET host_id = NULL WHERE host_id = ?",
            ):
                cursor = await conn.execute(sql, (user_id,))
                removed += max(cursor.rowcount, 0)
                await cursor.close()
        return removed, touched
