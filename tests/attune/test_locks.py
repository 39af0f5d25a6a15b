"""Keyed locks don't outlive their use."""

from __future__ import annotations

import gc

from attune.locks import KeyedLocks


async def test_a_key_shares_one_lock_while_used_and_the_map_forgets_it_after() -> None:
    locks = KeyedLocks()
    async with locks[1]:
        assert locks[1].locked()
        assert not locks[2].locked()
    gc.collect()
    assert len(locks) == 0
