"""The visit editor's one state shape, its checks and its saving.

``VisitForm`` is what the editor shows and what its draft stores (``to_dict`` / ``from_dict``):
the draft *is* the form. ``problems`` lists every rule the form breaks at once, without
writing (the editor shows them as the user types); ``save`` writes the visit, its assessment,
quiz record, findings with their rectification and new attachments in one transaction: all of
it, or none of it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from . import assessments, attachments, campaigns, clock, display, findings, quiz, visits
from .errors import ValidationError
from .models import Rectification, Visit, alive, database
from .rules import DbLookup
from .rules import findings as finding_rules
from .rules.visits import MAX_PEOPLE_TESTED, MAX_QUESTIONS, assessment_problems, quiz_problems, visit_problems


@dataclass
class FindingForm:
    """A finding as edited in the visit editor; ``id`` None for a new one. ``measure``,
    ``responsible`` and ``deadline`` are its rectification, set where the finding is raised."""

    description: str = ""
    category: str = ""
    sub_kind: str = ""
    severity: str = ""
    leader_id: str | None = None
    measure: str = ""
    responsible: str = ""
    deadline: str = ""
    id: str | None = None
    remove: bool = False
    four_winds: list = field(default_factory=list)  # the 四风 it concerns (rules.findings.FOUR_WINDS)

    def has_rectification(self) -> bool:
        return bool(self.measure.strip() or self.responsible.strip() or self.deadline)

    @classmethod
    def from_dict(cls, data: dict) -> FindingForm:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class VisitForm:
    """Everything the visit editor holds. The quiz counts are kept while 本次进行了知识问答 is
    unticked (shown, greyed), but saved only when it is ticked."""

    unit_id: str | None = None
    started_at: str = ""
    methods: list[str] = field(default_factory=list)
    members_present: list[str] = field(default_factory=list)
    leaders_present: list[str] = field(default_factory=list)
    people_met: str = ""
    notes: str = ""
    focus_ratings: dict = field(default_factory=dict)
    tendency_levels: dict = field(default_factory=dict)
    quiz_done: bool = False
    quiz_people: int = 0
    quiz_questions: int = 0
    quiz_correct: int = 0
    findings: list[FindingForm] = field(default_factory=list)
    add_files: list[str] = field(default_factory=list)
    remove_attachments: list[str] = field(default_factory=list)
    # what each photo is of: attachment id or file to add → "" (the visit), "finding:<finding id>",
    # "focus:<item id>" or "tendency:<tendency id>" (an absent key leaves a stored link as it is)
    attachment_links: dict[str, str] = field(default_factory=dict)

    @property
    def quiz(self) -> tuple[int, int, int] | None:
        """People tested, questions, correct answers — None when no quiz is recorded."""
        return (self.quiz_people, self.quiz_questions, self.quiz_correct) if self.quiz_done else None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> VisitForm:
        """A form from a draft; a draft in the older editor's shape (``state``) is read too."""
        if "state" in data and "unit_id" not in data:
            data = _from_old_state(data.get("state") or {})
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        values["findings"] = [FindingForm.from_dict(f) for f in values.get("findings", []) if isinstance(f, dict)]
        return cls(**values)


def _from_old_state(state: dict) -> dict:
    quiz_values = state.get("quiz") or [False, 0, 0, 0]
    found = [{**f, "remove": False} for f in state.get("findings", [])]
    found += [{"id": fid, "remove": True} for fid in state.get("removed_findings", [])]
    return {
        "unit_id": state.get("unit_id"), "started_at": state.get("started_at", ""),
        "methods": state.get("methods", []), "members_present": state.get("members_present", []),
        "leaders_present": state.get("leaders_present", []), "people_met": state.get("people_met", ""),
        "notes": state.get("notes", ""), "focus_ratings": state.get("focus", {}),
        "tendency_levels": state.get("tendency", {}), "quiz_done": bool(quiz_values[0]),
        "quiz_people": quiz_values[1], "quiz_questions": quiz_values[2], "quiz_correct": quiz_values[3],
        "findings": found, "add_files": state.get("pending_files", []),
        "remove_attachments": state.get("removed_attachments", []),
    }


class FormProblems(ValidationError):
    """Every problem of a form; its message and field are the first one's."""

    def __init__(self, problems: list[ValidationError]):
        super().__init__(problems[0].message, field=problems[0].field)
        self.problems = problems


def finding_field(number: int, name: str | None) -> str:
    """The field name of a finding's value in the form: ``finding:<number>:<name>`` (1-based)."""
    return f"finding:{number}:{name or ''}"


def problems(form: VisitForm, visit_id: str | None = None) -> list[ValidationError]:
    """Every rule the form breaks, in the order of the editor's tabs; nothing is written.

    The same record rules the database applies on every write are applied here to the states
    the form would write, so the editor never shows a rule of its own.
    """
    lookup = DbLookup()
    old = lookup.get("visit", visit_id) if visit_id else None
    clean, found = visits.parse_each({
        "unit": form.unit_id, "started_at": form.started_at, "methods": form.methods,
        "members_present": form.members_present, "leaders_present": form.leaders_present,
        "people_met": form.people_met, "notes": form.notes,
    })
    parsed_badly = {p.field for p in found}
    unit = clean.get("unit")
    state = {**(old or {}), "id": visit_id or "new-visit",
             **{k: (v.id if k == "unit" else v) for k, v in clean.items()}}
    state.setdefault("unit", None)
    found += [p for p in visit_problems(state, old, lookup) if p.field not in parsed_badly]
    found += _assessment_problems(form, visit_id, unit, lookup)
    if form.quiz is not None:
        people, questions, correct = form.quiz
        found += quiz_problems({"people_tested": people, "questions": questions, "correct_answers": correct})
    # findings are dated by the visit; while its time is wrong (reported above), by today
    day = state["started_at"][:10] if not any(p.field == "started_at" for p in found) else None
    for number, item in enumerate(form.findings, 1):
        if not item.remove:
            found += _finding_problems(number, item, unit.id if unit else None, day, lookup)
    return found


def _assessment_problems(form: VisitForm, visit_id, unit, lookup) -> list[ValidationError]:
    try:
        focus = assessments._clean_scores(form.focus_ratings or {}, "rating", "督导重点")
        tendency = assessments._clean_scores(form.tendency_levels or {}, "level", "倾向")
    except ValidationError as exc:
        return [exc]
    if not focus and not tendency:
        return []
    existing = visits.assessment_of(visit_id) if visit_id else None
    tpl = campaigns.active_template()
    template_id, version = (existing.template_id, existing.template_version) if existing else (tpl.id, tpl.version)
    state = {"visit": visit_id, "unit": unit.id if unit else None, "template_id": template_id,
             "template_version": version, "focus_ratings": focus, "tendency_levels": tendency}
    return assessment_problems(state, lookup)


def _finding_problems(number: int, item: FindingForm, unit_id, day, lookup) -> list[ValidationError]:
    """The first problem of a finding, and of its rectification, named ``finding:<n>:<field>``."""
    tpl = campaigns.active_template()
    old = lookup.get("finding", item.id) if item.id else None
    state = {**(old or {}), "id": item.id or f"new-finding-{number}", "unit": unit_id or "0", "visit": None,
             "leader": item.leader_id if unit_id else None,
             "found_on": (old or {}).get("found_on") or day or clock.today().isoformat(),
             "description": item.description.strip(), "category": item.category, "sub_kind": item.sub_kind,
             "severity": item.severity or tpl.severities[0], "closed": bool((old or {}).get("closed", False)),
             "four_winds": findings.four_winds_value(item.four_winds)}
    out: list[ValidationError] = []
    try:
        finding_rules.finding(state, old, lookup)
    except ValidationError as exc:
        if exc.field not in ("unit", "found_on"):  # the visit's own unit and date are reported once, above
            out.append(ValidationError(f"第 {number} 个问题：{exc.message}", field=finding_field(number, exc.field)))
    if item.has_rectification():
        lookup.assume("finding", state)
        rect_old = _rectification_state(item.id, lookup)
        rect = {**(rect_old or {"status": "未开始", "completed_on": None, "verified_on": None, "verified_by": None,
                                "verification_note": ""}),
                "id": (rect_old or {}).get("id") or f"new-rect-{number}", "finding": state["id"],
                "measure": item.measure.strip(), "responsible": item.responsible.strip(), "deadline": item.deadline}
        try:
            finding_rules.rectification(rect, rect_old, lookup)
        except ValidationError as exc:
            out.append(ValidationError(f"第 {number} 个问题的整改：{exc.message}",
                                       field=finding_field(number, exc.field)))
    return out


def _rectification_state(finding_id: str | None, lookup) -> dict | None:
    if not finding_id:
        return None
    found = lookup.children("rectification", "finding", finding_id)
    return found[0] if found else None


def rectification_of(finding_id: str) -> Rectification | None:
    """The live rectification of a finding (shown inline in the editor's findings table)."""
    return Rectification.get_or_none((Rectification.finding == finding_id) & alive(Rectification))


def _has_scores(scores: dict) -> bool:
    return any((v or {}).get("rating") or (v or {}).get("level") or (v or {}).get("evidence") for v in scores.values())


def save(form: VisitForm, visit_id: str | None = None) -> Visit:
    """Create (visit_id None) or update a visit with all its parts, atomically.

    Refused with ``FormProblems`` (every problem at once) before anything is written.
    """
    found = problems(form, visit_id)
    if found:
        raise FormProblems(found)
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
                _save_finding(visit, item)
            except ValidationError as exc:
                raise ValidationError(f"第 {number} 个问题：{exc.message}",
                                      field=finding_field(number, exc.field)) from exc
        for attachment_id in form.remove_attachments:
            attachments.remove_attachment(attachment_id)
        removed = {item.id for item in form.findings if item.id and item.remove}
        try:
            for path in form.add_files:
                attachments.add_attachment(visit, path, **_link(form.attachment_links.get(path, ""), removed))
            for att in attachments.list_attachments(visit):  # relinked photos (a removed finding's went with it)
                wanted = form.attachment_links.get(att.id)
                if wanted is not None and wanted != _link_key(att):
                    attachments.link_attachment(att.id, **_link(wanted, removed))
        except ValidationError as exc:
            if exc.field in ("finding", "item"):  # what a photo is of: shown on the 附件 tab
                raise ValidationError(f"照片：{exc.message}", field="attachment") from exc
            raise
        return visits.get_visit(visit.id)


def _link_key(att) -> str:
    """An attachment's link as the form holds it."""
    return f"finding:{att.finding_id}" if att.finding_id else att.item or ""


def _link(key: str, removed_findings: set[str]) -> dict:
    """``add_attachment``/``link_attachment`` arguments of a form link; a photo linked to a
    finding removed in the same save stays with the visit."""
    kind, _, value = (key or "").partition(":")
    if kind == "finding":
        return {"finding": value} if value not in removed_findings else {}
    return {"item": key} if key else {}


def _save_finding(visit: Visit, item: FindingForm) -> None:
    values = {"description": item.description, "category": item.category, "sub_kind": item.sub_kind,
              "severity": item.severity, "leader": item.leader_id, "four_winds": item.four_winds}
    if item.id and item.remove:
        findings.delete_finding(item.id)
        return
    if item.remove:
        return
    if item.id:
        finding = findings.update_finding(item.id, **values)
    else:
        finding = findings.create_finding(visit.unit_id, visit=visit, **values)
    if item.has_rectification():
        plan = {"measure": item.measure.strip(), "responsible": item.responsible.strip(), "deadline": item.deadline}
        rect = rectification_of(finding.id)
        if rect is None or any(getattr(rect, name) != value for name, value in plan.items()):
            findings.set_rectification(finding, **plan)


def form_of(visit_id: str) -> tuple[VisitForm, list[tuple[str, str, str]]]:
    """A stored visit as the editor's form, and the stored values the form cannot hold as they
    are — (label, value, marker) — so that the editor names them instead of dropping them."""
    visit = visits.get_visit(visit_id)
    notes: list[tuple[str, str, str]] = []
    tpl = campaigns.active_template()
    methods = display.names(visit.methods)
    notes += [("督导方式", m, display.NOT_IN_TEMPLATE) for m in methods if m not in tpl.methods]
    if display.parse_minute(visit.started_at) is None:
        notes.append(("督导时间", display.text(visit.started_at), display.INVALID_DATE))
    form = VisitForm(
        unit_id=visit.unit_id, started_at=display.text(visit.started_at),
        methods=[m for m in methods if m in tpl.methods],
        members_present=display.names(visit.members_present), leaders_present=display.names(visit.leaders_present),
        people_met=display.text(visit.people_met), notes=display.text(visit.notes),
    )
    assessment = visits.assessment_of(visit)
    if assessment is not None:
        form.focus_ratings = display.entries(assessment.focus_ratings, "rating", "evidence")
        form.tendency_levels = display.entries(assessment.tendency_levels, "level", "evidence")
        for stored in (assessment.focus_ratings, assessment.tendency_levels):
            if stored and not isinstance(stored, dict):
                notes.append(("评估", display.text(stored), "（不是评估内容）"))
    record = quiz.quiz_of(visit)
    if record is not None:
        form.quiz_done = True
        for name, value, label, most in (
                ("quiz_people", record.people_tested, "参测人数", MAX_PEOPLE_TESTED),
                ("quiz_questions", record.questions, "题目数", MAX_QUESTIONS),
                ("quiz_correct", record.correct_answers, "答对题数", MAX_PEOPLE_TESTED * MAX_QUESTIONS)):
            number = display.count(value)
            if number is None or not 0 <= number <= most:
                notes.append((label, display.text(value), display.INVALID_NUMBER))
                number = 0 if number is None or number < 0 else most
            setattr(form, name, number)
    for finding in findings.list_findings(visit=visit):
        rect = rectification_of(finding.id)
        form.findings.append(FindingForm(
            description=display.text(finding.description), category=display.text(finding.category),
            sub_kind=display.text(finding.sub_kind), severity=display.text(finding.severity),
            leader_id=finding.leader_id, id=finding.id,
            four_winds=[w for w in finding.four_winds if isinstance(w, str)] if isinstance(finding.four_winds, list) else [],
            measure=display.text(rect.measure) if rect else "", responsible=display.text(rect.responsible) if rect else "",
            deadline=display.text(rect.deadline) if rect else ""))
    return form, notes
