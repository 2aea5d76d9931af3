"""督导工作周报: the week's figures against direct queries, the PDF's text, the CLI and its refusals."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from supervisor_app import campaigns, cli, findings, members, progress
from supervisor_app.errors import ValidationError
from supervisor_app.models import Finding, Rectification, Unit, Visit
from supervisor_app.reports import fonts, render, weekly
from supervisor_app.rules.findings import DONE_STATUSES
from tests import factories


@pytest.fixture(scope="module", autouse=True)
def shipped_faces_only():
    fonts.configure(use_system=False)
    yield
    fonts.configure(use_system=True)


def test_a_week_runs_monday_to_sunday():
    assert weekly.week_of("2014-06-23") == (date(2014, 6, 23), date(2014, 6, 29))  # a Monday
    assert weekly.week_of("2014-06-29") == (date(2014, 6, 23), date(2014, 6, 29))  # its Sunday
    assert weekly.week_of(date(2014, 7, 2)) == (date(2014, 6, 30), date(2014, 7, 6))
    for bad in ("2014-02-30", "yesterday", "2014-6-3"):
        with pytest.raises(ValidationError) as refused:
            weekly.week_of(bad)
        assert refused.value.field == "--week"


def _direct(group_id: str, start: date, end: date) -> dict:
    """The week's counts by plain queries over the tables, independent of the services."""
    days = (start.isoformat(), end.isoformat())
    following = ((end + timedelta(days=1)).isoformat(), (end + timedelta(days=7)).isoformat())
    week_visits = (Visit.select().where((Visit.group == group_id) & (Visit.deleted == False)
                                        & (Visit.started_at >= days[0]) & (Visit.started_at < days[1] + "T99")))
    assigned = {u.id for u in Unit.select().where((Unit.group == group_id) & (Unit.deleted == False))}
    visit_group = {v.id: v.group_id for v in Visit.select()}

    def ours(f: Finding) -> bool:
        if f.visit_id and f.visit_id in visit_group:
            return visit_group[f.visit_id] == group_id
        return f.unit_id in assigned

    live = [f for f in Finding.select().where(Finding.deleted == False) if ours(f)]
    rects = {r.finding_id: r for r in Rectification.select().where(Rectification.deleted == False)}
    closed = 0
    due = 0
    for f in live:
        r = rects.get(f.id)
        if r is None:
            continue
        day = r.verified_on if r.status == "已核实" and r.verified_on else r.completed_on
        if r.status in DONE_STATUSES and day and days[0] <= day <= days[1]:
            closed += 1
        if r.status not in DONE_STATUSES and following[0] <= r.deadline <= following[1]:
            due += 1
    return {
        "visits": week_visits.count(),
        "units": len({v.unit_id for v in week_visits}),
        "found": sum(1 for f in live if days[0] <= f.found_on <= days[1]),
        "rectified": closed,
        "due_rectifications": due,
    }


def test_every_groups_every_week_matches_direct_counts(demo_data):
    groups = {g.id: g.name for g in members.list_groups()}
    weeks = Counter()
    for v in Visit.select().where(Visit.deleted == False):
        day = date.fromisoformat(v.started_at[:10])
        weeks[(v.group_id, day - timedelta(days=day.weekday()))] += 1
    # and weeks in which something was rectified but nobody visited
    for r in Rectification.select().where(Rectification.completed_on.is_null(False)):
        day = date.fromisoformat(r.completed_on)
        for group_id in groups:
            weeks[(group_id, day - timedelta(days=day.weekday()))] += 0
    assert len(weeks) > 20
    totals = Counter()
    for group_id, monday in sorted(weeks, key=lambda k: (k[1], str(k[0]))):
        if group_id is None:
            continue
        week = weekly.collect(groups[group_id], monday + timedelta(days=3))
        direct = _direct(group_id, monday, monday + timedelta(days=6))
        got = {"visits": len(week.visits), "units": len({v.unit_id for v in week.visits}), "found": len(week.found),
               "rectified": len(week.rectified), "due_rectifications": len(week.due_rectifications)}
        assert got == direct, (groups[group_id], monday)
        totals.update(got)
    assert totals["visits"] == Visit.select().where(Visit.deleted == False, Visit.group.is_null(False)).count()
    assert totals["found"] > 0 and totals["rectified"] > 0 and totals["due_rectifications"] > 0


def test_due_actions_are_the_groups_owed_ones_of_the_next_week(demo_data):
    group = members.current_group()
    states = progress.progress()
    dues = sorted({s.due for s in states if s.state in ("due", "overdue")})
    assert dues
    sunday = date.fromisoformat(dues[0]) - timedelta(days=1)  # the week before the first due day
    week = weekly.collect(group.name, sunday)
    start, end = week.next_start.isoformat(), week.next_end.isoformat()
    expected = {(s.unit_id, s.action_id) for s in progress.unit_states(
        [u for u in Unit.select().where((Unit.group == group.id) & (Unit.deleted == False))], week.end)
        if s.state == "due" and start <= s.due <= end}
    assert {(s.unit_id, s.action_id) for s in week.due_actions} == expected and expected


def test_the_pdf_says_what_the_week_holds(data_dir, tmp_path):
    county = factories.county()
    town = factories.county("新港镇")
    v1 = factories.visit(county, started_at="2014-06-23T09:00", methods=["个别谈话"])
    v2 = factories.visit(town, started_at="2014-06-27T14:30", methods=["查阅资料", "暗访督查"])
    factories.visit(town, started_at="2014-06-30T09:00")  # the next week
    serious = findings.create_finding(county, "学习笔记照抄照搬", "学习教育还不深不透", visit=v1, severity="严重")
    findings.create_finding(county, "会议记录不全", "学习教育还不深不透", visit=v1)
    findings.set_rectification(serious, measure="补课学习", responsible="王建国", deadline="2014-07-02")
    old = findings.create_finding(town, "台账缺项", "学习教育还不深不透", visit=v2)
    findings.set_rectification(old, measure="补齐台账", responsible="李四", deadline="2014-06-28")
    findings.verify(findings.set_rectification(old, status="已完成", completed_on="2014-06-27"), "2014-06-28", "张三")
    out = render("weekly", tmp_path / "周报.pdf", date_from="2014-06-25")
    text = "".join(page.extract_text() for page in PdfReader(out).pages).replace("\n", "").replace(" ", "")
    group = members.current_group().name
    assert "督导工作周报" in text and "2014年6月23日至2014年6月29日" in text
    assert f"本周{group}到2个单位督导2次，发现问题3个，整改完成1个。" in text
    assert "本周发现问题3个（一般2个，严重1个）" in text
    assert "经督导组核实销号1个" in text and "台账缺项" in text
    assert "下周（2014年6月30日至2014年7月6日）到期的整改1个" in text
    assert "学习笔记照抄照搬" in text and "王建国" in text


@pytest.mark.parametrize(("argv", "message", "field"), [
    (["--group", "市委第九督导组"], "没有名为“市委第九督导组”的督导组。已有的督导组：市委第一督导组", "--group"),
    (["--week", "2014-02-30"], "周报的日期须为 YYYY-MM-DD", "--week"),
    (["--id", "x"], "不用 --id", "--id"),
])
def test_cli_refuses_and_writes_nothing(data_dir, tmp_path, capsys, argv, message, field):
    out = tmp_path / "周报.pdf"
    assert cli.main(["report", "weekly", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and f"字段：{field}" in err
    assert not out.exists() and list(tmp_path.glob("*.pdf")) == []


def test_cli_week_options_belong_to_the_weekly_only(data_dir, tmp_path, capsys):
    assert cli.main(["report", "summary", "--week", "2014-06-23", "--out", str(tmp_path / "a.pdf")]) == 2
    assert "只用于督导工作周报" in capsys.readouterr().err and not (tmp_path / "a.pdf").exists()


def test_cli_writes_another_groups_week_at_the_office(data_dir, tmp_path, capsys):
    other = campaigns.create_group("市委第二督导组")
    unit = factories.county()
    factories.visit(unit, started_at="2014-06-24T09:00", group=other.id)
    out = tmp_path / "第二组.pdf"
    assert cli.main(["report", "weekly", "--group", "市委第二督导组", "--week", "2014-06-29", "--out", str(out)]) == 0
    assert "已生成督导工作周报" in capsys.readouterr().out
    text = "".join(p.extract_text() for p in PdfReader(out).pages).replace("\n", "").replace(" ", "")
    assert "本周市委第二督导组到1个单位督导1次" in text


def test_the_reports_page_previews_this_groups_week(qtbot, demo_data, tmp_path):
    from PySide6.QtCore import QDate

    from ui.main_window import MainWindow
    from ui.pdf_preview import PdfPreviewDialog

    window = MainWindow(demo_data)
    qtbot.addWidget(window)
    window.show()
    try:
        page = window.show_page("reports")
        page.kind.setCurrentIndex(page.kind.findData("weekly"))
        assert "本督导组一周" in page.description.text() and not page.batch_button.isEnabled()
        page.use_period.setChecked(True)
        page.date_from.setDate(QDate(2014, 6, 25))
        page.preview()
        qtbot.waitUntil(lambda: bool(page.findChildren(PdfPreviewDialog)), timeout=60_000)
        dialog = page.findChildren(PdfPreviewDialog)[-1]
        qtbot.addWidget(dialog)
        text = "".join(p.extract_text() for p in PdfReader(dialog.save_as(str(tmp_path / "周报.pdf"))).pages)
        text = text.replace("\n", "").replace(" ", "")
        assert f"（{members.current_group().name}2014年6月23日至2014年6月29日）" in text.replace("\u3000", "")
    finally:
        from ui import tasks

        tasks.wait_for_all()
