"""Rules of a unit's 整改方案 (rplan) and of the 专项整治 tasks (stasks, stask_assign, stask_status).

整改方案: a title, a state (草拟 / 已通过 / 实施中 / 已完成), the date it was adopted (every state but
草拟), its 公示 (未公示 / 公示中 / 已公示, with a date not before adoption) and its items. Each item
takes one finding of the plan's own unit — a finding is in at most one item of all the unit's
plans — and says whether it is a 班子 problem or a 个人 one (then which leader of the unit), its
整改措施, the 责任领导 (a leader of the unit), the 责任单位 (a name, or a unit) and a deadline not
before the day the finding was found.

专项整治: the office's list of tasks is versioned data (a version never changes, a change is a
new version); the office assigns tasks of a list version to each unit (one assignment per
unit); a group reports, per unit and task, how far the unit has got — only for a task the unit
was assigned.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from ..errors import ValidationError
from ..models import PLAN_STATES, PUBLICITY_STATES, SPECIAL_TASK_STATUSES
from ..template import VersionedContent
from . import fields as f
from .fields import changed, fail
from .lookup import Lookup, validated_once
from .visits import not_after_today

ITEM_KINDS = ("班子", "个人")
ITEM_KEYS = ("finding", "kind", "leader", "measure", "responsible_leader", "responsible_unit",
             "responsible_unit_id", "deadline")
ITEM_LABELS = {"finding": "问题", "kind": "问题类型", "leader": "涉及的领导干部", "measure": "整改措施",
               "responsible_leader": "责任领导", "responsible_unit": "责任单位", "responsible_unit_id": "责任单位",
               "deadline": "整改时限"}
MAX_ITEMS = 500
MAX_TITLE = 200
MAX_MEASURE = 2000
MAX_UNIT_TEXT = 200
MAX_NOTE = 2000
MAX_TASKS = 500

LABELS = {
    "rplan": {"unit": "单位", "title": "方案名称", "adopted_on": "通过日期", "publicity": "公示情况",
              "publicized_on": "公示日期", "state": "方案状态", "items": "整改事项"},
    "stasks": {"list_id": "任务清单编号", "list_version": "任务清单版本", "name": "任务清单名称",
               "content": "任务清单内容"},
    "stask_assign": {"unit": "单位", "list_id": "任务清单编号", "list_version": "任务清单版本",
                     "task_ids": "分配的任务"},
    "stask_status": {"unit": "单位", "task_id": "专项整治任务", "status": "进展", "on_date": "日期",
                     "note": "进展情况", "member": "填报人"},
}


# --- 整改方案 ------------------------------------------------------------------------------------------


def rplan(state: dict, old: dict | None, lookup: Lookup) -> None:
    unit_id = f.ident(state, "unit", "单位", missing="请选择整改方案所属的单位。")
    f.text(state, "title", "方案名称", max_length=MAX_TITLE)
    plan_state = f.choice(state, "state", "方案状态", PLAN_STATES)
    adopted = f.day(state, "adopted_on", "通过日期", required=plan_state != "草拟")
    if plan_state == "草拟" and adopted is not None:
        raise fail("草拟中的整改方案还没有通过，不应填写通过日期。", "adopted_on")
    if changed(state, old, "adopted_on"):
        not_after_today(adopted, "adopted_on", "通过日期")
    publicity = f.choice(state, "publicity", "公示情况", PUBLICITY_STATES)
    publicized = f.day(state, "publicized_on", "公示日期", required=publicity != "未公示")
    if publicity == "未公示" and publicized is not None:
        raise fail("未公示的整改方案不应填写公示日期。", "publicized_on")
    if publicity != "未公示" and adopted is None:
        raise fail("整改方案通过后才能公示，请先填写通过日期。", "publicity")
    if publicized is not None and adopted is not None and publicized < adopted:
        raise fail(f"公示日期不能早于方案通过日期（{adopted}）。", "publicized_on")
    if changed(state, old, "publicized_on"):
        not_after_today(publicized, "publicized_on", "公示日期")
    items = state.get("items")
    f.json_value(items, "items", "整改事项")
    if type(items) is not list or len(items) > MAX_ITEMS:
        raise fail(f"整改事项应为列表（最多 {MAX_ITEMS} 项）。", "items")
    seen: set[str] = set()
    for i, item in enumerate(items):
        _item(i, item, unit_id, lookup, seen)


def _item(i: int, item, unit_id: str, lookup: Lookup, seen: set[str]) -> None:
    where = f"items[{i}]"
    if type(item) is not dict or set(item) != set(ITEM_KEYS):
        raise fail(f"第 {i + 1} 项整改事项的格式不对。", where)

    def named(key: str) -> str:
        return f"{where}.{key}"

    def refuse(key: str, message: str) -> ValidationError:
        return fail(f"第 {i + 1} 项整改事项：{message}", named(key))

    def check(call, key: str, *args, **kwargs):
        try:
            return call(item, key, ITEM_LABELS[key], *args, **kwargs)
        except ValidationError as exc:
            raise refuse(key, exc.message) from None

    finding_id = check(f.ident, "finding")
    if finding_id in seen:
        raise refuse("finding", "这个问题已列在本方案的另一项中。")
    seen.add(finding_id)
    kind = check(f.choice, "kind", ITEM_KINDS)
    leader_id = check(f.ident, "leader", required=False)
    check(f.text, "measure", max_length=MAX_MEASURE)
    responsible_id = check(f.ident, "responsible_leader")
    unit_text = check(f.text, "responsible_unit", required=False, max_length=MAX_UNIT_TEXT)
    unit_ref = check(f.ident, "responsible_unit_id", required=False)
    deadline = check(f.day, "deadline")
    unit = lookup.get("unit", unit_id) or {}
    unit_name = unit.get("name", unit_id)
    finding = lookup.get("finding", finding_id)
    if finding is not None:
        if finding.get("unit") != unit_id:
            raise refuse("finding", f"问题不是“{unit_name}”的问题，不能列入它的整改方案。")
        found_on = finding.get("found_on")
        if type(found_on) is str and deadline < found_on:
            raise refuse("deadline", f"整改时限不能早于问题发现日期（{found_on}）。")
    if kind == "个人":
        if leader_id is None:
            raise refuse("leader", "个人问题须写明是哪位领导干部的问题。")
        _leader_of_unit(leader_id, unit_id, unit_name, lookup, refuse, "leader")
    elif leader_id is not None:
        raise refuse("leader", "班子问题不应指定个人；个人问题请把问题类型选为“个人”。")
    _leader_of_unit(responsible_id, unit_id, unit_name, lookup, refuse, "responsible_leader")
    if not unit_text.strip() and unit_ref is None:
        raise refuse("responsible_unit", "请填写责任单位（单位名称或选择一个单位）。")
    if unit_ref is not None and lookup.get("unit", unit_ref) is None:
        raise refuse("responsible_unit_id", "找不到所选的责任单位。")


def _leader_of_unit(leader_id: str, unit_id: str, unit_name: str, lookup: Lookup, refuse, key: str) -> None:
    leader = lookup.get("leader", leader_id)
    if leader is None:
        raise refuse(key, f"找不到{ITEM_LABELS[key]}（{f.shown(leader_id)}）。")
    if leader.get("unit") != unit_id:
        raise refuse(key, f"{leader.get('name')}不是“{unit_name}”的领导干部。")


def unique_plan_items(state: dict, old: dict | None, lookup: Lookup) -> None:
    """A finding is in at most one item of all its unit's plans."""
    if not changed(state, old, "items", "unit"):
        return
    mine = {item["finding"]: i for i, item in enumerate(state.get("items") or [])}
    for other in lookup.children("rplan", "unit", state.get("unit")):
        if other["id"] == state["id"]:
            continue
        for item in other.get("items") or []:
            if type(item) is dict and item.get("finding") in mine:
                i = mine[item["finding"]]
                raise fail(f"第 {i + 1} 项整改事项：这个问题已列入整改方案“{other.get('title')}”。",
                           f"items[{i}].finding")


# --- 专项整治 tasks -------------------------------------------------------------------------------------

DEFAULT_TASK_LIST = "special-tasks-default.json"


@dataclass(frozen=True)
class TaskList(VersionedContent):
    """A validated list of 专项整治 tasks (read-only view over its JSON content)."""

    @property
    def tasks(self) -> list[dict]:
        return self.content["tasks"]

    def task(self, task_id: str) -> dict | None:
        return next((t for t in self.tasks if t["id"] == task_id), None)


def _list_fail(path: str, message: str) -> ValidationError:
    return ValidationError(f"专项整治任务清单字段 {path} {message}", field=path)


def validate_task_list(content: object) -> TaskList:
    """Check a task list's structure; raise ValidationError naming the exact wrong field."""
    if not isinstance(content, dict):
        raise _list_fail("(根)", "应为对象")
    for key in ("id", "name"):
        value = content.get(key)
        if key not in content:
            raise _list_fail(key, "缺失")
        if type(value) is not str or not value.strip():
            raise _list_fail(key, "应为非空文字")
        if len(value) > (100 if key == "id" else 200):
            raise _list_fail(key, "过长")
    version = content.get("version")
    if "version" not in content:
        raise _list_fail("version", "缺失")
    if type(version) is not int or not 1 <= version <= 1_000_000:
        raise _list_fail("version", "应为 1 到 1000000 之间的整数")
    if "note" in content and type(content["note"]) is not str:
        raise _list_fail("note", "应为文字")
    tasks = content.get("tasks")
    if "tasks" not in content:
        raise _list_fail("tasks", "缺失")
    if type(tasks) is not list:
        raise _list_fail("tasks", "应为列表")
    if not tasks or len(tasks) > MAX_TASKS:
        raise _list_fail("tasks", f"应有 1 到 {MAX_TASKS} 项任务")
    seen = set()
    for i, task in enumerate(tasks):
        where = f"tasks[{i}]"
        if type(task) is not dict:
            raise _list_fail(where, "应为对象")
        extra = set(task) - {"id", "title", "note"}
        if extra:
            raise _list_fail(f"{where}.{sorted(extra)[0]}", "不是任务的字段（只有 id、title、note）")
        for key, limit in (("id", 50), ("title", 200)):
            if key not in task:
                raise _list_fail(f"{where}.{key}", "缺失")
            value = task[key]
            if type(value) is not str or not value.strip():
                raise _list_fail(f"{where}.{key}", "应为非空文字")
            if len(value) > limit:
                raise _list_fail(f"{where}.{key}", f"过长（最多 {limit} 字）")
        if "note" in task and type(task["note"]) is not str:
            raise _list_fail(f"{where}.note", "应为文字")
        if not f.ID_SHAPE.match(task["id"]):
            raise _list_fail(f"{where}.id", "只能用字母、数字和连字符")
        if task["id"] in seen:
            raise _list_fail(f"{where}.id", f"重复：{task['id']}")
        seen.add(task["id"])
    return TaskList(content)


_default_list: TaskList | None = None


def default_task_list() -> TaskList:
    """The list shipped in resources/templates/ (read once)."""
    global _default_list
    if _default_list is None:
        text = resources.files("resources").joinpath("templates").joinpath(DEFAULT_TASK_LIST).read_text(
            encoding="utf-8")
        _default_list = validate_task_list(json.loads(text))
    return _default_list


_validated: dict[str, TaskList | None] = {}


def task_list_of(list_id: str, version: int, lookup: Lookup) -> TaskList | None:
    """A list version stored (or assumed) here, or the shipped default when it is that one."""
    for state in lookup.children("stasks", "list_id", list_id):
        if state.get("list_version") == version:
            return validated_once(_validated, validate_task_list, state.get("content"), limit=64)
    default = default_task_list()
    if (default.id, default.version) == (list_id, version):
        return default
    return None


def stasks(state: dict, old: dict | None, lookup: Lookup) -> None:
    list_id = f.text(state, "list_id", "任务清单编号", max_length=100)
    version = f.integer(state, "list_version", "任务清单版本", minimum=1, maximum=1_000_000)
    f.text(state, "name", "任务清单名称", max_length=200)
    content = state.get("content")
    f.json_value(content, "content", "任务清单内容")
    try:
        checked = validate_task_list(content)
    except ValidationError as exc:
        raise fail(exc.message, "content") from None
    if checked.id != list_id or checked.version != version:
        raise fail(f"任务清单内容的编号和版本（{checked.id} 第 {checked.version} 版）与记录不符。", "content")
    if old is not None and (old.get("content") != content or old.get("list_id") != list_id
                            or old.get("list_version") != version):
        raise fail(f"专项整治任务清单 {list_id} 第 {version} 版已存在，不能修改；修改请载入更高版本。", "content")


def stask_assign(state: dict, old: dict | None, lookup: Lookup) -> None:
    f.ident(state, "unit", "单位")
    list_id = f.text(state, "list_id", "任务清单编号", max_length=100)
    version = f.integer(state, "list_version", "任务清单版本", minimum=1, maximum=1_000_000)
    task_ids = state.get("task_ids")
    f.json_value(task_ids, "task_ids", "分配的任务")
    if type(task_ids) is not list or len(task_ids) > MAX_TASKS:
        raise fail(f"分配的任务应为列表（最多 {MAX_TASKS} 项）。", "task_ids")
    found = task_list_of(list_id, version, lookup)
    if found is None:
        raise fail(f"找不到专项整治任务清单 {f.shown(list_id)} 第 {version} 版。", "list_version")
    seen = set()
    for task_id in task_ids:
        if type(task_id) is not str or found.task(task_id) is None:
            raise fail(f"任务清单第 {version} 版中没有任务“{f.shown(task_id)}”。", "task_ids")
        if task_id in seen:
            raise fail(f"任务“{task_id}”重复分配。", "task_ids")
        seen.add(task_id)


def unique_assignment(state: dict, old: dict | None, lookup: Lookup) -> None:
    if not changed(state, old, "unit"):
        return
    for other in lookup.children("stask_assign", "unit", state.get("unit")):
        if other["id"] != state["id"]:
            raise fail("该单位已有专项整治任务分配，请修改原分配。", "unit")


def assigned_tasks(unit_id: str, lookup: Lookup) -> tuple[TaskList | None, list[str]]:
    """The list version and the task ids assigned to a unit (None, [] when none)."""
    for assignment in lookup.children("stask_assign", "unit", unit_id):
        found = task_list_of(assignment.get("list_id"), assignment.get("list_version"), lookup)
        ids = assignment.get("task_ids")
        return found, [t for t in ids if type(t) is str] if type(ids) is list else []
    return None, []


def stask_status(state: dict, old: dict | None, lookup: Lookup) -> None:
    unit_id = f.ident(state, "unit", "单位")
    task_id = f.text(state, "task_id", "专项整治任务", max_length=50)
    f.choice(state, "status", "进展", SPECIAL_TASK_STATUSES)
    on_date = f.day(state, "on_date", "日期")
    if changed(state, old, "on_date"):
        not_after_today(on_date, "on_date", "日期")
    f.text(state, "note", "进展情况", required=False, max_length=MAX_NOTE)
    f.ident(state, "member", "填报人", required=False)
    if changed(state, old, "unit", "task_id"):
        _, task_ids = assigned_tasks(unit_id, lookup)
        if task_id not in task_ids:
            unit = lookup.get("unit", unit_id) or {}
            raise fail(f"活动办没有给“{unit.get('name', unit_id)}”分配专项整治任务“{f.shown(task_id)}”。", "task_id")


def unique_status(state: dict, old: dict | None, lookup: Lookup) -> None:
    if not changed(state, old, "unit", "task_id"):
        return
    for other in lookup.children("stask_status", "unit", state.get("unit")):
        if other["id"] != state["id"] and other.get("task_id") == state.get("task_id"):
            raise fail("该单位的这项专项整治任务已有进展记录，请修改原记录。", "task_id")


# --- the other side: a finding or a leader that plan items name ----------------------------------------


def finding_still_fits_plans(state: dict, old: dict | None, lookup: Lookup) -> None:
    """A finding in a plan item may not move to another unit, nor its date past the item's
    deadline (to be called from rules.findings.finding; see the report of the rplans branch)."""
    if old is None or not changed(state, old, "unit", "found_on"):
        return
    for plan in lookup.children("rplan", "unit", old.get("unit")):
        for i, item in enumerate(plan.get("items") or []):
            if type(item) is not dict or item.get("finding") != state.get("id"):
                continue
            if state.get("unit") != old.get("unit"):
                raise fail(f"该问题已列入整改方案“{plan.get('title')}”，不能改到其他单位；请先从方案中移出。", "unit")
            deadline = item.get("deadline")
            if type(deadline) is str and type(state.get("found_on")) is str and deadline < state["found_on"]:
                raise fail(f"发现日期不能晚于整改方案“{plan.get('title')}”第 {i + 1} 项的整改时限（{deadline}）。", "found_on")


def leader_still_fits_plans(state: dict, old: dict | None, lookup: Lookup) -> None:
    """A leader named by a plan item (个人问题 or 责任领导) may not move to another unit (to be
    called from rules.units.leader)."""
    if old is None or not changed(state, old, "unit"):
        return
    for plan in lookup.children("rplan", "unit", old.get("unit")):
        for item in plan.get("items") or []:
            if type(item) is dict and state.get("id") in (item.get("leader"), item.get("responsible_leader")):
                raise fail(f"{state.get('name')}是整改方案“{plan.get('title')}”中的领导干部，不能改到其他单位。", "unit")
