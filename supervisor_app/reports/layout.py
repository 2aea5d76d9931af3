"""The official page after GB/T 9704-2012 (党政机关公文格式), shared by every document.

A4; top margin 37 mm, left 28 mm, text block 156 × 225 mm; body 3号 (16 pt) 仿宋 on the
document grid of 22 lines × 28 characters (``grid.GridParagraph``: justified lines filling the
block); title 2号 小标宋 centred on the grid's lines, a blank line under it; 一、 headings in
黑体, （一） headings in 楷体; paragraphs indented two characters; tables, pictures and notes
followed by the space down to the next grid line; page numbers 4号 半角 宋体 as "— N —", the
一字线 7 mm below the text block, odd pages right, even pages left, one character in; 草稿
drawn over the content of every page of a draft. Every document ends with its 落款 (issuer and
date) where it has one, and a line naming its record and the time it was made.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    HRFlowable,
    Image,
    KeepTogether,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from .. import display
from ..clock import chinese_date
from . import ReportCancelled
from .fonts import FontSet, glyph_ink
from .grid import GridParagraph, GridSnap, GridStyle
from .table import OfficialTable
from .words import Lexicon, lexicon

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_TOP = 37 * mm
MARGIN_LEFT = 28 * mm
BLOCK_WIDTH = 156 * mm
BLOCK_HEIGHT = 225 * mm
BLOCK_BOTTOM = PAGE_HEIGHT - MARGIN_TOP - BLOCK_HEIGHT  # 35 mm
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
# A hair under the exact pitch, so that 22 lines always fit the frame despite rounding.
LEADING = BLOCK_HEIGHT / LINES_PER_PAGE - 0.001
BODY_SIZE = 16  # 3号
PITCH = BLOCK_WIDTH / CHARS_PER_LINE  # 5.571 mm: a 3号 character squeezed onto the 28-character grid
SQUEEZE = PITCH / BODY_SIZE  # the same proportion for every other size (tables, notes)
SNAP_LEAST = 0.3 * LEADING  # at least this much room under a table before the next line of text
TITLE_SIZE = 22  # 2号
PAGE_NUMBER_SIZE = 14  # 4号
PAGE_NUMBER_GAP = 7 * mm
TABLE_SIZE = 12  # 小四
TABLE_LEADING = 18
CELL_PADDING = 3
CELL_MIN_CHARS = 3  # no line of one or two characters under a cell's text ("位。")
SMALL_SIZE = 10.5  # 五号
RECORD_LINE_SIZE = 9  # small enough that a record id and the time fit one line

GRID = colors.black
HEADER_FILL = colors.Color(0.9, 0.9, 0.9)
MARK_FILL = colors.Color(1.0, 0.88, 0.88)  # a row that needs attention (overdue)
WATERMARK_GREY = colors.Color(0.55, 0.55, 0.55)
WATERMARK_ALPHA = 0.3  # the content shows through the mark, the mark through every fill
DRAFT_MARK = "草稿"

DIGITS = "零一二三四五六七八九"
PLACES = ("", "十", "百", "千")


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 105 → 一百零五 (Arabic digits from 10 000 on)."""
    if not 0 < n < 10_000:
        return str(n)
    text, gap = "", False
    for power in (3, 2, 1, 0):
        digit = n // 10**power % 10
        if digit == 0:
            gap = bool(text)
            continue
        if gap:
            text += "零"
            gap = False
        text += DIGITS[digit] + PLACES[power]
    return text[1:] if 10 <= n < 20 else text


def local_time(value: datetime | None = None) -> str:
    """A moment in local time as 2014年4月8日 15:20."""
    moment = (value or datetime.now().astimezone()).astimezone()
    return f"{chinese_date(moment.date())} {moment:%H:%M}"


def percent(value: float | None) -> str:
    """12.5%; — for a share that could not be computed."""
    return display.percent_text(value)


@dataclass
class Document:
    """What a document module hands to ``write``: its content and its identity."""

    title: str
    author: str  # the group
    subject: str  # the record id (or what the document covers)
    record_label: str  # named in the last line
    story: list[Flowable] = field(default_factory=list)
    draft: bool = False
    issuer: str | None = None  # the 落款 (signing body) above the date; None: no 落款
    distribution: tuple[tuple[str, str], ...] = ()  # 报送/抄送 (label, to whom)


class Styles:
    """The grid styles of the documents."""

    def __init__(self, fonts: FontSet):
        self.body = GridStyle("body", BODY_SIZE, LEADING, PITCH, indent=2, squeeze=0.5)
        self.plain = replace(self.body, name="plain", indent=0)
        self.title = GridStyle("title", TITLE_SIZE, LEADING, TITLE_SIZE * SQUEEZE, align="center",
                               space_after=LEADING, keep_words=True)
        self.subtitle = replace(self.body, name="subtitle", indent=0, align="center", keep_words=True)
        self.h1 = replace(self.body, name="h1", align="left", keep_words=True)
        self.h2 = replace(self.body, name="h2", align="left", keep_words=True)
        self.signoff = replace(self.body, name="signoff", indent=0, align="right", keep_words=True)
        self.cell = GridStyle("cell", TABLE_SIZE, TABLE_LEADING, TABLE_SIZE * SQUEEZE, align="justify",
                              keep_words=True, min_chars=CELL_MIN_CHARS)
        self.cell_center = replace(self.cell, name="cell_center", align="center")
        self.cell_head = replace(self.cell, name="cell_head", align="center")
        self.small = GridStyle("small", SMALL_SIZE, SMALL_SIZE * 1.5, SMALL_SIZE * SQUEEZE, align="justify",
                               color=colors.Color(0.25, 0.25, 0.25), keep_words=True)
        self.record_line = replace(self.small, name="record_line", size=RECORD_LINE_SIZE,
                                   leading=RECORD_LINE_SIZE * 1.5, pitch=RECORD_LINE_SIZE * SQUEEZE, align="left")


class Writer:
    """Builds flowables in the official style; every text goes through the font fallback."""

    def __init__(self, fonts: FontSet, words: Lexicon | None = None):
        self.fonts = fonts
        self.words = words if words is not None else lexicon()  # the open data folder's names
        self.styles = Styles(fonts)
        self.fell_back: set[str] = set()  # characters printed in the fallback face
        self._h1 = 0
        self._h2 = 0

    # --- text -------------------------------------------------------------------------------------

    def runs(self, text: str, role: str = "body") -> list:
        """Plain text as runs of one face each (characters the role lacks in the fallback)."""
        runs = self.fonts.runs(text, role)
        for run, face in runs:
            if face is self.fonts.fallback:
                self.fell_back.update(c for c in run if not c.isspace())
        return runs

    def grid(self, text: str, style: GridStyle, role: str = "body") -> GridParagraph:
        return GridParagraph(self.runs(text, role), style, words=self.words)

    def notice(self) -> str | None:
        """The line to show the user when this document was set in substitute faces."""
        return self.fonts.notice(self.fell_back)

    def title(self, text: str) -> GridParagraph:
        return self.grid(text, self.styles.title, "title")

    def subtitle(self, text: str) -> GridParagraph:
        return self.grid(text, self.styles.subtitle, "kai")

    def h1(self, text: str) -> GridParagraph:
        """A first-level heading, numbered 一、二、 … (the numbering of second-level ones restarts)."""
        self._h1 += 1
        self._h2 = 0
        return self.grid(f"{chinese_number(self._h1)}、{text}", self.styles.h1, "heading")

    def h2(self, text: str) -> GridParagraph:
        """A second-level heading, numbered （一）（二） …"""
        self._h2 += 1
        return self.grid(f"（{chinese_number(self._h2)}）{text}", self.styles.h2, "kai")

    def paragraphs(self, text: str, style: GridStyle | None = None) -> list[GridParagraph]:
        """One indented body paragraph per non-empty line of ``text``."""
        style = style or self.styles.body
        return [self.grid(line.strip(), style) for line in (text or "").splitlines() if line.strip()]

    def para(self, text: str, style: GridStyle | None = None) -> GridParagraph:
        return self.grid(text, style or self.styles.body)

    def labelled(self, label: str, value: str) -> GridParagraph:
        """A body line that starts with a label in the heading face: 〔label〕value."""
        return GridParagraph([*self.runs(label, "heading"), *self.runs(value)], self.styles.body, words=self.words)

    def small(self, text: str) -> GridParagraph:
        return self.grid(text, self.styles.small)

    def signoff(self, issuer: str, on: str) -> Flowable:
        """The 落款 without a seal (GB/T 9704 7.3.5.2): the date four characters from the
        right edge, the issuing body centred over it, one blank line below the text."""
        date = self.grid(on, replace(self.styles.signoff, right_indent=4))
        name = self.grid(issuer, self.styles.signoff)
        date_width, name_width = sum(date.advances), sum(name.advances)
        offset = max(0.0, 4 * PITCH + (date_width - name_width) / 2)
        name.style = replace(name.style, right_indent=offset / PITCH)
        return KeepTogether([self.blank(), name, date])

    def mark(self, text: str) -> GridParagraph:
        """A mark at the top left of the first page (内部资料), in 黑体 3号, on the grid."""
        return self.grid(text, self.styles.plain, "heading")

    def signatures(self, roles: Sequence[str]) -> Table:
        """Spaces for hand signatures (组长, 记录人): a label and room for a name and a date."""
        cells = []
        for role in roles:
            cells += [self.grid(f"{role}\n（签字）", self.styles.cell_center, "heading"),
                      self.grid("\n\n年　　月　　日", replace(self.styles.cell, align="right"))]
        label = 30 * mm
        widths = [label, BLOCK_WIDTH / len(roles) - label] * len(roles)
        table = Table([cells], colWidths=widths, hAlign="LEFT")
        table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), self.fonts.font("body"), TABLE_SIZE),  # else Helvetica is named
            ("GRID", (0, 0), (-1, -1), 0.5, GRID),
            *(("BACKGROUND", (2 * n, 0), (2 * n, 0), HEADER_FILL) for n in range(len(roles))),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 6),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ]))
        return table

    def distribution(self, entries: Sequence[tuple[str, str]]) -> list[Flowable]:
        """The 版记 of a document that goes to readers: 报送/抄送 lines between rules."""
        out: list[Flowable] = [HRFlowable(width="100%", thickness=1, color=GRID, spaceBefore=LEADING / 2)]
        for label, text in entries:
            out.append(GridParagraph([*self.runs(f"{label}：", "body"), *self.runs(text)],
                                     replace(self.styles.plain, size=14, pitch=14 * SQUEEZE), words=self.words))
        out.append(HRFlowable(width="100%", thickness=1, color=GRID))
        return out

    def snap(self, least: float = 0.0) -> GridSnap:
        """Space down to the next grid line (after a table or a picture)."""
        return GridSnap(LEADING, BLOCK_HEIGHT, least)

    def blank(self, lines: float = 1) -> Spacer:
        return Spacer(BLOCK_WIDTH, LEADING * lines)

    def keep_with_next(self, *flowables: Flowable) -> Flowable:
        return KeepTogether(list(flowables))

    # --- tables ----------------------------------------------------------------------------------

    def cell(self, value, *, center: bool = False, width: float | None = None, role: str = "body",
             size: float = TABLE_SIZE) -> Flowable | str:
        """A table cell: a paragraph on the cell's grid, or — for short text that fits ``width``
        on one line in the role's own face — a plain string, which lays out many times faster."""
        if isinstance(value, Flowable):
            return value
        text = "" if value is None else str(value)
        if (width is not None and "\n" not in text and self.fonts.covers_all(text, role)
                and stringWidth(text, self.fonts.font(role), size) <= width - CELL_PADDING * 2 - 0.5):
            return text
        style = self.styles.cell_center if center else self.styles.cell
        return self.grid(text, self._sized(style, size), role)

    @staticmethod
    def _sized(style: GridStyle, size: float) -> GridStyle:
        """A cell style at another size (五号 in a dense table), in the same proportions."""
        if size == style.size:
            return style
        return replace(style, size=size, leading=style.leading * size / style.size, pitch=size * SQUEEZE)

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence],
        widths_mm: Sequence[float],
        *,
        center_columns: Sequence[int] = (),
        marked_rows: Sequence[int] = (),
        fills: Sequence[tuple[int, int, colors.Color]] = (),
        size: float = TABLE_SIZE,
    ) -> Table:
        """A grid table across the text block whose header row repeats on every page.

        ``marked_rows`` (0-based data rows) get a pale red ground; ``fills`` colour single
        cells as (data row, column, colour); ``size``: the text's size (小四; 五号 for a table
        of many columns).
        """
        scale = BLOCK_WIDTH / (sum(widths_mm) * mm)
        widths = [w * mm * scale for w in widths_mm]
        data = [[self.grid(h, self._sized(self.styles.cell_head, size), "heading") for h in header]]
        for row in rows:
            data.append([self.cell(v, center=i in center_columns, width=widths[i], size=size)
                         for i, v in enumerate(row)])
        style = [
            # Plain-string cells take this face (else Helvetica, which is not embedded).
            ("FONT", (0, 0), (-1, -1), self.fonts.font("body"), size, TABLE_LEADING * size / TABLE_SIZE),
            ("GRID", (0, 0), (-1, -1), 0.5, GRID),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            *(("ALIGN", (column, 1), (column, -1), "CENTER") for column in center_columns),
        ]
        row_commands = [(index, "BACKGROUND", 0, -1, MARK_FILL) for index in marked_rows]
        row_commands += [(row, "BACKGROUND", column, column, colour) for row, column, colour in fills]
        table = OfficialTable(data[:1], data[1:], widths, style, row_commands, page_height=BLOCK_HEIGHT)
        table.start_rows = _start_rows(data, widths, style)
        return table

    def fields(self, pairs: Sequence[tuple[str, str]], label_mm: float = 32) -> Table:
        """A two-column form (label | value), as on a printed record sheet."""
        widths = [label_mm * mm, BLOCK_WIDTH - label_mm * mm]
        data = [
            [self.grid(label, self.styles.cell_center, "heading"), self.cell(value)]
            for label, value in pairs
        ]
        style = [
            ("FONT", (0, 0), (-1, -1), self.fonts.font("body"), TABLE_SIZE),
            ("GRID", (0, 0), (-1, -1), 0.5, GRID),
            ("BACKGROUND", (0, 0), (0, -1), HEADER_FILL),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ]
        table = OfficialTable([], data, widths, style, page_height=BLOCK_HEIGHT)
        table.start_rows = _start_rows(data, widths, style)
        return table

    def image(self, path: Path, *, max_height_mm: float = 95) -> Image:
        """A photo scaled to fit the text block width and ``max_height_mm``, aspect kept."""
        from reportlab.lib.utils import ImageReader

        width, height = ImageReader(str(path)).getSize()
        scale = min(BLOCK_WIDTH / width, max_height_mm * mm / height, 2.0)  # small photos: at most doubled
        return Image(str(path), width=width * scale, height=height * scale, hAlign="CENTER")


HEADING_STYLES = ("h1", "h2", "subtitle")


def _height(flowable: Flowable) -> float:
    if isinstance(flowable, KeepTogether):  # its own wrap needs a canvas: add up what it holds
        return sum(_height(f) for f in flowable._content)
    return flowable.wrap(BLOCK_WIDTH, BLOCK_HEIGHT)[1] + flowable.getSpaceBefore() + flowable.getSpaceAfter()


def _is_heading(flowable: Flowable) -> bool:
    return isinstance(flowable, GridParagraph) and flowable.style.name in HEADING_STYLES


def _start_height(flowable: Flowable) -> float:
    """How much of ``flowable`` must follow its heading on the same page."""
    start = getattr(flowable, "start_rows", None)  # a table: its header and first row
    if start is not None:
        return start.wrap(BLOCK_WIDTH, BLOCK_HEIGHT)[1]
    if isinstance(flowable, GridParagraph):
        return min(_height(flowable), 2 * LEADING)  # two lines of text
    if isinstance(flowable, KeepTogether):  # all of it moves together
        return min(_height(flowable), BLOCK_HEIGHT / 2)
    return min(_height(flowable), BLOCK_HEIGHT / 2)


def keep_headings_with_text(story: list[Flowable]) -> list[Flowable]:
    """Never leave a heading at the foot of a page: headings (with a one-line sentence that
    introduces a table) move to the next page unless the start of what follows fits too."""
    out: list[Flowable] = []
    i = 0
    while i < len(story):
        if not _is_heading(story[i]):
            out.append(story[i])
            i += 1
            continue
        lead = []
        while i < len(story) and _is_heading(story[i]):
            lead.append(story[i])
            i += 1
        if (i + 1 < len(story) and isinstance(story[i], GridParagraph) and _height(story[i]) < 1.5 * LEADING
                and not isinstance(story[i + 1], GridParagraph)):
            lead.append(story[i])
            i += 1
        if i < len(story):
            out.append(CondPageBreak(sum(_height(f) for f in lead) + _start_height(story[i])))
        out.extend(lead)
    return out


def _start_rows(data: list, widths: list, style: list) -> Table:
    """The first two rows of a table on their own: what ``lead_in`` measures (cheaply)."""
    start = Table(data[:2], colWidths=widths)
    start.setStyle(TableStyle([cmd for cmd in style if cmd[0].endswith("PADDING")]))  # all that sets height
    return start


def _on_grid(flowable: Flowable) -> bool:
    """Whether ``flowable`` ends on a grid line (so what follows needs no snap)."""
    if isinstance(flowable, GridParagraph):
        return abs(flowable.style.leading - LEADING) < 0.01
    if isinstance(flowable, CondPageBreak | GridSnap):
        return True
    if isinstance(flowable, Spacer):
        return abs(flowable.height / LEADING - round(flowable.height / LEADING)) < 0.01
    return False


def snap_to_grid(story: list[Flowable]) -> list[Flowable]:
    """After every table, picture and small print, space down to the next grid line, so that
    the text after it is on the grid's lines again (a blank of part of a line becomes the
    least room of that snap)."""
    out: list[Flowable] = []

    def snap(least: float) -> None:
        if out and isinstance(out[-1], GridSnap):
            out[-1].least = max(out[-1].least, least)
        else:
            out.append(GridSnap(LEADING, BLOCK_HEIGHT, least))

    for flowable in story:
        if isinstance(flowable, KeepTogether):
            flowable._content = snap_to_grid(list(flowable._content))
            out.append(flowable)
        elif type(flowable) is Spacer and not _on_grid(flowable):
            snap(flowable.height)
        elif _on_grid(flowable):
            out.append(flowable)
        else:
            out.append(flowable)
            snap(SNAP_LEAST)
    return out


# --- writing the file -------------------------------------------------------------------------------


def page_number_baseline(fonts: FontSet) -> float:
    """The page number's baseline, so that its 一字线 (the dash's ink) is 7 mm below the block."""
    face = fonts.faces["number"]
    ink = glyph_ink(face.path, face.index, "—")
    middle = (ink[0] + ink[1]) / 2 if ink else 0.33
    return BLOCK_BOTTOM - PAGE_NUMBER_GAP - middle * PAGE_NUMBER_SIZE


def _page_number(canvas, doc, fonts: FontSet) -> None:
    """4号 半角 宋体 numerals between 一字线: odd pages right, even pages left, one character in."""
    number = doc.page
    text = f"— {number} —"
    canvas.saveState()
    canvas.setFont(fonts.font("number"), PAGE_NUMBER_SIZE)
    canvas.setFillColor(colors.black)
    baseline = page_number_baseline(fonts)
    if number % 2:
        canvas.drawRightString(MARGIN_LEFT + BLOCK_WIDTH - PAGE_NUMBER_SIZE, baseline, text)
    else:
        canvas.drawString(MARGIN_LEFT + PAGE_NUMBER_SIZE, baseline, text)
    canvas.restoreState()


def _watermark(canvas, fonts: FontSet) -> None:
    """草稿 over everything on the page (drawn last, translucent, so fills do not hide it)."""
    canvas.saveState()
    canvas.setFillColor(WATERMARK_GREY, alpha=WATERMARK_ALPHA)
    size = 120
    canvas.setFont(fonts.font("heading"), size)
    canvas.translate(MARGIN_LEFT + BLOCK_WIDTH / 2, BLOCK_BOTTOM + BLOCK_HEIGHT / 2)
    canvas.rotate(30)
    canvas.drawCentredString(0, -size * 0.35, DRAFT_MARK)
    canvas.restoreState()


def last_line(writer: Writer, record_label: str, made_at: datetime | None = None) -> list[Flowable]:
    return [
        Spacer(BLOCK_WIDTH, LEADING * 0.5),
        writer.grid(f"记录编号：{record_label}　生成时间：{local_time(made_at)}", writer.styles.record_line),
    ]


def _closing(document: Document, writer: Writer, made_at: datetime | None) -> list[Flowable]:
    moment = (made_at or datetime.now().astimezone()).astimezone()
    out: list[Flowable] = []
    if document.issuer:
        out.append(writer.signoff(document.issuer, chinese_date(moment.date())))
    if document.distribution:
        out.extend(writer.distribution(document.distribution))
    return [*out, *last_line(writer, document.record_label, made_at)]


def write(
    document: Document,
    writer: Writer,
    out_path: str | os.PathLike,
    *,
    made_at: datetime | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Path:
    """Lay ``document`` out on official pages and write it atomically to ``out_path``."""
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fonts = writer.fonts

    def on_page(canvas, doc):
        if cancelled is not None and cancelled():
            raise ReportCancelled("已取消生成文书。")
        _page_number(canvas, doc, fonts)

    def on_page_end(canvas, doc):
        if document.draft:
            _watermark(canvas, fonts)

    story = list(document.story)
    if len(story) > 1 and _is_title(story[0]) and isinstance(story[1], GridParagraph) \
            and story[1].style.name == "subtitle":
        story[0].spaceAfter = 0
        story[1].spaceAfter = LEADING  # the blank line goes under the subtitle
    closing = _closing(document, writer, made_at)
    if (document.issuer and story and isinstance(story[-1], GridParagraph | Table)
            and _height(story[-1]) < BLOCK_HEIGHT / 3):
        # The 落款 never stands alone on a page: the end of the text goes over with it.
        # (one KeepTogether: reportlab measures a nested one as taller than any page)
        story[-1] = KeepTogether([story[-1], *closing.pop(0)._content])
    story = snap_to_grid([*keep_headings_with_text(story), *closing])
    # Created with the usual mode (0666 less the umask), as any file the user saves: mkstemp's
    # 0600 would keep colleagues on a shared folder from opening the document.
    tmp_name = str(out.parent / f".{out.stem[:40]}.{uuid.uuid4().hex[:12]}.pdf.tmp")
    os.close(os.open(tmp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        doc = BaseDocTemplate(
            tmp_name, pagesize=A4, leftMargin=MARGIN_LEFT, rightMargin=PAGE_WIDTH - MARGIN_LEFT - BLOCK_WIDTH,
            topMargin=MARGIN_TOP, bottomMargin=BLOCK_BOTTOM, title=document.title, author=document.author,
            subject=document.subject, creator="督导纪实 supervisor_app", lang="zh-CN",
            initialFontName=fonts.font("body"),  # else every page names Helvetica, a font not embedded
        )
        frame = Frame(MARGIN_LEFT, BLOCK_BOTTOM, BLOCK_WIDTH, BLOCK_HEIGHT, leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0, id="text-block")
        doc.addPageTemplates([PageTemplate(id="official", frames=[frame], onPage=on_page, onPageEnd=on_page_end)])
        doc.build(story)
        with open(tmp_name, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_name, out)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return out


def _is_title(flowable: Flowable) -> bool:
    return isinstance(flowable, GridParagraph) and flowable.style.name == "title"
