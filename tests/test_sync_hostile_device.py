"""A hostile group member: one enrolled field laptop's own keys, bundles crafted by hand.

The office and two field devices: f1 (市委第一督导组, the victim) has sent a visit, a finding
with its rectification and a signed 纪实评价; f2 (市委第二督导组) is the attacker. Every bundle
here is signed with f2's real key for the real office — what a hostile insider can send —
and each class of attack must be refused whole, with a reason naming the entry, while every
table and the attachment folder stay exactly as they were.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervisor_app import (
    audit,
    campaigns,
    evaluations,
    findings,
    members,
    signatures,
    signing,
    store,
    units,
    visits,
)
from supervisor_app.clock import new_id, now_utc
from supervisor_app.models import (
    ChangeLog,
    EvaluationRecord,
    Finding,
    Leader,
    Member,
    Unit,
    Visit,
    database,
)
from supervisor_app.sync import container, identity, service
from supervisor_app.sync.entries import from_wire
from supervisor_app.sync.errors import BundleRefused, MissingReferenceError, UnsafeContentError
from supervisor_app.sync.models import SyncHeldEntry, SyncHeldRange
from tests.test_sync_helpers import (
    LEADER_PASSPHRASE,
    Trio,
    bind_leader,
    build_trio,
    device_id,
    export,
    import_,
    on,
    snapshot,
)

NOW = "2026-11-30T08:00:00+00:00"


@pytest.fixture(scope="module")
def world_template(tmp_path_factory) -> Trio:
    trio = build_trio(tmp_path_factory.mktemp("hostile-device") / "t")
    bind_leader(trio, "f1")
    bind_leader(trio, "f2")
    with on(trio.f1):
        county = Unit.get(Unit.name == "临江县")
        visit = visits.create_visit(county, "2014-04-08T09:30", ["查阅资料"], notes="一组的督导记录")
        finding = findings.create_finding(county, "学习笔记照抄照搬", "有形式主义趋向", visit=visit, found_on="2014-04-08")
        findings.set_rectification(finding, measure="重新组织学习", responsible="县委办", deadline="2014-05-08")
        leader = Leader.get(Leader.name == "王建国")
        record = evaluations.create_evaluation("leader", "2014-04-01", "2014-06-30", leader=leader.id)
        evaluations.add_fact(record, "2014-04-08", "带头领学解读中央规定篇目")
        evaluations.update_evaluation(record, overall_rating="好", narrative="示范作用较好")
        member = Member.get(Member.name == "张三")
        evaluations.sign(record, member, signing.unlock(trio.f1, member, LEADER_PASSPHRASE))
    import_(trio.office, export(trio.f1, trio.usb("setup-f1")))
    with on(trio.office):  # an office draft for group 2, and the office's own records
        g2 = campaigns.list_groups()[1]
        qingshan = Unit.get(Unit.name == "青山县")
        team = units.create_team(qingshan, "青山县委领导班子")
        draft = evaluations.create_evaluation("team", "2014-04-01", "2014-06-30", team=team.id, group=g2.id)
        evaluations.add_fact(draft, "2014-04-09", "班子集中学习五天")
        evaluations.update_evaluation(draft, overall_rating="较好", narrative="班子学习扎实")
        assert draft.group_id == g2.id
    return trio


@pytest.fixture
def world(world_template, tmp_path) -> Trio:
    return world_template.copy_to(tmp_path / "w")


# --- crafting with the attacker's own keys ----------------------------------------------------------------


def ids(trio: Trio) -> dict:
    """Ids of the records the attacks aim at (read at the office)."""
    with on(trio.office):
        record = EvaluationRecord.get(EvaluationRecord.signed_at.is_null(False))
        return {
            "f1": device_id(trio.f1), "f2": device_id(trio.f2), "office": device_id(trio.office),
            "visit": Visit.get().id, "finding": Finding.get().id, "evaluation": record.id,
            "draft": EvaluationRecord.get(EvaluationRecord.signed_at.is_null()).id,
            "unit1": Unit.get(Unit.name == "临江县").id, "unit2": Unit.get(Unit.name == "青山县").id,
            "leader": Leader.get().id, "leader1": Member.get(Member.name == "张三").id,
            "leader2": Member.get(Member.name == "李四").id,
            "g1": campaigns.list_groups()[0].id, "g2": campaigns.list_groups()[1].id,
            "template": campaigns.current_campaign().template_id,
            "template_version": campaigns.current_campaign().template_version,
        }


def entry(who: str, seq: int, record_type: str, record_id: str, op: str, fields: dict, *, member: str | None = None,
          deps: dict | None = None, version: int = 2) -> dict:
    meta = {"updated_at": NOW, "device_id": who, "version": version if op != "insert" else 1}
    if op == "insert":
        meta.update(created_at=NOW, deleted=False)
    data = {"device_id": who, "seq": seq, "record_type": record_type, "record_id": record_id, "op": op,
            "fields": {**meta, **fields}, "member_id": member, "at": NOW}
    if deps:
        data["deps"] = deps
    return data


def last_seq(trio: Trio, name: str) -> int:
    """The newest seq a field device has logged (its next crafted entry comes after it)."""
    with on(trio.root / name):
        me = identity.local_identity().device_id
        return ChangeLog.select().where(ChangeLog.device_id == me).order_by(ChangeLog.seq.desc()).first().seq


def craft(trio: Trio, entries: list[dict], *, by: str = "f2", **manifest_changes) -> Path:
    """A bundle signed by a field device's real key (f2's unless ``by`` names another)
    for the real office, carrying ``entries``."""
    with on(trio.root / by):
        me = identity.local_identity()
        office = identity.office_device()
        path = trio.usb("crafted") / f"{new_id()}.sgb"
        writer = container.BundleWriter(path, me.sign_key, identity.unb64(office.box_public_key, 32, "key"), new_id())
        writer.add_entries(entries)
        seqs = [e["seq"] for e in entries] or [1]
        manifest = {
            "format": container.FORMAT, "format_version": container.FORMAT_VERSION, "bundle_id": writer.bundle_id,
            "bundle_no": 50, "kind": "records", "created_at": now_utc(),
            "sender": {"device_id": me.device_id, "role": "field", "group_id": None, "name": "x"},
            "receiver": {"device_id": office.id, "role": "office"},
            "ranges": [{"device_id": me.device_id, "after": min(seqs) - 1, "upto": max(seqs),
                        "count": len(entries)}],
            "entry_count": len(entries), "attachment_count": 0, "acks": {}, "parts": writer.parts,
        }
        manifest.update(manifest_changes)
        writer.finish(manifest)
    return path


def refused(trio: Trio, bundle: Path, message: str, error: type[BundleRefused] = UnsafeContentError,
            field: str | None = None) -> BundleRefused:
    """The office refuses ``bundle`` with ``message`` (naming ``field``) and changes nothing."""
    before = snapshot(trio.office)
    with on(trio.office):
        with pytest.raises(error) as info:
            service.import_bundle(bundle)
    assert message in info.value.message, info.value.message
    if field is not None:
        assert info.value.field == field, info.value.field
    assert snapshot(trio.office) == before
    return info.value


def visit_of_f2(w: dict, seq: int = 1, **fields) -> dict:
    values = {"unit": w["unit2"], "group": w["g2"], "started_at": "2014-04-09T09:00", "ended_at": None,
              "members_present": [], "methods": ["座谈会"], "people_met": "", "leaders_present": [],
              "notes": "二组的督导记录", **fields}
    return entry(w["f2"], seq, "visit", values.pop("id", None) or new_id(), "insert", values)


def test_the_crafting_makes_an_acceptable_bundle(world):
    w = ids(world)
    (result,) = import_(world.office, craft(world, [visit_of_f2(w)]))
    assert result.status == "imported" and result.applied == 1


# --- other people's records ---------------------------------------------------------------------------------


def test_another_groups_records_cannot_be_rewritten_or_tombstoned(world):
    w = ids(world)
    rewrite = entry(w["f2"], 1, "visit", w["visit"], "update", {"notes": "二组改写一组的记录"})
    refused(world, craft(world, [rewrite]), "属于其他督导组", field=f"{w['f2']}:1")
    tombstone = entry(w["f2"], 1, "finding", w["finding"], "delete", {"deleted": True})
    refused(world, craft(world, [tombstone]), "属于其他督导组", field=f"{w['f2']}:1")
    # moving one's own new record under another group's visit is the same
    with on(world.office):
        rect = Finding.get().rectifications.get().id
    steal = entry(w["f2"], 1, "rectification", rect, "update", {"status": "已核实"})
    refused(world, craft(world, [steal]), "属于其他督导组")
    hang = entry(w["f2"], 1, "quiz", new_id(), "insert", {"visit": w["visit"], "unit": w["unit1"],
                                                          "people_tested": 3, "questions": 5, "correct_answers": 10})
    refused(world, craft(world, [hang]), "不属于本设备的督导组")


@pytest.mark.parametrize("batch", [1, 5000])
def test_a_record_id_names_one_record_whatever_its_type(world, monkeypatch, batch):
    """Ids are unique per table, not across them, and a record's history is found by its id.
    f2 gives a new visit of its own the id of f1's finding, to change or tombstone "its" record
    of that id later: refused at the visit, whether the rest comes in the same batch or later."""
    from supervisor_app.sync import importer

    monkeypatch.setattr(importer, "BATCH", batch)
    w = ids(world)
    visit = visit_of_f2(w)
    twin = visit_of_f2(w, seq=2, id=w["finding"])
    hijack = entry(w["f2"], 3, "finding", w["finding"], "update",
                   {"unit": w["unit2"], "visit": visit["record_id"], "description": "二组改写一组的问题"})
    error = refused(world, craft(world, [visit, twin, hijack]), "的编号已是本机另一种记录（问题）的编号")
    assert error.field == f"{w['f2']}:2", error.field
    end = entry(w["f2"], 3, "visit", w["finding"], "delete", {"deleted": True})
    refused(world, craft(world, [visit, twin, end]), "的编号已是本机另一种记录（问题）的编号", field=f"{w['f2']}:2")
    # two new records of one id in one bundle
    visit_again = visit_of_f2(w)
    same_id = _finding_of_f2(w, visit_again["record_id"])
    same_id["record_id"] = visit_again["record_id"]
    error = refused(world, craft(world, [visit_again, same_id]), "另一种记录（督导记录）的编号", field=f"{w['f2']}:2")
    assert ("同一同步包中" if batch > 1 else "本机") in error.message, error.message


def test_check_lists_a_record_id_logged_under_two_types(world):
    """An office database from before the rule may hold such a pair: ``check`` names it."""
    w = ids(world)
    with on(world.office):
        assert audit.check_all() == []
        database.execute_sql("UPDATE change_log SET record_id = ? WHERE record_id = ?", (w["finding"], w["visit"]))
        problems = audit.check_all()
    assert any(w["finding"] in p and "被多种记录共用" in p for p in problems), problems


@pytest.mark.parametrize("op", ["insert", "update"])
def test_a_row_slipped_in_without_its_change_log_is_not_taken_over(world, op):
    """The admission looks for stored records only among the ids the change log has (every
    write logs). A row another program slipped into the office's database unlogged — here a
    visit of the victim's group — is not thereby the attacker's: an insert or an update of its
    id is refused, and nothing changes."""
    w = ids(world)
    slipped = new_id()
    with on(world.office):
        columns = [c.name for c in database.get_columns("visit")]
        names = ", ".join(f'"{c}"' for c in columns)
        values = ", ".join("?" if c == "id" else f'"{c}"' for c in columns)
        database.execute_sql(f'INSERT INTO visit ({names}) SELECT {values} FROM visit WHERE id = ?', (slipped, w["visit"]))
    if op == "insert":  # the row is there: the insert breaks the table's key
        error = refused(world, craft(world, [visit_of_f2(w, id=slipped)]), "不符合本机数据的规则")
    else:  # no creation of it is logged here: a change of a record unknown here
        error = refused(world, craft(world, [entry(w["f2"], 1, "visit", slipped, "update", {"group": w["g2"], "notes": "改了"})]),
                        "没有它的创建记录", error=MissingReferenceError)
    assert "\n" not in error.message
    with on(world.office):
        assert Visit.get_by_id(slipped).notes == Visit.get_by_id(w["visit"]).notes
        assert [p for p in audit.check_all() if slipped in p] == [f"督导记录 {slipped} 没有任何变更记录（不是经本程序写入的），请联系技术人员"]


def test_the_admission_judges_a_change_against_the_record_of_its_own_type(world):
    """What the admission knows of stored records is kept by type and id: a visit it has just
    looked for (and not found) under an id never hides a finding stored under that id."""
    from supervisor_app.sync.admission import Admission

    w = ids(world)
    with on(world.office):
        from supervisor_app.models import Device

        sender = Device.get_by_id(w["f2"])
        admission = Admission(sender, w["office"])
        assert admission._state("visit", w["finding"]) is None
        assert admission._state("finding", w["finding"])["id"] == w["finding"]


@pytest.mark.parametrize("record_type, target, fields", [
    ("unit", "unit1", {"name": "改名县"}),
    ("leader", "leader", {"position": "普通干部"}),
    ("member", "leader1", {"name": "假组长"}),
    ("group", "g1", {"name": "假督导组"}),
])
def test_the_offices_records_are_the_offices(world, record_type, target, fields):
    w = ids(world)
    refused(world, craft(world, [entry(w["f2"], 1, record_type, w[target], "update", fields)]), "只有活动办可以修改")


def test_templates_and_campaigns_cannot_be_made_or_changed_by_a_field_device(world):
    w = ids(world)
    with on(world.office):
        tpl = campaigns.active_template()
        content = json.loads(json.dumps(tpl.content))
    content["scales"]["evaluation"] = ["好", "很好"]
    template = entry(w["f2"], 1, "template", new_id(), "insert", {
        "template_id": tpl.id, "template_version": tpl.version + 1, "name": "篡改的模板", "content": content})
    refused(world, craft(world, [template]), "只有活动办可以修改")
    campaign = entry(w["f2"], 1, "campaign", new_id(), "insert", {
        "name": "假活动", "start_date": "2014-01-01", "end_date": None, "template_id": tpl.id,
        "template_version": tpl.version})
    refused(world, craft(world, [campaign]), "只有活动办可以修改")


def test_the_office_sends_only_its_own_entries_so_nothing_is_relayed(world):
    """A bundle for a field device carries the office's entries only: no field device's edit
    (accepted or not) ever reaches another laptop through the office, before or after a revoke."""
    w = ids(world)
    import_(world.office, craft(world, [visit_of_f2(w)]))
    with on(world.office):
        (out,) = service.export_to_folder(world.usb("to-f1"), receivers=[w["f1"]])
    manifest = container.read_frame(out.path).manifest
    assert {r["device_id"] for r in manifest["ranges"]} == {w["office"]}
    assert set(manifest["acks"]) <= {w["f1"]}


# --- signatures ---------------------------------------------------------------------------------------------


def test_a_signed_record_cannot_be_unsigned_or_rewritten_by_its_own_group(world):
    """f1 (the group that signed) tries to unsign and rewrite its signed record with entries
    that come after the signing."""
    w = ids(world)
    seq = last_seq(world, "f1") + 1
    unsign = entry(w["f1"], seq, "evaluation", w["evaluation"], "update",
                   {"signature": None, "signed_at": None, "signed_by": None, "content_hash": None,
                    "narrative": "签署后改写"}, version=9)
    path = craft(world, [unsign], by="f1")
    refused(world, path, "修改了已签署的纪实评价", field=f"{w['f1']}:{seq}")


def _signing_fields(w: dict, key_of, evaluation_state: dict) -> dict:
    """Signing fields for an evaluation state, signed with ``key_of`` (a private key)."""
    import base64

    with database.atomic():
        record = EvaluationRecord(**evaluation_state)
        digest = evaluations.content_hash(record)
    return {"signed_by": w["leader2"], "signed_at": NOW, "content_hash": digest,
            "signature": base64.b64encode(key_of.sign(bytes.fromhex(digest))).decode()}


def test_a_forged_or_junk_signature_freezes_nothing(world):
    """f2 'signs' the office's draft for its own group with a key the office never bound,
    and with junk; and tries to register a key or a second leader of its choosing."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    w = ids(world)
    with on(world.office):
        draft = EvaluationRecord.get_by_id(w["draft"])
        state = dict(draft.__data__)
        forged = _signing_fields(w, Ed25519PrivateKey.generate(), state)
    sign = entry(w["f2"], 1, "evaluation", w["draft"], "update", forged)
    refused(world, craft(world, [sign]), "签名与活动办登记的组长公钥不符", field=f"{w['f2']}:1")
    junk = entry(w["f2"], 1, "evaluation", w["draft"], "update", {**forged, "signature": "AAAA"})
    refused(world, craft(world, [junk]), "签名与活动办登记的组长公钥不符")
    attacker_key = signing.public_key_text(Ed25519PrivateKey.generate())
    rebind = entry(w["f2"], 1, "member", w["leader2"], "update", {"sign_public_key": attacker_key})
    refused(world, craft(world, [rebind]), "只有活动办可以修改")
    second = entry(w["f2"], 1, "member", new_id(), "insert", {"group": w["g2"], "name": "假组长", "is_leader": True,
                                                             "phone": "", "sign_public_key": attacker_key})
    refused(world, craft(world, [second]), "只有活动办可以修改")


def test_a_genuine_signature_on_other_content_is_refused(world):
    """f2's leader really signs — but the content hash does not match what the record holds."""
    w = ids(world)
    with on(world.f2):
        member = Member.get_by_id(w["leader2"])
        key = signing.unlock(world.f2, member, LEADER_PASSPHRASE)
    with on(world.office):
        state = dict(EvaluationRecord.get_by_id(w["draft"]).__data__)
        state["narrative"] = "签署时看到的是另一段话"
        fields = _signing_fields(w, key, state)
    refused(world, craft(world, [entry(w["f2"], 1, "evaluation", w["draft"], "update", fields)]),
            "内容与签名不符")


def test_amendments_must_be_signed_by_the_leader(world):
    w = ids(world)
    unsigned = entry(w["f2"], 1, "amendment", new_id(), "insert", {
        "evaluation": w["evaluation"], "member": w["leader1"], "reason": "冒名更正", "changes": {"overall_rating": "差"},
        "signature": None})
    refused(world, craft(world, [unsigned]), "不属于本设备的督导组")  # another group's record, first of all
    # f1's own laptop, in its leader's name but without the leader's key
    fake = entry(w["f1"], last_seq(world, "f1") + 1, "amendment", new_id(), "insert", {
        "evaluation": w["evaluation"], "member": w["leader1"], "reason": "冒名更正",
        "changes": {"overall_rating": "差"}, "signature": "AAAA"})
    path = craft(world, [fake], by="f1")
    refused(world, path, "更正记录的组长签名无效")


def test_check_finds_a_signature_that_does_not_verify_against_the_office_binding(world):
    """Another program swaps the leader's key in the office database (no office entry binds
    it): every signature of that leader stops counting, and check says so."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    w = ids(world)
    with on(world.office):
        assert audit.check_all() == []
        other = signing.public_key_text(Ed25519PrivateKey.generate())
        database.execute_sql("UPDATE member SET sign_public_key = ? WHERE id = ?", (other, w["leader1"]))
        assert signatures.bound_key(w["leader1"]) != other  # the office's binding is in its log
        problems = evaluations.verify_signatures()
        assert problems == []  # the binding, not the column, is what counts
        # a binding written by a field device (e.g. an old version let it through) does not count
        database.execute_sql("UPDATE change_log SET device_id = ?, seq = seq + 1000000"
                             " WHERE record_id = ? AND fields LIKE '%sign_public_key%'", (w["f1"], w["leader1"]))
        assert any("尚未由活动办登记" in p for p in evaluations.verify_signatures())


# --- attribution ------------------------------------------------------------------------------------------


def test_a_bundle_cannot_claim_another_group_or_another_groups_member(world):
    w = ids(world)
    refused(world, craft(world, [visit_of_f2(w)], sender={"device_id": w["f2"], "role": "field", "group_id": w["g1"],
                                                          "name": "市委第一督导组"}),
            "声称来自另一个督导组", field="sender.group_id")
    ghost = visit_of_f2(w)
    ghost["member_id"] = w["leader1"]
    refused(world, craft(world, [ghost]), "署名的成员不是本督导组的成员")
    present = visit_of_f2(w, members_present=[w["leader1"]])
    refused(world, craft(world, [present]), "在场组员不是本督导组的成员")
    claims_group1 = visit_of_f2(w, group=w["g1"], unit=w["unit1"])
    refused(world, craft(world, [claims_group1]), "不属于本设备的督导组")


def test_an_unassigned_device_sends_no_records(world):
    w = ids(world)
    with on(world.office):
        database.execute_sql("UPDATE device SET group_id = NULL WHERE id = ?", (w["f2"],))
    bundle = craft(world, [visit_of_f2(w)])
    refused(world, bundle, "尚未由活动办分配督导组", field="sender.group_id")
    # what the refusal says to do: enrol the same card again, now choosing its group
    card = world.usb("cards") / "f2.card"
    with on(world.f2):
        identity.write_card(card)
    with on(world.office):
        identity.enroll(card, group=w["g1"])  # the card alone names no group: the office chooses
        assert identity.find_device(w["f2"]).group_id == w["g1"]
        identity.enroll(card, group=w["g2"])  # bound once: enrolling again moves nothing
        assert identity.find_device(w["f2"]).group_id == w["g1"]
        database.execute_sql("UPDATE device SET group_id = ? WHERE id = ?", (w["g2"], w["f2"]))
    (result,) = import_(world.office, bundle)
    assert result.status == "imported"


# --- other devices' sequence numbers -----------------------------------------------------------------------


def test_ranges_cursors_and_acks_are_for_the_sender_only(world):
    w = ids(world)
    skip_f1 = {"device_id": w["f1"], "after": 0, "upto": 10_000, "count": 0}
    mine = {"device_id": w["f2"], "after": 0, "upto": 1, "count": 1}
    refused(world, craft(world, [visit_of_f2(w)], ranges=[mine, skip_f1]), "每台设备只能为自己声明", field="ranges")
    invented = {new_id(): 5 for _ in range(50)}
    refused(world, craft(world, [visit_of_f2(w)], acks=invented), "的接收进度；只能确认本机发给它的变更", field="acks")
    refused(world, craft(world, [visit_of_f2(w)], acks={w["office"]: 10**9}), "只发出到第", field="acks")


def test_held_ranges_that_can_never_fill_and_huge_counters_are_refused(world):
    w = ids(world)
    far = visit_of_f2(w, seq=9_000_000)
    refused(world, craft(world, [far], ranges=[{"device_id": w["f2"], "after": 8_999_999, "upto": 9_000_000,
                                                 "count": 1}]), "缺少的变更过多", field="ranges")
    huge = visit_of_f2(w)
    huge["fields"]["version"] = 2**62
    refused(world, craft(world, [huge]), "版本号", error=BundleRefused)


def test_claims_of_knowing_anothers_changes_never_hide_a_later_correction(world):
    """f2 claims to have seen f1's changes up to seq 10 000: refused. (Were it believed, f1's
    next correction would count as already known and be dropped without a conflict.)"""
    w = ids(world)
    claim = visit_of_f2(w)
    claim["deps"] = {w["f1"]: 10_000}
    refused(world, craft(world, [claim]), "声称已知道本机从未发给它的变更")
    claim["deps"] = {w["office"]: 10_000}
    refused(world, craft(world, [claim]), "声称已知道本机从未发给它的变更")


def test_revoking_a_device_drops_what_it_has_held(world):
    w = ids(world)
    later = visit_of_f2(w, seq=5)
    (result,) = import_(world.office, craft(world, [later], ranges=[
        {"device_id": w["f2"], "after": 4, "upto": 5, "count": 1}]))
    assert result.status == "held"
    with on(world.office):
        assert SyncHeldEntry.select().count() == 1
        identity.revoke(w["f2"])
        assert SyncHeldEntry.select().count() == 0 and SyncHeldRange.select().count() == 0
        listed = service.applied_entries(w["f1"])
        assert listed and {e.device_id for e in listed} == {w["f1"]}


# --- property: a hostile device never changes what is outside its rights ----------------------------------


def _outside_rights(folder: Path, attacker: str, group2: str) -> dict:
    """Every row the attacker may not touch: all synced rows except group 2's own records."""
    from supervisor_app.models import SYNCED_MODELS
    from supervisor_app.sync.admission import FIELD_TYPES, Admission

    rows = {}
    with on(folder):
        judge = Admission(identity.find_device(attacker), identity.local_identity().device_id)
        for model in SYNCED_MODELS:
            for row in model.select():
                state = dict(row.__data__)
                owned = model.RECORD_TYPE in FIELD_TYPES and judge.owner(model.RECORD_TYPE, state) == group2
                if not owned:
                    rows[(model.RECORD_TYPE, row.id)] = repr(sorted(state.items()))
    return rows


_TYPES = ["visit", "finding", "rectification", "evaluation", "fact", "amendment", "unit", "leader", "member",
          "quiz", "followup"]
_VALUES = st.sampled_from(["x", "2014-04-08", "2014-04-08T09:00", "好", "已核实", None, 3, -5, True, [], {}])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], derandomize=True)
@given(data=st.data())
def test_random_entries_from_a_hostile_device_never_change_a_record_outside_its_rights_nor_lose_an_edit(world_template, tmp_path_factory,
                                                                                      data):
    world = world_template.copy_to(tmp_path_factory.mktemp("prop") / "w")
    w = ids(world)
    targets = [w[k] for k in ("visit", "finding", "evaluation", "draft", "unit1", "unit2", "leader", "leader1",
                              "leader2", "g1", "g2")]
    entries = []
    for seq in range(1, data.draw(st.integers(1, 4)) + 1):
        rtype = data.draw(st.sampled_from(_TYPES))
        op = data.draw(st.sampled_from(["insert", "update", "delete"]))
        rid = data.draw(st.sampled_from([*targets, new_id()]))
        keys = data.draw(st.lists(st.sampled_from(["notes", "group", "unit", "visit", "evaluation", "name",
                                                   "narrative", "status", "deleted", "signature", "member"]),
                                  max_size=3, unique=True))
        fields = {k: data.draw(_VALUES if k not in ("group", "unit", "visit", "evaluation", "member")
                               else st.sampled_from(targets)) for k in keys}
        candidate = entry(w["f2"], seq, rtype, rid, op, fields)
        try:
            from_wire(candidate)
        except BundleRefused:
            continue  # refused before rights are even asked: not an interesting example
        entries.append({**candidate, "seq": len(entries) + 1})
    if not entries:
        return
    before = _outside_rights(world.office, w["f2"], w["g2"])
    with on(world.office):
        try:
            service.import_bundle(craft(world, entries))
        except BundleRefused:
            pass
    assert _outside_rights(world.office, w["f2"], w["g2"]) == before
    # and the victim's next correction is applied (or, were it concurrent, a conflict): never lost
    with on(world.f1):
        visits.update_visit(w["visit"], notes="一组的更正")
    import_(world.office, export(world.f1, world.usb("correction")))
    with on(world.office):
        assert Visit.get_by_id(w["visit"]).notes == "一组的更正" or service.list_conflicts()
    store.close()


# --- values the services refuse -------------------------------------------------------------------------------


def _finding_of_f2(w: dict, visit_id: str, **fields) -> dict:
    values = {"unit": w["unit2"], "visit": visit_id, "leader": None, "found_on": "2014-04-09",
              "category": "有形式主义趋向", "sub_kind": "", "description": "二组发现的问题", "severity": "一般",
              "closed": False, **fields}
    return entry(w["f2"], 2, "finding", new_id(), "insert", values)


def _assessment_of_f2(w: dict, visit: dict, **fields) -> dict:
    values = {"visit": visit["record_id"], "unit": visit["fields"]["unit"], "template_id": w["template"],
              "template_version": w["template_version"], "focus_ratings": {"F1": {"rating": "好", "evidence": "笔记完整"}},
              "tendency_levels": {}, **fields}
    return entry(w["f2"], 2, "assessment", new_id(), "insert", values)


@pytest.fixture(params=["here", "worker"])
def through(request, monkeypatch) -> str:
    """Where the bundle is decoded: here first (a small bundle), or by the second process while
    it is applied (a large one: decoding.py), which checks the rules that read nothing but the
    record and the templates ahead (rules.check_alone)."""
    from supervisor_app.sync import decoding

    if request.param == "worker":
        monkeypatch.setattr(decoding, "WORKER_MIN_BYTES", 0)
    return request.param


@pytest.mark.parametrize("make, field", [
    (lambda w: [visit_of_f2(w, started_at="1066-13-45T99:99")], "started_at"),
    (lambda w: [visit_of_f2(w, started_at="yesterday")], "started_at"),
    (lambda w: [visit_of_f2(w, methods=["刑讯逼供"])], "methods"),
    (lambda w: [visit_of_f2(w, ended_at="2014-04-09T08:00")], "ended_at"),
    (lambda w: [v := visit_of_f2(w), entry(w["f2"], 2, "quiz", new_id(), "insert", {
        "visit": v["record_id"], "unit": w["unit2"], "people_tested": -5, "questions": 10, "correct_answers": 0})],
     "people_tested"),
    (lambda w: [v := visit_of_f2(w), entry(w["f2"], 2, "quiz", new_id(), "insert", {
        "visit": v["record_id"], "unit": w["unit2"], "people_tested": 999_999, "questions": 10,
        "correct_answers": 0})], "people_tested"),
    (lambda w: [v := visit_of_f2(w), _finding_of_f2(w, v["record_id"], severity="灭顶之灾")], "severity"),
    (lambda w: [v := visit_of_f2(w), _finding_of_f2(w, v["record_id"], leader=w["leader"])], "leader"),
    (lambda w: [v := visit_of_f2(w), _assessment_of_f2(w, v, focus_ratings={"F99": {"rating": "好", "evidence": "x"}})],
     "督导重点:F99"),
    (lambda w: [v := visit_of_f2(w), _assessment_of_f2(w, v, focus_ratings={"F1": {"rating": "极好", "evidence": "x"}})],
     "督导重点:F1"),
    (lambda w: [v := visit_of_f2(w), _assessment_of_f2(w, v, focus_ratings={"F1": {"rating": "好", "evidence": " "}})],
     "督导重点:F1"),
    (lambda w: [v := visit_of_f2(w), _assessment_of_f2(w, v, template_version=99)], "template_id"),
    # what reads another record: the assessment's unit is its visit's
    (lambda w: [v := visit_of_f2(w), _assessment_of_f2(w, v, unit=w["unit1"])], "unit"),
    (lambda w: [v := visit_of_f2(w), entry(w["f2"], 2, "quiz", new_id(), "insert", {
        "visit": v["record_id"], "unit": w["unit1"], "people_tested": 5, "questions": 10, "correct_answers": 0})],
     "unit"),
])
def test_values_the_services_refuse_are_refused_on_import(world, make, field, through, monkeypatch):
    w = ids(world)
    bundle = craft(world, make(w))
    error = refused(world, bundle, "不符合本程序的规则")
    assert error.field.endswith(f":{field}"), error.field
    if through == "worker":  # the same reason, word for word, as when decoded here first
        from supervisor_app.sync import decoding

        monkeypatch.setattr(decoding, "WORKER_MIN_BYTES", 1 << 40)
        assert refused(world, bundle, "不符合本程序的规则").message == error.message


def test_the_second_process_counts_only_against_the_templates_stored_here(world, monkeypatch):
    """The second process checks new records against the templates it was given when the import
    began; should they not be the ones stored here when the office applies (a template changed
    in between), its verdicts count for nothing and every record is checked in full here."""
    from supervisor_app.sync import decoding, importer

    monkeypatch.setattr(decoding, "WORKER_MIN_BYTES", 0)
    real = importer.template_snapshot

    def other_templates() -> tuple:  # on whose focus scale 极好 is a rating
        rows, current = real()
        changed = []
        for template_id, version, text in rows:
            content = json.loads(text)
            content["scales"]["focus"] = [*content["scales"]["focus"], "极好"]
            changed.append((template_id, version, json.dumps(content, ensure_ascii=False)))
        return tuple(changed), current

    monkeypatch.setattr(importer, "template_snapshot", other_templates)
    w = ids(world)
    visit = visit_of_f2(w)
    error = refused(world, craft(world, [visit, _assessment_of_f2(
        w, visit, focus_ratings={"F1": {"rating": "极好", "evidence": "x"}})]), "不符合本程序的规则")
    assert error.field.endswith(":督导重点:F1"), error.field


def test_a_day_after_the_importers_today_is_refused_also_by_the_second_process(world, through, monkeypatch):
    """The second process's "today" is the importer's: a visit dated after it is refused the same
    way, also where the importer's day is earlier than the machine's (a pinned clock)."""
    w = ids(world)
    monkeypatch.setattr("supervisor_app.clock.today", lambda: date(2014, 4, 8))
    error = refused(world, craft(world, [visit_of_f2(w, started_at="2014-04-09T09:00")]), "不能晚于今天")
    assert error.field.endswith(":started_at"), error.field


def test_a_rule_checked_on_create_is_checked_on_update_from_a_bundle(world):
    """A valid visit and finding first; then a later bundle moves the finding after its
    rectification's deadline — the rule that spans the two records holds on import too."""
    w = ids(world)
    visit = visit_of_f2(w)
    finding = _finding_of_f2(w, visit["record_id"])
    rect = entry(w["f2"], 3, "rectification", new_id(), "insert", {
        "finding": finding["record_id"], "measure": "立行立改", "responsible": "县委办", "deadline": "2014-05-01",
        "status": "整改中", "completed_on": None, "verified_on": None, "verified_by": None, "verification_note": ""})
    (result,) = import_(world.office, craft(world, [visit, finding, rect]))
    assert result.status == "imported"
    moved = entry(w["f2"], 4, "finding", finding["record_id"], "update", {"found_on": "2014-06-01"})
    error = refused(world, craft(world, [moved], ranges=[{"device_id": w["f2"], "after": 3, "upto": 4, "count": 1}]),
                    "不符合本程序的规则")
    assert "found_on" in error.field or "deadline" in error.field, error.field


def test_a_retired_member_stays_on_visits_they_were_present_at_and_joins_no_new_one(world, monkeypatch):
    w = ids(world)
    with on(world.office):
        wang = members.add_member(w["g2"], "王五").id
        sun = members.add_member(w["g1"], "孙八").id
    first = visit_of_f2(w, members_present=[w["leader2"], wang])
    (result,) = import_(world.office, craft(world, [first]))
    assert result.status == "imported"
    with on(world.office):
        # the office retires him on 20 April (noon, China time)
        monkeypatch.setattr("supervisor_app.changelog.now_utc", lambda: "2014-04-20T04:00:00+00:00")
        members.retire_member(wang)
        monkeypatch.undo()
    # an old visit keeps the member who has retired since, also when its list changes
    kept = entry(w["f2"], 2, "visit", first["record_id"], "update", {"members_present": [wang]})
    (result,) = import_(world.office, craft(world, [kept]))
    assert result.status == "imported" and result.applied == 1
    with on(world.office):
        assert Visit.get_by_id(first["record_id"]).members_present == [wang]
    # a visit recorded on the laptop before the group heard of it: he was there (the 15th)
    earlier = visit_of_f2(w, 3, members_present=[wang], started_at="2014-04-15T09:00")
    (result,) = import_(world.office, craft(world, [earlier]))
    assert result.status == "imported" and result.applied == 1
    # but a retired member is present at no visit after the day he left
    refused(world, craft(world, [visit_of_f2(w, 4, members_present=[wang], started_at="2014-04-21T09:00")]),
            "在这次督导之前已退出督导组", field=f"{w['f2']}:4")
    # nor is another group's member, retired or not
    refused(world, craft(world, [visit_of_f2(w, 4, members_present=[sun])]), "在场组员不是本督导组的成员",
            field=f"{w['f2']}:4")
