"""单位与干部: the unit tree; the leadership teams and leaders of the selected unit."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from supervisor_app import display, units
from supervisor_app.errors import SupervisorError

from ..editors.unit_dialogs import LeaderDialog, TeamDialog, UnitDialog
from ..hub import announce, hub
from ..widgets import bold, heading, show_error
from .meetings import UnitMeetingsPanel
from .progress import UnitProgressPanel


class UnitsPage(QWidget):
    title = "单位与干部"

    def __init__(self, window):
        super().__init__()
        self.window_ = window
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("单位与干部")))
        splitter = QSplitter()
        layout.addWidget(splitter, 1)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([self.tr("单位"), self.tr("类别")])
        # the names take the room left by the kind (no sideways scrolling); a cut name is whole on hover
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.currentItemChanged.connect(lambda *_: self._show_unit())
        left_layout.addWidget(self.tree, 1)
        row = QHBoxLayout()
        for text, slot in ((self.tr("新建单位"), self.new_unit), (self.tr("新建下级"), self.new_child),
                           (self.tr("编辑"), self.edit_unit), (self.tr("删除"), self.delete_unit)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
        left_layout.addLayout(row)
        splitter.addWidget(left)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        self.unit_title = bold(QLabel())
        right_layout.addWidget(self.unit_title)
        teams_box = QGroupBox(self.tr("领导班子"))
        teams_layout = QVBoxLayout(teams_box)
        self.teams = QListWidget()
        self.teams.setMaximumHeight(120)
        teams_layout.addWidget(self.teams)
        row = QHBoxLayout()
        for text, slot in ((self.tr("新建班子"), self.new_team), (self.tr("改名"), self.edit_team),
                           (self.tr("删除班子"), self.delete_team)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        teams_layout.addLayout(row)
        right_layout.addWidget(teams_box)
        leaders_box = QGroupBox(self.tr("领导干部"))
        leaders_layout = QVBoxLayout(leaders_box)
        self.leaders = QTableWidget(0, 5)
        self.leaders.setHorizontalHeaderLabels([self.tr("姓名"), self.tr("职务"), self.tr("班子"), self.tr("一把手"),
                                                self.tr("联系点")])
        self.leaders.verticalHeader().hide()
        self.leaders.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.leaders.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.leaders.horizontalHeader().setStretchLastSection(True)
        self.leaders.cellDoubleClicked.connect(lambda *_: self.edit_leader())
        leaders_layout.addWidget(self.leaders)
        row = QHBoxLayout()
        for text, slot in ((self.tr("新建干部"), self.new_leader), (self.tr("编辑干部"), self.edit_leader),
                           (self.tr("删除干部"), self.delete_leader), (self.tr("对该单位新建督导记录"), self.new_visit)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        leaders_layout.addLayout(row)
        # the leaders and the unit's 规定动作 timeline share the height; the user moves the border
        lower = QSplitter(Qt.Orientation.Vertical)
        lower.setChildrenCollapsible(False)
        lower.addWidget(leaders_box)
        self.progress_panel = UnitProgressPanel()  # the unit's 规定动作 timeline (ui/pages/progress.py)
        self.meetings_panel = UnitMeetingsPanel()  # the unit's 专题民主生活会 (ui/pages/meetings.py)
        self.unit_tabs = QTabWidget()  # the 规定动作 and the 民主生活会 share the lower half
        self.unit_tabs.addTab(self.progress_panel, self.tr("规定动作进度"))
        self.unit_tabs.addTab(self.meetings_panel, self.tr("专题民主生活会"))
        self.unit_tabs.currentChanged.connect(lambda *_: self.unit_tabs.currentWidget().set_unit(self.selected_unit_id()))
        lower.addWidget(self.unit_tabs)
        lower.setStretchFactor(0, 1)
        lower.setStretchFactor(1, 1)
        self.leaders.setMinimumHeight(self.leaders.verticalHeader().defaultSectionSize() * 4)
        right_layout.addWidget(lower, 1)
        splitter.addWidget(right)
        splitter.setSizes([380, 800])
        hub.changed.connect(self._on_changed)

    # --- tree ------------------------------------------------------------------------------------

    def refresh(self) -> None:
        selected = self.selected_unit_id()
        self.tree.clear()
        items: dict[str, QTreeWidgetItem] = {}

        def add(parent, forest):
            for unit, children in forest:
                item = QTreeWidgetItem([display.short(unit.name, 100), display.short(unit.kind, 20)])
                item.setData(0, Qt.ItemDataRole.UserRole, unit.id)
                item.setToolTip(0, display.short(unit.name, 300))
                items[unit.id] = item
                if parent is None:
                    self.tree.addTopLevelItem(item)
                else:
                    parent.addChild(item)
                add(item, children)

        add(None, units.unit_tree())
        for i in range(self.tree.topLevelItemCount()):
            self.tree.topLevelItem(i).setExpanded(False)
        if selected in items:
            self.tree.setCurrentItem(items[selected])
        elif self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self._items = items
        self._show_unit()

    def _on_changed(self, kind: str) -> None:
        if self.isVisible() and kind in ("*", "unit", "leader", "team"):
            self.refresh()

    def selected_unit_id(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item else None

    def select_unit(self, unit_id: str) -> None:
        item = getattr(self, "_items", {}).get(unit_id)
        if item is not None:
            self.tree.setCurrentItem(item)
            self.tree.scrollToItem(item)

    def _show_unit(self) -> None:
        unit_id = self.selected_unit_id()
        self.teams.clear()
        self.leaders.setRowCount(0)
        self.progress_panel.set_unit(unit_id)
        self.meetings_panel.set_unit(unit_id)
        if not unit_id:
            self.unit_title.setText(self.tr("（没有单位，请先新建）"))
            return
        unit = units.get_unit(unit_id)
        self.unit_title.setText(display.short(f"{units.unit_path(unit)}（{unit.kind}）"))
        for team in units.list_teams(unit_id):
            item = QListWidgetItem(display.short(team.name, 100))
            item.setData(Qt.ItemDataRole.UserRole, team.id)
            self.teams.addItem(item)
        leaders = units.list_leaders(unit_id)
        self.leaders.setRowCount(len(leaders))
        for r, leader in enumerate(leaders):
            cells = [display.short(leader.name, 40), display.short(leader.position, 40),
                     display.related_name(leader, "team"), "是" if leader.is_top_leader else "",
                     display.related_name(leader, "contact_point_unit")]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, leader.id)
                self.leaders.setItem(r, c, item)
        self.leaders.resizeColumnsToContents()

    # --- actions ---------------------------------------------------------------------------------

    def _run_dialog(self, dialog, kind: str, message: str):
        if dialog.exec():
            announce(kind, message)
            return dialog.result_record
        return None

    def new_unit(self):
        record = self._run_dialog(UnitDialog(self), "unit", self.tr("已新建单位"))
        if record is not None:
            self.select_unit(record.id)
        return record

    def new_child(self):
        if not self.selected_unit_id():
            return None
        record = self._run_dialog(UnitDialog(self, parent_id=self.selected_unit_id()), "unit", self.tr("已新建单位"))
        if record is not None:
            self.select_unit(record.id)
        return record

    def edit_unit(self):
        if self.selected_unit_id():
            self._run_dialog(UnitDialog(self, unit=units.get_unit(self.selected_unit_id())), "unit",
                             self.tr("已保存单位"))

    def _confirm_and(self, question: str, action, kind: str, message: str) -> None:
        if QMessageBox.question(self, self.tr("确认"), question) != QMessageBox.StandardButton.Yes:
            return
        try:
            action()
        except SupervisorError as exc:
            show_error(self, exc, self.tr("不能删除"))
            return
        announce(kind, message)

    def delete_unit(self) -> None:
        unit_id = self.selected_unit_id()
        if unit_id:
            self._confirm_and(self.tr("确定删除该单位吗？"), lambda: units.delete_unit(unit_id), "unit",
                              self.tr("已删除单位"))

    def _selected_team_id(self):
        item = self.teams.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def new_team(self):
        if self.selected_unit_id():
            return self._run_dialog(TeamDialog(self, self.selected_unit_id()), "team", self.tr("已新建领导班子"))
        return None

    def edit_team(self):
        team_id = self._selected_team_id()
        if team_id:
            self._run_dialog(TeamDialog(self, self.selected_unit_id(), units.get_team(team_id)), "team",
                             self.tr("已保存领导班子"))

    def delete_team(self) -> None:
        team_id = self._selected_team_id()
        if team_id:
            self._confirm_and(self.tr("确定删除该领导班子吗？（其成员保留）"), lambda: units.delete_team(team_id),
                              "team", self.tr("已删除领导班子"))

    def _selected_leader_id(self):
        item = self.leaders.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def new_leader(self):
        if self.selected_unit_id():
            return self._run_dialog(LeaderDialog(self, self.selected_unit_id()), "leader", self.tr("已新建领导干部"))
        return None

    def edit_leader(self):
        leader_id = self._selected_leader_id()
        if leader_id:
            self._run_dialog(LeaderDialog(self, self.selected_unit_id(), units.get_leader(leader_id)), "leader",
                             self.tr("已保存领导干部"))

    def delete_leader(self) -> None:
        leader_id = self._selected_leader_id()
        if leader_id:
            self._confirm_and(self.tr("确定删除该领导干部吗？"), lambda: units.delete_leader(leader_id), "leader",
                              self.tr("已删除领导干部"))

    def new_visit(self) -> None:
        if self.selected_unit_id():
            self.window_.new_visit(self.selected_unit_id())
