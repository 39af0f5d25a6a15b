"""``/episode share | feed-add | feed-remove | feeds | browse | random | insights``, and privacy."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from attune.autocomplete import guild_time
from attune.cooldowns import take_for
from attune.errors import MissingBotPermissions, UserError
from attune.permissions import (
    POST,
    POST_WITH_THREAD,
    facilitator_only,
    guild_id_of,
    missing_permissions,
    require_bot_permissions,
    require_facilitator,
)
from attune.privacy import PrivacyStatement
from attune.text import clip, one_line
from attune.when import WEEKDAY_NAMES, parse_clock
from cogs.episodes import fetch as fetching
from cogs.episodes.library import (
    find_theme,
    select,
    theme_choices,
)
from cogs.episodes.models import DEFAULT_POLL_MINUTES, MAX_FEEDS_PER_GUILD, Feed, FollowRefusal, FollowRefused
from cogs.episodes.parse import NotAFeed
from cogs.episodes.posting import PostTarget
from cogs.episodes.render import (
    browse_embed,
    feeds_embed,
    insights_embed,
    random_embed,
)
from cogs.episodes.schedules.digest import describe
from cogs.episodes.service import EpisodeService, ShareNotPosted
from cogs.episodes.urls import SHARE_URL_MAX, check_url, host_and_path
from cogs.episodes.views import AnotherEpisode, BrowsePage, InsightsPage, pager

if TYPE_CHECKING:
    from attune.bot import AttuneBot

log = logging.getLogger(__name__)

INSIGHT_MAX = 300
TITLE_MAX = 200
QUERY_MAX = 60
BROWSE_PAGE = 5
INSIGHTS_PAGE = 5
DAY_CHOICES = [
    *(
        app_commands.Choice(name=day.title(), value=day)
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    ),
    app_commands.Choice(name="Off: no weekly digest", value="off"),
]


FOLLOW_REFUSALS = {
    FollowRefusal.TOO_MANY: (
        f"This server already follows {MAX_FEEDS_PER_GUILD} feeds, the most Attune keeps. "
        "Remove one with `/episode feed-remove` first."
    ),
    FollowRefusal.ALREADY_FOLLOWED: "This server already follows that feed. `/episode feeds` lists them.",
}


def clean_insight(text: str) -> str:
    insight = "\n".join(line.strip() for line in (text or "").strip().splitlines()).strip()
    if not insight:
        raise UserError(
            "Your insight is empty. Name one thing you're carrying into your week from this episode, "
            "in a sentence or two."
        )
    if len(insight) > INSIGHT_MAX:
        raise UserError(
            f"Your insight is {len(insight)} characters; keep it to {INSIGHT_MAX} — one insight, a "
            "sentence or two. Nothing was shared."
        )
    return insight


def clean_title(text: str | None) -> str | None:
    if text is None:
        return None
    title = one_line(text)
    if not title:
        return None
    if len(title) > TITLE_MAX:
        raise UserError(f"That title is {len(title)} characters; keep it to {TITLE_MAX}. Nothing was shared.")
    return title


class EpisodesCog(commands.Cog, name="Episodes"):
    """Episode sharing, followed feeds, the library and weekly insight digests."""

    privacy_section = "episodes"
    privacy_statement = PrivacyStatement(
        title="Episodes",
        stores="episodes and insights you share",
        kept="until you delete them",
        seen_by="the server: shares are posted in its channel and quoted in the weekly digest",
    )

    episode = app_commands.Group(
        name="episode", description="Share podcast episodes and the insights you carry", guild_only=True
    )

    def __init__(self, bot: AttuneBot) -> None:
        self.bot = bot
        self.service = EpisodeService(bot)

    # ---------------------------------------------------------------------- share

    @episode.command(
        name="share", description="Share an episode with one insight you're carrying into your week"
    )
    @app_commands.describe(
        url="The episode's web address (https://…)",
        insight="One insight you're carrying into your week (up to 300 characters)",
        title="The episode's title (optional; I'll look it up or use the address)",
    )
    async def share(
        self,
        interaction: discord.Interaction,
        url: app_commands.Range[str, 1, SHARE_URL_MAX],
        insight: app_commands.Range[str, 1, INSIGHT_MAX],
        title: app_commands.Range[str, 1, TITLE_MAX] | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        link = check_url(url, what="episode link")
        text = clean_insight(insight)
        given_title = clean_title(title)
        config = await self.bot.guild_settings.get(guild_id)
        channel = self._share_channel(interaction, config.channel_for("episodes"))
        if isinstance(channel, discord.Thread):
            require_bot_permissions(channel, ("view_channel", "send_messages_in_threads", "embed_links"))
        else:
            require_bot_permissions(channel, POST_WITH_THREAD)
        if await self.service.shared_just_now(guild_id, interaction.user.id, link):
            raise UserError("You shared that episode a moment ago; it's already posted.")
        await take_for(interaction, "episode-share")
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            shared = await self.service.share(
                guild_id, interaction.user.id, link, text, given_title, channel, config.timezone
            )
        except ShareNotPosted as failure:
            if failure.refused:
                raise UserError(
                    f"Discord refused my post in {channel.mention} ({failure.text}). Ask a "
                    "server admin to check my permissions there. Nothing was shared."
                ) from None
            raise UserError(
                "Discord had trouble taking the post just now. Nothing was shared; please try again "
                "in a moment."
            ) from None
        where = f"Shared in {channel.mention}: {shared.jump_url}"
        thread_note = " — with a discussion thread." if shared.thread_id else "."
        await interaction.followup.send(
            f"{where}{thread_note} Thank you for passing it on. 🌱", ephemeral=True
        )

    def _share_channel(self, interaction: discord.Interaction, episodes_channel_id: int | None) -> PostTarget:
        if episodes_channel_id is not None:
            configured = self.bot.get_channel(episodes_channel_id)
            if isinstance(configured, PostTarget):
                return configured
        here = interaction.channel
        if isinstance(here, PostTarget):
            return here
        raise UserError(
            "I can only post episodes in a text channel. Share from a text channel, or ask a "
            "facilitator to choose one with `/settings channel purpose:episodes`."
        )

    # ---------------------------------------------------------------------- feeds

    @episode.command(
        name="feed-add", description="Follow a podcast feed; new episodes are posted with a thread"
    )
    @app_commands.describe(
        url="The podcast's RSS or Atom feed address (https://…)",
        check_every="Minutes between checks for new episodes (default 30)",
    )
    @facilitator_only()
    async def feed_add(
        self,
        interaction: discord.Interaction,
        url: app_commands.Range[str, 1, SHARE_URL_MAX],
        check_every: app_commands.Range[int, 10, 1440] = DEFAULT_POLL_MINUTES,
    ) -> None:
        guild_id = guild_id_of(interaction)
        link = check_url(url, what="feed address")
        refusal = await self.service.follow_refusal(guild_id, link)
        if refusal is not None:
            raise UserError(FOLLOW_REFUSALS[refusal])
        config = await self.bot.guild_settings.get(guild_id)
        target = self._share_channel(interaction, config.channel_for("episodes"))
        missing = missing_permissions(target, POST)
        if missing:
            raise MissingBotPermissions(missing, target.mention)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            followed = await self.service.follow(
                guild_id, link, channel_id=interaction.channel_id or target.id, poll_minutes=check_every
            )
        except fetching.FetchError as error:
            raise UserError(
                f"I couldn't fetch that feed: {error.message}. Check the address (it should be the "
                "podcast's RSS feed, often ending in `.xml` or `/feed`) and try again. Nothing was added."
            ) from None
        except NotAFeed as error:
            raise UserError(
                f"That isn't a podcast feed I can read: {error.message} Nothing was added."
            ) from None
        except FollowRefused as refused:
            raise UserError(FOLLOW_REFUSALS[refused.refusal]) from None
        feed = followed.feed
        log.info(
            "guild=%s user=%s follows feed %s (%d items seeded)",
            guild_id,
            interaction.user.id,
            feed.id,
            followed.seeded,
        )
        where = (
            target.mention
            if config.channel_for("episodes")
            else f"{target.mention} (set an episodes channel with `/settings channel purpose:episodes`)"
        )
        count = followed.seeded
        await interaction.followup.send(
            f"Now following **{discord.utils.escape_markdown(feed.title)}**. I noted its {count} current "
            f"episode{'s' if count != 1 else ''} without posting them; new episodes will appear in {where} "
            f"with a discussion thread. I check every {check_every} minutes — first "
            f"{discord.utils.format_dt(feed.first_poll, 'R')}.",
            ephemeral=True,
        )

    async def feed_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        needle = current.strip().lower()
        choices = []
        for feed in await self.service.feeds(interaction.guild_id):
            label = f"{feed.title} — {host_and_path(feed.url, 60)}"
            if needle and needle not in label.lower() and needle not in feed.url.lower():
                continue
            choices.append(app_commands.Choice(name=clip(label, 100), value=str(feed.id)))
        return choices[:25]

    @episode.command(name="feed-remove", description="Stop following a podcast feed")
    @app_commands.describe(feed="The feed to stop following")
    @app_commands.autocomplete(feed=feed_autocomplete)
    @facilitator_only()
    async def feed_remove(self, interaction: discord.Interaction, feed: str) -> None:
        guild_id = guild_id_of(interaction)
        chosen = await self._find_feed(guild_id, feed)
        removed = await self.service.unfollow(guild_id, chosen.id)
        if removed is None:
            raise UserError("That feed is no longer followed here. `/episode feeds` lists the ones that are.")
        log.info("guild=%s user=%s stopped following feed %s", guild_id, interaction.user.id, removed.id)
        await interaction.response.send_message(
            f"Stopped following **{discord.utils.escape_markdown(removed.title)}**. Episodes already "
            "posted stay where they are.",
            ephemeral=True,
        )

    async def _find_feed(self, guild_id: int, typed: str) -> Feed:
        feeds = await self.service.feeds(guild_id)
        if not feeds:
            raise UserError("This server follows no feeds. `/episode feed-add` adds one.")
        cleaned = typed.strip()
        if cleaned.isdigit():
            for feed in feeds:
                if feed.id == int(cleaned):
                    return feed
        needle = cleaned.lower()
        exact = [f for f in feeds if needle in (f.url.lower(), f.title.lower())]
        found = exact or [
            f for f in feeds if needle and (needle in f.title.lower() or needle in f.url.lower())
        ]
        if len(found) == 1:
            return found[0]
        names = ", ".join(f"**{discord.utils.escape_markdown(f.title)}**" for f in feeds[:10])
        raise UserError(
            f"I don't know which feed “{clip(cleaned, 60)}” means. Pick one from the list: {names}."
        )

    @episode.command(
        name="feeds", description="The podcast feeds this server follows, and their last episode"
    )
    async def feeds(self, interaction: discord.Interaction) -> None:
        guild_id = guild_id_of(interaction)
        rows = await self.service.feeds_with_latest(guild_id)
        await interaction.response.send_message(embed=feeds_embed(rows), ephemeral=True)

    # ------------------------------------------------------------- browse and random

    def _theme(self, typed: str | None) -> str:
        if not typed or not typed.strip():
            return ""
        theme = find_theme(self.bot.content.episodes, typed)
        if theme is None:
            names = ", ".join(f"`{t.name}`" for t in self.bot.content.episodes.themes)
            raise UserError(f"“{clip(typed.strip(), 60)}” is not one of our themes. Choose one of: {names}.")
        return theme.id

    async def theme_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=name, value=theme_id)
            for name, theme_id in theme_choices(self.bot.content.episodes, current)
        ]

    async def query_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        found = select(await self.service.entries(interaction.guild_id), query=current.strip() or None)
        choices: list[app_commands.Choice[str]] = []
        seen: set[str] = set()
        for entry in found:
            value = one_line(entry.title)[:QUERY_MAX].strip()
            if not value or value.lower() in seen:
                continue
            seen.add(value.lower())
            label = f"{one_line(entry.title)} — {entry.show}" if entry.show else one_line(entry.title)
            choices.append(app_commands.Choice(name=clip(label, 100), value=value))
            if len(choices) == 25:
                break
        return choices

    async def browse_page(
        self, guild_id: int, theme_id: str, query: str, page: int
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        content = self.bot.content.episodes
        theme = find_theme(content, theme_id) if theme_id else None
        found = select(await self.service.entries(guild_id), theme=theme, query=query or None)
        pages = max(1, -(-len(found) // BROWSE_PAGE))
        page = min(max(page, 0), pages - 1)
        shown = found[page * BROWSE_PAGE : (page + 1) * BROWSE_PAGE]
        names = {t.id: t.name for t in content.themes}
        embed = browse_embed(
            shown,
            theme_name=theme.name if theme else None,
            query=query or None,
            page=page,
            pages=pages,
            total=len(found),
            theme_names=names,
        )
        return embed, pager(BrowsePage.make(theme.id if theme else "", query), page, pages)

    @episode.command(name="browse", description="Browse the library, followed feeds and members' shares")
    @app_commands.describe(theme="Only episodes on this theme", query="Words to look for in titles and texts")
    @app_commands.autocomplete(theme=theme_autocomplete, query=query_autocomplete)
    async def browse(
        self,
        interaction: discord.Interaction,
        theme: str | None = None,
        query: app_commands.Range[str, 1, QUERY_MAX] | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        theme_id = self._theme(theme)
        embed, view = await self.browse_page(guild_id, theme_id, one_line(query or ""), 0)
        if view is None:
            await interaction.response.send_message(embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    async def random_pick(self, guild_id: int, theme_id: str) -> tuple[discord.Embed, discord.ui.View | None]:
        content = self.bot.content.episodes
        theme = find_theme(content, theme_id) if theme_id else None
        pool = select(await self.service.entries(guild_id), theme=theme)
        if not pool:
            embed = discord.Embed(
                title="Something to listen to",
                description="Nothing on that theme yet. Try another theme, or none.",
            )
            return embed, None
        entry = secrets.choice(pool)
        names = {t.id: t.name for t in content.themes}
        return random_embed(entry, names, theme.name if theme else None), AnotherEpisode.view_for(theme_id)

    @episode.command(name="random", description="One episode to listen to")
    @app_commands.describe(theme="Only episodes on this theme")
    @app_commands.autocomplete(theme=theme_autocomplete)
    async def random(self, interaction: discord.Interaction, theme: str | None = None) -> None:
        guild_id = guild_id_of(interaction)
        embed, view = await self.random_pick(guild_id, self._theme(theme))
        if view is None:
            await interaction.response.send_message(embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    # ------------------------------------------------------------------- insights

    async def insights_page(
        self, guild_id: int, days: int, page: int
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        now = self.bot.clock()
        shares = await self.service.shares_between(guild_id, now - timedelta(days=days), now)
        pages = max(1, -(-len(shares) // INSIGHTS_PAGE))
        page = min(max(page, 0), pages - 1)
        shown = shares[page * INSIGHTS_PAGE : (page + 1) * INSIGHTS_PAGE]
        embed = insights_embed(shown, days, page, pages, len(shares))
        return embed, pager(InsightsPage.make(days), page, pages)

    @episode.command(
        name="insights", description="The insights members shared; also posted weekly as a digest"
    )
    @app_commands.describe(
        days="How many days back to look (default 7)",
        digest_day="Facilitators: the weekday of the weekly digest, or off to stop it",
        digest_time="Facilitators: the time of the weekly digest, HH:MM in the server's time zone",
    )
    @app_commands.choices(digest_day=DAY_CHOICES)
    @app_commands.autocomplete(digest_time=guild_time)
    async def insights(
        self,
        interaction: discord.Interaction,
        days: app_commands.Range[int, 1, 365] = 7,
        digest_day: str | None = None,
        digest_time: app_commands.Range[str, 1, 20] | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        note = None
        if digest_day is not None or digest_time is not None:
            note = await self._configure_digest(interaction, guild_id, digest_day, digest_time)
        embed, view = await self.insights_page(guild_id, days, 0)
        kwargs: dict[str, Any] = {"embed": embed, "ephemeral": True}
        if view is not None:
            kwargs["view"] = view
        if note:
            kwargs["content"] = note
        await interaction.response.send_message(**kwargs)

    async def _configure_digest(
        self, interaction: discord.Interaction, guild_id: int, day: str | None, time_text: str | None
    ) -> str:
        config = await self.bot.guild_settings.get(guild_id)
        require_facilitator(interaction.user, config)
        current = await self.service.digest(guild_id)
        if day == "off":
            if time_text is not None:
                raise UserError("Choose either `digest_day: off` or a time, not both. Nothing was changed.")
            weekday = current.weekday if current else 6
            clock = current.clock if current else "18:00"
            await self.service.set_digest(guild_id, weekday, clock, config.timezone, False)
            log.info("guild=%s user=%s turned the weekly digest off", guild_id, interaction.user.id)
            return "The weekly insight digest is **off**. Turn it on again with `digest_day`."
        weekday = WEEKDAY_NAMES.index(day.capitalize()) if day else (current.weekday if current else 6)
        clock = (
            parse_clock(time_text).strftime("%H:%M") if time_text else (current.clock if current else "18:00")
        )
        digest = await self.service.set_digest(guild_id, weekday, clock, config.timezone, True)
        log.info(
            "guild=%s user=%s set the weekly digest to %s %s", guild_id, interaction.user.id, weekday, clock
        )
        channel_id = config.channel_for("episodes")
        where = (
            f"<#{channel_id}>"
            if channel_id
            else "the channel of the latest share (no episodes channel is set)"
        )
        upcoming = await self.service.next_digest(guild_id)
        nxt = f" Next: {discord.utils.format_dt(upcoming, 'F')}." if upcoming else ""
        return f"The weekly insight digest is posted {describe(digest)} in {where}.{nxt}"

    # -------------------------------------------------------------------- privacy

    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        return await self.service.export_user(user_id)

    async def delete_user_data(self, user_id: int) -> int:
        return await self.service.delete_user(user_id)
