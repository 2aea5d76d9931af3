"""概览 and the search list as a user sees them: never-visited units by kind, columns that fit
or elide with their text on hover, search hits with their own passage and the word marked."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QMessageBox, QStyleOptionViewItem

from supervisor_app import overview, units, visits
from tests import factories
from tests.qt_helpers import type_text
from ui import tasks, theme
from ui.main_window import MainWindow
from ui.models.visit_table import NOTES_COLUMN, SNIPPET_ROLE, SnippetDelegate, VisitTableModel


@pytest.fixture
def window(qtbot, data_dir, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    win = MainWindow(data_dir)
    qtbot.addWidget(win)
    win.show()
    tasks.wait_for_all(600_000)  # the report fonts, made once per session on the one worker
    yield win
    tasks.wait_for_all()


def _city(data_dir):
    county = units.create_unit("临江县", "县市区")
    other = units.create_unit("青山县", "县市区")
    town = units.create_unit("城关镇", "乡镇", parent=county)
    for n in range(12):
        units.create_unit(f"第{n + 1}村", "村社区", parent=town)
    units.create_unit("市教育局" + "（" + "很长的单位名称" * 6 + "）", "市直单位")
    visits.create_visit(county, "2014-03-01T09:00", ["随机抽查"], notes="三月去过")
    visits.create_visit(other, "2014-06-20T09:00", ["随机抽查"], notes="最近去过")
    return county, other, town


def test_never_visited_units_are_grouped_by_kind_not_called_stale(data_dir):
    county, other, _town = _city(data_dir)
    stale = overview.stale_units(date(2014, 6, 30))
    assert [s.unit.name for s in stale] == ["临江县"] and stale[0].days == 121  # only a visited unit is late
    groups = overview.never_visited()
    assert [(kind, len(members)) for kind, members in groups] == [("市直单位", 1), ("乡镇", 1), ("村社区", 12)]
    village = groups[2][1][0]
    assert village.parent_name == "城关镇"
    assert county.id not in {u.id for _kind, members in groups for u in members}


def test_overview_page_filters_never_visited_by_kind_and_elides_with_tooltips(window, qtbot, data_dir):
    _city(data_dir)
    window.resize(1400, 900)
    page = window.pages["overview"]
    window.show_page("overview")
    with qtbot.waitSignal(page.refreshed, timeout=60_000):
        page.refresh()
    stale = [page.stale_table.item(r, 0).text() for r in range(page.stale_table.rowCount())]
    assert sorted(stale) == ["临江县", "青山县"]  # visited in 2014; not flooded by the never-visited villages
    kinds = [page.never_kind.itemText(i) for i in range(page.never_kind.count())]
    assert kinds == ["市直单位（1）", "乡镇（1）", "村社区（12）", "全部（14）"]
    assert page.never_table.rowCount() == 1  # the first kind, not every village
    page.never_kind.setCurrentIndex(page.never_kind.findData("村社区"))
    assert page.never_table.rowCount() == 12
    assert page.never_table.item(0, 1).text() == "城关镇"
    page.never_kind.setCurrentIndex(page.never_kind.findData("市直单位"))
    long_name = page.never_table.item(0, 0)
    table = page.never_table
    qtbot.waitUntil(lambda: sum(table.columnWidth(c) for c in range(table.columnCount()))
                    <= table.viewport().width())  # every column in view, none pushed out
    assert table.columnWidth(0) < table.sizeHintForColumn(0)  # the long name is cut …
    assert long_name.toolTip() == long_name.text() and "很长的单位名称" in long_name.toolTip()
    # after a refresh the kind chosen stays chosen
    with qtbot.waitSignal(page.refreshed, timeout=60_000):
        page.refresh()
    assert page.never_kind.currentData() == "市直单位"


def test_search_results_show_their_own_passage_with_the_word(window, qtbot, data_dir):
    unit = factories.county()
    factories.visit(unit, notes="听取汇报。\n学习笔记照抄照搬现象普遍", started_at="2014-04-08T09:30")
    factories.visit(unit, notes="座谈会：有干部照抄文件，缺少调研", started_at="2014-04-09T09:30")
    factories.visit(unit, notes="与此无关", started_at="2014-04-10T09:30")
    page = window.show_page("visits")
    window.find_action.trigger()
    type_text(page.search, "照抄")
    qtbot.waitUntil(lambda: page.model.total == 2 and page.model.rowCount() == 2)
    texts = [page.model.data(page.model.index(r, NOTES_COLUMN)) for r in range(2)]
    assert texts[0] != texts[1] and all("照抄" in t for t in texts)
    assert "学习笔记照抄照搬" in texts[1]  # its own line, not the opening one (听取汇报)
    cut = page.model.data(page.model.index(1, NOTES_COLUMN), SNIPPET_ROLE)
    assert cut[1] == "照抄"
    assert isinstance(page.table.itemDelegateForColumn(NOTES_COLUMN), SnippetDelegate)
    # the word is drawn on the highlight tint, even in a narrow column
    image = QImage(160, 30, QImage.Format.Format_RGB32)
    image.fill(page.table.palette().base().color())
    painter = QPainter(image)
    option = QStyleOptionViewItem()
    option.rect = image.rect()
    option.widget = page.table
    option.font = page.table.font()
    option.palette = page.table.palette()
    page.table.itemDelegateForColumn(NOTES_COLUMN).paint(painter, option, page.model.index(1, NOTES_COLUMN))
    painter.end()
    tint = theme.tint("due_soon").rgb()
    assert any(image.pixel(x, 15) == tint for x in range(image.width()))
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.total == 3)
    assert page.model.data(page.model.index(0, NOTES_COLUMN), SNIPPET_ROLE) is None


def test_visit_table_with_snippets_passes_the_model_tester(qtmodeltester, data_dir):
    unit = factories.county()
    factories.visit(unit, notes="四风问题突出")
    factories.visit(unit, notes="整改不到位")
    model = VisitTableModel(load=False)
    model.set_filter(visits.VisitFilter(search="四风"))
    qtmodeltester.check(model)
    assert model.rowCount() == 1
    assert model.data(model.index(0, 1), Qt.ItemDataRole.ToolTipRole) == "临江县"
