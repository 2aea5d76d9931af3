"""Findings (问题) and their rectification (整改) followed to the end.

What a stored finding, rectification or follow-up must satisfy (category and sub-kind from
the template, the leader of the unit or a unit above or below, no date before the finding …)
is in rules/findings.py. Here: the operations, and when a rectification is overdue (its
deadline has passed and it is neither 完成 nor 核实); verification closes the finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from peewee import JOIN

from . import campaigns, changelog, clock, display, visits
from . import validate as check
from .errors import NotFoundError, ValidationError
from .models import (
    Finding,
    FollowUp,
    Leader,
    Member,
    Rectification,
    Unit,
    alive,
    database,
)
from .rules.findings import DONE_STATUSES, FOUR_WINDS
from .units import get_leader, get_unit

DUE_SOON_DAYS = 7


def get_finding(finding_id) -> Finding:
    if isinstance(finding_id, Finding):
        finding_id = finding_id.id
    finding = Finding.get_or_none((Finding.id == finding_id) & alive(Finding)) if finding_id else None
    if finding is None:
        raise NotFoundError(f"找不到问题：{finding_id}。", field="finding")
    return finding


def get_rectification(rect_id) -> Rectification:
    if isinstance(rect_id, Rectification):
        rect_id = rect_id.id
    rect = Rectification.get_or_none((Rectification.id == rect_id) & alive(Rectification)) if rect_id else None
    if rect is None:
        raise NotFoundError(f"找不到整改记录：{rect_id}。", field="rectification")
    return rect


def _clean_finding(values: dict, finding: Finding | None = None) -> dict:
    """Parse what the editor or a caller gives into stored values (ids, a category's name, the
    template's first severity by default); the record rules (rules/findings.py) check them."""
    tpl = campaigns.active_template()
    clean = {}
    if "visit" in values:
        clean["visit"] = visits.get_visit(values["visit"]) if values["visit"] else None
    visit = clean.get("visit", finding.visit if finding and finding.visit_id else None)
    if "unit" in values or finding is None:
        unit_value = values.get("unit") or (visit.unit_id if visit else None)
        if not unit_value:
            raise ValidationError("请选择问题所在单位。", field="unit")
        clean["unit"] = get_unit(unit_value)
    if "category" in values or finding is None:
        given = values.get("category") or ""
        category = tpl.category(given) if isinstance(given, str) else None
        clean["category"] = category["name"] if category else given  # an id or a name → the name
    if "sub_kind" in values or "category" in clean:
        clean["sub_kind"] = check.clean_text(values.get("sub_kind", finding.sub_kind if finding else ""))
    if "description" in values or finding is None:
        clean["description"] = check.clean_text(values.get("description"))
    if "severity" in values or finding is None:
        clean["severity"] = values.get("severity") or tpl.severities[0]
    if "found_on" in values or finding is None:
        found = values.get("found_on") or (visit.started_at[:10] if visit else clock.today().isoformat())
        clean["found_on"] = check.iso_date(found, "found_on", "发现日期")
    if "leader" in values:
        clean["leader"] = get_leader(values["leader"]) if values["leader"] else None
    if "four_winds" in values:
        clean["four_winds"] = four_winds_value(values["four_winds"])
    return clean


def four_winds_value(given) -> list:
    """The 四风 tags as stored: the editor's or a caller's list (or "形式主义、官僚主义" text) put in
    the order of FOUR_WINDS; anything else is passed on for the rule to refuse by name."""
    if given is None:
        return []
    if isinstance(given, str):
        given = [part.strip() for part in given.replace("，", "、").replace(",", "、").split("、") if part.strip()]
    if isinstance(given, list | tuple) and all(isinstance(v, str) and v in FOUR_WINDS for v in given):
        return [w for w in FOUR_WINDS if w in given] if len(set(given)) == len(given) else list(given)
    return list(given) if isinstance(given, list | tuple) else given


def four_winds_text(finding: Finding) -> str:
    """The 四风 a finding is tagged with, as printed and listed ("形式主义、官僚主义"; "" for none);
    a damaged stored value shows what it holds rather than failing."""
    value = finding.four_winds
    if not isinstance(value, list):
        return display.text(value) if value else ""
    return "、".join(display.text(v) for v in value)


# The 四风 a problem of each category usually shows (the speech: "以形式主义来反对“四风”"; 征求意见
# "讲形式主义、官僚主义多"); what the demo tags its findings with. A person decides for each finding.
TYPICAL_FOUR_WINDS = {
    "有形式主义趋向": ("形式主义",),
    "学习教育还不深不透": ("形式主义",),
    "征求意见不太理想": ("形式主义", "官僚主义"),
    "指导督促工作有待加强": ("官僚主义",),
}


def typical_four_winds(category: str, sub_kind: str = "") -> list[str]:
    """The 四风 a finding of ``category`` usually concerns (享乐主义、奢靡之风 by the words of its sub-kind)."""
    tags = set(TYPICAL_FOUR_WINDS.get(category, ()))
    for wind in ("享乐主义", "奢靡之风"):
        if wind in sub_kind:
            tags.add(wind)
    return [w for w in FOUR_WINDS if w in tags]


def create_finding(unit=None, description: str = "", category: str = "", **extra) -> Finding:
    """Record a problem found (optionally in a visit, optionally concerning a leader)."""
    with database.atomic():
        values = _clean_finding({"unit": unit, "description": description, "category": category, **extra})
        finding = changelog.create(Finding, **values)
        if finding.visit_id:
            visits.reindex(finding.visit_id)
        return finding


def update_finding(finding, **changes) -> Finding:
    with database.atomic():
        finding = get_finding(finding)
        old_visit = finding.visit_id
        finding = changelog.update(finding, **_clean_finding(changes, finding))
        for visit_id in {old_visit, finding.visit_id} - {None}:
            visits.reindex(visit_id)
        return finding


def delete_finding(finding) -> Finding:
    with database.atomic():
        finding = get_finding(finding)
        rect = Rectification.get_or_none((Rectification.finding == finding) & alive(Rectification))
        if rect is not None:
            changelog.tombstone(rect)
        for att in finding.attachments:  # its photos follow it
            if not att.deleted:
                changelog.tombstone(att)
        changelog.tombstone(finding)
        if finding.visit_id:
            visits.reindex(finding.visit_id)
        return finding


def list_findings(unit=None, *, open_only: bool = False, visit=None) -> list[Finding]:
    query = Finding.select().where(alive(Finding))
    if unit is not None:
        query = query.where(Finding.unit == unit)
    if visit is not None:
        query = query.where(Finding.visit == visit)
    if open_only:
        query = query.where(Finding.closed == False)
    return list(query.order_by(Finding.found_on.desc(), Finding.created_at))


def open_findings_for_unit(unit) -> list[Finding]:
    """The unit's findings not yet verified: shown when a new visit to it starts (carry-forward)."""
    return list_findings(unit, open_only=True)


# --- rectification --------------------------------------------------------------------------------


def _clean_rect(values: dict, rect: Rectification | None = None) -> dict:
    """Parse the rectification editor's values; the record rules (rules/findings.py) check them."""
    clean = {}
    if "measure" in values or rect is None:
        clean["measure"] = check.clean_text(values.get("measure"))
    if "responsible" in values or rect is None:
        clean["responsible"] = check.clean_text(values.get("responsible"))
    if "deadline" in values or rect is None:
        clean["deadline"] = check.iso_date(values.get("deadline"), "deadline", "整改时限")
    if "status" in values:
        status = values["status"]
        if status == "已核实":  # verification has its own operation, which names who verified and when
            raise ValidationError("核实请使用“核实整改”，并填写核实人和日期。", field="status")
        clean["status"] = status
        if status == "已完成":
            clean["completed_on"] = check.iso_date(
                values.get("completed_on") or clock.today(), "completed_on", "完成日期"
            )
        else:
            clean["completed_on"] = None
    return clean


def set_rectification(finding, **values) -> Rectification:
    """Create or change the rectification of a finding (measure, responsible, deadline, status)."""
    with database.atomic():
        finding = get_finding(finding)
        rect = Rectification.get_or_none((Rectification.finding == finding) & alive(Rectification))
        clean = _clean_rect(values, rect)
        if rect is None:
            return changelog.create(Rectification, finding=finding, **clean)
        return changelog.update(rect, **clean)


def add_follow_up(rect, on_date, note: str, member=None) -> FollowUp:
    """A dated follow-up of a rectification; it moves 未开始 to 整改中."""
    with database.atomic():
        rect = get_rectification(rect)
        on = check.iso_date(on_date, "on_date", "跟进日期")
        note = check.clean_text(note)
        member_id = member.id if isinstance(member, Member) else member
        follow = changelog.create(FollowUp, rectification=rect, on_date=on, note=note, member=member_id)
        if rect.status == "未开始":
            changelog.update(rect, status="整改中")
        return follow


def verify(rect, on_date, verified_by: str, note: str = "") -> Rectification:
    """Verify a rectification as done: it becomes 已核实 and the finding closes."""
    with database.atomic():
        rect = get_rectification(rect)
        on = check.iso_date(on_date, "verified_on", "核实日期")
        rect = changelog.update(
            rect, status="已核实", verified_on=on, verified_by=check.clean_text(verified_by),
            verification_note=check.clean_text(note), completed_on=rect.completed_on or on,
        )
        changelog.update(rect.finding, closed=True)
        return rect


def follow_ups(rect) -> list[FollowUp]:
    return list(FollowUp.select().where(alive(FollowUp) & (FollowUp.rectification == rect)).order_by(FollowUp.on_date))


def is_overdue(rect: Rectification, on: date | None = None) -> bool:
    on = on or clock.today()
    return rect.status not in DONE_STATUSES and rect.deadline < on.isoformat()


def is_due_soon(rect: Rectification, on: date | None = None) -> bool:
    on = on or clock.today()
    limit = (on + timedelta(days=DUE_SOON_DAYS)).isoformat()
    return rect.status not in DONE_STATUSES and on.isoformat() <= rect.deadline <= limit


@dataclass(frozen=True)
class LedgerRow:
    finding: Finding
    rectification: Rectification | None
    unit_name: str
    leader_name: str
    overdue: bool
    due_soon: bool

    @property
    def status(self) -> str:
        if self.rectification is None:
            return "未制定整改"
        return self.rectification.status


def ledger(unit=None, *, open_only: bool = False, overdue_only: bool = False, due_soon_or_overdue: bool = False,
           on: date | None = None) -> list[LedgerRow]:
    """Findings with their rectification, overdue and due-soon flags computed once, here."""
    on = on or clock.today()
    query = (
        Finding.select(Finding, Unit, Rectification, Leader)
        .join(Unit, join_type=JOIN.LEFT_OUTER, on=(Finding.unit == Unit.id))  # listed even when the unit is missing
        .switch(Finding)
        .join(Rectification, join_type=JOIN.LEFT_OUTER, on=((Rectification.finding == Finding.id) & alive(Rectification)))
        .switch(Finding)
        .join(Leader, join_type=JOIN.LEFT_OUTER, on=(Finding.leader == Leader.id))
        .where(alive(Finding))
        .order_by(Finding.found_on.desc(), Finding.id)
    )
    if unit is not None:
        query = query.where(Finding.unit == unit)
    if open_only:
        query = query.where(Finding.closed == False)
    if overdue_only or due_soon_or_overdue:
        limit = on if overdue_only else on + timedelta(days=DUE_SOON_DAYS)
        query = query.where(Rectification.id.is_null(False) & (Rectification.deadline <= limit.isoformat())
                            & Rectification.status.not_in(DONE_STATUSES))
    rows = []
    for finding in query:
        rect = getattr(finding, "rectification", None)
        if rect is not None and rect.id is None:
            rect = None
        leader = getattr(finding, "leader", None) if finding.leader_id else None
        overdue = rect is not None and is_overdue(rect, on)
        if overdue_only and not overdue:
            continue
        rows.append(
            LedgerRow(finding, rect, display.related_name(finding, "unit"), leader.name if leader else "", overdue,
                      rect is not None and is_due_soon(rect, on))
        )
    return rows
