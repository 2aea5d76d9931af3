"""Saving everything the visit editor holds — the visit, its assessment, quiz record,
findings and new attachments — in one transaction: all of it is saved, or none of it."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import assessments, attachments, findings, quiz, visits
from .errors import ValidationError
from .models import Visit, database


@dataclass
class FindingForm:
    """A finding as edited in the visit editor; ``id`` None for a new one."""

    description: str
    category: str
    sub_kind: str = ""
    severity: str = ""
    leader_id: str | None = None
    id: str | None = None
    remove: bool = False


@dataclass
class VisitForm:
    unit_id: str | None
    started_at: str
    methods: list[str]
    members_present: list[str] = field(default_factory=list)
    leaders_present: list[str] = field(default_factory=list)
    people_met: str = ""
    notes: str = ""
    focus_ratings: dict = field(default_factory=dict)
    tendency_levels: dict = field(default_factory=dict)
    quiz: tuple[int, int, int] | None = None  # people tested, questions, correct answers
    findings: list[FindingForm] = field(default_factory=list)
    add_files: list[str] = field(default_factory=list)
    remove_attachments: list[str] = field(default_factory=list)


def _has_scores(scores: dict) -> bool:
    return any((v or {}).get("rating") or (v or {}).get("level") or (v or {}).get("evidence") for v in scores.values())


def save(form: VisitForm, visit_id: str | None = None) -> Visit:
    """Create (visit_id None) or update a visit with all its parts, atomically."""
    values = {
        "unit": form.unit_id, "started_at": form.started_at, "methods": form.methods,
        "members_present": form.members_present, "leaders_present": form.leaders_present,
        "people_met": form.people_met, "notes": form.notes,
    }
    with database.atomic():
        if visit_id is None:
            visit = visits.create_visit(**values)
        else:
            visit = visits.update_visit(visit_id, **values)
        if _has_scores(form.focus_ratings) or _has_scores(form.tendency_levels) or visits.assessment_of(visit):
            assessments.save_assessment(visit, form.focus_ratings, form.tendency_levels)
        if form.quiz is not None:
            quiz.save_quiz(visit, *form.quiz)
        else:
            quiz.remove_quiz(visit)
        for number, item in enumerate(form.findings, 1):
            try:
                if item.id and item.remove:
                    findings.delete_finding(item.id)
                elif item.id:
                    findings.update_finding(item.id, description=item.description, category=item.category,
                                            sub_kind=item.sub_kind, severity=item.severity, leader=item.leader_id)
                elif not item.remove:
                    findings.create_finding(visit.unit_id, item.description, item.category, visit=visit,
                                            sub_kind=item.sub_kind, severity=item.severity, leader=item.leader_id)
            except ValidationError as exc:
                raise ValidationError(f"第 {number} 个问题：{exc.message}", field=f"finding:{exc.field}") from exc
        for attachment_id in form.remove_attachments:
            attachments.remove_attachment(attachment_id)
        for path in form.add_files:
            attachments.add_attachment(visit, path)
        return visits.get_visit(visit.id)
