"""The 校准 page: the chart and the table computed off the GUI thread, a flag marked in words,
and the 常委会 report printed from the page."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from supervisor_app import calibration
from supervisor_app.reports import fonts
from supervisor_app.reports.common import group_order
from tests.sim_calibration import simulate
from ui import tasks
from ui.main_window import MainWindow
from ui.pdf_preview import PdfPreviewDialog


@pytest.fixture
def window(qtbot, demo_data):
    fonts.configure(use_system=False)
    win = MainWindow(demo_data)
    qtbot.addWidget(win)
    win.show()
    yield win
    tasks.wait_for_all()
    fonts.configure(use_system=True)


def test_calibration_page_chart_table_flag_and_standing_report(window, qtbot, tmp_path, monkeypatch):
    expected = calibration.calibrate(order=group_order)
    page = window.show_page("calibration")
    qtbot.waitUntil(lambda: page.result is not None, timeout=30_000)
    assert [r.name for r in page.chart.rows] == [g.name for g in expected.groups]
    assert page.table.rowCount() == len(expected.groups) + len(expected.members)
    page.show_members.setChecked(False)
    assert page.table.rowCount() == len(expected.groups)
    assert [page.table.item(r, 0).text() for r in range(page.table.rowCount())] == [g.name for g in expected.groups]

    # a planted lenient group: named in the status line and 明显偏宽 in the table, in words
    planted = calibration.estimate(*simulate(101, lenient={"第2组": 1.5}))
    assert [g.name for g in planted.groups if g.flagged] == ["第2组"]
    monkeypatch.setattr(calibration, "calibrate", lambda *a, **k: planted)
    page.result = None
    page.refresh()
    qtbot.waitUntil(lambda: page.result is planted, timeout=30_000)
    assert "明显偏宽：第2组" in page.status.text()
    verdicts = {page.table.item(r, 0).text(): page.table.item(r, 8).text() for r in range(page.table.rowCount())}
    assert verdicts["第2组"] == "明显偏宽" and verdicts["第1组"] != "明显偏宽"
    assert page.chart.grab().width() > 0  # it paints

    page.standing_button.click()
    qtbot.waitUntil(lambda: bool(page.findChildren(PdfPreviewDialog)), timeout=60_000)
    dialog = page.findChildren(PdfPreviewDialog)[-1]
    qtbot.addWidget(dialog)
    saved = dialog.save_as(str(tmp_path / "常委会.pdf"))
    assert "各督导组纪实评价情况报告" in PdfReader(saved).pages[0].extract_text().replace(" ", "")
    dialog.close()
