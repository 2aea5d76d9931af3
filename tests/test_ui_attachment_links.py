"""The visit editor: a photo linked to a finding or an assessment item on the 附件 tab, its
thumbnail shown beside the finding and the item, the link saved."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from supervisor_app import attachments, campaigns, findings, visit_form
from supervisor_app.models import Attachment
from tests.test_ui_visit_editor import _editor, _save, unit, window  # noqa: F401  (fixtures)
from ui import tasks
from ui.models.visit_findings import COLUMN_OF


def _stored_visit(tmp_path, unit_id: str):
    photo = tmp_path / "现场.png"
    image = QImage(300, 200, QImage.Format.Format_RGB32)
    image.fill(QColor(10, 120, 200))
    image.save(str(photo))
    return visit_form.save(visit_form.VisitForm(
        unit_id=unit_id, started_at="2014-04-08T09:30", methods=["查阅资料"], notes="第一次", add_files=[str(photo)],
        findings=[visit_form.FindingForm(description="笔记雷同", category="有形式主义趋向")]))


def _choose(qtbot, combo, key: str) -> None:
    """Pick an entry of the 所属 box with the keyboard, as a user would."""
    combo.setFocus()
    target = combo.findData(key)
    assert target >= 0, key
    step = Qt.Key.Key_Down if target > combo.currentIndex() else Qt.Key.Key_Up
    while combo.currentIndex() != target:
        qtbot.keyClick(combo, step)


def test_a_photo_linked_to_a_finding_then_to_an_item_shows_there_and_is_saved(window, qtbot, unit, tmp_path):  # noqa: F811
    visit = _stored_visit(tmp_path, unit.id)
    (finding,) = findings.list_findings(visit=visit)
    editor = _editor(window, qtbot, visit_id=visit.id)
    editor.tabs.setCurrentWidget(editor.attachments)
    tab = editor.attachments
    assert [tab.link.itemText(i) for i in range(3)][:2] == ["本次督导（整体）", "问题 1：笔记雷同"]
    assert not tab.link.isEnabled()  # nothing selected yet
    tasks.wait_for_all()
    item = tab.list.item(0)
    qtbot.mouseClick(tab.list.viewport(), Qt.MouseButton.LeftButton, pos=tab.list.visualItemRect(item).center())
    assert tab.link.isEnabled() and tab.link.currentData() == ""

    _choose(qtbot, tab.link, f"finding:{finding.id}")
    assert "问题 1：笔记雷同" in item.text()
    model = editor.findings.model
    cell = model.index(0, COLUMN_OF["description"])
    qtbot.waitUntil(lambda: model.data(cell, Qt.ItemDataRole.DecorationRole) is not None)
    assert "照片 1 张" in model.data(cell, Qt.ItemDataRole.ToolTipRole)
    _save(editor, qtbot)
    (stored,) = attachments.list_attachments(visit)
    assert stored.finding_id == finding.id and stored.item is None

    focus = f"focus:{campaigns.active_template().focus_items[0]['id']}"
    item = tab.list.item(0)
    qtbot.mouseClick(tab.list.viewport(), Qt.MouseButton.LeftButton, pos=tab.list.visualItemRect(item).center())
    assert tab.link.currentData() == f"finding:{finding.id}"  # reloaded from what was saved
    _choose(qtbot, tab.link, focus)
    label = editor.assessment.photo_labels[focus]
    qtbot.waitUntil(lambda: not label.isHidden())
    assert "照片 1 张" in label.toolTip()
    qtbot.waitUntil(lambda: model.data(cell, Qt.ItemDataRole.DecorationRole) is None)
    _save(editor, qtbot)
    stored = Attachment.get_by_id(stored.id)
    assert stored.item == focus and stored.finding_id is None


def test_a_photo_of_a_finding_removed_in_the_editor_goes_with_it(window, qtbot, unit, tmp_path):  # noqa: F811
    visit = _stored_visit(tmp_path, unit.id)
    (finding,) = findings.list_findings(visit=visit)
    (att,) = attachments.list_attachments(visit)
    attachments.link_attachment(att.id, finding=finding)
    editor = _editor(window, qtbot, visit_id=visit.id)
    editor.findings.model.remove(0)
    _save(editor, qtbot)
    assert attachments.list_attachments(visit) == []
    assert Attachment.get_by_id(att.id).deleted


def test_findings_model_with_photos_passes_the_model_tester(qtmodeltester, data_dir):
    from ui.models.visit_findings import FindingsModel

    model = FindingsModel(campaigns.active_template())
    model.set_findings([visit_form.FindingForm(description="一\n二", category="有形式主义趋向", id="f1"),
                        visit_form.FindingForm(description="x", category="有形式主义趋向")])
    image = QImage(90, 60, QImage.Format.Format_RGB32)
    image.fill(QColor(200, 30, 30))
    model.set_photos({"finding:f1": [image, image], "focus:x": [image]})
    qtmodeltester.check(model)
    cell = model.index(0, COLUMN_OF["description"])
    assert model.data(cell, Qt.ItemDataRole.DecorationRole) is not None
    assert "照片 2 张" in model.data(cell, Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(1, COLUMN_OF["description"]), Qt.ItemDataRole.DecorationRole) is None
