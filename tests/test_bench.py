"""The benchmarks keep working: ``python -m bench --quick`` produces every figure (no timings
are judged here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURES = {"startup_100k", "filter_100k", "search_100k", "pdf_visit", "pdf_summary_500", "export_100k",
           "import_100k", "rss_100k"}


def test_quick_benchmark_produces_every_figure(tmp_path, tmp_path_factory):
    out = tmp_path / "results.json"
    # The PDF faces made from the bundled font are shared with tests/test_reports.py (made once).
    fonts = tmp_path_factory.getbasetemp() / "report-fonts"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out), "--cache", str(tmp_path / "cache"),
         "--font-cache", str(fonts)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-4000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    assert list(results) == ["results"]
    by_name = {r["name"]: r for r in results["results"]}
    assert set(by_name) == FIGURES
    for result in results["results"]:
        assert set(result) == {"name", "value", "unit", "baseline", "ratio"}
        assert result["value"] > 0 and result["baseline"] > 0 and result["ratio"] > 0, result
        assert result["unit"] in ("ms", "s", "MB")
    for name in FIGURES:
        assert name in proc.stdout  # the table names every figure
    assert not list((tmp_path / "cache").glob("run-*"))  # the scratch folder is gone

