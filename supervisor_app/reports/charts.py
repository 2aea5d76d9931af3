"""Small charts (reportlab graphics) in the document faces."""

from __future__ import annotations

from datetime import date

from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.validators import Auto

from .layout import BLOCK_WIDTH

LABEL_SIZE = 10.5  # 五号: axis labels and the legend stay legible in print

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
    y_axis.labels.fontName, y_axis.labels.fontSize = font, LABEL_SIZE
    y_axis.visibleGrid = 1
    y_axis.gridStrokeColor = colors.Color(0.85, 0.85, 0.85)
    x_axis = plot.xValueAxis
    x_axis.valueMin, x_axis.valueMax = first - 0.5, last + 0.5
    peaks = _peak_days(series)
    x_axis.valueSteps = _steps(days, first, last, plot.width, keep=peaks)
    x_axis.labelTextFormat = lambda v: _short_date(int(round(v)))
    x_axis.labels.fontName, x_axis.labels.fontSize = font, LABEL_SIZE
    x_axis.labels.angle = 0
    drawing.add(plot)
    # The legend shows each series' own line: its dash and its marker (readable in black and white).
    for index, (name, _) in enumerate(series):
        plot.lines[index].name = name
    legend = Legend()
    legend.fontName, legend.fontSize = font, LABEL_SIZE
    legend.alignment = "right"
    legend.x, legend.y = plot.x, 12
    legend.dx, legend.dy = 22, 8
    legend.deltax = (plot.width) / max(len(series), 1)
    legend.columnMaximum = 1
    legend.boxAnchor = "w"
    legend.colorNamePairs = Auto(obj=plot)
    drawing.add(legend)
    return drawing


def _peak_days(series) -> list[int]:
    """The days on which a series reaches its highest level (their dates must be labelled)."""
    out = set()
    for _, points in series:
        if points:
            top = max(level for _, level in points)
            out.update(date.fromisoformat(d[:10]).toordinal() for d, level in points if level == top)
    return sorted(out)


def _steps(days: list[int], first: int, last: int, width: float, label_width: float = 48,
           keep: list[int] = ()) -> list[int]:
    """The days to label: the peaks and the latest day first, then the other days of the data,
    thinned so that no two labels overlap."""
    per_day = width / max(last - first + 1, 1)
    chosen: list[int] = []

    def fits(day: int) -> bool:
        return all(abs(day - other) * per_day >= label_width for other in chosen)

    for day in [*([days[-1]] if days else []), *keep, *days]:
        if day not in chosen and fits(day):
            chosen.append(day)
    return sorted(chosen)


def _short_date(ordinal: int) -> str:
    try:
        day = date.fromordinal(ordinal)
    except ValueError:
        return ""
    return f"{day.month}月{day.day}日"
