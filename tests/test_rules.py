"""The record rules (supervisor_app/rules): every rule refused on create and on update, with the
field it names and nothing written; the cross-record rules from either side; hostile values;
the demo data passing every rule; the database lookup's caches."""

from __future__ import annotations

import math
import time
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervisor_app import (
    assessments,
    campaigns,
    changelog,
    evaluations,
    findings,
    quiz,
    rules,
    units,
    visits,
)
from supervisor_app.errors import ValidationError
from supervisor_app.models import (
    MODEL_BY_RECORD_TYPE,
    SYNCED_MODELS,
    Amendment,
    Attachment,
    ChangeLog,
    EvaluationFact,
    Finding,
    FollowUp,
    Member,
    QuizRecord,
    Rectification,
    Unit,
    Visit,
    database,
)
from tests import factories

SHA = "ab" * 32


# --- helpers ------------------------------------------------------------------------------------------


def _row(record) -> dict | None:
    model = type(record)
    return model.select().where(model.id == record.id).dicts().first()


def _counts() -> dict:
    return {model.RECORD_TYPE: model.select().count() for model in SYNCED_MODELS}


@contextmanager
def refused(field: str, *, match: str | None = None, record=None):
    """The block raises ValidationError naming ``field`` and writes nothing: no record, no
    change of ``record``, no change-log entry."""
    log = ChangeLog.select().count()
    counts = _counts()
    before = _row(record) if record is not None else None
    with pytest.raises(ValidationError) as info:
        yield info
    assert info.value.field == field, info.value.message
    if match is not None:
        assert match in info.value.message
    assert ChangeLog.select().count() == log
    assert _counts() == counts
    if record is not None:
        assert _row(record) == before


def _values(record) -> dict:
    """A record's stored values without id and meta fields (to create a sibling from)."""
    state = changelog.state_of(record)
    for name in ("id", *changelog.META_FIELDS):
        state.pop(name)
    return state


@pytest.fixture
def world(data_dir):
    """One valid record of every type, made through the services."""
    county = factories.county()
    town = units.create_unit("新港镇", "乡镇", parent=county)
    village = units.create_unit("红星村", "村社区", parent=town)
    elsewhere = factories.county("青山县")
    team = units.create_team(county, "临江县委领导班子")
    leader = factories.leader(county, team=team, is_top_leader=True)
    stranger = factories.leader(elsewhere, name="李明", position="县长")
    me = campaigns.current_member()
    visit = factories.visit(town, started_at="2014-04-08T09:30", members_present=[me.id],
                            leaders_present=[leader.id], methods=["查阅资料", "提问答题"])
    assessment = assessments.save_assessment(visit, {"F1": {"rating": "好", "evidence": "笔记完整"}},
                                             {"T1": {"level": "轻微", "evidence": "有自满情绪"}})
    quiz_record = quiz.save_quiz(visit, 10, 30, 180)
    finding = findings.create_finding(description="学习笔记照抄照搬", category="有形式主义趋向",
                                      sub_kind="表面热、实际冷", visit=visit, leader=leader)
    rect = findings.set_rectification(finding, measure="补课学习", responsible="王建国", deadline="2014-04-30")
    follow = findings.add_follow_up(rect, "2014-04-15", "已召开专题会议")
    evaluation = evaluations.create_evaluation("leader", "2014-04-01", "2014-06-30", leader=leader)
    fact = evaluations.add_fact(evaluation, "2014-04-10", "带头讲党课")
    attachment = changelog.create(Attachment, visit=visit, sha256=SHA, filename="照片.jpg", mime_type="image/jpeg",
                                  size=1024)
    amendment = changelog.create(Amendment, evaluation=evaluation, member=me, reason="复核后调整",
                                 changes={"overall_rating": "好"})
    campaign = campaigns.current_campaign()
    template = MODEL_BY_RECORD_TYPE["template"].get()
    return {
        "county": county, "town": town, "village": village, "elsewhere": elsewhere, "team": team,
        "leader": leader, "stranger": stranger, "me": me, "group": campaigns.current_group(),
        "visit": visit, "assessment": assessment, "quiz": quiz_record, "finding": finding,
        "rect": rect, "follow": follow, "evaluation": evaluation, "fact": fact, "attachment": attachment,
        "amendment": amendment, "campaign": campaign, "template": template,
        "unit": county, "member": me,
    }


# --- every rule, on create and on update, at the write helpers --------------------------------------------

# (record in the world, changes breaking one rule, the field named, a piece of the message)
CASES = [
    # template
    ("template", {"template_version": 0}, "template_version", "不能小于 1"),
    ("template", {"content": {"id": "x"}}, "content", "模板字段"),
    ("template", {"content": [1, 2]}, "content", "应为对象"),
    # campaign
    ("campaign", {"name": " "}, "name", "请填写活动名称"),
    ("campaign", {"start_date": "yesterday"}, "start_date", "不是有效日期"),
    ("campaign", {"start_date": "1066-13-45"}, "start_date", "不是有效日期"),
    ("campaign", {"start_date": "2014-05-01", "end_date": "2014-04-01"}, "end_date", "不能早于开始日期"),
    ("campaign", {"template_version": 99}, "template_id", "找不到模板"),
    # group, member
    ("group", {"name": ""}, "name", "请填写督导组名称"),
    ("group", {"name": "组" * 101}, "name", "过长"),
    ("group", {"campaign": "../../etc"}, "campaign", "编号格式不对"),
    ("member", {"name": ""}, "name", "请填写成员姓名"),
    ("member", {"name": "张" * 51}, "name", "过长"),
    ("member", {"is_leader": "yes"}, "is_leader", "应为是或否"),
    ("member", {"phone": "1" * 51}, "phone", "过长"),
    ("member", {"sign_public_key": "not a key"}, "sign_public_key", "签名公钥格式不对"),
    # unit, team, leader
    ("unit", {"name": ""}, "name", "请填写单位名称"),
    ("unit", {"name": "单" * 101}, "name", "过长"),
    ("unit", {"kind": "外星单位"}, "kind", "单位类别必须是以下之一"),
    ("unit", {"sort_order": -1}, "sort_order", "不能小于 0"),
    ("unit", {"sort_order": "3"}, "sort_order", "必须是整数"),
    ("team", {"name": " "}, "name", "请填写领导班子名称"),
    ("team", {"unit": None}, "unit", "请选择单位"),
    ("leader", {"name": ""}, "name", "请填写姓名"),
    ("leader", {"position": " "}, "position", "请填写职务"),
    ("leader", {"name": "王" * 51}, "name", "过长"),
    ("leader", {"is_top_leader": 1}, "is_top_leader", "应为是或否"),
    # visit
    ("visit", {"started_at": "1066-13-45T99:99"}, "started_at", "不是有效时间"),
    ("visit", {"started_at": "yesterday"}, "started_at", "不是有效时间"),
    ("visit", {"started_at": "1999-12-31T09:00"}, "started_at", "年份不合理"),
    ("visit", {"started_at": "2014-04-08"}, "started_at", "不是有效时间"),
    ("visit", {"ended_at": "2014-04-08T08:00"}, "ended_at", "不能早于开始时间"),
    ("visit", {"methods": []}, "methods", "请至少选择一种督导方式"),
    ("visit", {"methods": ["喝茶聊天"]}, "methods", "督导方式必须是以下之一"),
    ("visit", {"methods": ["查阅资料", "查阅资料"]}, "methods", "重复"),
    ("visit", {"members_present": ["bad id!"]}, "members_present", "编号格式不对"),
    ("visit", {"members_present": "张三"}, "members_present", "应为编号列表"),
    ("visit", {"leaders_present": [1]}, "leaders_present", "编号格式不对"),
    ("visit", {"notes": "记" * 50_001}, "notes", "过长"),
    ("visit", {"unit": None}, "unit", "请选择被督导单位"),
    # attachment
    ("attachment", {"sha256": "abc"}, "sha256", "附件哈希格式不正确"),
    ("attachment", {"filename": "../../etc/passwd"}, "filename", "路径"),
    ("attachment", {"mime_type": "jpeg"}, "mime_type", "文件类型格式不对"),
    ("attachment", {"size": -1}, "size", "不能小于 0"),
    ("attachment", {"size": 300 * 1024 * 1024}, "size", "不能大于"),
    # assessment
    ("assessment", {"focus_ratings": {"F1": {"rating": "优秀", "evidence": "x"}}}, "督导重点:F1", "评定必须是"),
    ("assessment", {"focus_ratings": {"F9": {"rating": "好", "evidence": "x"}}}, "督导重点:F9", "模板中没有"),
    ("assessment", {"focus_ratings": {"F1": {"rating": "好", "evidence": " "}}}, "督导重点:F1", "请填写依据"),
    ("assessment", {"tendency_levels": {"T1": {"level": "好", "evidence": "x"}}}, "倾向:T1", "评定必须是"),
    ("assessment", {"tendency_levels": ["T1"]}, "tendency_levels", "格式不对"),
    ("assessment", {"template_version": 99}, "template_id", "找不到模板"),
    # quiz
    ("quiz", {"people_tested": -5}, "people_tested", "不能小于 1"),
    ("quiz", {"people_tested": 0}, "people_tested", "不能小于 1"),
    ("quiz", {"people_tested": 999_999}, "people_tested", "不能大于 100000"),
    ("quiz", {"people_tested": 1.5}, "people_tested", "必须是整数"),
    ("quiz", {"people_tested": True}, "people_tested", "必须是整数"),
    ("quiz", {"questions": 1_001}, "questions", "不能大于 1000"),
    ("quiz", {"correct_answers": 999_999}, "correct_answers", "不能超过参测人数 × 题目数"),
    ("quiz", {"correct_answers": -1}, "correct_answers", "不能小于 0"),
    # finding
    ("finding", {"category": "吃喝问题"}, "category", "请选择问题类别"),
    ("finding", {"sub_kind": "盲目自满"}, "sub_kind", "这一具体表现"),
    ("finding", {"description": ""}, "description", "请填写问题描述"),
    ("finding", {"severity": "特别严重"}, "severity", "严重程度必须是以下之一"),
    ("finding", {"found_on": "2014/04/08"}, "found_on", "不是有效日期"),
    ("finding", {"found_on": "2014-02-30"}, "found_on", "不是有效日期"),
    ("finding", {"closed": "no"}, "closed", "应为是或否"),
    # rectification
    ("rect", {"measure": ""}, "measure", "请填写整改措施"),
    ("rect", {"responsible": "王" * 101}, "responsible", "过长"),
    ("rect", {"deadline": "2014-04-01"}, "deadline", "不能早于问题发现日期"),
    ("rect", {"status": "搞定"}, "status", "整改状态必须是以下之一"),
    ("rect", {"completed_on": "2014-04-20"}, "completed_on", "不能有完成日期"),
    ("rect", {"status": "已完成"}, "completed_on", "请填写完成日期"),
    ("rect", {"status": "已完成", "completed_on": "2014-04-01"}, "completed_on", "不能早于问题发现日期"),
    ("rect", {"status": "已核实", "completed_on": "2014-04-20", "verified_on": "2014-04-22"}, "verified_by",
     "请填写核实人"),
    ("rect", {"status": "已核实", "completed_on": "2014-04-20", "verified_on": "2014-04-19", "verified_by": "张三"},
     "verified_on", "不能早于完成日期"),
    ("rect", {"verified_on": "2014-04-22"}, "verified_on", "不能有核实日期"),
    # follow-up
    ("follow", {"on_date": "2014-04-01"}, "on_date", "不能早于问题发现日期"),
    ("follow", {"note": " "}, "note", "请填写跟进情况"),
    # evaluation
    ("evaluation", {"subject_kind": "cadre"}, "subject_kind", "评价对象类别必须是以下之一"),
    ("evaluation", {"period_end": "2014-03-01"}, "period_end", "不能早于起始日期"),
    ("evaluation", {"item_ratings": {"L1": {"rating": "优秀", "comment": ""}}}, "item:L1", "的评价必须是"),
    ("evaluation", {"item_ratings": {"M1": {"rating": "好", "comment": ""}}}, "item:M1", "不在模板中"),
    ("evaluation", {"overall_rating": "很好"}, "overall_rating", "总体评价必须是以下之一"),
    ("evaluation", {"leader": None}, "leader", "请选择领导干部"),
    ("evaluation", {"team": "team-id"}, "team", "不能同时指定领导班子"),
    ("evaluation", {"narrative": "评" * 20_001}, "narrative", "过长"),
    ("evaluation", {"signed_at": "2014-07-01T00:00:00+00:00"}, "signed_at", "签署信息不完整"),
    # fact
    ("fact", {"on_date": "2015-01-01"}, "on_date", "应在评价期间内"),
    ("fact", {"state": "maybe"}, "state", "状态必须是以下之一"),
    ("fact", {"source_kind": "rumour"}, "source_kind", "来源必须是以下之一"),
    ("fact", {"text": ""}, "text", "请填写纪实内容"),
    # amendment
    ("amendment", {"reason": ""}, "reason", "请填写更正原因"),
    ("amendment", {"changes": {}}, "changes", "请写明更正的内容"),
    ("amendment", {"changes": {"signed_by": "x"}}, "changes", "不能更正"),
    ("amendment", {"changes": {"overall_rating": "极好"}}, "changes", "更正后的评价必须是"),
]


def _case_id(case) -> str:
    return f"{case[0]}-{case[2]}-{case[3]}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_every_rule_refuses_an_update(world, case):
    key, changes, field, message = case
    record = world[key]
    before = changelog.state_of(record)
    with refused(field, match=message, record=record):
        changelog.update(record, **changes)
    assert changelog.state_of(record) == before  # the instance in memory is unchanged too


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_every_rule_refuses_a_create(world, case):
    key, changes, field, message = case
    record = world[key]
    values = {**_values(record), **changes}
    with refused(field, match=message):
        changelog.create(type(record), **values)


def test_the_world_itself_is_valid(world):
    lookup = rules.DbLookup()
    for record in world.values():
        state = changelog.state_of(record)
        rules.check_record(record.RECORD_TYPE, state, lookup=lookup)
        rules.check_record(record.RECORD_TYPE, state, old=state, lookup=lookup)


# --- rules over sets of records ------------------------------------------------------------------------


def test_unique_names_and_one_leader(world):
    county, town, team = world["county"], world["town"], world["team"]
    with refused("name", match="同一上级下已有名为"):
        units.create_unit("新港镇", "乡镇", parent=county)
    other = units.create_unit("荷塘乡", "乡镇", parent=county)
    with refused("name", match="同一上级下已有名为", record=other):
        units.update_unit(other, name="新港镇")
    with refused("name", match="已有领导班子"):
        units.create_team(county, "临江县委领导班子")
    second = units.create_team(county, "临江县人大领导班子")
    with refused("name", match="已有领导班子", record=second):
        units.update_team(second, "临江县委领导班子")
    with refused("is_top_leader", match="只能有一名一把手"):
        units.create_leader("赵六", "县长", county, is_top_leader=True)
    deputy = units.create_leader("赵六", "县长", county, team=team)
    with refused("is_top_leader", match="只能有一名一把手", record=deputy):
        units.update_leader(deputy, is_top_leader=True)
    group = world["group"]
    with refused("name", match="已存在"):
        campaigns.create_group(group.name)
    with refused("is_leader", match="只能有一名组长"):
        campaigns.add_member(group, "李四", is_leader=True)
    member = campaigns.add_member(group, "李四")
    with refused("is_leader", match="只能有一名组长", record=member):
        changelog.update(member, is_leader=True)
    with refused("name", match="中已有成员", record=member):
        changelog.update(member, name="张三")
    assert town.name == "新港镇"


# --- the relations between records, from either side ---------------------------------------------------


def test_unit_parent_loop_refused(world):
    county, town, village = world["county"], world["town"], world["village"]
    with refused("parent", match="不能把单位放到它自己或其下级单位之下", record=county):
        units.update_unit(county, parent=village)
    with refused("parent", record=town):
        changelog.update(town, parent=town.id)


def test_leader_team_of_another_unit_refused(world):
    with refused("team", match="不属于"):
        units.create_leader("钱七", "副县长", world["elsewhere"], team=world["team"])
    stranger = world["stranger"]
    with refused("team", match="不属于", record=stranger):
        units.update_leader(stranger, team=world["team"])


def test_finding_leader_must_be_of_the_unit_line(world):
    # on create (the leader of another county), on update of the leader and on update of the unit
    with refused("leader", match="不是“新港镇”或其上下级单位的干部"):
        findings.create_finding(world["town"], "征求意见不全面", "征求意见不太理想", leader=world["stranger"])
    finding = world["finding"]
    with refused("leader", match="上下级单位的干部", record=finding):
        findings.update_finding(finding, leader=world["stranger"])
    loose = findings.create_finding(world["town"], "学习不深", "学习教育还不深不透", leader=world["leader"])
    with refused("leader", match="上下级单位的干部", record=loose):
        findings.update_finding(loose, unit=world["elsewhere"])
    # a leader of a unit above or below is fine
    above = findings.create_finding(world["village"], "督导浮在面上", "指导督促工作有待加强", leader=world["leader"])
    town_leader = factories.leader(world["town"], name="周八", position="镇党委书记")
    below = findings.create_finding(world["county"], "督导浮在面上", "指导督促工作有待加强")
    assert findings.update_finding(below, leader=town_leader).leader_id == town_leader.id
    assert above.leader_id == world["leader"].id


def test_finding_unit_must_be_its_visits(world):
    with refused("unit", match="必须与督导记录的单位一致"):
        findings.create_finding(world["elsewhere"], "x", "征求意见不太理想", visit=world["visit"])
    finding = world["finding"]
    with refused("unit", match="必须与督导记录的单位一致", record=finding):
        findings.update_finding(finding, unit=world["county"])
    with refused("unit", match="单位必须与督导记录的单位一致", record=world["quiz"]):
        changelog.update(world["quiz"], unit=world["county"].id)


def test_hole_finding_date_moved_past_its_rectification(world):
    """Update hole 1: a finding's date moved after its rectification's deadline (and follow-up)."""
    finding = world["finding"]
    with refused("found_on", match="不能晚于整改时限（2014-04-30）", record=finding):
        findings.update_finding(finding, found_on="2014-05-10")
    with refused("found_on", match="不能晚于整改跟进日期（2014-04-15）", record=finding):
        findings.update_finding(finding, found_on="2014-04-20")
    assert findings.update_finding(finding, found_on="2014-04-09").found_on == "2014-04-09"


def test_hole_finding_date_moved_past_completion(world):
    finding, rect = world["finding"], world["rect"]
    findings.set_rectification(finding, status="已完成", completed_on="2014-04-12", deadline="2014-05-30")
    with refused("found_on", match="不能晚于整改完成日期（2014-04-12）", record=finding):
        findings.update_finding(finding, found_on="2014-04-13")
    assert findings.get_rectification(rect.id).status == "已完成"


def test_rectification_side_checks_its_finding(world):
    finding, rect = world["finding"], world["rect"]
    with refused("deadline", match="整改时限不能早于问题发现日期（2014-04-08）", record=rect):
        findings.set_rectification(finding, deadline="2014-04-01")
    with refused("on_date", match="跟进日期不能早于问题发现日期"):
        findings.add_follow_up(rect, "2014-04-01", "早于发现")
    with refused("verified_on", match="核实日期不能早于问题发现日期", record=rect):
        findings.verify(rect, "2014-04-01", "张三")
    with refused("verified_by", match="请填写核实人", record=rect):
        findings.verify(rect, "2014-05-02", " ")
    with refused("status", match="核实请使用"):
        findings.set_rectification(finding, status="已核实")
    with refused("status", match="整改状态必须是以下之一", record=rect):
        findings.set_rectification(finding, status="搞定")
    findings.set_rectification(finding, status="已完成", completed_on="2014-04-28")
    with refused("verified_on", match="不能早于完成日期", record=rect):
        findings.verify(rect, "2014-04-20", "张三")
    verified = findings.verify(rect, "2014-05-02", "张三", "回访核实到位")
    assert verified.status == "已核实" and findings.get_finding(finding.id).closed
    with refused("status", match="不能再改回未完成", record=verified):
        findings.set_rectification(finding, status="整改中")
    with refused("status", match="不能再改回未完成", record=verified):
        findings.set_rectification(finding, status="已完成")


def test_hole_fact_moved_outside_its_period(world):
    """Update hole 2: a fact moved outside its evaluation's period."""
    fact = world["fact"]
    with refused("on_date", match="纪实日期应在评价期间内（2014-04-01 至 2014-06-30）", record=fact):
        evaluations.update_fact(fact.id, on_date="2014-07-01")
    with refused("on_date", match="应在评价期间内"):
        evaluations.add_fact(world["evaluation"], "2014-03-31", "期间外")
    assert evaluations.update_fact(fact.id, on_date="2014-06-30").on_date == "2014-06-30"


def test_hole_period_shrunk_leaving_facts_outside(world):
    """Update hole 3: an evaluation's period shrunk so that a fact falls outside it."""
    evaluation = world["evaluation"]
    with refused("period_start", match="2014-04-10 的纪实“带头讲党课”在期间之外", record=evaluation):
        evaluations.update_evaluation(evaluation, period_start="2014-04-11")
    with refused("period_end", match="在期间之外", record=evaluation):
        evaluations.update_evaluation(evaluation, period_end="2014-04-09")
    with refused("period_end", match="不能早于起始日期", record=evaluation):
        evaluations.update_evaluation(evaluation, period_end="2014-03-01")
    evaluations.update_fact(world["fact"].id, state="rejected")  # a rejected fact is still a fact of the record
    with refused("period_start", record=evaluation):
        evaluations.update_evaluation(evaluation, period_start="2014-05-01")
    changed = evaluations.update_evaluation(evaluation, period_start="2014-04-10", period_end="2014-04-10")
    assert (changed.period_start, changed.period_end) == ("2014-04-10", "2014-04-10")


def test_evaluation_subject_and_unit(world):
    with refused("subject_kind", match="评价对象类别必须是以下之一"):
        evaluations.create_evaluation("cadre", "2014-04-01", "2014-06-30", leader=world["leader"])
    evaluation = world["evaluation"]
    with refused("unit", match="评价对象所在的单位", record=evaluation):
        changelog.update(evaluation, unit=world["elsewhere"].id)
    with refused("item:L1", match="的评价必须是", record=evaluation):
        evaluations.update_evaluation(evaluation, item_ratings={"L1": {"rating": "优秀"}})
    with refused("item:M1", match="不在模板中", record=evaluation):
        evaluations.update_evaluation(evaluation, item_ratings={"M1": {"rating": "好"}})
    with refused("overall_rating", record=evaluation):
        evaluations.update_evaluation(evaluation, overall_rating="很好")
    team_record = evaluations.create_evaluation("team", "2014-04-01", "2014-06-30", team=world["team"])
    with refused("item:L1", match="不在模板中", record=team_record):
        evaluations.update_evaluation(team_record, item_ratings={"L1": {"rating": "好"}})


def test_visit_moved_to_another_unit_takes_its_records_along(world):
    visit, finding = world["visit"], world["finding"]
    county = world["county"]
    moved = visits.update_visit(visit, unit=county)  # the finding's leader is of the county: still fine
    assert moved.unit_id == county.id
    for record in (finding, world["assessment"], world["quiz"]):
        assert _row(record)["unit"] == county.id
    # to a unit where the finding's leader does not belong: refused as a whole
    with refused("unit", match="督导记录改到“青山县”后", record=moved):
        visits.update_visit(moved, unit=world["elsewhere"])
    assert _row(finding)["unit"] == county.id
    # the rule from the visit's side: a visit cannot leave its records behind
    with refused("unit", match="仍属于原单位", record=moved):
        changelog.update(moved, unit=world["town"].id)


def test_service_messages_name_the_field(world):
    """The services' own paths still name the field for the window."""
    visit = world["visit"]
    with refused("correct_answers", match="答对题数（301）不能超过参测人数 × 题目数（300）", record=world["quiz"]):
        quiz.save_quiz(visit, 10, 30, 301)
    with refused("people_tested", match="必须是整数", record=world["quiz"]):
        quiz.save_quiz(visit, "十", 30, 0)
    with refused("督导重点:F1", match="已评定，请填写依据", record=world["assessment"]):
        assessments.save_assessment(visit, {"F1": {"rating": "好", "evidence": ""}}, {})
    with refused("ended_at", match="结束时间不能早于开始时间", record=visit):
        visits.update_visit(visit, ended_at="2014-04-08 08:00")
    with refused("started_at", match="督导时间的年份不合理：1999", record=visit):
        visits.update_visit(visit, started_at="1999-04-08 09:30")
    with refused("methods", match="督导方式必须是以下之一", record=visit):
        visits.update_visit(visit, methods=["喝茶聊天"])
    with refused("sort_order", match="不能小于 0", record=world["county"]):
        units.update_unit(world["county"], sort_order=-1)
    with refused("end_date", match="结束日期不能早于开始日期"):
        campaigns.create_campaign("新活动", "2014-05-01", campaigns.active_template(), end_date="2014-04-01")


def test_tombstones_are_held_to_types_only(world):
    finding = world["finding"]
    state = {**changelog.state_of(finding), "deleted": True, "category": "吃喝问题", "found_on": "yesterday"}
    rules.check_record("finding", state)  # what a tombstone says no longer matters …
    with pytest.raises(ValidationError) as info:
        rules.check_record("finding", {**state, "found_on": ["yesterday"]})  # … but it must still fit its column
    assert info.value.field == "found_on"
    with pytest.raises(ValidationError) as info:
        rules.check_record("finding", {**state, "description": None})
    assert info.value.field == "description"
    visit = visits.create_visit(world["village"], "2014-04-09 10:00", ["随机抽查"])
    assert visits.delete_visit(visit).deleted


def test_bulk_create_checks_every_record_with_the_batch_in_view(world):
    visit = Visit(unit=world["county"].id, started_at="2014-04-10T09:00", methods=["随机抽查"])
    visit.id = "bulk-visit-1"
    good = Finding(id="bulk-finding-1", unit=world["county"].id, visit=visit.id, found_on="2014-04-10",
                   category="有形式主义趋向", description="调研报告质量不高", severity="一般")
    bad = Rectification(id="bulk-rect-1", finding=good.id, measure="整改", responsible="甲", deadline="2014-04-01")
    counts, log = _counts(), ChangeLog.select().count()
    with database.atomic(), pytest.raises(ValidationError) as info:
        changelog.bulk_create([visit, good, bad])
    assert info.value.field == "deadline"  # found through the finding in the same batch
    assert _counts() == counts and ChangeLog.select().count() == log
    wrong_unit = Finding(id="bulk-finding-2", unit=world["elsewhere"].id, visit=visit.id, found_on="2014-04-10",
                         category="有形式主义趋向", description="x", severity="一般")
    with database.atomic(), pytest.raises(ValidationError) as info:
        changelog.bulk_create([Visit(**{**visit.__data__}), wrong_unit])
    assert info.value.field == "unit"
    with database.atomic():
        changelog.bulk_create([visit, good, Rectification(id="bulk-rect-2", finding=good.id, measure="整改",
                                                          responsible="甲", deadline="2014-04-30")])
    assert Rectification.get_by_id("bulk-rect-2").deadline == "2014-04-30"


# --- hostile values ------------------------------------------------------------------------------------------

_json_scalars = (
    st.none() | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80) | st.sampled_from([10**400, -(10**400), 2**63])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30) | st.sampled_from(["\ud800", "a\udfffb", "", " ", "2014-04-08", "2014-04-08T09:30",
                                               "1066-13-45T99:99", "yesterday", "好", "已核实", "leader"])
)
_json = st.recursive(_json_scalars, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=5) | st.sampled_from(["F1", "T1", "L1", "rating", "level",
                                                                                 "evidence", "comment"]), inner,
                                       max_size=4), max_leaves=12)


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_hostile_values_are_refused_with_a_validation_error(world, data):
    record = data.draw(st.sampled_from(sorted(world, key=str)), label="record")
    record = world[record]
    state = changelog.state_of(record)
    names = sorted(state)
    for name in data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True), label="fields"):
        state[name] = data.draw(_json, label=name)
    old = data.draw(st.sampled_from([None, changelog.state_of(record)]), label="old")
    try:
        rules.check_record(record.RECORD_TYPE, state, old=old)
        rules.check_unique(record.RECORD_TYPE, state, old=old)
    except ValidationError as exc:
        assert exc.message and (exc.field is None or isinstance(exc.field, str))


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record_type=st.sampled_from(sorted(rules.RECORD_RULES)) | _json, state=_json)
def test_hostile_records_are_refused_with_a_validation_error(data_dir, record_type, state):
    with pytest.raises(ValidationError):
        rules.check_record(record_type, state)


@pytest.mark.parametrize("value", [math.nan, math.inf, 10**400, ["2014-04-08"], {"a": 1}, True, 20140408, "\ud800"])
def test_hostile_dates_and_numbers(world, value):
    for key, name in (("finding", "found_on"), ("quiz", "people_tested"), ("visit", "started_at"),
                      ("fact", "on_date"), ("visit", "notes"), ("unit", "parent"), ("visit", "methods"),
                      ("assessment", "focus_ratings"), ("evaluation", "item_ratings"), ("amendment", "changes")):
        state = {**changelog.state_of(world[key]), name: value}
        with pytest.raises(ValidationError) as info:
            rules.check_record(world[key].RECORD_TYPE, state)
        assert info.value.field == name or info.value.field.startswith(("督导重点", "item:")), (key, name, value)


def test_nan_inside_a_json_field_is_refused(world):
    assessment = world["assessment"]
    with refused("督导重点:F1", match="以外的内容", record=assessment):
        changelog.update(assessment, focus_ratings={"F1": {"rating": "好", "evidence": "x", "score": math.nan}})
    template = world["template"]
    with refused("content", match="无效数值", record=template):
        changelog.update(template, content={**template.content, "weight": math.nan})


# --- the demo data passes every rule -------------------------------------------------------------------------


def test_every_record_of_the_demo_passes_the_rules(demo_data):
    lookup = rules.DbLookup()
    checked = 0
    for model in SYNCED_MODELS:
        for state in model.select().dicts().iterator():
            rules.check_record(model.RECORD_TYPE, state, lookup=lookup)
            rules.check_record(model.RECORD_TYPE, state, old=state, lookup=lookup)
            rules.check_unique(model.RECORD_TYPE, state, lookup=lookup)
            checked += 1
    assert checked > 500


# --- the lookup ------------------------------------------------------------------------------------------------


def test_lookup_reads_each_related_record_once(demo_data):
    """Checking many records with one lookup costs no query per record that a cache answers."""
    statements = []
    connection = database.connection()
    lookup = rules.DbLookup()
    rows = {m: list(m.select().dicts()) for m in (Visit, QuizRecord, Finding, Rectification, FollowUp, Member)}
    connection.set_trace_callback(statements.append)
    try:
        for record_type in ("visit", "quiz", "member"):
            model = MODEL_BY_RECORD_TYPE[record_type]
            for state in rows[model]:
                rules.check_record(record_type, state, lookup=lookup)
    finally:
        connection.set_trace_callback(None)
    assert len(rows[Visit]) >= 100
    # the template and current campaign once, each visit's quiz's visit once: nothing per visit
    assert len(statements) <= len(rows[QuizRecord]) + 5, len(statements)


def test_lookup_assumed_states_win(world):
    lookup = rules.DbLookup()
    finding = changelog.state_of(world["finding"])
    assert lookup.get("finding", finding["id"])["found_on"] == "2014-04-08"
    lookup.assume("finding", {**finding, "found_on": "2014-04-09"})
    assert lookup.get("finding", finding["id"])["found_on"] == "2014-04-09"
    rect = changelog.state_of(world["rect"])
    assert [r["id"] for r in lookup.children("rectification", "finding", finding["id"])] == [rect["id"]]
    lookup.assume("rectification", {**rect, "deleted": True})
    assert lookup.children("rectification", "finding", finding["id"]) == []
    assert lookup.get("rectification", rect["id"]) is None
    new_rect = {**rect, "id": "assumed-rect", "deleted": False}
    lookup.assume("rectification", new_rect)
    assert [r["id"] for r in lookup.children("rectification", "finding", finding["id"])] == ["assumed-rect"]
    assert lookup.current_template().id == campaigns.active_template().id
    assert lookup.template("qzlx-2014", 99) is None
    assert lookup.get("finding", ["not", "an", "id"]) is None
    top = lookup.children("unit", "parent", None)
    assert {u["name"] for u in top} == {"临江县", "青山县"}
    assert rules.unit_line(world["village"].id, lookup) == [world["village"].id, world["town"].id, world["county"].id]
    assert rules.related_units(world["county"].id, world["village"].id, lookup)
    assert not rules.related_units(world["elsewhere"].id, world["village"].id, lookup)


@pytest.mark.slow
def test_checking_every_record_of_a_large_set_is_quick(demo_data):
    """Per-record cost (processor time, not disturbed by other processes): every record of the
    small demo checked 20 times over (about 14 000 checks), related records from the cache."""
    states = [(m.RECORD_TYPE, s) for m in SYNCED_MODELS for s in m.select().dicts()]
    lookup = rules.DbLookup()
    started = time.process_time()
    for _ in range(20):
        for record_type, state in states:
            rules.check_record(record_type, state, lookup=lookup)
    per_record = (time.process_time() - started) / (20 * len(states))
    assert per_record < 100e-6, per_record


def test_unknown_record_type(data_dir):
    with pytest.raises(ValidationError) as info:
        rules.check_record("spaceship", {"id": "x"})
    assert info.value.field == "record_type"


def test_member_with_a_real_public_key_passes(world):
    import base64

    me = Member.get_by_id(world["me"].id)
    key = base64.b64encode(bytes(32)).decode("ascii")
    assert changelog.update(me, sign_public_key=key).sign_public_key == key
    assert Unit.get_by_id(world["county"].id).name == "临江县"
    assert EvaluationFact.get_by_id(world["fact"].id).state == "accepted"


# --- the two halves of a new record's rules (a large import checks one in its second process) -----------------


def _verdict(check) -> ValidationError | None:
    try:
        check()
    except ValidationError as exc:
        return exc
    return None


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_new_records_two_halves_pass_together_exactly_when_its_rules_pass(world, data):
    """rules.check_alone (the record and the templates only: a TemplateLookup, which holds
    nothing else) and check_record(alone_checked=True) accept a new record exactly when
    check_record does, whatever its values; and no check marked ALONE asks for a record."""
    from supervisor_app.rules.lookup import template_snapshot

    record = world[data.draw(st.sampled_from(sorted(world, key=str)), label="record")]
    record_type = record.RECORD_TYPE
    state = changelog.state_of(record)
    for name in data.draw(st.lists(st.sampled_from(sorted(state)), max_size=3, unique=True), label="fields"):
        state[name] = data.draw(_json, label=name)
    whole = _verdict(lambda: rules.check_record(record_type, dict(state)))
    alone = _verdict(lambda: rules.check_alone(record_type, dict(state), rules.TemplateLookup(template_snapshot())))
    if alone is not None:
        assert whole is not None, (record_type, alone.field, alone.message)
        return
    rest = _verdict(lambda: rules.check_record(record_type, dict(state), alone_checked=True))
    assert (rest is None) == (whole is None), (record_type, whole, rest)


@pytest.mark.parametrize("key", ["visit", "assessment", "quiz"])
def test_a_large_imports_records_are_checked_ahead_but_for_what_reads_other_records(world, key, monkeypatch):
    """The records a large import carries by the hundred thousand pass check_alone as they are
    (no check of theirs marked ALONE asks for a record); on an alone-checked record only their
    checks that read other records (the visit's unit of an assessment or a quiz) run here."""
    from supervisor_app.rules import checks
    from supervisor_app.rules.lookup import template_snapshot

    record = world[key]
    state = changelog.state_of(record)
    rules.check_alone(record.RECORD_TYPE, dict(state), rules.TemplateLookup(template_snapshot()))
    rule = rules.RECORD_RULES[record.RECORD_TYPE]
    alone, related = checks.halves(rule)
    assert alone and related
    ran = []
    def counted(check):
        def run(*args):
            ran.append(check)
            check(*args)
        return run

    monkeypatch.setattr(rule, "related", tuple(counted(check) for check in related))
    rules.check_record(record.RECORD_TYPE, dict(state), alone_checked=True)
    assert ran == list(related)


def test_the_template_lookup_holds_the_templates_and_nothing_else(world):
    from supervisor_app.rules.lookup import template_snapshot

    lookup = rules.TemplateLookup(template_snapshot())
    template = world["template"]
    assert lookup.template(template.template_id, template.template_version).content == template.content
    assert lookup.current_template().content == rules.DbLookup().current_template().content
    assert lookup.template(template.template_id, template.template_version + 1) is None
    for read in (lambda: lookup.get("visit", world["visit"].id), lambda: lookup.stored("unit", world["unit"].id),
                 lambda: lookup.children("finding", "visit", world["visit"].id), lambda: lookup.derived(("plan",), list)):
        with pytest.raises(rules.NeedsRecords):
            read()
