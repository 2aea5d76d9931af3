"""Rules of 督导层面 problems: problems about a supervision group's own work (督导浮在面上、
听取汇报多、深入实际少、“好好先生” …), recorded against the group rather than a unit.

Who may write one (the office for any group, a group's own device for its own group, recorded
by its leader) is decided by the writer: supervision.py locally, sync/admission.py for bundles.
Here: what a stored one must satisfy wherever it comes from.
"""

from __future__ import annotations

from . import fields as f
from .fields import changed, fail
from .lookup import Lookup
from .visits import not_after_today

LABELS = {
    "supervision_problem": {"group": "督导组", "found_on": "发现日期", "kind": "问题表现", "description": "问题描述",
                            "member": "记录人", "closed": "已整改"},
}


def supervision_problem(state: dict, old: dict | None, lookup: Lookup) -> None:
    group_id = f.ident(state, "group", "督导组", missing="请选择督导组。")
    found_on = f.day(state, "found_on", "发现日期")
    if changed(state, old, "found_on"):
        not_after_today(found_on, "found_on", "发现日期")
    f.text(state, "description", "问题描述")
    kind = f.text(state, "kind", "问题表现", required=False, max_length=200)
    f.flag(state, "closed", "已整改")
    member_id = f.ident(state, "member", "记录人", required=False)
    if kind and changed(state, old, "kind"):
        # from the current template when it names the kinds (version 2 on); checked when it
        # changes, so that a later template does not make older records uneditable
        tpl = lookup.current_template()
        kinds = tpl.supervision_kinds if tpl is not None else []
        if kinds and kind not in kinds:
            raise fail(f"督导层面问题没有“{f.shown(kind)}”这一表现（可选：{'、'.join(kinds)}）。", "kind")
    if changed(state, old, "group") and lookup.get("group", group_id) is None:
        raise fail("找不到这个督导组。", "group")
    if member_id is not None and changed(state, old, "member", "group"):
        member = lookup.get("member", member_id)
        if member is not None and member.get("group") != group_id:
            raise fail(f"记录人{member.get('name', '')}不是该督导组的成员。", "member")
