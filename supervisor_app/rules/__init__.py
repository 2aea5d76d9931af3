"""Record rules: the one place that knows what a valid stored record is.

Every write passes here — the services' writes through ``changelog`` and, for bundles, the
import — with the record's full new state (and its stored state on an update), so a rule
checked on create is also checked on update and on import. The services only *parse* input
(turn '2014-04-08 09:30' or a date into the stored text, a name into an id); what the stored
value must satisfy is decided here.

One module per area, named after the records whose rules it holds:

    fields.py       one stored value: text, dates, times, ids, numbers, choices, JSON
    units.py        unit, team, leader; ``unit_line`` / ``related_units`` (a unit above or below)
    campaigns.py    template, campaign, group, member
    visits.py       visit, attachment, assessment, quiz
    findings.py     finding, rectification, followup (the follow-through dates)
    evaluations.py  evaluation, fact, amendment (facts inside the period)
    plan.py         plan (a version never changes), progress (a unit's 规定动作: done, not applicable),
                    survey (a unit's 民意调查 result)
    supervision.py  supervision_problem (督导层面 problems, against a group)
    meetings.py     meeting (a team's 专题民主生活会: dates, people, 对照检查材料, 谈心谈话, 四风, rating)
    rectification_plans.py  rplan (a unit's 整改方案 and its items), stasks / stask_assign /
                    stask_status (the 专项整治 task list, its assignment to units, their progress)
    lookup.py       ``Lookup`` (what the rules may read) and ``DbLookup`` (the database's);
                    ``TemplateLookup`` (the templates only, for ``check_alone``)
    checks.py       ``Checks``: a rule as ordered checks marked ALONE (the record and the
                    templates) or RELATED (other records too)

``check_record`` holds everything a record must satisfy alone and against the records it
names or that name it. For a new record it splits in two halves that pass together exactly
when it passes: ``check_alone`` (the meta fields, the column types, the checks marked ALONE:
what reads nothing but the record and the templates), which a large import runs in its
second process, and ``check_record(..., alone_checked=True)``, the rest.

``check_unique`` holds the rules over sets of records (one top leader per unit, no two units
of one name under one parent …): local writes pass both; an import may prefer to treat a
clash between two devices' records as a conflict rather than refuse it.
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import BooleanField, IntegerField

from ..errors import ValidationError
from ..models import MODEL_BY_RECORD_TYPE, JSONField
from . import campaigns, evaluations, findings, meetings, supervision, units, visits
from . import fields as f
from . import plan as plans
from . import rectification_plans as rplans
from .checks import halves
from .lookup import DbLookup, Lookup, NeedsRecords, TemplateLookup
from .units import related_units, unit_line

__all__ = ["DbLookup", "Lookup", "NeedsRecords", "TemplateLookup", "check_alone", "check_record", "check_unique",
           "related_units", "unit_line"]

Rule = Callable[[dict, "dict | None", Lookup], None]

RECORD_RULES: dict[str, Rule] = {
    "template": campaigns.template,
    "campaign": campaigns.campaign,
    "group": campaigns.group,
    "member": campaigns.member,
    "unit": units.unit,
    "team": units.team,
    "leader": units.leader,
    "visit": visits.visit,
    "attachment": visits.attachment,
    "assessment": visits.assessment,
    "quiz": visits.quiz,
    "finding": findings.finding,
    "rectification": findings.rectification,
    "followup": findings.followup,
    "evaluation": evaluations.evaluation,
    "fact": evaluations.fact,
    "amendment": evaluations.amendment,
    "plan": plans.plan,
    "progress": plans.progress,
    "survey": plans.survey,
    "supervision_problem": supervision.supervision_problem,
    "meeting": meetings.meeting,
    "rplan": rplans.rplan,
    "stasks": rplans.stasks,
    "stask_assign": rplans.stask_assign,
    "stask_status": rplans.stask_status,
}

UNIQUE_RULES: dict[str, Rule] = {
    "unit": units.unique_unit,
    "team": units.unique_team,
    "leader": units.unique_leader,
    "group": campaigns.unique_group,
    "member": campaigns.unique_member,
    "progress": plans.unique_progress,
    "survey": plans.unique_survey,
    "meeting": meetings.unique_meeting,
    "rplan": rplans.unique_plan_items,
    "stask_assign": rplans.unique_assignment,
    "stask_status": rplans.unique_status,
}

LABELS: dict[str, dict[str, str]] = {
    **units.LABELS, **campaigns.LABELS, **visits.LABELS, **findings.LABELS, **evaluations.LABELS,
    **plans.LABELS, **supervision.LABELS, **meetings.LABELS, **rplans.LABELS,
}
META_LABELS = {"id": "记录编号", "created_at": "创建时间", "updated_at": "修改时间", "device_id": "设备编号",
               "version": "版本号", "deleted": "删除标记"}


def check_record(record_type: str, state: dict, *, old: dict | None = None, lookup: Lookup | None = None,
                 alone_checked: bool = False) -> None:
    """Raise errors.ValidationError(message_in_chinese, field=<field name>) if ``state`` breaks a rule.

    ``state`` is the record's full stored state (like ``instance.__data__``, with ``id`` and
    the meta fields); ``old`` its stored state before an update (None on create); ``lookup``
    reads related records (a fresh ``DbLookup`` when not given). A tombstone is only held to
    the column types. Rules on related records apply when the related record is there (live):
    whether it must exist is the writer's business (the services refuse a missing one; in a
    bundle it may have been deleted on another device meanwhile).

    ``alone_checked``: ``state`` is a new record's (no ``old``) and ``check_alone`` passed on
    it, against the templates ``lookup`` holds now: only the rest is checked.
    """
    rule = _rule(record_type, state)
    if alone_checked:
        if old is not None:
            raise ValueError("alone_checked is for a new record")
        if not state["deleted"]:
            lookup = lookup if lookup is not None else DbLookup()
            for check in halves(rule)[1]:
                check(state, None, lookup)
        return
    _meta(state)
    if state["deleted"]:
        _columns(_column_table(record_type, live=False), state)
        return
    if type(old) is not dict or old.get("deleted"):
        old = None  # a new record, or one coming back from a tombstone: checked in full
    rule(state, old, lookup if lookup is not None else DbLookup())
    _columns(_column_table(record_type, live=True), state)


def check_alone(record_type: str, state: dict, lookup: Lookup) -> None:
    """The half of ``check_record`` of a new record that reads nothing but the record and the
    templates (``lookup``: a ``TemplateLookup``, whose other reads raise ``NeedsRecords``):
    raises like ``check_record``. The rest is ``check_record(..., alone_checked=True)``."""
    rule = _rule(record_type, state)
    _meta(state)
    if state["deleted"]:
        _columns(_column_table(record_type, live=False), state)
        return
    for check in halves(rule)[0]:
        check(state, None, lookup)
    _columns(_column_table(record_type, live=True), state)


def _rule(record_type: str, state: dict) -> Rule:
    rule = RECORD_RULES.get(record_type) if type(record_type) is str else None
    if rule is None:
        raise ValidationError(f"不认识的记录类型：{f.shown(record_type)}。", field="record_type")
    if type(state) is not dict:
        raise ValidationError("记录内容格式不对。", field=None)
    return rule


def check_unique(record_type: str, state: dict, *, old: dict | None = None, lookup: Lookup | None = None) -> None:
    """The rules over sets of records (names unique among siblings, one leader per group …);
    call after ``check_record`` accepted ``state``."""
    rule = UNIQUE_RULES.get(record_type)
    if rule is None or state.get("deleted"):
        return
    if type(old) is not dict or old.get("deleted"):
        old = None
    rule(state, old, lookup if lookup is not None else DbLookup())


def _meta(state: dict) -> None:
    get = state.get
    record_id, device_id, version = get("id"), get("device_id"), get("version")
    if (type(record_id) is str and f.ID_SHAPE.match(record_id) and type(device_id) is str
            and f.ID_SHAPE.match(device_id) and type(version) is int and 1 <= version <= f.MAX_INT
            and type(get("deleted")) is bool and f.timestamp_ok(get("created_at")) and f.timestamp_ok(get("updated_at"))):
        return  # the common case, without building messages
    f.ident(state, "id", "记录编号", missing="记录编号缺失。")
    f.timestamp(state, "created_at", "创建时间")
    f.timestamp(state, "updated_at", "修改时间")
    f.ident(state, "device_id", "设备编号", missing="设备编号缺失。")
    f.integer(state, "version", "版本号", minimum=1)
    f.flag(state, "deleted", "删除标记")


# --- every column holds what its type says ---------------------------------------------------------

_COLUMNS: dict[tuple[str, bool], tuple] = {}


def _column_table(record_type: str, *, live: bool) -> tuple:
    """(name, kind, nullable, label) of the columns to check by type, built once: every column
    of a tombstone; of a live record, those its area's rules do not check (a column added
    later, until a rule names it in its area's LABELS)."""
    table = _COLUMNS.get((record_type, live))
    if table is None:
        model = MODEL_BY_RECORD_TYPE[record_type]
        checked = LABELS.get(record_type, {})
        labels = {**META_LABELS, **checked}
        rows = []
        for name, field in model._meta.fields.items():
            if name in META_LABELS or name in model.LOCAL_FIELDS:
                continue
            if live and name in checked:
                continue
            if isinstance(field, JSONField):
                kind = "json"
            elif isinstance(field, BooleanField):
                kind = "bool"
            elif isinstance(field, IntegerField):
                kind = "int"
            else:
                kind = "str"
            rows.append((name, kind, field.null, labels.get(name, name)))
        table = _COLUMNS[(record_type, live)] = tuple(rows)
    return table


def _columns(table: tuple, state: dict) -> None:
    """Each value fits its column (what a tombstone must still satisfy; a safety net for the rest)."""
    for name, kind, nullable, label in table:
        value = state.get(name)
        if value is None:
            if not nullable:
                raise ValidationError(f"{label}不能为空。", field=name)
        elif kind == "str":
            if type(value) is not str or len(value) > 10_000_000:
                raise ValidationError(f"{label}应为文字（收到：{f.shown(value)}）。", field=name)
            if not f.encodable(value):
                raise ValidationError(f"{label}含有无法保存的字符。", field=name)
        elif kind == "int":
            f.integer(state, name, label)
        elif kind == "bool":
            f.flag(state, name, label)
        else:
            f.json_value(value, name, label)
