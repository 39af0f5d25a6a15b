"""What episodes look like in Discord: embeds for shares, new feed episodes, lists and digests.

Text from feeds is neutralised (markdown and mentions escaped); nothing here can ping, and the
bot-wide ``allowed_mentions`` is "none" as well. Every limit (title 256, description 4,096,
field 1,024, 6,000 per message) is respected by construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import discord

from attune.text import clip, inert, one_line
from cogs.episodes.library import Entry
from cogs.episodes.models import Feed, FeedEpisode, Share
from cogs.episodes.parse import describe_duration

SHARE_COLOUR = discord.Colour.teal()
FEED_COLOUR = discord.Colour.blurple()
DIGEST_COLOUR = discord.Colour.gold()
DESCRIPTION_BUDGET = 3900  # below the 4,096 limit, leaving room for a closing line
DIGEST_TITLE = "What our community is carrying this week"
SHARE_HEADING = "One insight I'm carrying into my week"


def neutral(text: str) -> str:
    """Feed text shown as written: no markdown effects, no mention syntax."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def link_text(text: str) -> str:
    """Safe text inside ``[…](…)``."""
    return neutral(one_line(text)).replace("[", "(").replace("]", ")")


def md_link(text: str, url: str | None) -> str:
    if not url:
        return f"**{link_text(text)}**"
    safe_url = url.replace(" ", "%20").replace(")", "%29").replace("(", "%28")
    return f"[{link_text(text)}]({safe_url})"


def quote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.strip().splitlines())


def when(instant: datetime | None) -> str:
    if instant is None:
        return "date unknown"
    return f"{discord.utils.format_dt(instant, 'D')} ({discord.utils.format_dt(instant, 'R')})"


# ------------------------------------------------------------------------------ shares


def share_embed(share: Share, show: str | None = None) -> discord.Embed:
    embed = discord.Embed(
        title=clip(one_line(share.title), 256),
        url=share.url,
        colour=SHARE_COLOUR,
        description=clip(
            f"{quote(inert(share.insight))}\n\n— shared by <@{share.user_id}>",
            4000,
        ),
        timestamp=share.shared_at,
    )
    embed.set_author(name=SHARE_HEADING)
    if show:
        embed.set_footer(text=clip(f"from {one_line(show)}", 2048))
    return embed


def thread_name(title: str) -> str:
    """A thread name (≤ 100) in which mention syntax is inert."""
    name = clip(discord.utils.escape_mentions(one_line(title)), 100)
    return name or "Episode"


# ----------------------------------------------------------------------- feed episodes


def episode_embed(episode: FeedEpisode, show: str) -> discord.Embed:
    embed = discord.Embed(
        title=clip(one_line(episode.title), 256),
        url=episode.url,
        colour=FEED_COLOUR,
        description=neutral(episode.summary) if episode.summary else None,
    )
    embed.set_author(name=clip(f"New episode · {one_line(show)}", 256))
    duration = describe_duration(episode.duration_s)
    if duration:
        embed.add_field(name="Duration", value=duration)
    if episode.published_at is not None:
        embed.add_field(name="Published", value=when(episode.published_at))
    if episode.url:
        embed.add_field(name="Listen", value=md_link("Open the episode", episode.url), inline=False)
    embed.set_footer(text="What stays with you? Talk about it in the thread.")
    return embed


def burst_embed(show: str, episodes: Sequence[FeedEpisode]) -> discord.Embed:
    """One message naming the older items of a burst (the newest few are posted on their own)."""
    lines: list[str] = []
    used = 0
    for index, episode in enumerate(episodes):
        line = f"• {md_link(clip(episode.title, 150), episode.url)}"
        if episode.published_at is not None:
            line += f" · {discord.utils.format_dt(episode.published_at, 'D')}"
        if used + len(line) + 1 > DESCRIPTION_BUDGET:
            lines.append(f"…and {len(episodes) - index} more.")
            break
        lines.append(line)
        used += len(line) + 1
    count = len(episodes)
    return discord.Embed(
        title=clip(f"{count} more new episode{'s' if count != 1 else ''} from {one_line(show)}", 256),
        description="\n".join(lines),
        colour=FEED_COLOUR,
    )


# ------------------------------------------------------------------------------ digest


def _insight_block(share: Share, *, with_time: bool) -> str:
    meta = f"— <@{share.user_id}> on {md_link(clip(share.title, 120), share.url)}"
    if with_time:
        meta += f" · {discord.utils.format_dt(share.shared_at, 'R')}"
    return f"{quote(inert(share.insight))}\n{meta}"


def digest_embed(
    shares: Sequence[Share], start: datetime, end: datetime, *, late: bool = False
) -> discord.Embed:
    """The weekly digest: every insight of the week, oldest first, as many as fit."""
    blocks: list[str] = []
    used = 0
    ordered = sorted(shares, key=lambda s: (s.shared_at, s.id))
    for index, share in enumerate(ordered):
        block = _insight_block(share, with_time=False)
        if used + len(block) + 2 > DESCRIPTION_BUDGET:
            blocks.append(f"…and {len(ordered) - index} more: `/episode insights` lists them all.")
            break
        blocks.append(block)
        used += len(block) + 2
    count = len(ordered)
    embed = discord.Embed(
        title=DIGEST_TITLE, description="\n\n".join(blocks), colour=DIGEST_COLOUR, timestamp=end
    )
    footer = f"{count} insight{'s' if count != 1 else ''} shared this week · name yours with /episode share"
    if late:
        footer += " · posted late (Attune was offline at the planned time)"
    embed.set_footer(text=footer)
    return embed


def insights_embed(shares: Sequence[Share], days: int, page: int, pages: int, total: int) -> discord.Embed:
    span = "day" if days == 1 else f"{days} days"
    embed = discord.Embed(title=f"Insights shared in the last {span}", colour=DIGEST_COLOUR)
    if not shares:
        embed.description = (
            "No insights shared yet in this time. Be the first: `/episode share` an episode with "
            "one insight you're carrying into your week."
        )
        return embed
    embed.description = clip("\n\n".join(_insight_block(s, with_time=True) for s in shares), 4096)
    embed.set_footer(text=f"Page {page + 1} of {pages} · {total} insight{'s' if total != 1 else ''}")
    return embed


# -------------------------------------------------------------------- browse and random

_SOURCE_LABEL = {"library": "library pick", "feed": "from a followed feed", "share": "shared"}


def entry_block(entry: Entry, theme_names: dict[str, str], *, text_limit: int = 220) -> str:
    head = (
        f"**{md_link(clip(entry.title, 150), entry.url)}**" if entry.url else f"**{link_text(entry.title)}**"
    )
    meta: list[str] = []
    if entry.show:
        meta.append(link_text(clip(entry.show, 80)))
    if entry.source == "share" and entry.user_id:
        meta.append(f"shared by <@{entry.user_id}>")
    else:
        meta.append(_SOURCE_LABEL[entry.source])
    if entry.duration_s:
        meta.append(describe_duration(entry.duration_s) or "")
    if entry.themes:
        meta.append(", ".join(theme_names.get(t, t) for t in entry.themes[:3]))
    body = clip(entry.text, text_limit) if entry.text else ""
    if entry.source == "share":
        body = quote(body) if body else ""
    elif entry.source == "feed":
        body = neutral(body)
    return "\n".join(filter(None, (head, " · ".join(m for m in meta if m), body)))


def browse_embed(
    entries: Sequence[Entry],
    *,
    theme_name: str | None,
    query: str | None,
    page: int,
    pages: int,
    total: int,
    theme_names: dict[str, str],
) -> discord.Embed:
    title = "Episodes to listen to"
    if theme_name:
        title += f" · {theme_name}"
    if query:
        title += f" · “{one_line(query)}”"
    embed = discord.Embed(title=clip(title, 256), colour=SHARE_COLOUR)
    if not entries:
        embed.description = (
            "Nothing matches that yet. Try another theme or fewer words — or share an episode with "
            "`/episode share`."
        )
        return embed
    embed.description = clip("\n\n".join(entry_block(e, theme_names) for e in entries), 4096)
    embed.set_footer(text=f"Page {page + 1} of {pages} · {total} episode{'s' if total != 1 else ''}")
    return embed


def random_embed(entry: Entry, theme_names: dict[str, str], theme_name: str | None) -> discord.Embed:
    title = "Something to listen to" + (f" · {theme_name}" if theme_name else "")
    embed = discord.Embed(title=clip(title, 256), colour=SHARE_COLOUR)
    embed.description = clip(entry_block(entry, theme_names, text_limit=600), 4096)
    if entry.source == "library" and not entry.url:
        embed.set_footer(text="A listening guide: bring it to any episode on this theme.")
    return embed


# ------------------------------------------------------------------------------- feeds


def feeds_embed(rows: Sequence[tuple[Feed, FeedEpisode | None]]) -> discord.Embed:
    embed = discord.Embed(title="Followed podcast feeds", colour=FEED_COLOUR)
    if not rows:
        embed.description = (
            "This server follows no feeds yet. A facilitator can add one with `/episode feed-add`."
        )
        return embed
    used = len(embed.title or "")
    for index, (feed, latest) in enumerate(rows[:25]):
        lines = [f"{md_link('feed', feed.url)} · checked every {feed.poll_minutes} min"]
        if latest is not None:
            lines.append(f"Last episode: {md_link(clip(latest.title, 120), latest.url)}")
            if latest.published_at is not None:
                lines[-1] += f" · {discord.utils.format_dt(latest.published_at, 'R')}"
        else:
            lines.append("No episodes yet.")
        if feed.failures and feed.last_error:
            resume = feed.next_poll_after
            retry = f"; next try {discord.utils.format_dt(resume, 'R')}" if resume else ""
            at = discord.utils.format_dt(feed.last_error_at, "R") if feed.last_error_at else ""
            lines.append(f"⚠️ Failing ({feed.failures}×) {at}: {neutral(clip(feed.last_error, 200))}{retry}")
        elif feed.last_success_at is not None:
            lines.append(f"Checked {discord.utils.format_dt(feed.last_success_at, 'R')}")
            if feed.last_error and feed.last_error_at:
                lines[-1] += (
                    f" · last error {discord.utils.format_dt(feed.last_error_at, 'R')}: "
                    f"{neutral(clip(feed.last_error, 120))} (recovered)"
                )
        name, value = clip(one_line(feed.title), 256), clip("\n".join(lines), 1024)
        if used + len(name) + len(value) > 5600:
            embed.set_footer(text=f"…and {len(rows) - index} more feeds not shown here.")
            break
        used += len(name) + len(value)
        embed.add_field(name=name, value=value, inline=False)
    return embed
