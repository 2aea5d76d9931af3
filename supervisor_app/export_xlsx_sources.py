"""What the workbook holds: the lists (as `list …`, `progress` and `survey ranking` give them)
and the tables of 督导工作汇总, each built from the same service functions as those."""

from __future__ import annotations

from . import (
    assessments,
    campaigns,
    display,
    evaluations,
    findings,
    progress,
    surveys,
    units,
    visits,
)
from .clock import today
from .xlsx_workbook import BOOL, DATE, INT, NUMBER, PERCENT, TEXT, Table


def register_all(register) -> None:
    """Offer every built-in source, in workbook order."""
    register("units", "单位", units_tables)
    register("leaders", "领导干部", leaders_tables)
    register("visits", "督导记录", visits_tables)
    register("findings", "发现问题", findings_tables)
    register("rectifications", "问题整改", rectifications_tables)
    register("evaluations", "纪实评价", evaluations_tables)
    register("progress", "规定动作进度", progress_tables)
    register("surveys", "民意调查", surveys_tables)
    register("summary", "督导工作汇总各表", summary_tables)
    register("calibration", "各督导组评定尺度", calibration_tables)


def calibration_tables(date_from=None, date_to=None) -> list[Table]:
    """Each group's (and member's) leniency, as the 校准 page and the summary show it."""
    from . import calibration
    from .reports.common import group_order

    result = calibration.calibrate(date_from, date_to, order=group_order)
    return [Table("各督导组评定尺度", calibration.TABLE_HEADER, calibration.table_rows(result),
                  (TEXT, TEXT, INT, INT, NUMBER, NUMBER, NUMBER, PERCENT, TEXT))]


def _group_names() -> dict[str, str]:
    return {g.id: g.name for g in campaigns.list_groups()}


def units_tables(date_from=None, date_to=None) -> list[Table]:
    groups = _group_names()
    rows = []
    for u in units.list_units():
        parent = display.related_name(u, "parent") if u.parent_id else ""
        rows.append([units.unit_path(u), u.name, u.kind, parent,
                     groups.get(u.group_id, display.missing(u.group_id)) if u.group_id else "", u.id])
    return [Table("单位", ("单位", "名称", "类别", "上级单位", "督导组", "编号"), rows,
                  (TEXT, TEXT, TEXT, TEXT, TEXT, TEXT))]


def leaders_tables(date_from=None, date_to=None) -> list[Table]:
    rows = [[leader.name, leader.position, display.related_name(leader, "unit"), leader.is_top_leader,
             display.related_name(leader, "team") if leader.team_id else "", leader.id]
            for leader in units.list_leaders()]
    return [Table("领导干部", ("姓名", "职务", "单位", "主要负责人", "领导班子", "编号"), rows,
                  (TEXT, TEXT, TEXT, BOOL, TEXT, TEXT))]


def visits_tables(date_from=None, date_to=None) -> list[Table]:
    names = visits.member_names()
    groups = _group_names()
    rows = []
    for v in visits.list_visits(visits.VisitFilter(date_from=date_from, date_to=date_to)):
        rows.append([
            v.started_at, display.minute_text(v.started_at)[11:], display.related_name(v, "unit"),
            groups.get(v.group_id, display.missing(v.group_id)) if v.group_id else "",
            display.names(v.methods), [names.get(m, m) for m in display.names(v.members_present)],
            v.people_met, v.notes, v.id,
        ])
    return [Table("督导记录", ("日期", "时间", "单位", "督导组", "督导方式", "督导组成员", "接触人员", "督导情况", "编号"),
                  rows, (DATE, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT))]


def findings_tables(date_from=None, date_to=None) -> list[Table]:
    rows = []
    for f in findings.list_findings():
        rows.append([f.found_on, display.related_name(f, "unit"), f.category, f.sub_kind, f.severity,
                     f.description, display.related_name(f, "leader") if f.leader_id else "",
                     f.closed, f.visit_id or "", f.id])
    return [Table("发现问题", ("发现日期", "单位", "问题类别", "具体情形", "程度", "问题表现", "涉及领导干部",
                               "已销号", "督导记录编号", "编号"),
                  rows, (DATE, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, BOOL, TEXT, TEXT))]


def rectifications_tables(date_from=None, date_to=None) -> list[Table]:
    rows = []
    for row in findings.ledger():
        r = row.rectification
        if r is None:
            continue
        rows.append([row.unit_name, row.finding.description, r.measure, r.responsible, r.deadline, r.status,
                     row.overdue, r.completed_on, r.verified_on, r.verified_by, r.verification_note,
                     row.finding.id, r.id])
    return [Table("问题整改", ("单位", "问题", "整改措施", "责任人", "整改时限", "状态", "逾期", "完成日期",
                               "核实日期", "核实人", "核实意见", "问题编号", "编号"),
                  rows, (TEXT, TEXT, TEXT, TEXT, DATE, TEXT, BOOL, DATE, DATE, TEXT, TEXT, TEXT, TEXT))]


def evaluations_tables(date_from=None, date_to=None) -> list[Table]:
    kinds = {"leader": "领导干部", "team": "领导班子"}
    rows = []
    for e in evaluations.list_evaluations():
        rows.append([evaluations.subject_name(e), kinds.get(e.subject_kind, e.subject_kind),
                     display.related_name(e, "unit"), e.period_start, e.period_end,
                     evaluations.STATUS_LABELS.get(evaluations.status(e), evaluations.status(e)),
                     e.overall_rating, _local_day(e.signed_at), e.id])
    return [Table("纪实评价", ("评价对象", "对象类别", "单位", "期间起", "期间止", "状态", "总体评价", "签署日期", "编号"),
                  rows, (TEXT, TEXT, TEXT, DATE, DATE, TEXT, TEXT, DATE, TEXT))]


def progress_tables(date_from=None, date_to=None) -> list[Table]:
    rows = [[r.unit_name, r.action_name, r.action_kind, r.stage, r.measure, r.due, r.state_label, r.done_on,
             r.amount, [e.get("text", "") for e in r.evidence], r.reason]
            for r in progress.progress()]
    return [Table("规定动作进度", ("单位", "规定动作", "类别", "环节", "标准", "时限", "状态", "完成日期", "数量",
                                   "佐证", "理由"),
                  rows, (TEXT, TEXT, TEXT, TEXT, TEXT, DATE, TEXT, DATE, INT, TEXT, TEXT))]


def surveys_tables(date_from=None, date_to=None) -> list[Table]:
    plan = progress.current_plan()
    rows = []
    for survey in plan.surveys:
        for r in surveys.ranking(survey["id"], plan=plan):
            rows.append([r.survey_name, r.rank, r.of, r.unit_name, r.unit_kind, r.sample, r.satisfied,
                         r.basically_satisfied, r.unsatisfied, r.rate / 100, r.extended, r.extended_until, r.why])
    return [Table("民意调查", ("轮次", "名次", "参加排名单位数", "单位", "类别", "样本", "满意", "基本满意", "不满意",
                               "满意率", "延长活动时间", "延长至", "理由"),
                  rows, (TEXT, INT, INT, TEXT, TEXT, INT, INT, INT, INT, PERCENT, BOOL, DATE, TEXT))]


# --- 督导工作汇总 -----------------------------------------------------------------------------------


def summary_tables(date_from=None, date_to=None) -> list[Table]:
    """The tables of 督导工作汇总 over the period, computed as reports/summary.py computes them.

    Unlike the PDF, no row is left out (every overdue rectification, every unit), so that the
    statistician can filter for themselves; the PDF's 合计 row is left to Excel's own sums.
    """
    from .reports.common import group_order
    from .reports.summary import figures

    f = figures(date_from, date_to)
    tpl, paths, name_of, levels, ranking = f.tpl, f.paths, f.name_of, f.levels, f.ranking
    unit_visits, group_visits, accuracy, rows, overdue = f.unit_visits, f.group_visits, f.accuracy, f.rows, f.overdue
    people = sum(p for p, _ in accuracy.values())
    mean = sum(p * a for p, a in accuracy.values()) / people if people else None
    out = [Table(
        "汇总_总体情况",
        ("起始日期", "截止日期", "督导组数", "督导单位数", "督导次数", "作出倾向评估的单位数", "发现问题", "整改逾期",
         "逾期计算日", "知识问答参测人次", "平均正确率"),
        [[date_from, date_to, sum(1 for g, n in group_visits.items() if g and n), len(unit_visits),
          sum(unit_visits.values()), len(levels), len(rows), len(overdue), today(), people, mean]],
        (DATE, DATE, INT, INT, INT, INT, INT, INT, DATE, INT, PERCENT),
    )]
    out.append(Table(
        "汇总_倾向评定",
        ("单位", *(t["name"] for t in tpl.tendencies)),
        [[path, *(levels[unit_id].get(t["id"]) for t in tpl.tendencies)]
         for unit_id, path in paths if levels.get(unit_id)],
        (TEXT, *([TEXT] * len(tpl.tendencies))),
    ))
    scale = tpl.scale("tendency")
    marked = scale[-2] if len(scale) > 1 else scale[-1]
    ranked = []
    for rank, unit_id, score in ranking:
        serious = [f"{t['name']}（{levels[unit_id][t['id']]}）" for t in tpl.tendencies
                   if levels[unit_id].get(t["id"]) in scale
                   and assessments.tendency_score(levels[unit_id][t["id"]], tpl)
                   >= assessments.tendency_score(marked, tpl)]
        ranked.append([rank, name_of.get(unit_id, unit_id), score, serious])
    out.append(Table("汇总_倾向问题排名", ("名次", "单位", "分值", f"{marked}及以上的倾向"), ranked,
                     (INT, TEXT, INT, TEXT)))
    on = today()
    out.append(Table(
        "汇总_整改逾期事项",
        ("单位", "问题", "问题类别", "发现日期", "整改措施", "责任人", "整改时限", "逾期天数", "状态"),
        [[name_of.get(r.finding.unit_id, r.unit_name), r.finding.description, r.finding.category, r.finding.found_on,
          r.rectification.measure, r.rectification.responsible, r.rectification.deadline,
          _days_late(r.rectification.deadline, on), r.rectification.status] for r in overdue],
        (TEXT, TEXT, TEXT, DATE, TEXT, TEXT, DATE, INT, TEXT),
    ))
    found: dict[str, int] = {}
    late: dict[str, int] = {}
    for r in rows:
        found[r.finding.unit_id] = found.get(r.finding.unit_id, 0) + 1
        if r.overdue:
            late[r.finding.unit_id] = late.get(r.finding.unit_id, 0) + 1
    unit_rows = []
    for unit_id, path in paths:
        tested, rate = accuracy.get(unit_id, (0, None))
        if unit_visits.get(unit_id) or found.get(unit_id) or tested:
            unit_rows.append([path, unit_visits.get(unit_id, 0), found.get(unit_id, 0), late.get(unit_id, 0), tested,
                              rate if tested else None])
    out.append(Table("汇总_各单位督导和知识问答", ("单位", "督导次数", "发现问题", "整改逾期", "参测人数", "正确率"),
                     unit_rows, (TEXT, INT, INT, INT, INT, PERCENT)))
    assigned: dict[str, int] = {}
    for unit in units.list_units():
        if unit.group_id:
            assigned[unit.group_id] = assigned.get(unit.group_id, 0) + 1
    group_rows = [[g.name, assigned.get(g.id, 0), group_visits.get(g.id, 0)]
                  for g in sorted(campaigns.list_groups(), key=lambda g: group_order(g.name))]
    if group_visits.get(None):
        group_rows.append(["未注明督导组", None, group_visits[None]])
    out.append(Table("汇总_各督导组督导情况", ("督导组", "负责单位数", "督导次数"), group_rows, (TEXT, INT, INT)))
    return out


def _local_day(moment):
    """A stored UTC moment as its local date (the raw value, to be marked, when it is not one)."""
    parsed = display.parse_moment(moment) if moment else None
    return parsed.astimezone().date() if parsed is not None else moment


def _days_late(deadline: str, on) -> int | None:
    day = display.parse_date(deadline)
    return (on - day).days if day is not None else None
