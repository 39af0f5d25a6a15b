"""Check-in storage: setups, daily threads, check-ins and reminders (plain values in, plain values out).

No Discord here. Every query is served by an index from ``0004_checkins.sql``; bulk writes go
through :meth:`CheckinService.add_checkins_batch` (one ``executemany`` in one transaction).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from attune.clock import Clock, utcnow
from attune.db import Connection, Database
from attune.ledger import member_key
from attune.takedowns import Takedown, enqueue
from attune.timeparse import ALL_DAYS, Recurrence, days_from_text, days_to_text, weekly_at
from cogs.checkins.stats import Entry
from cogs.checkins.summary import DayAggregate, DayRow

NOTE_LIMIT = 500
REMINDER_KIND = "checkins.reminder"  # the scheduler kind of DM reminders (see reminders.KIND)
VISIBILITIES = ("private", "shared")


# ---------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Setup:
    """A guild's daily check-in thread: where, when, and in which zone."""

    guild_id: int
    channel_id: int
    clock: time
    days: frozenset[int]
    timezone: str
    enabled: bool
    updated_at: datetime

    def recurrence(self) -> Recurrence:
        first_day = self.updated_at.astimezone(ZoneInfo(self.timezone)).date()
        return weekly_at(self.clock, self.days, self.timezone, first_day)


@dataclass(frozen=True)
class DayThread:
    guild_id: int
    local_date: date
    channel_id: int
    starter_id: int | None
    thread_id: int | None


@dataclass(frozen=True)
class NewCheckin:
    guild_id: int
    user_id: int
    created_at: datetime
    local_date: date
    zone: str
    word: str
    quadrant: str
    energy: int
    pleasantness: int
    note: str | None
    visibility: str
    shared_channel_id: int | None = None
    shared_message_id: int | None = None

    def row(self) -> tuple[Any, ...]:
        return (
            self.guild_id,
            self.user_id,
            self.created_at.isoformat(),
            self.local_date.isoformat(),
            self.zone,
            self.word,
            self.quadrant,
            self.energy,
            self.pleasantness,
            self.note,
            self.visibility,
            self.shared_channel_id,
            self.shared_message_id,
        )


@dataclass(frozen=True)
class Reminder:
    user_id: int
    guild_id: int
    clock: time
    timezone: str
    paused: bool
    told: bool
    updated_at: datetime

    def recurrence(self) -> Recurrence:
        first_day = self.updated_at.astimezone(ZoneInfo(self.timezone)).date()
        return weekly_at(self.clock, ALL_DAYS, self.timezone, first_day)


_INSERT_CHECKIN = (
    "INSERT INTO checkins (guild_id, user_id, created_at, local_date, zone, word, quadrant, energy,"
    " pleasantness, note, visibility, shared_channel_id, shared_message_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _setup(row: Any) -> Setup:
    return Setup(
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        clock=time.fromisoformat(row["clock"]),
        days=days_from_text(row["days"]),
        timezone=row["timezone"],
        enabled=bool(row["enabled"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


def _reminder(row: Any) -> Reminder:
    return Reminder(
        user_id=row["user_id"],
        guild_id=row["guild_id"],
        clock=time.fromisoformat(row["clock"]),
        timezone=row["timezone"],
        paused=bool(row["paused"]),
        told=bool(row["told"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


class CheckinService:
    def __init__(self, db: Database, clock: Clock = utcnow, ledger_secret: bytes = b"") -> None:
        self.db = db
        self.clock = clock
        self.ledger_secret = ledger_secret

    def reminder_key(self, user_id: int) -> str:
        """The DM reminder's schedule and ledger key: a keyed hash, never the raw user id."""
        return member_key(self.ledger_secret, user_id)

    # ------------------------------------------------------------------ setups

    async def save_setup(
        self,
        guild_id: int,
        channel_id: int,
        clock: time,
        days: frozenset[int],
        timezone: str,
        by: int | None,
    ) -> Setup:
        now = self.clock()
        await self.db.execute(
            "INSERT INTO checkin_setups (guild_id, channel_id, clock, days, timezone, enabled, updated_by,"
            " updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)"
            " ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id,"
            " clock = excluded.clock, days = excluded.days, timezone = excluded.timezone, enabled = 1,"
            " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            (
                guild_id,
                channel_id,
                clock.strftime("%H:%M"),
                days_to_text(days),
                timezone,
                None,  # who changed it is not kept (data minimisation; see 0007_privacy.sql)
                now.isoformat(),
            ),
        )
        setup = await self.get_setup(guild_id)
        if setup is None:  # pragma: no cover - just written
            raise RuntimeError(f"setup of guild {guild_id} vanished")
        return setup

    async def disable(self, guild_id: int, by: int | None) -> bool:
        changed = await self.db.execute(
            "UPDATE checkin_setups SET enabled = 0, updated_by = ?, updated_at = ?"
            " WHERE guild_id = ? AND enabled = 1",
            (None, self.clock().isoformat(), guild_id),
        )
        return changed == 1

    async def get_setup(self, guild_id: int) -> Setup | None:
        row = await self.db.fetchone("SELECT * FROM checkin_setups WHERE guild_id = ?", (guild_id,))
        return _setup(row) if row else None

    async def enabled_setups(self, guild_ids: Collection[int] | None = None) -> list[Setup]:
        sql, params = "SELECT * FROM checkin_setups WHERE enabled = 1", tuple(guild_ids or ())
        if guild_ids is not None:
            sql += f" AND guild_id IN ({','.join('?' * len(params))})"
        return [_setup(r) for r in await self.db.fetchall(sql, params)]

    # ---------------------------------------------------------------- threads

    async def day_thread(self, guild_id: int, local_date: date) -> DayThread | None:
        row = await self.db.fetchone(
            "SELECT * FROM checkin_threads WHERE guild_id = ? AND local_date = ?",
            (guild_id, local_date.isoformat()),
        )
        if row is None:
            return None
        return DayThread(
            row["guild_id"],
            date.fromisoformat(row["local_date"]),
            row["channel_id"],
            row["starter_id"],
            row["thread_id"],
        )

    async def record_starter(
        self, guild_id: int, local_date: date, channel_id: int, starter_id: int, occurrence: datetime
    ) -> None:
        """Remember the day's starter as soon as it exists, so a retry reuses it."""
        await self.db.execute(
            "INSERT INTO checkin_threads (guild_id, local_date, channel_id, starter_id, occurrence,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (guild_id, local_date) DO UPDATE SET channel_id = excluded.channel_id,"
            " starter_id = excluded.starter_id, thread_id = NULL, occurrence = excluded.occurrence",
            (
                guild_id,
                local_date.isoformat(),
                channel_id,
                starter_id,
                occurrence.isoformat(),
                self.clock().isoformat(),
            ),
        )

    async def record_thread(self, guild_id: int, local_date: date, thread_id: int) -> None:
        await self.db.execute(
            "UPDATE checkin_threads SET thread_id = ? WHERE guild_id = ? AND local_date = ?",
            (thread_id, guild_id, local_date.isoformat()),
        )

    # --------------------------------------------------------------- check-ins

    async def add_checkin(self, checkin: NewCheckin) -> int:
        return await self.db.insert(_INSERT_CHECKIN, checkin.row())

    async def add_checkins_batch(self, checkins: Iterable[NewCheckin]) -> None:
        """Many check-ins in one transaction (imports, benchmarks)."""
        await self.db.executemany(_INSERT_CHECKIN, (c.row() for c in checkins))

    async def entries(self, guild_id: int, user_id: int, first_day: date, last_day: date) -> list[Entry]:
        rows = await self.db.fetchall(
            "SELECT created_at, local_date, zone, word, quadrant, energy, pleasantness FROM checkins"
            " WHERE user_id = ? AND guild_id = ? AND local_date BETWEEN ? AND ? ORDER BY created_at",
            (user_id, guild_id, first_day.isoformat(), last_day.isoformat()),
        )
        return [
            Entry(
                created_at=datetime.fromisoformat(r["created_at"]),
                local_date=date.fromisoformat(r["local_date"]),
                zone=r["zone"],
                word=r["word"],
                quadrant=r["quadrant"],
                energy=r["energy"],
                pleasantness=r["pleasantness"],
            )
            for r in rows
        ]

    async def checkin_days(self, guild_id: int, user_id: int, until: date) -> list[date]:
        """The member's distinct check-in dates in this guild up to ``until``, newest first."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT local_date FROM checkins WHERE user_id = ? AND guild_id = ? AND local_date <= ?"
            " ORDER BY local_date DESC",
            (user_id, guild_id, until.isoformat()),
        )
        return [date.fromisoformat(r[0]) for r in rows]

    async def count_for_member(self, guild_id: int, user_id: int) -> int:
        return int(
            await self.db.fetchval(
                "SELECT count(*) FROM checkins WHERE user_id = ? AND guild_id = ?", (user_id, guild_id)
            )
        )

    async def checked_in_between(self, user_id: int, start: datetime, end: datetime) -> bool:
        """Any check-in (in any guild) at ``start`` ≤ time < ``end``?"""
        found = await self.db.fetchval(
            "SELECT 1 FROM checkins WHERE user_id = ? AND created_at >= ? AND created_at < ? LIMIT 1",
            (user_id, start.isoformat(), end.isoformat()),
        )
        return found is not None

    async def day_rows(self, guild_id: int, first_day: date, last_day: date) -> list[DayRow]:
        """Every check-in of the period as the community aggregate sees it, oldest first."""
        rows = await self.db.fetchall(
            "SELECT local_date, user_id, zone, quadrant, visibility FROM checkins"
            " WHERE guild_id = ? AND local_date BETWEEN ? AND ? ORDER BY created_at, id",
            (guild_id, first_day.isoformat(), last_day.isoformat()),
        )
        return [DayRow(date.fromisoformat(r[0]), r[1], r[2], r[3], r[4] == "private") for r in rows]

    async def frozen_days(self, guild_id: int, first_day: date, last_day: date) -> dict[date, DayAggregate]:
        """The aggregates already published for these days (they never change)."""
        rows = await self.db.fetchall(
            "SELECT * FROM checkin_day_aggregates WHERE guild_id = ? AND local_date BETWEEN ? AND ?",
            (guild_id, first_day.isoformat(), last_day.isoformat()),
        )
        found = {}
        for r in rows:
            day = date.fromisoformat(r["local_date"])
            found[day] = DayAggregate(
                day,
                bool(r["shown"]),
                r["members"],
                json.loads(r["zones"]) if r["zones"] else None,
                json.loads(r["quadrants"]) if r["quadrants"] else None,
            )
        return found

    async def freeze(self, guild_id: int, aggregates: Iterable[DayAggregate]) -> None:
        """Store first publications; a day published before keeps its numbers."""
        now = self.clock().isoformat()
        await self.db.executemany(
            "INSERT INTO checkin_day_aggregates (guild_id, local_date, shown, members, zones, quadrants,"
            " frozen_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, local_date) DO NOTHING",
            [
                (
                    guild_id,
                    a.day.isoformat(),
                    int(a.shown),
                    a.members,
                    json.dumps(a.zones) if a.zones is not None else None,
                    json.dumps(a.quadrants) if a.quadrants is not None else None,
                    now,
                )
                for a in aggregates
            ],
        )

    # -------------------------------------------------------------- reminders

    async def set_reminder(self, user_id: int, guild_id: int, clock: time, timezone: str) -> Reminder:
        await self.db.execute(
            "INSERT INTO checkin_reminders"
            " (user_id, guild_id, clock, timezone, paused, told, updated_at, schedule_key)"
            " VALUES (?, ?, ?, ?, 0, 0, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET guild_id = excluded.guild_id, clock = excluded.clock,"
            " timezone = excluded.timezone, paused = 0, told = 0, updated_at = excluded.updated_at,"
            " schedule_key = excluded.schedule_key",
            (
                user_id,
                guild_id,
                clock.strftime("%H:%M"),
                timezone,
                self.clock().isoformat(),
                self.reminder_key(user_id),
            ),
        )
        reminder = await self.get_reminder(user_id)
        if reminder is None:  # pragma: no cover - just written
            raise RuntimeError(f"reminder of user {user_id} vanished")
        return reminder

    async def get_reminder(self, user_id: int) -> Reminder | None:
        row = await self.db.fetchone("SELECT * FROM checkin_reminders WHERE user_id = ?", (user_id,))
        return _reminder(row) if row else None

    async def remove_reminder(self, user_id: int) -> bool:
        return await self.db.execute("DELETE FROM checkin_reminders WHERE user_id = ?", (user_id,)) == 1

    async def active_reminders(self, keys: Collection[str] | None = None) -> list[Reminder]:
        """Reminders that aren't paused: all, or those with these schedule keys."""
        sql, params = "SELECT * FROM checkin_reminders WHERE paused = 0", tuple(keys or ())
        if keys is not None:
            sql += f" AND schedule_key IN ({','.join('?' * len(params))})"
        rows = await self.db.fetchall(sql, params)
        return [_reminder(r) for r in rows]

    async def reminder_by_key(self, key: str) -> Reminder | None:
        row = await self.db.fetchone("SELECT * FROM checkin_reminders WHERE schedule_key = ?", (key,))
        return _reminder(row) if row else None

    async def fill_reminder_keys(self) -> None:
        """Give reminders saved before schedule keys were stored their key (once, after the upgrade)."""
        missing = await self.db.fetchall("SELECT user_id FROM checkin_reminders WHERE schedule_key IS NULL")
        if missing:
            await self.db.executemany(
                "UPDATE checkin_reminders SET schedule_key = ? WHERE user_id = ?",
                [(self.reminder_key(r[0]), r[0]) for r in missing],
            )

    async def pause_reminder(self, user_id: int) -> None:
        await self.db.execute(
            "UPDATE checkin_reminders SET paused = 1, told = 0, updated_at = ? WHERE user_id = ?",
            (self.clock().isoformat(), user_id),
        )

    async def take_pause_notice(self, user_id: int) -> bool:
        """True once after a reminder was paused (closed DMs): the member should be told now."""
        # Read first: almost always there is nothing to tell, and a read doesn't queue behind writers.
        pending = await self.db.fetchval(
            "SELECT 1 FROM checkin_reminders WHERE user_id = ? AND paused = 1 AND told = 0", (user_id,)
        )
        if pending is None:
            return False
        changed = await self.db.execute(
            "UPDATE checkin_reminders SET told = 1 WHERE user_id = ? AND paused = 1 AND told = 0",
            (user_id,),
        )
        return changed == 1

    # ----------------------------------------------------------------- privacy

    async def export(self, user_id: int) -> dict[str, Any]:
        rows = await self.db.fetchall(
            "SELECT * FROM checkins WHERE user_id = ? ORDER BY created_at", (user_id,)
        )
        checkins = [
            {
                "guild_id": str(r["guild_id"]),
                "created_at": r["created_at"],
                "local_date": r["local_date"],
                "zone": r["zone"],
                "word": r["word"],
                "quadrant": r["quadrant"],
                "energy": r["energy"],
                "pleasantness": r["pleasantness"],
                "note": r["note"],
                "visibility": r["visibility"],
                "shared_in_thread_id": str(r["shared_channel_id"]) if r["shared_channel_id"] else None,
                "shared_message_id": str(r["shared_message_id"]) if r["shared_message_id"] else None,
            }
            for r in rows
        ]
        reminder = await self.get_reminder(user_id)
        return {
            "checkins": checkins,
            "reminder": None
            if reminder is None
            else {
                "set_in_guild_id": str(reminder.guild_id),
                "time": reminder.clock.strftime("%H:%M"),
                "timezone": reminder.timezone,
                "paused_because_dms_closed": reminder.paused,
                "updated_at": reminder.updated_at.isoformat(),
            },
        }

    async def delete(self, user_id: int) -> int:
        """Remove every check-in, the reminder and support alerts, and the member's DM-reminder ledger
        rows; their shared posts and alert posts are queued for take-down in the same transaction."""
        now = self.clock()
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT shared_channel_id, shared_message_id FROM checkins WHERE user_id = ?"
                " AND shared_message_id IS NOT NULL",
                (user_id,),
            ) as cursor:
                posts = [Takedown(r[0], r[1]) for r in await cursor.fetchall()]
            await enqueue(conn, posts, now)
            removed = 0
            for sql, params in (
                ("DELETE FROM checkins WHERE user_id = ?", (user_id,)),
                ("DELETE FROM checkin_reminders WHERE user_id = ?", (user_id,)),
                ("UPDATE checkin_setups SET updated_by = NULL WHERE updated_by = ?", (user_id,)),
                (
                    "DELETE FROM deliveries WHERE kind = ? AND key = ?",
                    (REMINDER_KIND, self.reminder_key(user_id)),
                ),
            ):
                cursor = await conn.execute(sql, params)
                removed += max(cursor.rowcount, 0)
                await cursor.close()
            removed += await delete_alerts(conn, user_id, now)
        return removed


def note_problem(note: str | None) -> str | None:
    """What is wrong with a note, or ``None`` when it can be saved."""
    if note is not None and len(note) > NOTE_LIMIT:
        return f"Your note is {len(note):,} characters long; a note can be at most {NOTE_LIMIT}."
    return None


def trim_note(note: str | None) -> tuple[str | None, str]:
    """A note cut to the limit, and what was cut (``""`` when it fitted): a check-in is never lost."""
    if note is None or len(note) <= NOTE_LIMIT:
        return note, ""
    return note[:NOTE_LIMIT].rstrip(), note[NOTE_LIMIT:]


def clean_note(note: str | None) -> str | None:
    cleaned = (note or "").strip()
    return cleaned or None


#: What a support alert post says once the member who asked deleted their data.
ALERT_REDACTED = (
    "A member asked for someone to reach out here. They have since deleted their data from Attune, "
    "so this request no longer names them."
)


async def delete_alerts(conn: Connection, user_id: int, now: datetime) -> int:
    """Inside a privacy delete's transaction: drop the member's alerts, queue their posts' redaction."""
    async with conn.execute(
        "SELECT channel_id, message_id FROM support_alerts WHERE user_id = ? AND message_id IS NOT NULL",
        (user_id,),
    ) as cursor:
        posts = [Takedown(r[0], r[1], "replace", ALERT_REDACTED) for r in await cursor.fetchall()]
    await enqueue(conn, posts, now)
    cursor = await conn.execute("DELETE FROM support_alerts WHERE user_id = ?", (user_id,))
    removed = max(cursor.rowcount, 0)
    await cursor.close()
    return removed
