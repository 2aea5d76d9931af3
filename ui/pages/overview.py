"""概览: counts, rectifications overdue or due soon, units not visited lately, the latest
visits, and the tendency levels across units; every item opens its record."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from supervisor_app import display, overview

from .. import tasks, theme
from ..hub import hub
from ..widgets import error_text, heading
from .progress import DueActionsBox

MIN_COLUMN_WIDTH = 48
KEEP_WIDTH = 110  # px: up to this, a column keeps its full width
WIDEST_DATE = "2014年12月31日"  # a date column is kept whole (at least this wide in the table's font)


class FittingTable(QTableWidget):
    """A table whose columns fit its width: each as wide as its contents, the widest cut down
    (their text elided with …, whole in the tooltip) until all fit — no column pushed out of view."""

    def fit_columns(self) -> None:
        self.resizeColumnsToContents()
        widths = [self.columnWidth(c) for c in range(self.columnCount())]
        room = self.viewport().width()
        if not widths or sum(widths) <= room:
            return
        # the largest cap that lets every column fit; a short column (a date, a status) is
        # never cut below KEEP_WIDTH: the long texts give way first
        keep = max(KEEP_WIDTH, self.fontMetrics().horizontalAdvance(WIDEST_DATE) + 2 * self.frameWidth() + 12)
        def floors_for(keep: int) -> list[int]:
            # a short column (up to ``keep``) stays whole; a long one may be cut down to the minimum
            return [w if w <= keep else MIN_COLUMN_WIDTH for w in widths]

        floors = floors_for(keep)
        while sum(floors) > room and keep > MIN_COLUMN_WIDTH:  # a narrow table: short ones give way too
            keep -= 8
            floors = floors_for(keep)
        cap = max(widths)
        while cap > MIN_COLUMN_WIDTH and sum(max(f, min(w, cap)) for f, w in zip(floors, widths, strict=True)) > room:
            cap -= 8
        for column, (floor, width) in enumerate(zip(floors, widths, strict=True)):
            self.setColumnWidth(column, max(floor, min(width, cap)))
        overflow = self.horizontalHeader().length() - room  # the stretched last column keeps a minimum
        if overflow > 0:
            widest = max(range(len(widths)), key=self.columnWidth)
            self.setColumnWidth(widest, max(MIN_COLUMN_WIDTH, self.columnWidth(widest) - overflow))

    def viewportEvent(self, event) -> bool:  # noqa: N802
        # the viewport narrows when a scroll bar appears: fit to it again
        if event.type() == QEvent.Type.Resize and event.size().width() != event.oldSize().width():
            QTimer.singleShot(0, self, self.fit_columns)
        return super().viewportEvent(event)


def _table(headers: list[str]) -> FittingTable:
    table = FittingTable(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    # a header narrower than its label shows its start and … (Qt's headers clip both ends by default)
    table.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    table.horizontalHeader().setStretchLastSection(True)
    table.setMinimumHeight(150)
    return table


def _fit_columns(table: FittingTable) -> None:
    table.fit_columns()


class OverviewPage(QWidget):
    title = "概览"
    refreshed = Signal()

    def __init__(self, window):
        super().__init__()
        self.window_ = window
        outer = QVBoxLayout(self)
        outer.addWidget(heading(self.tr("概览")))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        scroll.setWidget(body)
        outer.addWidget(scroll)
        layout = QVBoxLayout(body)

        self.counts_row = QHBoxLayout()
        layout.addLayout(self.counts_row)
        self.count_labels: dict[str, QLabel] = {}

        grid = QGridLayout()
        self.due_table = _table([self.tr("时限"), self.tr("状态"), self.tr("单位"), self.tr("问题"), self.tr("整改措施")])
        self.stale_table = _table([self.tr("单位"), self.tr("类别"), self.tr("上次督导"), self.tr("间隔")])
        self.never_kind = QComboBox()
        self.never_kind.currentIndexChanged.connect(self._show_never_visited)
        self.never_table = _table([self.tr("单位"), self.tr("上级单位")])
        self._never: list[tuple[str, list]] = []
        self.latest_table = _table([self.tr("日期"), self.tr("单位"), self.tr("督导方式"), self.tr("督导情况")])
        self.tendency_table = _table([self.tr("单位")])
        boxes = (
            (self.tr("逾期及 7 日内到期的整改"), self.due_table, 0, 0),
            (self.tr("超过 {n} 天未督导的单位").format(n=overview.STALE_DAYS), self.stale_table, 0, 1),
            (self.tr("最近的督导记录"), self.latest_table, 1, 0),
            (self.tr("各单位倾向（最近一次评估）"), self.tendency_table, 1, 1),
        )
        for title, table, row, column in boxes:
            box = QGroupBox(title)
            box_layout = QVBoxLayout(box)
            box_layout.addWidget(table)
            grid.addWidget(box, row, column)
        never_box = QGroupBox(self.tr("尚未督导过的单位"))
        never_layout = QVBoxLayout(never_box)
        kind_row = QHBoxLayout()
        kind_row.addWidget(QLabel(self.tr("类别")))
        kind_row.addWidget(self.never_kind, 1)
        never_layout.addLayout(kind_row)
        never_layout.addWidget(self.never_table)
        grid.addWidget(never_box, 0, 2, 2, 1)
        for column, stretch in enumerate((3, 3, 2)):
            grid.setColumnStretch(column, stretch)
        layout.addLayout(grid, 1)
        self.actions_box = DueActionsBox(window)  # 规定动作 due this week and overdue (ui/pages/progress.py)
        layout.addWidget(self.actions_box)
        self.due_table.cellDoubleClicked.connect(lambda r, _c: self._open(self.due_table, r, "finding"))
        self.stale_table.cellDoubleClicked.connect(lambda r, _c: self._open(self.stale_table, r, "unit"))
        self.latest_table.cellDoubleClicked.connect(lambda r, _c: self._open(self.latest_table, r, "visit"))
        self.never_table.cellDoubleClicked.connect(lambda r, _c: self._open(self.never_table, r, "unit"))
        self.tendency_table.cellDoubleClicked.connect(lambda r, _c: self._open(self.tendency_table, r, "unit"))
        hub.changed.connect(self._on_changed)

    def _on_changed(self, _kind: str) -> None:
        if self.isVisible():
            self.refresh()

    def _open(self, table: QTableWidget, row: int, kind: str) -> None:
        record_id = table.item(row, 0).data(Qt.ItemDataRole.UserRole)
        if record_id:
            self.window_.open_record(kind, record_id)

    @staticmethod
    def _fill(table: QTableWidget, rows: list[tuple[str, list[str], QColor | None]]) -> None:
        table.setRowCount(len(rows))
        for r, (record_id, cells, colour) in enumerate(rows):
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if c == 0:
                    item.setData(Qt.ItemDataRole.UserRole, record_id)
                if colour is not None:
                    item.setBackground(QBrush(colour))
                    item.setForeground(QBrush(theme.text()))
                table.setItem(r, c, item)
        _fit_columns(table)

    def refresh(self) -> None:
        """Compute the figures on the worker; the page keeps answering meanwhile."""
        tasks.load_async(self, overview.snapshot, self._apply, self._failed)
        self.actions_box.refresh()

    def _failed(self, exc: BaseException) -> None:
        hub.status.emit(self.tr("概览无法刷新：") + error_text(exc))

    def _apply(self, snap: overview.Overview) -> None:
        for name, value in snap.counts.items():
            label = self.count_labels.get(name)
            if label is None:
                label = QLabel()
                label.setAlignment(Qt.AlignmentFlag.AlignCenter)
                self.count_labels[name] = label
                self.counts_row.addWidget(label)
            label.setText(f"<div style='font-size:20pt;font-weight:600'>{value}</div><div>{name}</div>")
            colour = theme.ink_style("danger") if name == "逾期整改" and value else ""
            label.setStyleSheet("background:palette(alternate-base);border:1px solid palette(mid);"
                                "border-radius:6px;padding:8px;" + colour)
        due = [(r.finding.id, [display.date_text(r.rectification.deadline), "逾期" if r.overdue else "即将到期",
                               r.unit_name, display.short(r.finding.description, 100),
                               display.short(r.rectification.measure, 100)],
                theme.tint("overdue") if r.overdue else theme.tint("due_soon"))
               for r in (*snap.overdue, *snap.due_soon)]
        self._fill(self.due_table, due)
        stale = [(s.unit.id, [display.short(s.unit.name, 60), s.unit.kind, display.date_text(s.last_visit),
                              f"{s.days} 天" if s.days is not None else "—"], None) for s in snap.stale_units]
        self._fill(self.stale_table, stale)
        self._fill_never_visited(snap.never_visited)
        latest = [(v.id, [display.minute_text(v.started_at), v.unit_name, "、".join(v.methods), v.first_line], None)
                  for v in snap.latest_visits]
        self._fill(self.latest_table, latest)
        table = self.tendency_table
        table.setColumnCount(1 + len(snap.tendency_names))
        table.setHorizontalHeaderLabels([self.tr("单位")] + [name.removeprefix("防止")[:10] for _, name in snap.tendency_names])
        for column, (_, name) in enumerate(snap.tendency_names, 1):
            table.horizontalHeaderItem(column).setToolTip(name)
        table.setRowCount(len(snap.tendencies))
        for r, (unit, levels) in enumerate(snap.tendencies):
            item = QTableWidgetItem(display.short(unit.name, 60))
            item.setData(Qt.ItemDataRole.UserRole, unit.id)
            table.setItem(r, 0, item)
            for c, (tid, _) in enumerate(snap.tendency_names, 1):
                level = levels.get(tid, "")
                cell = QTableWidgetItem(display.scale_text(level, snap.tendency_scale))
                position = display.on_scale(level, snap.tendency_scale)
                if position is not None:
                    cell.setBackground(QBrush(theme.tint(f"level{min(position, 3)}")))
                    cell.setForeground(QBrush(theme.text()))
                table.setItem(r, c, cell)
        _fit_columns(table)
        self.refreshed.emit()

    # --- units never visited, one kind at a time ------------------------------------------------

    def _fill_never_visited(self, groups: list[tuple[str, list]]) -> None:
        """The kinds with their counts; the kind shown stays chosen (the first kind at first:
        县市区 before their villages)."""
        self._never = groups
        chosen = self.never_kind.currentData()
        self.never_kind.blockSignals(True)
        self.never_kind.clear()
        for kind, members in groups:
            self.never_kind.addItem(self.tr("{kind}（{n}）").format(kind=kind, n=len(members)), kind)
        if groups:
            self.never_kind.addItem(self.tr("全部（{n}）").format(n=sum(len(m) for _k, m in groups)), "*")
        else:  # every unit visited: said, instead of an empty choice (and not kept as a choice later)
            self.never_kind.addItem(self.tr("全部（0）"), None)
        index = self.never_kind.findData(chosen)
        self.never_kind.setCurrentIndex(index if index >= 0 else 0)
        self.never_kind.blockSignals(False)
        self._show_never_visited()

    def _show_never_visited(self, _=None) -> None:
        kind = self.never_kind.currentData()
        rows = [(unit.id, [display.short(unit.name, 60), display.short(unit.parent_name, 60)], None)
                for k, members in self._never if kind in (k, "*") for unit in members]
        self._fill(self.never_table, rows)
