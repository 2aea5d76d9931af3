"""The 活动进度 PDF: one unit, and every unit by group then unit — its numbers checked against
direct counts of the states, read back with pdftotext; fonts embedded, pages numbered; made from
the CLI (`report progress [--unit ID] --out F.pdf`)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import pytest

from supervisor_app import campaigns, display, progress, surveys, units, visits
from supervisor_app.errors import NotFoundError
from supervisor_app.reports import fonts, render
from tests import factories, speech_day

ON = date(2014, 4, 20)
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")


@pytest.fixture(autouse=True)
def shipped_faces_only():
    fonts.configure(use_system=False)
    yield
    fonts.configure(use_system=True)


@pytest.fixture
def office(isolated_data, monkeypatch):
    path = speech_day.initialize(isolated_data, monkeypatch, "office")
    monkeypatch.setattr("supervisor_app.reports.progress.today", lambda: ON)
    monkeypatch.setattr("supervisor_app.clock.today", lambda: ON)
    first, second = campaigns.create_group("市委第一督导组"), campaigns.create_group("市委第二督导组")
    county = units.create_unit("临江县", "县市区", group=first.id)
    team = units.create_team(county, "临江县委领导班子")
    factories.leader(county, team=team, is_top_leader=True, is_county_level=True)
    town = units.create_unit("新港镇", "乡镇", parent=county, group=first.id)
    dept = units.create_unit("市财政局", "市直单位", group=second.id)
    loose = units.create_unit("青山县", "县市区")  # no group yet
    lecture = visits.create_visit(county, "2014-04-09T09:00", ["听取汇报"], notes="县委书记上专题党课。")
    progress.confirm_done(county, "grassroots-party-lecture", "2014-04-09", [{"kind": "visit", "id": lecture.id}], 1)
    progress.confirm_done(county, "top-leader-reading", "2014-03-28", [{"kind": "document", "title": "领学解读提纲"}])
    progress.mark_not_applicable(town, "weak-organisation-rectified", "经查不属于软弱涣散基层党组织。")
    for unit, happy, basic, unhappy in ((county, 80, 15, 5), (dept, 40, 30, 30), (loose, 70, 25, 5)):
        surveys.record_result(unit, "survey-1", 100, happy, basic, unhappy)
    return {"path": path, "county": county, "town": town, "dept": dept, "loose": loose}


def _text(path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s+", "", out.stdout)


def _tables(path) -> list[list[str]]:
    """Every row of every table (cells with their line breaks removed), page after page."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [[re.sub(r"\s+", "", c or "") for c in row] for page in pdf.pages for t in page.extract_tables()
                for row in t]


def _expected_row(n: int, s) -> list[str]:
    """A 规定动作 row as the states say it should read."""
    state = s.state_label
    if s.state == "done":
        state = f"已完成{display.date_text(s.done_on)}" + (f"完成{s.amount}次" if s.amount is not None else "")
    evidence = "—"
    if s.state == "done":
        evidence = "".join(e["text"] for e in s.evidence)
    elif s.state == "not_applicable":
        evidence = f"理由：{s.reason}"
    return [str(n), s.action_name, s.measure, display.date_text(s.due), state, evidence]


def _action_rows(rows: list[list[str]]) -> list[list[str]]:
    return [r for r in rows if len(r) == 6 and r[0] != "序号"]


def _counted(states) -> str:
    n = {k: sum(1 for s in states if s.state == k) for k in ("done", "not_applicable", "due", "overdue")}
    return (f"共有规定动作{len(states)}项：已完成{n['done']}项，不适用{n['not_applicable']}项，"
            f"待完成{n['due']}项，已逾期{n['overdue']}项。")


def test_one_units_progress(office, tmp_path):
    county = office["county"]
    path = render("progress", tmp_path / "one.pdf", record_id=county.id)
    text = _text(path)
    states = progress.progress(county.id, ON)
    assert {s.state for s in states} == {"done", "due", "overdue"}  # every state but one is printed
    assert f"截至2014年4月20日，{_counted(states)}" in text
    assert text.startswith("活动进度（临江县）")
    # the stages with their dates, and where the campaign stands
    assert "学习教育、听取意见2014年2月10日至2014年4月30日" in text
    assert "截至2014年4月20日，活动处于“学习教育、听取意见”环节。" in text
    # each action with its measure, due date, state and evidence in words, as the states say
    rows = _tables(path)
    assert _action_rows(rows) == [_expected_row(n, st) for n, st in enumerate(states, 1)]
    assert ["2", "一把手领学解读", "是否完成", "2014年3月31日", "已完成2014年3月28日", "文件材料：领学解读提纲"] in rows
    assert ["5", "至少上1次党课", "1次", "2014年4月15日", "已完成2014年4月9日完成1次",
            "督导记录：2014年4月9日（听取汇报）"] in rows
    assert ["1", "领导班子集中学习5天左右", "5天（至少4天）", "2014年3月31日", "已逾期", "—"] in rows
    assert [r[:2] for r in rows[:4]] == [["序号", "环节"], ["1", "学习教育、听取意见"], ["2", "查摆问题、开展批评"],
                                         ["3", "整改落实、建章立制"]]
    assert "市委第二督导组" not in text and "市财政局" not in text  # one unit only
    # its place in the survey, not extended
    assert "作风建设民意调查（第一轮）" in text
    assert ["1/3", "临江县", "100", "80", "15", "5", "95.0%", "—"] in rows
    assert "本单位满意率95.0%，排名第1名，不需延长活动时间。" in text
    assert "—1—" in text and "记录编号：单位" in text
    fonts_out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert all(line.split()[-5] == "yes" for line in fonts_out.splitlines()[2:])  # every face embedded


def test_not_applicable_and_extension(office, tmp_path):
    town_pdf = render("progress", tmp_path / "town.pdf", record_id=office["town"].id)
    town_text = _text(town_pdf)
    (weak,) = [r for r in _action_rows(_tables(town_pdf)) if r[1] == "软弱涣散基层党组织完成整顿"]
    assert weak[4:] == ["不适用", "理由：经查不属于软弱涣散基层党组织。"]
    assert "本单位不参加排名" in town_text  # townships are not ranked
    dept = office["dept"]
    dept_pdf = render("progress", tmp_path / "dept.pdf", record_id=dept.id)
    text = _text(dept_pdf)
    (row,) = [r for r in surveys.ranking() if r.unit_id == dept.id]
    assert row.extended and row.extended_until == "2014-11-29"
    assert ["3/3", "市财政局", "100", "40", "30", "30", "70.0%", "延长至2014年11月29日"] in _tables(dept_pdf)
    assert "市财政局满意率70.0%，低于80%，排名靠后（3个单位中第3名），延长活动时间至2014年11月29日。" in text


def test_all_units_by_group_then_unit(office, tmp_path):
    path = render("progress", tmp_path / "all.pdf")
    text = _text(path)
    states = progress.progress(None, ON)
    assert f"截至2014年4月20日，4个单位{_counted(states)}" in text
    first, second, loose = text.index("（一）市委第一督导组"), text.index("（二）市委第二督导组"), text.index("未分配督导组的单位")
    assert first < text.index("1．临江县") < text.index("2．临江县/新港镇") < second < text.index("1．市财政局") < loose
    assert text.index("1．青山县") > loose
    for gid, at in ((office["county"].group_id, first), (office["dept"].group_id, second)):
        group_states = [s for s in states if s.group_id == gid]
        units_in = len({s.unit_id for s in group_states})
        assert text.index(f"{units_in}个单位{_counted(group_states)}", at) > at
    # every unit's rows, by group then unit, as the states say
    by_unit = {}
    for st in states:
        by_unit.setdefault(st.unit_id, []).append(st)
    order = [office[k].id for k in ("county", "town", "dept", "loose")]
    expected = [_expected_row(n, st) for uid in order for n, st in enumerate(by_unit[uid], 1)]
    rows = _tables(path)
    assert _action_rows(rows) == expected
    assert [r[:2] for r in rows if len(r) == 8 and r[0] != "名次"] == [["1/3", "临江县"], ["2/3", "青山县"],
                                                                       ["3/3", "市财政局"]]


def test_a_bad_unit_writes_nothing(office, tmp_path):
    with pytest.raises(NotFoundError):
        render("progress", tmp_path / "x.pdf", record_id="no-such-unit")
    assert not (tmp_path / "x.pdf").exists()


def test_the_cli_makes_it(office, tmp_path, capsys):
    from supervisor_app import cli

    data = str(office["path"])
    assert cli.main(["--data-dir", data, "report", "progress", "--unit", office["county"].id,
                     "--out", str(tmp_path / "one.pdf")]) == 0
    assert "已生成活动进度" in capsys.readouterr().out and _text(tmp_path / "one.pdf").startswith("活动进度（临江县）")
    assert cli.main(["--data-dir", data, "report", "progress", "--out", str(tmp_path / "all.pdf")]) == 0
    assert "活动进度（全部单位）" in _text(tmp_path / "all.pdf")
    assert cli.main(["--data-dir", data, "report", "progress", "--unit", "no-such", "--out",
                     str(tmp_path / "bad.pdf")]) != 0
    assert "找不到" in capsys.readouterr().err and not (tmp_path / "bad.pdf").exists()
