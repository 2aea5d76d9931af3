"""The findings of the visit being edited, as a Qt table model over the form's ``FindingForm``s.

Multi-line descriptions and measures are shown whole (the view wraps them); a finding's
rectification (measure, responsible person, deadline) is edited on its row. Cells the last
check refused are tinted and carry the refusal as their tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap

from supervisor_app import display
from supervisor_app.rules.findings import FOUR_WINDS
from supervisor_app.template import Template
from supervisor_app.visit_form import FindingForm

from .. import theme
from ..guard import never_raises

# column: (FindingForm attribute, header, required)
COLUMNS = (
    ("category", "问题类别", True),
    ("sub_kind", "具体表现", False),
    ("description", "问题描述", True),
    ("severity", "严重程度", False),
    ("four_winds", "涉及“四风”", False),
    ("leader_id", "涉及干部", False),
    ("measure", "整改措施", False),
    ("responsible", "责任人", False),
    ("deadline", "整改时限", False),
)
COLUMN_OF = {name: i for i, (name, _header, _required) in enumerate(COLUMNS)}
MULTI_LINE = ("description", "measure")
CHOICE_COLUMNS = ("category", "sub_kind", "severity", "leader_id")
PHOTO = 48  # the thumbnail of a finding's first photo, beside its description


class FindingsModel(QAbstractTableModel):
    edited = Signal()

    def __init__(self, template: Template, parent=None):
        super().__init__(parent)
        self.template = template
        self.rows: list[FindingForm] = []
        self.removed: list[FindingForm] = []  # stored findings the user deleted (kept for saving)
        self.leader_labels: dict[str, str] = {}  # leader id → "name（position）" for the visit's unit
        self.errors: dict[tuple[int, int], str] = {}
        self.photos: dict[str, list[QImage]] = {}  # finding id → thumbnails of its photos (附件 tab)

    # --- the form ---------------------------------------------------------------------------------

    def set_findings(self, items: list[FindingForm]) -> None:
        self.beginResetModel()
        self.rows = [item for item in items if not item.remove]
        self.removed = [item for item in items if item.remove]
        self.errors = {}
        self.endResetModel()

    def findings(self) -> list[FindingForm]:
        """The rows and the removed stored findings, as the form holds them."""
        return [*self.rows, *self.removed]

    def add(self) -> int:
        row = len(self.rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self.rows.append(FindingForm(severity=self.template.severities[0]))
        self.endInsertRows()
        self.edited.emit()
        return row

    def remove(self, row: int) -> None:
        if not 0 <= row < len(self.rows):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        item = self.rows.pop(row)
        self.endRemoveRows()
        if item.id:
            item.remove = True
            self.removed.append(item)
        self.errors = {}
        self.edited.emit()

    def set_photos(self, photos: dict[str, list[QImage]]) -> None:
        """Thumbnails of the photos linked to findings ({"finding:<id>": [image, …]}): the first is
        shown beside the description, the count in its tooltip."""
        self.photos = {key.split(":", 1)[1]: images for key, images in photos.items() if key.startswith("finding:")}
        if self.rows:
            column = COLUMN_OF["description"]
            self.dataChanged.emit(self.index(0, column), self.index(len(self.rows) - 1, column),
                                  [Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ToolTipRole])

    def _photos_of(self, item: FindingForm) -> list[QImage]:
        return self.photos.get(item.id, []) if item.id else []

    def set_leaders(self, labels: dict[str, str]) -> None:
        self.leader_labels = dict(labels)
        if self.rows:
            column = COLUMN_OF["leader_id"]
            self.dataChanged.emit(self.index(0, column), self.index(len(self.rows) - 1, column))

    def set_errors(self, errors: dict[tuple[int, str], str]) -> None:
        """Refusals by (row, FindingForm attribute); a refusal of no column marks the description."""
        self.errors = {(row, COLUMN_OF.get(name, COLUMN_OF["description"])): message
                       for (row, name), message in errors.items() if 0 <= row < len(self.rows)}
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1))

    def choices(self, column: int, row: int) -> list[tuple[str, str | None]]:
        """(label, value) pairs a choice column offers on ``row``."""
        name = COLUMNS[column][0]
        if name == "category":
            return [("", "")] + [(c["name"], c["name"]) for c in self.template.problem_categories]
        if name == "sub_kind":
            category = self.template.category(self.rows[row].category or "") or {}
            return [("", "")] + [(s, s) for s in category.get("sub_kinds", [])]
        if name == "severity":
            return [(s, s) for s in self.template.severities]
        if name == "leader_id":
            return [("", None)] + list((label, lid) for lid, label in self.leader_labels.items())
        return []

    # --- the model interface ----------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    @never_raises()
    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            name, header, required = COLUMNS[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return self.tr(header) + (" *" if required else "")
            if role == Qt.ItemDataRole.ToolTipRole and required:
                return self.tr("必填")
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def _text(self, item: FindingForm, name: str) -> str:
        value = getattr(item, name)
        if name == "leader_id":
            return self.leader_labels.get(value, display.missing(value)) if value else ""
        if name == "deadline":
            return display.date_text(value) if value else ""
        if name == "four_winds":
            return "、".join(display.text(v) for v in value) if isinstance(value, list) else ""
        return value or ""

    @never_raises()
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows) or not 0 <= index.column() < len(COLUMNS):
            return None
        item = self.rows[index.row()]
        name = COLUMNS[index.column()][0]
        error = self.errors.get((index.row(), index.column()))
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, name)
        if role == Qt.ItemDataRole.EditRole:
            return getattr(item, name)
        if role == Qt.ItemDataRole.DecorationRole and name == "description" and self._photos_of(item):
            return QIcon(QPixmap.fromImage(self._photos_of(item)[0].scaled(
                PHOTO, PHOTO, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)))
        if role == Qt.ItemDataRole.ToolTipRole:
            photos = len(self._photos_of(item)) if name == "description" else 0
            text = error or (self._text(item, name) or None)
            return f"{text or ''}\n" + self.tr("照片 {n} 张（见“附件”页）").format(n=photos) if photos else text
        if role == Qt.ItemDataRole.BackgroundRole and error:
            return theme.tint("overdue")  # no "error" tint in the theme: the nearest one
        if role == Qt.ItemDataRole.ForegroundRole and error:
            return theme.text()
        return None

    @never_raises(False)
    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not 0 <= index.row() < len(self.rows):
            return False
        item = self.rows[index.row()]
        name = COLUMNS[index.column()][0]
        if name == "four_winds":  # a list: the editor's ticked boxes, in the order of FOUR_WINDS
            value = [w for w in FOUR_WINDS if w in (value or [])]
        elif name != "leader_id":
            value = "" if value is None else str(value)
        if getattr(item, name) == value:
            return False
        setattr(item, name, value)
        changed_to = index.column()
        if name == "category":
            category = self.template.category(value) or {}
            if item.sub_kind and item.sub_kind not in category.get("sub_kinds", []):
                item.sub_kind = ""  # a sub-kind belongs to its category
                changed_to = COLUMN_OF["sub_kind"]
        self.dataChanged.emit(self.index(index.row(), min(index.column(), changed_to)),
                              self.index(index.row(), max(index.column(), changed_to)))
        self.edited.emit()
        return True
