"""Progress per unit on the campaign plan's 规定动作: the stored plan versions, what a person
confirmed (done with date and evidence, not applicable with a reason), the state of each
action today, and evidence proposed from visits.

A state is derived, never stored: done / not applicable from a confirmed progress record;
otherwise due until the plan's due date and overdue after it (clock.today()). The rules of a
progress record (rules/plan.py) hold on every path: here, in a bundle, on restore.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from . import changelog, clock, display, installation
from . import validate as check
from .clock import chinese_date
from .errors import NotFoundError, ValidationError
from .models import (
    ActionProgress,
    Attachment,
    Campaign,
    CampaignPlan,
    Leader,
    LeadershipTeam,
    Member,
    Unit,
    Visit,
    alive,
    database,
)
from .plan import Plan, applies, derived, for_campaign, load_default, measure_text
from .plan import validate as validate_plan
from .rules.plan import EVIDENCE_KINDS

STATE_LABELS = {"done": "已完成", "due": "待完成", "overdue": "已逾期", "not_applicable": "不适用"}


# --- the stored plan versions ------------------------------------------------------------------------


def stored_plan(plan_id: str, version: int) -> Plan | None:
    """A stored plan version, or the shipped default when it is that one; None otherwise."""
    record = CampaignPlan.get_or_none(
        (CampaignPlan.plan_id == plan_id) & (CampaignPlan.plan_version == version) & alive(CampaignPlan)
    )
    if record is not None:
        return _valid_or_none(record.content)
    default = load_default()
    if (default.id, default.version) == (plan_id, version):
        return default
    return derived(plan_id, version)


def current_plan() -> Plan:
    """The plan progress is judged against: the highest stored version (the office's, received
    with its assignments), else the shipped default moved to the current campaign's start."""
    for record in (CampaignPlan.select().where(alive(CampaignPlan))
                   .order_by(CampaignPlan.plan_version.desc(), CampaignPlan.created_at.desc(),
                             CampaignPlan.plan_id)):
        plan = _valid_or_none(record.content)
        if plan is not None:  # a damaged stored version (never through the rules) is passed over
            return plan
    campaign = (Campaign.select(Campaign.start_date).where(alive(Campaign))
                .order_by(Campaign.start_date.desc()).first())
    return for_campaign(load_default(), campaign.start_date) if campaign is not None else load_default()


def _valid_or_none(content) -> Plan | None:
    try:
        return validate_plan(content)
    except (ValidationError, TypeError, ValueError, KeyError, AttributeError):
        return None


def load_plan(plan: Plan) -> bool:
    """Keep ``plan`` as the office's new plan version; return True when it was stored.

    Only the office writes plans (they travel to the groups as assignments). Loading the same
    version again with the same content changes nothing; a new version must be higher than the
    current one, so that every installation agrees which plan is current.
    """
    if installation.context().role != "office":
        raise ValidationError("只有活动办可以载入活动安排；督导组会在活动办的同步包中收到新的安排。", field="role")
    with database.atomic():
        existing = CampaignPlan.get_or_none(
            (CampaignPlan.plan_id == plan.id) & (CampaignPlan.plan_version == plan.version) & alive(CampaignPlan)
        )
        if existing is not None:
            if existing.content != plan.content:
                raise ValidationError(
                    f"活动安排 {plan.id} 第 {plan.version} 版已存在且内容不同；修改安排请提高版本号（version）。",
                    field="version")
            return False
        current = current_plan()
        if plan.version <= current.version and plan.content != current.content:
            raise ValidationError(
                f"活动安排的版本号应高于当前的第 {current.version} 版（收到第 {plan.version} 版）。", field="version")
        changelog.create(CampaignPlan, plan_id=plan.id, plan_version=plan.version, name=plan.name,
                         content=plan.content)
        return True


# --- which actions a unit owes ------------------------------------------------------------------------


def county_team_units(unit_ids=None) -> set[str]:
    """Units with a leadership team that has a 县处级 leader."""
    query = (Leader.select(LeadershipTeam.unit).join(LeadershipTeam, on=(Leader.team == LeadershipTeam.id))
             .where(alive(Leader) & alive(LeadershipTeam) & (Leader.is_county_level == True)))
    if unit_ids is not None:
        query = query.where(LeadershipTeam.unit.in_(list(unit_ids)))
    return {row[0] for row in query.tuples()}


def applicable_actions(unit: Unit, plan: Plan | None = None, county: bool | None = None) -> list[dict]:
    """The plan's actions required of ``unit``, in the plan's order."""
    plan = plan or current_plan()
    if county is None:
        county = unit.id in county_team_units([unit.id])
    return [a for a in plan.actions if applies(a, unit.kind, county)]


# --- states --------------------------------------------------------------------------------------------


@dataclass
class ActionState:
    """One 规定动作 of one unit, as of a day."""

    unit_id: str
    unit_name: str
    group_id: str | None
    action_id: str
    action_name: str
    action_kind: str
    stage: str
    measure: str
    due: str
    state: str  # done | due | overdue | not_applicable
    done_on: str | None = None
    amount: int | None = None
    evidence: list[dict] = field(default_factory=list)
    reason: str = ""
    plan_version: int | None = None  # the version the confirmation was judged against
    record_id: str | None = None

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    def as_dict(self) -> dict:
        return {
            "unit_id": self.unit_id, "unit": self.unit_name, "action_id": self.action_id, "action": self.action_name,
            "kind": self.action_kind, "stage": self.stage, "measure": self.measure, "state": self.state,
            "state_label": self.state_label, "due": self.due, "done_on": self.done_on, "amount": self.amount,
            "evidence": self.evidence, "reason": self.reason or None, "plan_version": self.plan_version,
        }


def state_of(due: str, record: ActionProgress | None, on: date) -> str:
    """done / not applicable from a confirmation; else overdue after the due day, due until it."""
    if record is not None and record.status in ("done", "not_applicable"):
        return record.status
    return "overdue" if on.isoformat() > due else "due"


def _visible_units(group_id: str | None = None) -> list[Unit]:
    query = Unit.select().where(alive(Unit)).order_by(Unit.sort_order, Unit.name)
    if group_id is not None:
        return list(query.where(Unit.group == group_id))
    ctx = installation.context()
    if ctx.role == "field" and ctx.group_id:  # its group's units, and those no group is assigned to yet
        query = query.where((Unit.group == ctx.group_id) | Unit.group.is_null())
    return list(query)


def _evidence_sources(records) -> tuple[dict, dict]:
    """The visits and attachments named as evidence by ``records``, read in a few statements."""
    wanted: dict[str, set[str]] = {"visit": set(), "attachment": set()}
    for record in records:
        for item in record.evidence if isinstance(record.evidence, list) else []:
            if isinstance(item, dict) and item.get("kind") in wanted and isinstance(item.get("id"), str):
                wanted[item["kind"]].add(item["id"])
    found: list[dict] = []
    for model, kind in ((Visit, "visit"), (Attachment, "attachment")):
        ids = sorted(wanted[kind])
        rows: dict = {}
        for start in range(0, len(ids), 500):
            rows.update({r.id: r for r in model.select().where(model.id.in_(ids[start:start + 500]) & alive(model))})
        found.append(rows)
    return found[0], found[1]


def _evidence_views(items: list, visits: dict, files: dict) -> list[dict]:
    """Evidence items with what a person reads: a visit's date and methods, a file's name."""
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        kind = item.get("kind")
        view = {"kind": kind, "kind_label": EVIDENCE_KINDS.get(kind, str(kind))}
        if kind == "document":
            view["title"] = item.get("title")
            view["text"] = f"文件材料：{item.get('title')}"
        else:
            view["id"] = item.get("id")
            if kind == "visit":
                visit = visits.get(item.get("id"))
                view["text"] = (f"督导记录：{display.date_text(visit.started_at)}（{'、'.join(display.names(visit.methods))}）"
                                if visit is not None else "督导记录（已删除或尚未同步）")
            else:
                found = files.get(item.get("id"))
                view["text"] = f"附件：{found.filename}" if found is not None else "附件（已删除或尚未同步）"
        out.append(view)
    return out


def unit_states(units: list[Unit], on: date | None = None, plan: Plan | None = None) -> list[ActionState]:
    """Every applicable action of each unit with its state on ``on`` (default today)."""
    on = on or clock.today()
    plan = plan or current_plan()
    ids = [u.id for u in units]
    county = county_team_units(ids) if len(ids) < 500 else county_team_units()
    records: dict[tuple[str, str], ActionProgress] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for record in ActionProgress.select().where(alive(ActionProgress) & ActionProgress.unit.in_(chunk)):
            key = (record.unit_id, record.action_id)
            if key not in records or record.updated_at > records[key].updated_at:
                records[key] = record
    stages = {s["id"]: s["name"] for s in plan.stages}
    visits, files = _evidence_sources(records.values())
    out = []
    for unit in units:
        for action in plan.actions:
            if not applies(action, unit.kind, unit.id in county):
                continue
            record = records.get((unit.id, action["id"]))
            if record is not None and (record.status not in ("done", "not_applicable") or (
                    record.status == "not_applicable" and not action["not_applicable_allowed"])):
                record = None  # the current plan no longer allows it (or it is damaged): owed again
            out.append(ActionState(
                unit_id=unit.id, unit_name=unit.name, group_id=unit.group_id, action_id=action["id"],
                action_name=action["name"], action_kind=action["kind"], stage=stages.get(action["stage"], ""),
                measure=measure_text(action), due=action["due"], state=state_of(action["due"], record, on),
                done_on=record.done_on if record else None, amount=record.amount if record else None,
                evidence=(_evidence_views(record.evidence, visits, files)
                          if record and isinstance(record.evidence, list) else []),
                reason=str(record.reason or "") if record else "",
                plan_version=record.plan_version if record else None,
                record_id=record.id if record else None,
            ))
    return out


def progress(unit_id: str | None = None, on: date | None = None) -> list[ActionState]:
    """The states of one unit's actions, or of every unit this installation follows (the
    field: its group's; the office: every group's)."""
    if unit_id is not None:
        return unit_states([_unit(unit_id)], on)
    return unit_states(_visible_units(), on)


WEEK_DAYS = 7


def is_due_soon(state: ActionState, on: date | None = None, days: int = WEEK_DAYS) -> bool:
    """Owed and due within ``days`` of ``on`` (this week's)."""
    return state.state == "due" and state.due <= ((on or clock.today()) + timedelta(days=days)).isoformat()


def due_soon(on: date | None = None, days: int = WEEK_DAYS, group_id: str | None = None) -> list[ActionState]:
    """Overdue actions and those due within ``days`` of ``on`` (this week's), soonest first."""
    on = on or clock.today()
    rows = [s for s in unit_states(_visible_units(group_id), on)
            if s.state == "overdue" or is_due_soon(s, on, days)]
    rows.sort(key=lambda s: (s.due, s.unit_name, s.action_id))
    return rows


# --- confirming ----------------------------------------------------------------------------------------


def _unit(unit) -> Unit:
    unit_id = unit.id if isinstance(unit, Unit) else unit
    found = Unit.get_or_none((Unit.id == unit_id) & alive(Unit)) if isinstance(unit_id, str) else None
    if found is None:
        raise NotFoundError(f"找不到单位：{unit_id}", field="unit")
    return found


def _existing(unit: Unit, action_id: str) -> ActionProgress | None:
    return (ActionProgress.select().where(alive(ActionProgress) & (ActionProgress.unit == unit.id)
                                          & (ActionProgress.action_id == action_id))
            .order_by(ActionProgress.updated_at.desc()).first())


def _action(plan: Plan, unit: Unit, action_id) -> dict:
    action = plan.action(action_id) if isinstance(action_id, str) else None
    if action is None:
        raise ValidationError(f"活动安排第 {plan.version} 版中没有规定动作“{action_id}”。", field="action_id")
    return action


def _evidence(unit: Unit, evidence) -> list[dict]:
    """Parse evidence given as visit/attachment ids or document titles; each must exist here."""
    if not isinstance(evidence, list | tuple):
        raise ValidationError("佐证应为列表。", field="evidence")
    out = []
    for item in evidence:
        if not isinstance(item, dict) or item.get("kind") not in EVIDENCE_KINDS:
            raise ValidationError("佐证的类别应为督导记录、附件或文件材料。", field="evidence")
        if item["kind"] == "document":
            out.append({"kind": "document", "title": check.text(item.get("title"), "evidence", "文件材料名称",
                                                               max_length=500)})
            continue
        model = Visit if item["kind"] == "visit" else Attachment
        found = model.get_or_none((model.id == item.get("id")) & alive(model)) if isinstance(item.get("id"), str) else None
        if found is None:
            raise ValidationError(f"找不到作为佐证的{EVIDENCE_KINDS[item['kind']]}：{item.get('id')}", field="evidence")
        out.append({"kind": item["kind"], "id": found.id})
    return out


def _write(unit: Unit, values: dict) -> ActionProgress:
    member = installation.context().member_id
    if member is not None and Member.get_or_none((Member.id == member) & alive(Member)) is None:
        member = None
    values["member"] = member
    with database.atomic():
        record = _existing(unit, values["action_id"])
        if record is None:
            return changelog.create(ActionProgress, unit=unit.id, **values)
        return changelog.update(record, **values)


def confirm_done(unit, action_id: str, done_on, evidence, amount: int | None = None) -> ActionProgress:
    """Record that ``unit`` did ``action_id`` on ``done_on``, shown by ``evidence``."""
    unit = _unit(unit)
    plan = current_plan()
    _action(plan, unit, action_id)
    day = check.iso_date(done_on, "done_on", "完成日期")
    if day > clock.today().isoformat():
        raise ValidationError(f"完成日期不能晚于今天（{chinese_date(clock.today())}）。", field="done_on")
    if amount is not None and not isinstance(amount, int):
        amount = check.integer(amount, "amount", "完成数量")
    return _write(unit, {"action_id": action_id, "plan_id": plan.id, "plan_version": plan.version, "status": "done",
                         "done_on": day, "amount": amount, "evidence": _evidence(unit, evidence), "reason": ""})


def mark_not_applicable(unit, action_id: str, reason: str) -> ActionProgress:
    """Record that ``action_id`` does not apply to ``unit`` (only where the plan allows it)."""
    unit = _unit(unit)
    plan = current_plan()
    _action(plan, unit, action_id)
    return _write(unit, {"action_id": action_id, "plan_id": plan.id, "plan_version": plan.version,
                         "status": "not_applicable", "done_on": None, "amount": None, "evidence": [],
                         "reason": check.text(reason, "reason", "不适用理由", required=False, max_length=2000)})


def reopen(unit, action_id: str) -> bool:
    """Withdraw a confirmation (the action is owed again); True when there was one."""
    record = _existing(_unit(unit), action_id)
    if record is None:
        return False
    changelog.tombstone(record)
    return True


# --- proposals from visits ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """A visit that may show an action was done: the supervisor confirms or ignores it."""

    visit_id: str
    on_date: str
    text: str
    why: str


def unit_visits(unit) -> list[Visit]:
    """The unit's visits, newest first (what evidence can be picked from)."""
    unit = _unit(unit)
    return list(Visit.select().where(alive(Visit) & (Visit.unit == unit.id)).order_by(Visit.started_at.desc()))


def propose_evidence(unit, action_id: str, plan: Plan | None = None) -> list[Proposal]:
    """Visits of ``unit`` since the campaign began whose notes name the action's words (their
    methods said too), oldest first; the visits already given as its evidence are left out."""
    unit = _unit(unit)
    plan = plan or current_plan()
    action = _action(plan, unit, action_id)
    record = _existing(unit, action_id)
    used = {i.get("id") for i in (record.evidence if record and isinstance(record.evidence, list) else [])
            if isinstance(i, dict)}
    out = []
    begin = plan.stages[0]["start"]
    for visit in (Visit.select().where(alive(Visit) & (Visit.unit == unit.id) & (Visit.started_at >= begin))
                  .order_by(Visit.started_at)):
        why = evidence_reason(action, visit.notes, visit.methods)
        if visit.id in used or why is None:
            continue
        first = display.text(visit.notes).split("。", 1)[0].strip()
        out.append(Proposal(visit.id, str(visit.started_at)[:10], f"{display.date_text(visit.started_at)} {first}", why))
    return out


def evidence_reason(action: dict, notes: str | None, methods) -> str | None:
    """Why a visit's notes and methods suggest ``action`` was done (None: they do not). The notes
    must name one of the action's words: a method alone says nothing about which action."""
    said = [w for w in action["evidence_words"] if isinstance(notes, str) and w in notes]
    if not said:
        return None
    why = f"记录中提到：{'、'.join(said)}"
    used_methods = [m for m in (methods if isinstance(methods, list) else []) if m in action["evidence_methods"]]
    if used_methods:
        why += f"；督导方式：{'、'.join(used_methods)}"
    return why
