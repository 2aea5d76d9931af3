"""四风 tags on findings: zero or more of 形式主义、官僚主义、享乐主义、奢靡之风, checked the same on
create, update and bundle import; shown in the visit editor (check boxes), `list findings
--json` and the visit record PDF."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from supervisor_app import cli, findings, units, visits
from supervisor_app.clock import new_id
from supervisor_app.errors import ValidationError
from supervisor_app.models import ChangeLog, Finding, Unit
from tests import factories
from tests.test_sync_helpers import build_trio, device_id, import_, on
from tests.test_sync_hostile_device import craft, entry, refused


def _finding(unit, **extra):
    values = {"description": "征求意见避重就轻", "category": "征求意见不太理想", "sub_kind": "不聚焦",
              "found_on": "2014-04-08", **extra}
    return findings.create_finding(unit, **values)


def test_tags_are_kept_in_the_order_of_the_four_winds(data_dir):
    unit = factories.county()
    assert _finding(unit).four_winds == []
    tagged = _finding(unit, four_winds=["官僚主义", "形式主义"])
    assert Finding.get_by_id(tagged.id).four_winds == ["形式主义", "官僚主义"]
    assert _finding(unit, four_winds="享乐主义、奢靡之风").four_winds == ["享乐主义", "奢靡之风"]
    findings.update_finding(tagged, four_winds=[])
    assert Finding.get_by_id(tagged.id).four_winds == []


BAD_TAGS = [
    (["形式主义", "吃喝风"], "“吃喝风”不是“四风”之一"),
    (["形式主义", "形式主义"], "有重复的项"),
    ("形式主义；官僚", "不是“四风”之一"),
    ([1], "应为一组文字"),
    ({"形式主义": True}, "应为一组文字"),
]


@pytest.mark.parametrize(("tags", "message"), BAD_TAGS)
def test_bad_tags_are_refused_on_create_naming_the_field(data_dir, tags, message):
    unit = factories.county()
    before = (ChangeLog.select().count(), Finding.select().count())
    with pytest.raises(ValidationError) as info:
        _finding(unit, four_winds=tags)
    assert message in info.value.message and info.value.field == "four_winds"
    assert (ChangeLog.select().count(), Finding.select().count()) == before


@pytest.mark.parametrize(("tags", "message"), BAD_TAGS)
def test_bad_tags_are_refused_on_update_and_nothing_changes(data_dir, tags, message):
    finding = _finding(factories.county(), four_winds=["官僚主义"])
    before = ChangeLog.select().count()
    with pytest.raises(ValidationError) as info:
        findings.update_finding(finding, four_winds=tags, description="改了描述")
    assert message in info.value.message and info.value.field == "four_winds"
    stored = Finding.get_by_id(finding.id)
    assert (stored.four_winds, stored.description, ChangeLog.select().count()) == (["官僚主义"], "征求意见避重就轻", before)


def test_tags_are_listed_in_json(data_dir, capsys):
    unit = factories.county()
    _finding(unit, four_winds=["形式主义", "官僚主义"])
    _finding(unit, description="学习走过场", category="学习教育还不深不透", sub_kind="学习内容不集中")
    assert cli.main(["--data-dir", str(data_dir), "list", "findings", "--json"]) == 0
    rows = {r["description"]: r["four_winds"] for r in json.loads(capsys.readouterr().out)}
    assert rows == {"征求意见避重就轻": ["形式主义", "官僚主义"], "学习走过场": []}


def test_typical_tags_follow_the_category():
    assert findings.typical_four_winds("征求意见不太理想") == ["形式主义", "官僚主义"]
    assert findings.typical_four_winds("思想认识存在偏差") == []


# --- bundles -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world_template(tmp_path_factory):
    return build_trio(tmp_path_factory.mktemp("four-winds") / "t")


@pytest.fixture
def world(world_template, tmp_path):
    return world_template.copy_to(tmp_path / "w")


def _finding_entry(world, tags) -> dict:
    with on(world.office):
        unit2 = Unit.get(Unit.name == "青山县").id
    values = {"unit": unit2, "visit": None, "leader": None, "found_on": "2014-04-09", "category": "有形式主义趋向",
              "sub_kind": "以形式主义来反对“四风”问题", "description": "调研报告照抄", "severity": "一般",
              "closed": False, "four_winds": tags}
    return entry(device_id(world.f2), 1, "finding", new_id(), "insert", values)


def test_a_tagged_finding_arrives_with_its_tags(world):
    (result,) = import_(world.office, craft(world, [_finding_entry(world, ["形式主义"])]))
    assert result.status == "imported"
    with on(world.office):
        assert Finding.get(Finding.description == "调研报告照抄").four_winds == ["形式主义"]


@pytest.mark.parametrize(("tags", "message"), [*BAD_TAGS[:2], ("形式主义", "应为一组文字"), ([1], "应为一组文字")])
def test_a_bundle_with_bad_tags_is_refused_whole(world, tags, message):
    error = refused(world, craft(world, [_finding_entry(world, tags)]), message)
    assert "同步包中的问题" in error.message and error.field.startswith("finding:") and error.field.endswith(":four_winds")


# --- the window -----------------------------------------------------------------------------------


def test_the_visit_editor_ticks_and_saves_the_four_winds(qtbot, data_dir, monkeypatch):
    from ui import tasks
    from ui.editors.visit.findings_tab import FourWindsEditor
    from ui.main_window import MainWindow
    from ui.models.visit_findings import COLUMN_OF

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    unit = units.create_unit("临江县", "县市区")
    visit = visits.create_visit(unit, "2014-04-08T09:30", notes="座谈。", methods=["座谈会"])
    finding = _finding(unit, visit=visit)
    win = MainWindow(data_dir)
    qtbot.addWidget(win)
    win.show()
    tasks.wait_for_all(600_000)
    editor = win.pages["visits"].open_visit(visit.id)
    qtbot.addWidget(editor)
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    editor.tabs.setCurrentWidget(editor.findings)
    view, model = editor.findings.view, editor.findings.model
    index = model.index(0, COLUMN_OF["four_winds"])
    assert model.headerData(COLUMN_OF["four_winds"], Qt.Orientation.Horizontal) == "涉及“四风”"
    view.setCurrentIndex(index)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F2)
    boxes = view.indexWidget(index)
    assert isinstance(boxes, FourWindsEditor) and [b.text() for b in boxes.boxes.values()] == \
        ["形式主义", "官僚主义", "享乐主义", "奢靡之风"]
    for wind in ("官僚主义", "形式主义"):
        box = boxes.boxes[wind]
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert model.data(index) == "形式主义、官僚主义"
    with qtbot.waitSignal(editor.saved, timeout=10_000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert Finding.get_by_id(finding.id).four_winds == ["形式主义", "官僚主义"]
    tasks.wait_for_all()


def test_the_rectification_list_shows_the_tags_after_the_category(qapp, data_dir):
    from ui.models.ledger_table import LedgerTableModel

    unit = factories.county()
    _finding(unit, four_winds=["形式主义", "官僚主义"])
    _finding(unit, description="学习走过场", category="学习教育还不深不透", sub_kind="学习内容不集中")
    model = LedgerTableModel()
    texts = {model.data(model.index(r, 3)): model.data(model.index(r, 2)) for r in range(model.rowCount())}
    assert texts == {"征求意见避重就轻": "征求意见不太理想（四风：形式主义、官僚主义）", "学习走过场": "学习教育还不深不透"}
