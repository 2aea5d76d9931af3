"""整改方案 and 专项整治 records in bundles, under the authorization rules (docs/sync.md).

A unit's group writes the unit's plans and the status of its assigned tasks; the office writes
the task list and the assignments. A field device sending a plan for another group's unit, a
plan breaking the rules, a task list or an assignment is refused whole, naming the entry, and
nothing changes at the office.
"""

from __future__ import annotations

import pytest

from supervisor_app import findings, units
from supervisor_app import rectification_plans as plans
from supervisor_app import special_tasks as tasks
from supervisor_app.clock import new_id
from supervisor_app.models import Finding, Leader, Member, RectificationPlan, SpecialTaskStatus, Unit
from tests.test_sync_helpers import build_trio, device_id, export, import_, on
from tests.test_sync_hostile_device import craft, entry, last_seq, refused


@pytest.fixture(scope="module")
def world_template(tmp_path_factory):
    trio = build_trio(tmp_path_factory.mktemp("sync-rplans") / "t")
    with on(trio.office):  # 青山县 (the second group's) gets a leader and a finding; 临江县 a finding
        other = Unit.get(Unit.name == "青山县")
        units.create_leader("赵强", "县委书记", other, is_top_leader=True)
        findings.create_finding(other, "集中学习时间不足", "学习教育还不深不透", found_on="2014-04-08")
        findings.create_finding(Unit.get(Unit.name == "临江县"), "学习笔记照抄照搬", "有形式主义趋向",
                                found_on="2014-04-08")
    return trio


@pytest.fixture
def world(world_template, tmp_path):
    return world_template.copy_to(tmp_path / "w")


def _ids(trio) -> dict:
    devices = {"f1": device_id(trio.f1), "f2": device_id(trio.f2)}
    with on(trio.office):
        unit1, unit2 = Unit.get(Unit.name == "临江县").id, Unit.get(Unit.name == "青山县").id
        return {
            **devices, "unit1": unit1, "unit2": unit2,
            "leader1": Leader.get(Leader.name == "王建国").id, "leader2": Leader.get(Leader.name == "赵强").id,
            "finding1": Finding.get(Finding.unit == unit1).id, "finding2": Finding.get(Finding.unit == unit2).id,
            "member2": Member.get(Member.name == "李四").id,
        }


def _plan(w: dict, unit: str = "unit2", *, seq: int = 1, item: dict | None = None, **fields) -> dict:
    n = unit[-1]
    values = {"unit": w[unit], "title": "青山县委常委班子整改方案", "adopted_on": "2014-05-06", "publicity": "已公示",
              "publicized_on": "2014-05-08", "state": "实施中",
              "items": [{"finding": w[f"finding{n}"], "kind": "班子", "leader": None, "measure": "保证集中学习时间",
                         "responsible_leader": w[f"leader{n}"], "responsible_unit": "县委办公室",
                         "responsible_unit_id": None, "deadline": "2014-05-30", **(item or {})}], **fields}
    return entry(w["f2"], seq, "rplan", new_id(), "insert", values)


def test_a_groups_plan_reaches_the_office(world):
    w = _ids(world)
    (result,) = import_(world.office, craft(world, [_plan(w)]))
    assert result.status == "imported" and result.applied == 1
    with on(world.office):
        (plan,) = plans.list_plans()
        assert plans.plan_dict(plan)["items"][0]["responsible_leader"] == "赵强"


def test_a_plan_for_another_groups_unit_is_refused_whole(world):
    w = _ids(world)
    bundle = craft(world, [_plan(w), _plan(w, "unit1", seq=2)])
    refused(world, bundle, "不属于本设备的督导组", field=f"{w['f2']}:2")


IMPORT_CASES = [
    ({"item": {"deadline": "2014-04-07"}}, "items[0].deadline", "整改时限不能早于问题发现日期"),
    ({"item": {"finding": "finding1"}}, "items[0].finding", "不是“青山县”的问题"),
    ({"item": {"responsible_leader": "leader1"}}, "items[0].responsible_leader", "王建国不是“青山县”的领导干部"),
    ({"item": {"kind": "个人"}}, "items[0].leader", "须写明是哪位领导干部"),
    ({"item": {"measure": ""}}, "items[0].measure", "请填写整改措施"),
    ({"title": "方" * 201}, "title", "方案名称过长"),
    ({"publicized_on": "2014-05-01"}, "publicized_on", "公示日期不能早于方案通过日期"),
]


@pytest.mark.parametrize(("change", "field", "message"), IMPORT_CASES, ids=[c[1] for c in IMPORT_CASES])
def test_a_plan_breaking_a_rule_is_refused_on_import(world, change, field, message):
    w = _ids(world)
    change = dict(change)
    item = {k: w.get(v, v) if isinstance(v, str) else v for k, v in change.pop("item", {}).items()}
    bundle = craft(world, [_plan(w, item=item, **change)])
    error = refused(world, bundle, message)
    assert error.field.startswith("rplan:") and error.field.endswith(f":{field}"), error.field


def test_another_groups_plan_cannot_be_rewritten_or_withdrawn(world):
    w = _ids(world)
    with on(world.f1):
        county = Unit.get(Unit.name == "临江县")
        finding = findings.create_finding(county, "征求意见不聚焦", "征求意见不太理想", found_on="2014-04-09")
        plan = plans.create_plan(county, "临江县委常委班子整改方案", items=[{
            "finding": finding.id, "kind": "班子", "measure": "重新征求意见", "responsible_leader": w["leader1"],
            "responsible_unit": "县委办公室", "deadline": "2014-05-30"}])
    (result,) = import_(world.office, export(world.f1, world.usb("f1")))
    assert result.status == "imported"
    rewrite = entry(w["f2"], 1, "rplan", plan.id, "update", {"title": "改过的方案"})
    refused(world, craft(world, [rewrite]), "属于其他督导组", field=f"{w['f2']}:1")
    withdraw = entry(w["f2"], 1, "rplan", plan.id, "delete", {"deleted": True})
    refused(world, craft(world, [withdraw]), "属于其他督导组", field=f"{w['f2']}:1")
    with on(world.office):
        assert RectificationPlan.get_by_id(plan.id).title == "临江县委常委班子整改方案"


def test_task_lists_and_assignments_come_from_the_office_only(world):
    w = _ids(world)
    default = tasks.current_list()
    forged = entry(w["f2"], 1, "stasks", new_id(), "insert", {
        "list_id": default.id, "list_version": 2, "name": default.name, "content": {**default.content, "version": 2}})
    refused(world, craft(world, [forged]), "只有活动办可以修改", field=f"{w['f2']}:1")
    assignment = entry(w["f2"], 1, "stask_assign", new_id(), "insert", {
        "unit": w["unit2"], "list_id": default.id, "list_version": 1, "task_ids": ["T01"]})
    refused(world, craft(world, [assignment]), "只有活动办可以修改", field=f"{w['f2']}:1")


def _status(w: dict, unit: str, task_id: str, *, seq: int = 1, member: str | None = None) -> dict:
    return entry(w["f2"], seq, "stask_status", new_id(), "insert", {
        "unit": w[unit], "task_id": task_id, "status": "推进中", "on_date": "2014-05-10", "note": "已制定子方案",
        "member": member}, member=member)


def test_the_offices_list_and_assignment_reach_the_group_and_its_progress_comes_back(world):
    w = _ids(world)
    with on(world.office):
        edited = {**tasks.current_list().content, "version": 2}
        edited["tasks"] = [*edited["tasks"][:33], {"id": "T35", "title": "城乡低保专项整治（市里增列）"}]
        assert tasks.load_list(tasks.validate_task_list(edited))
        tasks.assign(w["unit2"], ["T01", "T35"])
    import_(world.f2, export(world.office, world.usb("assign"), receivers=[w["f2"]]))
    with on(world.f2):
        assert tasks.current_list().version == 2
        assert [(r.task_id, r.status) for r in tasks.unit_tasks(w["unit2"])] == [("T01", "未启动"), ("T35", "未启动")]
        tasks.report_status(w["unit2"], "T35", "推进中", "2014-05-10", "已排查对象 120 户")
    (result,) = import_(world.office, export(world.f2, world.usb("back")))
    assert result.status == "imported"
    with on(world.office):
        rows = {r.task_id: r for r in tasks.unit_tasks(w["unit2"])}
        assert (rows["T35"].title, rows["T35"].status, rows["T35"].note) == (
            "城乡低保专项整治（市里增列）", "推进中", "已排查对象 120 户")
    # a status for a task the unit was not assigned, or for another group's unit: refused whole
    seq = last_seq(world, "f2") + 1
    refused(world, craft(world, [_status(w, "unit2", "T02", seq=seq)]), "没有给“青山县”分配专项整治任务")
    with on(world.office):
        tasks.assign(w["unit1"], ["T01"])
    refused(world, craft(world, [_status(w, "unit1", "T01", seq=seq)]), "不属于本设备的督导组", field=f"{w['f2']}:{seq}")
    with on(world.office):
        assert SpecialTaskStatus.select().count() == 1
