import pytest

from supervisor_app import units, visits
from supervisor_app.errors import NotFoundError, ValidationError
from tests import factories


def test_unit_tree_and_path(data_dir):
    county = units.create_unit("临江县", "县市区")
    town = units.create_unit("新港镇", "乡镇", parent=county)
    units.create_unit("红星村", "村社区", parent=town)
    tree = units.unit_tree()
    assert tree[0][0].name == "临江县"
    assert tree[0][1][0][0].name == "新港镇"
    assert units.unit_path(units.get_unit(town.id)) == "临江县 / 新港镇"


def test_unit_rules(data_dir):
    county = units.create_unit("临江县", "县市区")
    town = units.create_unit("新港镇", "乡镇", parent=county)
    with pytest.raises(ValidationError) as info:
        units.create_unit("临江县", "县市区")
    assert info.value.field == "name"
    with pytest.raises(ValidationError) as info:
        units.create_unit("某单位", "外星单位")
    assert info.value.field == "kind"
    with pytest.raises(ValidationError) as info:
        units.update_unit(county, parent=town)
    assert info.value.field == "parent"
    with pytest.raises(NotFoundError):
        units.create_unit("某镇", "乡镇", parent="no-such-id")
    # the same name under another parent is fine
    other = units.create_unit("青山县", "县市区")
    units.create_unit("新港镇", "乡镇", parent=other)


def test_delete_unit_is_a_tombstone_and_refused_with_children(data_dir):
    county = units.create_unit("临江县", "县市区")
    town = units.create_unit("新港镇", "乡镇", parent=county)
    with pytest.raises(ValidationError, match="下级单位"):
        units.delete_unit(county)
    factories.visit(town)
    with pytest.raises(ValidationError, match="督导记录"):
        units.delete_unit(town)
    empty = units.create_unit("荷塘乡", "乡镇", parent=county)
    units.delete_unit(empty)
    assert [u.name for u in units.list_units(parent=county)] == ["新港镇"]
    with pytest.raises(NotFoundError):
        units.get_unit(empty.id)


def test_leader_rules(data_dir):
    county = factories.county()
    other = factories.county("青山县")
    team = units.create_team(county, "临江县委领导班子")
    top = units.create_leader("王建国", "县委书记", county, team=team, is_top_leader=True, contact_point_unit=other)
    assert top.team_id == team.id and top.contact_point_unit_id == other.id
    with pytest.raises(ValidationError) as info:
        units.create_leader("李明", "县长", county, is_top_leader=True)
    assert info.value.field == "is_top_leader"
    with pytest.raises(ValidationError) as info:
        units.create_leader("李明", "县长", other, team=team)
    assert info.value.field == "team"
    with pytest.raises(ValidationError) as info:
        units.create_leader("", "县长", county)
    assert info.value.field == "name"
    with pytest.raises(ValidationError) as info:
        units.create_leader("李明", " ", county)
    assert info.value.field == "position"
    moved = units.update_leader(top, unit=other)
    assert moved.team_id is None  # the old unit's team does not follow
    units.delete_leader(moved)
    assert units.list_leaders(other) == []


def test_visits_of_a_unit_filter_with_sub_units(data_dir):
    county = factories.county()
    town = units.create_unit("新港镇", "乡镇", parent=county)
    factories.visit(county)
    factories.visit(town)
    flt = visits.VisitFilter(unit_id=county.id)
    assert visits.count_visits(flt) == 1
    flt.include_sub_units = True
    assert visits.count_visits(flt) == 2


def test_unit_paths_in_tree_order(data_dir):
    county = units.create_unit("临江县", "县市区", sort_order=1)
    town = units.create_unit("新港镇", "乡镇", parent=county)
    units.create_unit("红星村", "村社区", parent=town)
    units.create_unit("北湖区", "县市区", sort_order=0)
    assert [path for _id, path in units.unit_paths()] == ["北湖区", "临江县", "临江县 / 新港镇", "临江县 / 新港镇 / 红星村"]
    assert dict(units.unit_paths())[town.id] == units.unit_path(units.get_unit(town.id))
