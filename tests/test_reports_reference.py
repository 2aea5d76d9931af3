"""Reference renderings: the first page of each document made from demo data, as text and
positions (not a bitmap), compared with a stored copy under tests/reference/, so that every
change of layout is deliberate.

After a deliberate change, look at the documents, then rewrite the references with

    SUPERVISOR_UPDATE_REFERENCES=1 python -m pytest tests/test_reports_reference.py

and commit them with the change.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date, datetime
from pathlib import Path

import pdfplumber
import pytest

from supervisor_app import clock, evaluations, units, visits
from supervisor_app.reports import fonts, render

REFERENCES = Path(__file__).parent / "reference"
MM = 72 / 25.4
ON = date(2014, 7, 1)
MADE_AT = datetime(2014, 7, 1, 9, 30).astimezone()
UPDATE = os.environ.get("SUPERVISOR_UPDATE_REFERENCES") == "1"


@pytest.fixture(scope="module", autouse=True)
def shipped_faces_only():
    fonts.configure(use_system=False)
    yield
    fonts.configure(use_system=True)


@pytest.fixture
def fixed_today(monkeypatch):
    """Documents say 截至<today>: the references are made on a fixed day."""
    original = clock.today  # compared against before any module (clock among them) is patched
    for name, module in list(sys.modules.items()):
        if name.startswith("supervisor_app") and getattr(module, "today", None) is original:
            monkeypatch.setattr(module, "today", lambda: ON)


def first_page(path: Path) -> list[dict]:
    """The first page's words: position (mm, to 0.1), size, face and text; the small print
    that names record ids (random in each demo data set) is left out."""
    with pdfplumber.open(path) as pdf:
        words = pdf.pages[0].extract_words(keep_blank_chars=True, x_tolerance=1.5, extra_attrs=["fontname", "size"])
    return [
        {"x": round(w["x0"] / MM, 1), "y": round(w["top"] / MM, 1), "size": round(w["size"], 1),
         "face": w["fontname"].split("+", 1)[-1], "text": w["text"]}
        for w in words if w["size"] >= 10
    ]


def _targets():
    counts = visits.visit_counts()
    unit = max(units.list_units(), key=lambda u: (counts.get(u.id, 0), units.unit_path(u)))
    visit = max((v for v in visits.list_visits() if v.unit_id == unit.id), key=lambda v: v.started_at)
    evaluation = min(evaluations.list_evaluations(), key=lambda e: (e.period_start, evaluations.subject_name(e)))
    return [
        ("visit", {"record_id": visit.id}),
        ("unit", {"record_id": unit.id, "date_from": "2014-01-01", "date_to": "2014-06-30"}),
        ("ledger", {}),
        ("summary", {"date_from": "2014-01-01", "date_to": "2014-06-30"}),
        ("evaluation", {"record_id": evaluation.id}),
    ]


def test_first_pages_match_their_references(fixed_today, demo_data, tmp_path):
    mismatched = []
    for kind, arguments in _targets():
        out = render(kind, tmp_path / f"{kind}.pdf", made_at=MADE_AT, **arguments)
        got = first_page(out)
        reference = REFERENCES / f"{kind}.json"
        if UPDATE:
            reference.parent.mkdir(exist_ok=True)
            lines = ",\n".join(json.dumps(word, ensure_ascii=False) for word in got)
            reference.write_text(f"[\n{lines}\n]\n", encoding="utf-8")  # one word a line: diffs read well
            continue
        expected = json.loads(reference.read_text(encoding="utf-8"))
        if got != expected:
            lines = [f"{kind}: first difference"]
            for a, b in zip(expected, got, strict=False):
                if a != b:
                    lines.append(f"  stored {a}\n  now    {b}")
                    break
            else:
                lines.append(f"  {len(expected)} words stored, {len(got)} now")
            mismatched.append("\n".join(lines))
    assert not mismatched, "\n".join(mismatched)
