"""导出 Excel from the window: the current page's tables, a Chinese file name, off the GUI thread."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QFileDialog, QMessageBox

from supervisor_app import findings
from tests import factories
from ui import tasks
from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, data_dir, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    win = MainWindow(data_dir)
    qtbot.addWidget(win)
    win.show()
    yield win
    tasks.wait_for_all()


def test_the_button_exports_the_pages_tables_where_the_user_chooses(window, qtbot, monkeypatch, tmp_path):
    county = factories.county()
    visit = factories.visit(county, notes="=1+1 查阅学习笔记")
    findings.create_finding(county, "学习笔记照抄照搬", "学习教育还不深不透", visit=visit)
    offered = []

    def choose(parent, caption, suggested, filters):
        offered.append((suggested, filters))
        return str(tmp_path / f"第{len(offered)}份"), filters  # typed without the extension

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    window.show_page("settings")
    assert not window.xlsx_button.isEnabled()  # nothing to export on 设置
    window.show_page("rectification")
    assert window.xlsx_button.isEnabled() and "问题整改" in window.xlsx_action.toolTip()
    with qtbot.waitSignal(window.statusBar().messageChanged, timeout=20_000,
                          check_params_cb=lambda text: text.startswith("已导出 Excel")):
        window.xlsx_button.click()
    assert "问题整改（" in offered[0][0] and offered[0][0].endswith("日）.xlsx") and "*.xlsx" in offered[0][1]
    book = load_workbook(tmp_path / "第1份.xlsx")
    assert book.sheetnames == ["发现问题", "问题整改"]
    assert book["发现问题"]["F2"].value == "学习笔记照抄照搬"

    # the visits page: its own table, and the folder chosen last time is offered again
    window.show_page("visits")
    with qtbot.waitSignal(window.statusBar().messageChanged, timeout=20_000,
                          check_params_cb=lambda text: text.startswith("已导出 Excel")):
        window.xlsx_action.trigger()
    assert offered[1][0].startswith(str(tmp_path)) and "督导记录（" in offered[1][0]
    sheet = load_workbook(tmp_path / "第2份.xlsx")["督导记录"]
    notes = sheet["H2"]
    assert notes.value == "=1+1 查阅学习笔记" and notes.data_type == "s"


def test_cancelling_the_dialog_writes_nothing(window, monkeypatch, tmp_path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    window.show_page("units")
    from ui import xlsx_export

    assert xlsx_export.export_page(window) is None
    tasks.wait_for_all()
    assert list(tmp_path.glob("*.xlsx")) == []
