"""The campaign plan and progress records in bundles, under the authorization rules.

The office writes the plan (it travels to the groups as an assignment); a unit's group writes
the unit's progress. A field device sending a plan, or progress for another group's unit, is
refused whole, naming the entry, and nothing changes at the office.
"""

from __future__ import annotations

import pytest

from supervisor_app import plan as plans
from supervisor_app import progress, visits
from supervisor_app.clock import new_id
from supervisor_app.models import ActionProgress, CampaignPlan, Member, Unit
from tests.test_sync_helpers import build_trio, device_id, export, import_, on
from tests.test_sync_hostile_device import craft, entry, refused


@pytest.fixture(scope="module")
def world_template(tmp_path_factory):
    return build_trio(tmp_path_factory.mktemp("sync-plan") / "t")


@pytest.fixture
def world(world_template, tmp_path):
    return world_template.copy_to(tmp_path / "w")


def _ids(trio) -> dict:
    with on(trio.office):
        return {
            "f1": device_id(trio.f1), "f2": device_id(trio.f2),
            "unit1": Unit.get(Unit.name == "临江县").id, "unit2": Unit.get(Unit.name == "青山县").id,
            "member2": Member.get(Member.name == "李四").id, "member1": Member.get(Member.name == "张三").id,
        }


def _progress(w: dict, unit: str, *, member: str | None = None, **fields) -> dict:
    values = {"unit": unit, "action_id": "grassroots-party-lecture", "plan_id": "qzlx-2014-plan", "plan_version": 1,
              "status": "done", "done_on": "2014-04-09", "amount": 1,
              "evidence": [{"kind": "document", "title": "党课讲稿"}], "reason": "", "member": member, **fields}
    return entry(w["f2"], 1, "progress", new_id(), "insert", values, member=member)


def test_a_groups_progress_reaches_the_office(world):
    w = _ids(world)
    (result,) = import_(world.office, craft(world, [_progress(w, w["unit2"], member=w["member2"])]))
    assert result.status == "imported" and result.applied == 1
    with on(world.office):
        (row,) = [s for s in progress.progress(w["unit2"]) if s.action_id == "grassroots-party-lecture"]
        assert (row.state, row.done_on) == ("done", "2014-04-09")


def test_progress_for_another_groups_unit_is_refused(world):
    w = _ids(world)
    refused(world, craft(world, [_progress(w, w["unit1"])]), "不属于本设备的督导组", field=f"{w['f2']}:1")
    # nor may it name another group's member as the one who confirmed
    refused(world, craft(world, [_progress(w, w["unit2"], member=w["member1"])]), "不是本督导组的成员")


def test_progress_breaking_the_plans_rules_is_refused(world):
    w = _ids(world)
    cases = [
        ({"status": "not_applicable", "done_on": None, "amount": None, "evidence": [], "reason": "不想做"}, "必须完成"),
        ({"evidence": []}, "须有佐证"),
        ({"action_id": "no-such"}, "没有规定动作"),
        ({"plan_version": 9}, "找不到活动安排"),
    ]
    for change, message in cases:
        refused(world, craft(world, [_progress(w, w["unit2"], **change)]), message)


def test_a_plan_from_a_field_device_is_refused(world):
    w = _ids(world)
    forged = plans.shifted(plans.load_default(), 30, 2)
    bad = entry(w["f2"], 1, "plan", new_id(), "insert", {"plan_id": forged.id, "plan_version": 2, "name": forged.name,
                                                          "content": forged.content})
    refused(world, craft(world, [bad]), "只有活动办可以修改", field=f"{w['f2']}:1")


def test_the_offices_new_plan_reaches_the_groups_and_their_progress_keeps_its_version(world):
    with on(world.office):
        progress.load_plan(plans.shifted(plans.load_default(), 7, 2))
    import_(world.f1, export(world.office, world.usb("plan"), receivers=[device_id(world.f1)]))
    with on(world.f1):
        assert progress.current_plan().version == 2
        # the office's new version, beside the plan its campaign started with (plan.for_campaign)
        assert CampaignPlan.select().where(CampaignPlan.plan_version == 2).count() == 1
        county = Unit.get(Unit.name == "临江县")
        visit = visits.create_visit(county, "2014-04-09T09:00", ["听取汇报"], notes="县委书记上专题党课。")
        progress.confirm_done(county, "grassroots-party-lecture", "2014-04-09", [{"kind": "visit", "id": visit.id}], 1)
    import_(world.office, export(world.f1, world.usb("back")))
    with on(world.office):
        record = ActionProgress.get()
        assert (record.plan_version, record.unit_id) == (2, Unit.get(Unit.name == "临江县").id)


def test_survey_results_come_from_the_office_only(world):
    from supervisor_app import surveys
    from supervisor_app.models import SurveyResult

    w = _ids(world)
    forged = entry(w["f2"], 1, "survey", new_id(), "insert", {
        "unit": w["unit2"], "survey_id": "survey-1", "plan_id": "qzlx-2014-plan", "plan_version": 1, "sample": 100,
        "satisfied": 90, "basically_satisfied": 10, "unsatisfied": 0})
    refused(world, craft(world, [forged]), "只有活动办可以修改", field=f"{w['f2']}:1")
    with on(world.office):
        surveys.record_result(w["unit2"], "survey-1", 100, 40, 30, 30)
    import_(world.f2, export(world.office, world.usb("survey"), receivers=[w["f2"]]))
    with on(world.f2):
        assert SurveyResult.get().unsatisfied == 30
        standing = surveys.unit_standing(w["unit2"])
        assert standing.extended and "低于 80%" in standing.why


def test_another_groups_progress_cannot_be_rewritten_or_withdrawn(world):
    w = _ids(world)
    with on(world.f1):
        county = Unit.get(Unit.name == "临江县")
        visit = visits.create_visit(county, "2014-04-09T09:00", ["听取汇报"], notes="县委书记上专题党课。")
        record = progress.confirm_done(county, "grassroots-party-lecture", "2014-04-09",
                                       [{"kind": "visit", "id": visit.id}], 1)
    import_(world.office, export(world.f1, world.usb("f1")))
    rewrite = entry(w["f2"], 1, "progress", record.id, "update", {"done_on": "2014-04-01"})
    refused(world, craft(world, [rewrite]), "属于其他督导组", field=f"{w['f2']}:1")
    withdraw = entry(w["f2"], 1, "progress", record.id, "delete", {"deleted": True})
    refused(world, craft(world, [withdraw]), "属于其他督导组", field=f"{w['f2']}:1")
