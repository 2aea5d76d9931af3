"""Assessments: each focus item rated and each of the five tendencies levelled, with evidence."""

from __future__ import annotations

from . import campaigns, changelog, display, visits
from . import validate as check
from .errors import ValidationError
from .models import Assessment, alive, database
from .template import Template
from .visits import get_visit


def _clean_scores(scores: dict, key: str, kind: str) -> dict:
    """The editor's scores as stored: items left blank dropped, evidence stripped. Whether the
    items, values and evidence are right is a record rule (rules/visits.py)."""
    if not isinstance(scores, dict):
        raise ValidationError("评定内容格式不对。", field=kind)
    clean = {}
    for item_id, entry in scores.items():
        entry = entry if isinstance(entry, dict) else {key: entry}
        value = entry.get(key)
        evidence = check.clean_text(entry.get("evidence"))
        if value in (None, "") and not evidence:
            continue  # not scored yet
        clean[item_id] = {key: value, "evidence": evidence}
    return clean


def save_assessment(visit, focus_ratings: dict, tendency_levels: dict) -> Assessment:
    """Create or replace the assessment of a visit, scored against the active template.

    Items may be left unscored (the assessment is then partial), but every score needs evidence.
    """
    with database.atomic():
        visit = get_visit(visit)
        existing = Assessment.get_or_none((Assessment.visit == visit) & alive(Assessment))
        tpl = (
            campaigns.get_template(existing.template_id, existing.template_version)
            if existing
            else campaigns.active_template()
        )
        focus = _clean_scores(focus_ratings or {}, "rating", "督导重点")
        tendency = _clean_scores(tendency_levels or {}, "level", "倾向")
        if existing is None:
            return changelog.create(
                Assessment, visit=visit, unit=visit.unit_id, template_id=tpl.id, template_version=tpl.version,
                focus_ratings=focus, tendency_levels=tendency,
            )
        return changelog.update(existing, unit=visit.unit_id, focus_ratings=focus, tendency_levels=tendency)


def is_complete(assessment: Assessment, tpl: Template | None = None) -> bool:
    tpl = tpl or campaigns.get_template(assessment.template_id, assessment.template_version)
    return all(i["id"] in assessment.focus_ratings for i in tpl.focus_items) and all(
        t["id"] in assessment.tendency_levels for t in tpl.tendencies
    )


def tendency_score(level: str, tpl: Template) -> int:
    """0 for the mildest level of the scale, rising by one per step."""
    return tpl.scale("tendency").index(level)


def latest_tendencies_by_unit(date_from: str | None = None, date_to: str | None = None) -> dict[str, dict[str, str]]:
    """unit id → {tendency id: level} from each unit's most recent assessment (of visits in a
    period, dates inclusive, when given)."""
    result: dict[str, dict[str, str]] = {}
    period, params = "", []
    if date_from:
        period += " AND v.started_at >= ?"
        params.append(date_from)
    if date_to:
        period += " AND v.started_at < ?"
        params.append(date_to + "T99")
    rows = database.execute_sql(
        "SELECT unit_id, tendency_levels FROM ("
        " SELECT a.unit_id, a.tendency_levels, ROW_NUMBER() OVER ("
        "   PARTITION BY a.unit_id ORDER BY (a.tendency_levels != '{}') DESC, v.started_at DESC) AS n"
        f" FROM assessment a JOIN visit v ON v.id = a.visit_id WHERE a.deleted = 0 AND v.deleted = 0{period})"
        " WHERE n = 1",
        params,
    )
    for unit_id, packed in rows:
        levels = {k: v["level"] for k, v in display.entries(display.loads(packed), "level").items() if v["level"]}
        if levels:
            result[unit_id] = levels
    return result


def tendency_ranking(levels_by_unit: dict[str, dict[str, str]], tpl: Template) -> list[tuple[int, str, int]]:
    """(rank, unit id, score) from the most to the least serious tendencies.

    A unit's score is the sum of its levels' scores; units with equal scores share a rank
    (1, 2, 2, 4 …) and are listed by id so that the order is stable.
    """
    scale = tpl.scale("tendency")
    scores = {
        unit_id: sum(tendency_score(level, tpl) for level in levels.values() if level in scale)
        for unit_id, levels in levels_by_unit.items()
    }
    ordered = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    ranking: list[tuple[int, str, int]] = []
    for position, (unit_id, score) in enumerate(ordered, 1):
        rank = ranking[-1][0] if ranking and ranking[-1][2] == score else position
        ranking.append((rank, unit_id, score))
    return ranking


def unit_assessments(unit_id: str, date_from: str | None = None, date_to: str | None = None) -> list[Assessment]:
    """A unit's assessments over a period, oldest first (with their visits)."""
    return visits.of_unit_in_period(Assessment, unit_id, date_from, date_to)
