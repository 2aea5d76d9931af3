"""GB/T 9704 measured on the PDFs: 22 lines × 28 characters filling the block, the grid, the
line-breaking rules in every paragraph and cell of every document, faces by role on a machine
without Chinese fonts, 草稿 above the content."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pdfplumber
import pytest

from supervisor_app import evaluations, findings, units, visits
from supervisor_app.reports import fonts, render
from supervisor_app.reports.cjk import CANNOT_END, CANNOT_START
from supervisor_app.reports.grid import GridParagraph
from tests import factories
from tests.test_reports import BOTTOM, LEFT, MM, RIGHT, TOP, check_pages

PITCH = 156 * MM / 28
LEADING = 225 * MM / 22
MADE_AT = datetime(2014, 7, 1, 9, 30).astimezone()


@pytest.fixture(scope="module", autouse=True)
def shipped_faces_only():
    fonts.configure(use_system=False)
    yield
    fonts.configure(use_system=True)


def body_rows(page) -> list[list[dict]]:
    """The page's lines of 3号 text inside the block, top to bottom, each left to right."""
    rows: dict[float, list[dict]] = defaultdict(list)
    for char in page.chars:
        if abs(char["size"] - 16) < 0.1 and TOP - 1 <= char["top"] and char["bottom"] <= BOTTOM + 1:
            rows[round(char["top"], 1)].append(char)
    return [sorted(rows[top], key=lambda c: c["x0"]) for top in sorted(rows)]


def long_text_document(tmp_path) -> Path:
    """A visit record whose 督导情况 runs over several pages of plain body text."""
    unit = factories.county()
    sentence = "督导组深入基层听取意见，对照问题清单逐项督促整改落实，推动教育实践活动取得实效。"
    notes = "\n".join(sentence * (3 + n % 4) for n in range(24))
    visit = factories.visit(unit, notes=notes)
    return render("visit", tmp_path / "long-text.pdf", record_id=visit.id, made_at=MADE_AT)


def test_body_text_is_set_22_lines_by_28_characters_filling_the_block(data_dir, tmp_path):
    out = long_text_document(tmp_path)
    check_pages(out)
    full_pages = 0
    with pdfplumber.open(out) as pdf:
        for page in pdf.pages:
            rows = body_rows(page)
            if not rows or rows[0][0]["top"] > TOP + LEADING or len(rows) < 20:
                continue  # the first page (title, form) and the last: not full body pages
            full_pages += 1
            assert len(rows) == 22, (page.page_number, len(rows))
            for upper, lower in zip(rows, rows[1:], strict=False):
                assert abs(lower[0]["top"] - upper[0]["top"] - LEADING) < 0.05 * MM
            filled = 0
            for row, following in zip(rows, [*rows[1:], None], strict=True):
                continues = following is not None and abs(following[0]["x0"] - LEFT) < 0.5 * MM
                if not continues:
                    continue  # a paragraph's last line: set ragged, as the standard wants
                assert abs(row[0]["x0"] - LEFT) < 0.5 * MM or abs(row[0]["x0"] - (LEFT + 2 * PITCH)) < 0.5 * MM
                # the line fills the block: its last character ends at the right edge, ±0.5 mm
                assert abs(row[-1]["x0"] + PITCH - RIGHT) <= 0.5 * MM, (page.page_number, "".join(c["text"] for c in row))
                if abs(row[0]["x0"] - LEFT) < 0.5 * MM and all("\u4e00" <= c["text"] <= "\u9fff" or c["text"] in "，。、；" for c in row):
                    assert len(row) == 28, "".join(c["text"] for c in row)
                    steps = [b["x0"] - a["x0"] for a, b in zip(row, row[1:], strict=False)]
                    assert all(abs(step - PITCH) < 0.01 * MM for step in steps)
                    filled += 1
            assert filled >= 10
    assert full_pages >= 2


def test_every_line_of_text_is_on_the_grid(demo_data, tmp_path):
    """Title, headings and body lines of every document sit on the grid's lines."""
    unit = units.list_units()[0]
    for kind, record_id in (("summary", None), ("ledger", None), ("unit", unit.id)):
        out = render(kind, tmp_path / f"{kind}.pdf", record_id=record_id, made_at=MADE_AT)
        with pdfplumber.open(out) as pdf:
            for page in pdf.pages:
                for row in body_rows(page):
                    # a 3号 line's em box is centred in its grid line: top = line top + (leading - 16) / 2
                    offset = (row[0]["top"] - TOP - (LEADING - 16) / 2) / LEADING
                    assert abs(offset - round(offset)) * LEADING < 0.2 * MM, (kind, page.page_number, offset)


def _record_lines(monkeypatch) -> list[tuple[str, list[str]]]:
    """Every drawn GridParagraph's lines (body text and table cells alike)."""
    seen: list[tuple[str, list[str]]] = []
    draw = GridParagraph.draw

    def recording(self):
        seen.append((self.style.name, self.line_texts(self.width)))
        return draw(self)

    monkeypatch.setattr(GridParagraph, "draw", recording)
    return seen


def test_no_line_break_rule_is_broken_in_any_document(demo_data, tmp_path, monkeypatch):
    seen = _record_lines(monkeypatch)
    unit_counts = visits.visit_counts()
    unit = max(units.list_units(), key=lambda u: unit_counts.get(u.id, 0))
    visit = next(v for v in visits.list_visits() if findings.list_findings(visit=v))
    evaluation = evaluations.list_evaluations()[0]
    for kind, record_id in (("visit", visit.id), ("unit", unit.id), ("ledger", None), ("summary", None),
                            ("evaluation", evaluation.id)):
        render(kind, tmp_path / f"{kind}.pdf", record_id=record_id, made_at=MADE_AT)
    assert sum(len(lines) > 1 for _, lines in seen) > 50  # many paragraphs and cells wrapped
    for style, lines in seen:
        for upper, lower in zip(lines, lines[1:], strict=False):
            if not upper or not lower:
                continue
            assert lower[0] not in CANNOT_START, (style, upper, lower)
            assert upper[-1] not in CANNOT_END, (style, upper, lower)
            assert not (upper[-1].isdigit() and (lower[0].isdigit() or lower[0] in "个分年月日人次项%")), (upper, lower)
            assert not (upper[-1].isascii() and upper[-1].isalnum() and lower[0].isascii() and lower[0].isalnum()), (
                upper, lower)


def test_faces_by_role_on_a_machine_without_chinese_fonts(demo_data, tmp_path):
    evaluation = evaluations.list_evaluations()[0]
    out = render("evaluation", tmp_path / "e.pdf", record_id=evaluation.id, made_at=MADE_AT)
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[0]

        def face_of(text: str, size: float) -> set[str]:
            chars = [c for c in page.chars if c["text"] in text and abs(c["size"] - size) < 0.1]
            return {c["fontname"].split("+", 1)[-1] for c in chars}

        assert face_of("纪实评价表", 22) == {"FandolSong-Bold"}  # the title: 宋体 bold for 小标宋
        assert face_of("一、纪", 16) >= {"FandolHei-Regular"}  # 一、 headings in 黑体
        footer = [c for c in page.chars if c["top"] > BOTTOM + 1]
        assert {c["fontname"].split("+", 1)[-1] for c in footer if c["text"].strip()} == {"FandolSong-Regular"}
        assert all(abs(c["size"] - 14) < 0.1 for c in footer)
        body = [c for c in pdf.pages[-1].chars if abs(c["size"] - 16) < 0.1 and "\u4e00" <= c["text"] <= "\u9fff"]
        assert "FandolFang-Regular" in {c["fontname"].split("+", 1)[-1] for c in body}
    notices: list[str] = []
    render("evaluation", tmp_path / "e2.pdf", record_id=evaluation.id, notices=notices)
    assert len(notices) == 1 and "仿宋" in notices[0] and "Fandol" in notices[0]


def test_second_level_headings_are_in_kai(data_dir, tmp_path):
    from supervisor_app.reports.layout import Document, Writer, write

    w = Writer(fonts.font_set())
    story = [w.title("标题"), w.h1("一级"), w.h2("二级标题"), w.para("正文内容。")]
    out = write(Document("t", "督导组", "x", "x", story, issuer="市委第一督导组"), w, tmp_path / "h.pdf",
                made_at=MADE_AT)
    with pdfplumber.open(out) as pdf:
        chars = pdf.pages[0].chars
        by_text = {c["text"]: c["fontname"].split("+", 1)[-1] for c in chars}
        assert by_text["二"] == "FandolKai-Regular" and by_text["正"] == "FandolFang-Regular"
        assert by_text["级"] in {"FandolHei-Regular", "FandolKai-Regular"}
        text = "".join(c["text"] for c in chars)
        assert "市委第一督导组" in text and "2014年7月1日" in text  # the 落款
        signoff = [c for c in chars if c["text"] == "日" and abs(c["size"] - 16) < 0.1][-1]
        assert abs(signoff["x0"] + PITCH - (RIGHT - 4 * PITCH)) < 0.5 * MM  # 右空四字


def test_draft_mark_is_drawn_over_the_tables(demo_data, tmp_path):
    """草稿 is the last thing drawn on each page of a draft (so no table fill can cover it), and
    it shows on the page as PDFium renders it, over a filled table header too."""
    import pypdfium2 as pdfium

    record = evaluations.list_evaluations(status_filter="draft")[0]
    out = render("evaluation", tmp_path / "draft.pdf", record_id=record.id, made_at=MADE_AT)
    document = pdfium.PdfDocument(str(out))
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) >= 1
        for index, page in enumerate(pdf.pages):
            assert "".join(c["text"] for c in page.chars[-2:]) == "草稿"  # drawn last
            mark = page.chars[-2:]
            assert all(c["size"] > 100 for c in mark)
            # the mark is inked: pixels inside its box are darker than the paper around it
            image = document[index].render(scale=1).to_pil().convert("L")
            box = (int(min(c["x0"] for c in mark)), int(min(c["top"] for c in mark)),
                   int(max(c["x1"] for c in mark)), int(max(c["bottom"] for c in mark)))
            assert image.crop(box).getextrema()[0] < 235
    document.close()


def test_a_line_cut_short_in_a_narrow_cell_is_set_left_not_spread(tmp_path):
    """The breaking rules can end a line of a narrow cell after two characters ("重；" before a
    date kept whole); justified, those two would sit at the cell's two edges."""
    from dataclasses import replace

    from reportlab.pdfgen.canvas import Canvas

    from supervisor_app.reports.grid import MAX_JUSTIFY_GAP
    from supervisor_app.reports.layout import Writer

    w = Writer(fonts.font_set())
    text = "对下级单位督导浮在面上，督促指导流于形式（指导督促工作有待加强；严重；2026年10月11日发现）"
    # a cell's paragraph (no closing marks squeezed, no words kept: only the rules break it)
    paragraph = w.grid(text, replace(w.styles.body, squeeze=0.0))
    width = 9 * paragraph.style.pitch  # a table cell nine characters wide
    paragraph.wrap(width, 1000)
    lines = paragraph.line_texts(width)
    assert "重；" in lines  # the short line this is about
    out = tmp_path / "cell.pdf"
    canvas = Canvas(str(out), pagesize=(width + 20, 1000))
    paragraph.drawOn(canvas, 10, 400)
    canvas.save()
    with pdfplumber.open(out) as pdf:
        rows: dict[int, list[dict]] = defaultdict(list)
        for char in pdf.pages[0].chars:
            rows[round(char["top"])].append(char)
    assert len(rows) == len(lines)
    size = paragraph.style.size
    for row in rows.values():
        row.sort(key=lambda c: c["x0"])
        widest = max((b["x0"] - a["x1"] for a, b in zip(row, row[1:], strict=False)), default=0)
        assert widest <= size * MAX_JUSTIFY_GAP + 0.5, "".join(c["text"] for c in row)
    full = next(row for row in rows.values() if "".join(c["text"] for c in row) == "流于形式（指导督促")
    assert full[-1]["x1"] == pytest.approx(10 + width, abs=0.5)  # a full line still fills the cell
