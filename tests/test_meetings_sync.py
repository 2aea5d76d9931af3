"""专题民主生活会 records in bundles, under the authorization rules (docs/sync.md 谁可以写什么).

A group's device writes the meetings it attended at its own group's units; the office may
correct them. Another group's device sending one — for a unit not of its group, in the name of
another group, or rewriting one — is refused whole, naming the entry; a meeting breaking the
record rules is refused on import as it is in the window, also when a later bundle breaks it.
"""

from __future__ import annotations

from datetime import date

import pytest

from supervisor_app import campaigns, meetings, units
from supervisor_app.clock import new_id
from supervisor_app.models import DemocraticMeeting, Leader, LeadershipTeam, Member, Unit
from tests.test_sync_helpers import build_trio, device_id, export, import_, on
from tests.test_sync_hostile_device import craft, entry, refused

TODAY = date(2014, 6, 10)


@pytest.fixture(scope="module")
def world_template(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("supervisor_app.clock.today", lambda: TODAY)
        trio = build_trio(tmp_path_factory.mktemp("sync-meetings") / "t")
        with on(trio.office):  # 青山县 (group 2) gets a team and a leader
            qingshan = Unit.get(Unit.name == "青山县")
            team = units.create_team(qingshan, "青山县委领导班子")
            units.create_leader("孙强", "县委书记", qingshan, team=team, is_top_leader=True)
    return trio


@pytest.fixture
def world(world_template, tmp_path, monkeypatch):
    monkeypatch.setattr("supervisor_app.clock.today", lambda: TODAY)
    return world_template.copy_to(tmp_path / "w")


def _ids(trio) -> dict:
    devices = {"f1": device_id(trio.f1), "f2": device_id(trio.f2)}  # each opens its own folder
    with on(trio.office):
        groups = campaigns.list_groups()
        return {
            **devices, "g1": groups[0].id, "g2": groups[1].id,
            "unit1": Unit.get(Unit.name == "临江县").id, "unit2": Unit.get(Unit.name == "青山县").id,
            "team1": LeadershipTeam.get(LeadershipTeam.name == "临江县委领导班子").id,
            "team2": LeadershipTeam.get(LeadershipTeam.name == "青山县委领导班子").id,
            "leader1": Leader.get(Leader.name == "王建国").id, "leader2": Leader.get(Leader.name == "孙强").id,
            "member1": Member.get(Member.name == "张三").id, "member2": Member.get(Member.name == "李四").id,
            "template_version": campaigns.current_campaign().template_version,
        }


def _meeting(w: dict, seq: int = 1, record_id: str | None = None, **fields) -> dict:
    """Group 2's meeting at 青山县, crafted with f2's own keys."""
    values = {
        "unit": w["unit2"], "team": w["team2"], "group": w["g2"], "held_on": "2014-06-05",
        "plan_id": "qzlx-2014-plan", "plan_version": 1, "template_id": "qzlx-2014",
        "template_version": w["template_version"],
        "members_present": [w["member2"]], "leaders_present": [w["leader2"]],
        "materials": [{"leader": w["leader2"], "final": True,
                       "drafts": [{"on_date": "2014-05-30", "reviewer": "市委常委陈志"}]}],
        "talks": [], "problems": [{"wind": "形式主义", "text": "文山会海", "leader": None}],
        "criticism_rating": "一般", "criticism_evidence": "批评多、自我批评少。", "comment": "", **fields,
    }
    return entry(w["f2"], seq, "meeting", record_id or new_id(), "insert", values, member=w["member2"])


def test_a_groups_meeting_reaches_the_office_and_the_office_may_correct_it(world):
    with on(world.f1):
        county = Unit.get(Unit.name == "临江县")
        meeting = meetings.create_meeting(
            county, LeadershipTeam.get(), "2014-06-05", leaders_present=[Leader.get()],
            members_present=[Member.get(Member.name == "张三")],
            problems=[{"wind": "官僚主义", "text": "听取汇报多、深入实际少"}],
            criticism_rating="较好", criticism_evidence="相互批评直截了当。")
    (result,) = import_(world.office, export(world.f1, world.usb("f1")))
    assert result.status == "imported"
    with on(world.office):
        row = meetings.summary(meetings.get_meeting(meeting.id))
        assert (row["unit"], row["leaders_present"], row["rating"]) == ("临江县", ["王建国"], "较好")
        assert row["problems_by_wind"]["官僚主义"] == 1
        meetings.update_meeting(meeting.id, comment="活动办核实：会前谈心谈话不足，已要求补谈。")
        assert meetings.get_meeting(meeting.id).group_id == campaigns.list_groups()[0].id


def test_a_devices_own_meeting_is_accepted(world):
    w = _ids(world)
    (result,) = import_(world.office, craft(world, [_meeting(w)]))
    assert result.status == "imported" and result.applied == 1
    with on(world.office):
        assert DemocraticMeeting.get().team_id == w["team2"]


def test_a_meeting_for_another_groups_unit_or_in_its_name_is_refused_whole(world):
    w = _ids(world)
    # in the other group's name: outside the device's rights
    bad = _meeting(w, unit=w["unit1"], team=w["team1"], group=w["g1"], leaders_present=[w["leader1"]],
                   materials=[], members_present=[])
    refused(world, craft(world, [bad]), "不属于本设备的督导组", field=f"{w['f2']}:1")
    # in its own name, for the other group's unit: the record rules refuse it
    bad = _meeting(w, unit=w["unit1"], team=w["team1"], leaders_present=[w["leader1"]], materials=[],
                   members_present=[])
    error = refused(world, craft(world, [bad]), "不是本督导组负责的单位")
    assert error.field.endswith(":unit"), error.field
    # naming the other group's member as present
    refused(world, craft(world, [_meeting(w, members_present=[w["member1"]])]), "不是本督导组的成员")
    # one good entry does not carry a bad one through: the whole bundle is refused
    refused(world, craft(world, [_meeting(w), _meeting(w, 2, group=w["g1"])]), "不属于本设备的督导组",
            field=f"{w['f2']}:2")


def test_another_groups_meeting_cannot_be_rewritten_or_withdrawn(world):
    w = _ids(world)
    with on(world.f1):
        meeting = meetings.create_meeting(Unit.get(Unit.name == "临江县"), LeadershipTeam.get(), "2014-06-05",
                                          leaders_present=[Leader.get()])
    import_(world.office, export(world.f1, world.usb("f1")))
    rewrite = entry(w["f2"], 1, "meeting", meeting.id, "update", {"criticism_rating": "差"})
    refused(world, craft(world, [rewrite]), "属于其他督导组", field=f"{w['f2']}:1")
    withdraw = entry(w["f2"], 1, "meeting", meeting.id, "delete", {"deleted": True})
    refused(world, craft(world, [withdraw]), "属于其他督导组", field=f"{w['f2']}:1")
    taken = entry(w["f2"], 1, "meeting", meeting.id, "update", {"group": w["g2"]})
    refused(world, craft(world, [taken]), "属于其他督导组", field=f"{w['f2']}:1")


@pytest.mark.parametrize("change, field", [
    ({"held_on": "2013-12-01"}, "held_on"),
    ({"held_on": "2014-06-20"}, "held_on"),  # after today
    ({"leaders_present": ["leader1"]}, "leaders_present"),
    ({"problems": [{"wind": "拖拉作风", "text": "办事拖拉", "leader": None}]}, "problems"),
    ({"problems": "形式主义"}, "problems"),
    ({"criticism_rating": "优"}, "criticism_rating"),
    ({"criticism_evidence": ""}, "criticism_evidence"),
    ({"materials": [{"leader": "leader2", "final": True, "drafts": []}]}, "materials"),
    ({"talks": [{"leader": "leader2", "with": "leader2", "done": True, "count": 1}]}, "talks"),
    ({"plan_version": 7}, "plan_version"),
    ({"comment": "评" * 5001}, "comment"),
])
def test_a_meeting_breaking_the_rules_is_refused_on_import(world, change, field):
    w = _ids(world)
    change = {k: ([w.get(x, x) for x in v] if isinstance(v, list) and all(isinstance(x, str) for x in v) else v)
              for k, v in change.items()}
    for part in ("materials", "talks"):
        for item in change.get(part, []) if isinstance(change.get(part), list) else []:
            for key in ("leader", "with"):
                if item.get(key) in w:
                    item[key] = w[item[key]]
    error = refused(world, craft(world, [_meeting(w, **change)]), "不符合本程序的规则")
    assert error.field.endswith(f":{field}"), error.field


def test_a_rule_checked_on_create_is_checked_on_update_from_a_bundle(world):
    w = _ids(world)
    first = _meeting(w)
    (result,) = import_(world.office, craft(world, [first]))
    assert result.status == "imported"
    later = entry(w["f2"], 2, "meeting", first["record_id"], "update", {"criticism_rating": "好", "criticism_evidence": " "})
    error = refused(world, craft(world, [later], ranges=[{"device_id": w["f2"], "after": 1, "upto": 2, "count": 1}]),
                    "不符合本程序的规则")
    assert error.field.endswith(":criticism_evidence"), error.field
    with on(world.office):
        assert DemocraticMeeting.get_by_id(first["record_id"]).criticism_rating == "一般"


def test_two_devices_recording_the_same_meeting_make_a_conflict_not_two_meetings(world):
    """One meeting per team and day, also when the office and the group each record it."""
    from supervisor_app.sync import conflicts

    made = {}
    for name, folder, rating in (("office", world.office, "一般"), ("f1", world.f1, "较好")):
        with on(folder):
            made[name] = meetings.create_meeting(
                Unit.get(Unit.name == "临江县"), LeadershipTeam.get(LeadershipTeam.name == "临江县委领导班子"),
                "2014-06-05", leaders_present=[Leader.get(Leader.name == "王建国")],
                criticism_rating=rating, criticism_evidence="批评与自我批评情况。").id
    (result,) = import_(world.office, export(world.f1, world.usb("f1")))
    assert result.status == "imported" and result.conflicts == 1
    with on(world.office):
        live = [m.id for m in DemocraticMeeting.select().where(DemocraticMeeting.deleted == False)]  # noqa: E712
        assert live == [made["office"]]
        (view,) = conflicts.list_conflicts()
        assert (view.record_type, view.reason, view.record_id) == ("meeting", "duplicate", made["f1"])
        assert view.versions[1].values["criticism_rating"] == "较好"
