"""Tables across pages: a row taller than a page is cut where the page ends, and every page's
part of the table is closed (bottom rule where it leaves, top rule and header where it goes on),
measured on the drawn lines."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest

from supervisor_app import findings
from supervisor_app.reports import fonts, render
from supervisor_app.reports.grid import GridParagraph
from tests import factories
from tests.test_reports import BOTTOM, LEFT, MM, RIGHT, TOP, check_pages

LONG = "督导组发现该单位活动开展表面热、实际冷，学习记录雷同，调研报告质量不高。"


@pytest.fixture(scope="module", autouse=True)
def shipped_faces_only():
    fonts.configure(use_system=False)
    yield
    fonts.configure(use_system=True)


def _covered(segments: list[tuple[float, float]], low: float, high: float) -> bool:
    """Whether the segments (start, end) cover [low, high] with no gap over 0.5 pt."""
    reach = low
    for start, end in sorted(segments):
        if start > reach + 0.5:
            return False
        reach = max(reach, end)
    return reach >= high - 0.5


def table_frames(path: Path, header_word: str) -> list[dict]:
    """For each page that holds a table: its outer rules, and where the header words are."""
    out = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            edges = [e for e in page.edges if e["top"] >= TOP - 1 and e["bottom"] <= BOTTOM + 1]
            horizontal = [e for e in edges if e["orientation"] == "h"]
            vertical = [e for e in edges if e["orientation"] == "v"]
            if not horizontal:
                continue
            lefts = [e for e in vertical if abs(e["x0"] - LEFT) < 1]
            rights = [e for e in vertical if abs(e["x0"] - RIGHT) < 1]
            rules = sorted({round(e["top"], 1) for e in horizontal
                            if e["x0"] <= LEFT + 1 and e["x1"] >= RIGHT - 1})
            spans = []  # each table on the page: from a rule with a side line below it to where the side lines end
            for segment in sorted(lefts, key=lambda e: e["top"]):
                if spans and segment["top"] <= spans[-1][1] + 0.5:
                    spans[-1][1] = max(spans[-1][1], segment["bottom"])
                else:
                    spans.append([segment["top"], segment["bottom"]])
            words = [w for w in page.extract_words() if w["text"].startswith(header_word)]
            out.append({"page": page.page_number, "rules": rules, "spans": spans,
                        "rights": [(e["top"], e["bottom"]) for e in rights],
                        "header_tops": [w["top"] for w in words]})
    return out


def check_closed(frames: list[dict]) -> None:
    """Every table part on every page has a top and bottom rule across the block, both sides
    drawn from one to the other, and the header only right under its top rule."""
    assert frames
    for frame in frames:
        assert frame["spans"], frame["page"]
        for top, bottom in frame["spans"]:
            assert any(abs(rule - top) < 0.6 for rule in frame["rules"]), (frame["page"], "no top rule", top)
            assert any(abs(rule - bottom) < 0.6 for rule in frame["rules"]), (frame["page"], "no bottom rule", bottom)
            assert _covered(frame["rights"], top, bottom), (frame["page"], "right side open")
        tops = [top for top, _ in frame["spans"]]
        for word_top in frame["header_tops"]:  # a header sits in the first row of a part, never lower
            assert any(0 <= word_top - top < 25 for top in tops), (frame["page"], "header mid-table", word_top)


def test_a_row_taller_than_a_page_is_cut_with_every_part_closed(data_dir, tmp_path, monkeypatch):
    unit = factories.county()
    visit = factories.visit(unit)
    short = findings.create_finding(unit, "学习笔记照抄照搬", "学习教育还不深不透", visit=visit)
    findings.set_rectification(short, measure="补课学习", responsible="王建国", deadline="2014-05-08")
    long = findings.create_finding(unit, LONG * 90, "学习教育还不深不透", visit=visit, found_on="2014-04-09")
    findings.set_rectification(long, measure="建立整改台账，每周报送进展。" * 20, responsible="李明",
                               deadline="2014-05-08")
    findings.create_finding(unit, "最后一个问题", "学习教育还不深不透", visit=visit, found_on="2014-04-10")
    drawn: dict[str, list[str]] = {}
    draw = GridParagraph.draw

    def recording(paragraph):  # the lines each part of a cut cell draws, by the whole cell's text
        drawn.setdefault(paragraph.plain_text(), []).extend(paragraph.line_texts(paragraph.width))
        return draw(paragraph)

    monkeypatch.setattr(GridParagraph, "draw", recording)
    out = render("ledger", tmp_path / "ledger.pdf", record_id=unit.id)
    check_pages(out)
    frames = table_frames(out, "序号")
    assert len(frames) >= 4  # the long row runs over several pages
    check_closed(frames)
    for frame in frames:
        assert len(frame["header_tops"]) == 1, frame  # the header once on every page: at its top
    middle = frames[1:-1]
    for frame in middle:  # pages filled by the cut row alone: the table takes the whole block
        (top, bottom), = frame["spans"]
        assert top == pytest.approx(TOP, abs=1) and bottom > BOTTOM - 20 * MM
    # nothing lost or doubled at the cuts: the parts of the long cell, drawn on their pages one
    # after another, hold its text once, in order
    problem = next(text for text in drawn if text.startswith(LONG * 2))
    assert "".join(drawn[problem]) == problem.replace("\n", "")
    assert len(drawn[problem]) > 100
    with pdfplumber.open(out) as pdf:
        assert "最后一个问题" in pdf.pages[-1].extract_text()


def test_a_long_field_in_a_form_is_cut_with_every_part_closed(data_dir, tmp_path):
    from supervisor_app.reports.layout import Document, Writer, write

    w = Writer(fonts.font_set())
    form = w.fields([("单位", "临江县"), ("依据", LONG * 80), ("备注", "无")])
    out = write(Document("t", "督导组", "x", "x", [w.title("表"), form]), w, tmp_path / "form.pdf")
    check_pages(out)
    frames = table_frames(out, "单位")
    assert len(frames) >= 3
    check_closed(frames)
