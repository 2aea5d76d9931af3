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
    warnings = []  # a refusal shown to the user would wait for a click: recorded instead, and none expected
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[1:]))
    win = MainWindow(data_dir)
    qtbot.addWidget(win)
    win.show()
    yield win
    tasks.wait_for_all()
    assert warnings == []


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


def test_a_page_with_a_table_of_its_own_exports_it(window, qtbot, monkeypatch, tmp_path):
    from supervisor_app.export_xlsx import PERCENT, TEXT, Table

    page = window.show_page("sync")
    assert not window.xlsx_action.isEnabled()
    page.excel_sources = ()
    page.excel_tables = lambda: [Table("校准", ("督导组", "未发现占比"), [["市委第一督导组", 0.75]], (TEXT, PERCENT))]
    window.show_page("settings")
    window.show_page("sync")
    assert window.xlsx_action.isEnabled()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "校准.xlsx"), ""))
    with qtbot.waitSignal(window.statusBar().messageChanged, timeout=20_000,
                          check_params_cb=lambda text: text.startswith("已导出 Excel")):
        window.xlsx_action.trigger()
    sheet = load_workbook(tmp_path / "校准.xlsx")["校准"]
    assert sheet["B2"].value == 0.75 and sheet["B2"].number_format == "0.0%"
