"""报表: one document with a preview (save / print), or a batch into a folder."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from supervisor_app import display, evaluations, reports, units

from .. import tasks
from ..report_actions import preview_report
from ..widgets import FieldErrors, heading, iso, record_combo, show_error, today_qdate

DESCRIPTIONS = {
    "visit": "一次督导的完整记录：单位、时间、人员、方式、督导情况、附件、评估、问答、问题。单份请在督导记录编辑窗口中生成；此处可按期间批量生成。",
    "unit": "一个单位在一段期间内的评估：各次评估、五种倾向及其变化图、督导重点、问答正确率、未销号问题。",
    "ledger": "问题整改台账：序号、问题、整改措施、责任人、时限、完成情况，逾期的标出。可选一个单位或全部。",
    "summary": "督导工作汇总：各单位倾向热力表、排名、逾期整改、问答正确率、各单位和各督导组的督导次数。",
    "evaluation": "纪实评价表：对象、期间、纪实、评价项目、总体评价、评价意见、签署；未签署的每页标“草稿”。",
    "progress": "活动进度：活动环节及起止时间，各单位规定动作的标准、时限、完成情况和佐证，民意调查结果及延长活动时间。可选一个单位或全部（按督导组、单位排列）；截至今天，不按期间筛选。",
    "weekly": "督导工作周报：本督导组一周的督导、发现问题（按类别和程度）、整改完成情况和下周到期事项。限定期间时为起始日期所在的一周，否则为本周。",
    "standing": "各督导组纪实评价情况报告（报市委常委会）：各组督导次数、组长驻点天数、发现问题、整改完成率，已签署的纪实评价及评为一般或差的项目和纪实，待签署的评价。",
}


class ReportsPage(QWidget):
    title = "报表"
    batch_finished = Signal(object)

    def __init__(self, window):
        super().__init__()
        self.window_ = window
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("报表与文书")))
        form = QFormLayout()
        self.kind = QComboBox()
        for kind in reports.KINDS:
            self.kind.addItem(reports.KIND_LABELS[kind], kind)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.unit = record_combo()
        self.evaluation = record_combo()
        self.use_period = QCheckBox(self.tr("限定期间"))
        self.date_from = QDateEdit(today_qdate().addMonths(-3))
        self.date_to = QDateEdit(today_qdate())
        period = QHBoxLayout()
        period.addWidget(self.use_period)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
            self.use_period.toggled.connect(edit.setEnabled)
        period.addWidget(self.date_from)
        period.addWidget(QLabel(self.tr("至")))
        period.addWidget(self.date_to)
        period.addStretch(1)
        self.errors = FieldErrors(QLabel())
        form.addRow(self.tr("文书"), self.kind)
        form.addRow("", self.description)
        form.addRow(self.tr("单位"), self.unit)
        form.addRow("", self.errors.label_for("id"))
        form.addRow(self.tr("纪实评价"), self.evaluation)
        form.addRow(self.tr("期间"), period)
        form.addRow("", self.errors.label_for("date_to"))
        layout.addLayout(form)
        layout.addWidget(self.errors.general)
        row = QHBoxLayout()
        self.preview_button = QPushButton(self.tr("生成并预览…"))
        self.preview_button.clicked.connect(self.preview)
        self.batch_button = QPushButton(self.tr("批量生成到文件夹…"))
        self.batch_button.clicked.connect(self.batch)
        row.addWidget(self.preview_button)
        row.addWidget(self.batch_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        layout.addWidget(self.result_label)
        layout.addStretch(1)
        self.kind.currentIndexChanged.connect(self._kind_changed)

    def refresh(self) -> None:
        current_unit, current_eval = self.unit.currentData(), self.evaluation.currentData()
        self.unit.clear()
        self.unit.addItem(self.tr("（全部单位）"), None)
        for unit_id, path in units.unit_paths():
            self.unit.addItem(display.short(path, 120), unit_id)
        self.unit.setCurrentIndex(max(self.unit.findData(current_unit), 0))
        self.evaluation.clear()
        for record in evaluations.list_evaluations():
            label = evaluations.STATUS_LABELS[evaluations.status(record)]
            self.evaluation.addItem(f"{display.short(evaluations.subject_name(record), 60)}（{label}）", record.id)
        self.evaluation.setCurrentIndex(max(self.evaluation.findData(current_eval), 0))
        self._kind_changed()

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        self.description.setText(self.tr(DESCRIPTIONS[kind]))
        self.unit.setEnabled(kind in ("unit", "ledger", "progress"))
        self.evaluation.setEnabled(kind == "evaluation")
        self.preview_button.setEnabled(kind != "visit")
        self.batch_button.setEnabled(kind in reports.BATCH_KINDS)

    def _period(self) -> tuple[str | None, str | None]:
        if not self.use_period.isChecked():
            return None, None
        return iso(self.date_from.date()), iso(self.date_to.date())

    def preview(self):
        self.errors.clear()
        kind = self.kind.currentData()
        record_id = {"unit": self.unit.currentData(), "ledger": self.unit.currentData(),
                     "progress": self.unit.currentData(), "evaluation": self.evaluation.currentData()}.get(kind)
        if kind == "unit" and not record_id:
            from supervisor_app.errors import ValidationError

            self.errors.show(ValidationError(self.tr("请选择一个单位。"), field="id"))
            return None
        start, end = self._period()
        return preview_report(self, kind, record_id=record_id, date_from=start, date_to=end,
                              title=f"{reports.KIND_LABELS[kind]}{('-' + self.unit.currentText()) if record_id and kind != 'evaluation' else ''}")

    def batch(self, folder: str | None = None):
        kind = self.kind.currentData()
        if not folder:
            folder = QFileDialog.getExistingDirectory(self, self.tr("选择保存文书的文件夹"))
        if not folder:
            return None
        start, end = self._period()

        def work(progress, cancelled):
            return reports.render_batch(kind, folder, date_from=start, date_to=end, progress=progress,
                                        cancelled=cancelled)

        def done(result):
            note = self.tr("（已取消，以下为已完成的）") if result.cancelled else ""
            text = self.tr("已生成 {n}/{total} 份{label}到 {folder}{note}").format(
                n=len(result.paths), total=result.total, label=reports.KIND_LABELS[kind], folder=folder, note=note)
            if result.notices:
                text += "\n" + self.tr("注意：") + "；".join(result.notices)
            self.result_label.setText(text)
            self.batch_finished.emit(result)

        return tasks.run_with_progress(self, self.tr("正在批量生成{label}…").format(label=reports.KIND_LABELS[kind]),
                                       work, done, lambda exc: show_error(self, exc, self.tr("无法生成文书")))
