"""The main window: a navigation list with one page each, menus, shortcuts, status bar."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)
from shiboken6 import isValid

from supervisor_app import backup, installation, members
from supervisor_app.drafts import DraftStore
from supervisor_app.errors import SupervisorError

from . import tasks, xlsx_export
from .hub import announce, hub
from .operations import perform
from .widgets import error_text, show_error

# (key, title, module and class): a page is imported and built the first time it is shown,
# so the window opens without paying for the pages nobody looks at.
PAGES = (
    ("overview", "概览", "ui.pages.overview:OverviewPage"),
    ("units", "单位与干部", "ui.pages.units:UnitsPage"),
    ("visits", "督导记录", "ui.pages.visits:VisitsPage"),
    ("rectification", "问题整改", "ui.pages.rectification:RectificationPage"),
    ("supervision", "督导层面问题", "ui.pages.supervision:SupervisionPage"),
    ("evaluations", "纪实评价", "ui.pages.evaluations:EvaluationsPage"),
    ("reports", "报表", "ui.pages.reports:ReportsPage"),
    ("calibration", "校准", "ui.pages.calibration:CalibrationPage"),
    ("sync", "同步", "ui.pages.sync:SyncPage"),
    ("settings", "设置", "ui.pages.settings:SettingsPage"),
)
PAGE_KEYS = [key for key, _title, _target in PAGES]


def _prepare_report_fonts() -> None:
    from supervisor_app import reports  # imported on the worker, not on the way to the window

    reports.prepare_fonts()


class _Pages(dict):
    """The window's pages by key, each built on first use and placed in its slot of the stack."""

    def __init__(self, window: MainWindow):
        super().__init__()
        self.window = window

    def __missing__(self, key: str) -> QWidget:
        target = dict((k, t) for k, _title, t in PAGES)[key]
        module_name, class_name = target.split(":")
        page = getattr(importlib.import_module(module_name), class_name)(self.window)
        index = PAGE_KEYS.index(key)
        placeholder = self.window.stack.widget(index)
        self.window.stack.insertWidget(index, page)
        self.window.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        self[key] = page
        return page


class MainWindow(QMainWindow):
    def __init__(self, data_dir: Path):
        super().__init__()
        self.data_dir = Path(data_dir)
        self.drafts = DraftStore(self.data_dir)
        self.settings = QSettings(str(self.data_dir / "window.ini"), QSettings.Format.IniFormat)
        self.nav = QListWidget()
        self.nav.setFixedWidth(150)
        self.stack = QStackedWidget()
        self.pages = _Pages(self)
        for key, title, _target in PAGES:
            self.stack.addWidget(QWidget())  # replaced by the page when it is first shown
            item = QListWidgetItem(self.tr(title))
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._show_page)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._build_menus()
        self._build_member_switch()
        xlsx_export.install(self, self.menuBar().actions()[0].menu())
        hub.status.connect(self.show_status)
        hub.changed.connect(self._on_changed)
        hub.open_record.connect(self.open_record)
        self.update_title()
        self._restore_state()
        # The first PDF on a machine without Chinese fonts needs the bundled face cut once
        # (seconds of work): do it now, in the background, instead of when the user prints.
        tasks.run_task(lambda _progress, _cancelled: _prepare_report_fonts())
        started = backup.last_start_backup
        if started is not None and started.problem:
            self.show_status(self.tr("自动备份未完成：") + started.problem)
        elif started is not None and started.created is not None:
            self.show_status(self.tr("已自动备份（{counts}）").format(counts=started.created.summary()))

    def show_status(self, text: str) -> None:
        """A message in the status bar for a few seconds."""
        self.statusBar().showMessage(text, 8000)

    # --- window state ----------------------------------------------------------------------------

    def update_title(self) -> None:
        ctx = installation.context()
        group = members.current_group()
        member = members.current_member()
        parts = [group.name if group else self.tr("未设置督导组"), self.tr(installation.ROLE_LABELS[ctx.role])]
        if ctx.role == "field" or member is not None:
            parts.append(member.name if member else self.tr("未设置成员"))
        self.setWindowTitle(self.tr("督导纪实") + " — " + " · ".join(parts))

    # --- who is using this computer: one click in the title area ----------------------------------

    def _build_member_switch(self) -> None:
        corner = QWidget()
        row = QHBoxLayout(corner)
        row.setContentsMargins(0, 0, 6, 0)
        self.member_label = QLabel(self.tr("当前使用者"))
        self.member_switch = QComboBox()
        self.member_switch.setToolTip(self.tr("本机记下的每条记录都署当前使用者的名字。换人时在这里选择。"))
        self.member_switch.activated.connect(self._member_chosen)
        row.addWidget(self.member_label)
        row.addWidget(self.member_switch)
        self.member_corner = corner  # the binding does not hand the corner widget to the menu bar
        self.menuBar().setCornerWidget(corner, Qt.Corner.TopRightCorner)
        self._fill_member_switch()

    def _fill_member_switch(self) -> None:
        group = members.current_group()
        current = installation.context().member_id
        crew = members.list_members(group) if group else []
        self.member_switch.blockSignals(True)
        self.member_switch.clear()
        for member in crew:
            label = member.name + (self.tr("（组长）") if member.is_leader else "")
            self.member_switch.addItem(label, member.id)
        index = self.member_switch.findData(current)
        self.member_switch.setCurrentIndex(index)
        self.member_switch.blockSignals(False)
        visible = bool(crew)
        self.member_label.setVisible(visible)
        self.member_switch.setVisible(visible)

    def switch_member(self, member_id: str) -> None:
        """Make another member of the group the one using this computer."""
        name = next((self.member_switch.itemText(i) for i in range(self.member_switch.count())
                     if self.member_switch.itemData(i) == member_id), "")

        def failed(exc):
            self._fill_member_switch()
            show_error(self, exc, self.tr("无法切换使用者"))

        perform(self, lambda: members.set_current_member(member_id), kind="member",
                message=self.tr("当前使用者：") + name, on_error=failed)

    def _member_chosen(self, index: int) -> None:
        member_id = self.member_switch.itemData(index)
        if member_id and member_id != installation.context().member_id:
            self.switch_member(member_id)

    def _on_changed(self, kind: str) -> None:
        if not isValid(self) or not isValid(self.member_switch):  # the hub outlives a closed window
            return
        if kind in ("*", "member", "group"):
            self.update_title()
            self._fill_member_switch()

    def _restore_state(self) -> None:
        geometry = self.settings.value("geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        keys = PAGE_KEYS
        last = self.settings.value("page", "overview")
        self.nav.setCurrentRow(keys.index(last) if last in keys else 0)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("page", self.current_page_key())
        self.settings.sync()
        tasks.wait_for_all(10_000)
        super().closeEvent(event)

    def current_page_key(self) -> str:
        item = self.nav.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else "overview"

    def _show_page(self, row: int) -> None:
        if row < 0:
            return
        page = self.pages[PAGE_KEYS[row]]
        self.stack.setCurrentWidget(page)
        if hasattr(page, "refresh"):
            try:
                page.refresh()
            except Exception as exc:  # noqa: BLE001 — e.g. a database no reader can decode
                # The page stays open with what it has; the reason goes to the status bar.
                if not isinstance(exc, SupervisorError):
                    sys.excepthook(*sys.exc_info())
                self.show_status(self.tr("此页未能载入：") + error_text(exc))

    def show_page(self, key: str) -> QWidget:
        self.nav.setCurrentRow(PAGE_KEYS.index(key))
        return self.pages[key]

    # --- menus -----------------------------------------------------------------------------------

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("文件(&F)"))
        self.new_visit_action = self._action(file_menu, self.tr("新建督导记录"), self.new_visit,
                                             QKeySequence.StandardKey.New)
        self._action(file_menu, self.tr("备份与恢复…"), self.open_backups)
        self._action(file_menu, self.tr("生成演示数据…"), self.load_demo)
        file_menu.addSeparator()
        self._action(file_menu, self.tr("退出"), self.close, QKeySequence.StandardKey.Quit)
        edit_menu = bar.addMenu(self.tr("编辑(&E)"))
        self.find_action = self._action(edit_menu, self.tr("查找督导记录"), self.find, QKeySequence.StandardKey.Find)
        self._action(edit_menu, self.tr("刷新"), lambda: announce("*", self.tr("已刷新")), QKeySequence.StandardKey.Refresh)
        view_menu = bar.addMenu(self.tr("视图(&V)"))
        for number, (key, title, _target) in enumerate(PAGES, 1):
            self._action(view_menu, self.tr(title), lambda _=False, k=key: self.show_page(k), f"Ctrl+{number}")
        help_menu = bar.addMenu(self.tr("帮助(&H)"))
        self._action(help_menu, self.tr("关于督导纪实"), self.about)

    # --- actions ---------------------------------------------------------------------------------

    def new_visit(self, unit_id: str | None = None) -> None:
        self.show_page("visits").new_visit(unit_id)

    def find(self) -> None:
        self.show_page("visits").focus_search()

    def open_record(self, kind: str, record_id: str) -> None:
        """Open a record's editor; a record that is gone is said so."""
        try:
            self._open_record(kind, record_id)
        except SupervisorError as exc:
            show_error(self, exc, self.tr("无法打开记录"))

    def _open_record(self, kind: str, record_id: str) -> None:
        if kind == "visit":
            self.show_page("visits").open_visit(record_id)
        elif kind in ("finding", "rectification"):
            self.show_page("rectification").open_finding(record_id)
        elif kind == "unit":
            self.show_page("units").select_unit(record_id)
        elif kind == "evaluation":
            self.show_page("evaluations").open_evaluation(record_id)

    def load_demo(self) -> None:
        answer = QMessageBox.question(
            self, self.tr("生成演示数据"),
            self.tr("将在当前数据文件夹中生成虚构的演示数据（江川市），只能用于空的数据文件夹。继续吗？"),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        data_dir = self.data_dir

        def work(progress, cancelled):
            from supervisor_app import demo

            return demo.generate(data_dir, progress=progress, cancelled=cancelled)

        def done(summary):
            announce("*", self.tr("已生成演示数据：") + "，".join(f"{k} {v}" for k, v in summary.items()))
            self.update_title()
            self._fill_member_switch()

        tasks.run_with_progress(self, self.tr("正在生成演示数据…"), work, done, lambda exc: show_error(self, exc))

    def open_backups(self):
        from .backup_dialog import BackupDialog

        dialog = BackupDialog(self, self.data_dir)
        dialog.open()
        return dialog

    def about(self) -> None:
        QMessageBox.about(self, self.tr("关于督导纪实"), self.tr(
            "督导纪实：督导组现场督导记录、评估、整改跟踪与纪实评价。\n数据文件夹：") + str(self.data_dir))

    def offer_drafts(self):
        """Offer back, in one dialog, the drafts left by a crash or a kill."""
        from .editors.visit.recovery import offer_drafts

        return offer_drafts(self)
