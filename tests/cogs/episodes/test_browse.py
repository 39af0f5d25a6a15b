"""`/episode browse` and `/episode random` on simcord: library + feed episodes + shares, paged."""

from __future__ import annotations

from cogs.episodes.views import AnotherEpisode, BrowsePage
from tests.helpers import community, refused, restart, restarts, told


async def with_everything(env, c, feed_server) -> None:
    """A followed Atom feed (2 episodes) and one member share, besides the 16-entry library."""
    added = await c.facilitator.slash(c.general, "episode feed-add", url=feed_server.url("/feed/stillness"))
    assert "Now following" in told(added)
    shared = await c.alice.slash(
        c.general,
        "episode share",
        url="https://listening.example/wheel-at-work",
        insight="Coming back to the hub of the Wheel of Awareness between meetings steadies me.",
        title="A Wheel at Work",
    )
    assert "Shared in" in told(shared)


def titles(embed) -> list[str]:
    return [block.split("\n")[0] for block in embed.description.split("\n\n")]


@restarts(BrowsePage)
async def test_browse_pages_through_shares_feed_episodes_and_the_library(env, feed_server, make_bot) -> None:
    c = community(env)
    await with_everything(env, c, feed_server)
    result = await c.bob.slash(c.general, "episode browse")
    assert result.ephemeral
    embed = result.response.embeds[0]
    assert embed.footer.text == "Page 1 of 4 · 19 episodes"
    first = titles(embed)
    assert first[0].startswith("**[A Wheel at Work](https://listening.example/wheel-at-work)**")
    assert first[1].startswith("**[Hub and Rim: A Short Wheel of Awareness]")
    assert (
        first[3] == "**Interpersonal Neurobiology: How Relationships Shape the Brain**"
    )  # no link in the library
    assert f"shared by <@{c.alice.id}>" in embed.description
    assert "> Coming back to the hub" in embed.description
    second = await c.bob.click(result.response, label="Next ▶")
    assert second.response.embeds[0].footer.text == "Page 2 of 4 · 19 episodes"
    await restart(env, make_bot)  # paging buttons keep working after a restart
    third = await c.bob.click(second.response, label="Next ▶")
    assert third.response.embeds[0].footer.text == "Page 3 of 4 · 19 episodes"
    last = await c.bob.click(third.response, label="Next ▶")
    assert last.response.embeds[0].footer.text == "Page 4 of 4 · 19 episodes"
    assert len(titles(last.response.embeds[0])) == 4


async def test_a_theme_picks_library_entries_and_matching_feed_episodes_and_shares(env, feed_server) -> None:
    c = community(env)
    await with_everything(env, c, feed_server)
    result = await c.bob.slash(c.general, "episode browse", theme="wheel-of-awareness")
    embed = result.response.embeds[0]
    assert embed.title == "Episodes to listen to · The Wheel of Awareness"
    assert embed.footer.text == "Page 1 of 2 · 6 episodes"  # 4 library entries, 1 feed episode, 1 share
    shown = titles(embed)
    assert "A Wheel at Work" in shown[0]  # a share, matched by its words
    assert "Hub and Rim" in shown[1]  # a feed episode, matched by its words
    assert all("Memory Lives in the Body" not in t for t in shown)


async def test_a_query_matches_words_anywhere_titles_first(env, feed_server) -> None:
    c = community(env)
    await with_everything(env, c, feed_server)
    result = await c.bob.slash(c.general, "episode browse", query="memories")
    embed = result.response.embeds[0]
    assert embed.title == "Episodes to listen to · “memories”"
    assert titles(embed) == [
        "**[Memory Lives in the Body](https://stillness-notes.example/2025/12/memory-body)**"
    ]
    none = await c.bob.slash(c.general, "episode browse", query="zebra")
    assert "Nothing matches that yet" in none.response.embeds[0].description
    assert none.response.components == []


async def test_autocomplete_offers_themes_and_titles_from_every_source(env, feed_server) -> None:
    c = community(env)
    await with_everything(env, c, feed_server)
    themes = await c.bob.autocomplete(c.general, "episode browse", "theme", "win")
    assert [t["name"] for t in themes] == ["The window of tolerance"]
    assert themes[0]["value"] == "window-of-tolerance"
    all_themes = await c.bob.autocomplete(c.general, "episode random", "theme", "")
    assert len(all_themes) == 8
    titles_found = await c.bob.autocomplete(c.general, "episode browse", "query", "wheel")
    names = [t["name"] for t in titles_found]
    assert "A Wheel at Work" in names
    assert "Hub and Rim: A Short Wheel of Awareness — Stillness Notes" in names
    assert any(n.startswith("Listening for: hub, rim and spoke") for n in names)
    assert all(len(t["value"]) <= 60 and len(t["name"]) <= 100 for t in titles_found)
    everything = await c.bob.autocomplete(c.general, "episode browse", "query", "")
    assert len(everything) == 19


async def test_random_with_an_unknown_theme_names_the_themes(env) -> None:
    c = community(env)
    result = await c.bob.slash(c.general, "episode random", theme="cooking")
    refused(result, "“cooking”", "not one of our themes", "`The Wheel of Awareness`")
    assert result.response.embeds == [] and result.response.components == []  # no episode, no button


async def test_an_unknown_theme_is_explained(env) -> None:
    c = community(env)
    result = await c.bob.slash(c.general, "episode browse", theme="cooking")
    assert result.ephemeral
    assert "not one of our themes" in told(result) and "`The Wheel of Awareness`" in told(result)


@restarts(AnotherEpisode)
async def test_random_gives_one_episode_on_the_theme_and_another_on_request(
    env, feed_server, make_bot
) -> None:
    c = community(env)
    library = {e.title for e in env.bot.content.episodes.episodes if "trauma-memory-body" in e.themes}
    allowed = library | {"Memory Lives in the Body"}
    result = await c.alice.slash(c.general, "episode random", theme="trauma-memory-body")
    assert result.ephemeral
    embed = result.response.embeds[0]
    assert embed.title == "Something to listen to · Trauma, memory and the body"
    assert any(title in embed.description for title in library)
    await restart(env, make_bot)
    for _ in range(5):
        again = await c.alice.click(result.response, label="Another one 🎧")
        assert any(title in again.response.embeds[0].description for title in allowed)
    anything = await c.alice.slash(c.general, "episode random")
    assert anything.response.embeds[0].title == "Something to listen to"
