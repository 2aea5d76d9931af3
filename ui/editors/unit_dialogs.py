"""Dialogs to create and edit a unit, a leadership team and a leader (validation in services)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from supervisor_app import display, units
from supervisor_app.errors import SupervisorError
from supervisor_app.models import UNIT_KINDS

from ..widgets import FieldErrors, record_combo, set_combo_data, show_stored


class _FormDialog(QDialog):
    """A form whose OK runs ``self.submit()``; a refusal shows next to its field."""

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.layout_ = QVBoxLayout(self)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self.errors = FieldErrors(QLabel())
        self.result_record = None

    def add_row(self, label: str, widget, field: str | None = None) -> None:
        self.form.addRow(label, widget)
        if field:
            self.form.addRow("", self.errors.label_for(field))

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.errors.general)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.layout_.addWidget(buttons)

    def submit(self):
        raise NotImplementedError

    def accept(self) -> None:
        try:
            self.result_record = self.submit()
        except SupervisorError as exc:
            self.errors.show(exc)
            return
        super().accept()


def _unit_combo(blank: str) -> QComboBox:
    combo = record_combo()
    combo.addItem(blank, None)
    for unit_id, path in units.unit_paths():
        combo.addItem(display.short(path, 120), unit_id)
    return combo


class UnitDialog(_FormDialog):
    def __init__(self, parent=None, unit=None, parent_id: str | None = None):
        super().__init__(parent.tr("编辑单位") if unit else parent.tr("新建单位"), parent)
        self.unit = unit
        self.name = QLineEdit(unit.name if unit else "")
        self.kind = QComboBox()
        for kind in UNIT_KINDS:
            self.kind.addItem(kind, kind)
        self.parent_unit = _unit_combo(self.tr("（无上级）"))
        if unit:
            show_stored(self.kind, unit.kind)
            show_stored(self.parent_unit, unit.parent_id, display.related_name(unit, "parent"))
        elif parent_id:
            set_combo_data(self.parent_unit, parent_id)
            parent_kind = units.get_unit(parent_id).kind
            set_combo_data(self.kind, {"县市区": "乡镇", "市直单位": "二级机构", "乡镇": "村社区"}.get(parent_kind))
        self.add_row(self.tr("单位名称"), self.name, "name")
        self.add_row(self.tr("类别"), self.kind, "kind")
        self.add_row(self.tr("上级单位"), self.parent_unit, "parent")
        self.finish_layout()

    def submit(self):
        values = {"name": self.name.text(), "kind": self.kind.currentData(), "parent": self.parent_unit.currentData()}
        if self.unit:
            return units.update_unit(self.unit.id, **values)
        return units.create_unit(values.pop("name"), values.pop("kind"), **values)


class TeamDialog(_FormDialog):
    def __init__(self, parent, unit_id: str, team=None):
        super().__init__(parent.tr("编辑领导班子") if team else parent.tr("新建领导班子"), parent)
        self.unit_id, self.team = unit_id, team
        default = f"{units.get_unit(unit_id).name}领导班子"
        self.name = QLineEdit(team.name if team else default)
        self.add_row(self.tr("名称"), self.name, "name")
        self.finish_layout()

    def submit(self):
        if self.team:
            return units.update_team(self.team.id, self.name.text())
        return units.create_team(self.unit_id, self.name.text())


class LeaderDialog(_FormDialog):
    def __init__(self, parent, unit_id: str, leader=None):
        super().__init__(parent.tr("编辑领导干部") if leader else parent.tr("新建领导干部"), parent)
        self.unit_id, self.leader = unit_id, leader
        self.name = QLineEdit(leader.name if leader else "")
        self.position = QLineEdit(leader.position if leader else "")
        self.team = record_combo()
        self.team.addItem(self.tr("（不属于班子）"), None)
        for team in units.list_teams(unit_id):
            self.team.addItem(display.short(team.name, 80), team.id)
        self.top = QCheckBox(self.tr("一把手"))
        self.county_level = QCheckBox(self.tr("县处级"))
        self.county_level.setChecked(True)
        self.contact_point = _unit_combo(self.tr("（无联系点）"))
        if leader:
            show_stored(self.team, leader.team_id, display.related_name(leader, "team"))
            self.top.setChecked(bool(leader.is_top_leader))
            self.county_level.setChecked(bool(leader.is_county_level))
            show_stored(self.contact_point, leader.contact_point_unit_id,
                        display.related_name(leader, "contact_point_unit"))
        elif self.team.count() > 1:
            self.team.setCurrentIndex(1)
        self.add_row(self.tr("姓名"), self.name, "name")
        self.add_row(self.tr("职务"), self.position, "position")
        self.add_row(self.tr("领导班子"), self.team, "team")
        self.add_row("", self.top, "is_top_leader")
        self.add_row("", self.county_level)
        self.add_row(self.tr("联系点"), self.contact_point, "contact_point_unit")
        self.finish_layout()

    def submit(self):
        values = {"name": self.name.text(), "position": self.position.text(), "team": self.team.currentData(),
                  "is_top_leader": self.top.isChecked(), "is_county_level": self.county_level.isChecked(),
                  "contact_point_unit": self.contact_point.currentData()}
        if self.leader:
            return units.update_leader(self.leader.id, **values)
        return units.create_leader(values.pop("name"), values.pop("position"), self.unit_id, **values)
