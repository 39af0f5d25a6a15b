"""One error path for every interaction, and the base classes that route into it.

``UserError`` → its message, ephemerally. Anything else → logged with a short error id, and the
member sees that id, so an operator can find the traceback from a screenshot.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any, Generic, TypeVar

import discord
from discord import app_commands

from attune.errors import UserError

log = logging.getLogger("attune.errors")

ItemT = TypeVar("ItemT", bound=discord.ui.Item[Any])
HandlerT = TypeVar("HandlerT")


def unwrap(error: BaseException) -> BaseException:
    """The error a handler actually raised, out of discord.py's wrappers."""
    while isinstance(
        error,
        app_commands.CommandInvokeError | app_commands.TransformerError | discord.DiscordException,
    ):
        inner = error.__cause__ or getattr(error, "original", None)
        if inner is None or inner is error:
            break
        error = inner
    return error


async def reply_ephemeral(interaction: discord.Interaction, content: str, **kwargs: Any) -> None:
    """Answer privately, whether or not the interaction was already acknowledged."""
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=True, **kwargs)
    else:
        await interaction.response.send_message(content, ephemeral=True, **kwargs)


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the member what went wrong; log what they can't fix."""
    error = unwrap(error)
    if isinstance(error, UserError):
        message = error.message
        log.info(
            "user error guild=%s user=%s: %s",
            interaction.guild_id,
            interaction.user.id,
            type(error).__name__,
        )
    elif isinstance(error, app_commands.CommandOnCooldown):
        # Before CheckFailure: CommandOnCooldown is one, and would be answered generically.
        retry_at = discord.utils.utcnow() + timedelta(seconds=error.retry_after)
        message = f"You can use that again {discord.utils.format_dt(retry_at, 'R')}."
    elif isinstance(error, app_commands.CheckFailure):
        message = str(error) or "You can't use that here."
    elif isinstance(error, discord.Forbidden):
        error_id = secrets.token_hex(4)
        log.warning(
            "forbidden [%s] guild=%s user=%s: %s",
            error_id,
            interaction.guild_id,
            interaction.user.id,
            error.text,
        )
        message = (
            "Discord refused that: I'm missing a permission for it here "
            f"({error.text or 'Forbidden'}). Ask a server admin to check my role. (error id `{error_id}`)"
        )
    else:
        error_id = secrets.token_hex(4)
        command = interaction.command.qualified_name if interaction.command else None
        log.error(
            "unexpected error [%s] guild=%s user=%s command=%s",
            error_id,
            interaction.guild_id,
            interaction.user.id,
            command,
            exc_info=error,
        )
        message = (
            "Something went wrong on my side and nothing was changed by this step. "
            f"It has been logged as error `{error_id}`; please try again in a moment."
        )
    try:
        await reply_ephemeral(interaction, message)
    except discord.HTTPException:
        log.warning("could not deliver the error message for interaction %s", interaction.id)


class HandlerKey(Generic[HandlerT]):
    """What a view module needs answered, typed by the Protocol it declares for it.

    A view module says ``CHECKIN_HANDLER = HandlerKey[CheckinHandler]("check-in components", ...)``;
    the capability's ``setup()`` registers whatever implements the Protocol, and the view asks
    :func:`handler` for it, so views never import, or look up by name, the cog that answers them.
    """

    def __init__(self, name: str, *, unavailable: str) -> None:
        self.name = name
        #: What a member is told when nothing answers (the capability is not loaded).
        self.unavailable = unavailable

    def __repr__(self) -> str:
        return f"HandlerKey({self.name!r})"


class Handlers:
    """The bot's registry of who answers each view module's components (``bot.handlers``)."""

    def __init__(self) -> None:
        self._entries: dict[HandlerKey[Any], tuple[Any, object | None]] = {}

    def register(self, key: HandlerKey[HandlerT], handler: HandlerT, *, owner: object | None = None) -> None:
        """``handler`` answers ``key`` until :meth:`forget` is called with its ``owner`` (a cog)."""
        if key in self._entries:
            raise RuntimeError(f"{key!r} already has a handler")
        self._entries[key] = (handler, owner)

    def forget(self, owner: object) -> None:
        """Drop every handler ``owner`` registered (its cog was removed)."""
        for key in [key for key, (_, by) in self._entries.items() if by is owner]:
            del self._entries[key]

    def get(self, key: HandlerKey[HandlerT]) -> HandlerT:
        entry = self._entries.get(key)
        if entry is None:
            raise UserError(key.unavailable)
        handler: HandlerT = entry[0]
        return handler


def handler(interaction: discord.Interaction[Any], key: HandlerKey[HandlerT]) -> HandlerT:
    """The object that answers ``key``'s components for this interaction's bot.

    Raises :class:`UserError` (the key's *unavailable* message) when its capability is not loaded.
    """
    handlers = getattr(interaction.client, "handlers", None)
    if not isinstance(handlers, Handlers):  # pragma: no cover - every AttuneBot has one
        raise RuntimeError(f"{type(interaction.client).__name__} has no handler registry for {key!r}")
    return handlers.get(key)


class AttuneView(discord.ui.View):
    """A view whose errors take the one error path."""

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        await report_error(interaction, error)


class AttuneModal(discord.ui.Modal):
    """A modal whose errors take the one error path."""

    async def on_error(  # type: ignore[override]  # discord.py's Modal drops the item argument
        self, interaction: discord.Interaction, error: Exception
    ) -> None:
        await report_error(interaction, error)


class AttuneDynamicItem(discord.ui.DynamicItem[ItemT], template=r"(?!)"):
    """A restart-proof component (state lives in its ``custom_id``) with the one error path.

    Subclasses give their own ``template`` and implement :meth:`handle` instead of ``callback``:
    discord.py only logs errors raised by dynamic items, so this base reports them to the member
    like every other error. (The base's template matches nothing; it is never registered.)
    """

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self.handle(interaction)
        except Exception as error:
            await report_error(interaction, error)

    async def handle(self, interaction: discord.Interaction[Any]) -> None:  # pragma: no cover
        raise NotImplementedError


_PLAIN_VIEWS = (discord.ui.View, AttuneView)
_PLAIN_ITEMS = (discord.ui.Button, discord.ui.Select)


def needs_view_store(view: discord.ui.view.BaseView) -> bool:
    """Whether discord.py must keep ``view`` in memory to dispatch its components.

    Attune's components are restart-proof: every one is a registered dynamic item or a plain
    component whose ``custom_id`` a listener reads, so a plain view holds nothing a click needs.
    discord.py would still keep each sent view — with a 15-minute timer for ephemeral replies —
    so memory grew with every interaction. Views with callbacks of their own (subclasses, modals)
    are kept as usual.
    """
    if type(view) not in _PLAIN_VIEWS:
        return True
    return any(
        not isinstance(item, discord.ui.DynamicItem)
        and item.is_dispatchable()
        and type(item) not in _PLAIN_ITEMS
        for item in view.walk_children()
    )


def keep_only_needed_views(state: Any) -> None:
    """Wrap the connection state's ``store_view`` with :func:`needs_view_store`."""
    store = state.store_view

    def store_view(view: discord.ui.view.BaseView, message_id: int | None = None) -> None:
        if needs_view_store(view):
            store(view, message_id)

    state.store_view = store_view


class AttuneTree(app_commands.CommandTree[Any]):
    """The command tree: every command error takes the one error path."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)
