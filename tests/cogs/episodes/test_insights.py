"""`/episode insights` and the weekly digest on simcord: listing, paging, configuring, posting once."""

from __future__ import annotations

from datetime import UTC, datetime

from cogs.episodes.views import InsightsPage
from tests.cogs.episodes.sim import DIGEST_KIND, episodes_channel, posted_messages
from tests.helpers import community, pings_nobody, restart, restarts, rows, told

HOUR = 3600


async def next_digest(env, c):
    return await env.bot.scheduler.next_run(DIGEST_KIND, str(c.guild.id))


async def share(c, member, n: int, channel=None) -> None:
    result = await member.slash(
        channel or c.general,
        "episode share",
        url=f"https://listening.example/ep-{n}",
        insight=f"Insight number {n}: stay a little longer with what is hard.",
        title=f"Episode {n}",
    )
    assert "Shared in" in told(result)


def digests(channel) -> list:
    return [m for m in posted_messages(channel) if m.embeds and m.embeds[0].title.startswith("What our")]


async def test_insights_lists_the_recent_ones_newest_first_in_pages(env) -> None:
    c = community(env)
    for n in range(1, 8):
        await share(c, c.alice if n % 2 else c.bob, n)
        await env.advance_time(HOUR)
    result = await c.bob.slash(c.general, "episode insights")
    assert result.ephemeral
    embed = result.response.embeds[0]
    assert embed.title == "Insights shared in the last 7 days"
    assert embed.footer.text == "Page 1 of 2 · 7 insights"
    blocks = embed.description.split("\n\n")
    assert [b.split(":")[0] for b in blocks] == [f"> Insight number {n}" for n in (7, 6, 5, 4, 3)]
    assert f"— <@{c.alice.id}> on [Episode 7](https://listening.example/ep-7)" in blocks[0]
    page_two = await c.bob.click(result.response, label="Next ▶")
    embed = page_two.response.embeds[0]
    assert embed.footer.text == "Page 2 of 2 · 7 insights"
    assert [b.split(":")[0] for b in embed.description.split("\n\n")] == [
        "> Insight number 2",
        "> Insight number 1",
    ]
    back = await c.bob.click(page_two.response, label="◀ Previous")
    assert back.response.embeds[0].footer.text == "Page 1 of 2 · 7 insights"


@restarts(InsightsPage)
async def test_insights_pages_turn_after_a_restart(env, make_bot) -> None:
    c = community(env)
    for n in range(1, 8):
        await share(c, c.alice, n)
        await env.advance_time(HOUR)
    result = await c.bob.slash(c.general, "episode insights")
    await restart(env, make_bot)
    page_two = await c.bob.click(result.response, label="Next ▶")
    embed = page_two.response.embeds[0]
    assert embed.footer.text == "Page 2 of 2 · 7 insights"
    assert [b.split(":")[0] for b in embed.description.split("\n\n")] == [
        "> Insight number 2",
        "> Insight number 1",
    ]


async def test_insights_respects_days_and_says_so_when_there_are_none(env) -> None:
    c = community(env)
    empty = await c.alice.slash(c.general, "episode insights")
    assert "No insights shared yet" in empty.response.embeds[0].description
    await share(c, c.alice, 1)
    await env.advance_time(2 * 24 * HOUR)
    await share(c, c.bob, 2)
    recent = await c.alice.slash(c.general, "episode insights", days=1)
    assert recent.response.embeds[0].title == "Insights shared in the last day"
    assert "Insight number 2" in recent.response.embeds[0].description
    assert "Insight number 1" not in recent.response.embeds[0].description


async def test_facilitators_set_the_digest_day_and_time(env) -> None:
    c = community(env)
    episodes = await episodes_channel(env, c)
    await c.facilitator.slash(c.general, "settings timezone", timezone="Europe/Berlin")
    result = await c.facilitator.slash(c.general, "episode insights", digest_day="friday", digest_time="9:30")
    assert result.ephemeral
    text = told(result)
    assert f"posted every Friday at 09:30 (Europe/Berlin) in {episodes.mention}" in text
    assert "<t:1767342600:F>" in text  # Friday 2 January 2026, 09:30 Berlin = 08:30 UTC
    assert await next_digest(env, c) == datetime(2026, 1, 2, 8, 30, tzinfo=UTC)
    member = await c.alice.slash(c.general, "episode insights", digest_day="monday")
    assert "Only facilitators" in told(member)
    bad = await c.facilitator.slash(c.general, "episode insights", digest_time="25:00")
    assert "hours go to 23" in told(bad)
    off = await c.facilitator.slash(c.general, "episode insights", digest_day="off")
    assert "**off**" in told(off)
    assert await env.bot.scheduler.next_run(DIGEST_KIND, str(c.guild.id)) is None
    await share(c, c.alice, 1)  # sharing doesn't switch a disabled digest back on
    assert await next_digest(env, c) is None
    on = await c.facilitator.slash(c.general, "episode insights", digest_day="sunday")
    assert "every Sunday at 09:30 (Europe/Berlin)" in told(on)


async def test_the_weekly_digest_lists_the_weeks_insights_once_across_restarts(env, make_bot) -> None:
    c = community(env)
    episodes = await episodes_channel(env, c)
    await share(c, c.alice, 1)
    await share(c, c.bob, 2, channel=episodes)
    await env.advance_time(89 * HOUR)  # Sunday 17:00 UTC
    assert digests(episodes) == []
    await env.bot.close_resources(clean=False)  # the bot is down across 18:00...
    await env.advance_time(2 * HOUR)
    await env.restart_bot(make_bot())  # ...and back at 19:00, inside the grace window
    await env.bot.scheduler.caught_up.wait()
    [digest] = digests(episodes)
    embed = digest.embeds[0]
    assert embed.title == "What our community is carrying this week"
    assert embed.description.startswith("> Insight number 1: stay a little longer with what is hard.")
    assert f"— <@{c.bob.id}> on [Episode 2](https://listening.example/ep-2)" in embed.description
    assert "2 insights shared this week" in embed.footer.text and "posted late" in embed.footer.text
    assert pings_nobody(env, digest)
    await restart(env, make_bot)
    await env.advance_time(HOUR)
    assert len(digests(episodes)) == 1
    assert await rows(
        env.bot, "SELECT status, occurrence FROM deliveries WHERE kind = ?", (DIGEST_KIND,)
    ) == [{"status": "late", "occurrence": "2026-01-04T18:00:00+00:00"}]
    assert len(await rows(env.bot, "SELECT * FROM episode_digest_posts")) == 1


async def test_a_quiet_week_posts_no_digest(env) -> None:
    c = community(env)
    episodes = await episodes_channel(env, c)
    await share(c, c.alice, 1)
    week_later = datetime(2026, 1, 11, 18, 0, tzinfo=UTC)
    status = await env.bot.scheduler.run(DIGEST_KIND, str(c.guild.id), week_later)
    assert status == "posted"
    assert digests(episodes) == [] and digests(c.general) == []
    [entry] = await rows(env.bot, "SELECT detail FROM deliveries WHERE kind = ?", (DIGEST_KIND,))
    assert entry["detail"] == "no insights this week; nothing posted"
    assert await env.bot.scheduler.run(DIGEST_KIND, str(c.guild.id), week_later) == "duplicate"


async def test_the_digest_follows_the_guilds_time_zone(env) -> None:
    c = community(env)
    await c.facilitator.slash(c.general, "settings timezone", timezone="America/New_York")
    await share(c, c.alice, 1)
    # Sunday 4 January 18:00 in New York is 23:00 UTC
    assert await next_digest(env, c) == datetime(2026, 1, 4, 23, 0, tzinfo=UTC)
    await c.facilitator.slash(c.general, "settings timezone", timezone="Asia/Tokyo")
    await share(c, c.bob, 2)
    assert await next_digest(env, c) == datetime(2026, 1, 4, 9, 0, tzinfo=UTC)
