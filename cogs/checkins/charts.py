"""The check-in charts (PNG bytes): a member's history, and the community summary.

The history chart is a mood map (energy × pleasantness) beside the zones day by day.

The mood map is the picture members of mood apps know: four coloured quadrants, each check-in a dot,
recent ones brighter. Sized and lettered to stay readable on a phone. Rendered with matplotlib's
object API on the Agg backend (no pyplot state), in the worker process of
:mod:`cogs.checkins.chart_worker`. What it draws comes from :func:`cogs.checkins.stats.history_data`.
matplotlib (with numpy, ~50 MiB) is imported on the first chart, not when the bot starts.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

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


def _spread(index: int) -> tuple[float, float]:
    """A small, fixed offset per check-in, so dots on the same spot stay visible side by side."""
    angle = index * 2.399963  # the golden angle: neighbours never line up
    radius = 0.12 + 0.05 * (index % 5)
    return radius * math.cos(angle), radius * math.sin(angle)


def render_history(
    data: HistoryData, zone_labels: dict[str, str], quadrant_colours: dict[str, str] | None = None
) -> bytes:
    """A PNG of ``data``. Pure CPU work: call it off the event loop."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    colours = {**QUADRANT_COLOURS, **(quadrant_colours or {})}
    figure = Figure(figsize=(10, 5), dpi=110, layout="constrained")
    map_ax, zones_ax = figure.subplots(1, 2, width_ratios=(1, 1.25))

    # --- the mood map: pleasantness across, energy up
    for quadrant in QUADRANTS:
        across, up, label = QUADRANT_PLACES[quadrant]
        map_ax.add_patch(
            Rectangle(
                (min(0, across * EDGE), min(0, up * EDGE)),
                EDGE,
                EDGE,
                color=colours[quadrant],
                alpha=0.22,
                lw=0,
            )
        )
        map_ax.text(
            across * (EDGE - 0.25),
            up * (EDGE - 0.25),
            label,
            zorder=1,
            ha="right" if across > 0 else "left",
            va="top" if up > 0 else "bottom",
            fontsize=11,
            color=TEXT_COLOUR,
        )
    map_ax.axhline(0, color="#ffffff", linewidth=2)
    map_ax.axvline(0, color="#ffffff", linewidth=2)
    count = len(data.moods)
    for index, (energy, pleasantness, quadrant) in enumerate(data.moods):
        recency = (index + 1) / count  # the newest is 1
        dx, dy = _spread(index) if count > 1 else (0.0, 0.0)
        map_ax.scatter(
            pleasantness + dx,
            energy + dy,
            s=70 + 90 * recency,
            color=colours.get(quadrant, "#777777"),
            alpha=0.3 + 0.7 * recency,
            edgecolors=TEXT_COLOUR,
            linewidths=1.4 if index == count - 1 else 0.5,
            zorder=3,
        )
    map_ax.set_xlim(-EDGE, EDGE)
    map_ax.set_ylim(-EDGE, EDGE)
    map_ax.set_aspect("equal")
    map_ax.set_xticks([])
    map_ax.set_yticks([])
    map_ax.set_xlabel("unpleasant  ←  how it feels  →  pleasant", fontsize=11, color=TEXT_COLOUR)
    map_ax.set_ylabel("low  ←  energy  →  high", fontsize=11, color=TEXT_COLOUR)
    map_ax.set_title("Your mood map (brighter = more recent)", loc="left", fontsize=13)
    for spine in map_ax.spines.values():
        spine.set_visible(False)

    # --- the zones, day by day
    days = [point.day for point in data.days]
    rows = {zone: len(ZONES) - 1 - index for index, zone in enumerate(ZONES)}
    for zone in ZONES:
        marked = [point.day for point in data.days if zone in point.zones]
        zones_ax.scatter(marked, [rows[zone]] * len(marked), s=110, color=ZONE_COLOURS[zone], zorder=3)
    zones_ax.set_yticks(
        [rows[z] for z in ZONES], [zone_labels.get(z, z).replace(" / ", "\n") for z in ZONES], fontsize=11
    )
    zones_ax.set_ylim(-0.6, len(ZONES) - 0.4)
    zones_ax.grid(axis="x", alpha=0.25)
    zones_ax.set_title("Your window, day by day", loc="left", fontsize=13)
    locator = AutoDateLocator(minticks=3, maxticks=6)
    zones_ax.xaxis.set_major_locator(locator)
    zones_ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    zones_ax.tick_params(axis="x", labelsize=10)
    first, last = date2num(days[0]), date2num(days[-1])
    zones_ax.set_xlim(first - 0.5, last + 0.5)
    for side in ("top", "right"):
        zones_ax.spines[side].set_visible(False)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
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
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
