"""The rectification ledger as a Qt table model (findings with their rectification), in 整改方案
order: each plan's problems together, those in no plan last (rectification_plans.plan_order)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush

from supervisor_app import display, findings
from supervisor_app import rectification_plans as plans
from supervisor_app.models import RECTIFICATION_STATUSES

from .. import theme
from ..guard import never_raises
from . import sync_marks


class LedgerTableModel(QAbstractTableModel):
    HEADERS = ("发现日期", "单位", "类别", "问题", "整改措施", "责任人", "时限", "状态", "整改方案", sync_marks.HEADER)
    PLAN_COLUMN = 8
    MARK_COLUMN = 9

    def __init__(self, parent=None, *, load: bool = True):
        super().__init__(parent)
        self.unit_id: str | None = None
        self.open_only = True
        self.overdue_only = False
        self._rows: list[findings.LedgerRow] = []
        self._marks: dict[str, str] = {}  # finding and rectification ids → sync mark
        self._plans: dict[str, tuple[str, str]] = {}  # finding id → (plan heading, 班子问题 / 个人问题)
        if load:
            self.reload()

    def query(self) -> list[findings.LedgerRow]:
        """The rows for the current filters in plan order (safe to call on a worker thread)."""
        rows = findings.ledger(self.unit_id, open_only=self.open_only, overdue_only=self.overdue_only)
        ordered, labels = plans.plan_order(rows, self.unit_id)
        return _PlannedRows(ordered, labels)

    def reload(self) -> None:
        self.set_rows(self.query())

    def set_rows(self, rows: list[findings.LedgerRow], marks: dict[str, str] | None = None) -> None:
        """Show ``rows``; ``marks`` their sync marks when fetched with them (on the worker),
        else fetched here, once for all the rows."""
        self.beginResetModel()
        self._rows = rows
        self._plans = getattr(rows, "plans", {})
        self._marks = marks if marks is not None else self.marks_of(rows)
        self.endResetModel()

    @staticmethod
    def marks_of(rows: list[findings.LedgerRow]) -> dict[str, str]:
        """The sync marks of the rows' findings and rectifications (safe on a worker thread)."""
        return sync_marks.fetch([i for r in rows for i in (r.finding.id, r.rectification.id if r.rectification else None)])

    def _mark(self, row: findings.LedgerRow) -> str | None:
        return sync_marks.of_row(self._marks, row.finding.id, row.rectification.id if row.rectification else None)

    def row(self, index: int) -> findings.LedgerRow:
        return self._rows[index]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    @never_raises()
    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    @never_raises()
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        rect = row.rectification
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == self.MARK_COLUMN:
                return sync_marks.text(self._mark(row))
            if index.column() == self.PLAN_COLUMN:  # the plan itself in the tooltip (the unit is beside it)
                plan, label = self._plans.get(row.finding.id, ("", ""))
                return label or ("未列入方案" if plan == plans.OUTSIDE_PLANS else "")
            return self._cells(row)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == self.PLAN_COLUMN:
            plan, label = self._plans.get(row.finding.id, ("", ""))
            return f"{plan}\n{label}" if label else plan or None
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == self.MARK_COLUMN:
            return sync_marks.tooltip(self._mark(row))
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.overdue:
                return QBrush(theme.tint("overdue"))
            if row.due_soon:
                return QBrush(theme.tint("due_soon"))
        if role == Qt.ItemDataRole.ForegroundRole and (row.overdue or row.due_soon):
            # on a tint, the palette's own text colour (light on the dark tints of a dark palette)
            return QBrush(theme.ink("danger") if row.overdue and index.column() == 7 else theme.text())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (3, 4):
            return display.short(row.finding.description if index.column() == 3 else rect.measure if rect else "", 2000)
        if role == Qt.ItemDataRole.UserRole:
            return row.finding.id
        return None

    @staticmethod
    def _cells(row: findings.LedgerRow) -> tuple[str, ...]:
        """The row's texts: stored values as they are, odd dates and statuses marked."""
        rect = row.rectification
        status = row.status if row.status in (*RECTIFICATION_STATUSES, "未制定整改") else \
            display.odd(row.status, display.NOT_IN_TEMPLATE)
        return (display.date_text(row.finding.found_on), display.short(row.unit_name, 60),
                display.short(row.finding.category, 100) + _four_winds(row), display.short(row.finding.description),
                display.short(rect.measure) if rect else "",
                display.short(rect.responsible, 100) if rect else "", display.date_text(rect.deadline) if rect else "",
                status + ("（逾期）" if row.overdue else ""))


def _four_winds(row: findings.LedgerRow) -> str:
    """The 四风 the finding is tagged with, after its category ("（四风：形式主义）"; "" for none)."""
    winds = findings.four_winds_text(row.finding)
    return f"（四风：{display.short(winds, 40)}）" if winds else ""


class _PlannedRows(list):
    """Ledger rows with, per finding id, the plan they are under (filled on the worker thread)."""

    def __init__(self, rows, plans_by_finding: dict[str, tuple[str, str]]):
        super().__init__(rows)
        self.plans = plans_by_finding
