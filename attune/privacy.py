"""The interface every capability implements so ``/privacy`` can export and delete a member's data,
and so ``/about`` and the README can say what is kept.

A cog that stores anything about a person implements :class:`PersonalData`; ``/privacy`` finds
all loaded cogs that do, so a new capability plugs in by implementing two methods and declaring its
:class:`PrivacyStatement`. Nobody writes the list of what Attune stores by hand: ``/about`` and the
README's privacy section are rendered from the statements (``scripts/privacy_statement.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class PrivacyStatement:
    """What a capability keeps about a member, for how long, and who sees it — in plain words that
    read after "Sits — we store …" (lower-case starts, no closing full stop)."""

    title: str
    stores: str
    kept: str
    seen_by: str

    def sentence(self) -> str:
        """One paragraph: what, how long, who sees it."""
        return f"{_capital(self.stores)}. Kept {self.kept}. Seen by {self.seen_by}."


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@runtime_checkable
class PersonalData(Protocol):
    #: The heading of this cog's section in an export ("sits", "check-ins", ...).
    privacy_section: str
    #: What ``/about`` and the README say this capability stores.
    privacy_statement: PrivacyStatement

    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        """Everything stored about ``user_id`` in this capability, JSON-serialisable."""
        ...

    async def delete_user_data(self, user_id: int) -> int:
        """Delete everything stored about ``user_id``; returns how many records were removed."""
        ...


def markdown_table(statements: Iterable[PrivacyStatement]) -> str:
    """The statements as the README's table (one row per capability)."""
    lines = ["| | What is stored | How long | Who sees it |", "|---|---|---|---|"]
    lines += [
        f"| **{s.title}** | {_capital(s.stores)} | {_capital(s.kept)} | {_capital(s.seen_by)} |"
        for s in statements
    ]
    return "\n".join(lines)
