"""Small charts (reportlab graphics) in the document faces."""

from __future__ import annotations

from datetime import date

from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.units import mm

from .layout import BLOCK_WIDTH

# Told apart in print without colour too: each line has its own marker and dash.
SERIES_STYLES = (
    (colors.Color(0.75, 0.1, 0.1), "FilledCircle", None),
    (colors.Color(0.1, 0.3, 0.7), "FilledSquare", (4, 2)),
    (colors.Color(0.1, 0.55, 0.2), "FilledTriangle", (1, 2)),
    (colors.Color(0.85, 0.5, 0.0), "FilledDiamond", (6, 2, 1, 2)),
    (colors.Color(0.45, 0.2, 0.6), "Cross", (2, 2)),
)


def level_chart(
    series: list[tuple[str, list[tuple[str, int]]]],
    scale: list[str],
    font: str,
    *,
    height_mm: float = 72,
) -> Drawing:
    """Levels over time: one line per series of (ISO date, index on ``scale``)."""
    width = BLOCK_WIDTH
    height = height_mm * mm
    drawing = Drawing(width, height, initialFontName=font)  # else the renderer names Helvetica
    days = sorted({date.fromisoformat(d[:10]).toordinal() for _, points in series for d, _ in points})
    first, last = (days[0], days[-1]) if days else (0, 1)
    if first == last:
        first, last = first - 1, last + 1
    plot = LinePlot()
    plot.x, plot.y = 52, 40
    plot.width, plot.height = width - plot.x - 28, height - plot.y - 10  # room for the last date label
    # Lines on the same level would hide each other: each series sits a hair above the last.
    offsets = [(i - (len(series) - 1) / 2) * 0.06 for i in range(len(series))]
    plot.data = [
        [(date.fromisoformat(d[:10]).toordinal(), level + offsets[i]) for d, level in points] or [(first, 0)]
        for i, (_, points) in enumerate(series)
    ]
    for index in range(len(series)):
        colour, marker, dash = SERIES_STYLES[index % len(SERIES_STYLES)]
        line = plot.lines[index]
        line.strokeColor = colour
        line.strokeWidth = 1.2
        line.strokeDashArray = dash
        line.symbol = makeMarker(marker, size=4.5, fillColor=colour, strokeColor=colour)
    y_axis = plot.yValueAxis
    y_axis.valueMin, y_axis.valueMax = -0.2, len(scale) - 1 + 0.2
    y_axis.valueSteps = list(range(len(scale)))
    y_axis.labelTextFormat = lambda v: scale[int(round(v))] if 0 <= round(v) < len(scale) else ""
    y_axis.labels.fontName, y_axis.labels.fontSize = font, 9
    y_axis.visibleGrid = 1
    y_axis.gridStrokeColor = colors.Color(0.85, 0.85, 0.85)
    x_axis = plot.xValueAxis
    x_axis.valueMin, x_axis.valueMax = first - 0.5, last + 0.5
    x_axis.valueSteps = _steps(days, first, last, plot.width)
    x_axis.labelTextFormat = lambda v: _short_date(int(round(v)))
    x_axis.labels.fontName, x_axis.labels.fontSize = font, 8
    x_axis.labels.angle = 0
    drawing.add(plot)
    legend = Legend()
    legend.fontName, legend.fontSize = font, 9
    legend.alignment = "right"
    legend.x, legend.y = plot.x, 14
    legend.dx, legend.dy = 8, 8
    legend.deltax = (plot.width) / max(len(series), 1)
    legend.columnMaximum = 1
    legend.boxAnchor = "w"
    legend.colorNamePairs = [
        (SERIES_STYLES[i % len(SERIES_STYLES)][0], name) for i, (name, _) in enumerate(series)
    ]
    drawing.add(legend)
    return drawing


def _steps(days: list[int], first: int, last: int, width: float, label_width: float = 40) -> list[int]:
    """The days to label: those of the data, thinned so that no two labels overlap."""
    per_day = width / max(last - first + 1, 1)
    chosen: list[int] = []
    for day in days:
        if not chosen or (day - chosen[-1]) * per_day >= label_width:
            chosen.append(day)
    if len(chosen) > 1 and chosen[-1] != days[-1]:
        chosen[-1] = days[-1]  # the latest day matters more than the one just before it
    return chosen


def _short_date(ordinal: int) -> str:
    try:
        day = date.fromordinal(ordinal)
    except ValueError:
        return ""
    return f"{day.month}月{day.day}日"
