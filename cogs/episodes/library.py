"""One browsable list from three sources: the curated library, followed feeds, member shares.

Themes come from ``content/episodes.yaml``. Library entries carry their themes; feed episodes and
shares have none, so a theme matches them by words in their title and text (the theme name's own
words, plus a few word stems for the starting themes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from attune.content import EpisodesContent, EpisodeTheme
from cogs.episodes.models import FeedEpisode, Share

Source = Literal["library", "feed", "share"]

_STOPWORDS = frozenset({"the", "and", "our", "of", "as", "an", "a", "in", "on", "to", "for", "with", "we"})

#: Extra word stems for the starting themes, so feed episodes and shares can match them.
THEME_STEMS: dict[str, tuple[str, ...]] = {
    "mind-brain-relationships": ("interpersonal neurobiology", "relationship", "brain", "mind between"),
    "epigenetics-neuroplasticity": ("epigenet", "neuroplastic", "plasticity", "rewir"),
    "emotion-integrator": ("emotion", "feeling", "integrat"),
    "trauma-memory-body": ("trauma", "memory", "memories", "the body", "somatic"),
    "attunement-coregulation": ("attune", "co-regulat", "coregulat", "feel felt", "feeling felt"),
    "wheel-of-awareness": ("wheel of awareness", "hub and rim", "the wheel"),
    "window-of-tolerance": ("window of tolerance", "overwhelm", "shut down", "flooded", "regulat"),
    "story-and-self": ("story", "stories", "narrative", "sense of self"),
}


def theme_terms(theme: EpisodeTheme) -> tuple[str, ...]:
    """Lower-case words or stems that suggest ``theme`` in free text."""
    words = [w for w in re.split(r"[^a-z0-9-]+", theme.name.lower()) if w and w not in _STOPWORDS]
    return tuple(dict.fromkeys([*THEME_STEMS.get(theme.id, ()), *(w for w in words if len(w) >= 4)]))


@dataclass(frozen=True)
class Entry:
    """Something to listen to, whichever source it came from."""

    source: Source
    ref: str  # "library:3", "feed:12", "share:7"
    title: str
    url: str | None
    show: str | None
    text: str  # the library summary, the episode description, or the member's insight
    themes: tuple[str, ...] = ()
    when: datetime | None = None
    user_id: int | None = None
    duration_s: int | None = None
    haystack: str = field(default="", compare=False)

    def searchable(self) -> str:
        return self.haystack or " ".join(filter(None, (self.title, self.show, self.text))).lower()


def library_entries(content: EpisodesContent) -> list[Entry]:
    return [
        Entry(
            "library",
            f"library:{index}",
            episode.title,
            episode.url,
            episode.show,
            episode.summary,
            themes=tuple(episode.themes),
        )
        for index, episode in enumerate(content.episodes)
    ]


def feed_entries(episodes: Iterable[FeedEpisode]) -> list[Entry]:
    return [
        Entry(
            "feed",
            f"feed:{episode.id}",
            episode.title,
            episode.url,
            episode.show,
            episode.summary,
            when=episode.published_at or episode.seen_at,
            duration_s=episode.duration_s,
        )
        for episode in episodes
    ]


def share_entries(shares: Iterable[Share]) -> list[Entry]:
    return [
        Entry(
            "share",
            f"share:{share.id}",
            share.title,
            share.url,
            None,
            share.insight,
            when=share.shared_at,
            user_id=share.user_id,
        )
        for share in shares
    ]


def words_of(query: str | None) -> list[str]:
    return [w for w in (query or "").lower().split() if w]


def matches_query(entry: Entry, words: Sequence[str]) -> bool:
    text = entry.searchable()
    return all(word in text for word in words)


def matches_theme(entry: Entry, theme: EpisodeTheme) -> bool:
    if entry.source == "library":
        return theme.id in entry.themes
    text = entry.searchable()
    return any(term in text for term in theme_terms(theme))


def select(
    entries: Iterable[Entry], *, theme: EpisodeTheme | None = None, query: str | None = None
) -> list[Entry]:
    """Entries matching the theme (if any) and every word of the query (if any), best first.

    Title matches come before matches elsewhere; otherwise the given order is kept.
    """
    words = words_of(query)
    chosen = [
        e
        for e in entries
        if (theme is None or matches_theme(e, theme)) and (not words or matches_query(e, words))
    ]
    if words:
        chosen.sort(key=lambda e: not all(w in e.title.lower() for w in words))
    return chosen


def find_theme(content: EpisodesContent, text: str | None) -> EpisodeTheme | None:
    """The theme with this id or name (case-insensitive); ``None`` for empty text."""
    cleaned = (text or "").strip().lower()
    if not cleaned:
        return None
    for theme in content.themes:
        if cleaned in (theme.id, theme.name.lower()):
            return theme
    return None


def theme_choices(content: EpisodesContent, typed: str) -> list[tuple[str, str]]:
    """(name, id) of themes matching what was typed, at most 25."""
    needle = typed.strip().lower()
    found = [
        (theme.name, theme.id)
        for theme in content.themes
        if not needle or needle in theme.name.lower() or needle in theme.id
    ]
    return found[:25]
