"""问题整改台账: 序号 | 问题 | 类别 | 整改措施 | 责任人 | 时限 | 完成情况, for one unit or for all,
overdue rows marked; grouped by 整改方案 (each plan's problems in its item order, with its state,
adoption and 公示), the problems in no plan last under their own heading."""

from __future__ import annotations

from .. import findings, units
from .. import rectification_plans as plans
from ..clock import chinese_date, today
from .common import category_text, completion_text, group_name, period_text, problem_text, stacked_date
from .layout import Document, Writer

TITLE = "问题整改台账"
HEADER = ("序号", "问题", "类别", "整改措施", "责任人", "时限", "完成情况")
# mm. In 五号 (3.656 mm a character, 2.1 mm of padding): 序号 2 characters a line, 问题 9 (2026年11月
# 24日发现 on one line), 类别 7 (有形式主义趋向 whole), 整改措施 6, 责任人 3, 时限 4 (11月24日), 完成情况 a
# date (2026年11月24日) — no cell line of one or two characters (tests/test_reports_proofread.py).
WIDTHS = (9.7, 35.5, 28, 24.3, 13.5, 17, 28)
TABLE_SIZE = 10.5  # 五号


def _rows(unit_id: str | None, date_from, date_to) -> list[findings.LedgerRow]:
    rows = findings.ledger(unit_id)
    if date_from:
        rows = [r for r in rows if r.finding.found_on >= date_from]
    if date_to:
        rows = [r for r in rows if r.finding.found_on <= date_to]
    rows.sort(key=lambda r: (r.finding.found_on, r.finding.created_at))
    return rows


def build(w: Writer, *, record_id: str | None, date_from=None, date_to=None) -> Document:
    """The ledger of unit ``record_id``, or of every unit when it is None."""
    unit = units.get_unit(record_id) if record_id else None
    rows = _rows(unit.id if unit else None, date_from, date_to)
    scope = units.unit_path(unit) if unit else "全部单位"
    group = group_name(unit.group_id if unit else None)
    story = [w.title(TITLE), w.subtitle(f"（{scope}）")]
    if date_from or date_to:
        story.append(w.subtitle(f"（{period_text(date_from, date_to)}发现的问题）"))
    on = today()
    groups = plans.group_ledger(rows, unit.id if unit else None)
    planned = {finding_id for part in groups for finding_id in part.items}
    story.append(w.para(_summary(rows, on, planned)))
    if not rows:
        return _document(unit, group, story, date_from, date_to)
    names = plans.leader_names(groups)
    if unit is not None:
        for part in groups:
            _group(w, story, part, names, heading=w.h1)
    else:
        for part in groups:
            if part.plan is not None:
                _group(w, story, part, names, heading=w.h1)
                continue
            story.append(w.h1(plans.OUTSIDE_PLANS))  # the per-unit （一）（二） headings sit under it
            by_unit: dict[str, list[findings.LedgerRow]] = {}
            for row in part.rows:
                by_unit.setdefault(row.finding.unit_id, []).append(row)
            for unit_id, path in units.unit_paths():
                if unit_id in by_unit:
                    story.append(w.h2(path))
                    story.append(table(w, by_unit.pop(unit_id)))
            for unit_rows in by_unit.values():  # units deleted or missing: their findings are still listed
                story.append(w.h2(unit_rows[0].unit_name))
                story.append(table(w, unit_rows))
    story.append(w.small(f"注：底色标红并注明【已逾期】的，为截至{chinese_date(on)}超过整改时限仍未完成的事项。"))
    return _document(unit, group, story, date_from, date_to)


def _summary(rows, on, planned: set[str] = frozenset()) -> str:
    if not rows:
        return "没有问题记录。"
    verified = sum(1 for r in rows if r.rectification is not None and r.rectification.status == "已核实")
    done = sum(1 for r in rows if r.rectification is not None and r.rectification.status == "已完成")
    untracked = sum(1 for r in rows if r.rectification is None and r.finding.id in planned)
    planless = sum(1 for r in rows if r.rectification is None) - untracked
    overdue = sum(1 for r in rows if r.overdue)
    text = f"截至{chinese_date(on)}，台账共列问题{len(rows)}个：已核实销号{verified}个，已完成待核实{done}个，"
    text += f"整改中或未开始{len(rows) - verified - done - planless - untracked}个"
    if untracked:
        text += f"，列入整改方案、尚未登记整改进展{untracked}个"
    if planless:
        text += f"，尚未制定整改措施{planless}个"
    text += f"；其中整改逾期{overdue}个。" if overdue else "；没有逾期事项。"
    return text


def _group(w: Writer, story: list, group: plans.LedgerGroup, names: dict[str, str], *, heading) -> None:
    """One plan's rows (or those in no plan) under a heading, the plan's state on a line below."""
    head = [heading(group.heading)] + ([w.para(group.summary)] if group.summary else [])
    # the heading stays with its table (a table longer than a page still breaks, after it)
    story.append(w.keep_with_next(*head, table(w, group.rows, group.items, names)))


def table(w: Writer, rows: list[findings.LedgerRow], items: dict | None = None, names: dict | None = None):
    """The ledger's table (also the open problems of a unit assessment): one column for each
    thing a reader looks for, in 五号 so that seven columns keep lines of several characters.
    Rows of a plan (``items``: finding id → plan item) say 班子 or 个人 under the category, and
    take the plan's measure, 责任领导 and deadline while no rectification is recorded."""
    data, marked = [], []
    items, names = items or {}, names or {}
    for n, row in enumerate(rows, 1):
        rect = row.rectification
        item = items.get(row.finding.id)
        category = category_text(row)
        if item:
            category += f"\n{plans.item_label(item, names)}"
        if rect is not None:
            measure, responsible, deadline = rect.measure, rect.responsible, stacked_date(rect.deadline)
        elif item:
            measure = item.get("measure") or "—"
            responsible = names.get(item.get("responsible_leader"), "—")
            deadline = stacked_date(item["deadline"]) if item.get("deadline") else "—"
        else:
            measure = responsible = deadline = "—"
        completion = "尚未登记整改进展" if item and rect is None else completion_text(row)
        data.append([str(n), problem_text(row), category, measure, responsible, deadline, completion])
        if row.overdue:
            marked.append(n - 1)
    return w.table(HEADER, data, WIDTHS, center_columns=(0, 4, 5), marked_rows=marked, size=TABLE_SIZE)


def _document(unit, group, story, date_from, date_to) -> Document:
    label = f"单位 {unit.id}" if unit else "全部单位"
    if date_from or date_to:
        label += f"（{period_text(date_from, date_to)}）"
    return Document(title=f"{TITLE}（{unit.name if unit else '全部单位'}）", author=group,
                    subject=unit.id if unit else "全部单位", record_label=label, story=story, issuer=group)


def batch_targets(*, date_from=None, date_to=None) -> list[tuple[str, str]]:
    """Every unit with a finding in the period, in tree order."""
    with_rows = {r.finding.unit_id for r in _rows(None, date_from, date_to)}
    return [(uid, f"{path.replace(' / ', '-')}-{TITLE}") for uid, path in units.unit_paths() if uid in with_rows]
