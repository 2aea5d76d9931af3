"""Units (a tree), leadership teams and leaders: the people and places being supervised."""

from __future__ import annotations

from . import changelog, display
from . import validate as check
from .errors import NotFoundError, ValidationError
from .models import Leader, LeadershipTeam, Unit, Visit, alive, database


def _get(model, record_id, label: str):
    if isinstance(record_id, model):
        record_id = record_id.id
    record = model.get_or_none((model.id == record_id) & alive(model)) if record_id else None
    if record is None:
        raise NotFoundError(f"找不到{label}：{record_id}。", field=label)
    return record


def get_unit(unit_id) -> Unit:
    return _get(Unit, unit_id, "单位")


def get_team(team_id) -> LeadershipTeam:
    return _get(LeadershipTeam, team_id, "领导班子")


def get_leader(leader_id) -> Leader:
    return _get(Leader, leader_id, "领导干部")


# --- units ----------------------------------------------------------------------------------------


def _clean_unit(values: dict, unit: Unit | None = None) -> dict:
    """Parse a unit's values (the parent resolved to a live unit); the record rules
    (rules/units.py) check kind, names, loops of parents and names among siblings."""
    clean = {}
    if "name" in values or unit is None:
        clean["name"] = check.clean_text(values.get("name"))
    if "kind" in values or unit is None:
        clean["kind"] = values.get("kind")
    if "parent" in values:
        parent = values["parent"]
        clean["parent"] = get_unit(parent) if parent else None
    if "sort_order" in values:
        clean["sort_order"] = check.integer(values["sort_order"], "sort_order", "排序号")
    if "group" in values:
        clean["group"] = values["group"] or None
    return clean


def create_unit(name: str, kind: str, parent=None, **extra) -> Unit:
    """Create a unit under ``parent`` (None for a top-level unit)."""
    with database.atomic():
        values = _clean_unit({"name": name, "kind": kind, "parent": parent, **extra})
        return changelog.create(Unit, **values)


def update_unit(unit, **changes) -> Unit:
    with database.atomic():
        unit = get_unit(unit)
        return changelog.update(unit, **_clean_unit(changes, unit))


def delete_unit(unit) -> Unit:
    """Tombstone a unit; refused while it still has sub-units, leaders or visits."""
    with database.atomic():
        unit = get_unit(unit)
        if Unit.select().where(alive(Unit) & (Unit.parent == unit)).exists():
            raise ValidationError(f"“{unit.name}”下还有下级单位，请先删除或移走它们。", field="unit")
        if Leader.select().where(alive(Leader) & (Leader.unit == unit)).exists():
            raise ValidationError(f"“{unit.name}”还有领导干部，请先删除或调走他们。", field="unit")
        if Visit.select().where(alive(Visit) & (Visit.unit == unit)).exists():
            raise ValidationError(f"“{unit.name}”已有督导记录，不能删除。", field="unit")
        for team in LeadershipTeam.select().where(alive(LeadershipTeam) & (LeadershipTeam.unit == unit)):
            changelog.tombstone(team)
        return changelog.tombstone(unit)


def list_units(kind: str | None = None, parent=None, top_level: bool = False) -> list[Unit]:
    query = Unit.select().where(alive(Unit))
    if kind:
        query = query.where(Unit.kind == kind)
    if parent is not None:
        query = query.where(Unit.parent == parent)
    elif top_level:
        query = query.where(Unit.parent.is_null())
    return list(query.order_by(Unit.sort_order, Unit.name))


def unit_tree() -> list[tuple[Unit, list]]:
    """All live units as a forest: [(unit, [(child, [...]), ...]), ...], ordered.

    Units whose parents form a loop (possible only in a database edited by another program)
    are shown from the top instead of being lost.
    """
    units = list_units()
    children: dict[str | None, list[Unit]] = {}
    ids = {u.id for u in units}
    for unit in units:
        parent_id = unit.parent_id if unit.parent_id in ids else None
        children.setdefault(parent_id, []).append(unit)
    placed: set[str] = set()

    def build(parent_id):
        nodes = [u for u in children.get(parent_id, []) if u.id not in placed]
        placed.update(u.id for u in nodes)
        return [(u, build(u.id)) for u in nodes]

    forest = build(None)
    for unit in units:
        if unit.id not in placed:
            placed.add(unit.id)
            forest.append((unit, build(unit.id)))
    return forest


def unit_paths() -> list[tuple[str, str]]:
    """(unit id, '岳阳县 / 县委组织部') for every live unit, in tree order — one query."""
    rows = (Unit.select(Unit.id, Unit.name, Unit.parent).where(alive(Unit))
            .order_by(Unit.sort_order, Unit.name).tuples())
    children: dict[str | None, list[tuple[str, str]]] = {}
    ids = set()
    for unit_id, name, parent_id in rows:
        ids.add(unit_id)
        children.setdefault(parent_id, []).append((unit_id, name))
    result: list[tuple[str, str]] = []
    placed: set[str] = set()

    def walk(parent_id, prefix: str) -> None:
        for unit_id, name in children.get(parent_id, []):
            if unit_id in placed:
                continue
            placed.add(unit_id)
            path = f"{prefix} / {name}" if prefix else name
            result.append((unit_id, path))
            walk(unit_id, path)

    walk(None, "")
    for parent_id in set(children) - ids - {None}:  # under a deleted parent: shown from the top
        walk(parent_id, "")
    for members in list(children.values()):  # in a loop of parents: shown from the top
        for unit_id, name in members:
            if unit_id not in placed:
                placed.add(unit_id)
                result.append((unit_id, name))
                walk(unit_id, name)
    return result


def unit_path(unit: Unit) -> str:
    """'岳阳县 / 县委组织部' — the unit's name with its ancestors (as far as they can be
    followed: a missing parent or a loop of parents ends the path)."""
    names = []
    seen = set()
    node = unit
    while node is not None and node.id not in seen:
        seen.add(node.id)
        names.append(display.text(node.name))
        node = display.related(node, "parent")
    return " / ".join(reversed(names))


# --- leadership teams -----------------------------------------------------------------------------


def create_team(unit, name: str) -> LeadershipTeam:
    with database.atomic():
        unit = get_unit(unit)
        return changelog.create(LeadershipTeam, unit=unit, name=check.clean_text(name))


def update_team(team, name: str) -> LeadershipTeam:
    with database.atomic():
        team = get_team(team)
        return changelog.update(team, name=check.clean_text(name))


def delete_team(team) -> LeadershipTeam:
    with database.atomic():
        team = get_team(team)
        for leader in Leader.select().where(alive(Leader) & (Leader.team == team)):
            changelog.update(leader, team=None)
        return changelog.tombstone(team)


def list_teams(unit=None) -> list[LeadershipTeam]:
    query = LeadershipTeam.select().where(alive(LeadershipTeam))
    if unit is not None:
        query = query.where(LeadershipTeam.unit == unit)
    return list(query.order_by(LeadershipTeam.name))


# --- leaders --------------------------------------------------------------------------------------


def _clean_leader(values: dict, leader: Leader | None = None) -> dict:
    """Parse a leader's values (unit, team and contact point resolved to live records); the
    record rules (rules/units.py) check names, the team's unit and the one top leader."""
    clean = {}
    if "name" in values or leader is None:
        clean["name"] = check.clean_text(values.get("name"))
    if "position" in values or leader is None:
        clean["position"] = check.clean_text(values.get("position"))
    if "unit" in values or leader is None:
        clean["unit"] = get_unit(values.get("unit"))
    unit = clean.get("unit", leader.unit if leader else None)
    if "team" in values:
        clean["team"] = get_team(values["team"]) if values["team"] else None
    elif leader is not None and "unit" in clean and leader.team_id:
        if leader.team.unit_id != unit.id:
            clean["team"] = None  # moving to another unit leaves the old unit's team
    if "contact_point_unit" in values:
        cp = values["contact_point_unit"]
        clean["contact_point_unit"] = get_unit(cp) if cp else None
    for flag in ("is_top_leader", "is_county_level"):
        if flag in values:
            clean[flag] = bool(values[flag])
    return clean


def create_leader(name: str, position: str, unit, **extra) -> Leader:
    """Create a leader of ``unit``; a team, if given, must belong to the same unit."""
    with database.atomic():
        values = _clean_leader({"name": name, "position": position, "unit": unit, **extra})
        return changelog.create(Leader, **values)


def update_leader(leader, **changes) -> Leader:
    with database.atomic():
        leader = get_leader(leader)
        return changelog.update(leader, **_clean_leader(changes, leader))


def delete_leader(leader) -> Leader:
    with database.atomic():
        return changelog.tombstone(get_leader(leader))


def list_leaders(unit=None, *, top_only: bool = False) -> list[Leader]:
    query = Leader.select().where(alive(Leader))
    if unit is not None:
        query = query.where(Leader.unit == unit)
    if top_only:
        query = query.where(Leader.is_top_leader == True)
    return list(query.order_by(Leader.is_top_leader.desc(), Leader.name))
