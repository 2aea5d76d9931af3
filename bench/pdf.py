"""pdf_visit and pdf_summary_500: ``reports.render`` against reportlab alone.

The baseline lays out the same paragraphs and tables (same text, styles, column widths, table
styles, same text block on A4) with plain reportlab flowables in a SimpleDocTemplate, the fonts
already registered. Its content is taken from the document module's own story, built once
before timing; each baseline run constructs its flowables afresh (parsing paragraph markup is
part of building any document) and builds the file. What the program adds — gathering the
data through the services, Chinese line breaking, the official page template with page
numbers, the atomic durable write — is what the ratio shows.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from supervisor_app import reports
from supervisor_app.models import database
from supervisor_app.reports import fonts, layout

from .measure import Figure, medians

MADE_AT = datetime(2014, 6, 30, 9, 0).astimezone()


def richest_visit() -> str:
    """A visit with an assessment, a quiz and a finding under rectification (the fullest record)."""
    row = database.execute_sql(
        "SELECT v.id FROM visit v JOIN assessment a ON a.visit_id = v.id JOIN quiz_record q ON q.visit_id = v.id"
        " JOIN finding f ON f.visit_id = v.id JOIN rectification r ON r.finding_id = f.id"
        " WHERE v.deleted = 0 ORDER BY v.started_at DESC, v.id LIMIT 1"
    ).fetchone()
    if row is None:
        row = database.execute_sql("SELECT id FROM visit WHERE deleted = 0 ORDER BY started_at DESC LIMIT 1").fetchone()
    return row[0]


@contextmanager
def recorded_table_styles():
    """Keep every table's style commands on the table, so that a copy can be styled alike."""
    original = Table.setStyle

    def record(self, tblstyle):
        commands = tblstyle.getCommands() if isinstance(tblstyle, TableStyle) else list(tblstyle)
        self.__dict__.setdefault("_bench_commands", []).extend(commands)
        return original(self, tblstyle)

    Table.setStyle = record
    try:
        yield
    finally:
        Table.setStyle = original


def story_of(module, **kwargs) -> list[Flowable]:
    """The flowables a document module builds (data gathered through the services), unlaid."""
    writer = layout.Writer(fonts.font_set())
    with recorded_table_styles():
        return list(module.build(writer, **kwargs).story)


def plain(item):
    """A fresh, plain-reportlab copy of one flowable (or table cell) of the story."""
    if isinstance(item, list | tuple):
        return [plain(x) for x in item]
    if isinstance(item, Paragraph):  # the program's CJKParagraph included
        return Paragraph(item.text, item.style)
    if isinstance(item, Table):
        data = [[plain(cell) for cell in row] for row in item._cellvalues]
        table = Table(data, colWidths=list(item._argW), rowHeights=list(item._argH), repeatRows=item.repeatRows,
                      hAlign=item.hAlign, spaceBefore=getattr(item, "spaceBefore", 0),
                      spaceAfter=getattr(item, "spaceAfter", 0))
        table.setStyle(TableStyle(getattr(item, "_bench_commands", [])))
        table.splitInRow = item.splitInRow
        return table
    if isinstance(item, KeepTogether):
        return KeepTogether([plain(x) for x in item._content], item._maxHeight)
    if isinstance(item, CondPageBreak):
        return CondPageBreak(item.height)
    if isinstance(item, Spacer):
        return Spacer(item.width, item.height)
    return item  # strings, charts (Drawing), images: used as they are


def build_plain(story: list[Flowable], out: Path) -> None:
    doc = SimpleDocTemplate(
        str(out), pagesize=A4, leftMargin=layout.MARGIN_LEFT,
        rightMargin=layout.PAGE_WIDTH - layout.MARGIN_LEFT - layout.BLOCK_WIDTH,
        topMargin=layout.MARGIN_TOP, bottomMargin=layout.BLOCK_BOTTOM,
    )
    doc.build([plain(item) for item in story])


def _figure(name: str, kind: str, module, out_dir: Path, runs: int, what: str, warmup: int,
            record_id: str | None = None) -> Figure:
    reports.prepare_fonts()
    story = story_of(module, record_id=record_id, date_from=None, date_to=None)
    out_dir.mkdir(parents=True, exist_ok=True)
    rendered, bare = out_dir / f"{name}.pdf", out_dir / f"{name}-baseline.pdf"

    def render() -> float:
        start = time.perf_counter()
        reports.render(kind, rendered, record_id=record_id, made_at=MADE_AT)
        return time.perf_counter() - start

    def baseline() -> float:
        start = time.perf_counter()
        build_plain(story, bare)
        return time.perf_counter() - start

    value, base = medians(render, baseline, runs, warmup=warmup)
    pdf = rendered.read_bytes()
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    return Figure(name, value * 1000, "ms", base * 1000, runs, f"{what} ({pages} pages)")


def visit_figure(out_dir: Path, runs: int) -> Figure:
    from supervisor_app.reports import visit_record

    visit_id = richest_visit()
    return _figure("pdf_visit", "visit", visit_record, out_dir, runs, "督导记录 of one visit", warmup=1,
                   record_id=visit_id)


def summary_figure(out_dir: Path, runs: int, units: int) -> Figure:
    from supervisor_app.reports import summary

    return _figure("pdf_summary_500", "summary", summary, out_dir, runs, f"督导工作汇总 of {units} units", warmup=0)
