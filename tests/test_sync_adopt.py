"""A group that set itself up on its laptop: the office takes its group and members over at
enrolment (``enroll --adopt-group``), with the same ids, so that what the group recorded
before it ever met the office reaches the office and is accepted under the authorization rules.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from supervisor_app import campaigns, findings, members, units, visits
from supervisor_app.errors import SupervisorError
from supervisor_app.models import Device, Finding, Group, Leader, Member, Unit, Visit
from supervisor_app.sync import identity, service
from supervisor_app.sync.models import SyncConflict
from tests.test_sync_helpers import device_id, export, import_, on, snapshot

GROUP = "市委第九督导组"


@pytest.fixture
def pair(tmp_path) -> tuple[Path, Path]:
    """An office holding one group of its own, and a field laptop set up on its own (the
    first-start wizard: its group, the leader, two colleagues) — never in touch yet."""
    office, field = tmp_path / "office", tmp_path / "field"
    with on(office):
        campaigns.initialize("office")
        first = campaigns.create_group("市委第一督导组", campaigns.current_campaign())
        campaigns.add_member(first, "张三", is_leader=True)
        identity.write_card(tmp_path / "office.card")
    with on(field):
        campaigns.initialize("field", GROUP, "李明")
        group = campaigns.current_group()
        members.add_member(group, "王芳")
        members.add_member(group, "赵强")
        # the group's own unit, its team and a leader, made on the first day
        village = units.create_unit("红星村", "村社区", group=group.id)
        team = units.create_team(village, "红星村党支部")
        units.create_leader("周海", "党支部书记", village, team=team, is_top_leader=True, is_county_level=False)
        identity.write_card(tmp_path / "field.card")
        identity.enroll(tmp_path / "office.card")
    return office, field


def _usb(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.mkdir(exist_ok=True)
    return path


def _roster(folder: Path) -> dict[str, tuple[str, str, bool]]:
    with on(folder):
        return {m.id: (m.group_id, m.name, bool(m.is_leader)) for m in Member.select().where(Member.deleted == False)}


def test_the_card_carries_the_group_its_members_and_what_it_made(pair, tmp_path):
    _office, field = pair
    card = identity.read_card(tmp_path / "field.card")
    assert card.group_name == GROUP and card.format_version == 2
    assert [(m.name, m.is_leader) for m in card.roster] == [("李明", True), ("王芳", False), ("赵强", False)]
    assert [u["name"] for u in card.made_of("unit")] == ["红星村"]
    assert [t["name"] for t in card.made_of("team")] == ["红星村党支部"]
    assert [(ld["name"], ld["is_top_leader"]) for ld in card.made_of("leader")] == [("周海", True)]
    with on(field):
        assert {m.id for m in card.roster} == {m.id for m in members.list_members(card.group_id)}


def test_adopted_group_and_the_records_made_before_reach_the_office(pair, tmp_path):
    office, field = pair
    card_path = tmp_path / "field.card"
    fingerprint = identity.read_card(card_path).fingerprint
    with on(office):
        info = service.enroll(card_path, fingerprint, adopt=True)
        assert info.group_name == GROUP
        # the office's records now, made by the office, with the field's ids
        group = Group.get_by_id(identity.read_card(card_path).group_id)
        assert group.device_id == identity.local_identity().device_id
        assert group.campaign_id == campaigns.current_campaign().id
        unit = units.create_unit("红星乡", "乡镇", group=group.id)  # the office assigns a unit
    assert {k: v for k, v in _roster(office).items() if v[0] == group.id} == _roster(field)
    # the office's first bundle: the field's own group and members give way without conflicts
    out = export(office, _usb(tmp_path, "usb1"), receivers=[device_id(field)])
    (result,) = import_(field, out)
    assert result.status == "imported" and result.conflicts == 0
    with on(field):
        assert SyncConflict.select().count() == 0
        assert campaigns.current_group().id == group.id
        li, wang, _zhao = members.list_members(group.id)
        visit = visits.create_visit(unit.id, "2014-04-09T09:30", ["个别谈话"], notes="红星乡党委班子成员谈话",
                                    members_present=[li.id, wang.id])
        village = Unit.get(Unit.name == "红星村")
        zhou = Leader.get(Leader.name == "周海")
        assert village.group_id == group.id
        at_village = visits.create_visit(village.id, "2014-04-10T09:30", ["座谈会"], members_present=[li.id])
        finding = findings.create_finding(village.id, "支部学习记录不全", "有形式主义趋向", visit=at_village.id,
                                          leader=zhou.id)
    # what the group records, on the units it made, naming its own members and leaders: accepted
    (result,) = import_(office, export(field, _usb(tmp_path, "usb2")))
    assert result.status == "imported", result.message
    with on(office):
        assert Visit.get_by_id(visit.id).members_present == [li.id, wang.id]
        assert Visit.get_by_id(at_village.id).unit_id == village.id
        assert Finding.get_by_id(finding.id).leader_id == zhou.id
        assert Unit.get_by_id(village.id).group_id == group.id


def test_a_member_added_later_comes_with_a_newer_card(pair, tmp_path):
    office, field = pair
    with on(office):
        service.enroll(tmp_path / "field.card", adopt=True)
    with on(field):
        members.add_member(campaigns.current_group(), "孙丽")
        identity.write_card(tmp_path / "field2.card")
    with on(office):
        service.enroll(tmp_path / "field2.card", adopt=True)
    sun = next(k for k, v in _roster(field).items() if v[1] == "孙丽")
    assert _roster(office)[sun] == _roster(field)[sun]


def _tampered(tmp_path: Path, change) -> Path:
    """The field card with its roster changed and signed again by the same device key (what a
    hostile member with the laptop can do: the fingerprint still matches)."""
    from supervisor_app.sync.identity import _card_message, b64

    document = json.loads((tmp_path / "field.card").read_text(encoding="utf-8"))
    change(document)
    fields = {k: v for k, v in document.items() if k not in ("fingerprint", "signature")}
    with on(tmp_path / "field"):
        document["signature"] = b64(identity.local_identity().sign_key.sign(_card_message(fields)))
    path = tmp_path / "hostile.card"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def _refused(office: Path, card: Path, message: str, field: str | None, **kw) -> None:
    """The office refuses to enrol ``card`` with ``message`` naming ``field``; nothing is written:
    no device, no group, no member, no change-log entry."""
    field_device = device_id(office.parent / "field")
    before = snapshot(office)
    with on(office), pytest.raises(SupervisorError) as info:
        service.enroll(card, adopt=True, **kw)
    assert message in info.value.message, info.value.message
    if field is not None:
        assert info.value.field == field, info.value.field
    assert snapshot(office) == before
    with on(office):
        assert Device.get_or_none(Device.id == field_device) is None


def test_a_card_naming_another_groups_member_is_refused_whole(pair, tmp_path):
    office, _field = pair
    with on(office):
        zhang = Member.get(Member.name == "张三").id  # the leader of 第一督导组

    def claim(document):
        document["roster"][1]["id"] = zhang
    _refused(office, _tampered(tmp_path, claim), "属于另一个督导组", "roster")


def test_a_group_name_the_office_has_under_another_id_is_refused(pair, tmp_path):
    office, _field = pair

    def rename(document):
        document["group_name"] = document["name"] = "市委第一督导组"
    _refused(office, _tampered(tmp_path, rename), "活动办已有名为“市委第一督导组”的督导组", "group")


@pytest.mark.parametrize("change, message", [
    (lambda d: d["roster"][1].update(is_leader=True), "不止一名组长"),
    (lambda d: d["roster"].append(dict(d["roster"][1])), "有重复"),
    (lambda d: d["roster"][0].update(name="李\u0000明"), "成员姓名不正确"),
    (lambda d: d["roster"][0].update(id="../../etc"), "成员编号不正确"),
    (lambda d: d["roster"][0].update(extra=1), "成员名单不正确"),
    (lambda d: d.update(roster=[{"id": f"m{i}", "name": f"成员{i}", "is_leader": False} for i in range(101)]),
     "成员名单不正确"),
])
def test_a_hostile_roster_is_refused_when_the_card_is_read(pair, tmp_path, change, message):
    office, _field = pair
    _refused(office, _tampered(tmp_path, change), message, None)


def test_a_roster_changed_without_the_devices_key_breaks_the_signature(pair, tmp_path):
    office, _field = pair
    document = json.loads((tmp_path / "field.card").read_text(encoding="utf-8"))
    document["roster"][1]["name"] = "冒名者"
    path = tmp_path / "forged.card"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    _refused(office, path, "签名无效", None)


def test_adopting_and_choosing_a_group_at_once_is_refused(pair, tmp_path):
    office, _field = pair
    _refused(office, tmp_path / "field.card", "请只选一种", "group", group="市委第一督导组")


def test_a_unit_the_office_gave_another_group_is_refused_whole(pair, tmp_path):
    office, _field = pair
    with on(office):
        theirs = units.create_unit("临江县", "县市区", group=Group.get(Group.name == "市委第一督导组").id).id

    def claim(document):
        document["made"]["unit"][0]["id"] = theirs
        for leader in document["made"]["leader"]:
            leader["unit"] = theirs
        for team in document["made"]["team"]:
            team["unit"] = theirs
    _refused(office, _tampered(tmp_path, claim), "已分配给另一个督导组", "made")


def test_a_made_record_naming_what_the_office_lacks_is_refused_whole(pair, tmp_path):
    office, _field = pair

    def orphan(document):
        document["made"]["unit"][0]["parent"] = "0000dead-0000-0000-0000-000000000000"
    _refused(office, _tampered(tmp_path, orphan), "其上级单位活动办没有", "made")


def test_a_made_record_breaking_a_rule_is_refused_whole(pair, tmp_path):
    office, _field = pair

    def bad_kind(document):
        document["made"]["unit"][0]["kind"] = "独立王国"
    _refused(office, _tampered(tmp_path, bad_kind), "不能建立", "made")


@pytest.mark.parametrize("change", [
    lambda d: d["made"].update(visit=[]),
    lambda d: d["made"]["unit"][0].update(group="x"),
    lambda d: d["made"]["leader"][0].update(is_top_leader="yes"),
    lambda d: d["made"]["unit"][0].update(sort_order=True),
    lambda d: d["made"]["team"].append(dict(d["made"]["team"][0])),
    lambda d: d["made"]["leader"][0].update(sign_public_key="AAAA"),
])
def test_a_hostile_list_of_made_records_is_refused_when_the_card_is_read(pair, tmp_path, change):
    office, _field = pair
    _refused(office, _tampered(tmp_path, change), "单位和干部名单", None)


@pytest.mark.parametrize("kind", ["leader", "team"])
def test_a_leader_or_team_of_another_groups_unit_is_refused_whole(pair, tmp_path, kind):
    """The operator adopts a group; the card may not slip a leader or a team into a unit the
    office gave another group."""
    office, _field = pair
    with on(office):
        theirs = units.create_unit("临江县", "县市区", group=Group.get(Group.name == "市委第一督导组").id).id

    def slip(document):
        document["made"][kind][0]["unit"] = theirs
        if kind == "leader":
            document["made"]["leader"][0]["team"] = None
    _refused(office, _tampered(tmp_path, slip), "不属于这个督导组的单位", "made")


def test_a_unit_under_another_groups_unit_is_refused_whole(pair, tmp_path):
    office, _field = pair
    with on(office):
        theirs = units.create_unit("临江县", "县市区", group=Group.get(Group.name == "市委第一督导组").id).id

    def under(document):
        document["made"]["unit"][0]["parent"] = theirs
    _refused(office, _tampered(tmp_path, under), "挂在别的督导组的单位之下", "made")
