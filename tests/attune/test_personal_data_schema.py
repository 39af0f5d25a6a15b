"""The live schema, after every migration, has no column that isn't declared personal or not."""

from __future__ import annotations

from attune.db import Database
from tests.privacy_schema import OWNERS, SCHEMA


async def live_columns(db: Database) -> dict[str, set[str]]:
    tables = [
        r[0]
        for r in await db.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {t: {r[1] for r in await db.fetchall(f"PRAGMA table_info({t})")} for t in tables}


async def test_every_column_is_declared_personal_or_not_with_a_reason(db: Database) -> None:
    live = await live_columns(db)
    undeclared = sorted(f"{t}.{c}" for t, cols in live.items() for c in cols - set(SCHEMA.get(t, {})))
    assert undeclared == [], "declare these in tests/privacy_schema.py"
    stale = sorted(f"{t}.{c}" for t, cols in SCHEMA.items() for c in set(cols) - live.get(t, set()))
    assert stale == []
    for table, columns in SCHEMA.items():
        for column, kind in columns.items():
            assert kind == "personal" or (
                kind.startswith("not personal: ") and len(kind) > len("not personal: ") + 10
            ), f"{table}.{column}: say why it is not personal"


def test_every_table_with_personal_data_names_its_owner_and_is_covered() -> None:
    personal = {t for t, cols in SCHEMA.items() if "personal" in cols.values()}
    assert personal == set(OWNERS)
    for table, owner in OWNERS.items():
        assert owner is None or SCHEMA[table][owner] == "personal"
