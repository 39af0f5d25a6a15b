"""Content files: the shipped ones are valid; every problem names its file and key path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from attune.config import DEFAULT_CONTENT_DIR
from attune.content import FILES, load_content, validate_file
from attune.errors import ContentError


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, target)
    return target


def edit(folder: Path, name: str, change) -> None:
    data = yaml.safe_load((folder / name).read_text("utf-8"))
    change(data)
    (folder / name).write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")


def test_shipped_content_is_valid() -> None:
    content = load_content(DEFAULT_CONTENT_DIR)
    assert len(content.emotions.words) >= 60
    assert set(FILES) == {p.name for p in DEFAULT_CONTENT_DIR.glob("*.yaml")}


def test_wrong_type_names_the_key_path(copy: Path) -> None:
    edit(copy, "emotions.yaml", lambda d: d["words"][3].update(energy="very"))
    _, problems = validate_file(copy, "emotions.yaml")
    assert any(p.startswith(f"{copy / 'emotions.yaml'}: words[3].energy:") for p in problems), problems


def test_every_problem_is_reported_at_once(copy: Path) -> None:
    edit(copy, "emotions.yaml", lambda d: d["words"][0].update(pleasantness=9))
    edit(copy, "checkin.yaml", lambda d: d["zones"].pop("support"))
    (copy / "sits.yaml").unlink()
    with pytest.raises(ContentError) as caught:
        load_content(copy)
    joined = "\n".join(caught.value.problems)
    assert "emotions.yaml: words[0].pleasantness" in joined
    assert "checkin.yaml" in joined and "support" in joined
    assert "sits.yaml: file is missing" in joined


def test_unknown_keys_are_rejected(copy: Path) -> None:
    edit(copy, "support.yaml", lambda d: d.update(extra="?"))
    _, problems = validate_file(copy, "support.yaml")
    assert any("extra" in p for p in problems)


def test_support_text_must_say_it_is_not_professional_care(copy: Path) -> None:
    edit(copy, "support.yaml", lambda d: d.update(safety_text="Hang in there."))
    _, problems = validate_file(copy, "support.yaml")
    assert any("support.yaml" in p and "safety_text must say plainly" in p for p in problems)


def test_emotion_words_must_sit_in_their_quadrant(copy: Path) -> None:
    def flip(data) -> None:
        word = next(w for w in data["words"] if w["quadrant"] == "high_pleasant")
        word["energy"] = -abs(word["energy"])

    edit(copy, "emotions.yaml", flip)
    _, problems = validate_file(copy, "emotions.yaml")
    assert any("does not fit quadrant high_pleasant" in p for p in problems)


def test_too_few_words_in_a_quadrant(copy: Path) -> None:
    def thin(data) -> None:
        data["words"] = [w for w in data["words"] if w["quadrant"] != "low_pleasant"][:70]

    edit(copy, "emotions.yaml", thin)
    _, problems = validate_file(copy, "emotions.yaml")
    assert any("low_pleasant has 0 words" in p for p in problems)


def test_yaml_that_is_not_a_mapping(copy: Path) -> None:
    (copy / "regulation.yaml").write_text("- just\n- a list\n", "utf-8")
    _, problems = validate_file(copy, "regulation.yaml")
    assert problems == [f"{copy / 'regulation.yaml'}: must be a mapping of keys to values at the top level"]
