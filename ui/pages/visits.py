"""督导记录: the visit list with filters and Chinese full-text search; opens the editor."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from supervisor_app import campaigns, display, units, visits
from supervisor_app.errors import SupervisorError

from ..hub import hub
from ..models.visit_table import NOTES_COLUMN, SnippetDelegate, VisitTableModel
from ..widgets import FieldErrors, heading, iso, today_qdate


class VisitsPage(QWidget):
    title = "督导记录"

    def __init__(self, window):
        super().__init__()
        self.window_ = window
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("督导记录")))

        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("全文检索：督导情况、接触人员、发现问题（如：四风、整改）"))
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.unit = QComboBox()
        self.sub_units = QCheckBox(self.tr("含下级"))
        self.method = QComboBox()
        self.member = QComboBox()
        for combo, length in ((self.unit, 16), (self.method, 6), (self.member, 6)):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(length)
        self.use_dates = QCheckBox(self.tr("日期"))
        self.date_from = QDateEdit(today_qdate().addMonths(-1))
        self.date_to = QDateEdit(today_qdate())
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.use_dates.toggled.connect(self.date_from.setEnabled)
        self.use_dates.toggled.connect(self.date_to.setEnabled)
        filters = QHBoxLayout()
        for label, widget in ((self.tr("单位"), self.unit), (None, self.sub_units), (self.tr("方式"), self.method),
                              (self.tr("成员"), self.member), (None, self.use_dates), (None, self.date_from),
                              (self.tr("至"), self.date_to)):
            if label:
                filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addStretch(1)
        layout.addLayout(filters)
        self.errors = FieldErrors(QLabel())
        layout.addWidget(self.errors.general)

        self.model = VisitTableModel(self, load=False)  # filled when the page is shown
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setItemDelegateForColumn(NOTES_COLUMN, SnippetDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((130, 150, 170, 150, 420, 80, 70)):
            self.table.setColumnWidth(column, width)
        # the notes take what the window leaves, so that 评估 and 同步 stay in view
        header.setStretchLastSection(False)
        header.setSectionResizeMode(NOTES_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda index: self.open_visit(self.model.row(index.row()).id))
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.count_label = QLabel()
        new_button = QPushButton(self.tr("新建督导记录"))
        new_button.clicked.connect(lambda: self.new_visit())
        open_button = QPushButton(self.tr("打开"))
        open_button.clicked.connect(self._open_selected)
        delete_button = QPushButton(self.tr("删除"))
        delete_button.clicked.connect(self._delete_selected)
        buttons.addWidget(self.count_label, 1)
        for button in (new_button, open_button, delete_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._debounce.start)
        for combo in (self.unit, self.method, self.member):
            combo.currentIndexChanged.connect(self._debounce.start)
        for signal in (self.sub_units.toggled, self.use_dates.toggled, self.date_from.dateChanged,
                       self.date_to.dateChanged):
            signal.connect(self._debounce.start)
        hub.changed.connect(self._on_changed)

    # --- filters ---------------------------------------------------------------------------------

    def _fill_choices(self) -> None:
        def refill(combo: QComboBox, items):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr("全部"), None)
            for text, value in items:
                combo.addItem(text, value)
            index = combo.findData(current)
            combo.setCurrentIndex(index if index >= 0 else 0)
            combo.blockSignals(False)

        refill(self.unit, [(display.short(path, 120), unit_id) for unit_id, path in units.unit_paths()])
        refill(self.method, [(m, m) for m in campaigns.active_template().methods])
        refill(self.member, [(m.name, m.id) for m in campaigns.list_members()])

    def current_filter(self) -> visits.VisitFilter:
        return visits.VisitFilter(
            unit_id=self.unit.currentData(), include_sub_units=self.sub_units.isChecked(),
            date_from=iso(self.date_from.date()) if self.use_dates.isChecked() else None,
            date_to=iso(self.date_to.date()) if self.use_dates.isChecked() else None,
            method=self.method.currentData(), member_id=self.member.currentData(),
            search=self.search.text().strip() or None,
        )

    def apply_filter(self) -> None:
        self.errors.clear()
        try:
            self.model.set_filter(self.current_filter())
        except SupervisorError as exc:
            self.errors.show(exc)
        self._update_count()

    def _update_count(self) -> None:
        self.count_label.setText(self.tr("共 {n} 条").format(n=self.model.total))

    def refresh(self) -> None:
        self._fill_choices()
        self.model.reload()
        self._update_count()

    def _on_changed(self, kind: str) -> None:
        if self.isVisible() and kind in ("*", "visit", "unit", "finding", "member"):
            self.refresh()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # --- records ---------------------------------------------------------------------------------

    def _selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()).id if rows else None

    def _open_selected(self) -> None:
        visit_id = self._selected_id()
        if visit_id:
            self.open_visit(visit_id)

    def _delete_selected(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from ..hub import announce
        from ..widgets import show_error

        visit_id = self._selected_id()
        if not visit_id:
            return
        if QMessageBox.question(self, self.tr("删除督导记录"), self.tr("确定删除这条督导记录吗？")) != \
                QMessageBox.StandardButton.Yes:
            return
        try:
            visits.delete_visit(visit_id)
        except SupervisorError as exc:
            show_error(self, exc)
            return
        announce("visit", self.tr("已删除督导记录"))

    def new_visit(self, unit_id: str | None = None):
        from ..editors.visit_editor import VisitEditor

        editor = VisitEditor(self.window_, unit_id=unit_id)
        editor.show()
        return editor

    def open_visit(self, visit_id: str):
        from ..editors.visit_editor import VisitEditor

        editor = VisitEditor(self.window_, visit_id=visit_id)
        editor.show()
        return editor

    def open_draft(self, draft):
        from ..editors.visit_editor import VisitEditor

        editor = VisitEditor(self.window_, draft=draft)
        editor.show()
        return editor
