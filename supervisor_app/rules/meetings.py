"""Rules of a 专题民主生活会 record (meetings.py): the one place that says what a valid one is.

Checked on create, on update and on every bundle entry (rules.check_record), so a meeting
moved out of the campaign, a leader of another unit slipped into it, a 四风 label that is not
one of the four, or a rating without its evidence is refused whichever path it comes by.

- held inside the campaign's calendar (the first stage's start to the last stage's end of the
  plan version it names) and not after today;
- the team is of the meeting's unit; the unit, when assigned, is the meeting group's;
- the group members present are of the meeting's group; the leaders named anywhere (present,
  对照检查材料, 谈心谈话, 查摆问题) are of the meeting's unit;
- 对照检查材料: one per leader, each draft dated (inside the campaign, not after the meeting) with
  its 审核人, in date order; a final one has at least one draft;
- 谈心谈话: two different leaders, each pair once; done with a count of at least 1, not done
  with none;
- 查摆问题: each labelled with one of the 四风, with its text, of the team (no leader) or of one
  leader;
- the quality of 批评与自我批评 on the template's evaluation scale, with evidence when rated.
"""

from __future__ import annotations

from .. import clock
from ..models import FOUR_WINDS
from . import fields as f
from .campaigns import template_of
from .fields import changed, fail
from .lookup import Lookup
from .plan import plan_of
from .visits import not_after_today

LABELS = {
    "meeting": {"unit": "单位", "team": "领导班子", "group": "督导组", "held_on": "召开日期",
                "plan_id": "安排编号", "plan_version": "安排版本",
                "template_id": "模板编号", "template_version": "模板版本", "members_present": "列席的督导组成员",
                "leaders_present": "参会的班子成员", "materials": "对照检查材料", "talks": "谈心谈话",
                "problems": "查摆问题", "criticism_rating": "批评与自我批评质量",
                "criticism_evidence": "评价依据", "comment": "督导组点评"},
}

MAX_MATERIALS = 100
MAX_DRAFTS = 20
MAX_TALKS = 500
MAX_TALK_COUNT = 100
MAX_PROBLEMS = 200
PROBLEM_LENGTH = 500
REVIEWER_LENGTH = 100
EVIDENCE_LENGTH = 5_000
COMMENT_LENGTH = 5_000

_MATERIAL_KEYS = {"leader", "drafts", "final"}
_DRAFT_KEYS = {"on_date", "reviewer"}
_TALK_KEYS = {"leader", "with", "done", "count"}
_PROBLEM_KEYS = {"wind", "text", "leader"}


def meeting(state: dict, old: dict | None, lookup: Lookup) -> None:
    unit_id = f.ident(state, "unit", "单位", missing="请选择单位。")
    team_id = f.ident(state, "team", "领导班子", missing="请选择召开民主生活会的领导班子。")
    group_id = f.ident(state, "group", "督导组", required=False)
    held_on = f.day(state, "held_on", "召开日期")
    plan_id = f.text(state, "plan_id", "安排编号", max_length=100)
    version = f.integer(state, "plan_version", "安排版本", minimum=1, maximum=1_000_000)
    first_day = None
    if changed(state, old, "held_on", "plan_id", "plan_version", "materials"):
        plan = plan_of(plan_id, version, lookup)
        if plan is None:
            raise fail(f"找不到活动安排 {f.shown(plan_id)} 第 {version} 版。", "plan_version")
        first_day = plan.stages[0]["start"]
        if changed(state, old, "held_on", "plan_id", "plan_version"):
            _inside_campaign(held_on, first_day, plan.stages[-1]["end"])
            not_after_today(held_on, "held_on", "召开日期")
    if changed(state, old, "unit", "team", "group"):
        _team_and_unit(unit_id, team_id, group_id, lookup)
    members = f.id_list(state, "members_present", "列席的督导组成员")
    if group_id is not None and changed(state, old, "members_present", "group"):
        for member_id in members:
            member = lookup.get("member", member_id)
            if member is not None and member.get("group") != group_id:
                raise fail(f"{f.shown(member.get('name'))}不是本督导组的成员，不能列为列席的督导组成员。",
                           "members_present")
    present = f.id_list(state, "leaders_present", "参会的班子成员")
    if not present:
        raise fail("请选择参会的班子成员。", "leaders_present")
    of_unit = _LeadersOfUnit(unit_id, lookup, changed(state, old, "unit", "leaders_present", "materials", "talks",
                                                       "problems"))
    for leader_id in present:
        of_unit.check(leader_id, "leaders_present", "参会的班子成员")
    _materials(state.get("materials"), held_on, first_day, of_unit)
    _talks(state.get("talks"), of_unit)
    _problems(state.get("problems"), of_unit)
    _criticism(state, lookup)
    f.text(state, "comment", "督导组点评", required=False, max_length=COMMENT_LENGTH)


def _inside_campaign(held_on: str, start: str, end: str) -> None:
    if not start <= held_on <= end:
        raise fail(f"召开日期应在活动期间内（{clock.chinese_date(start)}至{clock.chinese_date(end)}），"
                   f"收到：{clock.chinese_date(held_on)}。", "held_on")


def _team_and_unit(unit_id: str, team_id: str, group_id: str | None, lookup: Lookup) -> None:
    team = lookup.get("team", team_id)
    if team is not None and team.get("unit") != unit_id:
        raise fail("召开民主生活会的领导班子不是该单位的领导班子。", "team")
    unit = lookup.get("unit", unit_id)
    assigned = unit.get("group") if unit is not None else None
    if assigned is not None and group_id is not None and assigned != group_id:
        raise fail(f"“{f.shown(unit.get('name'))}”不是本督导组负责的单位。", "unit")


class _LeadersOfUnit:
    """Checks that a leader named in the meeting is of its unit (each read once)."""

    def __init__(self, unit_id: str, lookup: Lookup, active: bool):
        self.unit_id = unit_id
        self.lookup = lookup
        self.active = active  # only when the unit or a list naming leaders changed
        self.seen: dict[str, dict | None] = {}

    def check(self, leader_id, field: str, label: str) -> None:
        if type(leader_id) is not str or not f.ID_SHAPE.match(leader_id):
            raise fail(f"{label}的编号格式不对：{f.shown(leader_id)}。", field)
        if not self.active:
            return
        if leader_id not in self.seen:
            self.seen[leader_id] = self.lookup.get("leader", leader_id)
        leader = self.seen[leader_id]
        if leader is not None and leader.get("unit") != self.unit_id:
            raise fail(f"{f.shown(leader.get('name'))}不是该单位的领导干部，不能列入{label}。", field)

    def name(self, leader_id: str) -> str:
        leader = self.seen.get(leader_id) or self.lookup.get("leader", leader_id)
        return f.shown(leader.get("name")) if leader else f.shown(leader_id)


def _list(value, field: str, label: str, maximum: int) -> list:
    f.json_value(value, field, label)
    if type(value) is not list:
        raise fail(f"{label}应为列表。", field)
    if len(value) > maximum:
        raise fail(f"{label}过多（最多 {maximum} 项）。", field)
    return value


def _item(item, keys: set, field: str, what: str) -> dict:
    if type(item) is not dict or set(item) != keys:
        raise fail(f"{what}的格式不对。", field)
    return item


def _materials(value, held_on: str, first_day: str | None, leaders: _LeadersOfUnit) -> None:
    items = _list(value, "materials", "对照检查材料", MAX_MATERIALS)
    seen = set()
    for i, item in enumerate(items, 1):
        what = f"第 {i} 份对照检查材料"
        item = _item(item, _MATERIAL_KEYS, "materials", what)
        leaders.check(item["leader"], "materials", "对照检查材料的撰写人")
        if item["leader"] in seen:
            raise fail(f"{leaders.name(item['leader'])}的对照检查材料重复录入。", "materials")
        seen.add(item["leader"])
        drafts = item["drafts"]
        if type(drafts) is not list or len(drafts) > MAX_DRAFTS:
            raise fail(f"{what}的修改稿应为列表（最多 {MAX_DRAFTS} 稿）。", "materials")
        if type(item["final"]) is not bool:
            raise fail(f"{what}是否定稿应为是或否。", "materials")
        if item["final"] and not drafts:
            raise fail(f"{leaders.name(item['leader'])}的对照检查材料已定稿，请录入各稿的日期和审核人。", "materials")
        previous = None
        for n, draft in enumerate(drafts, 1):
            draft = _item(draft, _DRAFT_KEYS, "materials", f"{what}的第 {n} 稿")
            day = f.day(draft, "on_date", f"{what}第 {n} 稿的日期")
            if day is None or day > held_on:
                raise fail(f"{what}第 {n} 稿的日期（{day}）不能晚于民主生活会召开日期（{held_on}）。", "materials")
            if first_day is not None and day < first_day:
                raise fail(f"{what}第 {n} 稿的日期（{day}）早于活动开始（{first_day}）。", "materials")
            if previous is not None and day < previous:
                raise fail(f"{what}各稿应按日期先后录入：第 {n} 稿（{day}）早于上一稿（{previous}）。", "materials")
            previous = day
            reviewer = draft["reviewer"]
            if type(reviewer) is not str or not reviewer.strip():
                raise fail(f"请填写{what}第 {n} 稿的审核人。", "materials")
            if len(reviewer) > REVIEWER_LENGTH:
                raise fail(f"{what}第 {n} 稿的审核人过长（最多 {REVIEWER_LENGTH} 字）。", "materials")


def _talks(value, leaders: _LeadersOfUnit) -> None:
    items = _list(value, "talks", "谈心谈话", MAX_TALKS)
    pairs = set()
    for i, item in enumerate(items, 1):
        what = f"第 {i} 项谈心谈话"
        item = _item(item, _TALK_KEYS, "talks", what)
        leaders.check(item["leader"], "talks", "谈心谈话的谈话人")
        leaders.check(item["with"], "talks", "谈心谈话的谈话对象")
        if item["leader"] == item["with"]:
            raise fail(f"{what}的谈话人和谈话对象是同一人。", "talks")
        pair = frozenset((item["leader"], item["with"]))
        if pair in pairs:
            raise fail(f"{leaders.name(item['leader'])}与{leaders.name(item['with'])}的谈心谈话重复录入。", "talks")
        pairs.add(pair)
        done, count = item["done"], item["count"]
        if type(done) is not bool:
            raise fail(f"{what}是否已谈应为是或否。", "talks")
        if type(count) is not int or not 0 <= count <= MAX_TALK_COUNT:
            raise fail(f"{what}的次数应为 0 到 {MAX_TALK_COUNT} 的整数。", "talks")
        if done and count < 1:
            raise fail(f"{what}已谈，次数至少为 1。", "talks")
        if not done and count:
            raise fail(f"{what}未谈，次数应为 0。", "talks")


def _problems(value, leaders: _LeadersOfUnit) -> None:
    items = _list(value, "problems", "查摆问题", MAX_PROBLEMS)
    for i, item in enumerate(items, 1):
        what = f"第 {i} 个查摆问题"
        item = _item(item, _PROBLEM_KEYS, "problems", what)
        if item["wind"] not in FOUR_WINDS:
            raise fail(f"{what}应归入“四风”之一：{'、'.join(FOUR_WINDS)}（收到：{f.shown(item['wind'])}）。", "problems")
        text = item["text"]
        if type(text) is not str or not text.strip():
            raise fail(f"请填写{what}的内容。", "problems")
        if len(text) > PROBLEM_LENGTH:
            raise fail(f"{what}过长（最多 {PROBLEM_LENGTH} 字）。", "problems")
        if item["leader"] is not None:
            leaders.check(item["leader"], "problems", "查摆问题所涉的班子成员")


def _criticism(state: dict, lookup: Lookup) -> None:
    scale = template_of(state, lookup).scale("evaluation")
    rating = f.choice(state, "criticism_rating", "批评与自我批评质量", scale, required=False)
    evidence = f.text(state, "criticism_evidence", "评价依据", required=False, max_length=EVIDENCE_LENGTH)
    if rating is not None and not evidence.strip():
        raise fail("已评定批评与自我批评的质量，请填写评价依据（会上的具体表现）。", "criticism_evidence")


def unique_meeting(state: dict, old: dict | None, lookup: Lookup) -> None:
    if not changed(state, old, "team", "held_on"):
        return
    for other in lookup.children("meeting", "team", state.get("team")):
        if other["id"] != state["id"] and other.get("held_on") == state.get("held_on"):
            raise fail("该领导班子这一天的专题民主生活会已有记录，请修改原记录。", "held_on")
