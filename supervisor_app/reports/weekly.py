"""督导工作周报: one group's week for the office — the visits it made, what it found (by category
and severity), what was rectified that week, and what falls due the week after (rectification
deadlines and the plan's 规定动作).

Whose records: a visit is the group's when it was made by the group; a finding when the visit it
was found on was (a finding recorded without a visit: when its unit is assigned to the group); a
rectification is its finding's. The week runs Monday to Sunday.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from .. import campaigns, display, findings, members, progress, visits
from ..clock import chinese_date, today
from ..errors import ValidationError
from ..rules.findings import DONE_STATUSES
from .common import category_text, completion_text, group_order, problem_text, stacked_date
from .layout import Document, Writer

TITLE = "督导工作周报"
DISTRIBUTION = (("报送", "市委教育实践活动领导小组办公室。"),)


@dataclass
class Week:
    """What one group did and owes in one week — the figures the 周报 prints."""

    group_id: str
    group_name: str
    start: date  # Monday
    end: date  # Sunday
    visits: list = field(default_factory=list)  # Visit, oldest first
    found: list = field(default_factory=list)  # LedgerRow of findings found this week
    rectified: list = field(default_factory=list)  # LedgerRow completed or verified this week
    due_rectifications: list = field(default_factory=list)  # LedgerRow due next week, not done
    due_actions: list = field(default_factory=list)  # ActionState due next week, not done
    overdue_rectifications: int = 0  # as of the week's end (or today, when that is sooner)
    overdue_actions: int = 0

    @property
    def next_start(self) -> date:
        return self.end + timedelta(days=1)

    @property
    def next_end(self) -> date:
        return self.end + timedelta(days=7)


def week_of(day) -> tuple[date, date]:
    """(Monday, Sunday) of the week that holds ``day`` ('YYYY-MM-DD' or a date; default today)."""
    if day in (None, ""):
        day = today()
    elif not isinstance(day, date):
        parsed = display.parse_date(day) if len(str(day).strip()) == 10 else None
        if parsed is None:
            raise ValidationError(f"周报的日期须为 YYYY-MM-DD（收到：{day}）。", field="--week")
        day = parsed
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=6)


def resolve_group(group) -> tuple[str, str]:
    """(id, name) of the group named or numbered ``group``; this installation's own when None."""
    groups = members.list_groups()
    if group in (None, ""):
        own = members.current_group()
        if own is not None:
            return own.id, own.name
        names = "、".join(g.name for g in sorted(groups, key=lambda g: group_order(g.name))) or "（还没有督导组）"
        raise ValidationError(f"请指定督导组（名称或编号）：{names}。", field="--group")
    text = str(group).strip()
    for g in groups:
        if text in (g.id, g.name):
            return g.id, g.name
    names = "、".join(g.name for g in sorted(groups, key=lambda g: group_order(g.name))) or "（还没有督导组）"
    raise ValidationError(f"没有名为“{text}”的督导组。已有的督导组：{names}。", field="--group")


def collect(group=None, week=None) -> Week:
    """The week's figures for ``group`` (name or id; default this installation's), from the services."""
    group_id, group_name = resolve_group(group)
    start, end = week_of(week)
    result = Week(group_id, group_name, start, end)
    days = (start.isoformat(), end.isoformat())
    result.visits = sorted(
        (v for v in visits.list_visits(visits.VisitFilter(date_from=days[0], date_to=days[1]))
         if v.group_id == group_id),
        key=lambda v: (v.started_at, v.id))
    visit_group = _visit_groups()
    assigned = {u.id for u in _units_of(group_id)}
    as_of = min(end, today())
    ledger = [r for r in findings.ledger(on=as_of) if _belongs(r, group_id, visit_group, assigned)]
    result.found = sorted((r for r in ledger if days[0] <= (r.finding.found_on or "") <= days[1]),
                          key=lambda r: (r.finding.found_on, r.finding.created_at))
    result.rectified = sorted((r for r in ledger if _closed_on(r) and days[0] <= _closed_on(r) <= days[1]),
                              key=lambda r: (_closed_on(r), r.finding.created_at))
    following = (result.next_start.isoformat(), result.next_end.isoformat())
    result.due_rectifications = sorted(
        (r for r in ledger if r.rectification is not None and r.rectification.status not in DONE_STATUSES
         and following[0] <= r.rectification.deadline <= following[1]),
        key=lambda r: (r.rectification.deadline, r.unit_name))
    result.overdue_rectifications = sum(1 for r in ledger if r.overdue)
    states = progress.due_soon(on=end, days=7, group_id=group_id)
    result.due_actions = [s for s in states if s.state == "due" and following[0] <= s.due <= following[1]]
    result.overdue_actions = sum(1 for s in progress.due_soon(on=as_of, days=0, group_id=group_id)
                                 if s.state == "overdue")
    return result


def _visit_groups() -> dict[str, str | None]:
    from ..models import Visit

    return dict(Visit.select(Visit.id, Visit.group).tuples())


def _units_of(group_id: str):
    from .. import units

    return [u for u in units.list_units() if u.group_id == group_id]


def _belongs(row: findings.LedgerRow, group_id: str, visit_group: dict, assigned: set[str]) -> bool:
    visit_id = row.finding.visit_id
    if visit_id and visit_id in visit_group:
        return visit_group[visit_id] == group_id
    return row.finding.unit_id in assigned


def _closed_on(row: findings.LedgerRow) -> str | None:
    """The day a rectification was verified, else completed (None while it is open)."""
    rect = row.rectification
    if rect is None or rect.status not in DONE_STATUSES:
        return None
    day = rect.verified_on if rect.status == "已核实" and rect.verified_on else rect.completed_on
    return day if display.parse_date(day) is not None else None


# --- the document ----------------------------------------------------------------------------------


def build(w: Writer, *, record_id: str | None = None, date_from=None, date_to=None) -> Document:
    """The 周报 of group ``record_id`` (default this installation's) for the week of ``date_from``."""
    week = collect(record_id, date_from)
    period = f"{chinese_date(week.start)}至{chinese_date(week.end)}"
    story = [w.title(TITLE), w.subtitle(f"（{week.group_name}　{period}）")]

    story.append(w.h1("本周督导情况"))
    unit_count = len({v.unit_id for v in week.visits})
    if week.visits:
        story.append(w.para(f"本周{week.group_name}到{unit_count}个单位督导{len(week.visits)}次，"
                            f"发现问题{len(week.found)}个，整改完成{len(week.rectified)}个。"))
        story.append(_visit_table(w, week.visits))
    else:
        story.append(w.para(f"本周{week.group_name}没有督导记录；发现问题{len(week.found)}个，"
                            f"整改完成{len(week.rectified)}个。"))

    story.append(w.h1("发现的问题"))
    story.extend(_found(w, week.found))

    story.append(w.h1("整改完成情况"))
    story.extend(_rectified(w, week.rectified))

    story.append(w.h1("下周到期事项"))
    story.extend(_due(w, week))

    label = f"督导工作周报（{week.group_name}，{period}）"
    return Document(title=f"{TITLE}（{week.group_name}，{period}）", author=week.group_name, subject=label,
                    record_label=label, story=story, issuer=week.group_name, distribution=DISTRIBUTION)


def _visit_table(w: Writer, rows):
    names = visits.member_names()
    data = [
        [str(n), stacked_date(v.started_at[:10]), display.related_name(v, "unit"), "、".join(display.names(v.methods)),
         "、".join(names.get(m, m) for m in display.names(v.members_present)) or "—"]
        for n, v in enumerate(rows, 1)
    ]
    return w.table(("序号", "日期", "单位", "督导方式", "督导组成员"), data, (12, 28, 44, 36, 36),
                   center_columns=(0, 1))


def _found(w: Writer, rows) -> list:
    if not rows:
        return [w.para("本周没有发现新的问题。")]
    severities = list(campaigns.active_template().severities)
    extra = sorted({r.finding.severity for r in rows} - set(severities))
    severities += extra
    by_category: dict[str, dict[str, int]] = {}
    for r in rows:
        counts = by_category.setdefault(r.finding.category, {})
        counts[r.finding.severity] = counts.get(r.finding.severity, 0) + 1
    counted = "，".join(f"{s}{sum(c.get(s, 0) for c in by_category.values())}个" for s in severities
                       if any(c.get(s) for c in by_category.values()))
    out = [w.para(f"本周发现问题{len(rows)}个（{counted}），涉及{len({r.finding.unit_id for r in rows})}个单位，"
                  f"按问题类别和严重程度统计如下。")]
    table_rows = [[category, *(str(c.get(s, 0)) for s in severities), str(sum(c.values()))]
                  for category, c in sorted(by_category.items(), key=lambda item: (-sum(item[1].values()), item[0]))]
    table_rows.append(["合计", *(str(sum(c.get(s, 0) for c in by_category.values())) for s in severities),
                       str(len(rows))])
    out.append(w.table(("问题类别", *severities, "合计"), table_rows,
                       (76, *([60 / len(severities)] * len(severities)), 20),
                       center_columns=range(1, len(severities) + 2)))
    data = [[str(n), r.unit_name, problem_text(r), category_text(r)] for n, r in enumerate(rows, 1)]
    out.append(w.keep_with_next(  # the sentence never ends a page without its table
        w.para("问题逐条列出如下。"),
        w.table(("序号", "单位", "问题", "类别"), data, (12, 34, 66, 44), center_columns=(0,))))
    return out


def _rectified(w: Writer, rows) -> list:
    if not rows:
        return [w.para("本周没有整改完成的问题。")]
    verified = sum(1 for r in rows if r.rectification.status == "已核实")
    data = [[str(n), r.unit_name, r.finding.description, r.rectification.measure, completion_text(r)]
            for n, r in enumerate(rows, 1)]
    return [
        w.para(f"本周整改完成问题{len(rows)}个，其中经督导组核实销号{verified}个、已完成待核实{len(rows) - verified}个。"),
        w.table(("序号", "单位", "问题", "整改措施", "完成情况"), data, (12, 32, 46, 36, 30), center_columns=(0,)),
    ]


def _due(w: Writer, week: Week) -> list:
    period = f"{chinese_date(week.next_start)}至{chinese_date(week.next_end)}"
    as_of = chinese_date(min(week.end, today()))
    out = []
    overdue = []
    if week.overdue_rectifications:
        overdue.append(f"整改逾期{week.overdue_rectifications}个")
    if week.overdue_actions:
        overdue.append(f"规定动作逾期{week.overdue_actions}项")
    note = f"截至{as_of}，{'、'.join(overdue)}，请督促落实。" if overdue else f"截至{as_of}，没有逾期事项。"
    if not week.due_rectifications and not week.due_actions:
        return [w.para(f"下周（{period}）没有到期的整改和规定动作。{note}")]
    due = [text for n, text in ((len(week.due_rectifications), f"整改{len(week.due_rectifications)}个"),
                                (len(week.due_actions), f"规定动作{len(week.due_actions)}项")) if n]
    out.append(w.para(f"下周（{period}）到期的{'、'.join(due)}，列出如下。{note}"))
    if week.due_rectifications:
        out.append(w.h2("到期的整改"))
        data = [[str(i), r.unit_name, r.finding.description, r.rectification.responsible,
                 stacked_date(r.rectification.deadline), r.rectification.status]
                for i, r in enumerate(week.due_rectifications, 1)]
        out.append(w.table(("序号", "单位", "问题", "责任人", "时限", "状态"), data, (12, 32, 50, 20, 24, 18),
                           center_columns=(0, 3, 4, 5)))
    if week.due_actions:
        out.append(w.h2("到期的规定动作"))
        grouped: dict[tuple[str, str, str], list[str]] = {}
        for s in week.due_actions:
            grouped.setdefault((s.due, s.action_name, s.measure), []).append(s.unit_name)
        data = [[str(i), f"{name}\n（{measure}）" if measure else name, stacked_date(due), str(len(names)),
                 "、".join(names)]
                for i, ((due, name, measure), names) in enumerate(sorted(grouped.items()), 1)]
        out.append(w.keep_with_next(
            w.para("按规定动作列出尚未完成的单位。"),
            w.table(("序号", "规定动作", "时限", "单位数", "尚未完成的单位"), data, (12, 44, 24, 18, 58),
                    center_columns=(0, 2, 3))))
    return out
