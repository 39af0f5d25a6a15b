"""What members see stays within Discord's limits and never turns member text into pings."""

from __future__ import annotations

from cogs.sits import render
from tests.cogs.sits.factory import NOW, as_sit, draft


def test_member_text_is_shown_plain() -> None:
    shown = render.plain("@everyone <@123456789012345678> <@&123456789012345678> **hi**")
    assert shown == (
        "@\u200beveryone <@\u200b123456789012345678> <@\u200b&123456789012345678> \\*\\*hi\\*\\*"
    )


def test_mentions_are_split_to_fit_messages() -> None:
    ids = [10**18 + i for i in range(150)]
    chunks = render.mention_chunks(ids)
    assert [len(c.split()) for c in chunks] == [60, 60, 30]
    assert all(len(c) < 2000 for c in chunks)


def test_the_announcement_fits_an_embed_even_with_a_long_title() -> None:
    sit = as_sit(draft(title="T" * 100, guide="wheel", voice_channel_id=10**18), host_id=10**18)
    start = sit.current(NOW)
    embed = render.announcement_embed(sit, start, {"going": 3, "maybe": 1, "cant": 0}, now=NOW)
    assert len(embed) < 6000 and len(embed.title or "") <= 256 and len(embed.fields) <= 25
    assert render.rsvp_line({"going": 3, "maybe": 1, "cant": 0}) == (
        "✅ Going **3** · 🤔 Maybe **1** · 🚫 Can't **0**"
    )


def test_people_counts_read_naturally() -> None:
    assert render.people(0).startswith("No one was counted yet")
    assert render.people(1) == "**1 person sat with us.**"
    assert render.people(7) == "**7 people sat together.**"
