"""The facts (纪实) of one evaluation as a table: date, text, source, state."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from supervisor_app import display

SOURCE_LABELS = {"visit": "督导记录", "finding": "问题", "rectification": "整改", "manual": "手工添加",
                 "meeting": "民主生活会"}
STATE_LABELS = {"proposed": "待确认", "accepted": "已采纳", "rejected": "已舍弃"}
SOURCE_ROLE = Qt.ItemDataRole.UserRole + 1  # (source kind, source id)


@dataclass(frozen=True)
class FactRow:
    id: str
    cells: tuple[str, str, str, str]
    state: str
    source: tuple[str, str | None]


def fact_rows(facts) -> list[FactRow]:
    """Stored facts as rows, every value readable whatever the database holds."""
    rows = []
    for fact in facts:
        cells = (display.date_text(fact.on_date), display.short(fact.text, 2000),
                 SOURCE_LABELS.get(fact.source_kind) or display.odd(fact.source_kind, display.NOT_IN_TEMPLATE),
                 STATE_LABELS.get(fact.state) or display.odd(fact.state, display.NOT_IN_TEMPLATE))
        rows.append(FactRow(fact.id, cells, display.text(fact.state), (fact.source_kind, fact.source_id)))
    return rows


class FactTableModel(QAbstractTableModel):
    HEADERS = ("日期", "纪实", "来源", "状态")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[FactRow] = []

    def set_rows(self, rows: list[FactRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.HEADERS):
            return self.tr(self.HEADERS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 1:
            return row.cells[1]
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == SOURCE_ROLE:
            return row.source
        if role == Qt.ItemDataRole.FontRole and row.state == "rejected":
            font = QFont()
            font.setStrikeOut(True)  # set aside, still shown (no colour: theme.py has no muted ink)
            return font
        return None
