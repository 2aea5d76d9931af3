"""专题民主生活会 records: what a valid one is (refused with the field named and nothing written,
on create and on update), and the facts a meeting proposes to the 纪实 of the leaders present
and of the team, through the one proposal mechanism (evaluation_facts.propose)."""

from __future__ import annotations

from datetime import date

import pytest

from supervisor_app import (
    campaigns,
    evaluation_facts,
    evaluations,
    meeting_facts,
    meetings,
    members,
    store,
    units,
)
from supervisor_app.errors import SupervisorError
from supervisor_app.models import ChangeLog, DemocraticMeeting, EvaluationFact, alive

TODAY = date(2014, 6, 10)


@pytest.fixture
def world(isolated_data, monkeypatch):
    """A field installation of 市委第一督导组 (张三, 李四) in June 2014: 临江县 with its team of three
    leaders; 青山县 (another group's) with its own leader."""
    monkeypatch.setattr("supervisor_app.clock.today", lambda: TODAY)
    store.open_data_dir(isolated_data)
    campaigns.initialize("field", "市委第一督导组", "张三")
    group = members.current_group()
    other = campaigns.create_group("市委第二督导组", campaigns.current_campaign())
    county = units.create_unit("临江县", "县市区", group=group.id)
    team = units.create_team(county, "临江县委领导班子")
    w = {
        "group": group, "other_group": other, "county": county, "team": team,
        "secretary": units.create_leader("王建国", "县委书记", county, team=team, is_top_leader=True),
        "mayor": units.create_leader("李明", "县长", county, team=team),
        "deputy": units.create_leader("赵刚", "县委副书记", county, team=team),
        "zhang": members.current_member(), "li": members.add_member(group, "李四"),
        "stranger": members.add_member(other, "王五"),
    }
    other_county = units.create_unit("青山县", "县市区", group=other.id)
    w["other_county"] = other_county
    w["other_team"] = units.create_team(other_county, "青山县委领导班子")
    w["outsider"] = units.create_leader("孙强", "县委书记", other_county, team=w["other_team"])
    return w


def values(w: dict, **changes) -> dict:
    """A complete, valid meeting of 临江县委领导班子 on 2014-06-05."""
    base = {
        "members_present": [w["zhang"], w["li"]],
        "leaders_present": [w["secretary"], w["mayor"], w["deputy"]],
        "materials": [
            {"leader": w["secretary"], "final": True, "drafts": [
                {"on_date": "2014-05-28", "reviewer": "市委常委、联系点领导陈志"},
                {"on_date": "2014-05-20", "reviewer": "督导组组长张三"}]},
            {"leader": w["mayor"], "final": False, "drafts": [{"on_date": "2014-05-25", "reviewer": "王建国"}]},
        ],
        "talks": [
            {"leader": w["secretary"], "with": w["mayor"], "done": True, "count": 2},
            {"leader": w["secretary"], "with": w["deputy"], "done": True, "count": 1},
            {"leader": w["mayor"], "with": w["deputy"], "done": False, "count": 0},
        ],
        "problems": [
            {"wind": "形式主义", "text": "以会议贯彻会议，调研走过场", "leader": None},
            {"wind": "官僚主义", "text": "深入基层少，听取汇报多、深入实际少", "leader": w["secretary"]},
            {"wind": "享乐主义", "text": "公务用车超标准配备", "leader": w["mayor"]},
        ],
        "criticism_rating": "较好",
        "criticism_evidence": "班子成员相互批评指名道姓，书记带头自我批评，未见“表扬式”批评。",
        "comment": "会前准备充分，查摆问题聚焦“四风”；个别同志自我批评避重就轻，须在整改中跟进。",
    }
    base.update(changes)
    return base


def create(w: dict, held_on: str = "2014-06-05", **changes):
    return meetings.create_meeting(w["county"], w["team"], held_on, **values(w, **changes))


def test_a_meeting_is_kept_with_its_parts_and_summarised(world):
    meeting = create(world)
    assert meeting.group_id == world["group"].id and (meeting.plan_id, meeting.plan_version) == ("qzlx-2014-plan", 1)
    assert [d["on_date"] for d in meeting.materials[0]["drafts"]] == ["2014-05-20", "2014-05-28"]  # in date order
    row = meetings.summary(meetings.get_meeting(meeting.id))
    assert (row["unit"], row["team"], row["date"]) == ("临江县", "临江县委领导班子", "2014-06-05")
    assert row["leaders_present"] == ["王建国", "李明", "赵刚"]
    assert row["members_present"] == ["张三", "李四"]
    assert row["problems_by_wind"] == {"形式主义": 1, "官僚主义": 1, "享乐主义": 1, "奢靡之风": 0}
    assert (row["talks_done"], row["talks_count"], row["rating"]) == (2, 3, "较好")
    assert row["materials"][0] == {"leader": "王建国", "final": True, "drafts": [
        {"on_date": "2014-05-20", "reviewer": "督导组组长张三"}, {"on_date": "2014-05-28", "reviewer": "市委常委、联系点领导陈志"}]}
    assert meetings.rating_scale(meeting) == ["好", "较好", "一般", "差"]  # the template's evaluation scale


# (change, the field named, words of the message)
BROKEN = [
    ({"held_on": "2014-01-20"}, "held_on", "活动期间内"),  # before the plan's first stage
    ({"held_on": "2014-06-11"}, "held_on", "不能晚于今天"),
    ({"leaders_present": []}, "leaders_present", "请选择参会的班子成员"),
    ({"leaders_present": ["outsider"]}, "leaders_present", "不是该单位的领导干部"),
    ({"members_present": ["stranger"]}, "members_present", "不是本督导组的成员"),
    ({"problems": [{"wind": "官僚作风", "text": "文山会海", "leader": None}]}, "problems", "四风"),
    ({"problems": [{"wind": "形式主义", "text": "  ", "leader": None}]}, "problems", "请填写第 1 个查摆问题的内容"),
    ({"problems": [{"wind": "形式主义", "text": "长" * 501, "leader": None}]}, "problems", "过长"),
    ({"problems": [{"wind": "奢靡之风", "text": "超标准接待", "leader": "outsider"}]}, "problems", "不是该单位的领导干部"),
    ({"criticism_rating": "优秀"}, "criticism_rating", "好、较好、一般、差"),
    ({"criticism_evidence": " "}, "criticism_evidence", "请填写评价依据"),
    ({"criticism_evidence": "依" * 5001}, "criticism_evidence", "过长"),
    ({"comment": "评" * 5001}, "comment", "过长"),
    ({"materials": [{"leader": "secretary", "final": True, "drafts": []}]}, "materials", "请录入各稿的日期和审核人"),
    ({"materials": [{"leader": "secretary", "final": False, "drafts": [{"on_date": "2014-05-20", "reviewer": ""}]}]},
     "materials", "审核人"),
    ({"materials": [{"leader": "secretary", "final": False, "drafts": [
        {"on_date": "2014-06-08", "reviewer": "张三"}]}]}, "materials", "不能晚于民主生活会召开日期"),
    ({"materials": [{"leader": "mayor", "final": False, "drafts": []}, {"leader": "mayor", "final": False, "drafts": []}]},
     "materials", "重复录入"),
    ({"talks": [{"leader": "mayor", "with": "mayor", "done": True, "count": 1}]}, "talks", "同一人"),
    ({"talks": [{"leader": "mayor", "with": "outsider", "done": True, "count": 1}]}, "talks", "不是该单位的领导干部"),
    ({"talks": [{"leader": "mayor", "with": "deputy", "done": True, "count": 1},
                {"leader": "deputy", "with": "mayor", "done": True, "count": 1}]}, "talks", "重复录入"),
    ({"talks": [{"leader": "mayor", "with": "deputy", "done": False, "count": 3}]}, "talks", "未谈，次数应为 0"),
]


def _resolve(w: dict, change: dict) -> dict:
    """Names of the fixture's records in a change replaced by the records."""
    def one(value):
        if isinstance(value, str) and value in w:
            return w[value]
        if isinstance(value, list):
            return [one(v) for v in value]
        if isinstance(value, dict):
            return {k: one(v) for k, v in value.items()}
        return value
    return {k: one(v) for k, v in change.items()}


@pytest.mark.parametrize("change, field, words", BROKEN)
def test_a_broken_meeting_is_refused_naming_the_field_and_nothing_is_written(world, change, field, words):
    logged = ChangeLog.select().count()
    with pytest.raises(SupervisorError) as info:
        create(world, **_resolve(world, change))
    assert info.value.field == field, info.value
    assert words in info.value.message, info.value.message
    assert DemocraticMeeting.select().count() == 0 and ChangeLog.select().count() == logged


@pytest.mark.parametrize("change, field, words", BROKEN)
def test_the_same_rules_hold_when_a_meeting_is_changed(world, change, field, words):
    meeting = create(world)
    before = dict(DemocraticMeeting.get_by_id(meeting.id).__data__)
    logged = ChangeLog.select().count()
    with pytest.raises(SupervisorError) as info:
        meetings.update_meeting(meeting.id, **_resolve(world, change))
    assert info.value.field == field, info.value
    assert words in info.value.message, info.value.message
    assert DemocraticMeeting.get_by_id(meeting.id).__data__ == before and ChangeLog.select().count() == logged


def test_the_team_must_be_the_units_and_the_unit_the_groups(world):
    with pytest.raises(SupervisorError) as info:
        meetings.create_meeting(world["county"], world["other_team"], "2014-06-05", **values(world))
    assert info.value.field == "team"
    with pytest.raises(SupervisorError) as info:
        meetings.create_meeting(world["other_county"], world["other_team"], "2014-06-05",
                                **values(world, leaders_present=[world["outsider"]], materials=[], talks=[],
                                         problems=[], members_present=[]))
    assert info.value.field == "unit" and "不是本督导组负责的单位" in info.value.message
    assert DemocraticMeeting.select().count() == 0


def test_one_record_per_team_and_day(world):
    create(world)
    with pytest.raises(SupervisorError) as info:
        create(world)
    assert info.value.field == "held_on" and "已有记录" in info.value.message
    assert DemocraticMeeting.select().count() == 1
    create(world, held_on="2014-06-06")  # a second meeting on another day is its own record


def test_a_meeting_may_be_recorded_before_its_parts_and_completed_later(world):
    meeting = meetings.create_meeting(world["county"], world["team"], "2014-06-05",
                                      leaders_present=[world["secretary"]])
    assert meeting.criticism_rating is None and meeting.problems == []
    meetings.update_meeting(meeting, problems=[{"wind": "奢靡之风", "text": "节日期间公款送礼"}],
                            criticism_rating="一般", criticism_evidence="批评多谈工作、少谈思想。")
    assert meetings.problems_by_wind(meetings.get_meeting(meeting.id))["奢靡之风"] == 1


# --- facts for the 纪实 ----------------------------------------------------------------------------


def _draft(w: dict, kind: str, subject):
    extra = {"leader": subject.id} if kind == "leader" else {"team": subject.id}
    return evaluations.create_evaluation(kind, "2014-04-01", "2014-06-30", **extra)


def test_a_meeting_proposes_a_dated_fact_for_each_leader_present_and_for_the_team(world):
    meeting = create(world)
    secretary, mayor = _draft(world, "leader", world["secretary"]), _draft(world, "leader", world["mayor"])
    team = _draft(world, "team", world["team"])
    absent = units.create_leader("钱伟", "县委常委", world["county"], team=world["team"])
    not_there = _draft(world, "leader", absent)

    (fact,) = [p for p in evaluation_facts.propose(secretary) if p.source_kind == "meeting"]
    assert (fact.on_date, fact.source_id) == ("2014-06-05", meeting.id)
    assert fact.text.startswith("2014年6月5日，临江县委领导班子召开专题民主生活会，督导组张三、李四等列席，王建国同志参加。")
    assert "其对照检查材料修改2稿（审核人：督导组组长张三、市委常委、联系点领导陈志），已定稿。" in fact.text
    assert "会前与2名班子成员谈心谈话3次。" in fact.text
    assert "查摆个人问题1个（官僚主义1个）：深入基层少" in fact.text
    assert "督导组评定批评与自我批评质量为“较好”，依据：班子成员相互批评指名道姓" in fact.text
    (fact,) = [p for p in evaluation_facts.propose(mayor) if p.source_kind == "meeting"]
    assert "未定稿" in fact.text and "与赵刚未谈" in fact.text and "享乐主义1个" in fact.text
    (fact,) = [p for p in evaluation_facts.propose(team) if p.source_kind == "meeting"]
    assert "班子成员3人参加" in fact.text and "谈心谈话2对、共3次，另有1对未谈" in fact.text
    assert "查摆问题3个（形式主义1个、官僚主义1个、享乐主义1个），其中班子问题1个" in fact.text
    assert not [p for p in evaluation_facts.propose(not_there) if p.source_kind == "meeting"]


def test_the_meetings_facts_are_added_as_proposals_for_a_person_to_confirm_once(world):
    meeting = create(world)
    secretary = _draft(world, "leader", world["secretary"])
    team = _draft(world, "team", world["team"])
    outside = evaluations.create_evaluation("leader", "2014-04-01", "2014-05-31", leader=world["mayor"].id)

    result = meeting_facts.propose_to_evaluations(meeting)
    assert result.added == 2 and set(result.evaluations) == {secretary.id, team.id}
    assert set(result.without) == {"李明", "赵刚"}  # the mayor's evaluation ends before the meeting
    facts = EvaluationFact.select().where(alive(EvaluationFact) & (EvaluationFact.source_kind == "meeting"))
    assert {(f.evaluation_id, f.state, f.source_id) for f in facts} == {
        (secretary.id, "proposed", meeting.id), (team.id, "proposed", meeting.id)}
    assert not evaluations.facts(outside)
    # a source once proposed is not proposed again; a person confirms it
    assert meeting_facts.propose_to_evaluations(meeting).added == 0
    fact = evaluations.facts(secretary)[0]
    evaluations.update_fact(fact.id, state="accepted")
    assert evaluations.facts(secretary)[0].state == "accepted"


def test_a_meeting_fact_names_its_source_in_the_evaluation_form(world):
    from supervisor_app.reports.evaluation import source_text

    meeting = create(world)
    record = _draft(world, "leader", world["secretary"])
    meeting_facts.propose_to_evaluations(meeting)
    (fact,) = evaluations.facts(record)
    assert source_text(fact) == "专题民主生活会\n2014年6月5日\n督导组列席"
    meetings.delete_meeting(meeting)
    assert source_text(fact) == "专题民主生活会\n（来源记录已删除）"
