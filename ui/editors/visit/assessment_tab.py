"""评估: each focus item rated and each of the five tendencies levelled, each with its evidence."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from supervisor_app import display
from supervisor_app.visit_form import VisitForm

from ...widgets import StoredNotes, show_stored
from .common import FormErrors

PHOTO = 48


class AssessmentTab(QScrollArea):
    changed = Signal()
    FIELDS = ("督导重点", "倾向", "focus_ratings", "tendency_levels")

    def __init__(self, template, errors: FormErrors, stored_notes: StoredNotes):
        super().__init__()
        self.tpl = template
        self.stored_notes = stored_notes
        page = QWidget()
        layout = QVBoxLayout(page)
        self.widgets: dict[str, dict] = {}
        self.photo_labels: dict[str, QLabel] = {}  # "focus:<id>" / "tendency:<id>" → its photo's thumbnail
        for title, items, scale, key, field in (
            (self.tr("督导重点"), template.focus_items, template.scale("focus"), "rating", "督导重点"),
            (self.tr("防止五种倾向"), template.tendencies, template.scale("tendency"), "level", "倾向"),
        ):
            box = QGroupBox(title)
            box_layout = QVBoxLayout(box)
            grid_box, self.widgets[key] = self._score_grid(items, scale, "focus" if key == "rating" else "tendency")
            box_layout.addWidget(grid_box)
            box_layout.addWidget(errors.label_for(field))
            layout.addWidget(box)
        layout.addStretch(1)
        self.setWidgetResizable(True)
        self.setWidget(page)

    @property
    def focus_widgets(self) -> dict:
        return self.widgets["rating"]

    @property
    def tendency_widgets(self) -> dict:
        return self.widgets["level"]

    def _score_grid(self, items, scale, kind: str) -> tuple[QWidget, dict]:
        box = QWidget()
        grid = QGridLayout(box)
        widgets = {}
        for row, item in enumerate(items):
            name = QLabel(item["name"])
            name.setWordWrap(True)
            if item.get("points"):
                name.setToolTip("\n".join(item["points"]))
            combo = QComboBox()
            combo.addItem(self.tr("（未评）"), "")
            for value in scale:
                combo.addItem(value, value)
            evidence = QLineEdit()
            evidence.setPlaceholderText(self.tr("依据（评定后必填）"))
            combo.currentIndexChanged.connect(self.changed)
            evidence.textChanged.connect(self.changed)
            photo = QLabel()
            photo.hide()
            grid.addWidget(name, row, 0)
            grid.addWidget(combo, row, 1)
            grid.addWidget(evidence, row, 2)
            grid.addWidget(photo, row, 3)
            widgets[item["id"]] = (combo, evidence)
            self.photo_labels[f"{kind}:{item['id']}"] = photo
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(2, 4)
        return box, widgets

    def set_photos(self, photos: dict[str, list[QImage]]) -> None:
        """The thumbnail of each item's first photo (linked on the 附件 tab), the count as tooltip."""
        for key, label in self.photo_labels.items():
            images = photos.get(key) or []
            if images:
                label.setPixmap(QPixmap.fromImage(images[0].scaled(
                    PHOTO, PHOTO, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)))
                label.setToolTip(self.tr("照片 {n} 张（见“附件”页）").format(n=len(images)))
            label.setVisible(bool(images))

    def fill(self, form: VisitForm) -> None:
        for key, scores in (("rating", form.focus_ratings), ("level", form.tendency_levels)):
            widgets = self.widgets[key]
            for item_id, (combo, evidence) in widgets.items():
                entry = scores.get(item_id) or {}
                show_stored(combo, entry.get(key, ""))
                evidence.setText(entry.get("evidence", ""))
            for item_id in scores.keys() - widgets.keys():
                self.stored_notes.add(self.tr("评估项目"), item_id, display.NOT_IN_TEMPLATE)

    def collect(self, form: VisitForm) -> None:
        def scores(key: str) -> dict:
            return {item_id: {key: combo.currentData() or "", "evidence": evidence.text()}
                    for item_id, (combo, evidence) in self.widgets[key].items()}

        form.focus_ratings = scores("rating")
        form.tendency_levels = scores("level")
