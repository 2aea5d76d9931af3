"""Rules of units (a tree), leadership teams and leaders; "a unit above or below" lives here."""

from __future__ import annotations

from ..models import UNIT_KINDS
from . import fields as f
from .fields import changed, fail
from .lookup import Lookup

MAX_DEPTH = 50  # deeper than any real unit tree: a longer walk is a loop in the data

LABELS = {
    "unit": {"name": "单位名称", "kind": "单位类别", "parent": "上级单位", "group": "督导组", "sort_order": "排序号"},
    "team": {"unit": "单位", "name": "领导班子名称"},
    "leader": {"name": "姓名", "position": "职务", "unit": "单位", "team": "领导班子", "is_top_leader": "一把手",
               "is_county_level": "县处级", "contact_point_unit": "联系点"},
}


def unit_line(unit_id: str | None, lookup: Lookup) -> list[str]:
    """The unit and every unit above it, nearest first (ids); stops at a missing unit or a loop."""
    line: list[str] = []
    node = unit_id
    while node and node not in line and len(line) < MAX_DEPTH:
        line.append(node)
        unit = lookup.get("unit", node)
        node = unit.get("parent") if unit else None
    return line


def related_units(a: str, b: str, lookup: Lookup) -> bool:
    """Whether unit ``a`` is unit ``b``, above it or below it."""
    return a in unit_line(b, lookup) or b in unit_line(a, lookup)


def _name(lookup: Lookup, record_type: str, record_id) -> str:
    record = lookup.get(record_type, record_id)
    name = record.get("name") if record else None
    return name if isinstance(name, str) else str(record_id)


def unit(state: dict, old: dict | None, lookup: Lookup) -> None:
    f.text(state, "name", "单位名称", max_length=100)
    f.choice(state, "kind", "单位类别", UNIT_KINDS)
    parent = f.ident(state, "parent", "上级单位", required=False)
    f.ident(state, "group", "督导组", required=False)
    f.integer(state, "sort_order", "排序号", minimum=0, maximum=1_000_000_000)
    if parent is not None and changed(state, old, "parent"):
        line = unit_line(parent, lookup)
        if state["id"] in line or len(line) >= MAX_DEPTH:
            raise fail("不能把单位放到它自己或其下级单位之下。", "parent")


def team(state: dict, old: dict | None, lookup: Lookup) -> None:
    f.ident(state, "unit", "单位")
    f.text(state, "name", "领导班子名称", max_length=100)


def leader(state: dict, old: dict | None, lookup: Lookup) -> None:
    f.text(state, "name", "姓名", max_length=50)
    f.text(state, "position", "职务", max_length=100)
    unit_id = f.ident(state, "unit", "单位")
    team_id = f.ident(state, "team", "领导班子", required=False)
    f.ident(state, "contact_point_unit", "联系点", required=False)
    f.flag(state, "is_top_leader", "一把手")
    f.flag(state, "is_county_level", "县处级")
    if team_id is not None and changed(state, old, "team", "unit"):
        team_state = lookup.get("team", team_id)
        if team_state is not None and team_state.get("unit") != unit_id:
            raise fail(f"领导班子“{team_state.get('name')}”不属于“{_name(lookup, 'unit', unit_id)}”。", "team")
    from .rectification_plans import (
        leader_still_fits_plans,  # (imports rules.visits, which needs this module)
    )

    leader_still_fits_plans(state, old, lookup)


# --- rules over sets of records (see rules.check_unique) ------------------------------------------


def unique_unit(state: dict, old: dict | None, lookup: Lookup) -> None:
    if not changed(state, old, "name", "parent"):
        return
    name = state.get("name")
    for other in lookup.children("unit", "parent", state.get("parent")):
        if other["id"] != state["id"] and other.get("name") == name:
            raise fail(f"同一上级下已有名为“{name}”的单位。", "name")


def unique_team(state: dict, old: dict | None, lookup: Lookup) -> None:
    if not changed(state, old, "name", "unit"):
        return
    name = state.get("name")
    for other in lookup.children("team", "unit", state.get("unit")):
        if other["id"] != state["id"] and other.get("name") == name:
            raise fail(f"“{_name(lookup, 'unit', state.get('unit'))}”已有领导班子“{name}”。", "name")


def unique_leader(state: dict, old: dict | None, lookup: Lookup) -> None:
    if not state.get("is_top_leader") or not changed(state, old, "is_top_leader", "unit"):
        return
    for other in lookup.children("leader", "unit", state.get("unit")):
        if other["id"] != state["id"] and other.get("is_top_leader"):
            raise fail(
                f"“{_name(lookup, 'unit', state.get('unit'))}”的一把手已是{other.get('name')}，一个单位只能有一名一把手。",
                "is_top_leader",
            )
