"""The overview figures: counts, rectifications due or overdue, units not visited lately,
the latest visits and the tendency levels across units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from . import assessments, campaigns, display, findings, visits
from .clock import today
from .models import EvaluationRecord, Finding, Unit, Visit, alive

STALE_DAYS = 30


@dataclass(frozen=True)
class StaleUnit:
    unit: Unit
    last_visit: str | None  # 'YYYY-MM-DD' or None when never visited
    days: int | None


@dataclass(frozen=True)
class Overview:
    counts: dict[str, int]
    overdue: list[findings.LedgerRow]
    due_soon: list[findings.LedgerRow]
    stale_units: list[StaleUnit]
    latest_visits: list[visits.VisitRow]
    tendency_names: list[tuple[str, str]]  # (id, name)
    tendency_scale: list[str]
    tendencies: list[tuple[Unit, dict[str, str]]]  # units with their latest levels


def stale_units(on: date, days: int = STALE_DAYS, kinds: tuple[str, ...] = ("县市区", "市直单位", "二级机构", "乡镇")) -> list[StaleUnit]:
    """Units of the given kinds with no visit in the last ``days`` days, longest first."""
    last = visits.last_visit_dates()
    limit = (on - timedelta(days=days)).isoformat()
    result = []
    for unit in Unit.select().where(alive(Unit) & Unit.kind.in_(kinds)).order_by(Unit.sort_order, Unit.name):
        seen = last.get(unit.id)
        if seen is None or seen[:10] < limit:
            day = display.parse_date(seen)
            result.append(StaleUnit(unit, seen[:10] if seen else None, (on - day).days if day else None))
    result.sort(key=lambda s: (s.days is not None, -(s.days or 0)))
    return result


def snapshot(on: date | None = None, stale_days: int = STALE_DAYS) -> Overview:
    on = on or today()
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
        latest_visits=visits.visit_rows(limit=10),
        tendency_names=[(t["id"], t["name"]) for t in tpl.tendencies],
        tendency_scale=tpl.scale("tendency"),
        tendencies=units_with_levels,
    )
