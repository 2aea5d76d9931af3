"""The documents made from demo data, proofread by tests/proofread.py: the 22 × 28 grid on full
body pages with every line filling the block (±0.5 mm), the page number's 一字线 7 ± 1 mm below
the block, every break of every paragraph and cell by the rules, no cell line of one or two
characters, the shipped faces by role, every table closed on every page."""

from __future__ import annotations

import pytest

from supervisor_app.reports import fonts
from tests import proofread


@pytest.fixture(scope="module", autouse=True)
def shipped_faces_only():
    fonts.configure(use_system=False)
    yield
    fonts.configure(use_system=True)


def test_every_kind_of_document_passes_proofreading(demo_data, tmp_path):
    proofread.add_long_visit()
    reports = proofread.proofread(tmp_path)
    assert {name.split("-")[0] for name in (r.name for r in reports)} == {
        "ledger", "summary", "standing", "visit", "unit", "evaluation", "progress", "weekly"}
    faults = [f"{r.name}: {fault}" for r in reports for fault in r.faults]
    assert not faults, "\n".join(faults[:20])
    body = next(r for r in reports if r.name == "visit-1")  # the long notes
    assert body.full_body_pages >= 5
    assert sum(body.full_lines.values()) >= 60
    # 28 characters to a full line of plain text (29 where closing marks are squeezed so that a
    # mark may end the line), but where a rule keeps a number or a quotation with the next line:
    # the line is then spread to fill the block (measured by right_edge_mm).
    full = sum(body.full_lines.values())
    # How many lines such a rule spreads depends on the text (the demo's notes carry counts such as
    # "完成59项"); the spread lines' right edge is checked as a fault above. 86 of 96 at this stop.
    assert body.full_lines[28] + body.full_lines[29] >= 0.85 * full, body.full_lines
    assert max(body.full_lines) <= 29
    assert all(abs(edge) <= 0.5 for r in reports for edge in r.right_edge_mm)
    assert all(abs(dash - 7) <= 1 for r in reports for dash in r.dash_mm)
    assert sum(r.breaks for r in reports) > 300
    assert all(r.tables for r in reports)  # every document has tables, all closed (no fault above)
    for r in reports:
        assert r.faces["title"] == {"FandolSong-Bold"}, r.name
        assert r.faces["number"] == {"FandolSong-Regular"}, r.name
        assert "FandolFang-Regular" in r.faces["body"] and "FandolHei-Regular" in r.faces["body"], r.name


def test_the_proofreader_finds_a_broken_rule():
    """The measures can fail: a break before 。 and a cell line of one character are reported."""
    report = proofread.Report("x")
    proofread.check_breaks(report, [("body", [("督导组发现问题", False, False), ("。", False, False)]),
                                    ("cell", [("整改到", False, False), ("位", False, False)])])
    assert len(report.faults) == 2 and report.short_cell_lines == 1
