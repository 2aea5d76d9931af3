"""The official PDF records: text, embedded fonts, A4, the text block, page numbers, flow,
the draft mark, amendments, bad ids, the CLI and batches."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from supervisor_app import (
    assessments,
    attachments,
    campaigns,
    cli,
    evaluations,
    findings,
    quiz,
    signatures,
    signing,
    units,
    visits,
)
from supervisor_app.demo import DEMO_PASSPHRASE
from supervisor_app.errors import NotFoundError, ValidationError
from supervisor_app.reports import ReportCancelled, fonts, render, render_batch
from tests import factories

MM = 72 / 25.4
A4 = (595.28, 841.89)
LEFT, RIGHT = 28 * MM, (28 + 156) * MM
TOP, BOTTOM = 37 * MM, (37 + 225) * MM  # measured from the top of the page, as pdfplumber does
TOLERANCE = 1 * MM


@pytest.fixture(scope="session", autouse=True)
def report_fonts(tmp_path_factory):
    """The documents as on a machine without Chinese fonts: the shipped faces only."""
    fonts.configure(use_system=False)
    yield
    fonts.configure(use_system=True)


# --- checks shared by every document ------------------------------------------------------------


def page_texts(path: Path) -> list[str]:
    """Each page's text with the white space taken out (extraction spaces CJK unevenly)."""
    return ["".join((page.extract_text() or "").split()) for page in PdfReader(path).pages]


def check_fonts(path: Path) -> None:
    """Every font is an embedded TrueType subset (no base-14 font, nothing left out)."""
    seen = 0
    for page in PdfReader(path).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            assert font["/Subtype"] == "/TrueType", font
            assert re.fullmatch(r"/[A-Z]{6}\+.+", font["/BaseFont"]), font["/BaseFont"]
            assert "/FontFile2" in font["/FontDescriptor"].get_object()
            assert "/ToUnicode" in font
            seen += 1
    assert seen


def check_pages(path: Path) -> int:
    """A4; every character inside the text block (within 1 mm) but the page number, which
    reads "— N —" with its 一字线 inked 7 ± 1 mm below the block, right on odd pages, left on
    even ones, one character in. Returns the page count."""
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            assert (round(page.width, 1), round(page.height, 1)) == (round(A4[0], 1), round(A4[1], 1))
            footer = [c for c in page.chars if c["top"] > BOTTOM + TOLERANCE]
            for char in page.chars:
                if char in footer or not char["text"].strip():
                    continue
                assert LEFT - TOLERANCE <= char["x0"] and char["x1"] <= RIGHT + TOLERANCE, (number, char["text"], char["x0"], char["x1"])
                assert TOP - TOLERANCE <= char["top"] and char["bottom"] <= BOTTOM + TOLERANCE, (number, char["text"], char["top"])
            assert "".join(c["text"] for c in footer).replace(" ", "") == f"—{number}—"
            ink = [c for c in footer if c["text"].strip()]
            if number % 2:
                assert abs(max(c["x1"] for c in ink) - (RIGHT - 14)) < TOLERANCE
            else:
                assert abs(min(c["x0"] for c in ink) - (LEFT + 14)) < TOLERANCE
            dash = next(c for c in ink if c["text"] == "—")
            assert abs(dash_ink_middle(path, number - 1, dash) - (BOTTOM + 7 * MM)) <= 1 * MM
        return len(pdf.pages)


def dash_ink_middle(path: Path, index: int, dash: dict) -> float:
    """Where the page number's 一字线 is inked (from the page's top, in points), found on the
    page rendered by PDFium at 300 dpi: the middle of the dark rows under the dash."""
    import pypdfium2 as pdfium

    scale = 300 / 72
    document = pdfium.PdfDocument(str(path))
    try:
        image = document[index].render(scale=scale, grayscale=True).to_pil()
    finally:
        document.close()
    left, right = int(dash["x0"] * scale) + 2, int(dash["x1"] * scale) - 2
    top, bottom = int((dash["top"] - 4) * scale), int((dash["bottom"] + 4) * scale)
    pixels = image.load()
    rows = [y for y in range(top, bottom) if any(pixels[x, y] < 128 for x in range(left, right))]
    assert rows, "no ink under the page number's dash"
    return (rows[0] + rows[-1] + 1) / 2 / scale


def check_document(path: Path, *expected: str, record_id: str | None = None) -> list[str]:
    texts = page_texts(path)
    whole = "".join(texts)
    for text in expected:
        assert text in whole, text
    check_fonts(path)
    check_pages(path)
    meta = PdfReader(path).metadata
    assert meta.title and meta.author and meta.subject
    if record_id:
        assert meta.subject == record_id
        assert "记录编号：" in texts[-1] and record_id in texts[-1] and "生成时间：" in texts[-1]
    return texts


# --- each document from demo data ----------------------------------------------------------------


def _visit_with_everything():
    for visit in visits.list_visits():
        if findings.list_findings(visit=visit) and visits.assessment_of(visit) and quiz.quiz_of(visit):
            return visit
    raise AssertionError("the demo data has a visit with an assessment, a quiz and findings")


def test_visit_record(demo_data, tmp_path):
    visit = _visit_with_everything()
    finding = findings.list_findings(visit=visit)[0]
    out = render("visit", tmp_path / "visit.pdf", record_id=visit.id)
    check_document(out, "督导记录", visit.unit.name, "督导情况", "防止五种倾向", "知识问答", "正确率",
                   "".join(finding.description.split()), "".join(visit.notes.split("\n")[0].split()), record_id=visit.id)


def test_unit_assessment(demo_data, tmp_path):
    counts = visits.visit_counts()
    unit = max(units.list_units(), key=lambda u: counts.get(u.id, 0))
    out = render("unit", tmp_path / "unit.pdf", record_id=unit.id, date_from="2014-01-01", date_to="2014-06-30")
    texts = check_document(out, "单位督导评估", unit.name, "防止五种倾向", "变化情况", "督导重点", "知识问答",
                           "未销号问题", "2014年1月1日至2014年6月30日", record_id=unit.id)
    assert "倾向一" in "".join(texts)  # the chart's legend


def test_ledger_for_one_unit_and_for_all(demo_data, tmp_path):
    rows = findings.ledger()
    overdue = next(r for r in rows if r.overdue)
    out = render("ledger", tmp_path / "one.pdf", record_id=overdue.finding.unit_id)
    texts = check_document(out, "问题整改台账", "序号问题类别整改措施责任人时限完成情况", "【已逾期】",
                           record_id=overdue.finding.unit_id)
    assert "".join(overdue.finding.description.split()) in "".join(texts)
    out = render("ledger", tmp_path / "all.pdf")
    whole = "".join(check_document(out, "问题整改台账", "全部单位"))
    note = "注明【已逾期】的"
    assert note in whole
    assert whole.count("【已逾期】") - 1 == sum(1 for r in rows if r.overdue)


def test_summary(demo_data, tmp_path):
    out = render("summary", tmp_path / "summary.pdf", date_from="2014-01-01", date_to="2014-06-30")
    whole = "".join(check_document(out, "督导工作汇总", "各单位防止五种倾向评定", "倾向问题排名", "整改逾期事项",
                                   "各单位督导和知识问答情况", "各督导组督导情况", "市委第一督导组"))
    levels = assessments.latest_tendencies_by_unit("2014-01-01", "2014-06-30")
    counts = visits.visit_counts("2014-01-01", "2014-06-30")
    for unit_id, path in units.unit_paths():
        if levels.get(unit_id) or counts.get(unit_id):
            assert "".join(path.split()) in whole
    quiet = sum(1 for unit_id, _ in units.unit_paths() if not levels.get(unit_id))
    assert f"另有{quiet}个单位期间内没有倾向评估，不再列出。" in whole  # counted, not listed
    # groups in their number's order, not by character code; the 报送/抄送 and the 落款
    names = [g.name for g in campaigns.list_groups()]
    from supervisor_app.reports.common import group_order

    table = whole[whole.rindex("各督导组督导情况"):]
    in_text = sorted((table.index(name), name) for name in names)
    assert [name for _, name in in_text] == sorted(names, key=group_order)
    assert "报送：市委常委会" in whole and "抄送：各督导组" in whole


def test_evaluation_draft_then_signed_then_amended(demo_data, tmp_path):
    record = next(
        e for e in evaluations.list_evaluations(status_filter="draft")
        if campaigns.group_leader(e.group) is not None
        and signing.key_path(demo_data, campaigns.group_leader(e.group)).exists()
    )
    out = render("evaluation", tmp_path / "draft.pdf", record_id=record.id)
    texts = check_document(out, "纪实评价表", "纪实", "评价项目", "总体评价", "评价意见", "组长签署", record_id=record.id)
    assert all("草稿" in text for text in texts)
    fact = evaluations.facts(record)[0]
    assert "".join(fact.text.split())[:20] in "".join(texts)

    leader = campaigns.group_leader(record.group)
    key = signing.unlock(demo_data, leader, DEMO_PASSPHRASE)
    evaluations.sign(record, leader, key)
    out = render("evaluation", tmp_path / "signed.pdf", record_id=record.id)
    texts = check_document(out, "纪实评价表", "已签署", leader.name, "签名指纹", record_id=record.id)
    assert not any("草稿" in text for text in texts)
    record = evaluations.get_evaluation(record.id)
    assert "".join(signing.fingerprint(record.signature).split()) in "".join(texts)

    # one fingerprint format on screen and on paper
    assert "".join(signatures.fingerprint_text(record.signature).split()) in "".join("".join(texts).split())
    signed_rating, signed_narrative = record.overall_rating, record.narrative
    rating = next(v for v in campaigns.active_template().scale("evaluation") if v != signed_rating)
    evaluations.amend(record, leader, "复核联系点工作", {"overall_rating": rating, "narrative": "经复核，整改成效明显。"},
                     key)
    out = render("evaluation", tmp_path / "amended.pdf", record_id=record.id)
    whole = "".join(check_document(out, "更正记录", "复核联系点工作", "经复核，整改成效明显。", "已更正"))
    assert "草稿" not in whole
    flat = "".join(whole.split())
    # the amended value is the current one, marked, with what it replaced
    assert f"总体评价：{rating}（已更正，原为{signed_rating}）" in flat, flat
    assert "评价意见已更正" in flat
    if signed_narrative:
        assert "".join(signed_narrative.split())[:12] in flat  # the signed text stays on paper


# --- flow over pages ------------------------------------------------------------------------------------


def test_visit_with_200_findings_flows_with_the_header_on_every_page(data_dir, tmp_path):
    unit = factories.county()
    visit = factories.visit(unit)
    for n in range(1, 201):
        finding = findings.create_finding(unit, f"第{n:03d}号问题：学习笔记照抄照搬，心得体会不深", "学习教育还不深不透",
                                          visit=visit)
        findings.set_rectification(finding, measure="补课学习，逐人谈体会", responsible="王建国", deadline="2014-05-08")
    out = render("visit", tmp_path / "long.pdf", record_id=visit.id)
    texts = check_document(out, "本次督导发现问题200个", record_id=visit.id)
    table_pages = [t for t in texts if re.search(r"第\d{3}号问题", t)]
    assert len(table_pages) >= 3
    for text in table_pages:
        assert "序号问题类别整改措施完成情况" in text
    whole = "".join(texts)
    assert all(f"第{n:03d}号问题" in whole for n in range(1, 201))


def test_long_text_in_a_cell_breaks_across_pages(data_dir, tmp_path):
    unit = factories.county()
    visit = factories.visit(unit, notes="督导情况。" * 400)
    findings.create_finding(unit, "问题很长，" * 700, "学习教育还不深不透", visit=visit)
    out = render("visit", tmp_path / "long-cell.pdf", record_id=visit.id)
    check_document(out, "问题很长")


def test_a_heading_is_never_left_at_the_foot_of_a_page(data_dir, tmp_path):
    from supervisor_app.reports.layout import Document, Writer, write

    w = Writer(fonts.font_set())
    rows = [[str(n), "问题", "措施"] for n in range(5)]
    story = [w.blank(19), w.h1("发现问题"), w.para("共5个。"), w.table(("序号", "问题", "措施"), rows, (12, 72, 72))]
    out = write(Document("t", "督导组", "x", "x", story), w, tmp_path / "h.pdf")
    first, second = page_texts(out)[:2]
    assert "发现问题" not in first and second.startswith("—2—一、发现问题共5个。序号问题措施")


# --- attachments, rare characters -----------------------------------------------------------------------


def test_photos_are_placed_and_other_files_listed(data_dir, tmp_path):
    from PIL import Image

    unit = factories.county()
    visit = factories.visit(unit)
    photo = tmp_path / "现场照片.png"
    Image.new("RGB", (800, 600), (200, 120, 40)).save(photo)
    scan = tmp_path / "学习笔记.txt"
    scan.write_text("笔记", encoding="utf-8")
    attachments.add_attachment(visit, photo)
    attachments.add_attachment(visit, scan)
    out = render("visit", tmp_path / "photos.pdf", record_id=visit.id)
    check_document(out, "附件1：现场照片.png", "附件2：学习笔记.txt")
    images = [img for page in PdfReader(out).pages for img in page.images]
    assert len(images) == 1


def test_characters_outside_the_common_set_are_printed(data_dir, tmp_path):
    unit = factories.county("堃喆县")
    visit = factories.visit(unit, notes="赟昉同志主持学习，䶮字也能印出。")
    out = render("visit", tmp_path / "rare.pdf", record_id=visit.id)
    check_document(out, "堃喆县", "赟昉同志主持学习，䶮字也能印出。")


# --- errors, atomic files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["visit", "unit", "ledger", "evaluation"])
def test_a_bad_id_raises_and_writes_nothing(demo_data, tmp_path, kind):
    out = tmp_path / "out" / "bad.pdf"
    with pytest.raises(NotFoundError):
        render(kind, out, record_id="no-such-record")
    assert not out.exists()
    assert not out.parent.exists() or not any(out.parent.iterdir())


def test_bad_arguments(demo_data, tmp_path):
    tmp_path = tmp_path / "out"
    with pytest.raises(ValidationError):
        render("visit", tmp_path / "a.pdf")
    with pytest.raises(ValidationError):
        render("nonsense", tmp_path / "a.pdf", record_id="x")
    with pytest.raises(ValidationError):
        render("summary", tmp_path / "a.pdf", date_from="2014-06-30", date_to="2014-01-01")
    with pytest.raises(ValidationError):
        render_batch("summary", tmp_path / "dir")
    assert not tmp_path.exists()


def test_cancel_leaves_no_file(demo_data, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(ReportCancelled):
        render("summary", tmp_path / "summary.pdf", cancelled=lambda: True)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_render_keeps_the_previous_file(demo_data, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    out = tmp_path / "summary.pdf"
    out.write_bytes(b"old")
    pages = []

    def cancel_on_second_page():
        pages.append(1)
        return len(pages) > 1

    with pytest.raises(ReportCancelled):
        render("summary", out, cancelled=cancel_on_second_page)
    assert out.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["summary.pdf"]


def test_batch_writes_one_file_per_unit_with_progress_and_cancel(demo_data, tmp_path):
    seen = []
    june = {"date_from": "2014-06-01", "date_to": "2014-06-30"}
    result = render_batch("unit", tmp_path / "all", progress=lambda done, total: seen.append((done, total)), **june)
    assert not result.cancelled and len(result.paths) == result.total == len(visits.visit_counts(**june)) > 1
    assert seen[0] == (0, result.total) and seen[-1] == (result.total, result.total)
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == sorted(p.name for p in result.paths)
    assert all(p.name.endswith("-单位督导评估.pdf") for p in result.paths)

    calls = []
    result = render_batch("ledger", tmp_path / "some", cancelled=lambda: calls.append(1) or len(calls) > 6)
    assert result.cancelled and 0 < len(result.paths) < result.total
    assert sorted((tmp_path / "some").iterdir()) == sorted(result.paths)  # no half-written file left


def test_render_on_a_worker_thread(demo_data, tmp_path):
    import threading

    done = {}

    def work():
        try:
            done["path"] = render("ledger", tmp_path / "threaded.pdf", progress=lambda d, t: done.setdefault("steps", []).append(d))
        except Exception as exc:  # handed back to the test, as the window's worker hands it to the GUI thread
            done["error"] = exc

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(60)
    assert "error" not in done and done["path"].exists() and done["steps"] == [0, 1]


def test_cli_report(demo_data, tmp_path, capsys):
    unit = units.list_units()[0]
    out = tmp_path / "unit.pdf"
    assert cli.main(["report", "unit", "--id", unit.id, "--out", str(out)]) == 0
    assert "已生成单位督导评估" in capsys.readouterr().out and out.exists()
    assert cli.main(["report", "ledger", "--out-dir", str(tmp_path / "ledgers")]) == 0
    assert any((tmp_path / "ledgers").iterdir())
    bad = tmp_path / "bad.pdf"
    assert cli.main(["report", "visit", "--id", "nope", "--out", str(bad)]) == 2
    assert "找不到督导记录" in capsys.readouterr().err and not bad.exists()
    evaluation = evaluations.list_evaluations()[0]
    assert cli.main(["report", "evaluation", "--id", evaluation.id, "--out", str(tmp_path / "e.pdf")]) == 0


def test_chinese_numbers_for_headings():
    from supervisor_app.reports.layout import chinese_number

    assert [chinese_number(n) for n in (1, 10, 11, 20, 21, 100, 105, 110, 1001)] == [
        "一", "十", "十一", "二十", "二十一", "一百", "一百零五", "一百一十", "一千零一"]


def test_batch_file_names_fit_every_file_system():
    """A leader's 300-character name makes a file name Linux (255 bytes) and Windows accept."""
    from supervisor_app.reports import safe_filename

    name = safe_filename("北湖区-" + "很长的文字" * 60 + "：县委书记")
    assert len(name.encode("utf-8")) <= 180 and name.startswith("北湖区-很长的文字")
    assert safe_filename("  ..  ") == "文书" and safe_filename('a/b:c') == "a_b_c"
