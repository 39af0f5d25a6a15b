"""Locks per key (a message, a member) that live only while someone holds or waits for them."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Hashable


class KeyedLocks:
    """``locks[key]`` is one :class:`asyncio.Lock` per key while it is in use; unlike a
    ``defaultdict(asyncio.Lock)`` the map doesn't grow with every key ever seen."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[Hashable, asyncio.Lock] = weakref.WeakValueDictionary()

    def __getitem__(self, key: Hashable) -> asyncio.Lock:
        found = self._locks.get(key)
        if found is None:
            found = self._locks[key] = asyncio.Lock()
        return found

    def __len__(self) -> int:
        return len(self._locks)
