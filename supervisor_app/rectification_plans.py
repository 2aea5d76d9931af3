"""A unit's 整改方案: the operations (create, change, items, delete) and the views the ledger, the
window and the CLI read. What a stored plan must satisfy is in rules/rectification_plans.py.

A plan's items live in the plan record (one JSON list): a plan travels, and is corrected by the
office, as one record. A finding is in at most one item of its unit's plans; the ledger groups
rectifications under the plan whose item takes their finding.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import changelog, clock, installation
from . import validate as check
from .errors import NotFoundError, ValidationError
from .models import PLAN_STATES, PUBLICITY_STATES, Finding, Leader, RectificationPlan, Unit, alive, database
from .rules.rectification_plans import ITEM_KEYS, ITEM_KINDS
from .units import get_unit

__all__ = ["ITEM_KINDS", "PLAN_STATES", "PUBLICITY_STATES", "create_plan", "delete_plan", "get_plan",
           "list_plans", "plan_dict", "plans_by_finding", "remove_item", "set_item", "update_plan"]

PLAN_FIELDS = ("title", "adopted_on", "publicity", "publicized_on", "state")


def get_plan(plan_id) -> RectificationPlan:
    if isinstance(plan_id, RectificationPlan):
        plan_id = plan_id.id
    plan = (RectificationPlan.get_or_none((RectificationPlan.id == plan_id) & alive(RectificationPlan))
            if isinstance(plan_id, str) and plan_id else None)
    if plan is None:
        raise NotFoundError(f"找不到整改方案：{plan_id}。", field="plan")
    return plan


def _own_unit(unit: Unit) -> None:
    """A field device writes plans only for its own group's units (the office for any): refused
    here, with a clear message, rather than later with the whole bundle at the office."""
    ctx = installation.context()
    if ctx.role == "field" and ctx.group_id and unit.group_id not in (None, ctx.group_id):
        raise ValidationError(f"“{unit.name}”不是本督导组负责的单位，它的整改方案由所属督导组填写。", field="unit")


def _clean(values: dict) -> dict:
    clean = {}
    for name in PLAN_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if name in ("adopted_on", "publicized_on"):
            label = "通过日期" if name == "adopted_on" else "公示日期"
            clean[name] = check.iso_date(value, name, label, required=False)
        else:
            clean[name] = check.clean_text(value)
    return clean


def create_plan(unit, title: str, *, state: str = "草拟", adopted_on=None, publicity: str = "未公示",
                publicized_on=None, items=()) -> RectificationPlan:
    """A new 整改方案 of ``unit`` (items given as dicts like ``set_item``'s arguments)."""
    with database.atomic():
        unit = get_unit(unit)
        _own_unit(unit)
        clean = _clean({"title": title, "state": state, "adopted_on": adopted_on, "publicity": publicity,
                        "publicized_on": publicized_on})
        parsed = [_clean_item(item) for item in items]
        return changelog.create(RectificationPlan, unit=unit.id, items=parsed, **clean)


def update_plan(plan, **changes) -> RectificationPlan:
    """Change a plan's title, state, adoption or 公示 (its items: ``set_item``, ``remove_item``)."""
    unknown = set(changes) - set(PLAN_FIELDS) - {"items"}
    if unknown:
        raise ValidationError(f"整改方案没有这一项：{sorted(unknown)[0]}。", field=sorted(unknown)[0])
    with database.atomic():
        plan = get_plan(plan)
        _own_unit(plan.unit)
        clean = _clean(changes)
        if "items" in changes:
            clean["items"] = [_clean_item(item) for item in changes["items"]]
        return changelog.update(plan, **clean)


def _id_of(value):
    if value is None or value == "":
        return None
    return getattr(value, "id", value)


def _clean_item(item: dict) -> dict:
    """Parse one item (ids or records, a date or its text) into the stored shape."""
    if not isinstance(item, dict):
        raise ValidationError("整改事项格式不对。", field="items")
    unknown = set(item) - set(ITEM_KEYS)
    if unknown:
        raise ValidationError(f"整改事项没有这一项：{sorted(unknown)[0]}。", field="items")
    return {
        "finding": _id_of(item.get("finding")),
        "kind": check.clean_text(item.get("kind")) or "班子",
        "leader": _id_of(item.get("leader")),
        "measure": check.clean_text(item.get("measure")),
        "responsible_leader": _id_of(item.get("responsible_leader")),
        "responsible_unit": check.clean_text(item.get("responsible_unit")),
        "responsible_unit_id": _id_of(item.get("responsible_unit_id")),
        "deadline": check.iso_date(item.get("deadline"), "deadline", "整改时限", required=False),
    }


def set_item(plan, finding, **values) -> RectificationPlan:
    """Put ``finding`` in ``plan`` with ``values`` (kind, leader, measure, responsible_leader,
    responsible_unit, responsible_unit_id, deadline): its item is replaced when it has one."""
    with database.atomic():
        plan = get_plan(plan)
        finding_id = _id_of(finding)
        items = [dict(item) for item in plan.items]
        index = next((i for i, item in enumerate(items) if item.get("finding") == finding_id), None)
        base = items[index] if index is not None else {}
        new = _clean_item({**base, **values, "finding": finding_id})
        if index is None:
            items.append(new)
        else:
            items[index] = new
        _own_unit(plan.unit)
        return changelog.update(plan, items=items)


def remove_item(plan, finding) -> RectificationPlan:
    """Take ``finding`` out of ``plan``."""
    with database.atomic():
        plan = get_plan(plan)
        finding_id = _id_of(finding)
        items = [item for item in plan.items if item.get("finding") != finding_id]
        if len(items) == len(plan.items):
            raise NotFoundError("这个问题不在该整改方案中。", field="finding")
        _own_unit(plan.unit)
        return changelog.update(plan, items=items)


def delete_plan(plan) -> RectificationPlan:
    with database.atomic():
        plan = get_plan(plan)
        _own_unit(plan.unit)
        return changelog.tombstone(plan)


def list_plans(unit=None) -> list[RectificationPlan]:
    """Live plans (of one unit), by unit name, adoption and title."""
    query = (RectificationPlan.select(RectificationPlan, Unit)
             .join(Unit, on=(RectificationPlan.unit == Unit.id))
             .where(alive(RectificationPlan))
             .order_by(Unit.sort_order, Unit.name, RectificationPlan.adopted_on, RectificationPlan.title,
                       RectificationPlan.id))
    if unit is not None:
        query = query.where(RectificationPlan.unit == _id_of(unit))
    return list(query)


def plans_by_finding(unit=None) -> dict[str, tuple[RectificationPlan, dict]]:
    """{finding id: (the plan, its item)} over the live plans (of one unit)."""
    out: dict[str, tuple[RectificationPlan, dict]] = {}
    for plan in list_plans(unit):
        for item in plan.items if isinstance(plan.items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("finding"), str):
                out.setdefault(item["finding"], (plan, item))
    return out


def unplanned_findings(unit) -> list[Finding]:
    """The unit's live findings in none of its plans (what a plan may still take)."""
    taken = set(plans_by_finding(unit))
    query = (Finding.select().where(alive(Finding) & (Finding.unit == _id_of(unit)))
             .order_by(Finding.found_on, Finding.id))
    return [f for f in query if f.id not in taken]


@dataclass(frozen=True)
class ItemView:
    """One item as people read it."""

    finding_id: str
    finding: str
    found_on: str
    kind: str
    leader: str
    measure: str
    responsible_leader: str
    responsible_unit: str
    deadline: str


def item_views(plan: RectificationPlan) -> list[ItemView]:
    """The plan's items with names in place of ids (missing records shown as such)."""
    items = [i for i in (plan.items if isinstance(plan.items, list) else []) if isinstance(i, dict)]
    finding_ids = [i.get("finding") for i in items]
    leader_ids = [x for i in items for x in (i.get("leader"), i.get("responsible_leader")) if x]
    unit_ids = [i.get("responsible_unit_id") for i in items if i.get("responsible_unit_id")]
    findings = {f.id: f for f in Finding.select().where(Finding.id.in_(finding_ids))}
    leaders = {x.id: x.name for x in Leader.select(Leader.id, Leader.name).where(Leader.id.in_(leader_ids))}
    units = {u.id: u.name for u in Unit.select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))}
    views = []
    for item in items:
        finding = findings.get(item.get("finding"))
        unit_text = item.get("responsible_unit") or ""
        if item.get("responsible_unit_id"):
            unit_text = units.get(item["responsible_unit_id"], "（已删除的单位）") + (
                f"（{unit_text}）" if unit_text else "")
        views.append(ItemView(
            finding_id=item.get("finding") or "", finding=finding.description if finding else "（已删除的问题）",
            found_on=finding.found_on if finding else "", kind=item.get("kind") or "",
            leader=leaders.get(item.get("leader"), "") if item.get("leader") else "",
            measure=item.get("measure") or "", responsible_leader=leaders.get(item.get("responsible_leader"), ""),
            responsible_unit=unit_text, deadline=item.get("deadline") or ""))
    return views


def publicity_text(plan: RectificationPlan) -> str:
    """公示 as people read it: 已公示（2014年5月6日）, 未公示."""
    if plan.publicized_on:
        return f"{plan.publicity}（{clock.chinese_date(plan.publicized_on)}）"
    return plan.publicity


def plan_dict(plan: RectificationPlan) -> dict:
    """One plan for ``list plans --json``."""
    unit = getattr(plan, "unit", None)
    return {
        "id": plan.id, "unit_id": plan.unit_id, "unit": unit.name if unit is not None else "",
        "title": plan.title, "state": plan.state, "adopted": plan.adopted_on,
        "publicity": {"status": plan.publicity, "date": plan.publicized_on},
        "items": [{"finding_id": v.finding_id, "finding": v.finding, "kind": v.kind, "leader": v.leader or None,
                   "measure": v.measure, "responsible_leader": v.responsible_leader,
                   "responsible_unit": v.responsible_unit, "deadline": v.deadline} for v in item_views(plan)],
    }


# --- the ledger grouped by plan ---------------------------------------------------------------------------

OUTSIDE_PLANS = "未列入整改方案的问题"


@dataclass(frozen=True)
class LedgerGroup:
    """Ledger rows under one plan (in the plan's item order), or those in none (``plan`` None)."""

    plan: RectificationPlan | None
    rows: list
    items: dict  # finding id → its item in the plan

    @property
    def heading(self) -> str:
        """The PDF's heading: short, so that it stays on one line (the plan's title is in ``summary``)."""
        if self.plan is None:
            return OUTSIDE_PLANS
        unit = getattr(self.plan, "unit", None)
        return f"{unit.name if unit is not None else ''}整改方案"

    @property
    def label(self) -> str:
        """The plan as the window's ledger names it: its title (with its unit when the title lacks it)."""
        if self.plan is None:
            return OUTSIDE_PLANS
        unit = getattr(self.plan, "unit", None)
        if unit is None or self.plan.title.startswith(unit.name):
            return self.plan.title
        return f"{unit.name}：{self.plan.title}"

    @property
    def summary(self) -> str:
        """The plan's title, state, adoption and 公示 in one sentence (empty outside any plan)."""
        if self.plan is None:
            return ""
        text = f"方案名称：{self.plan.title}；方案状态：{self.plan.state}"
        if self.plan.adopted_on:
            text += f"，{clock.chinese_date(self.plan.adopted_on)}通过"
        return text + f"；公示情况：{publicity_text(self.plan)}。"


def item_label(item: dict | None, leader_names: dict[str, str]) -> str:
    """班子问题 / 个人问题（name） for a ledger row in a plan; '' outside any plan."""
    if not item:
        return ""
    if item.get("kind") == "个人":
        name = leader_names.get(item.get("leader"), "")
        return f"个人问题（{name}）" if name else "个人问题"
    return f"{item.get('kind')}问题" if item.get("kind") else ""


def group_ledger(rows: list, unit=None) -> list[LedgerGroup]:
    """``rows`` (findings.ledger rows) grouped by the plan that takes their finding: plans in
    ``list_plans`` order with rows in item order, then the rows in no plan, in their order."""
    by_finding = {row.finding.id: row for row in rows}
    groups, placed = [], set()
    for plan in list_plans(unit):
        items = [i for i in (plan.items if isinstance(plan.items, list) else [])
                 if isinstance(i, dict) and i.get("finding") in by_finding and i.get("finding") not in placed]
        if not items:
            continue
        placed.update(i["finding"] for i in items)
        groups.append(LedgerGroup(plan, [by_finding[i["finding"]] for i in items], {i["finding"]: i for i in items}))
    rest = [row for row in rows if row.finding.id not in placed]
    if rest:
        groups.append(LedgerGroup(None, rest, {}))
    return groups


def leader_names(groups: list[LedgerGroup]) -> dict[str, str]:
    """Names of the leaders the groups' items name (one query)."""
    ids = {x for g in groups for i in g.items.values() for x in (i.get("leader"), i.get("responsible_leader")) if x}
    return {x.id: x.name for x in Leader.select(Leader.id, Leader.name).where(Leader.id.in_(list(ids)))}

def plan_order(rows: list, unit=None) -> tuple[list, dict[str, tuple[str, str]]]:
    """The ledger's rows in plan order (as ``group_ledger``) and, for each finding id, the plan's
    heading (or OUTSIDE_PLANS) and the item's 班子问题 / 个人问题（name） — what the window shows."""
    groups = group_ledger(rows, unit)
    names = leader_names(groups)
    ordered, labels = [], {}
    for group in groups:
        for row in group.rows:
            ordered.append(row)
            labels[row.finding.id] = (group.label, item_label(group.items.get(row.finding.id), names))
    return ordered, labels

# --- demo data -------------------------------------------------------------------------------------------

_DEMO_OFFICES = {"县市区": "县委办公室", "市直单位": "局办公室"}


def fill_rectification_plans(rng, anchor, *, units_wanted: int = 6) -> int:
    """Demo: a 整改方案 for the counties and departments with most findings (the findings of the
    other units stay outside any plan, as the ledger shows), and 专项整治 tasks with progress."""
    from datetime import date, timedelta

    from peewee import fn

    from .models import Rectification
    from .special_tasks import fill_special_tasks

    anchor = anchor if isinstance(anchor, date) else date.fromisoformat(str(anchor))
    made = 0
    counts = {unit_id: n for unit_id, n in Finding.select(Finding.unit, fn.COUNT(Finding.id))
              .where(alive(Finding)).group_by(Finding.unit).tuples()}
    units = sorted(Unit.select().where(alive(Unit) & Unit.kind.in_(tuple(_DEMO_OFFICES))),
                   key=lambda u: (-counts.get(u.id, 0), u.sort_order, u.name))
    with database.atomic():
        for unit in units:
            if made >= units_wanted:
                break
            found = list(Finding.select().where(alive(Finding) & (Finding.unit == unit.id))
                         .order_by(Finding.found_on, Finding.id))
            leaders = list(Leader.select().where(alive(Leader) & (Leader.unit == unit.id))
                           .order_by(Leader.is_top_leader.desc(), Leader.name))
            if not found or not leaders:
                continue
            rects = {r.finding_id: r for r in Rectification.select().where(
                alive(Rectification) & Rectification.finding.in_([f.id for f in found]))}
            items = []
            for finding in found[:8]:
                own_leader = finding.leader_id if finding.leader_id in {x.id for x in leaders} else None
                rect = rects.get(finding.id)
                day = date.fromisoformat(finding.found_on)
                deadline = rect.deadline if rect is not None else (day + timedelta(days=30)).isoformat()
                items.append({
                    "finding": finding.id, "kind": "个人" if own_leader else "班子", "leader": own_leader,
                    "measure": rect.measure if rect is not None else "召开专题会议研究整改，建立台账，逐项销号。",
                    "responsible_leader": own_leader or leaders[0].id,
                    "responsible_unit": _DEMO_OFFICES[unit.kind], "responsible_unit_id": None,
                    "deadline": max(deadline, finding.found_on),
                })
            adopted = anchor - timedelta(days=rng.randint(15, 45))
            state, publicity, publicized = rng.choice([
                ("实施中", "已公示", adopted + timedelta(days=3)),
                ("已通过", "公示中", adopted + timedelta(days=1)),
                ("实施中", "已公示", adopted + timedelta(days=5)),
                ("已通过", "未公示", None),
            ])
            publicized = min(publicized, anchor) if publicized is not None else None
            changelog.create(RectificationPlan, unit=unit.id,
                             title=f"{unit.name}领导班子党的群众路线教育实践活动整改方案",
                             state=state, adopted_on=adopted.isoformat(), publicity=publicity,
                             publicized_on=publicized.isoformat() if publicized else None, items=items)
            made += 1
        fill_special_tasks(rng, anchor)
    return made
