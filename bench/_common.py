"""Shared by the benchmarks: import path, percentiles, machine description, summary line."""

from __future__ import annotations

import os
import platform
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0–100) by nearest rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def describe(values: Sequence[float], unit: str = "ms", scale: float = 1000.0) -> str:
    return (
        f"p50 {percentile(values, 50) * scale:.2f} {unit}, p95 {percentile(values, 95) * scale:.2f} {unit}, "
        f"p99 {percentile(values, 99) * scale:.2f} {unit} (n={len(values)}, "
        f"mean {statistics.fmean(values) * scale:.2f} {unit})"
    )


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def rss_bytes(pid: int) -> int:
    """Resident set size of a process (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def cpu_seconds(pid: int, *, tree: bool = True) -> float:
    """User + system CPU time a process has used (Linux ``/proc/PID/stat``), by default with its
    live descendants (Attune draws charts in a worker process). Scheduling luck doesn't move it."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        if tree:
            pending += _children(current)
    return total


def spread(values: Sequence[float]) -> str:
    """``median (min–max, n rounds)`` of per-round figures."""
    if not values:
        return "n/a"
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f}, {len(values)} rounds)"


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def header(name: str, quick: bool) -> None:
    print(f"# bench/{name}.py{' --quick' if quick else ''} on {machine()}; load average {load_average()}")
