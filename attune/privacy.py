"""The interface every capability implements so ``/privacy`` can export and delete a member's data.

A cog that stores anything about a person implements :class:`PersonalData`; ``/privacy`` finds
all loaded cogs that do, so a new capability plugs in by implementing two methods.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class PersonalData(Protocol):
    #: The heading of this cog's section in an export ("sits", "check-ins", ...).
    privacy_section: str

    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        """Everything stored about ``user_id`` in this capability, JSON-serialisable."""
        ...

    async def delete_user_data(self, user_id: int) -> int:
        """Delete everything stored about ``user_id``; returns how many records were removed."""
        ...
