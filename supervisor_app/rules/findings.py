"""Rules of findings (问题), their rectification (整改) and its follow-ups.

The dates of a finding's follow-through are never before the finding: a deadline, the day the
rectification was completed or verified, a follow-up. Checked from whichever side is edited —
moving a finding's date later is refused while its rectification says otherwise.
"""

from __future__ import annotations

from ..models import FOUR_WINDS as models_four_winds
from ..models import RECTIFICATION_STATUSES
from . import fields as f
from .fields import changed, fail
from .lookup import Lookup
from .rectification_plans import finding_still_fits_plans
from .units import related_units
from .visits import not_after_today

DONE_STATUSES = ("已完成", "已核实")
# The 四风 a finding may be tagged with ("四风" = 形式主义、官僚主义、享乐主义、奢靡之风), in this order.
FOUR_WINDS = models_four_winds  # one list: the meetings use it too

LABELS = {
    "finding": {"unit": "问题所在单位", "visit": "督导记录", "leader": "涉及的领导干部", "found_on": "发现日期",
                "category": "问题类别", "sub_kind": "具体表现", "description": "问题描述", "severity": "严重程度",
                "closed": "已关闭", "four_winds": "涉及“四风”"},
    "rectification": {"finding": "问题", "measure": "整改措施", "responsible": "责任人", "deadline": "整改时限",
                      "status": "整改状态", "completed_on": "完成日期", "verified_on": "核实日期",
                      "verified_by": "核实人", "verification_note": "核实情况"},
    "followup": {"rectification": "整改", "on_date": "跟进日期", "note": "跟进情况", "member": "督导组成员"},
}


def finding(state: dict, old: dict | None, lookup: Lookup) -> None:
    unit_id = f.ident(state, "unit", "问题所在单位", missing="请选择问题所在单位。")
    visit_id = f.ident(state, "visit", "督导记录", required=False)
    leader_id = f.ident(state, "leader", "涉及的领导干部", required=False)
    found_on = f.day(state, "found_on", "发现日期")
    if changed(state, old, "found_on"):
        not_after_today(found_on, "found_on", "发现日期")
    f.text(state, "description", "问题描述")
    f.text(state, "sub_kind", "具体表现", required=False, max_length=200)
    f.flag(state, "closed", "已关闭")
    four_winds(state)
    if changed(state, old, "category", "sub_kind", "severity"):
        _against_template(state, old, lookup)
    else:
        f.text(state, "category", "问题类别", max_length=200)
        f.text(state, "severity", "严重程度", max_length=200)
    if visit_id is not None and changed(state, old, "visit", "unit"):
        visit = lookup.stored("visit", visit_id)
        if visit is not None and visit.get("unit") != unit_id:
            raise fail("问题所在单位必须与督导记录的单位一致。", "unit")
    if leader_id is not None and changed(state, old, "leader", "unit"):
        leader = lookup.stored("leader", leader_id)  # a removed leader still belongs to their unit
        if leader is not None and not related_units(leader.get("unit"), unit_id, lookup):
            unit = lookup.get("unit", unit_id) or {}
            raise fail(f"{leader.get('name')}不是“{unit.get('name', unit_id)}”或其上下级单位的干部。", "leader")
    if old is not None and old.get("found_on") != found_on:
        for rect in lookup.children("rectification", "finding", state["id"]):
            _follow_through_after(found_on, rect, lookup)
    finding_still_fits_plans(state, old, lookup)  # the 整改方案 items that take it (either side edited)


def four_winds(state: dict, name: str = "four_winds") -> list[str]:
    """Zero or more of the 四风, each once, in the order of FOUR_WINDS."""
    value = state.get(name)
    if type(value) is not list or any(type(v) is not str for v in value):
        raise fail(f"涉及“四风”应为一组文字（收到：{f.shown(value)}）。", name)
    unknown = [v for v in value if v not in FOUR_WINDS]
    if unknown:
        raise fail(f"“{f.shown(unknown[0])}”不是“四风”之一（只能是{'、'.join(FOUR_WINDS)}）。", name)
    if len(set(value)) != len(value):
        raise fail("涉及“四风”中有重复的项。", name)
    if value != sorted(value, key=FOUR_WINDS.index):
        raise fail(f"涉及“四风”应按{'、'.join(FOUR_WINDS)}的顺序排列。", name)
    return value


def _against_template(state: dict, old: dict | None, lookup: Lookup) -> None:
    """Category, sub-kind and severity from the current template (checked when they change, so
    that a later template does not make older findings uneditable)."""
    tpl = lookup.current_template()
    category_name = state.get("category")
    sub_kind = state.get("sub_kind")
    if tpl is None:
        f.text(state, "category", "问题类别", max_length=200)
        f.text(state, "severity", "严重程度", max_length=200)
        return
    category = None
    if type(category_name) is str:
        category = next((c for c in tpl.problem_categories if c["name"] == category_name), None)
    if category is None:
        names = "、".join(c["name"] for c in tpl.problem_categories)
        raise fail(f"请选择问题类别（{names}）。", "category")
    if sub_kind and sub_kind not in category["sub_kinds"]:
        raise fail(f"“{category['name']}”下没有“{f.shown(sub_kind)}”这一具体表现。", "sub_kind")
    f.choice(state, "severity", "严重程度", tpl.severities)


def _follow_through_after(found_on: str, rect: dict, lookup: Lookup) -> None:
    """The finding's date, moved, is still not after its rectification's dates."""
    for name, label in (("deadline", "整改时限"), ("completed_on", "整改完成日期"), ("verified_on", "整改核实日期")):
        value = rect.get(name)
        if type(value) is str and value < found_on:
            raise fail(f"发现日期不能晚于{label}（{value}）。", "found_on")
    for follow in lookup.children("followup", "rectification", rect["id"]):
        value = follow.get("on_date")
        if type(value) is str and value < found_on:
            raise fail(f"发现日期不能晚于整改跟进日期（{value}）。", "found_on")


def rectification(state: dict, old: dict | None, lookup: Lookup) -> None:
    finding_id = f.ident(state, "finding", "问题")
    f.text(state, "measure", "整改措施")
    f.text(state, "responsible", "责任人", max_length=100)
    deadline = f.day(state, "deadline", "整改时限")
    status = f.choice(state, "status", "整改状态", RECTIFICATION_STATUSES)
    if old is not None and old.get("status") == "已核实" and status != "已核实":
        raise fail("整改已核实，不能再改回未完成。", "status")
    completed = f.day(state, "completed_on", "完成日期", required=status in DONE_STATUSES)
    if completed is not None and status not in DONE_STATUSES:
        raise fail(f"整改状态为“{status}”时不能有完成日期。", "completed_on")
    verified = status == "已核实"
    verified_on = f.day(state, "verified_on", "核实日期", required=verified)
    if verified:
        f.text(state, "verified_by", "核实人", max_length=100)
    else:
        if verified_on is not None:
            raise fail(f"整改状态为“{status}”时不能有核实日期。", "verified_on")
        if state.get("verified_by") is not None:
            raise fail(f"整改状态为“{status}”时不能有核实人。", "verified_by")
    f.text(state, "verification_note", "核实情况", required=False)
    if changed(state, old, "completed_on"):
        not_after_today(completed, "completed_on", "完成日期")
    if changed(state, old, "verified_on"):
        not_after_today(verified_on, "verified_on", "核实日期")
    if verified_on is not None and completed is not None and verified_on < completed:
        raise fail(f"核实日期不能早于完成日期（{completed}）。", "verified_on")
    found = lookup.get("finding", finding_id)
    found_on = found.get("found_on") if found else None
    if type(found_on) is str:
        if deadline < found_on:
            raise fail(f"整改时限不能早于问题发现日期（{found_on}）。", "deadline")
        if verified_on is not None and verified_on < found_on:
            raise fail("核实日期不能早于问题发现日期。", "verified_on")
        if completed is not None and completed < found_on:
            raise fail(f"完成日期不能早于问题发现日期（{found_on}）。", "completed_on")


def followup(state: dict, old: dict | None, lookup: Lookup) -> None:
    rect_id = f.ident(state, "rectification", "整改")
    on_date = f.day(state, "on_date", "跟进日期")
    f.text(state, "note", "跟进情况")
    f.ident(state, "member", "督导组成员", required=False)
    if changed(state, old, "on_date"):
        not_after_today(on_date, "on_date", "跟进日期")
    if changed(state, old, "on_date", "rectification"):
        rect = lookup.get("rectification", rect_id)
        found = lookup.get("finding", rect.get("finding")) if rect else None
        found_on = found.get("found_on") if found else None
        if type(found_on) is str and on_date < found_on:
            raise fail("跟进日期不能早于问题发现日期。", "on_date")
