"""`template show|load` and `supervision add|list|close` commands: the checklist's versions (the
office moves the campaign to a newer one) and the 督导层面 problems recorded against a group."""

from __future__ import annotations

import json

from . import campaigns, display, store, supervision
from . import template as templates
from .members import list_groups


def _open(args):
    return store.open_data_dir(args.data_dir, create=False)


def _print(data) -> None:
    print(json.dumps(display.json_safe(data), ensure_ascii=False, indent=2, allow_nan=False))


def cmd_template_show(args) -> int:
    _open(args)
    tpl = campaigns.get_template(campaigns.current_campaign().template_id, args.version) if args.version \
        else campaigns.active_template()
    if args.json:
        _print(tpl.content)
        return 0
    print(f"{tpl.name}（{tpl.id} 第 {tpl.version} 版）")
    for item in tpl.focus_items:
        print(f"督导重点 {item['id']} {item['name']}：{'；'.join(item['points'])}")
    for item in tpl.tendencies:
        print(f"倾向 {item['id']} {item['name']}")
    for cat in tpl.problem_categories:
        print(f"问题类别 {cat['id']} {cat['name']}：{'；'.join(cat['sub_kinds'])}")
    if tpl.supervision_kinds:
        print(f"督导层面问题：{'；'.join(tpl.supervision_kinds)}")
    print(f"督导方式：{'、'.join(tpl.methods)}")
    return 0


def cmd_template_load(args) -> int:
    _open(args)
    tpl = templates.load_file(args.file) if args.file else templates.load_default()
    campaigns.switch_template(tpl)
    print(f"当前活动已改用模板 {tpl.id} 第 {tpl.version} 版；此前的督导评估和纪实评价仍按原版本显示和打印。"
          "下次导出同步包时发给各督导组。")
    return 0


def _problem_dict(p, groups: dict[str, str]) -> dict:
    return {"id": p.id, "group_id": p.group_id, "group": groups.get(p.group_id, p.group_id), "found_on": p.found_on,
            "kind": p.kind, "description": p.description, "member_id": p.member_id, "closed": p.closed}


def cmd_supervision_list(args) -> int:
    _open(args)
    groups = {g.id: g.name for g in list_groups()}
    rows = [_problem_dict(p, groups) for p in supervision.list_problems(args.group)]
    if args.json:
        _print(rows)
        return 0
    for row in rows:
        print(f"{display.date_text(row['found_on'])}  {row['group']}  {row['kind'] or '—'}  {row['description']}"
              + ("  （已整改）" if row["closed"] else ""))
    print(f"共 {len(rows)} 条")
    return 0


def cmd_supervision_add(args) -> int:
    _open(args)
    problem = supervision.create_problem(args.text, group=args.group, kind=args.kind or "", found_on=args.on)
    print(f"已记录督导层面问题 {problem.id}。")
    return 0


def cmd_supervision_close(args) -> int:
    _open(args)
    supervision.update_problem(args.id, closed=True)
    print("已标记为已整改。")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("template", help="督导检查清单（模板）：查看、改用新版本（活动办）")
    sub = p.add_subparsers(dest="template_command", metavar="ACTION", required=True)
    q = sub.add_parser("show", help="显示当前活动所用的模板（或指定版本）")
    q.add_argument("--version", type=int, default=None, help="已存的某一版")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_template_show)
    q = sub.add_parser("load", help="活动办让当前活动改用新版模板（不给文件：程序自带的最新版）")
    q.add_argument("file", metavar="FILE", nargs="?", default=None)
    q.set_defaults(func=cmd_template_load)
    p = subparsers.add_parser("supervision", help="督导层面问题（督导组自身工作的问题）")
    sub = p.add_subparsers(dest="supervision_command", metavar="ACTION", required=True)
    q = sub.add_parser("list", help="列出督导层面问题")
    q.add_argument("--group", metavar="ID", help="只看一个督导组")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_supervision_list)
    q = sub.add_parser("add", help="记录一条督导层面问题（活动办：任一组；督导组：本组，由组长记录）")
    q.add_argument("text", metavar="TEXT")
    q.add_argument("--group", metavar="ID", help="督导组编号（督导组设备默认本组）")
    q.add_argument("--kind", metavar="KIND", help="问题表现（template show 中“督导层面问题”之一）")
    q.add_argument("--on", metavar="DATE", help="发现日期，默认今天")
    q.set_defaults(func=cmd_supervision_add)
    q = sub.add_parser("close", help="标记一条督导层面问题已整改")
    q.add_argument("id", metavar="ID")
    q.set_defaults(func=cmd_supervision_close)
