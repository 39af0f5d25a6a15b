"""What people are told when something goes wrong.

Two families: :class:`UserError` is shown to the member who caused it, ephemerally, as is;
:class:`StartupError` stops the process with one clear line and exit code 2.
"""

from __future__ import annotations

from collections.abc import Iterable


class UserError(Exception):
    """Something the member can fix; the message says what was wrong and what to do instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFacilitator(UserError):
    """Raised when a member who is not a facilitator runs a facilitator command."""


class MissingBotPermissions(UserError):
    """The bot lacks Discord permissions it needs in a channel; names them."""

    def __init__(self, permissions: Iterable[str], where: str) -> None:
        self.permissions = tuple(permissions)
        self.where = where
        names = ", ".join(f"**{name}**" for name in self.permissions)
        super().__init__(
            f"I can't do that in {where}: I'm missing the {names} permission"
            f"{'s' if len(self.permissions) > 1 else ''} there. "
            "Ask a server admin to grant it, or choose another channel."
        )


class StartupError(Exception):
    """A problem that stops the bot from starting; its message is one line for the operator."""


class ConfigError(StartupError):
    """A setting is missing or malformed."""


class ContentError(StartupError):
    """One or more content files are malformed; each problem names its file and key path."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        first = problems[0] if problems else "unknown content problem"
        more = f" (and {len(problems) - 1} more; run `python bot.py check`)" if len(problems) > 1 else ""
        super().__init__(first + more)


class DatabaseError(StartupError):
    """The database cannot be opened, is corrupt or locked, or is newer than this code."""
