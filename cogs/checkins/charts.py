"""The check-in charts (PNG bytes): a member's history, and the community summary.

The history chart is a mood map (energy × pleasantness) beside the zones day by day. The mood map is
the picture members of mood apps know: four coloured quadrants, each check-in a dot, recent ones
brighter. Sized and lettered to stay readable on a phone. What it draws comes from
:func:`cogs.checkins.stats.history_data`.

Both are drawn in the worker process of :mod:`cogs.checkins.chart_worker`. The history chart, which
every member may ask for, is drawn with Pillow's ``ImageDraw`` at twice the size and scaled down
(smooth edges): about 20 ms of CPU, where matplotlib took 130–200 ms. The font is the DejaVu Sans
that ships with matplotlib, found without importing it. The facilitators' summary chart (stacked bars
with a legend) uses matplotlib's object API on the Agg backend, imported on its first use.
"""

from __future__ import annotations

import importlib.util
import io
import math
from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from attune.content import QUADRANTS, ZONES
from cogs.checkins.stats import HistoryData
from cogs.checkins.summary import DayAggregate

ZONE_COLOURS = {"chaos": "#e0703d", "within": "#3f9e6b", "rigidity": "#4a7fc1", "support": "#8e6cc1"}
#: The quadrant colours of ``content/emotions.yaml`` as shipped (the cog passes the community's own).
QUADRANT_COLOURS = {
    "high_unpleasant": "#e0533d",
    "high_pleasant": "#f2c230",
    "low_pleasant": "#4caf7a",
    "low_unpleasant": "#4a7fc1",
}
#: Where each quadrant sits on the map: (pleasantness sign, energy sign), and its corner label.
QUADRANT_PLACES = {
    "high_unpleasant": (-1, 1, "high energy\nunpleasant"),
    "high_pleasant": (1, 1, "high energy\npleasant"),
    "low_pleasant": (1, -1, "low energy\npleasant"),
    "low_unpleasant": (-1, -1, "low energy\nunpleasant"),
}
#: The summary's bars (published aggregates only: a cell shown as "fewer than 3" is not drawn).
SUMMARY_QUADRANT_COLOURS = {
    "high_unpleasant": "#d9534f",
    "high_pleasant": "#f0ad4e",
    "low_pleasant": "#5cb85c",
    "low_unpleasant": "#5b7fbf",
}
TEXT_COLOUR = "#333333"
EDGE = 6.6  # the map runs −5…+5; the margin leaves the corner labels clear of most dots

WIDTH, HEIGHT = 1100, 550  # pixels of the PNG sent
SCALE = 2  # drawn at twice the size, then scaled down: Pillow's shapes have no anti-aliasing
TITLE, LABEL, TICK = 20, 17, 15  # font sizes (px) of titles, labels and date ticks
MAP_LEFT, MAP_TOP, MAP_SIZE = 34, 46, 432
ZONES_RIGHT, ZONES_TOP, ZONES_BOTTOM = 1088, 46, 500


def _spread(index: int) -> tuple[float, float]:
    """A small, fixed offset per check-in, so dots on the same spot stay visible side by side."""
    angle = index * 2.399963  # the golden angle: neighbours never line up
    radius = 0.12 + 0.05 * (index % 5)
    return radius * math.cos(angle), radius * math.sin(angle)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.origin is not None:
        path = Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"
        if path.exists():
            return ImageFont.truetype(str(path), size * SCALE)
    return ImageFont.load_default(size * SCALE)  # pragma: no cover - matplotlib is a dependency


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _tint(colour: str, alpha: float) -> tuple[int, int, int]:
    """``colour`` at ``alpha`` over white."""
    return tuple(round(255 + (c - 255) * alpha) for c in _rgb(colour))  # type: ignore[return-value]


def _rgba(colour: str, alpha: float) -> tuple[int, int, int, int]:
    return (*_rgb(colour), round(255 * alpha))


def _s(value: float) -> float:
    return value * SCALE


def _date_ticks(first: date, last: date) -> list[tuple[date, str]]:
    """A handful of dates along the axis, labelled as a reader of a calendar expects."""
    span = (last - first).days
    if span <= 13:
        step = 1 if span <= 7 else 2
        days = [first + timedelta(days=n) for n in range(0, span + 1, step)]
        return [(d, f"{d.day} {d:%b}") for d in days]
    if span <= 70:
        days = [d for d in (first + timedelta(days=n) for n in range(span + 1)) if d.day in (1, 8, 15, 22)]
        return [(d, f"{d.day} {d:%b}") for d in days]
    every = 1 if span <= 200 else 2
    ticks = []
    month = date(first.year, first.month, 1)
    while month <= last:
        if month >= first and (month.month - 1) % every == 0:
            ticks.append((month, f"{month:%b}" if month.month != 1 else f"{month:%b %Y}"))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return ticks


def _mood_map(
    image: Image.Image, draw: ImageDraw.ImageDraw, data: HistoryData, colours: dict[str, str]
) -> None:
    left, top, size = _s(MAP_LEFT), _s(MAP_TOP), _s(MAP_SIZE)
    half = size / 2
    centre_x, centre_y = left + half, top + half

    def place(pleasantness: float, energy: float) -> tuple[float, float]:
        return centre_x + pleasantness / EDGE * half, centre_y - energy / EDGE * half

    draw.text(
        (_s(MAP_LEFT - 6), _s(8)), "Your mood map (brighter = more recent)", font=_font(TITLE), fill="black"
    )
    label = _font(LABEL)
    pad = _s(9)
    for quadrant in QUADRANTS:
        across, up, text = QUADRANT_PLACES[quadrant]
        x0 = centre_x if across > 0 else left
        y0 = top if up > 0 else centre_y
        draw.rectangle((x0, y0, x0 + half, y0 + half), fill=_tint(colours[quadrant], 0.22))
        corner_x = left + size - pad if across > 0 else left + pad
        corner_y = top + pad if up > 0 else top + size - pad
        anchor = ("r" if across > 0 else "l") + ("a" if up > 0 else "d")
        draw.multiline_text(
            (corner_x, corner_y),
            text,
            font=label,
            fill=TEXT_COLOUR,
            anchor=anchor,
            align="right" if across > 0 else "left",
            spacing=_s(2),
        )
    draw.line((centre_x, top, centre_x, top + size), fill="white", width=3 * SCALE)
    draw.line((left, centre_y, left + size, centre_y), fill="white", width=3 * SCALE)

    count = len(data.moods)
    for index, (energy, pleasantness, quadrant) in enumerate(data.moods):
        recency = (index + 1) / count  # the newest is 1
        dx, dy = _spread(index) if count > 1 else (0.0, 0.0)
        x, y = place(pleasantness + dx, energy + dy)
        radius = _s(math.sqrt(70 + 90 * recency) * 110 / 72 / 2)  # matplotlib's size in points², at 110 dpi
        alpha = 0.3 + 0.7 * recency
        newest = index == count - 1
        draw.ellipse(
            (x - radius, y - radius, x + radius, y + radius),
            fill=_rgba(colours.get(quadrant, "#777777"), alpha),
            outline=_rgba(TEXT_COLOUR, alpha),
            width=round(_s(2.2 if newest else 1)),
        )

    draw.text(
        (centre_x, top + size + _s(8)),
        "unpleasant  ←  how it feels  →  pleasant",
        font=label,
        fill=TEXT_COLOUR,
        anchor="ma",
    )
    # The energy label runs up the left side: drawn level, then turned.
    text = "low  ←  energy  →  high"
    box = label.getbbox(text)
    strip = Image.new("RGBA", (round(box[2]) + 4 * SCALE, round(box[3]) + 4 * SCALE), (255, 255, 255, 0))
    ImageDraw.Draw(strip).text((2 * SCALE, 2 * SCALE), text, font=label, fill=TEXT_COLOUR)
    turned = strip.rotate(90, expand=True)
    image.paste(turned, (6 * SCALE, round(centre_y - turned.height / 2)), turned)


def _zones(draw: ImageDraw.ImageDraw, data: HistoryData, zone_labels: dict[str, str]) -> None:
    label = _font(LABEL)
    labels = [zone_labels.get(zone, zone).replace(" / ", "\n") for zone in ZONES]
    widest = max(draw.multiline_textbbox((0, 0), text, font=label)[2] for text in labels)
    left = max(_s(MAP_LEFT + MAP_SIZE + 40), _s(MAP_LEFT + MAP_SIZE + 22) + widest)
    right, top, bottom = _s(ZONES_RIGHT), _s(ZONES_TOP), _s(ZONES_BOTTOM)
    draw.text((left, _s(8)), "Your window, day by day", font=_font(TITLE), fill="black")

    first, last = data.days[0].day, data.days[-1].day
    span = max((last - first).days, 0) + 1  # days, each a slot; a dot sits in its slot's middle
    inner_left, inner_right = left + _s(10), right - _s(10)

    def day_x(day: date) -> float:
        return inner_left + ((day - first).days + 0.5) / span * (inner_right - inner_left)

    row_gap = (bottom - top) / len(ZONES)
    row_y = {zone: top + row_gap * (index + 0.5) for index, zone in enumerate(ZONES)}
    for day, text in _date_ticks(first, last):
        x = day_x(day)
        draw.line((x, top, x, bottom), fill="#e4e4e4", width=1 * SCALE)
        draw.line((x, bottom, x, bottom + _s(5)), fill="black", width=1 * SCALE)
        draw.text((x, bottom + _s(8)), text, font=_font(TICK), fill="black", anchor="ma")
    draw.line((left, top, left, bottom), fill="black", width=1 * SCALE)
    draw.line((left, bottom, right, bottom), fill="black", width=1 * SCALE)
    radius = _s(math.sqrt(110) * 110 / 72 / 2)
    for zone, text in zip(ZONES, labels, strict=True):
        y = row_y[zone]
        draw.line((left - _s(5), y, left, y), fill="black", width=1 * SCALE)
        draw.multiline_text(
            (left - _s(9), y), text, font=label, fill="black", anchor="rm", align="right", spacing=_s(2)
        )
        for point in data.days:
            if zone in point.zones:
                x = day_x(point.day)
                draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=ZONE_COLOURS[zone])


def render_history(
    data: HistoryData, zone_labels: dict[str, str], quadrant_colours: dict[str, str] | None = None
) -> bytes:
    """A PNG of ``data``. Pure CPU work: call it off the event loop."""
    colours = {**QUADRANT_COLOURS, **(quadrant_colours or {})}
    image = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE), "white")
    draw = ImageDraw.Draw(image, "RGBA")  # RGBA fills blend onto the picture: faded dots
    _mood_map(image, draw, data, colours)
    _zones(draw, data, zone_labels)
    buffer = io.BytesIO()
    # A 2×2 box average is exact for halving and ten times cheaper than Lanczos; light compression
    # costs a fifth more bytes and a third of the encoding time.
    image.reduce(SCALE).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def render_summary(
    days: Sequence[DayAggregate], zone_labels: dict[str, str], quadrant_labels: dict[str, str]
) -> bytes:
    """A PNG of the published days. Pure CPU work: call it off the event loop."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    shown = sorted((d for d in days if d.shown), key=lambda d: d.day)
    figure = Figure(figsize=(9, 5.6), dpi=100, layout="constrained")
    zones_ax, feel_ax = figure.subplots(2, 1, sharex=True)
    names = [f"{d.day:%a} {d.day.day} {d.day:%b}" for d in shown] or ["no published day"]
    positions = list(range(len(names)))
    for ax, keys, colours, labels, pick, title in (
        (zones_ax, ZONES, ZONE_COLOURS, zone_labels, "zones", "Where members were in their window"),
        (feel_ax, QUADRANTS, SUMMARY_QUADRANT_COLOURS, quadrant_labels, "quadrants", "How members felt"),
    ):
        bottoms = [0] * len(shown)
        for key in keys:
            heights = [(getattr(d, pick) or {}).get(key) or 0 for d in shown]
            if shown:
                ax.bar(positions, heights, bottom=bottoms, color=colours[key], label=labels.get(key, key))
            bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
        ax.set_title(title, loc="left", fontsize=11)
        ax.set_ylabel("check-ins")
        ax.grid(axis="y", alpha=0.25)
        ax.legend(loc="upper left", fontsize=8, frameon=False, ncols=2, bbox_to_anchor=(1.0, 1.0))
    feel_ax.set_xticks(positions, names, rotation=30, ha="right")
    figure.text(0.01, 0.0, "Published days only; numbers under 3 are not drawn.", fontsize=8, color="#666666")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
    return buffer.getvalue()
