"""Bad input, property-based: whatever people type or an editor saves, Attune answers with its own
clear error (``UserError`` for members, ``ContentError``-style problem lines for content files) or
accepts it — never another exception, never a ping, never a half-written row.

The pure functions get many generated examples each: ``when`` strings, clocks and day lists, time
zone names, links, episode insights and titles, check-in notes, and content YAML with values of the
wrong type. A smaller set of generated examples is then driven through the real bot on simcord, where
the messages Discord would receive are checked for mentions and the tables for unchanged row counts
after every rejected input. Examples are derandomized, so CI sees the same ones every run.
"""

from __future__ import annotations

import copy
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import discord
import yaml
from discord import app_commands
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from simcord.backend.errors import OptionError

from attune.config import DEFAULT_CONTENT_DIR
from attune.content import FILES, Content, load_content, validate_file
from attune.cooldowns import Limit
from attune.errors import ContentError, UserError
from attune.when import get_zone, parse_clock, parse_days, parse_when, timezone_choices
from cogs.checkins import render as checkin_render
from cogs.checkins.models import NOTE_LIMIT, clean_note
from cogs.episodes import render as episode_render
from cogs.episodes.cog import INSIGHT_MAX, TITLE_MAX, clean_insight, clean_title
from cogs.episodes.urls import check_url, url_problem
from cogs.sits import render as sit_render
from cogs.sits.drafting import new_draft
from tests.cogs.checkins.sim import check_in, set_up_daily
from tests.helpers import community, pings_nobody, refused, rows, told

T = TypeVar("T")

NOW = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night Europe/Berlin springs forward
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago")

#: Raw mention syntax that would notify people if it reached Discord as message content unescaped
#: (an id is a snowflake of 17–20 digits, as in ``discord.utils.escape_mentions``).
PING = re.compile(r"@(everyone|here)|<@[!&]?\d{17,20}>")
HOSTILE = [
    "@everyone",
    "@here",
    "<@&123456789012345678>",
    "<@123456789012345678>",
    "<@!123456789012345678>",
    "**bold**",
    "__under__",
    "`tick`",
    "```",
    "> quote",
    "||spoiler||",
    "# Heading",
    "[link](https://example.com)",
    "\u200b",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u202e",
    "\n",
    "\t",
    "\x00",
    "٣",
    "🧘",
    "Z\u0337\u0327a\u0336l\u0334g\u0337o",
]

hostile_text = st.one_of(
    st.text(max_size=80),
    st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=6)), max_size=12).map("".join),
    st.tuples(st.sampled_from([*HOSTILE, "x", "é"]), st.integers(1, 10_000)).map(
        lambda pair: (pair[0] * pair[1])[:10_000]
    ),
)
WHEN_WORDS = [
    "in", "30", "0", "9999", "min", "minutes", "h", "hours", "tomorrow", "today", "tonight", "next",
    "every", "mon", "tue,thu", "weekdays", "mon-fri", "19:00", "7pm", "12am", "24:00", "23:59", "-5",
    "a.m.", "p.m.", "am", "t", "T",
]  # fmt: skip
when_text = st.one_of(
    hostile_text,
    st.lists(st.one_of(st.sampled_from(WHEN_WORDS), st.sampled_from(HOSTILE)), max_size=6).map(" ".join),
    st.tuples(st.dates(), st.sampled_from(WHEN_WORDS)).map(lambda pair: f"{pair[0].isoformat()} {pair[1]}"),
    st.tuples(  # the edges of the calendar, where converting to UTC can leave it
        st.sampled_from(["0001-01-01", "0001-01-02", "9999-12-30", "9999-12-31"]),
        st.sampled_from(["00:00", "07:30", "13:00", "19:00", "23:59", "11pm"]),
    ).map(" ".join),
    st.tuples(st.integers(0, 99_999), st.integers(0, 99), st.integers(0, 99)).map(
        lambda t: f"{t[0]:04d}-{t[1]}-{t[2]} 07:30"
    ),
)
url_text = st.one_of(
    hostile_text,
    st.tuples(
        st.sampled_from(["https", "http", "HTTPS", "javascript", "data", "ftp", "", "file"]),
        st.sampled_from(["example.com", "", "[::1]", "user:pw@example.com", "example.com:0",
                         "example.com:99999", "[", "exa mple.com", "xn--e1afmkfd.xn--p1ai", "@everyone"]),
        st.one_of(st.sampled_from(["", "/", "/a?b=c#d", "/<@&1>", "/%00"]), hostile_text),
    ).map(lambda t: f"{t[0]}://{t[1]}{t[2]}"),
)  # fmt: skip


def examples(max_examples: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Deterministic, modest, no deadline: the same examples on every run and every machine."""
    return settings(
        max_examples=max_examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def drawn(strategy: st.SearchStrategy[T], count: int) -> list[T]:
    """``count`` deterministic examples of ``strategy``, to drive through the bot one by one."""
    found: list[T] = []

    @settings(max_examples=count, derandomize=True, database=None, deadline=None, phases=[Phase.generate])
    @given(strategy)
    def collect(value: T) -> None:
        found.append(value)

    collect()
    return found


def no_ping(text: str) -> bool:
    return PING.search(text) is None


# ----------------------------------------------------------------------------- pure functions


@examples(250)
@given(text=when_text, zone=st.sampled_from(ZONES))
@example(text="9999-12-31 23:59", zone="America/New_York")  # past the end of UTC's calendar
@example(text="0001-01-01 00:00", zone="Europe/Berlin")  # before its start
def test_when_strings_parse_or_say_what_is_wrong(text: str, zone: str) -> None:
    try:
        when = parse_when(text, ZoneInfo(zone), NOW)
    except UserError as error:
        assert str(error) and len(str(error)) < 2000
        return
    assert when.at.tzinfo is not None and when.at > NOW


@examples(200)
@given(text=hostile_text)
def test_clocks_and_day_lists_parse_or_say_what_is_wrong(text: str) -> None:
    for parse in (parse_clock, parse_days):
        try:
            parse(text)
        except UserError as error:
            assert str(error)


ZONE_EDGES = [
    "America", "America/", "Etc/../UTC", "/etc/UTC", "america/new_york", " Europe/Berlin ",
    "Europe//Berlin", "Europe/Berlin/", "posixrules", "zone.tab", "Europe/Berlin\x00",
]  # fmt: skip


@examples(200)
@given(name=st.one_of(hostile_text, st.sampled_from(ZONE_EDGES)))
def test_time_zone_names_resolve_or_say_what_is_wrong(name: str) -> None:
    try:
        zone = get_zone(name)
    except UserError as error:
        assert "is not a time zone I know" in str(error)
    else:
        assert zone.key
    choices = timezone_choices(name)
    assert len(choices) <= 25
    assert all(get_zone(choice).key == choice for choice in choices)


@examples(250)
@given(text=url_text)
def test_links_are_http_or_say_what_is_wrong(text: str) -> None:
    try:
        link = check_url(text)
    except UserError as error:
        assert "can't be used" in str(error) and len(str(error)) < 2000
        return
    assert link.lower().startswith(("http://", "https://")) and url_problem(link) is None


@examples(200)
@given(insight=hostile_text, title=st.one_of(st.none(), hostile_text))
def test_insights_and_titles_are_clean_or_refused(insight: str, title: str | None) -> None:
    try:
        text, shown_title = clean_insight(insight), clean_title(title)
    except UserError as error:
        assert "Nothing was shared" in str(error) or "empty" in str(error)
        return
    assert 0 < len(text) <= INSIGHT_MAX and (shown_title is None or 0 < len(shown_title) <= TITLE_MAX)
    thread = episode_render.thread_name(shown_title or "Episode")
    assert 0 < len(thread) <= 100 and no_ping(thread)


@examples(150)
@given(note=hostile_text, name=hostile_text.filter(lambda n: 0 < len(n) <= 32))
def test_checkin_notes_are_saved_inert_or_refused(note: str, name: str) -> None:
    content = _content()
    cleaned = clean_note(note)
    if cleaned is not None and len(cleaned) > NOTE_LIMIT:
        return  # the flow trims it first (test_flow.py); only a note within the limit is shared
    assert cleaned is None or len(cleaned) <= NOTE_LIMIT
    emotion = content.emotions.words[0]
    embed = checkin_render.shared_embed(content, name, "within", emotion, cleaned)
    assert len(embed.description or "") <= 4096 and no_ping(embed.description or "")


@examples(200)
@given(title=hostile_text)
def test_sit_titles_are_plain_text_in_every_post(title: str) -> None:
    shown = sit_render.plain(title)
    assert no_ping(shown)
    assert "**" not in shown.replace("\\*", "")  # markdown typed into a title is escaped


# ----------------------------------------------------------------------------- content files


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


_CONTENT: dict[str, Any] = {}


def _content() -> Content:
    if "content" not in _CONTENT:
        _CONTENT["content"] = load_content(DEFAULT_CONTENT_DIR)
        _CONTENT["yaml"] = {
            name: yaml.safe_load((DEFAULT_CONTENT_DIR / name).read_text("utf-8")) for name in FILES
        }
        _CONTENT["paths"] = {name: list(_paths(data)) for name, data in _CONTENT["yaml"].items()}
    content: Content = _CONTENT["content"]
    return content


wrong_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    hostile_text,
)


def _mutated(name: str, path_index: int, value: Any) -> Any:
    data = copy.deepcopy(_CONTENT["yaml"][name])
    paths = _CONTENT["paths"][name]
    path = paths[path_index % len(paths)]
    if not path:
        return value
    node = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return data


def _scratch() -> Path:
    """One folder with a copy of every content file, reused across examples (each restores its file)."""
    if "scratch" not in _CONTENT:
        folder = Path(tempfile.mkdtemp(prefix="attune-content-"))
        for name in FILES:
            shutil.copy(DEFAULT_CONTENT_DIR / name, folder / name)
        _CONTENT["scratch"] = folder
    scratch: Path = _CONTENT["scratch"]
    return scratch


@examples(100)
@given(
    name=st.sampled_from(sorted(FILES)),
    path_index=st.integers(min_value=0),
    value=wrong_value,
    raw=st.one_of(st.none(), hostile_text),
)
def test_content_with_wrong_types_is_reported_by_file_and_key(
    name: str, path_index: int, value: Any, raw: str | None
) -> None:
    _content()
    directory = _scratch()
    target = directory / name
    original = (DEFAULT_CONTENT_DIR / name).read_text("utf-8")
    try:
        if raw is None:
            target.write_text(yaml.safe_dump(_mutated(name, path_index, value), allow_unicode=True), "utf-8")
        else:  # a text edit gone wrong: something pasted into the middle of the file
            cut = path_index % (len(original) + 1)
            target.write_text(original[:cut] + raw + original[cut:], "utf-8")
        model, problems = validate_file(directory, name)
    finally:
        target.write_text(original, "utf-8")
    assert (model is None) == bool(problems)
    assert all(problem.startswith(str(target)) and "\n" not in problem for problem in problems)


def test_a_broken_content_file_stops_start_up_with_its_problems(tmp_path: Path) -> None:
    for name in FILES:
        shutil.copy(DEFAULT_CONTENT_DIR / name, tmp_path / name)
    _content()
    broken = _mutated("emotions.yaml", 7, {"not": "a word"})
    (tmp_path / "emotions.yaml").write_text(yaml.safe_dump(broken, allow_unicode=True), "utf-8")
    (tmp_path / "sits.yaml").write_text("closing_words: [unclosed\n", "utf-8")
    try:
        load_content(tmp_path)
    except ContentError as error:
        assert {p.split(":")[0] for p in error.problems} == {
            str(tmp_path / "emotions.yaml"),
            str(tmp_path / "sits.yaml"),
        }
    else:  # pragma: no cover - the assertion below explains
        raise AssertionError("broken content files were accepted")


# ----------------------------------------------------------------------------- through the bot


async def _counted(env: Any, table: str) -> int:
    return int((await rows(env.bot, f"SELECT COUNT(*) AS n FROM {table}"))[0]["n"])  # noqa: S608


def _bot_posts(env: Any, channel: Any) -> list[discord.Message]:
    """What the bot sent (not Discord's own "started a thread" notices) in a channel and its threads."""
    found = [*channel.history()]
    for thread in getattr(channel, "threads", []):
        found += thread.history()
    return [m for m in found if m.author.id == env.bot.user.id and m.type is discord.MessageType.default]


def _command(env: Any, name: str) -> app_commands.Command[Any, ..., Any]:
    group, _, leaf = name.partition(" ")
    found = env.bot.tree.get_command(group)
    if leaf:
        found = found.get_command(leaf)
    assert isinstance(found, app_commands.Command), f"no command /{name}"
    return found


def _discord_refuses(env: Any, command: str, options: dict[str, Any]) -> bool:
    """Whether a value lies outside the bounds the command declares to Discord (so it never arrives)."""
    declared = {p.display_name: p for p in _command(env, command).parameters}
    for name, value in options.items():
        parameter = declared[name]  # a renamed option fails here, loudly
        if isinstance(value, str) and (
            (parameter.max_value is not None and len(value) > parameter.max_value)
            or (parameter.min_value is not None and len(value) < parameter.min_value)
        ):
            return True
    return False


async def _slash(env: Any, actor: Any, channel: Any, command: str, **options: Any) -> Any | None:
    """The command's result, or ``None`` when Discord itself refuses a value outside the declared bounds.

    Only a too-long or too-short value may be refused that way, and only when the command declares
    that bound; a renamed command or option, or any other set-up problem, fails the test.
    """
    refuses = _discord_refuses(env, command, options)
    try:
        result = await actor.slash(channel, command, **options)
    except OptionError as error:
        assert refuses and error.code == "option-length", error
        return None
    assert not refuses, f"Discord would have refused {options}"
    return result


def _assert_inert(env: Any, posts: list[discord.Message]) -> None:
    for post in posts:
        assert pings_nobody(env, post), post.content
        assert no_ping(post.content), post.content


def _outcome(check: Callable[[], object]) -> UserError | None:
    """The rules' own verdict on an input: ``None`` when accepted, else the UserError they raise."""
    try:
        check()
    except UserError as error:
        return error
    return None


async def test_sit_schedule_with_hostile_when_and_titles(env: Any) -> None:
    c = community(env)
    await c.facilitator.slash(c.general, "settings timezone", timezone="America/New_York")

    def draft(**options: str) -> None:
        values = {"title": "Evening sit", "when": "tomorrow 07:30"} | options
        new_draft(zone_name="America/New_York", now=discord.utils.utcnow(), channel_id=c.general.id, **values)

    # ``when``: accepted exactly when the rules accept it; a refusal is private, says what is wrong
    # with the time and leaves no sit and no post behind.
    special = {
        "9999-12-31 23:59": ("two years",),
        "0001-1-1 0:00": ("in the past",),
        "\u200b": ("`19:00`",),
        "@everyone": ("`19:00`",),
    }
    accepted = ["tomorrow 07:30", "19:00", "mon 19:00", "2026-12-01 19:00"]  # the examples it gives
    refusals: list[str] = []
    taken: list[str] = []
    for when in [*drawn(when_text, 25), *special, *accepted]:
        sits, posts = await _counted(env, "sits"), len(_bot_posts(env, c.general))
        result = await _slash(env, c.facilitator, c.general, "sit schedule", title="Evening sit", when=when)
        if result is None:  # longer than `when`'s declared max_length: Discord refused it (see _slash)
            assert await _counted(env, "sits") == sits
            continue
        expected = _outcome(lambda when=when: draft(when=when))
        if expected is None:
            taken.append(when)
            assert await _counted(env, "sits") == sits + 1, when
            assert len(_bot_posts(env, c.general)) == posts + 1, when
            assert "Scheduled" in told(result) and result.ephemeral
        else:
            refusals.append(when)
            refused_text = refused(result, *special.get(when, ()))
            assert re.search(r"time|date|day|hour", refused_text, re.I), refused_text  # what was wrong
            assert re.search(r"`[^`]*\d:\d\d[^`]*`", refused_text), refused_text  # an example to copy
            assert await _counted(env, "sits") == sits, "a refused sit was stored"
            assert len(_bot_posts(env, c.general)) == posts, "a refused sit left a post behind"
    assert set(accepted) <= set(taken) and set(special) <= set(refusals)  # both outcomes exercised
    # Titles: a refusal says what is wrong with the title; whatever is accepted is shown as plain
    # text in the announcement, reminder and bells.
    for title in [*drawn(hostile_text, 20), "@everyone **now** <@&1> <@2>", "x" * 101]:
        sits = await _counted(env, "sits")
        options = {"title": title, "when": "tomorrow 07:30"}
        result = await _slash(env, c.facilitator, c.general, "sit schedule", **options)
        if result is None:  # longer than the title's declared max_length: Discord refused it
            assert await _counted(env, "sits") == sits, title
            continue
        expected = _outcome(lambda title=title: draft(title=title))
        if expected is None:
            assert await _counted(env, "sits") == sits + 1, title
        else:
            refused(result, "title", "`Tuesday evening sit`")
            assert await _counted(env, "sits") == sits, title
    assert result is None  # the last title, 101 characters: over the declared limit, refused by Discord
    await env.advance_time(2 * 24 * 3600)
    posts = _bot_posts(env, c.general)
    assert any("has ended" in p.content for p in posts)  # the bells really were rendered
    _assert_inert(env, posts)


async def test_checkin_notes_with_hostile_text(env: Any) -> None:
    c = community(env)
    await set_up_daily(c, time="09:00")
    await env.advance_time(9 * 3600 + 120)
    [thread] = c.general.threads
    # Sharing limits are not what this test is about: lift them, so every note is shared.
    await env.bot.cooldowns.set_limit(c.guild.id, "checkin-share", Limit(0, 60))
    notes = [n for n in drawn(hostile_text, 12) if len(n) <= NOTE_LIMIT]  # the modal's own limit
    saved = 0
    for note in [*notes, "@everyone " * 50, "<@&1> " * 83 + "x"]:
        stored = await _counted(env, "checkins")
        await check_in(c.alice, c.general, note=note, share=True)
        assert await _counted(env, "checkins") == stored + 1  # a note never costs the check-in
        saved += 1
    shared = [m for m in thread.history() if m.embeds]
    assert len(shared) == saved  # every saved, shared check-in was posted once
    assert all(no_ping(m.embeds[0].description or "") for m in shared)
    _assert_inert(env, shared)


async def test_episode_shares_with_hostile_links_insights_and_titles(env: Any) -> None:
    c = community(env)
    cases = drawn(st.tuples(url_text, hostile_text, st.one_of(st.none(), hostile_text)), 20)
    cases += [
        ("https://example.com/ep/1", "@everyone listen <@&1> <@2> **now**", "@here <@&3>"),
        ("javascript://example.com/%0aalert(1)", "x", None),
        ("https://user:pw@example.com/", "x", None),
        ("https://example.com:99999/", "x", None),
    ]
    shared_links: set[str] = set()
    accepted = 0
    for url, insight, title in cases:
        shares, posts = await _counted(env, "episode_shares"), len(_bot_posts(env, c.general))
        options = {"url": url, "insight": insight} | ({"title": title} if title is not None else {})
        result = await _slash(env, c.alice, c.general, "episode share", **options)
        if result is None:  # Discord refused a value outside the declared bounds
            assert await _counted(env, "episode_shares") == shares
            continue

        # The rules in the order the command applies them: the first problem is the one told.
        problems = [
            (_outcome(lambda url=url: check_url(url, what="episode link")), ("link", "https://")),
            (_outcome(lambda insight=insight: clean_insight(insight)), ("insight",)),
            (_outcome(lambda title=title: clean_title(title)), ("title", str(TITLE_MAX))),
        ]
        first = next((words for problem, words in problems if problem is not None), None)
        if first is None and check_url(url) in shared_links:
            refused(result, "a moment ago")  # the same link again: already posted
            assert await _counted(env, "episode_shares") == shares
        elif first is None:
            shared_links.add(check_url(url))
            accepted += 1
            assert await _counted(env, "episode_shares") == shares + 1
            assert len(_bot_posts(env, c.general)) == posts + 1  # the share, once
            assert result.ephemeral and "Shared in" in told(result), told(result)
        else:
            refused(result, *first)
            assert await _counted(env, "episode_shares") == shares
            assert len(_bot_posts(env, c.general)) == posts, "a refused share left a post behind"
    posts = _bot_posts(env, c.general)
    assert accepted == len(posts) and accepted >= 1  # some shares were accepted, each posted once
    _assert_inert(env, posts)


async def test_time_zones_clocks_and_log_notes_refused_without_a_trace(env: Any) -> None:
    c = community(env)
    for name in [*drawn(hostile_text, 15), "Europe/../UTC", "America", "\u200bUTC", "Europe/Berlin"]:
        before = await rows(env.bot, "SELECT * FROM guild_settings")
        result = await _slash(env, c.facilitator, c.general, "settings timezone", timezone=name)
        assert result is not None
        after = await rows(env.bot, "SELECT * FROM guild_settings")
        expected = _outcome(lambda name=name: get_zone(name))
        if expected is None:
            assert after[0]["timezone"] == get_zone(name).key and result.ephemeral
        else:
            refused(result, "time zone", "`Europe/Berlin`")
            assert after == before  # nothing stored
    clocks = drawn(st.tuples(hostile_text, st.one_of(st.none(), hostile_text)), 15)
    for clock, zone in [*clocks, ("07:30", None), ("07:30", "Mars/Olympus"), ("25:00", "UTC")]:
        before = await rows(env.bot, "SELECT * FROM checkin_reminders")
        options = {"time": clock} | ({"timezone": zone} if zone is not None else {})
        result = await _slash(env, c.alice, c.general, "checkin remind", **options)
        assert result is not None
        turned_off = clock.strip().lower() in {"off", "stop", "none", "no", "disable"}

        def rules(clock: str = clock, zone: str | None = zone) -> None:
            parse_clock(clock)
            if zone:
                get_zone(zone)

        expected = None if turned_off else _outcome(rules)
        if expected is not None:
            refused(result, "`07:30`" if _outcome(lambda clock=clock: parse_clock(clock)) else "time zone")
            assert await rows(env.bot, "SELECT * FROM checkin_reminders") == before
        elif turned_off:
            assert (
                refused(result, "reminder") and await rows(env.bot, "SELECT * FROM checkin_reminders") == []
            )
        else:
            assert result.ephemeral and await rows(env.bot, "SELECT * FROM checkin_reminders") != before
    assert len(await rows(env.bot, "SELECT * FROM checkin_reminders")) == 1  # the 07:30 one
    for note in [*drawn(hostile_text, 10), "@everyone " * 51]:
        logs = await _counted(env, "sit_logs")
        result = await _slash(env, c.alice, c.general, "sit log", minutes=10, note=note)
        if result is None:  # longer than the note's declared 500: Discord refused it (see _slash)
            assert await _counted(env, "sit_logs") == logs
            continue
        if len(note.strip()) > 500:
            refused(result, "note", "500", "Nothing was logged")
            assert await _counted(env, "sit_logs") == logs
        else:
            assert result.ephemeral and "Logged **10 minutes**" in told(result)
            assert await _counted(env, "sit_logs") == logs + 1
