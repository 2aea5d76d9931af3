"""The visit list as a Qt model: rows are fetched in pages as the view scrolls, so 100 000
visits open, scroll, sort and filter at once."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from supervisor_app import display, visits

from ..guard import never_raises

PAGE_SIZE = 200
ASSESSED = {0: "未评估", 1: "部分评估", 2: "已评估"}


class VisitTableModel(QAbstractTableModel):
    COLUMNS = (
        ("started_at", "日期"),
        ("unit", "单位"),
        ("methods", "督导方式"),
        (None, "督导组成员"),
        ("notes", "督导情况"),
        (None, "评估"),
    )

    def __init__(self, parent=None, *, load: bool = True):
        super().__init__(parent)
        self.filter = visits.VisitFilter()
        self.order = "started_at"
        self.descending = True
        self._rows: list[visits.VisitRow] = []
        self._total = 0
        self._names: dict[str, str] = {}
        if load:
            self.reload()

    # --- loading ---------------------------------------------------------------------------------

    _loaded = False

    def reload(self) -> None:
        self._loaded = True
        self.beginResetModel()
        self._names = visits.member_names()
        self._total = visits.count_visits(self.filter)
        self._rows = visits.visit_rows(self.filter, order=self.order, descending=self.descending,
                                       offset=0, limit=PAGE_SIZE)
        self.endResetModel()

    def set_filter(self, flt: visits.VisitFilter) -> None:
        self.filter = flt
        self.reload()

    @property
    def total(self) -> int:
        return self._total

    @never_raises(False)
    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: N802
        return not parent.isValid() and len(self._rows) < self._total

    @never_raises()
    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: N802
        if parent.isValid():
            return
        more = visits.visit_rows(self.filter, order=self.order, descending=self.descending,
                                 after=self._rows[-1] if self._rows else None, limit=PAGE_SIZE)
        if not more:
            self._total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    @never_raises()
    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        key = self.COLUMNS[column][0]
        if key is None:
            return
        self.order = key
        self.descending = order == Qt.SortOrder.DescendingOrder
        if self._loaded:
            self.reload()

    # --- the model interface ---------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    @never_raises()
    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section][1]
        return None

    def row(self, index: int) -> visits.VisitRow:
        return self._rows[index]

    @never_raises()
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return display.minute_text(row.started_at)
            if column == 1:
                return row.unit_name
            if column == 2:
                return "、".join(row.methods)
            if column == 3:
                return "、".join(self._names.get(m, "?") for m in row.member_ids)
            if column == 4:
                return row.first_line
            if column == 5:
                return ASSESSED[row.assessed]
        elif role == Qt.ItemDataRole.ToolTipRole and column == 4:
            return display.short(row.notes)
        elif role == Qt.ItemDataRole.ForegroundRole and column == 5 and row.assessed == 0:
            return QColor("#9a6700")
        elif role == Qt.ItemDataRole.UserRole:
            return row.id
        return None
