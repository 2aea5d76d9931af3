"""startup_100k and rss_100k: the real program in a subprocess, against an empty QMainWindow.

Both probes (``bench/probes/``) print one JSON line once their window has painted what we wait
for; the time is taken in this process from just before the child starts to that line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .measure import Figure, medians

ROOT = Path(__file__).resolve().parents[1]
PROBES = Path(__file__).resolve().parent / "probes"
WINDOW = PROBES / "window.py"
EMPTY_WINDOW = PROBES / "empty_window.py"


class ProbeError(RuntimeError):
    """A probe ended without reporting."""


def probe_env() -> dict:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("SUPERVISOR_DATA_DIR", None)  # the probe names its folder
    return env


def run_probe(script: Path, *args: str, timeout: float = 900) -> tuple[float, dict]:
    """Start ``script`` with this Python; return (seconds from start to its report, the report)."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, str(script), *args], stdout=subprocess.PIPE, stderr=errors,
                                text=True, encoding="utf-8", env=probe_env(), cwd=ROOT)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            report = None
            for line in proc.stdout:
                if line.startswith('{"ready"'):
                    elapsed = time.perf_counter() - start
                    report = json.loads(line)
                    break
            proc.stdout.close()
            proc.wait()
        finally:
            killer.cancel()
        if report is None:
            errors.seek(0)
            tail = errors.read().decode("utf-8", "replace")[-3000:]
            raise ProbeError(f"{script.name} {' '.join(args)} exited {proc.returncode} without a report:\n{tail}")
    return elapsed, report


def open_on_visit_list(data_dir: Path) -> None:
    """Make the window open on 督导记录, as it does for a user who last left it there."""
    (data_dir / "window.ini").write_text("[General]\npage=visits\n", encoding="utf-8")


def startup(data_dir: Path, runs: int, visits: int, warmup: int = 1) -> Figure:
    """Process start → main window painted with the visit list filled.

    The warm-up start is not counted: the first start of a day also makes the daily backup.
    """
    open_on_visit_list(data_dir)
    value, baseline = medians(
        lambda: run_probe(WINDOW, str(data_dir))[0],
        lambda: run_probe(EMPTY_WINDOW)[0],
        runs,
        warmup=warmup,
    )
    return Figure("startup_100k", value * 1000, "ms", baseline * 1000, runs,
                  f"python main.py on {visits} visits until the visit list is painted")


def peak_memory(data_dir: Path, runs: int, visits: int) -> Figure:
    """Peak RSS of the window after scrolling through the whole visit list."""
    open_on_visit_list(data_dir)

    def scrolled() -> float:
        _, report = run_probe(WINDOW, str(data_dir), "--scroll")
        if report.get("rows") != visits:
            raise ProbeError(f"the visit list showed {report.get('rows')} rows, expected {visits}")
        return report["peak_rss_mb"]

    value, baseline = medians(scrolled, lambda: run_probe(EMPTY_WINDOW)[1]["peak_rss_mb"], runs, warmup=0)
    return Figure("rss_100k", value, "MB", baseline, runs,
                  f"peak RSS after scrolling all {visits} rows; baseline: empty QMainWindow's peak RSS")
