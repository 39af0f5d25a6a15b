"""Community-editable texts in ``content/*.yaml``, loaded once and validated.

Each file has a pydantic model. Problems are reported all at once, each naming its file and key
path (``content/emotions.yaml: words[3].energy: …``), so a facilitator can fix a file in one go.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Literal, Self

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from attune.errors import ContentError

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Score = Annotated[int, Field(ge=-5, le=5)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ------------------------------------------------------------------------------ wheel

WheelSegmentId = Literal["hub", "senses", "interoception", "mental", "relational", "awareness", "close"]
PromptSegmentId = Literal["hub", "senses", "interoception", "mental", "relational"]
PRACTICE_ORDER: tuple[str, ...] = (
    "hub",
    "senses",
    "interoception",
    "mental",
    "relational",
    "awareness",
    "close",
)
PROMPT_ROTATION: tuple[str, ...] = ("hub", "senses", "interoception", "mental", "relational")
REQUIRED_STEPS: dict[str, tuple[str, ...]] = {
    "senses": ("hearing", "sight", "smell", "taste", "touch"),
    "interoception": ("face-head", "shoulders-arms", "back-chest", "belly-organs", "whole-body"),
    "relational": ("near", "family-friends", "community", "all-beings"),
    "mental": ("invite", "arise-stay-leave"),
    "awareness": ("bend-spoke",),
}
SHORT_RANGE = (6 * 60, 8 * 60)  # the `short` walk is about 7 minutes
FULL_RANGE = (17 * 60, 23 * 60)  # the `full` walk is about 20 minutes
#: A calm reading pace, and the practice time each step must leave after reading its text.
READING_WORDS_PER_SECOND = 3
MIN_PRACTICE_SECONDS = {"short": 8, "full": 15}


def reading_seconds(text: str) -> float:
    return len(text.split()) / READING_WORDS_PER_SECOND


class StepSeconds(_Strict):
    short: Annotated[int, Field(ge=5, le=600)]
    full: Annotated[int, Field(ge=5, le=1200)]


class WheelStep(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$")]
    title: ShortText
    guidance: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1500)]
    #: A brief version of the guidance for the short walk (falls back to ``guidance``).
    cue: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)] | None = None
    seconds: StepSeconds

    def text_for(self, length: str) -> str:
        """What a member reads during this step of a ``short`` or ``full`` walk."""
        return self.cue if length == "short" and self.cue else self.guidance

    @model_validator(mode="after")
    def _time_to_read_and_practise(self) -> Self:
        for length, floor in MIN_PRACTICE_SECONDS.items():
            seconds = getattr(self.seconds, length)
            reading = reading_seconds(self.text_for(length))
            if reading + floor > seconds:
                source = "cue" if length == "short" and self.cue else "guidance"
                raise ValueError(
                    f"step {self.id}: its {source} takes about {reading:.0f} s to read, which leaves "
                    f"{max(seconds - reading, 0):.0f} s of the {seconds} s {length} step for practice "
                    f"(at least {floor} s are needed); shorten the text or lengthen seconds.{length}"
                )
        return self


class WheelSegment(_Strict):
    id: WheelSegmentId
    name: ShortText
    summary: Text
    steps: Annotated[list[WheelStep], Field(min_length=1)]


class WheelContent(_Strict):
    intro: Text
    segments: list[WheelSegment]
    prompts: dict[PromptSegmentId, Annotated[list[Text], Field(min_length=10)]]
    closing_reflection: Text

    @model_validator(mode="after")
    def _shape(self) -> Self:
        order = tuple(segment.id for segment in self.segments)
        if order != PRACTICE_ORDER:
            raise ValueError(f"segments must be, in this order: {', '.join(PRACTICE_ORDER)}")
        for segment in self.segments:
            ids = [step.id for step in segment.steps]
            required = REQUIRED_STEPS.get(segment.id, ())
            if required and tuple(i for i in ids if i in required) != required:
                raise ValueError(
                    f"segment {segment.id} must walk through steps {', '.join(required)} in order"
                )
            if len(set(ids)) != len(ids):
                raise ValueError(f"segment {segment.id} repeats a step id")
        missing = [s for s in PROMPT_ROTATION if s not in self.prompts]
        if missing:
            raise ValueError(f"prompts missing for: {', '.join(missing)}")
        for length, (low, high) in (("short", SHORT_RANGE), ("full", FULL_RANGE)):
            total = sum(getattr(step.seconds, length) for step in self.steps())
            if not low <= total <= high:
                raise ValueError(f"the {length} practice lasts {total} s; it must be {low}–{high} s")
        return self

    def steps(self) -> list[WheelStep]:
        return [step for segment in self.segments for step in segment.steps]

    def segment(self, segment_id: str) -> WheelSegment:
        return next(s for s in self.segments if s.id == segment_id)


# --------------------------------------------------------------------------- emotions

Quadrant = Literal["high_unpleasant", "high_pleasant", "low_pleasant", "low_unpleasant"]
QUADRANTS: tuple[str, ...] = ("high_unpleasant", "high_pleasant", "low_pleasant", "low_unpleasant")
#: The *Not sure / mixed* list: words from every quadrant marked ``mixed``, not a quadrant of its own.
MIXED = "mixed"


class QuadrantInfo(_Strict):
    label: ShortText
    description: Text
    colour: Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
    emoji: Annotated[str, StringConstraints(min_length=1, max_length=8)]


class EmotionWord(_Strict):
    word: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=40)]
    quadrant: Quadrant
    energy: Score
    pleasantness: Score
    meaning: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=100)]
    #: A feeling that can mean real distress (hopeless, panicked, empty): the result offers support.
    heavy: bool = False
    #: Also listed under *Not sure / mixed*, for members who can't place themselves in one quadrant.
    mixed: bool = False

    @model_validator(mode="after")
    def _in_its_quadrant(self) -> Self:
        high = self.quadrant.startswith("high")
        pleasant = self.quadrant.endswith("_pleasant")
        if (self.energy > 0) != high or self.energy == 0:
            raise ValueError(f"energy {self.energy} does not fit quadrant {self.quadrant}")
        if (self.pleasantness > 0) != pleasant or self.pleasantness == 0:
            raise ValueError(f"pleasantness {self.pleasantness} does not fit quadrant {self.quadrant}")
        return self


class EmotionsContent(_Strict):
    quadrants: dict[Quadrant, QuadrantInfo]
    words: list[EmotionWord]

    @model_validator(mode="after")
    def _coverage(self) -> Self:
        missing = [q for q in QUADRANTS if q not in self.quadrants]
        if missing:
            raise ValueError(f"quadrants missing: {', '.join(missing)}")
        counts: Counter[str] = Counter(str(word.quadrant) for word in self.words)
        for quadrant in QUADRANTS:
            if not 15 <= counts[quadrant] <= 25:
                raise ValueError(
                    f"quadrant {quadrant} has {counts[quadrant]} words; it needs 15–25 "
                    "(a Discord menu shows at most 25)"
                )
        if len(self.words) < 60:
            raise ValueError(f"{len(self.words)} words; at least 60 are needed")
        duplicated = [w for w, n in Counter(w.word.lower() for w in self.words).items() if n > 1]
        if duplicated:
            raise ValueError(f"words listed twice: {', '.join(duplicated)}")
        mixed = sum(1 for w in self.words if w.mixed)
        if mixed > 25:
            raise ValueError(f"{mixed} words are marked mixed; at most 25 fit in a Discord menu")
        return self

    def in_quadrant(self, quadrant: str) -> list[EmotionWord]:
        """The words of a quadrant, or of the *Not sure / mixed* list when ``quadrant`` is ``mixed``."""
        if quadrant == MIXED:
            return [w for w in self.words if w.mixed]
        return [w for w in self.words if w.quadrant == quadrant]

    def find(self, word: str) -> EmotionWord | None:
        lowered = word.lower()
        return next((w for w in self.words if w.word.lower() == lowered), None)


# ------------------------------------------------------------------ check-ins & support

ZoneId = Literal["chaos", "within", "rigidity", "support"]
ZONES: tuple[str, ...] = ("chaos", "within", "rigidity", "support")


class ZoneInfoText(_Strict):
    label: ShortText
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    emoji: Annotated[str, StringConstraints(min_length=1, max_length=8)]
    phrase: ShortText  # "within their window", after "Sam is feeling calm and …"


class CheckinContent(_Strict):
    prompts: Annotated[list[Text], Field(min_length=5)]
    zones: dict[ZoneId, ZoneInfoText]
    reminder: Text
    not_clinical: Text

    @model_validator(mode="after")
    def _all_zones(self) -> Self:
        missing = [z for z in ZONES if z not in self.zones]
        if missing:
            raise ValueError(f"zones missing: {', '.join(missing)}")
        return self


class RegulationContent(_Strict):
    chaos: Annotated[list[Text], Field(min_length=5)]
    within: Annotated[list[Text], Field(min_length=5)]
    rigidity: Annotated[list[Text], Field(min_length=5)]
    support: Annotated[list[Text], Field(min_length=5)]  # for "I could use support": self-kindness


class SupportContent(_Strict):
    default_text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1800)]
    #: Always shown under the support text, the server's own included: crisis help can't be edited away.
    safety_text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=600)]
    alert_sent: Text

    @model_validator(mode="after")
    def _says_not_care(self) -> Self:
        lowered = self.safety_text.lower()
        if "professional" not in lowered or "emergency" not in lowered or "https://" not in lowered:
            raise ValueError(
                "safety_text must say plainly that Attune is not professional care, how to reach "
                "emergency help, and link a helpline directory (mention 'professional' and "
                "'emergency', and include an https:// link)"
            )
        return self

    def text_for(self, custom: str | None) -> str:
        """What a member who asks for support reads: the server's text (or ours), then the safety lines."""
        return f"{(custom or self.default_text).strip()}\n\n{self.safety_text.strip()}"


# ----------------------------------------------------------------------- sits, episodes


class SitsContent(_Strict):
    opening_words: Annotated[list[Text], Field(min_length=3)]
    closing_words: Annotated[list[Text], Field(min_length=3)]


class EpisodeTheme(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$")]
    name: ShortText


class LibraryEpisode(_Strict):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=500)] | None = None
    show: ShortText
    themes: Annotated[list[str], Field(min_length=1)]
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class EpisodesContent(_Strict):
    themes: Annotated[list[EpisodeTheme], Field(min_length=1)]
    episodes: Annotated[list[LibraryEpisode], Field(min_length=1)]

    @model_validator(mode="after")
    def _known_themes(self) -> Self:
        known = {theme.id for theme in self.themes}
        for index, episode in enumerate(self.episodes):
            unknown = [t for t in episode.themes if t not in known]
            if unknown:
                raise ValueError(f"episodes[{index}] uses unknown theme(s): {', '.join(unknown)}")
        return self

    def theme_name(self, theme_id: str) -> str:
        return next((t.name for t in self.themes if t.id == theme_id), theme_id)


# ------------------------------------------------------------------------------ loader

FILES: dict[str, type[_Strict]] = {
    "wheel.yaml": WheelContent,
    "emotions.yaml": EmotionsContent,
    "checkin.yaml": CheckinContent,
    "regulation.yaml": RegulationContent,
    "support.yaml": SupportContent,
    "sits.yaml": SitsContent,
    "episodes.yaml": EpisodesContent,
}


class Content(BaseModel):
    """All content, validated; capabilities read from here, never from the files."""

    model_config = ConfigDict(frozen=True)

    wheel: WheelContent
    emotions: EmotionsContent
    checkin: CheckinContent
    regulation: RegulationContent
    support: SupportContent
    sits: SitsContent
    episodes: EpisodesContent


def _key_path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(top level)"


def _display(directory: Path, name: str) -> str:
    return str(directory / name)


def validate_file(directory: Path, name: str) -> tuple[BaseModel | None, list[str]]:
    """Load one file; returns its model (or ``None``) and its problems."""
    model = FILES[name]
    path = directory / name
    where = _display(directory, name)
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except FileNotFoundError:
        return None, [f"{where}: file is missing"]
    except OSError as exc:
        return None, [f"{where}: cannot read ({exc.strerror})"]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [f"{where}:{line}: not valid YAML ({problem})"]
    if not isinstance(data, dict):
        return None, [f"{where}: must be a mapping of keys to values at the top level"]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{where}: {_key_path(tuple(error['loc']))}: {message}")
        return None, problems


def load_content(directory: Path) -> Content:
    """Load and validate every content file; raises :class:`ContentError` listing all problems."""
    loaded: dict[str, BaseModel] = {}
    problems: list[str] = []
    if not directory.is_dir():
        raise ContentError([f"{directory}: content folder not found (set ATTUNE_CONTENT_DIR)"])
    for name in FILES:
        model, found = validate_file(directory, name)
        problems.extend(found)
        if model is not None:
            loaded[name.removesuffix(".yaml")] = model
    if problems:
        raise ContentError(problems)
    return Content.model_validate(loaded)
