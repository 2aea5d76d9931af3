"""A photo of one finding or of one assessment item: the rule on every path (create, update,
bundle import), hostile bundles refused whole, photos that follow their finding when it goes."""

from __future__ import annotations

import pytest

from supervisor_app import attachments, campaigns, findings
from supervisor_app.clock import new_id
from supervisor_app.errors import NotFoundError, ValidationError
from supervisor_app.models import Attachment, ChangeLog, Finding
from supervisor_app.sync.errors import MissingReferenceError
from tests import factories
from tests.test_sync_helpers import import_, on
from tests.test_sync_hostile_device import (  # noqa: F401  (the fixtures: the office, f1 and the attacker f2)
    _finding_of_f2,
    craft,
    entry,
    ids,
    refused,
    visit_of_f2,
    world,
    world_template,
)

SHA = "ab" * 32


def _photo(tmp_path, name="笔记.jpg"):
    path = tmp_path / name
    path.write_bytes(b"\xff\xd8 a photo of the study notes " + name.encode())
    return path


def _two_visits():
    unit = factories.county()
    first = factories.visit(unit)
    second = factories.visit(unit, notes="第二次督导", started_at="2014-04-10T09:30")
    finding = findings.create_finding(unit, "学习笔记照抄照搬", "有形式主义趋向", visit=first, found_on="2014-04-08")
    return first, second, finding


def _focus_item() -> str:
    tpl = campaigns.active_template()
    return f"focus:{tpl.focus_items[0]['id']}"


def _written():
    return Attachment.select().count(), ChangeLog.select().count()


# --- the window's and the services' path -------------------------------------------------------


def test_a_photo_of_a_finding_and_of_an_item_are_kept_with_what_they_are_of(data_dir, tmp_path):
    visit, _other, finding = _two_visits()
    of_finding = attachments.add_attachment(visit, _photo(tmp_path, "a.jpg"), finding=finding)
    of_item = attachments.add_attachment(visit, _photo(tmp_path, "b.jpg"), item=_focus_item())
    of_visit = attachments.add_attachment(visit, _photo(tmp_path, "c.jpg"))
    grouped = attachments.attachments_by_subject(visit)
    assert [a.id for a in grouped[("finding", finding.id)]] == [of_finding.id]
    assert [a.id for a in grouped[("item", _focus_item())]] == [of_item.id]
    assert [a.id for a in grouped[None]] == [of_visit.id]
    logged = ChangeLog.get(ChangeLog.record_id == of_finding.id).fields
    assert logged["finding"] == finding.id and logged["item"] is None


@pytest.mark.parametrize("link, field, message", [
    ("other_visit", "finding", "不是本次督导发现的问题"),
    ("no_item", "item", "评估模板中没有督导重点"),
    ("bad_shape", "item", "评估事项格式不对"),
    ("both", "item", "不能同时属于两者"),
])
def test_a_photo_pointing_outside_its_visit_or_template_is_refused_and_nothing_written(data_dir, tmp_path, link,
                                                                                       field, message):
    visit, other, finding = _two_visits()
    target, kwargs = {
        "other_visit": (other, {"finding": finding}),
        "no_item": (visit, {"item": "focus:no-such-item"}),
        "bad_shape": (visit, {"item": "whatever"}),
        "both": (visit, {"finding": finding, "item": _focus_item()}),
    }[link]
    before = _written()
    with pytest.raises(ValidationError) as info:
        attachments.add_attachment(target, _photo(tmp_path), **kwargs)
    assert info.value.field == field and message in info.value.message, (info.value.field, info.value.message)
    assert _written() == before
    assert not any(p.is_file() and not p.name.startswith(".") for p in attachments.store_dir().rglob("*"))


def test_relinking_a_photo_passes_the_same_rule(data_dir, tmp_path):
    visit, other, finding = _two_visits()
    att = attachments.add_attachment(other, _photo(tmp_path))
    before = _written()
    with pytest.raises(ValidationError) as info:
        attachments.link_attachment(att.id, finding=finding)
    assert info.value.field == "finding" and "不是本次督导发现的问题" in info.value.message
    assert _written() == before and Attachment.get_by_id(att.id).finding_id is None
    with pytest.raises(NotFoundError) as missing:
        attachments.link_attachment(att.id, finding=new_id())
    assert missing.value.field == "finding" and _written() == before
    mine = attachments.add_attachment(visit, _photo(tmp_path, "b.jpg"))
    attachments.link_attachment(mine.id, item=_focus_item())
    assert Attachment.get_by_id(mine.id).item == _focus_item()
    attachments.link_attachment(mine.id, finding=finding)
    stored = Attachment.get_by_id(mine.id)
    assert stored.finding_id == finding.id and stored.item is None


def test_the_photos_of_a_deleted_finding_follow_it(data_dir, tmp_path):
    visit, _other, finding = _two_visits()
    of_finding = attachments.add_attachment(visit, _photo(tmp_path, "a.jpg"), finding=finding)
    of_visit = attachments.add_attachment(visit, _photo(tmp_path, "b.jpg"))
    findings.delete_finding(finding)
    assert Finding.get_by_id(finding.id).deleted
    assert Attachment.get_by_id(of_finding.id).deleted
    assert not Attachment.get_by_id(of_visit.id).deleted
    assert ChangeLog.select().where((ChangeLog.record_id == of_finding.id) & (ChangeLog.op == "delete")).exists()


# --- bundles: a hostile field device -------------------------------------------------------------


def _attachment_of_f2(w: dict, visit_id: str, seq: int, **fields) -> dict:
    values = {"visit": visit_id, "sha256": SHA, "filename": "照片.jpg", "mime_type": "image/jpeg", "size": 10,
              "finding": None, "item": None, **fields}
    return entry(w["f2"], seq, "attachment", new_id(), "insert", values)


def test_a_bundle_pointing_a_photo_at_another_groups_finding_is_refused(world):  # noqa: F811  (the fixture imported above)
    w = ids(world)
    visit = visit_of_f2(w)
    hostile = _attachment_of_f2(w, visit["record_id"], 2, finding=w["finding"])
    error = refused(world, craft(world, [visit, hostile]), "不是本次督导发现的问题")
    assert error.field == f"attachment:{hostile['record_id']}:finding", error.field


def test_a_bundle_pointing_a_photo_at_an_item_the_template_lacks_is_refused(world):  # noqa: F811  (the fixture imported above)
    w = ids(world)
    visit = visit_of_f2(w)
    hostile = _attachment_of_f2(w, visit["record_id"], 2, item="tendency:no-such-tendency")
    error = refused(world, craft(world, [visit, hostile]), "评估模板中没有倾向")
    assert error.field == f"attachment:{hostile['record_id']}:item", error.field


def test_a_bundle_pointing_a_photo_at_a_finding_nobody_has_is_refused(world):  # noqa: F811  (the fixture imported above)
    w = ids(world)
    visit = visit_of_f2(w)
    hostile = _attachment_of_f2(w, visit["record_id"], 2, finding=new_id())
    refused(world, craft(world, [visit, hostile]), "引用了本机没有的", error=MissingReferenceError)


def test_a_bundle_with_photos_of_its_own_finding_and_item_is_imported(world):  # noqa: F811  (the fixture imported above)
    w = ids(world)
    visit = visit_of_f2(w)
    finding = _finding_of_f2(w, visit["record_id"])
    with on(world.office):
        item = f"focus:{campaigns.active_template().focus_items[0]['id']}"
    photo = _attachment_of_f2(w, visit["record_id"], 3, finding=finding["record_id"])
    of_item = _attachment_of_f2(w, visit["record_id"], 4, item=item)
    (result,) = import_(world.office, craft(world, [visit, finding, photo, of_item]))
    assert result.status == "imported" and result.applied == 4
    with on(world.office):
        assert Attachment.get_by_id(photo["record_id"]).finding_id == finding["record_id"]
        assert Attachment.get_by_id(of_item["record_id"]).item == item


# --- a tombstoned record still belongs where it was: scope checks see it ------------------------------


def _deleted_at_office(world, what: str, w: dict) -> None:  # noqa: F811
    from supervisor_app import units, visits
    with on(world.office):
        {"finding": lambda: findings.delete_finding(w["finding"]),
         "leader": lambda: units.delete_leader(w["leader"]),
         "visit": lambda: w.update(visit=visits.delete_visit(factories.visit(w["unit1"], notes="一组的另一次督导")).id),
         }[what]()


@pytest.mark.parametrize("deleted, make, message, field", [
    ("finding", lambda w, v: _attachment_of_f2(w, v["record_id"], 2, finding=w["finding"]),
     "不是本次督导发现的问题", "finding"),
    ("leader", lambda w, v: _finding_of_f2(w, v["record_id"], leader=w["leader"]), "上下级单位的干部", "leader"),
    ("visit", lambda w, v: entry(w["f2"], 2, "progress", new_id(), "insert", {
        "unit": w["unit2"], "action_id": "grassroots-party-lecture", "plan_id": "qzlx-2014-plan", "plan_version": 1,
        "status": "done", "done_on": "2014-04-09", "amount": 1, "evidence": [{"kind": "visit", "id": w["visit"]}],
        "reason": "", "member": None}), "不是本单位的督导记录", "evidence"),
])
def test_a_bundle_naming_another_groups_deleted_record_is_refused(world, deleted, make, message, field):  # noqa: F811
    """Deleting a record does not free it to be claimed: a photo of another group's deleted
    finding, a finding naming another unit's removed leader, progress evidenced by another
    unit's deleted visit are refused like their live counterparts."""
    w = ids(world)
    _deleted_at_office(world, deleted, w)
    visit = visit_of_f2(w)
    hostile = make(w, visit)
    error = refused(world, craft(world, [visit, hostile]), message)
    assert error.field.endswith(f":{field}"), error.field
