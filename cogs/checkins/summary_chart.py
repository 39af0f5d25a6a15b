"""The community summary chart: published days as stacked bars, by zone above and feeling below.

Drawn in the history chart's worker process (:mod:`cogs.checkins.renderer`), from the frozen,
published aggregates only: a cell shown as "fewer than 3" is not drawn (and the caption says so).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from attune.content import QUADRANTS, ZONES
from cogs.checkins.summary import DayAggregate

ZONE_COLOURS = {"chaos": "#e0703d", "within": "#3f9e6b", "rigidity": "#4a7fc1", "support": "#8e6cc1"}
QUADRANT_COLOURS = {
    "high_unpleasant": "#d9534f",
    "high_pleasant": "#f0ad4e",
    "low_pleasant": "#5cb85c",
    "low_unpleasant": "#5b7fbf",
}


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
        (feel_ax, QUADRANTS, QUADRANT_COLOURS, quadrant_labels, "quadrants", "How members felt"),
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
