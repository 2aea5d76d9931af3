"""The visit list as a Qt model: rows are fetched in pages as the view scrolls, so 100 000
visits open, scroll, sort and filter at once."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from supervisor_app import display, search, visits

from .. import theme
from ..guard import never_raises
from . import sync_marks

PAGE_SIZE = 200
NOTES_COLUMN = 4
SNIPPET_ROLE = Qt.ItemDataRole.UserRole + 1  # (before, the words found, after) of a search hit
ASSESSED = {0: "未评估", 1: "部分评估", 2: "已评估"}
MARK_COLUMN = 6


class VisitTableModel(QAbstractTableModel):
    COLUMNS = (
        ("started_at", "日期"),
        ("unit", "单位"),
        ("methods", "督导方式"),
        (None, "督导组成员"),
        ("notes", "督导情况"),
        (None, "评估"),
        (None, sync_marks.HEADER),
    )

    def __init__(self, parent=None, *, load: bool = True):
        super().__init__(parent)
        self.filter = visits.VisitFilter()
        self.order = "started_at"
        self.descending = True
        self._rows: list[visits.VisitRow] = []
        self._total = 0
        self._names: dict[str, str] = {}
        self._snippets: dict[str, tuple[str, str, str]] = {}
        self._marks: dict[str, str] = {}  # visit id → sync mark, fetched with each page
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
        self._snippets = {}
        self._cut_snippets(self._rows)
        self._marks = sync_marks.fetch(r.id for r in self._rows)
        self.endResetModel()

    def _cut_snippets(self, rows: list[visits.VisitRow]) -> None:
        """Each search hit shows the passage around the word found (one query per page)."""
        query = (self.filter.search or "").strip()
        if query and rows:
            self._snippets.update(search.snippets([r.id for r in rows], query))

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
        self._cut_snippets(more)
        self._marks.update(sync_marks.fetch(r.id for r in more))
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
            if column == NOTES_COLUMN:
                cut = self._snippets.get(row.id)
                return "".join(cut) if cut else row.first_line
            if column == 5:
                return ASSESSED[row.assessed]
            if column == MARK_COLUMN:
                return sync_marks.text(self._marks.get(row.id))
        elif role == SNIPPET_ROLE and column == NOTES_COLUMN:
            return self._snippets.get(row.id)
        elif role == Qt.ItemDataRole.ToolTipRole:
            if column == NOTES_COLUMN:
                cut = self._snippets.get(row.id)
                return ("".join(cut) + "\n\n" if cut else "") + display.short(row.notes)
            if column in (1, 2, 3):  # a cell cut short by its column says all of it on hover
                return self.data(index) or None
            if column == MARK_COLUMN:
                return sync_marks.tooltip(self._marks.get(row.id))
        elif role == Qt.ItemDataRole.ForegroundRole and column == 5 and row.assessed == 0:
            return theme.ink("warning")
        elif role == Qt.ItemDataRole.ForegroundRole and column == MARK_COLUMN:
            return sync_marks.colour(self._marks.get(row.id))
        elif role == Qt.ItemDataRole.UserRole:
            return row.id
        return None


class SnippetDelegate(QStyledItemDelegate):
    """Draws a search hit's passage with the words found in bold on a tint, kept in view when
    the column is narrow (the passage is cut on both sides around them, with …)."""

    @never_raises()
    def paint(self, painter, option, index) -> None:
        cut = index.data(SNIPPET_ROLE)
        if not cut:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget).adjusted(3, 0, -3, 0)
        before, hit, after = cut
        plain, strong = QFont(opt.font), QFont(opt.font)
        strong.setBold(True)
        plain_metrics, strong_metrics = QFontMetrics(plain), QFontMetrics(strong)
        hit = strong_metrics.elidedText(hit, Qt.TextElideMode.ElideRight, rect.width())
        room = max(0, rect.width() - strong_metrics.horizontalAdvance(hit))
        before_room = min(plain_metrics.horizontalAdvance(before),
                          max(room // 3, room - plain_metrics.horizontalAdvance(after)))
        before = plain_metrics.elidedText(before, Qt.TextElideMode.ElideLeft, before_room)
        after = plain_metrics.elidedText(after, Qt.TextElideMode.ElideRight,
                                         room - plain_metrics.horizontalAdvance(before))
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        ink = opt.palette.highlightedText().color() if selected else opt.palette.text().color()
        painter.save()
        painter.setClipRect(rect)
        x = rect.left()
        flags = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        for text, font, metrics, marked in ((before, plain, plain_metrics, False), (hit, strong, strong_metrics, True),
                                            (after, plain, plain_metrics, False)):
            width = metrics.horizontalAdvance(text)
            box = QRect(x, rect.top(), width, rect.height())
            if marked and not selected:
                # no "search hit" role in the theme yet: the due-soon tint is its nearest
                painter.fillRect(box.adjusted(0, 2, 0, -2), theme.tint("due_soon", opt.palette))
                painter.setPen(theme.text(opt.palette))
            else:
                painter.setPen(ink)
            painter.setFont(font)
            painter.drawText(box, flags, text)
            x += width
        painter.restore()
