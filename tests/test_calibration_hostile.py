"""Calibration and the 常委会 report over stored values no service would write (the same
hostile database as tests/test_stored_data_robustness.py): made, never a traceback."""

from __future__ import annotations

import json

import pytest

from supervisor_app import calibration, cli
from supervisor_app.reports import fonts, render
from tests.test_stored_data_robustness import hostile  # noqa: F401 — the fixture


@pytest.fixture(scope="module", autouse=True)
def shipped_faces_only():
    fonts.configure(use_system=False)
    yield
    fonts.configure(use_system=True)


def test_calibration_and_standing_report_over_hostile_values(hostile, tmp_path, capsys):  # noqa: F811
    result = calibration.calibrate()
    assert result.groups and all(g.leniency is None or g.low <= g.leniency <= g.high for g in result.groups)
    assert calibration.table_rows(result)
    assert cli.main(["--data-dir", str(hostile), "calibration", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["group"] for r in rows} == {g.name for g in result.groups}
    assert render("standing", tmp_path / "standing.pdf").stat().st_size > 0
    assert render("summary", tmp_path / "summary.pdf").stat().st_size > 0


def test_calibration_page_over_hostile_values(hostile, qtbot):  # noqa: F811
    from ui import tasks
    from ui.main_window import MainWindow

    window = MainWindow(hostile)
    qtbot.addWidget(window)
    window.show()
    page = window.show_page("calibration")
    qtbot.waitUntil(lambda: page.result is not None, timeout=60_000)
    assert page.table.rowCount() >= len(page.result.groups) > 0
    assert not page.status.text().startswith("无法计算")
    page.chart.grab()
    tasks.wait_for_all()
