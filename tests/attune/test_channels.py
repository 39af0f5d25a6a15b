"""The one wording and key format of "I can't post here" notices (attune/channels.py)."""

from attune.channels import Purpose, notice_key


def test_notice_keys_have_one_format() -> None:
    assert notice_key("sits", "permissions", 42) == "sits:permissions:42"
    assert notice_key("episodes", "no-channel") == "episodes:no-channel"


class Channel:
    mention = "<#42>"


def test_a_missing_permission_notice_names_each_permission_the_channel_and_the_way_out() -> None:
    purpose = Purpose("wheel", "post today's prompt", "move the prompts with `/wheel schedule`")
    one = purpose.missing_text(Channel(), ["Send Messages"])  # type: ignore[arg-type]
    assert one == (
        "⚠️ I can't post today's prompt in <#42>: I'm missing the **Send Messages** permission there. "
        "Grant it to my role, or move the prompts with `/wheel schedule`."
    )
    two = purpose.missing_text(Channel(), ["Embed Links", "Attach Files"])  # type: ignore[arg-type]
    assert "**Embed Links**, **Attach Files** permissions there. Grant them to my role" in two
    assert purpose.gone_text(42).endswith(
        "no longer exists or I can't see it. Move the prompts with `/wheel schedule`."
    )
