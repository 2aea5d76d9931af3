"""`rplan create|update|item|remove-item|delete` (a unit's 整改方案) and `special-tasks
show|load|assign|report` (the 专项整治 tasks); `list plans` is in cli.py and calls ``plan_rows``."""

from __future__ import annotations

import json

from . import display, store
from . import rectification_plans as plans
from . import special_tasks as tasks
from .models import PLAN_STATES, PUBLICITY_STATES, SPECIAL_TASK_STATUSES
from .rules.rectification_plans import ITEM_KINDS

PLAN_COLUMNS = (("unit", "单位"), ("title", "方案"), ("state", "状态"), ("adopted", "通过"), ("publicity", "公示"),
                ("items", "事项"), ("id", "编号"))


def _open(args):
    return store.open_data_dir(args.data_dir, create=False)


def _print(data) -> None:
    print(json.dumps(display.json_safe(data), ensure_ascii=False, indent=2, allow_nan=False))


def plan_rows(unit=None, *, as_json: bool) -> list[dict]:
    """``list plans``: one object per plan (JSON), or one line's values per plan (text)."""
    rows = []
    for plan in plans.list_plans(unit):
        data = plans.plan_dict(plan)
        if not as_json:
            data = {**data, "publicity": plans.publicity_text(plan), "items": len(data["items"])}
        rows.append(data)
    return rows


def _plan_values(args) -> dict:
    values = {"title": args.title, "state": args.state, "adopted_on": args.adopted, "publicity": args.publicity,
              "publicized_on": args.publicized}
    return {k: v for k, v in values.items() if v is not None}


def cmd_create(args) -> int:
    _open(args)
    values = _plan_values(args)
    title = values.pop("title")
    plan = plans.create_plan(args.unit, title, **values)
    print(f"已建立整改方案“{plan.title}”，编号 {plan.id}。")
    return 0


def cmd_update(args) -> int:
    _open(args)
    values = _plan_values(args)
    for name in ("adopted_on", "publicized_on"):  # "" clears a date
        if values.get(name) == "":
            values[name] = None
    plan = plans.update_plan(args.plan, **values)
    print(f"已修改整改方案“{plan.title}”。")
    return 0


def cmd_item(args) -> int:
    _open(args)
    values = {"kind": args.kind, "leader": args.leader, "measure": args.measure,
              "responsible_leader": args.responsible_leader, "responsible_unit": args.responsible_unit,
              "responsible_unit_id": args.responsible_unit_id, "deadline": args.deadline}
    plan = plans.get_plan(args.plan)
    existing = next((i for i in plan.items if i.get("finding") == args.finding), None)
    values = {k: v for k, v in values.items() if v is not None or existing is None}
    plan = plans.set_item(plan, args.finding, **values)
    print(f"已{'修改' if existing else '列入'}整改事项；方案“{plan.title}”共 {len(plan.items)} 项。")
    return 0


def cmd_remove_item(args) -> int:
    _open(args)
    plan = plans.remove_item(args.plan, args.finding)
    print(f"已移出；方案“{plan.title}”共 {len(plan.items)} 项。")
    return 0


def cmd_delete(args) -> int:
    _open(args)
    plan = plans.delete_plan(args.plan)
    print(f"已删除整改方案“{plan.title}”。")
    return 0


def cmd_tasks_show(args) -> int:
    _open(args)
    task_list = tasks.current_list()
    rows = tasks.unit_tasks(args.unit) if args.unit else tasks.unit_tasks()
    if args.json:
        _print({"list": {"id": task_list.id, "version": task_list.version, "name": task_list.name,
                         "note": task_list.content.get("note"), "tasks": task_list.tasks},
                "assigned": [{"unit_id": r.unit_id, "unit": r.unit, "task_id": r.task_id, "title": r.title,
                              "status": r.status, "on_date": r.on_date, "note": r.note} for r in rows]})
        return 0
    print(f"{task_list.name}（{task_list.id} 第 {task_list.version} 版，共 {len(task_list.tasks)} 项）")
    if task_list.content.get("note"):
        print(f"说明：{task_list.content['note']}")
    if not args.unit:
        for task in task_list.tasks:
            print(f"  {task['id']}  {task['title']}")
    print(f"分配到单位的任务 {len(rows)} 项：")
    for r in rows:
        line = f"  {r.unit}  {r.task_id} {r.title}  {r.status}"
        if r.on_date:
            line += f"（{display.date_text(r.on_date)}）"
        if r.note:
            line += f"  {r.note}"
        print(line)
    return 0


def cmd_tasks_load(args) -> int:
    _open(args)
    task_list = tasks.load_file(args.file)
    if tasks.load_list(task_list):
        print(f"已载入专项整治任务清单 {task_list.id} 第 {task_list.version} 版（{len(task_list.tasks)} 项）；"
              "下次导出同步包时发给各督导组。")
    else:
        print(f"专项整治任务清单 {task_list.id} 第 {task_list.version} 版已载入过，内容相同，未作改动。")
    return 0


def cmd_tasks_assign(args) -> int:
    _open(args)
    record = tasks.assign(args.unit, args.task or [])
    print(f"已为该单位分配 {len(record.task_ids)} 项专项整治任务。")
    return 0


def cmd_tasks_report(args) -> int:
    _open(args)
    tasks.report_status(args.unit, args.task, args.status, args.on, args.note or "")
    print("已记录专项整治任务进展。")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("rplan", help="单位整改方案：建立、修改、列入或移出整改事项")
    sub = p.add_subparsers(dest="rplan_command", metavar="ACTION", required=True)
    for name, helptext in (("create", "为单位建立整改方案"), ("update", "修改整改方案（名称、状态、通过、公示）")):
        q = sub.add_parser(name, help=helptext)
        if name == "create":
            q.add_argument("--unit", required=True, metavar="ID")
            q.add_argument("--title", required=True, help="方案名称")
        else:
            q.add_argument("plan", metavar="PLAN_ID")
            q.add_argument("--title", help="方案名称")
        q.add_argument("--state", choices=PLAN_STATES, help="方案状态（新建默认 草拟）")
        q.add_argument("--adopted", metavar="DATE", help="通过日期，如 2014-05-06（草拟时不填）")
        q.add_argument("--publicity", choices=PUBLICITY_STATES, help="公示情况（新建默认 未公示）")
        q.add_argument("--publicized", metavar="DATE", help="公示日期（不早于通过日期）")
        q.set_defaults(func=cmd_create if name == "create" else cmd_update)
    q = sub.add_parser("item", help="把单位的一个问题列入方案，或修改它的整改事项")
    q.add_argument("plan", metavar="PLAN_ID")
    q.add_argument("--finding", required=True, metavar="ID", help="问题编号（list findings）")
    q.add_argument("--kind", choices=ITEM_KINDS, help="班子问题或个人问题")
    q.add_argument("--leader", metavar="ID", help="（个人问题）该单位的哪位领导干部")
    q.add_argument("--measure", help="整改措施")
    q.add_argument("--responsible-leader", metavar="ID", help="责任领导（该单位的领导干部）")
    q.add_argument("--responsible-unit", metavar="TEXT", help="责任单位名称")
    q.add_argument("--responsible-unit-id", metavar="ID", help="责任单位（选一个单位）")
    q.add_argument("--deadline", metavar="DATE", help="整改时限（不早于问题发现日期）")
    q.set_defaults(func=cmd_item)
    q = sub.add_parser("remove-item", help="把一个问题移出方案")
    q.add_argument("plan", metavar="PLAN_ID")
    q.add_argument("--finding", required=True, metavar="ID")
    q.set_defaults(func=cmd_remove_item)
    q = sub.add_parser("delete", help="删除整改方案")
    q.add_argument("plan", metavar="PLAN_ID")
    q.set_defaults(func=cmd_delete)

    p = subparsers.add_parser("special-tasks", help="专项整治任务：清单、分配到单位（活动办）、进展（督导组）")
    sub = p.add_subparsers(dest="tasks_command", metavar="ACTION", required=True)
    q = sub.add_parser("show", help="显示任务清单和各单位的任务进展")
    q.add_argument("--unit", metavar="ID", help="只看一个单位")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_tasks_show)
    q = sub.add_parser("load", help="活动办载入修改后的任务清单（JSON，版本号须提高）")
    q.add_argument("file", metavar="FILE")
    q.set_defaults(func=cmd_tasks_load)
    q = sub.add_parser("assign", help="活动办为单位分配任务（替换原有分配）")
    q.add_argument("--unit", required=True, metavar="ID")
    q.add_argument("--task", action="append", metavar="ID", help="任务编号，如 T01（可多次）")
    q.set_defaults(func=cmd_tasks_assign)
    q = sub.add_parser("report", help="督导组填报单位某项任务的进展")
    q.add_argument("--unit", required=True, metavar="ID")
    q.add_argument("--task", required=True, metavar="ID")
    q.add_argument("--status", required=True, choices=SPECIAL_TASK_STATUSES)
    q.add_argument("--on", required=True, metavar="DATE")
    q.add_argument("--note", help="进展情况")
    q.set_defaults(func=cmd_tasks_report)
