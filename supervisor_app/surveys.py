"""The 民意调查 of 作风建设: each unit's result per survey round, the ranking, and the extension
rule — "民意调查排名靠后的、整改效果群众不满意的，要延长活动时间继续整改".

A unit is extended when its satisfaction (满意 + 基本满意 of the sample) is below the plan's line,
or it ranks among the plan's last places (never the upper half: of two units, only the second); its extended campaign ends the plan's
``extend_days`` after the campaign's planned end. The office enters the results (the
province's figures); they travel to the groups as assignments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from . import changelog, installation
from . import validate as check
from .errors import NotFoundError, ValidationError
from .models import SurveyResult, Unit, alive, database
from .plan import Plan
from .progress import current_plan


@dataclass(frozen=True)
class SurveyRow:
    """One unit's place in one survey round."""

    unit_id: str
    unit_name: str
    unit_kind: str
    survey_id: str
    survey_name: str
    sample: int
    satisfied: int
    basically_satisfied: int
    unsatisfied: int
    rate: float  # 满意 + 基本满意, percent of the sample
    rank: int
    of: int
    extended: bool
    extended_until: str | None
    why: str
    below_line: bool = False  # satisfaction under the plan's line (ranked low is the other reason)
    record_id: str = ""  # the SurveyResult

    def as_dict(self) -> dict:
        return {
            "unit_id": self.unit_id, "unit": self.unit_name, "kind": self.unit_kind, "survey_id": self.survey_id,
            "survey": self.survey_name, "sample": self.sample, "satisfied": self.satisfied,
            "basically_satisfied": self.basically_satisfied, "unsatisfied": self.unsatisfied,
            "satisfaction_percent": round(self.rate, 1), "rank": self.rank, "of": self.of,
            "extended": self.extended, "extended_until": self.extended_until, "why": self.why or None,
        }

    def list_dict(self) -> dict:
        """What `list surveys --json` prints: one object per unit's result in one round."""
        return {
            "id": self.record_id, "round": self.survey_id, "round_name": self.survey_name, "unit": self.unit_name, "unit_id": self.unit_id,
            "sample": self.sample, "satisfied": self.satisfied, "basically_satisfied": self.basically_satisfied,
            "unsatisfied": self.unsatisfied, "rate": round(self.rate, 1), "rank": self.rank, "of": self.of,
            "below_line": self.below_line, "extended": self.extended, "extended_until": self.extended_until,
        }


def record_result(unit, survey_id: str, sample, satisfied, basically_satisfied, unsatisfied) -> SurveyResult:
    """Enter (or correct) a unit's result in one round; the office only."""
    if installation.context().role != "office":
        raise ValidationError("民意调查结果由活动办录入；督导组会在活动办的同步包中收到。", field="role")
    unit_id = unit.id if isinstance(unit, Unit) else unit
    if not isinstance(unit_id, str) or Unit.get_or_none((Unit.id == unit_id) & alive(Unit)) is None:
        raise NotFoundError(f"找不到单位：{unit_id}", field="unit")
    plan = current_plan()
    values = {"survey_id": survey_id, "plan_id": plan.id, "plan_version": plan.version,
              "sample": check.integer(sample, "sample", "样本数"),
              "satisfied": check.integer(satisfied, "satisfied", "满意"),
              "basically_satisfied": check.integer(basically_satisfied, "basically_satisfied", "基本满意"),
              "unsatisfied": check.integer(unsatisfied, "unsatisfied", "不满意")}
    with database.atomic():
        existing = SurveyResult.get_or_none(alive(SurveyResult) & (SurveyResult.unit == unit_id)
                                            & (SurveyResult.survey_id == survey_id))
        if existing is None:
            return changelog.create(SurveyResult, unit=unit_id, **values)
        return changelog.update(existing, **values)


def _rounds_with_results() -> list[str]:
    return [r[0] for r in SurveyResult.select(SurveyResult.survey_id).where(alive(SurveyResult)).distinct().tuples()]


def latest_round(plan: Plan | None = None) -> str | None:
    """The latest round of the plan that has results."""
    plan = plan or current_plan()
    held = set(_rounds_with_results())
    dated = sorted((s["on"], s["id"]) for s in plan.surveys if s["id"] in held)
    return dated[-1][1] if dated else None


def ranking(survey_id: str | None = None, plan: Plan | None = None) -> list[SurveyRow]:
    """The units of one round (default: the latest with results), best first, with the extension rule applied."""
    plan = plan or current_plan()
    survey_id = survey_id or latest_round(plan)
    survey = plan.survey(survey_id) if survey_id else None
    if survey_id is not None and survey is None:
        raise ValidationError(f"活动安排中没有民意调查轮次“{survey_id}”。", field="survey_id")
    if survey is None:
        return []
    rule = plan.survey_rule
    rows = []
    query = (SurveyResult.select(SurveyResult, Unit).join(Unit, on=(SurveyResult.unit == Unit.id))
             .where(alive(SurveyResult) & alive(Unit) & (SurveyResult.survey_id == survey_id)
                    & Unit.kind.in_(rule["unit_kinds"])))
    for result in query:
        counts = (result.sample, result.satisfied, result.basically_satisfied, result.unsatisfied)
        if not all(type(n) is int and n >= 0 for n in counts) or result.sample == 0:
            continue  # damaged figures (never through the rules) are not ranked
        rate = 100.0 * (result.satisfied + result.basically_satisfied) / result.sample
        share = result.satisfied / result.sample
        rows.append((rate, share, result))
    rows.sort(key=lambda r: (-r[0], -r[1], r[2].unit.name))
    extended_until = (date.fromisoformat(plan.end) + timedelta(days=rule["extend_days"])).isoformat()
    out = []
    n = len(rows)
    rank = 0
    previous = None
    for position, (rate, share, result) in enumerate(rows, 1):
        if (rate, share) != previous:
            rank, previous = position, (rate, share)
        reasons = []
        if rate < rule["satisfaction_line_percent"]:
            reasons.append(f"满意率 {rate:.1f}% 低于 {rule['satisfaction_line_percent']}%")
        if rule["bottom_ranks"] and rank > max(n - rule["bottom_ranks"], (n + 1) // 2):
            reasons.append(f"排名靠后（第 {rank}/{n} 名）")
        out.append(SurveyRow(
            unit_id=result.unit_id, unit_name=result.unit.name, unit_kind=result.unit.kind, survey_id=survey_id,
            survey_name=survey["name"], sample=result.sample, satisfied=result.satisfied,
            basically_satisfied=result.basically_satisfied, unsatisfied=result.unsatisfied, rate=rate, rank=rank,
            of=n, extended=bool(reasons), extended_until=extended_until if reasons else None, why="；".join(reasons),
            below_line=rate < rule["satisfaction_line_percent"], record_id=result.id,
        ))
    return out


def all_results(plan: Plan | None = None) -> list[SurveyRow]:
    """Every round of the plan that has results, in the plan's order of dates, each ranked."""
    plan = plan or current_plan()
    held = set(_rounds_with_results())
    rows: list[SurveyRow] = []
    for survey in sorted(plan.surveys, key=lambda s: (s["on"], s["id"])):
        if survey["id"] in held:
            rows += ranking(survey["id"], plan)
    return rows


def unit_standing(unit_id: str, plan: Plan | None = None) -> SurveyRow | None:
    """A unit's place in the latest round with results (None when it has none)."""
    return next((row for row in ranking(plan=plan) if row.unit_id == unit_id), None)
