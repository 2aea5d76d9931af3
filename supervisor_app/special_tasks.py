"""The 专项整治 tasks: the office's list (versioned data, like the campaign plan), which tasks each
unit was assigned (the office) and how far each unit has got with each (its group).

The list ships as ``resources/templates/special-tasks-default.json``; the office edits it and
loads it with ``special-tasks load FILE`` (a higher version). The speech only says the province
named 34 tasks: the shipped titles are placeholders for the office to replace. What a stored
list, assignment or status must satisfy is in rules/rectification_plans.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import changelog, installation
from . import validate as check
from .errors import NotFoundError, ValidationError
from .models import (
    SPECIAL_TASK_STATUSES,
    Member,
    SpecialTaskAssignment,
    SpecialTaskList,
    SpecialTaskStatus,
    Unit,
    alive,
    database,
)
from .rules.rectification_plans import TaskList, default_task_list, validate_task_list
from .template import read_json_file
from .units import get_unit

__all__ = ["SPECIAL_TASK_STATUSES", "TaskList", "assign", "current_list", "load_file", "load_list",
           "report_status", "unit_tasks"]


def load_file(path: str | Path) -> TaskList:
    """Load and validate a task list file."""
    return validate_task_list(read_json_file(path, "专项整治任务清单文件"))


def _valid_or_none(content) -> TaskList | None:
    try:
        return validate_task_list(content)
    except (ValidationError, TypeError, ValueError, KeyError, AttributeError):
        return None


def stored_list(list_id: str, version: int) -> TaskList | None:
    """A stored list version, or the shipped default when it is that one."""
    record = SpecialTaskList.get_or_none((SpecialTaskList.list_id == list_id)
                                         & (SpecialTaskList.list_version == version) & alive(SpecialTaskList))
    if record is not None:
        return _valid_or_none(record.content)
    default = default_task_list()
    return default if (default.id, default.version) == (list_id, version) else None


def current_list() -> TaskList:
    """The highest stored list version, else the shipped default."""
    for record in (SpecialTaskList.select().where(alive(SpecialTaskList))
                   .order_by(SpecialTaskList.list_version.desc(), SpecialTaskList.list_id)):
        found = _valid_or_none(record.content)
        if found is not None:
            return found
    return default_task_list()


def _office_only(what: str) -> None:
    if installation.context().role != "office":
        raise ValidationError(f"只有活动办可以{what}；督导组会在活动办的同步包中收到。", field="role")


def load_list(task_list: TaskList) -> bool:
    """Keep ``task_list`` as the office's new list version; True when it was stored."""
    _office_only("载入专项整治任务清单")
    with database.atomic():
        existing = SpecialTaskList.get_or_none((SpecialTaskList.list_id == task_list.id)
                                               & (SpecialTaskList.list_version == task_list.version)
                                               & alive(SpecialTaskList))
        if existing is not None:
            if existing.content != task_list.content:
                raise ValidationError(f"专项整治任务清单 {task_list.id} 第 {task_list.version} 版已存在且内容不同；"
                                      "修改请提高版本号（version）。", field="version")
            return False
        current = current_list()
        if task_list.version <= current.version and task_list.content != current.content:
            raise ValidationError(f"任务清单的版本号应高于当前的第 {current.version} 版（收到第 {task_list.version} 版）。",
                                  field="version")
        changelog.create(SpecialTaskList, list_id=task_list.id, list_version=task_list.version, name=task_list.name,
                         content=task_list.content)
        return True


def _assignment(unit: Unit) -> SpecialTaskAssignment | None:
    return SpecialTaskAssignment.get_or_none((SpecialTaskAssignment.unit == unit.id) & alive(SpecialTaskAssignment))


def assign(unit, task_ids) -> SpecialTaskAssignment:
    """The office assigns ``task_ids`` of the current list to ``unit`` (replacing what it had)."""
    _office_only("分配专项整治任务")
    task_list = current_list()
    if not isinstance(task_ids, list | tuple):
        raise ValidationError("分配的任务应为列表。", field="task_ids")
    ids = [check.clean_text(t) for t in task_ids]
    with database.atomic():
        unit = get_unit(unit)
        values = {"list_id": task_list.id, "list_version": task_list.version, "task_ids": ids}
        record = _assignment(unit)
        if record is None:
            return changelog.create(SpecialTaskAssignment, unit=unit.id, **values)
        return changelog.update(record, **values)


def report_status(unit, task_id: str, status: str, on_date, note: str = "") -> SpecialTaskStatus:
    """A group reports how far ``unit`` has got with an assigned task (replacing its last report)."""
    ctx = installation.context()
    member = ctx.member_id
    if member is not None and Member.get_or_none((Member.id == member) & alive(Member)) is None:
        member = None
    with database.atomic():
        unit = get_unit(unit)
        if ctx.role == "field" and ctx.group_id and unit.group_id not in (None, ctx.group_id):
            raise ValidationError(f"“{unit.name}”不是本督导组负责的单位。", field="unit")
        values = {"task_id": check.clean_text(task_id), "status": check.clean_text(status),
                  "on_date": check.iso_date(on_date, "on_date", "日期"), "note": check.clean_text(note),
                  "member": member}
        record = SpecialTaskStatus.get_or_none((SpecialTaskStatus.unit == unit.id)
                                               & (SpecialTaskStatus.task_id == values["task_id"])
                                               & alive(SpecialTaskStatus))
        if record is None:
            return changelog.create(SpecialTaskStatus, unit=unit.id, **values)
        return changelog.update(record, **values)


@dataclass(frozen=True)
class TaskRow:
    """One assigned task of one unit, with its last reported status."""

    unit_id: str
    unit: str
    task_id: str
    title: str
    status: str  # 未启动 when nothing was reported
    on_date: str | None
    note: str


def unit_tasks(unit=None) -> list[TaskRow]:
    """Every assigned task (of one unit) with its status, by unit and the list's order."""
    query = (SpecialTaskAssignment.select(SpecialTaskAssignment, Unit)
             .join(Unit, on=(SpecialTaskAssignment.unit == Unit.id))
             .where(alive(SpecialTaskAssignment)).order_by(Unit.sort_order, Unit.name))
    if unit is not None:
        query = query.where(SpecialTaskAssignment.unit == getattr(unit, "id", unit))
    assignments = list(query)
    statuses = {(s.unit_id, s.task_id): s for s in SpecialTaskStatus.select().where(
        alive(SpecialTaskStatus) & SpecialTaskStatus.unit.in_([a.unit_id for a in assignments]))}
    rows = []
    for assignment in assignments:
        task_list = stored_list(assignment.list_id, assignment.list_version)
        for task_id in assignment.task_ids if isinstance(assignment.task_ids, list) else []:
            task = task_list.task(task_id) if task_list is not None else None
            status = statuses.get((assignment.unit_id, task_id))
            rows.append(TaskRow(assignment.unit_id, assignment.unit.name, task_id,
                                task["title"] if task else f"（清单中没有 {task_id}）",
                                status.status if status else "未启动", status.on_date if status else None,
                                status.note if status else ""))
    return rows


def get_assignment(unit) -> SpecialTaskAssignment:
    unit = get_unit(unit)
    record = _assignment(unit)
    if record is None:
        raise NotFoundError(f"活动办还没有给“{unit.name}”分配专项整治任务。", field="unit")
    return record


def fill_special_tasks(rng, anchor) -> int:
    """Demo: five to eight tasks of the current list assigned to each county and department, with
    progress reported for some (records written as they are, through the rules)."""
    from datetime import timedelta

    task_list = current_list()
    made = 0
    with database.atomic():
        units = list(Unit.select().where(alive(Unit) & Unit.kind.in_(("县市区", "市直单位")))
                     .order_by(Unit.sort_order, Unit.name))
        for unit in units:
            if _assignment(unit) is not None:
                continue
            chosen = sorted(rng.sample([t["id"] for t in task_list.tasks], min(len(task_list.tasks), rng.randint(5, 8))))
            changelog.create(SpecialTaskAssignment, unit=unit.id, list_id=task_list.id,
                             list_version=task_list.version, task_ids=chosen)
            for task_id in chosen:
                status = rng.choices(SPECIAL_TASK_STATUSES, weights=[2, 5, 3])[0]
                if status == "未启动":
                    continue
                on = anchor - timedelta(days=rng.randint(0, 30))
                note = "已制定子方案，正在分领域推进。" if status == "推进中" else "已完成整治，建立长效机制。"
                changelog.create(SpecialTaskStatus, unit=unit.id, task_id=task_id, status=status,
                                 on_date=on.isoformat(), note=note, member=None)
            made += 1
    return made
