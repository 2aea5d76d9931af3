"""The benchmarks keep working: ``python -m bench --quick`` produces every figure (no timings
are judged here); and the search shapes the visit list chooses for speed give the same answers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from supervisor_app import changelog, search, visits
from supervisor_app.models import Visit, database

ROOT = Path(__file__).resolve().parents[1]
FIGURES = {"startup_100k", "filter_100k", "search_100k", "pdf_visit", "pdf_summary_500", "export_100k",
           "import_100k", "rss_100k"}


def test_quick_benchmark_produces_every_figure(tmp_path):
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out), "--cache", str(tmp_path / "cache")],
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


def _ids(flt: visits.VisitFilter) -> list[str]:
    return [r.id for r in visits.visit_rows(flt, limit=1000)]


def _counted_by_scan(flt: visits.VisitFilter) -> int:
    where, params = flt.where()
    return database.execute_sql(f"SELECT COUNT(*) FROM visit v WHERE {where}", params).fetchone()[0]


@pytest.mark.parametrize("query", ["四风", "征求意见", "党 四风", "四风，整改", "焦裕禄", "党", "“"])
def test_search_shapes_and_index_count_agree(demo_data, monkeypatch, query):
    """The list's two search shapes (few matches: start from them; many: check each visit) and
    the count taken from the index give what a plain scan gives — also with a tombstoned visit
    left in the index by a writer that forgot it."""
    flt = visits.VisitFilter(search=query)
    expected_ids = _ids(flt)
    monkeypatch.setattr(search, "MANY_MATCHES", 0)  # every query now takes the "many" shape
    assert _ids(flt) == expected_ids
    assert visits.count_visits(flt) == _counted_by_scan(flt) == len(expected_ids)
    if expected_ids:
        stale = Visit.get_by_id(expected_ids[0])
        changelog.tombstone(stale)  # no search.remove_visit: the index still holds it
        assert visits.count_visits(flt) == _counted_by_scan(flt) == len(expected_ids) - 1
        assert _ids(flt) == expected_ids[1:]


@pytest.mark.parametrize("period", [(None, None), ("2014-04-01", "2014-06-30")])
@pytest.mark.parametrize("by", ["unit", "group"])
def test_visit_counts_leave_tombstones_out(demo_data, period, by):
    """visit_counts (all visits less the tombstoned ones, for speed) equals a count of live visits."""
    column = {"unit": "v.unit_id", "group": "v.group_id"}[by]
    where, params = visits.VisitFilter(date_from=period[0], date_to=period[1]).where()
    live = database.execute_sql(f"SELECT v.id, {column} FROM visit v WHERE {where} ORDER BY v.id", params).fetchall()
    for visit_id, _ in live[:3]:
        changelog.tombstone(Visit.get_by_id(visit_id))
    expected: dict = {}
    for _, key in live[3:]:
        expected[key] = expected.get(key, 0) + 1
    assert visits.visit_counts(*period, by=by) == expected
