"""Buttons of ``/episode browse``, ``/episode insights`` and ``/episode random``.

All are dynamic items: the page, theme, query or day span live in the ``custom_id``, so paging
keeps working after a restart. Each click recomputes the page from the database.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import discord

from attune.permissions import guild_id_of
from attune.ui import AttuneDynamicItem, HandlerKey, handler

CUSTOM_ID_MAX = 100
LABELS = {"p": "◀ Previous", "n": "Next ▶"}


class _ItemFactory(Protocol):
    def __call__(self, direction: str, target: int, *, disabled: bool) -> discord.ui.Item[Any] | None: ...


class EpisodePages(Protocol):
    """What the episode buttons need answered: each page, recomputed from the database."""

    async def browse_page(
        self, guild_id: int, theme_id: str, query: str, page: int
    ) -> tuple[discord.Embed, discord.ui.View | None]: ...

    async def insights_page(
        self, guild_id: int, days: int, page: int
    ) -> tuple[discord.Embed, discord.ui.View | None]: ...

    async def random_pick(
        self, guild_id: int, theme_id: str
    ) -> tuple[discord.Embed, discord.ui.View | None]: ...


EPISODE_PAGES = HandlerKey[EpisodePages](
    "episode buttons", unavailable="Episodes are not available right now; please try again in a moment."
)


def _pages(interaction: discord.Interaction[Any]) -> EpisodePages:
    return handler(interaction, EPISODE_PAGES)


def pager(make: _ItemFactory, page: int, pages: int) -> discord.ui.View | None:
    """Previous/Next buttons around ``page`` (0-based) of ``pages``; ``None`` for a single page."""
    if pages <= 1:
        return None
    view = discord.ui.View(timeout=None)
    for direction, target, disabled in (
        ("p", max(page - 1, 0), page <= 0),
        ("n", min(page + 1, pages - 1), page >= pages - 1),
    ):
        item = make(direction, target, disabled=disabled)
        if item is None:
            return None
        view.add_item(item)
    return view


def _button(custom_id: str, label: str, *, disabled: bool = False) -> discord.ui.Button[Any]:
    return discord.ui.Button(
        label=label, custom_id=custom_id, disabled=disabled, style=discord.ButtonStyle.secondary
    )


class BrowsePage(
    AttuneDynamicItem[discord.ui.Button[Any]],
    template=r"ep:b:(?P<dir>[pn]):(?P<page>\d{1,4}):(?P<theme>[a-z0-9-]*):(?P<query>.*)",
):
    def __init__(self, direction: str, page: int, theme: str, query: str, *, disabled: bool = False) -> None:
        super().__init__(
            _button(f"ep:b:{direction}:{page}:{theme}:{query}", LABELS[direction], disabled=disabled)
        )
        self.page = page
        self.theme = theme
        self.query = query

    @classmethod
    def make(cls, theme: str, query: str) -> _ItemFactory:
        def factory(direction: str, target: int, *, disabled: bool) -> BrowsePage | None:
            head = f"ep:b:{direction}:{target}:{theme}:"
            room = CUSTOM_ID_MAX - len(head)
            if room < 0 or (query and room == 0):
                return None
            return cls(direction, target, theme, query[:room], disabled=disabled)

        return factory

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> BrowsePage:
        return cls(match["dir"], int(match["page"]), match["theme"], match["query"])

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        guild_id = guild_id_of(interaction)
        embed, view = await _pages(interaction).browse_page(guild_id, self.theme, self.query, self.page)
        await interaction.response.edit_message(embed=embed, view=view)


class InsightsPage(
    AttuneDynamicItem[discord.ui.Button[Any]],
    template=r"ep:i:(?P<dir>[pn]):(?P<page>\d{1,4}):(?P<days>\d{1,3})",
):
    def __init__(self, direction: str, page: int, days: int, *, disabled: bool = False) -> None:
        super().__init__(_button(f"ep:i:{direction}:{page}:{days}", LABELS[direction], disabled=disabled))
        self.page = page
        self.days = days

    @classmethod
    def make(cls, days: int) -> _ItemFactory:
        def factory(direction: str, target: int, *, disabled: bool) -> InsightsPage:
            return cls(direction, target, days, disabled=disabled)

        return factory

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> InsightsPage:
        return cls(match["dir"], int(match["page"]), int(match["days"]))

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        guild_id = guild_id_of(interaction)
        embed, view = await _pages(interaction).insights_page(guild_id, self.days, self.page)
        await interaction.response.edit_message(embed=embed, view=view)


class AnotherEpisode(AttuneDynamicItem[discord.ui.Button[Any]], template=r"ep:r:(?P<theme>[a-z0-9-]*)"):
    """``/episode random``'s "Another one" button."""

    def __init__(self, theme: str) -> None:
        super().__init__(_button(f"ep:r:{theme}", "Another one 🎧"))
        self.theme = theme

    @classmethod
    def view_for(cls, theme: str) -> discord.ui.View | None:
        if len(f"ep:r:{theme}") > CUSTOM_ID_MAX:
            return None
        view = discord.ui.View(timeout=None)
        view.add_item(cls(theme))
        return view

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AnotherEpisode:
        return cls(match["theme"])

    async def handle(self, interaction: discord.Interaction[Any]) -> None:
        guild_id = guild_id_of(interaction)
        embed, view = await _pages(interaction).random_pick(guild_id, self.theme)
        await interaction.response.edit_message(embed=embed, view=view)
