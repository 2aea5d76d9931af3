"""Figures, targets and the median-of-runs loop shared by every benchmark."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """The issue's target for one figure: a ceiling on the value, on the ratio, or both."""

    max_value: float | None = None
    max_ratio: float | None = None

    def met(self, value: float, ratio: float) -> bool:
        return ((self.max_value is None or value <= self.max_value)
                and (self.max_ratio is None or ratio <= self.max_ratio))

    def text(self, unit: str) -> str:
        parts = []
        if self.max_value is not None:
            parts.append(f"≤ {self.max_value:g} {unit}")
        if self.max_ratio is not None:
            parts.append(f"≤ {self.max_ratio:g}×")
        return " and ".join(parts)


TARGETS = {
    "startup_100k": Target(max_ratio=1.5),
    "filter_100k": Target(max_value=50, max_ratio=2),
    "search_100k": Target(max_value=50, max_ratio=2),
    "pdf_visit": Target(max_ratio=2),
    "pdf_summary_500": Target(max_ratio=2),
    "export_100k": Target(max_ratio=3),
    "import_100k": Target(max_ratio=3),
    "rss_100k": Target(max_value=300),
}
ORDER = tuple(TARGETS)


@dataclass
class Figure:
    """One measured figure: medians of the value and of its baseline, both from this run."""

    name: str
    value: float
    unit: str
    baseline: float
    runs: int
    what: str = ""  # what was measured, for the table's notes

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("inf")

    @property
    def target(self) -> Target:
        return TARGETS[self.name]

    def met(self) -> bool:
        return self.target.met(self.value, self.ratio)

    def as_json(self) -> dict:
        return {"name": self.name, "value": _significant(self.value), "unit": self.unit,
                "baseline": _significant(self.baseline), "ratio": _significant(self.ratio)}


def _significant(x: float, digits: int = 4) -> float:
    return float(f"{x:.{digits}g}")


def timed(fn: Callable[[], object]) -> float:
    """Seconds taken by one call of ``fn``."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def medians(value: Callable[[], float], baseline: Callable[[], float], runs: int,
            warmup: int = 1) -> tuple[float, float]:
    """Median of ``runs`` calls of each, interleaved (baseline, value, baseline, …) so that a
    slow spell of the machine hits both alike; ``warmup`` rounds first are not counted.

    Each callable does its own setup and returns the quantity it measured.
    """
    for _ in range(warmup):
        baseline()
        value()
    values, baselines = [], []
    for _ in range(runs):
        baselines.append(baseline())
        values.append(value())
    return statistics.median(values), statistics.median(baselines)
