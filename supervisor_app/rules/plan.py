"""Rules of the campaign plan and of each unit's progress on its 规定动作.

A plan version is immutable once stored (a change is a new version). A progress record names
a 规定动作 of the plan version it was judged against, for a unit the action applies to; done
needs a date and evidence from that unit (its visits, their attachments, or a named document)
and the measure's least amount; not applicable only where the plan allows it, with a reason.
"""

from __future__ import annotations

from ..errors import ValidationError
from ..plan import Plan, applies, derived, load_default, measure_minimum
from ..plan import validate as validate_plan
from . import fields as f
from .fields import changed, fail
from .lookup import Lookup, validated_once

LABELS = {
    "plan": {"plan_id": "安排编号", "plan_version": "安排版本", "name": "安排名称", "content": "安排内容"},
    "progress": {"unit": "单位", "action_id": "规定动作", "plan_id": "安排编号", "plan_version": "安排版本",
                 "status": "完成情况", "done_on": "完成日期", "amount": "完成数量", "evidence": "佐证",
                 "reason": "不适用理由", "member": "确认人"},
    "survey": {"unit": "单位", "survey_id": "调查轮次", "plan_id": "安排编号", "plan_version": "安排版本",
               "sample": "样本数", "satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"},
}
STATUS_LABELS = {"done": "已完成", "not_applicable": "不适用"}
EVIDENCE_KINDS = {"visit": "督导记录", "attachment": "附件", "document": "文件材料"}
MAX_EVIDENCE = 100

_validated: dict[str, Plan | None] = {}


def _valid(content) -> Plan | None:
    """A stored plan's content validated once per process (None when broken)."""
    return validated_once(_validated, validate_plan, content, limit=64)


def plan_of(plan_id: str, version: int, lookup: Lookup) -> Plan | None:
    """A plan version stored (or assumed) here, or the shipped default when it is that one."""
    return lookup.derived(("plan", plan_id, version), lambda: _plan_of(plan_id, version, lookup))


def _plan_of(plan_id: str, version: int, lookup: Lookup) -> Plan | None:
    for state in lookup.children("plan", "plan_id", plan_id):
        if state.get("plan_version") == version:
            return _valid(state.get("content"))
    default = load_default()
    if (default.id, default.version) == (plan_id, version):
        return default
    return derived(plan_id, version)


def plan(state: dict, old: dict | None, lookup: Lookup) -> None:
    plan_id = f.text(state, "plan_id", "安排编号", max_length=100)
    version = f.integer(state, "plan_version", "安排版本", minimum=1, maximum=1_000_000)
    f.text(state, "name", "安排名称", max_length=200)
    content = state.get("content")
    f.json_value(content, "content", "安排内容")
    try:
        checked = validate_plan(content)
    except ValidationError as exc:
        raise fail(exc.message, "content") from None
    except (TypeError, ValueError, KeyError, AttributeError):
        raise fail("活动安排内容的结构不对。", "content") from None
    if checked.id != plan_id or checked.version != version:
        raise fail(f"活动安排内容的编号和版本（{checked.id} 第 {checked.version} 版）与记录不符。", "content")
    if old is not None and (old.get("content") != content or old.get("plan_id") != plan_id
                            or old.get("plan_version") != version):
        raise fail(f"活动安排 {plan_id} 第 {version} 版已存在，不能修改；修改安排请载入更高版本。", "content")


def has_county_team(unit_id: str, lookup: Lookup) -> bool:
    """Whether a unit has a leadership team with a 县处级 leader (the 县处级 teams' actions)."""
    for team in lookup.children("team", "unit", unit_id):
        if any(leader.get("is_county_level") for leader in lookup.children("leader", "team", team["id"])):
            return True
    return False


def progress(state: dict, old: dict | None, lookup: Lookup) -> None:
    unit_id = f.ident(state, "unit", "单位")
    action_id = f.text(state, "action_id", "规定动作", max_length=100)
    plan_id = f.text(state, "plan_id", "安排编号", max_length=100)
    version = f.integer(state, "plan_version", "安排版本", minimum=1, maximum=1_000_000)
    status = f.choice(state, "status", "完成情况", tuple(STATUS_LABELS))
    f.ident(state, "member", "确认人", required=False)
    reason = f.text(state, "reason", "不适用理由", required=False, max_length=2000)
    evidence = state.get("evidence")
    f.json_value(evidence, "evidence", "佐证")
    if type(evidence) is not list or len(evidence) > MAX_EVIDENCE:
        raise fail(f"佐证应为列表（最多 {MAX_EVIDENCE} 项）。", "evidence")
    found = plan_of(plan_id, version, lookup)
    if found is None:
        raise fail(f"找不到活动安排 {f.shown(plan_id)} 第 {version} 版。", "plan_version")
    action = found.action(action_id)
    if action is None:
        raise fail(f"活动安排第 {version} 版中没有规定动作“{f.shown(action_id)}”。", "action_id")
    unit = lookup.get("unit", unit_id)
    if unit is not None and not applies(action, unit.get("kind"), has_county_team(unit_id, lookup)):
        raise fail(f"规定动作“{action['name']}”不适用于{unit.get('kind')}“{unit.get('name')}”。", "action_id")
    if status == "not_applicable":
        if not action["not_applicable_allowed"]:
            raise fail(f"活动安排规定“{action['name']}”必须完成，不能标为不适用。", "status")
        if not reason.strip():
            raise fail("标为不适用须写明理由。", "reason")
        if state.get("done_on") is not None or state.get("amount") is not None or evidence:
            raise fail("标为不适用的记录不应有完成日期、数量或佐证。", "status")
        return
    f.day(state, "done_on", "完成日期")
    minimum = measure_minimum(action)
    if minimum is None:
        if state.get("amount") is not None:
            raise fail(f"“{action['name']}”不按数量计，不应填写完成数量。", "amount")
    else:
        if state.get("amount") is None:
            raise fail(f"请填写完成数量（{action['name']}，至少 {minimum}）。", "amount")
        amount = f.integer(state, "amount", "完成数量", minimum=0, maximum=100_000)
        if amount < minimum:
            raise fail(f"“{action['name']}”至少须达到 {minimum}，填写的是 {amount}，还不能算完成。", "amount")
    if not evidence:
        raise fail("标为已完成须有佐证（督导记录、附件或文件材料）。", "evidence")
    if changed(state, old, "evidence", "unit"):
        _evidence(evidence, unit_id, lookup)
    if action["measure"]["kind"] == "document" and not any(
            type(item) is dict and item.get("kind") in ("attachment", "document") for item in evidence):
        raise fail(f"“{action['name']}”须有文件材料或附件作佐证。", "evidence")


def _evidence(evidence: list, unit_id: str, lookup: Lookup) -> None:
    seen = set()
    for i, item in enumerate(evidence):
        if type(item) is not dict or item.get("kind") not in EVIDENCE_KINDS:
            raise fail(f"第 {i + 1} 项佐证的类别不对（应为督导记录、附件或文件材料）。", "evidence")
        kind = item["kind"]
        if kind == "document":
            title = item.get("title")
            if set(item) != {"kind", "title"} or type(title) is not str or not title.strip() or len(title) > 500:
                raise fail(f"第 {i + 1} 项佐证（文件材料）须写明文件名称（500 字以内）。", "evidence")
            key = ("document", title)
        else:
            if set(item) != {"kind", "id"} or type(item.get("id")) is not str or not f.ID_SHAPE.match(item["id"]):
                raise fail(f"第 {i + 1} 项佐证（{EVIDENCE_KINDS[kind]}）的编号不对。", "evidence")
            key = (kind, item["id"])
            # deleted visits and photos still belong to their unit
            visit = lookup.stored("visit", item["id"]) if kind == "visit" else None
            if kind == "attachment":
                attachment = lookup.stored("attachment", item["id"])
                visit = lookup.stored("visit", attachment.get("visit")) if attachment is not None else None
            if visit is not None and visit.get("unit") != unit_id:
                raise fail(f"第 {i + 1} 项佐证（{EVIDENCE_KINDS[kind]}）不是本单位的督导记录。", "evidence")
        if key in seen:
            raise fail(f"第 {i + 1} 项佐证重复。", "evidence")
        seen.add(key)


def unique_progress(state: dict, old: dict | None, lookup: Lookup) -> None:
    if not changed(state, old, "unit", "action_id"):
        return
    for other in lookup.children("progress", "unit", state.get("unit")):
        if other["id"] != state["id"] and other.get("action_id") == state.get("action_id"):
            raise fail("该单位的这项规定动作已有完成情况记录，请修改原记录。", "action_id")


def survey(state: dict, old: dict | None, lookup: Lookup) -> None:
    unit_id = f.ident(state, "unit", "单位")
    survey_id = f.text(state, "survey_id", "调查轮次", max_length=100)
    plan_id = f.text(state, "plan_id", "安排编号", max_length=100)
    version = f.integer(state, "plan_version", "安排版本", minimum=1, maximum=1_000_000)
    sample = f.integer(state, "sample", "样本数", minimum=1, maximum=10_000_000)
    counts = [f.integer(state, name, label, minimum=0, maximum=10_000_000)
              for name, label in (("satisfied", "满意"), ("basically_satisfied", "基本满意"), ("unsatisfied", "不满意"))]
    if sum(counts) != sample:
        raise fail(f"满意、基本满意、不满意人数之和（{sum(counts)}）应等于样本数（{sample}）。", "sample")
    found = plan_of(plan_id, version, lookup)
    if found is None:
        raise fail(f"找不到活动安排 {f.shown(plan_id)} 第 {version} 版。", "plan_version")
    if found.survey(survey_id) is None:
        raise fail(f"活动安排第 {version} 版中没有民意调查轮次“{f.shown(survey_id)}”。", "survey_id")
    unit = lookup.get("unit", unit_id)
    if unit is not None and unit.get("kind") not in found.survey_rule["unit_kinds"]:
        raise fail(f"民意调查只排名{'、'.join(found.survey_rule['unit_kinds'])}，不含{unit.get('kind')}。", "unit")


def unique_survey(state: dict, old: dict | None, lookup: Lookup) -> None:
    if not changed(state, old, "unit", "survey_id"):
        return
    for other in lookup.children("survey", "unit", state.get("unit")):
        if other["id"] != state["id"] and other.get("survey_id") == state.get("survey_id"):
            raise fail("该单位在这一轮民意调查中已有结果，请修改原记录。", "survey_id")
