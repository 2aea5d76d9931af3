"""校准: each group's leniency against the evidence as a dot with its interval (the reading in
words beside it), the same per member in a table, and the 常委会 report to print."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from supervisor_app import calibration
from supervisor_app.reports.common import group_order

from .. import tasks, theme
from ..hub import hub
from ..report_actions import preview_report
from ..widgets import error_text, heading

ROW_HEIGHT = 30


class LeniencyChart(QWidget):
    """One row per estimate: name | axis with 0, the margin, the interval and the dot | verdict."""

    def __init__(self):
        super().__init__()
        self.rows: list[calibration.Estimate] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_rows(self, rows: list[calibration.Estimate]) -> None:
        self.rows = rows
        self.setMinimumHeight(ROW_HEIGHT * (len(rows) + 1) + 8)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(640, ROW_HEIGHT * (len(self.rows) + 1) + 8)

    def _span(self) -> tuple[float, float]:
        values = [v for r in self.rows for v in (r.low, r.high) if v is not None]
        reach = max([abs(v) for v in values] + [calibration.MARGIN * 2, 1.0])
        return -reach, reach

    def paintEvent(self, _event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        text_pen = QPen(theme.text(self.palette()))
        name_width = max([metrics.horizontalAdvance(r.name) for r in self.rows] + [80]) + 12
        verdict_width = max([metrics.horizontalAdvance(calibration.verdict(r)) for r in self.rows] + [80]) + 12
        left, right = name_width, self.width() - verdict_width
        if right - left < 60:
            return
        low, high = self._span()

        def x(value: float) -> float:
            return left + (value - low) / (high - low) * (right - left)

        bottom = ROW_HEIGHT * len(self.rows)
        painter.setPen(QPen(theme.muted(self.palette()), 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(x(calibration.MARGIN), 0), QPointF(x(calibration.MARGIN), bottom))
        painter.setPen(QPen(theme.text(self.palette()), 1))
        painter.drawLine(QPointF(x(0), 0), QPointF(x(0), bottom))
        painter.setPen(text_pen)
        axis = QRectF(left - 60, bottom + 2, 120, ROW_HEIGHT - 4)
        painter.drawText(axis.translated(x(0) - left, 0), Qt.AlignmentFlag.AlignHCenter, self.tr("0 各组平均"))
        painter.drawText(QRectF(left, bottom + 2, 80, ROW_HEIGHT), Qt.AlignmentFlag.AlignLeft, self.tr("← 偏严"))
        painter.drawText(QRectF(right - 80, bottom + 2, 80, ROW_HEIGHT), Qt.AlignmentFlag.AlignRight,
                         self.tr("偏宽 →"))
        for i, row in enumerate(self.rows):
            mid = i * ROW_HEIGHT + ROW_HEIGHT / 2
            painter.setPen(text_pen)
            painter.drawText(QRectF(0, i * ROW_HEIGHT, name_width - 8, ROW_HEIGHT),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, row.name)
            role = "danger" if row.flagged else None
            colour = theme.ink(role, self.palette()) if role else (
                theme.text(self.palette()) if row.enough_data else theme.muted(self.palette()))
            if row.leniency is not None:
                painter.setPen(QPen(colour, 2))
                painter.drawLine(QPointF(x(row.low), mid), QPointF(x(row.high), mid))
                painter.drawLine(QPointF(x(row.low), mid - 5), QPointF(x(row.low), mid + 5))
                painter.drawLine(QPointF(x(row.high), mid - 5), QPointF(x(row.high), mid + 5))
                painter.setBrush(colour)
                painter.drawEllipse(QPointF(x(row.leniency), mid), 5, 5)
            painter.setPen(QPen(colour))
            font = painter.font()
            font.setBold(row.flagged)
            painter.setFont(font)
            painter.drawText(QRectF(right + 8, i * ROW_HEIGHT, verdict_width, ROW_HEIGHT),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, calibration.verdict(row))
            font.setBold(False)
            painter.setFont(font)
        painter.end()


class CalibrationPage(QWidget):
    title = "校准"

    def __init__(self, window):
        super().__init__()
        self.window_ = window
        self.result: calibration.Calibration | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("各督导组评定从宽程度")))
        intro = QLabel(self.tr(
            "圆点为从宽程度估计，横线为置信区间，竖线“0”为各组平均。已考虑单位类别、规模、知识问答正确率、民意调查满意率、"
            "整改逾期、发现问题和其他督导组在同一单位的发现。评估不少于{visits}次、涉及不少于{units}个单位，"
            "且整条横线在虚线（{margin}）右侧时，标注“明显偏宽”；这是请活动办进一步核实的提示，不是结论。").format(
            visits=calibration.MIN_VISITS, units=calibration.MIN_UNITS, margin=calibration.MARGIN))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.chart = LeniencyChart()
        layout.addWidget(self.chart)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        row = QHBoxLayout()
        self.show_members = QCheckBox(self.tr("表中列出各成员"))
        self.show_members.setChecked(True)
        self.show_members.toggled.connect(self._fill_table)
        self.standing_button = QPushButton(self.tr("生成常委会报告（各督导组纪实评价情况）…"))
        self.standing_button.clicked.connect(self.print_standing)
        row.addWidget(self.show_members)
        row.addStretch(1)
        row.addWidget(self.standing_button)
        layout.addLayout(row)
        self.table = QTableWidget(0, len(calibration.TABLE_HEADER))
        self.table.setHorizontalHeaderLabels([self.tr(h) for h in calibration.TABLE_HEADER])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        hub.changed.connect(self._on_changed)

    def _on_changed(self, *_args) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        self.status.setText(self.tr("正在计算…"))
        tasks.load_async(self, lambda: calibration.calibrate(order=group_order), self._apply, self._failed)

    def _failed(self, exc) -> None:
        self.status.setText(self.tr("无法计算：") + error_text(exc))

    def _apply(self, result: calibration.Calibration) -> None:
        self.result = result
        self.chart.set_rows(result.groups)
        flagged = [g.name for g in result.groups if g.flagged]
        if not result.observations:
            self.status.setText(self.tr("还没有评估记录。"))
        elif sum(1 for g in result.groups if g.leniency is not None) < 2:
            self.status.setText(self.tr("至少需要两个督导组的评估记录才能比较；活动办收到各督导组的同步包后在此比较。"))
        elif flagged:
            self.status.setText(self.tr("明显偏宽：{names}（共{n}次评估）。").format(
                names="、".join(flagged), n=result.observations))
        else:
            self.status.setText(self.tr("没有督导组明显偏宽（共{n}次评估）。").format(n=result.observations))
        self._fill_table()

    def _fill_table(self) -> None:
        if self.result is None:
            return
        rows = calibration.table_rows(self.result)
        if not self.show_members.isChecked():
            rows = [r for r in rows if r[1] == "（全组）"]
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, float) and c == 7:
                    text = f"{value:.0%}"
                elif isinstance(value, float):
                    text = f"{value:+.2f}"
                else:
                    text = "—" if value is None else str(value)
                item = QTableWidgetItem(text)
                if c in (2, 3, 4, 5, 6, 7):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c == 8 and row[8] == "明显偏宽":
                    item.setForeground(theme.ink("danger", self.palette()))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()

    def print_standing(self):
        return preview_report(self, "standing")
