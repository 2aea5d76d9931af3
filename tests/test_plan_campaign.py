"""The plan follows the campaign: a campaign with no city-specific plan is judged against the
default plan's dates moved to its start (plan.for_campaign), kept by the office as a plan record
that travels to the groups; a campaign within the speech's own calendar keeps the speech's dates;
the office's ``plan load`` still overrides."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from supervisor_app import campaigns, clock, progress, store, units, visits
from supervisor_app import plan as plans
from supervisor_app.models import ActionProgress, CampaignPlan, Unit
from tests import speech_day

START_2026 = date(2026, 3, 2)


def _all_dates(plan) -> list[str]:
    return ([d for s in plan.stages for d in (s["start"], s["end"])] + [a["due"] for a in plan.actions]
            + [s["on"] for s in plan.surveys])


def test_a_campaign_in_another_year_gets_the_default_dates_moved_to_its_start():
    default = plans.load_default()
    plan = plans.for_campaign(default, "2026-03-02")
    assert plan.stages[0]["start"] == "2026-03-02" and plan.id == "qzlx-2014-plan@2026-03-02"
    assert plan.version == default.version and plan.content["derived_from"]["campaign_start"] == "2026-03-02"
    days = (START_2026 - date(2014, 2, 10)).days
    for old, new in zip(_all_dates(default), _all_dates(plan), strict=True):
        assert date.fromisoformat(new) - date.fromisoformat(old) == timedelta(days=days)
    assert all(a["due"] >= "2026-03-02" for a in plan.actions)
    assert plan.action("grassroots-party-lecture")["due"] == "2026-05-05"
    # any device derives the same plan again from its id; an id that names no such plan is none
    assert plans.derived(plan.id, plan.version) == plan
    assert plans.derived(plan.id, 2) is None and plans.derived("qzlx-2014-plan@2026-13-40", 1) is None
    assert plans.derived("other@2026-03-02", 1) is None and plans.derived(None, 1) is None


@pytest.mark.parametrize("start", ["2014-04-08", "2014-02-10", "2014-09-30"])
def test_a_campaign_within_the_speechs_calendar_keeps_its_dates(start):
    assert plans.for_campaign(plans.load_default(), start) is plans.load_default()


def _initialize(data, monkeypatch, day: date, role: str, *args):
    with monkeypatch.context() as pinned:
        pinned.setattr(clock, "today", lambda: day)
        path = store.open_data_dir(data)
        campaigns.initialize(role, *args)
    return path


def test_the_office_keeps_the_plan_of_a_2026_campaign_and_nothing_is_overdue_at_once(isolated_data, monkeypatch):
    _initialize(isolated_data, monkeypatch, START_2026, "office")
    (record,) = CampaignPlan.select()
    assert (record.plan_id, record.plan_version) == ("qzlx-2014-plan@2026-03-02", 1)
    plan = progress.current_plan()
    assert plan.content == record.content and all(d.startswith(("2026", "2027")) for d in _all_dates(plan))
    county = units.create_unit("临江县", "县市区")
    states = progress.progress(county.id, on=START_2026 + timedelta(days=7))
    assert states and {s.state for s in states} == {"due"}
    assert all(s.due >= "2026-03-02" for s in states)
    # the office's own calendar still overrides: a loaded version is the plan from then on
    own = plans.shifted(plan, 3, 2)
    assert progress.load_plan(own) and progress.current_plan() == own


def test_a_campaign_on_the_speechs_day_keeps_the_speechs_dates(isolated_data, monkeypatch):
    speech_day.initialize(isolated_data, monkeypatch, "office")
    assert not CampaignPlan.select().exists()
    assert progress.current_plan() is plans.load_default()
    county = units.create_unit("临江县", "县市区")
    (lecture,) = [s for s in progress.progress(county.id, on=date(2014, 4, 10)) if s.action_id == "grassroots-party-lecture"]
    assert (lecture.due, lecture.state) == ("2014-04-15", "due")


def test_a_field_device_without_the_offices_plan_derives_the_same(isolated_data, monkeypatch):
    _initialize(isolated_data, monkeypatch, START_2026, "field", "市委第一督导组", "张三")
    assert not CampaignPlan.select().exists()  # only the office keeps plans
    plan = progress.current_plan()
    assert plan.id == "qzlx-2014-plan@2026-03-02"
    county = units.create_unit("临江县", "县市区")
    visit = visits.create_visit(county, "2026-05-04T09:00", ["听取汇报"], notes="县委书记上专题党课。")
    record = progress.confirm_done(county, "grassroots-party-lecture", "2026-05-04", [{"kind": "visit", "id": visit.id}], 1)
    assert (record.plan_id, record.plan_version) == (plan.id, 1)  # checked by the rules against the derived plan


def test_what_travels_to_the_field_is_the_offices_plan(tmp_path, monkeypatch):
    from tests.test_sync_helpers import build_trio, device_id, export, import_, on

    with monkeypatch.context() as pinned:
        pinned.setattr(clock, "today", lambda: START_2026)
        trio = build_trio(tmp_path / "t")
    with on(trio.office):
        office_plan = progress.current_plan()
        (office_record,) = CampaignPlan.select()
    assert office_plan.stages[0]["start"] == "2026-03-02"
    with on(trio.f1):
        (received,) = CampaignPlan.select()
        assert received.id == office_record.id and progress.current_plan() == office_plan
        county = Unit.get(Unit.name == "临江县")
        visit = visits.create_visit(county, "2026-05-04T09:00", ["听取汇报"], notes="县委书记上专题党课。")
        progress.confirm_done(county, "grassroots-party-lecture", "2026-05-04", [{"kind": "visit", "id": visit.id}], 1)
    (result,) = import_(trio.office, export(trio.f1, trio.usb("back")))
    assert result.status == "imported"
    with on(trio.office):
        record = ActionProgress.get()
        assert (record.plan_id, record.plan_version) == (office_plan.id, 1)
        (lecture,) = [s for s in progress.progress(record.unit_id, on=date(2026, 5, 20))
                      if s.action_id == "grassroots-party-lecture"]
        assert (lecture.state, lecture.due, lecture.done_on) == ("done", "2026-05-05", "2026-05-04")
    assert device_id(trio.f1)
