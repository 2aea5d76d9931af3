"""The Excel workbook read back with openpyxl: every row and type, frozen headers, filters,
widths for Chinese text, hostile text kept as text; the CLI and its refusals."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from supervisor_app import cli, evaluations, export_xlsx, findings, quiz, units, visits
from supervisor_app.errors import ValidationError
from supervisor_app.export_xlsx import DATE, INT, PERCENT, TEXT, Table
from tests import factories

HOSTILE = ('=HYPERLINK("http://example.com","点我")', "+86 138 0000 0000", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "=cmd|' /C calc'!A0")


@pytest.fixture
def records(data_dir):
    """A county with a leader, two visits, findings (one with hostile text), a rectification, a quiz."""
    county = factories.county()
    leader = factories.leader(county)
    first = factories.visit(county, notes=HOSTILE[3] + "，查阅学习笔记。", people_met=HOSTILE[1])
    factories.visit(county, notes="个别谈话，了解学习情况。", started_at="2014-04-15T14:00")
    quiz.save_quiz(first, 10, 5, 40)
    hostile = findings.create_finding(county, HOSTILE[0], "学习教育还不深不透", visit=first, leader=leader)
    findings.set_rectification(hostile, measure=HOSTILE[2], responsible=HOSTILE[5], deadline="2014-05-08")
    findings.create_finding(county, HOSTILE[4] + "心得体会不深", "学习教育还不深不透", visit=first)
    evaluations.create_evaluation("leader", "2014-04-01", "2014-06-30", leader=leader)
    return county


def _sheet_values(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]


def _expected(value, kind):
    typed = export_xlsx.typed(value, kind)
    return datetime(typed.year, typed.month, typed.day) if isinstance(typed, date) else typed


def test_every_table_reads_back_row_for_row_and_type_for_type(records, tmp_path):
    out = export_xlsx.export(tmp_path / "督导.xlsx")
    book = load_workbook(out)
    expected = export_xlsx.tables()
    assert [s.title for s in book.worksheets] == [t.sheet for t in expected]
    for table in expected:
        sheet = book[table.sheet]
        assert [c.value for c in sheet[1]] == list(table.headers)
        assert all(c.font.b for c in sheet[1])
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(table.headers)).column_letter}{len(table.rows) + 1}"
        got = _sheet_values(sheet)
        assert len(got) == len(table.rows), table.sheet
        for row, source in zip(sheet.iter_rows(min_row=2), table.rows, strict=True):
            for cell, value, kind in zip(row, source, table.types, strict=True):
                want = _expected(value, kind)
                assert cell.value == want, (table.sheet, cell.coordinate)
                if want is None:
                    continue
                if kind == DATE and isinstance(want, datetime):
                    assert cell.is_date and cell.number_format == export_xlsx.DATE_FORMAT
                elif kind == PERCENT and isinstance(want, float):
                    assert cell.data_type == "n" and cell.number_format == export_xlsx.PERCENT_FORMAT
                elif kind == INT and isinstance(want, int):
                    assert cell.data_type == "n" and type(cell.value) is int
                else:
                    assert cell.data_type == "s"


def test_the_lists_hold_what_the_services_list(records, tmp_path):
    book = load_workbook(export_xlsx.export(tmp_path / "a.xlsx"))
    assert book["督导记录"].max_row - 1 == len(visits.list_visits()) == 2
    assert book["发现问题"].max_row - 1 == len(findings.list_findings()) == 2
    assert book["问题整改"].max_row - 1 == 1
    assert book["纪实评价"].max_row - 1 == len(evaluations.list_evaluations()) == 1
    assert book["单位"].max_row - 1 == len(units.list_units())
    first_visit = book["督导记录"]["A2"]  # newest first, as the list
    assert first_visit.value == datetime(2014, 4, 15) and first_visit.number_format == "yyyy-mm-dd"
    overview = {h.value: v.value for h, v in zip(book["汇总_总体情况"][1], book["汇总_总体情况"][2], strict=True)}
    assert overview["督导次数"] == 2 and overview["发现问题"] == 2 and overview["知识问答参测人次"] == 10
    assert overview["平均正确率"] == pytest.approx(40 / 50)
    accuracy = {r[0].value: r for r in book["汇总_各单位督导和知识问答"].iter_rows(min_row=2)}
    rate = accuracy["临江县"][5]
    assert rate.value == pytest.approx(0.8) and rate.number_format == "0.0%"


def test_text_that_looks_like_a_formula_stays_text(records, tmp_path):
    book = load_workbook(export_xlsx.export(tmp_path / "a.xlsx"))
    seen = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and export_xlsx.is_formula_like(cell.value):
                    assert cell.data_type == "s", cell.value
                    assert cell.quotePrefix, cell.value
                    seen[cell.value] = cell
    assert HOSTILE[0] in seen and HOSTILE[2] in seen and HOSTILE[5] in seen and HOSTILE[1] in seen
    assert "=1+1心得体会不深" in seen  # the service trims the tab; what is left still starts with =
    assert any(v.startswith(HOSTILE[3]) for v in seen)
    # the raw sheet holds no formula element at all
    import zipfile

    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)


def test_widths_count_chinese_characters_twice():
    assert export_xlsx.display_width("督导组abc") == 9
    assert export_xlsx.display_width("ＡＢ") == 4  # full-width
    assert export_xlsx.display_width("一行\n长一点的一行") == 12
    table = Table("表", ("单位", "编号"), [["临江县 / 新港镇 / 红星村", "ab"]], (TEXT, TEXT))
    book_bytes = export_xlsx.build_workbook([table])
    import io

    sheet = load_workbook(io.BytesIO(book_bytes))["表"]
    assert sheet.column_dimensions["A"].width == export_xlsx.display_width("临江县 / 新港镇 / 红星村") + 2
    assert sheet.column_dimensions["B"].width == export_xlsx.MIN_WIDTH + 2
    long = Table("长", ("督导情况",), [["很长" * 200]], (TEXT,))
    sheet = load_workbook(io.BytesIO(export_xlsx.build_workbook([long])))["长"]
    assert sheet.column_dimensions["A"].width == export_xlsx.MAX_WIDTH + 2
    assert sheet["A2"].value == "很长" * 200  # cut on screen, never in the cell


def test_sheet_names_are_valid_in_excel_and_unique():
    taken: set[str] = set()
    names = [export_xlsx.sheet_name(n, taken) for n in
             ("问题[1]:整改*?/\\", "'引号'", "督导工作汇总" * 10, "督导工作汇总" * 10, "Sheet", "sheet", "")]
    for name in names:
        assert 0 < len(name) <= 31 and not set(name) & set("[]:*?/\\") and not name.startswith("'")
    assert len({n.lower() for n in names}) == len(names)
    assert names[0] == "问题_1__整改____"
    assert names[3].endswith("(2)") and names[5] == "sheet(2)"


def test_odd_stored_values_are_shown_marked_not_dropped():
    assert export_xlsx.typed("yesterday", DATE) == "yesterday（无效日期）"
    assert export_xlsx.typed(float("nan"), PERCENT) == "nan（无效数值）"
    assert export_xlsx.typed(2.5, INT) == "2.5（无效数值）"
    assert export_xlsx.typed("a\x01b", TEXT) == "a\ufffdb"


def test_another_module_adds_its_table(records, tmp_path, monkeypatch):
    calibration = Table("校准", ("督导组", "宽松度", "下限", "上限"), [["市委第一督导组", 0.3, 0.1, 0.5]],
                        (TEXT, "number", "number", "number"))
    monkeypatch.setitem(export_xlsx.SOURCES, "calibration",
                        export_xlsx.Source("calibration", "督导组评价尺度校准", lambda **_: [calibration]))
    assert "calibration" in export_xlsx.names()
    out = export_xlsx.export(tmp_path / "c.xlsx", "calibration,units")
    book = load_workbook(out)
    assert book.sheetnames == ["单位", "校准"]
    assert book["校准"]["B2"].value == 0.3 and book["校准"].freeze_panes == "A2"
    extra = export_xlsx.export(tmp_path / "d.xlsx", "units", extra=[calibration])
    assert load_workbook(extra).sheetnames == ["单位", "校准"]


def test_cli_writes_what_is_asked(records, tmp_path, capsys):
    out = tmp_path / "两表.xlsx"
    assert cli.main(["export-xlsx", "--what", "visits,summary", "--out", str(out)]) == 0
    assert "已导出 Excel" in capsys.readouterr().out
    names = load_workbook(out).sheetnames
    assert names[0] == "督导记录" and all(n.startswith("汇总_") for n in names[1:]) and len(names) == 7
    assert cli.main(["export-xlsx", "--what", "visits", "--from", "2014-04-10", "--out", str(out)]) == 0
    assert load_workbook(out)["督导记录"].max_row == 2  # the one visit on or after 10 April


@pytest.mark.parametrize(("argv", "message", "field"), [
    (["--what", "visits,名单"], "可选的内容为 units（单位）", "--what"),
    (["--what", "visits", "--from", "2014-13-01"], "起始日期", "--from"),
    (["--to", "2014-04-01", "--from", "2014-05-01"], "截止日期不能早于起始日期", "--to"),
])
def test_cli_refuses_bad_arguments_and_writes_nothing(records, tmp_path, capsys, argv, message, field):
    out = tmp_path / "refused.xlsx"
    assert cli.main(["export-xlsx", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and f"字段：{field}" in err
    assert not out.exists() and list(tmp_path.glob("*.xlsx")) == [] and list(tmp_path.glob(".partial*")) == []


def test_a_refused_or_failed_export_leaves_an_existing_file_whole(records, tmp_path):
    out = tmp_path / "old.xlsx"
    out.write_bytes(b"the office's own workbook")
    with pytest.raises(ValidationError) as refused:
        export_xlsx.export(out, "nothing")
    assert refused.value.field == "--what"
    from supervisor_app.errors import SupervisorError

    with pytest.raises(SupervisorError):
        export_xlsx.export(out, cancelled=lambda: True)
    assert out.read_bytes() == b"the office's own workbook"
    assert [p.name for p in tmp_path.iterdir() if p.name != "data"] == ["old.xlsx"]
    with pytest.raises(ValidationError) as wrong:
        export_xlsx.export(tmp_path / "a.csv")
    assert wrong.value.field == "--out" and not (tmp_path / "a.csv").exists()


def test_long_tables_report_progress_and_can_be_cancelled():
    rows = [[f"第{n}行", n] for n in range(5000)]
    table = Table("长表", ("内容", "序号"), rows, (TEXT, INT))
    seen = []
    export_xlsx.build_workbook([table], progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 5000) and seen[-1] == (5000, 5000) and (2000, 5000) in seen
    calls = []

    def cancel_on_second_look():
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(export_xlsx.ExportCancelled):
        export_xlsx.build_workbook([table], cancelled=cancel_on_second_look)


def test_the_demo_office_workbook_reads_back_with_the_summarys_numbers(demo_data, tmp_path, capsys):
    from supervisor_app import assessments, campaigns, surveys
    from supervisor_app import progress as plan_progress

    out = tmp_path / "全部.xlsx"
    assert cli.main(["export-xlsx", "--out", str(out)]) == 0
    book = load_workbook(out)
    assert len(book.sheetnames) == 15 and all(len(n) <= 31 for n in book.sheetnames)
    assert book["督导记录"].max_row - 1 == len(visits.list_visits())
    assert book["规定动作进度"].max_row - 1 == len(plan_progress.progress())
    plan = plan_progress.current_plan()
    assert book["民意调查"].max_row - 1 == sum(len(surveys.ranking(s["id"], plan=plan)) for s in plan.surveys)
    overview = {h.value: v.value for h, v in zip(book["汇总_总体情况"][1], book["汇总_总体情况"][2], strict=True)}
    assert overview["督导次数"] == sum(visits.visit_counts().values())
    assert overview["作出倾向评估的单位数"] == len(assessments.latest_tendencies_by_unit())
    assert overview["整改逾期"] == sum(1 for r in findings.ledger() if r.overdue) == book["汇总_整改逾期事项"].max_row - 1
    groups = {r[0].value: r[2].value for r in book["汇总_各督导组督导情况"].iter_rows(min_row=2)}
    by_group = visits.visit_counts(by="group")
    assert groups == {g.name: by_group.get(g.id, 0) for g in campaigns.list_groups()}
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")


def test_what_all_none_or_some(data_dir):
    assert export_xlsx.check_what(None) == export_xlsx.check_what(" ") == export_xlsx.names()
    assert export_xlsx.check_what([]) == []
    assert export_xlsx.check_what("units, visits,units") == ["units", "visits"]
    with pytest.raises(ValidationError) as refused:
        export_xlsx.check_what(",,")
    assert refused.value.field == "--what" and "可选的内容为" in refused.value.message


def test_the_calibration_sheet_holds_the_calibration(demo_data, tmp_path):
    """Each group and member with its estimate, the share as a percentage, the verdict in words."""
    from supervisor_app import calibration
    from supervisor_app.reports.common import group_order

    out = export_xlsx.export(tmp_path / "cal.xlsx", "calibration")
    sheet = load_workbook(out)["各督导组评定尺度"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    expected = calibration.table_rows(calibration.calibrate(order=group_order))
    assert len(rows) == len(expected) > 6
    for got, want in zip(rows, expected, strict=True):
        assert got[:4] == want[:4] and got[8] == want[8]
        assert got[4] == pytest.approx(want[4]) and got[7] == pytest.approx(want[7])
    assert sheet["H2"].number_format == "0.0%" and sheet.freeze_panes == "A2"
    assert any(r[8] == "明显偏宽" for r in rows)  # the demo's planted lenient groups
