"""The 督导工作汇总's section on calibration: each group's leniency against the evidence, as a
dot-and-interval chart and a table, the reading in words (calibration.py, docs/calibration.md)."""

from __future__ import annotations

from reportlab.graphics.shapes import Circle, Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from .. import calibration
from .charts import LABEL_SIZE
from .common import group_order
from .layout import BLOCK_WIDTH, Writer

ROW_MM = 8
FLAG_COLOUR = colors.Color(0.75, 0.1, 0.1)
PLAIN_COLOUR = colors.black
THIN_COLOUR = colors.Color(0.6, 0.6, 0.6)


def short_verdict(est: calibration.Estimate) -> str:
    return calibration.verdict(est).split("（")[0]


def signed(x: float | None) -> str:
    return "—" if x is None else f"{x:+.2f}".replace("-", "−")


def chart(groups: list[calibration.Estimate], font: str) -> Drawing:
    """One row per group: its name, the interval with its dot, and the reading in words."""
    width = BLOCK_WIDTH
    height = (len(groups) + 1) * ROW_MM * mm
    drawing = Drawing(width, height, initialFontName=font)
    name_w, verdict_w = 34 * mm, 26 * mm
    left, right = name_w, width - verdict_w
    values = [v for g in groups for v in (g.low, g.high) if v is not None]
    reach = max([abs(v) for v in values] + [2 * calibration.MARGIN, 1.0])

    def x(v: float) -> float:
        return left + (v + reach) / (2 * reach) * (right - left)

    bottom = ROW_MM * mm
    top = height
    drawing.add(Line(x(0), bottom, x(0), top, strokeColor=PLAIN_COLOUR, strokeWidth=0.6))
    drawing.add(Line(x(calibration.MARGIN), bottom, x(calibration.MARGIN), top, strokeColor=THIN_COLOUR,
                     strokeWidth=0.6, strokeDashArray=(2, 2)))
    drawing.add(Line(left, bottom, right, bottom, strokeColor=PLAIN_COLOUR, strokeWidth=0.6))
    label_y = bottom - LABEL_SIZE - 2
    drawing.add(String(x(0), label_y, "0（各组平均）", fontName=font, fontSize=LABEL_SIZE, textAnchor="middle"))
    drawing.add(String(left, label_y, "←偏严", fontName=font, fontSize=LABEL_SIZE, textAnchor="start"))
    drawing.add(String(right, label_y, "偏宽→", fontName=font, fontSize=LABEL_SIZE, textAnchor="end"))
    for i, g in enumerate(groups):
        y = top - (i + 0.5) * ROW_MM * mm
        colour = FLAG_COLOUR if g.flagged else (PLAIN_COLOUR if g.enough_data else THIN_COLOUR)
        drawing.add(String(name_w - 3 * mm, y - LABEL_SIZE / 3, g.name, fontName=font, fontSize=LABEL_SIZE,
                           textAnchor="end"))
        if g.leniency is not None:
            drawing.add(Line(x(g.low), y, x(g.high), y, strokeColor=colour, strokeWidth=1.2))
            for end in (g.low, g.high):
                drawing.add(Line(x(end), y - 2.5, x(end), y + 2.5, strokeColor=colour, strokeWidth=1.2))
            drawing.add(Circle(x(g.leniency), y, 2.6, fillColor=colour, strokeColor=colour))
        drawing.add(String(right + 3 * mm, y - LABEL_SIZE / 3, short_verdict(g), fontName=font,
                           fontSize=LABEL_SIZE, textAnchor="start", fillColor=colour))
    return drawing


def section(w: Writer, date_from=None, date_to=None) -> list:
    """The flowables of the section (its heading is the caller's)."""
    result = calibration.calibrate(date_from, date_to, order=group_order)
    estimated = [g for g in result.groups if g.leniency is not None]
    if not estimated:
        return [w.para("评估记录不足以比较各督导组的评定尺度（至少需要两个督导组的评估）。")]
    flagged = [g.name for g in result.groups if g.flagged]
    out = [w.para(
        "把各督导组评定“未发现”（督导重点评为“好”）的比例，放在单位类别、规模、知识问答正确率、民意调查满意率、"
        "整改逾期、当次发现问题和其他督导组在同一单位的发现之下比较，估计各组评定是否偏宽。"
        f"评估不少于{calibration.MIN_VISITS}次、涉及不少于{calibration.MIN_UNITS}个单位，且置信区间下限高于"
        f"{calibration.MARGIN}时，才认定为明显偏宽。"
        + (f"明显偏宽的督导组：{'、'.join(flagged)}，请进一步核实。" if flagged else "没有督导组明显偏宽。"))]
    out.append(chart(result.groups, w.fonts.font("body")))
    out.append(w.small("圆点为从宽程度估计，横线为置信区间（表中的下限至上限），竖线为各组平均，"
                       "虚线为认定明显偏宽的界线。"))
    rows = [[g.name, str(g.visits), str(g.units), signed(g.leniency),
             signed(g.low), signed(g.high), short_verdict(g)]
            for g in result.groups]
    out.append(w.table(("督导组", "评估次数", "单位数", "从宽程度", "下限", "上限", "结论"),
                       rows, (42, 20, 16, 20, 14, 14, 30), center_columns=(1, 2, 3, 4, 5, 6),
                       marked_rows=[i for i, g in enumerate(result.groups) if g.flagged]))
    lenient_members = [f"{m.name}（{m.group}）" for m in result.members if m.flagged]
    out.append(w.para("成员中评定明显偏宽的：" + "、".join(lenient_members) + "。" if lenient_members
                      else "按成员在场的督导记录计，没有成员评定明显偏宽。"))
    return out
