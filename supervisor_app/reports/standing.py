"""各督导组纪实评价情况 — for the 市委常委会's dedicated meeting: per group, the 纪实评价 it
signed (teams and leaders, overall ratings, the items rated 一般 or 差 with their facts), what
is pending signature, and the group's own record (visits, days on site of its 组长, findings,
rectification rate)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .. import campaigns, display, evaluations, members, units
from ..models import EvaluationRecord, Finding, Rectification, Visit, alive
from ..rules.findings import DONE_STATUSES
from .common import group_order, issuer, period_text
from .layout import Document, Writer, percent

TITLE = "各督导组纪实评价情况报告"
DISTRIBUTION = (("报送", "市委常委会。"), ("抄送", "市委教育实践活动领导小组，各督导组。"))
KIND_WORDS = {"team": "领导班子", "leader": "领导干部"}


@dataclass
class GroupRecord:
    """One group's own record and its evaluations over the period."""

    group_id: str | None
    name: str
    leader: str = ""
    visits: int = 0
    leader_days: int = 0  # distinct days of the group's visits its 组长 was present at
    findings: int = 0  # found at the group's visits
    rectified: int = 0  # of those, rectification 已完成 or 已核实
    signed: list[EvaluationRecord] = field(default_factory=list)
    pending: list[EvaluationRecord] = field(default_factory=list)

    @property
    def rectification_rate(self) -> float | None:
        return self.rectified / self.findings if self.findings else None


def _in_period(day: str, date_from, date_to) -> bool:
    return (not date_from or day[:10] >= date_from) and (not date_to or day[:10] <= date_to)


def group_records(date_from: str | None = None, date_to: str | None = None) -> list[GroupRecord]:
    """Every group's record (in the groups' order), and a last one for visits or evaluations
    that name no group (when there are any)."""
    groups = sorted(members.list_groups(), key=lambda g: group_order(g.name))
    records = {g.id: GroupRecord(g.id, g.name) for g in groups}
    leaders = {}
    for g in groups:
        leader = members.group_leader(g)
        if leader is not None:
            records[g.id].leader = leader.name
            leaders[g.id] = leader.id

    def record_of(group_id):
        if group_id not in records:
            records[group_id] = GroupRecord(group_id, "未注明督导组" if group_id is None else
                                            display.missing(group_id))
        return records[group_id]

    days = defaultdict(set)
    visit_group = {}
    for visit_id, group_id, started_at, present in (Visit.select(Visit.id, Visit.group, Visit.started_at,
                                                                  Visit.members_present)
                                                    .where(alive(Visit)).tuples()):
        if not _in_period(started_at or "", date_from, date_to):
            continue
        visit_group[visit_id] = group_id
        record_of(group_id).visits += 1
        present = display.loads(present) if isinstance(present, str) else present
        if group_id in leaders and isinstance(present, list) and leaders[group_id] in present:
            days[group_id].add((started_at or "")[:10])
    for group_id, seen in days.items():
        records[group_id].leader_days = len(seen)
    done = {f for f, s in Rectification.select(Rectification.finding, Rectification.status)
            .where(alive(Rectification)).tuples() if s in DONE_STATUSES}
    for finding_id, visit_id in Finding.select(Finding.id, Finding.visit).where(alive(Finding)).tuples():
        if visit_id in visit_group:
            record = record_of(visit_group[visit_id])
            record.findings += 1
            record.rectified += finding_id in done
    for record in evaluations.list_evaluations():
        if date_from and record.period_end < date_from or date_to and record.period_start > date_to:
            continue
        target = record_of(record.group_id)
        (target.signed if record.signed_at else target.pending).append(record)
    for r in records.values():
        r.signed.sort(key=_evaluation_order)
        r.pending.sort(key=_evaluation_order)
    ordered = [records[g.id] for g in groups]
    ordered += [r for key, r in records.items() if key not in {g.id for g in groups}]
    return ordered


def _evaluation_order(record: EvaluationRecord):
    return (record.subject_kind != "team", display.related_name(record, "unit"), evaluations.subject_name(record))


def build(w: Writer, *, record_id: str | None = None, date_from=None, date_to=None) -> Document:
    """The report of every group over the period."""
    tpl = campaigns.active_template()
    scale = tpl.scale("evaluation")
    weak = scale[-2:]  # 一般 and 差 on the default scale
    groups = group_records(date_from, date_to)
    path_of = dict(units.unit_paths())
    period = period_text(date_from, date_to)
    signed = [e for g in groups for e in g.signed]
    pending = [e for g in groups for e in g.pending]
    views = {e.id: evaluations.current_view(e) for e in signed}
    story = [w.title(TITLE), w.subtitle(f"（{period}）")]
    story.append(w.h1("总体情况"))
    teams = sum(1 for e in signed if e.subject_kind == "team")
    counted = _rating_counts([views[e.id] for e in signed], scale)
    story.append(w.para(
        f"{period}，{sum(1 for g in groups if g.visits or g.signed or g.pending)}个督导组督导{sum(g.visits for g in groups)}次，"
        f"发现问题{sum(g.findings for g in groups)}个；组长签署纪实评价{len(signed)}份，其中领导班子{teams}份、"
        f"领导干部{len(signed) - teams}份"
        + (f"，总体评价{counted}" if signed else "")
        + f"；尚待签署{len(pending)}份。"))
    story.append(_record_table(w, groups))
    story.append(w.small("驻点天数：组长在场的督导记录所在的不同日期数。整改完成率：督导组发现的问题中，"
                         "整改已完成或已核实的所占比例。"))

    story.append(w.h1("各督导组纪实评价情况"))
    active = [g for g in groups if g.visits or g.signed or g.pending]
    for group in active:
        story.extend(_group_section(w, group, views, tpl, weak, path_of))
    if not active:
        story.append(w.para("期间内各督导组尚无督导记录和纪实评价。"))
    label = f"各督导组纪实评价情况报告（{period}）"
    return Document(title=f"{TITLE}（{period}）", author=issuer(), subject=label, record_label=label, story=story,
                    issuer=issuer(), distribution=DISTRIBUTION)


def _rating_counts(views, scale) -> str:
    counts = defaultdict(int)
    for view in views:
        counts[display.scale_text(view.overall_rating, scale) or "未评"] += 1
    order = [s for s in scale if counts.get(s)] + sorted(k for k in counts if k not in scale)
    return "、".join(f"{k}{counts[k]}份" for k in order)


def _record_table(w: Writer, groups: list[GroupRecord]):
    rows = [[str(n), g.name, g.leader or "—", str(g.visits), str(g.leader_days), str(g.findings),
             percent(g.rectification_rate) if g.findings else "—"] for n, g in enumerate(groups, 1)]
    return w.table(("序号", "督导组", "组长", "督导次数", "驻点天数", "发现问题", "整改完成率"), rows,
                   (14, 40, 18, 20, 20, 20, 24), center_columns=(0, 2, 3, 4, 5, 6))


def _group_section(w: Writer, group: GroupRecord, views, tpl, weak, path_of: dict[str, str]) -> list:
    scale = tpl.scale("evaluation")
    out = [w.h2(group.name)]
    rate = f"，整改完成率{percent(group.rectification_rate)}" if group.findings else ""
    leader = f"组长{group.leader}驻点{group.leader_days}天，" if group.leader else ""
    out.append(w.para(f"督导{group.visits}次，{leader}发现问题{group.findings}个，"
                      f"整改完成{group.rectified}个{rate}。"))
    if group.signed:
        teams = sum(1 for e in group.signed if e.subject_kind == "team")
        out.append(w.para(f"组长签署纪实评价{len(group.signed)}份（领导班子{teams}份、领导干部{len(group.signed) - teams}份），"
                          f"总体评价{_rating_counts([views[e.id] for e in group.signed], scale)}："))
        rows = []
        for n, e in enumerate(group.signed, 1):
            view = views[e.id]
            overall = display.scale_text(view.overall_rating, scale) or "未评"
            if view.is_amended("overall_rating"):
                overall += "（已更正）"
            rows.append([str(n), evaluations.subject_name(e), KIND_WORDS.get(e.subject_kind, e.subject_kind),
                         path_of.get(e.unit_id) or display.related_name(e, "unit"), overall])
        out.append(w.table(("序号", "评价对象", "类别", "所在单位", "总体评价"), rows, (12, 50, 22, 48, 24),
                           center_columns=(0, 2, 4)))
        weak_rows = _weak_items(group.signed, views, tpl, weak)
        if weak_rows:
            out.append(w.para(f"评为{'或'.join(weak)}的评价项目及其纪实如下："))
            out.append(w.table(("评价对象", "评价项目和评价", "纪实"), weak_rows, (30, 46, 80)))
        else:
            out.append(w.para(f"已签署的纪实评价中没有评为{'或'.join(weak)}的评价项目。"))
    else:
        out.append(w.para("期间内尚无组长签署的纪实评价。"))
    if group.pending:
        rows = [[str(n), evaluations.subject_name(e), KIND_WORDS.get(e.subject_kind, e.subject_kind),
                 path_of.get(e.unit_id) or display.related_name(e, "unit"), period_text(e.period_start, e.period_end)]
                for n, e in enumerate(group.pending, 1)]
        out.append(w.para(f"尚待组长签署的纪实评价{len(group.pending)}份："))
        out.append(w.table(("序号", "评价对象", "类别", "所在单位", "评价期间"), rows, (12, 44, 22, 40, 38),
                           center_columns=(0, 2)))
    return out


def _fact_line(fact) -> str:
    day = display.date_text(fact.on_date)
    text = fact.text.strip().rstrip("。")
    return text if text.startswith(day) else f"{day}，{text}"


def _weak_items(records, views, tpl, weak) -> list[list[str]]:
    """One row per evaluation with items at the lower steps: subject, the items, the facts."""
    rows = []
    for e in records:
        ratings = views[e.id].item_ratings
        items = []
        for item in display.evaluation_items(display.template_of(e), e.subject_kind):
            entry = ratings.get(item["id"], {})
            if entry.get("rating") in weak:
                comment = (entry.get("comment") or "").strip().rstrip("。")
                items.append(f"{item['name']}：{entry['rating']}" + (f"（{comment}）" if comment else ""))
        if items:
            facts = [_fact_line(f) for f in evaluations.facts(e) if f.state == "accepted"]
            rows.append([evaluations.subject_name(e), "；\n".join(items) + "。",
                         "；\n".join(facts) + "。" if facts else "（无纪实）"])
    return rows


def weak_item_count(records=None) -> int:
    """How many signed evaluations have items at the lower two steps of the scale."""
    tpl = campaigns.active_template()
    weak = tpl.scale("evaluation")[-2:]
    signed = [e for e in (records if records is not None else evaluations.list_evaluations()) if e.signed_at]
    return len(_weak_items(signed, {e.id: evaluations.current_view(e) for e in signed}, tpl, weak))



RECORD_HEADER = ("督导组", "组长", "督导次数", "驻点天数", "发现问题", "整改完成", "整改完成率", "已签署评价", "待签署评价")


def table_rows(date_from: str | None = None, date_to: str | None = None) -> list[list]:
    """Each group's record as plain rows (RECORD_HEADER; the rate a fraction or None) — for a
    spreadsheet export."""
    return [[g.name, g.leader, g.visits, g.leader_days, g.findings, g.rectified, g.rectification_rate,
             len(g.signed), len(g.pending)] for g in group_records(date_from, date_to)]
