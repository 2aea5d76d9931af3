from datetime import date

import pytest

from supervisor_app import findings, units
from supervisor_app.errors import ValidationError
from supervisor_app.models import ChangeLog
from tests import factories


def _finding(unit, **extra):
    values = {"description": "学习笔记照抄照搬", "category": "有形式主义趋向", "sub_kind": "表面热、实际冷",
              "found_on": "2014-04-08", **extra}
    return findings.create_finding(unit, **values)


def test_finding_rules(data_dir):
    county = factories.county()
    town = units.create_unit("新港镇", "乡镇", parent=county)
    elsewhere = factories.county("青山县")
    secretary = factories.leader(county)
    other_leader = factories.leader(elsewhere, name="李明")
    assert _finding(town, leader=secretary).leader_id == secretary.id  # a leader of a unit above
    cases = [
        ({"category": "吃喝问题"}, "category"),
        ({"sub_kind": "盲目自满"}, "sub_kind"),
        ({"description": ""}, "description"),
        ({"severity": "特别严重"}, "severity"),
        ({"leader": other_leader}, "leader"),
        ({"found_on": "2014/04/08"}, "found_on"),
    ]
    for extra, field in cases:
        before = ChangeLog.select().count()
        with pytest.raises(ValidationError) as info:
            _finding(town, **extra)
        assert info.value.field == field
        assert ChangeLog.select().count() == before


def test_finding_unit_must_match_its_visit(data_dir):
    county = factories.county()
    visit = factories.visit(county)
    found = findings.create_finding(description="征求意见范围窄", category="征求意见不太理想", visit=visit)
    assert found.unit_id == county.id and found.found_on == "2014-04-08"
    with pytest.raises(ValidationError) as info:
        findings.create_finding(factories.county("青山县"), "x", "征求意见不太理想", visit=visit)
    assert info.value.field == "unit"


def test_rectification_lifecycle(data_dir):
    finding = _finding(factories.county())
    with pytest.raises(ValidationError) as info:
        findings.set_rectification(finding, measure="补课学习", responsible="王建国", deadline="2014-04-01")
    assert info.value.field == "deadline"
    rect = findings.set_rectification(finding, measure="补课学习", responsible="王建国", deadline="2014-04-30")
    assert rect.status == "未开始"
    assert findings.is_overdue(rect, date(2014, 5, 1))
    assert not findings.is_overdue(rect, date(2014, 4, 30))
    assert findings.is_due_soon(rect, date(2014, 4, 25))
    assert not findings.is_due_soon(rect, date(2014, 4, 20))
    findings.add_follow_up(rect, "2014-04-15", "已召开专题会议")
    rect = findings.get_rectification(rect.id)
    assert rect.status == "整改中"
    with pytest.raises(ValidationError):
        findings.add_follow_up(rect, "2014-04-01", "早于发现")
    with pytest.raises(ValidationError):
        findings.set_rectification(finding, status="已核实")
    findings.set_rectification(finding, status="已完成", completed_on="2014-04-28")
    verified = findings.verify(rect, "2014-05-02", "张三", "回访核实到位")
    assert verified.status == "已核实"
    assert findings.get_finding(finding.id).closed
    assert not findings.is_overdue(verified, date(2014, 6, 1))
    with pytest.raises(ValidationError):
        findings.set_rectification(finding, status="整改中")
    assert [f.note for f in findings.follow_ups(rect)] == ["已召开专题会议"]


def test_ledger_marks_overdue(data_dir):
    unit = factories.county()
    late = _finding(unit)
    findings.set_rectification(late, measure="整改一", responsible="甲", deadline="2014-04-20")
    soon = _finding(unit, description="征求意见不全面", category="征求意见不太理想", sub_kind="不全面")
    findings.set_rectification(soon, measure="整改二", responsible="乙", deadline="2014-05-05")
    _finding(unit, description="尚未制定整改", category="“两张皮”", sub_kind="")
    rows = findings.ledger(on=date(2014, 5, 1))
    by_desc = {r.finding.description: r for r in rows}
    assert by_desc["学习笔记照抄照搬"].overdue
    assert by_desc["征求意见不全面"].due_soon and not by_desc["征求意见不全面"].overdue
    assert by_desc["尚未制定整改"].status == "未制定整改"
    assert [r.finding.description for r in findings.ledger(overdue_only=True, on=date(2014, 5, 1))] == ["学习笔记照抄照搬"]


def test_a_finding_or_follow_up_in_the_future_is_refused(data_dir):
    from datetime import timedelta

    from supervisor_app.clock import today
    from supervisor_app.models import ChangeLog, Finding, FollowUp

    visit = factories.visit(factories.county())
    tomorrow = (today() + timedelta(days=1)).isoformat()
    before = ChangeLog.select().count()
    with pytest.raises(ValidationError) as info:
        findings.create_finding(visit.unit_id, "学习笔记雷同", "有形式主义趋向", visit=visit, found_on=tomorrow)
    assert info.value.field == "found_on" and "不能晚于今天" in info.value.message
    assert Finding.select().count() == 0 and ChangeLog.select().count() == before
    finding = findings.create_finding(visit.unit_id, "学习笔记雷同", "有形式主义趋向", visit=visit)
    rect = findings.set_rectification(finding, measure="重新组织学习", responsible="王建国", deadline=tomorrow)
    before = ChangeLog.select().count()
    with pytest.raises(ValidationError) as info:
        findings.add_follow_up(rect, tomorrow, "已整改")
    assert info.value.field == "on_date"
    assert FollowUp.select().count() == 0 and ChangeLog.select().count() == before
