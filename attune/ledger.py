"""The delivery ledger's privacy: member-keyed rows hashed, old rows pruned.

Small functions on their own (not inside the scheduler), so they outlive changes to how the
scheduler wakes up. A ledger row keyed by a member (a DM reminder) is keyed by an HMAC of the user
id with a per-database secret, so the ledger never holds the raw id; rows older than
:data:`KEEP_FOR` are pruned (they only guard against double delivery within a grace window).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from attune.db import Database

SECRET_KEY = "ledger.secret"  # noqa: S105 - the meta row's name, not a secret
#: Far longer than any kind's grace window (the longest is a day), so pruning never re-opens one.
KEEP_FOR = timedelta(days=30)
PRUNE_EVERY = timedelta(days=1)


async def load_secret(db: Database) -> bytes:
    """This database's ledger secret (made by migration 0006; remade only if someone removed it)."""
    value = await db.fetchval("SELECT value FROM meta WHERE key = ?", (SECRET_KEY,))
    if value is None:
        value = secrets.token_hex(32)
        await db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", (SECRET_KEY, value)
        )
        value = await db.fetchval("SELECT value FROM meta WHERE key = ?", (SECRET_KEY,))
    return bytes.fromhex(str(value))


def member_key(secret: bytes, user_id: int) -> str:
    """A stable, unique key for ``user_id`` that doesn't reveal it without the secret."""
    digest = hmac.new(secret, str(user_id).encode(), hashlib.sha256).hexdigest()
    return f"m:{digest[:32]}"


async def prune(db: Database, now: datetime, keep_for: timedelta = KEEP_FOR) -> int:
    """Delete finished ledger rows older than ``keep_for``; returns how many."""
    return await db.execute(
        "DELETE FROM deliveries WHERE status <> 'claimed' AND claimed_at < ?",
        ((now - keep_for).isoformat(),),
    )
