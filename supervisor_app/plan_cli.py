"""`plan show|load`, `progress` and `survey record|ranking` commands: the campaign plan, each
unit's 规定动作, and the 民意调查 with its extension rule."""

from __future__ import annotations

import json

from . import display, progress, store, surveys
from .plan import load_file, measure_text


def _open(args):
    return store.open_data_dir(args.data_dir, create=False)


def _print(data) -> None:
    print(json.dumps(display.json_safe(data), ensure_ascii=False, indent=2, allow_nan=False))


def cmd_plan_show(args) -> int:
    _open(args)
    plan = progress.current_plan()
    if args.json:
        _print(plan.content)
        return 0
    print(f"{plan.name}（{plan.id} 第 {plan.version} 版）")
    for stage in plan.stages:
        print(f"环节：{stage['name']}  {display.date_text(stage['start'])}至{display.date_text(stage['end'])}")
        for action in plan.actions:
            if action["stage"] == stage["id"]:
                scope = "、".join(action["applies_to"]["unit_kinds"])
                if action["applies_to"]["county_level_team"]:
                    scope += "（有县处级领导班子的）"
                print(f"  [{action['kind']}] {action['name']}  标准：{measure_text(action)}  "
                      f"时限：{display.date_text(action['due'])}  适用：{scope}"
                      + ("  可标为不适用" if action["not_applicable_allowed"] else ""))
    for survey in plan.surveys:
        print(f"民意调查：{survey['name']}  {display.date_text(survey['on'])}")
    return 0


def cmd_plan_load(args) -> int:
    _open(args)
    plan = load_file(args.file)
    if progress.load_plan(plan):
        print(f"已载入活动安排 {plan.id} 第 {plan.version} 版；下次导出同步包时发给各督导组。")
    else:
        print(f"活动安排 {plan.id} 第 {plan.version} 版已载入过，内容相同，未作改动。")
    return 0


def cmd_progress(args) -> int:
    _open(args)
    rows = progress.progress(args.unit)
    if args.json:
        _print([{
            "unit": r.unit_name, "unit_id": r.unit_id, "action": r.action_name, "action_id": r.action_id,
            "kind": r.action_kind, "stage": r.stage, "measure": r.measure, "state": r.state,
            "state_label": r.state_label, "due": r.due, "done_on": r.done_on, "amount": r.amount,
            "evidence": r.evidence, "reason": r.reason or None, "plan_version": r.plan_version,
        } for r in rows])
        return 0
    for r in rows:
        line = f"{r.unit_name}  {r.action_name}  {r.state_label}  时限：{display.date_text(r.due)}"
        if r.state == "done":
            line += f"  完成：{display.date_text(r.done_on)}  佐证：{'；'.join(e['text'] for e in r.evidence)}"
        elif r.state == "not_applicable":
            line += f"  理由：{r.reason}"
        print(line)
    counts = {label: sum(1 for r in rows if r.state_label == label) for label in progress.STATE_LABELS.values()}
    print(f"共 {len(rows)} 项：" + "，".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def cmd_progress_done(args) -> int:
    _open(args)
    evidence = [{"kind": "visit", "id": v} for v in args.visit or []]
    evidence += [{"kind": "attachment", "id": a} for a in args.attachment or []]
    evidence += [{"kind": "document", "title": t} for t in args.document or []]
    progress.confirm_done(args.unit, args.action, args.on, evidence, args.amount)
    print("已确认完成。")
    return 0


def cmd_progress_not_applicable(args) -> int:
    _open(args)
    progress.mark_not_applicable(args.unit, args.action, args.reason)
    print("已标为不适用。")
    return 0


def cmd_progress_reopen(args) -> int:
    _open(args)
    print("已撤销确认。" if progress.reopen(args.unit, args.action) else "该项没有确认记录，未作改动。")
    return 0


def cmd_survey_record(args) -> int:
    _open(args)
    surveys.record_result(args.unit, args.round, args.sample, args.satisfied, args.basic, args.unsatisfied)
    print("已录入民意调查结果。")
    return 0


def cmd_survey_ranking(args) -> int:
    _open(args)
    rows = surveys.ranking(args.round)
    if args.json:
        _print([r.as_dict() for r in rows])
        return 0
    if not rows:
        print("还没有民意调查结果。")
        return 0
    print(rows[0].survey_name)
    for r in rows:
        line = f"第 {r.rank}/{r.of} 名  {r.unit_name}  满意率 {r.rate:.1f}%（样本 {r.sample}）"
        if r.extended:
            line += f"  延长活动时间至 {display.date_text(r.extended_until)}：{r.why}"
        print(line)
    return 0


def survey_list() -> tuple[list[dict], tuple[tuple[str, str], ...]]:
    """`list surveys`: every unit's result in every round held, with its rank and extension."""
    rows = [row.list_dict() for row in surveys.all_results()]
    columns = (("round_name", "轮次"), ("unit", "单位"), ("sample", "样本"), ("satisfied", "满意"),
               ("basically_satisfied", "基本满意"), ("unsatisfied", "不满意"), ("rate", "满意率%"),
               ("rank", "名次"), ("below_line", "低于满意线"), ("extended_until", "延长活动时间至"))
    return rows, columns


def register(subparsers) -> None:
    p = subparsers.add_parser("plan", help="活动进度安排：查看、载入新版本（活动办）")
    sub = p.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    q = sub.add_parser("show", help="显示当前活动安排（环节、规定动作、时限、民意调查）")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_plan_show)
    q = sub.add_parser("load", help="活动办载入修改后的活动安排（JSON，版本号须提高）")
    q.add_argument("file", metavar="FILE")
    q.set_defaults(func=cmd_plan_load)
    p = subparsers.add_parser("progress", help="各单位规定动作的完成情况（已完成、待完成、已逾期、不适用）")
    p.add_argument("--unit", metavar="ID", help="只看一个单位")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_progress)
    marks = p.add_subparsers(dest="progress_command", metavar="ACTION", required=False)
    q = marks.add_parser("done", help="确认某单位的一项规定动作已完成（须有佐证）")
    q.add_argument("--unit", required=True, metavar="ID")
    q.add_argument("--action", required=True, metavar="ID", help="规定动作（plan show --json 中 actions 的 id）")
    q.add_argument("--on", required=True, metavar="DATE", help="完成日期，如 2014-04-08")
    q.add_argument("--visit", action="append", metavar="ID", help="作为佐证的督导记录（可多次）")
    q.add_argument("--attachment", action="append", metavar="ID", help="作为佐证的附件（可多次）")
    q.add_argument("--document", action="append", metavar="TITLE", help="作为佐证的文件材料名称（可多次）")
    q.add_argument("--amount", type=int, metavar="N", help="完成数量（按天数或次数计的规定动作）")
    q.set_defaults(func=cmd_progress_done)
    q = marks.add_parser("not-applicable", help="标为不适用（仅安排允许的项目，须写明理由）")
    q.add_argument("--unit", required=True, metavar="ID")
    q.add_argument("--action", required=True, metavar="ID")
    q.add_argument("--reason", required=True)
    q.set_defaults(func=cmd_progress_not_applicable)
    q = marks.add_parser("reopen", help="撤销确认（该项重新计为待完成或已逾期）")
    q.add_argument("--unit", required=True, metavar="ID")
    q.add_argument("--action", required=True, metavar="ID")
    q.set_defaults(func=cmd_progress_reopen)
    p = subparsers.add_parser("survey", help="民意调查：录入结果（活动办）、排名及延长活动时间")
    sub = p.add_subparsers(dest="survey_command", metavar="ACTION", required=True)
    q = sub.add_parser("record", help="活动办录入一个单位某轮民意调查的结果")
    q.add_argument("--unit", required=True, metavar="ID")
    q.add_argument("--round", required=True, metavar="ID", help="调查轮次（plan show --json 中 surveys 的 id）")
    q.add_argument("--sample", required=True, metavar="N")
    q.add_argument("--satisfied", required=True, metavar="N", help="满意人数")
    q.add_argument("--basic", required=True, metavar="N", help="基本满意人数")
    q.add_argument("--unsatisfied", required=True, metavar="N", help="不满意人数")
    q.set_defaults(func=cmd_survey_record)
    q = sub.add_parser("ranking", help="某轮（默认最近一轮）的排名；排名靠后或满意率低于标准的单位延长活动时间")
    q.add_argument("--round", metavar="ID")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_survey_ranking)
