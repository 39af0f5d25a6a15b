"""The history chart: zones per day above, energy and pleasantness over time below (PNG bytes).

Rendered with matplotlib's object API on the Agg backend (no pyplot state), in the worker process
of :mod:`cogs.checkins.renderer`. What it draws comes from :func:`cogs.checkins.stats.history_data`.
matplotlib (with numpy, ~50 MiB) is imported on the first chart, not when the bot starts.
"""

from __future__ import annotations

import io
import math

from attune.content import ZONES
from cogs.checkins.stats import HistoryData

ZONE_COLOURS = {"chaos": "#e0703d", "within": "#3f9e6b", "rigidity": "#4a7fc1", "support": "#8e6cc1"}
ENERGY_COLOUR = "#d9822b"
PLEASANT_COLOUR = "#2f7f9e"


def render_history(data: HistoryData, zone_labels: dict[str, str]) -> bytes:
    """A PNG of ``data``. Pure CPU work: call it off the event loop."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 5.6), dpi=100, layout="constrained")
    zones_ax, feel_ax = figure.subplots(2, 1, sharex=True, height_ratios=(1, 2))
    days = [point.day for point in data.days]

    rows = {zone: len(ZONES) - 1 - index for index, zone in enumerate(ZONES)}
    for zone in ZONES:
        marked = [point.day for point in data.days if zone in point.zones]
        zones_ax.scatter(
            marked, [rows[zone]] * len(marked), s=70, color=ZONE_COLOURS[zone], zorder=3, label=zone
        )
    zones_ax.set_yticks([rows[z] for z in ZONES], [zone_labels.get(z, z) for z in ZONES])
    zones_ax.set_ylim(-0.6, len(ZONES) - 0.4)
    zones_ax.grid(axis="x", alpha=0.25)
    zones_ax.set_title("Where you were in your window, day by day", loc="left", fontsize=11)

    energy = [point.energy if point.energy is not None else math.nan for point in data.days]
    pleasant = [point.pleasantness if point.pleasantness is not None else math.nan for point in data.days]
    feel_ax.axhline(0, color="#999999", linewidth=0.8)
    feel_ax.plot(days, energy, marker="o", color=ENERGY_COLOUR, label="Energy")
    feel_ax.plot(days, pleasant, marker="s", color=PLEASANT_COLOUR, label="Pleasantness")
    feel_ax.set_ylim(-5.5, 5.5)
    feel_ax.set_yticks(range(-5, 6))
    feel_ax.set_ylabel("−5 … +5 (daily mean)")
    feel_ax.grid(alpha=0.25)
    feel_ax.legend(loc="upper left", fontsize=9, frameon=False, ncols=2)
    feel_ax.set_title("Energy and pleasantness over time", loc="left", fontsize=11)

    locator = AutoDateLocator(minticks=3, maxticks=10)
    feel_ax.xaxis.set_major_locator(locator)
    feel_ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    first, last = date2num(days[0]), date2num(days[-1])
    feel_ax.set_xlim(first - 0.5, last + 0.5)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
