"""``content/wheel.yaml`` against its schema: what the issue requires, and what breaks validation."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from attune.content import PRACTICE_ORDER, PROMPT_ROTATION, Content, WheelContent, validate_file
from tests.conftest import CONTENT_DIR


def test_the_shipped_wheel_has_every_required_step(content: Content) -> None:
    wheel = content.wheel
    assert tuple(s.id for s in wheel.segments) == PRACTICE_ORDER
    ids = {s.id: [step.id for step in s.steps] for s in wheel.segments}
    assert ids["senses"] == ["hearing", "sight", "smell", "taste", "touch"]
    assert ids["interoception"] == ["face-head", "shoulders-arms", "back-chest", "belly-organs", "whole-body"]
    assert ids["mental"] == ["invite", "arise-stay-leave"]
    assert ids["relational"] == ["near", "family-friends", "community", "all-beings"]
    assert ids["awareness"][0] == "bend-spoke"
    short = sum(step.seconds.short for step in wheel.steps())
    full = sum(step.seconds.full for step in wheel.steps())
    assert 6.5 * 60 <= short <= 7.5 * 60, short  # ≈ 7 minutes
    assert 19 * 60 <= full <= 21 * 60, full  # ≈ 20 minutes
    for segment in PROMPT_ROTATION:
        assert len(wheel.prompts[segment]) >= 10, segment  # type: ignore[index]


def test_every_short_step_leaves_time_to_read_and_practise(content: Content) -> None:
    for step in content.wheel.steps():
        words = len(step.text_for("short").split())
        assert words / 3 + 8 <= step.seconds.short, step.id
        assert step.seconds.short >= 13, step.id  # no more 10–18 s dashes through long texts
        assert step.text_for("full") == step.guidance


def test_the_relational_steps_offer_kind_wishes(content: Content) -> None:
    for step in content.wheel.segment("relational").steps:
        assert "may" in step.guidance.lower(), step.id
        assert "may" in step.text_for("short").lower(), step.id


# ---------------------------------------------------------------- broken copies fail


def _broken(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> list[str]:
    data = yaml.safe_load((CONTENT_DIR / "wheel.yaml").read_text("utf-8"))
    change(data)
    (tmp_path / "wheel.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    model, problems = validate_file(tmp_path, "wheel.yaml")
    assert model is None, "the broken file was accepted"
    return problems


def _segment(data: dict[str, Any], segment_id: str) -> dict[str, Any]:
    return next(s for s in data["segments"] if s["id"] == segment_id)


def test_an_unchanged_copy_validates(tmp_path: Path) -> None:
    shutil.copy(CONTENT_DIR / "wheel.yaml", tmp_path / "wheel.yaml")
    model, problems = validate_file(tmp_path, "wheel.yaml")
    assert problems == []
    assert isinstance(model, WheelContent)


@pytest.mark.parametrize("segment_id", PRACTICE_ORDER)
def test_a_missing_segment_fails(tmp_path: Path, segment_id: str) -> None:
    problems = _broken(
        tmp_path, lambda d: d.update(segments=[s for s in d["segments"] if s["id"] != segment_id])
    )
    assert any("segments must be, in this order" in p for p in problems), problems


def test_segments_out_of_order_fail(tmp_path: Path) -> None:
    def swap(data: dict[str, Any]) -> None:
        data["segments"][1], data["segments"][2] = data["segments"][2], data["segments"][1]

    assert any("in this order" in p for p in _broken(tmp_path, swap))


@pytest.mark.parametrize("length", ["short", "full"])
def test_a_missing_duration_fails(tmp_path: Path, length: str) -> None:
    problems = _broken(tmp_path, lambda d: _segment(d, "senses")["steps"][0]["seconds"].pop(length))
    assert any(f"segments[1].steps[0].seconds.{length}: Field required" in p for p in problems), problems


def test_a_missing_seconds_block_fails(tmp_path: Path) -> None:
    problems = _broken(tmp_path, lambda d: _segment(d, "close")["steps"][0].pop("seconds"))
    assert any("seconds: Field required" in p for p in problems), problems


@pytest.mark.parametrize(
    ("segment_id", "step_id"),
    [("senses", "smell"), ("interoception", "back-chest"), ("relational", "community"), ("mental", "invite")],
)
def test_a_missing_required_step_fails(tmp_path: Path, segment_id: str, step_id: str) -> None:
    def drop(data: dict[str, Any]) -> None:
        segment = _segment(data, segment_id)
        segment["steps"] = [s for s in segment["steps"] if s["id"] != step_id]

    problems = _broken(tmp_path, drop)
    assert any(f"segment {segment_id} must walk through steps" in p for p in problems), problems


def test_a_walk_too_long_fails(tmp_path: Path) -> None:
    problems = _broken(tmp_path, lambda d: _segment(d, "hub")["steps"][0]["seconds"].update(short=200))
    assert any("the short practice lasts" in p for p in problems), problems


def test_too_few_prompts_fail(tmp_path: Path) -> None:
    problems = _broken(tmp_path, lambda d: d["prompts"].update(senses=d["prompts"]["senses"][:9]))
    assert any("prompts.senses: List should have at least 10 items" in p for p in problems), problems


def test_missing_hub_prompts_fail(tmp_path: Path) -> None:
    problems = _broken(tmp_path, lambda d: d["prompts"].pop("hub"))
    assert any("prompts missing for: hub" in p for p in problems), problems


def test_a_step_too_wordy_for_its_time_is_named(tmp_path: Path) -> None:
    def wordy(data: dict[str, Any]) -> None:
        _segment(data, "senses")["steps"][0]["cue"] = "listen " * 40

    problems = _broken(tmp_path, wordy)
    assert any("segments[1].steps[0]" in p and "step hearing" in p and "to read" in p for p in problems), (
        problems
    )


def test_the_short_walk_keeps_the_opt_outs_of_the_full_walk(content: Content) -> None:
    steps = {step.id: step for step in content.wheel.steps()}
    assert "choose someone simpler" in steps["family-friends"].text_for("short")
    assert "rest in the hub" in steps["sight"].text_for("short")
    assert "rest on a sound instead" in steps["face-head"].text_for("short")


def test_public_prompts_never_ask_members_to_recount_a_memory(content: Content) -> None:
    memory = [p for p in content.wheel.prompts["mental"] if "memory" in p.lower()]
    assert memory == [
        "What kind of memory passed through your mind today — light, ordinary, tender? "
        "There's no need to say what it was."
    ]
    assert not any("without being invited" in p for ps in content.wheel.prompts.values() for p in ps)
