"""The check-in content files: emotion coverage and ranges, zones, suggestions, support text."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from attune.config import DEFAULT_CONTENT_DIR
from attune.content import QUADRANTS, ZONES, Content, load_content
from attune.errors import ContentError
from cogs.checkins.views import NOTE_MODAL


def test_at_least_60_words_and_15_to_25_in_every_quadrant(content: Content) -> None:
    words = content.emotions.words
    assert len(words) >= 60
    per_quadrant = Counter(w.quadrant for w in words)
    assert set(per_quadrant) == set(QUADRANTS)
    assert all(15 <= n <= 25 for n in per_quadrant.values()), per_quadrant


def test_every_word_sits_in_its_quadrant_within_the_scales(content: Content) -> None:
    for word in content.emotions.words:
        assert -5 <= word.energy <= 5 and -5 <= word.pleasantness <= 5
        assert (word.energy > 0) == word.quadrant.startswith("high")
        assert (word.pleasantness > 0) == word.quadrant.endswith("_pleasant")
        assert 3 <= len(word.meaning) <= 100  # a select option's description holds 100
        assert len(word.word) <= 40  # it travels in a custom_id: checkin:note:<zone>:<word>
        assert ":" not in word.word


def test_words_are_unique_and_found_case_insensitively(content: Content) -> None:
    names = [w.word.lower() for w in content.emotions.words]
    assert len(names) == len(set(names))
    found = content.emotions.find("CONTENT")
    assert found is not None and found.word.lower() == "content"
    assert content.emotions.find("no-such-feeling") is None


def test_zones_prompts_suggestions_and_support(content: Content) -> None:
    assert tuple(content.checkin.zones) == ZONES
    assert len(content.checkin.prompts) >= 5
    for zone in ZONES:
        assert len(getattr(content.regulation, zone)) >= 5
    assert "professional" in content.checkin.not_clinical.lower()
    safety = content.support.safety_text.lower()
    assert "professional" in safety and "emergency" in safety and "https://findahelpline.com" in safety
    # The safety lines follow every support text, the server's own included.
    assert content.support.text_for("Call Sam.").endswith(content.support.safety_text.strip())
    assert content.support.text_for(None).startswith(content.support.default_text.strip())


def test_the_feelings_members_reach_for_are_there_toward_100(content: Content) -> None:
    emotions = content.emotions
    assert len(emotions.words) >= 95
    for wanted in ("Hurt", "Confused", "Ashamed", "Guilty", "Insecure", "Overwhelmed", "Lonely", "Hopeful"):
        assert emotions.find(wanted) is not None, wanted
    heavy = {w.word for w in emotions.words if w.heavy}
    assert {"Hopeless", "Panicked", "Empty", "Ashamed", "Numb"} <= heavy
    mixed = emotions.in_quadrant("mixed")
    assert 5 <= len(mixed) <= 25 and len({w.quadrant for w in mixed}) == 4  # from every quadrant
    assert all(abs(w.energy) <= 4 and abs(w.pleasantness) <= 2 for w in mixed)  # near the middle
    for word in emotions.words:  # every word travels in the note modal's custom_id
        assert NOTE_MODAL.fullmatch(f"checkin:note:within:{word.word}")


def test_more_than_25_mixed_words_are_refused(tmp_path: Path) -> None:
    folder = _copy_content(tmp_path)
    path = folder / "emotions.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    for word in data["words"][:26]:
        word["mixed"] = True
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    assert any("words are marked mixed; at most 25" in p for p in caught.value.problems), (
        caught.value.problems
    )


def _copy_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, target)
    return target


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda data: data["words"][0].update(energy=6), "words[0].energy"),
        (lambda data: data["words"][0].update(pleasantness=3), "does not fit quadrant"),
        (
            lambda data: data.update(
                words=[w for w in data["words"] if w["quadrant"] != "low_pleasant"][:70]
            ),
            "low_pleasant has 0 words",
        ),
    ],
)
def test_a_broken_emotions_file_is_refused_naming_the_key(tmp_path: Path, change, message: str) -> None:
    folder = _copy_content(tmp_path)
    path = folder / "emotions.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    assert any("emotions.yaml" in p and message in p for p in caught.value.problems), caught.value.problems


def test_regulation_needs_a_list_for_support(tmp_path: Path) -> None:
    folder = _copy_content(tmp_path)
    path = folder / "regulation.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    del data["support"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    assert any("regulation.yaml: support" in p for p in caught.value.problems)
