"""The overview figures: counts, rectifications due or overdue, units not visited lately,
the latest visits and the tendency levels across units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from . import assessments, campaigns, clock, display, findings, visits
from .models import UNIT_KINDS, EvaluationRecord, Finding, Unit, Visit, alive

STALE_DAYS = 30


@dataclass(frozen=True)
class StaleUnit:
    unit: Unit
    last_visit: str | None  # 'YYYY-MM-DD' or None when never visited
    days: int | None


@dataclass(frozen=True)
class UnvisitedUnit:
    id: str
    name: str
    kind: str
    parent_name: str  # "" for a unit at the top


@dataclass(frozen=True)
class Overview:
    counts: dict[str, int]
    overdue: list[findings.LedgerRow]
    due_soon: list[findings.LedgerRow]
    stale_units: list[StaleUnit]  # visited, but not in the last STALE_DAYS days
    never_visited: list[tuple[str, list[UnvisitedUnit]]]  # (kind, its units never visited), kinds in UNIT_KINDS order
    latest_visits: list[visits.VisitRow]
    tendency_names: list[tuple[str, str]]  # (id, name)
    tendency_scale: list[str]
    tendencies: list[tuple[Unit, dict[str, str]]]  # units with their latest levels


def stale_units(on: date, days: int = STALE_DAYS, kinds: tuple[str, ...] = UNIT_KINDS) -> list[StaleUnit]:
    """Units of the given kinds visited before, but not in the last ``days`` days, longest first.

    Units never visited are not here (a new group would see every unit of the city):
    :func:`never_visited` lists them by kind.
    """
    last = visits.last_visit_dates()
    limit = (on - timedelta(days=days)).isoformat()
    result = []
    for unit in Unit.select().where(alive(Unit) & Unit.kind.in_(kinds) & Unit.id.in_(list(last))) \
            .order_by(Unit.sort_order, Unit.name):
        seen = last[unit.id]
        if seen[:10] < limit:
            day = display.parse_date(seen)
            result.append(StaleUnit(unit, seen[:10], (on - day).days if day else None))
    result.sort(key=lambda s: (s.days is not None, -(s.days or 0)))
    return result


def never_visited(kinds: tuple[str, ...] = UNIT_KINDS) -> list[tuple[str, list[UnvisitedUnit]]]:
    """Units never visited, grouped by kind (in the order of ``kinds``; kinds with none left out)."""
    visited = set(visits.last_visit_dates())
    units = list(Unit.select(Unit.id, Unit.name, Unit.kind, Unit.parent).where(alive(Unit))
                 .order_by(Unit.sort_order, Unit.name).tuples())
    names = {unit_id: name for unit_id, name, _kind, _parent in units}
    by_kind: dict[str, list[UnvisitedUnit]] = {}
    for unit_id, name, kind, parent_id in units:
        if unit_id not in visited:
            parent = names.get(parent_id, display.missing(parent_id)) if parent_id else ""
            by_kind.setdefault(kind, []).append(UnvisitedUnit(unit_id, name, kind, parent))
    order = list(kinds) + sorted(k for k in by_kind if k not in kinds)  # a kind not in the list is shown too
    return [(kind, by_kind[kind]) for kind in order if kind in by_kind]


def snapshot(on: date | None = None, stale_days: int = STALE_DAYS) -> Overview:
    on = on or clock.today()
    open_rows = findings.ledger(open_only=True, due_soon_or_overdue=True, on=on)
    tpl = campaigns.active_template()
    levels = assessments.latest_tendencies_by_unit()
    units_with_levels = [(u, levels[u.id]) for u in Unit.select().where(alive(Unit) & Unit.id.in_(list(levels)))
                         .order_by(Unit.sort_order, Unit.name)] if levels else []
    counts = {
        "单位": Unit.select().where(alive(Unit)).count(),
        "督导记录": Visit.select().where(alive(Visit)).count(),
        "未销号问题": Finding.select().where(alive(Finding) & (Finding.closed == False)).count(),
        "逾期整改": sum(1 for r in open_rows if r.overdue),  # every overdue one is in open_rows
        "纪实评价": EvaluationRecord.select().where(alive(EvaluationRecord)).count(),
    }
    return Overview(
        counts=counts,
        overdue=sorted((r for r in open_rows if r.overdue), key=lambda r: r.rectification.deadline),
        due_soon=sorted((r for r in open_rows if r.due_soon), key=lambda r: r.rectification.deadline),
        stale_units=stale_units(on, stale_days),
        never_visited=never_visited(),
        latest_visits=visits.visit_rows(limit=10),
        tendency_names=[(t["id"], t["name"]) for t in tpl.tendencies],
        tendency_scale=tpl.scale("tendency"),
        tendencies=units_with_levels,
    )
