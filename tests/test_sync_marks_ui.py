"""The per-record sync mark in the lists (visits, rectification ledger, evaluations): a record
saved shows 未发送, after the export 已发送, after the office's receipt 活动办已确认."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from supervisor_app import evaluations, findings, store, visits
from supervisor_app.models import Leader, Unit
from supervisor_app.sync import service
from tests import factories
from tests.test_sync_helpers import build_trio, on
from ui import tasks
from ui.main_window import MainWindow
from ui.models.ledger_table import LedgerTableModel
from ui.models.visit_table import MARK_COLUMN
from ui.pages.evaluations import EvaluationTableModel

PAGES = (("visits", MARK_COLUMN), ("rectification", LedgerTableModel.MARK_COLUMN),
         ("evaluations", EvaluationTableModel.MARK))


def _expect(qtbot, window, mark: str) -> None:
    """Each list, shown and refreshed as the user sees it, has one row whose 同步 cell's tooltip
    starts with ``mark``."""
    for key, column in PAGES:
        page = window.show_page(key)
        page.refresh()
        model = page.model
        assert model.headerData(column, Qt.Orientation.Horizontal) == "同步"

        def shown(model=model, column=column) -> bool:
            tip = model.data(model.index(0, column), Qt.ItemDataRole.ToolTipRole) if model.rowCount() == 1 else None
            return (tip or "").startswith(mark)

        tasks.wait_for_all()
        qtbot.waitUntil(shown, timeout=30_000)


def test_marks_go_from_unsent_to_sent_to_confirmed(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    trio = build_trio(tmp_path / "t")
    with on(trio.f1):
        county = Unit.get(Unit.name == "临江县")
        visit = visits.create_visit(county, "2014-04-08T09:30", ["查阅资料"], notes="一组的督导记录")
        finding = findings.create_finding(county, "学习笔记照抄照搬", "有形式主义趋向", visit=visit,
                                          found_on="2014-04-08")
        findings.set_rectification(finding, measure="重新组织学习", responsible="县委办", deadline="2014-05-08")
        evaluations.create_evaluation("leader", "2014-04-01", "2014-06-30",
                                      leader=Leader.get(Leader.name == "王建国").id)

    store.open_data_dir(trio.f1)
    window = MainWindow(trio.f1)
    qtbot.addWidget(window)
    window.show()
    _expect(qtbot, window, "未发送")
    page = window.pages["visits"]
    assert page.model.data(page.model.index(0, MARK_COLUMN)) == "未发送"

    sync = window.show_page("sync")
    stick = tmp_path / "stick"
    stick.mkdir()
    with qtbot.waitSignal(sync.operation_finished, timeout=60_000):
        sync.export(str(stick))
    _expect(qtbot, window, "已发送")
    window.close()
    tasks.wait_for_all()
    store.close()

    receipt = tmp_path / "receipt"
    receipt.mkdir()
    with on(trio.office):
        for bundle in stick.glob("*.sgb"):
            service.import_bundle(bundle)
        service.export_to_folder(receipt)

    store.open_data_dir(trio.f1)
    window = MainWindow(trio.f1)
    qtbot.addWidget(window)
    window.show()
    sync = window.show_page("sync")
    with qtbot.waitSignal(sync.operation_finished, timeout=60_000):
        sync.import_folder(str(receipt))
    _expect(qtbot, window, "活动办已确认")
    page = window.pages["visits"]
    assert page.model.data(page.model.index(0, MARK_COLUMN)) == "已确认"

    # a later change is not confirmed: the row is unsent again (its finding's rectification too)
    findings.set_rectification(finding, measure="重新组织学习，逐人过关", responsible="县委办", deadline="2014-05-08")
    ledger = window.show_page("rectification")
    ledger.refresh()
    tasks.wait_for_all()
    qtbot.waitUntil(lambda: (ledger.model.data(ledger.model.index(0, LedgerTableModel.MARK_COLUMN),
                                               Qt.ItemDataRole.ToolTipRole) or "").startswith("未发送"),
                    timeout=30_000)
    window.close()
    tasks.wait_for_all()


def test_an_installation_that_never_met_an_office_shows_no_mark(qtbot, data_dir):
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    page = window.show_page("visits")
    factories.visit(factories.county())
    page.refresh()
    tasks.wait_for_all()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=30_000)
    assert page.model.data(page.model.index(0, MARK_COLUMN)) == ""
    assert page.model.data(page.model.index(0, MARK_COLUMN), Qt.ItemDataRole.ToolTipRole) is None
