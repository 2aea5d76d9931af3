"""Sync round trips among three data folders: an office and two field devices."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest

from supervisor_app import (
    attachments,
    audit,
    campaigns,
    changelog,
    cli,
    evaluations,
    findings,
    signing,
    units,
    visits,
)
from supervisor_app.errors import FrozenRecordError, ValidationError
from supervisor_app.models import Attachment, Device, EvaluationRecord, Member, Unit, Visit
from supervisor_app.sync import container, identity, service
from supervisor_app.sync.errors import CancelledError, EnrolmentError, ExportError, UnsafeContentError
from supervisor_app.sync.models import SyncBundle, SyncCursor
from tests.test_sync_helpers import Trio, bind_leader, build_trio, device_id, export, import_, on, snapshot

NOTE = "秘密笔记：该县四风问题突出，一把手领学解读流于形式"


@pytest.fixture(scope="module")
def trio_template(tmp_path_factory) -> Trio:
    return build_trio(tmp_path_factory.mktemp("trio") / "t")


@pytest.fixture
def trio(trio_template, tmp_path) -> Trio:
    return trio_template.copy_to(tmp_path / "trio")


def _unit(name: str) -> Unit:
    return Unit.get(Unit.name == name)


def record_visit(notes: str = NOTE, unit: str = "临江县", photo: bytes | None = None, tmp: Path | None = None) -> Visit:
    visit = visits.create_visit(_unit(unit), "2014-04-08T09:30", ["查阅资料"], notes=notes, people_met="王建国（县委书记）")
    findings.create_finding(description="学习笔记照抄照搬", category="有形式主义趋向", visit=visit, severity="一般")
    if photo is not None:
        source = tmp / "现场照片.jpg"
        source.write_bytes(photo)
        attachments.add_attachment(visit, source)
    return visit


# --- identity and enrolment ---------------------------------------------------------------------------


def test_keys_are_private_and_the_card_carries_a_readable_fingerprint(trio, tmp_path):
    with on(trio.f1):
        card = identity.write_card(tmp_path / "f1.card")
        me = Device.get(Device.is_local == True)
        assert (me.sign_public_key, me.box_public_key) == (card.sign_public_key, card.box_public_key)
    for name in ("device-signing.pem", "device-encryption.pem"):
        mode = (trio.f1 / "keys" / name).stat().st_mode
        assert stat.S_IMODE(mode) == 0o600
    assert stat.S_IMODE((trio.f1 / "keys").stat().st_mode) == 0o700
    groups = card.fingerprint.split(" ")
    assert len(groups) == 8 and all(len(g) == 4 for g in groups)
    document = json.loads((tmp_path / "f1.card").read_text(encoding="utf-8"))
    assert document["group_name"] == "市委第一督导组" and document["role"] == "field"
    assert "PRIVATE" not in (tmp_path / "f1.card").read_text()


def test_enrolment_rules(trio, tmp_path):
    with on(trio.office):
        card = identity.write_card(tmp_path / "office-again.card")
        with pytest.raises(EnrolmentError, match="本机自己的设备卡"):
            identity.enroll(tmp_path / "office-again.card")
        # enrolling the same field card again changes nothing
        assert identity.enroll(trio.root / "f1.card").id == device_id_of(trio.root / "f1.card")
        with pytest.raises(EnrolmentError, match="指纹不符"):
            identity.enroll(trio.root / "f1.card", expected_fingerprint="0000 0000 0000 0000 0000 0000 0000 0000")
    tampered = json.loads((trio.root / "f2.card").read_text(encoding="utf-8"))
    tampered["box_public_key"] = json.loads((trio.root / "f1.card").read_text(encoding="utf-8"))["box_public_key"]
    (tmp_path / "tampered.card").write_text(json.dumps(tampered), encoding="utf-8")
    with on(trio.office):
        with pytest.raises(EnrolmentError, match="指纹与其公钥不符"):
            identity.enroll(tmp_path / "tampered.card")
    with on(tmp_path / "o2"):
        campaigns.initialize("office")
        identity.write_card(tmp_path / "o2.card")
    with on(trio.f1):
        with pytest.raises(EnrolmentError, match="督导组只需登记活动办"):
            identity.enroll(trio.root / "f2.card")
        with pytest.raises(EnrolmentError, match="已登记活动办设备"):
            identity.enroll(tmp_path / "o2.card")
    assert card.role == "office"


def device_id_of(card_path: Path) -> str:
    return json.loads(card_path.read_text(encoding="utf-8"))["device_id"]


def test_revoked_device_cannot_be_enrolled_again(trio):
    with on(trio.office):
        info = identity.revoke(device_id_of(trio.root / "f2.card")[:8])
        assert info.revoked_at and info.status == "已注销"
        with pytest.raises(EnrolmentError, match="已于"):
            identity.enroll(trio.root / "f2.card")
        with pytest.raises(EnrolmentError, match="不能注销本机"):
            identity.revoke(identity.local_identity().device_id)


# --- round trips -----------------------------------------------------------------------------------


def test_round_trip_office_and_two_field_devices(trio, tmp_path):
    usb = trio.usb()
    photo = bytes(range(256)) * 400 + b"\x00tail"
    with on(trio.f1):
        v1 = record_visit(photo=photo, tmp=tmp_path)
        visits.update_visit(v1, notes=NOTE + "（补充）")
    with on(trio.f2):
        v2 = record_visit(notes="青山县集中学习时间达到要求", unit="青山县")
    b1, b2 = export(trio.f1, usb), export(trio.f2, usb)
    assert b1.suffix == ".sgb" and b1.parent == usb and not list(usb.glob(".*"))
    r1, r2 = import_(trio.office, b1, b2)
    assert r1.status == "imported" and r1.applied >= 4 and r1.attachments == 1 and r1.conflicts == 0
    with on(trio.office):
        visit = visits.get_visit(v1.id)
        assert visit.notes == NOTE + "（补充）" and visits.get_visit(v2.id).unit.name == "青山县"
        assert [v.id for v in visits.list_visits(visits.VisitFilter(search="四风问题"))] == [v1.id]
        assert [v.id for v in visits.list_visits(visits.VisitFilter(search="照抄"))] != []
        att = Attachment.get(Attachment.visit == v1.id)
        assert attachments.verified_path(att).read_bytes() == photo
        source = service.record_source(visit)
        assert source.group_name == "市委第一督导组" and source.role == "field"
        assert "市委第一督导组" in source.text and source.device_id[:8] in source.text
        assert audit.check_all() == []
        receipts = service.export_to_folder(usb)
        assert len(receipts) == 2
        history = service.bundle_history()
        assert {h.status for h in history if h.direction == "in"} == {"imported"}
        # the office's own exports wait for the groups, not for "活动办"
        just_sent = {r.path.name for r in receipts}
        assert {h.status_label for h in history if h.file_name in just_sent} == {"已导出，待对方确认收到"}
    # the receipts tell each field device what the office holds; the next bundle sends only new work
    f1_id = device_id(trio.f1)
    for receipt in receipts:
        folder = trio.f1 if receipt.receiver_id == f1_id else trio.f2
        import_(folder, receipt.path)
        with on(folder):
            assert audit.check_all() == []
            assert {h.status for h in service.bundle_history() if h.direction == "out"} == {"acknowledged"}
    with on(trio.f1):
        visits.update_visit(v1.id, people_met="王建国、李明")
    again = export(trio.f1, usb)
    with on(trio.f1):
        sent = SyncBundle.get(SyncBundle.file_name == again.name)
        assert sent.entry_count == 1 and sent.ranges[0]["after"] > 0
    (result,) = import_(trio.office, again)
    assert result.applied == 1 and result.skipped == 0
    with on(trio.office):
        assert visits.get_visit(v1.id).people_met == "王建国、李明"
    # field work does not travel on to other field devices; the office's assignments do
    with on(trio.f2):
        assert Visit.get_or_none(Visit.id == v1.id) is None and _unit("临江县")


def test_bundle_bytes_never_contain_the_note(trio, tmp_path):
    with on(trio.f1):
        record_visit(photo=b"PHOTO-CONTENT-" * 100, tmp=tmp_path)
    data = export(trio.f1, trio.usb()).read_bytes()
    for secret in (NOTE, "四风问题突出", "王建国", "PHOTO-CONTENT-"):
        assert secret.encode("utf-8") not in data
        assert json.dumps(secret).encode() not in data  # nor as a JSON escape


def test_assignments_from_office_reach_field_and_office_edits_follow(trio):
    with on(trio.office):
        unit = units.create_unit("云溪区", "县市区")
        units.update_unit(_unit("临江县"), name="临江市")
    f1_id = device_id(trio.f1)
    for path in _export_office(trio):
        import_(trio.f1 if path.name.split("-to-")[1].startswith(f1_id[:8]) else trio.f2, path)
    for folder in (trio.f1, trio.f2):
        with on(folder):
            assert Unit.get_by_id(unit.id).name == "云溪区"
            assert Unit.get_or_none(Unit.name == "临江市") is not None
            assert audit.check_all() == []


def _export_office(trio: Trio) -> list[Path]:
    with on(trio.office):
        return [r.path for r in service.export_to_folder(trio.usb())]


# --- conflicts ---------------------------------------------------------------------------------------


def test_edits_on_both_sides_give_a_conflict_and_lose_nothing(trio):
    usb = trio.usb()
    with on(trio.f1):
        visit = record_visit()
    import_(trio.office, export(trio.f1, usb))
    with on(trio.office):
        visits.update_visit(visit.id, notes="活动办核实后的情况")
    with on(trio.f1):
        visits.update_visit(visit.id, notes="督导组补充的情况", people_met="新的接触人员")
    (result,) = import_(trio.office, export(trio.f1, usb))
    assert result.conflicts == 1 and "冲突" in result.message
    with on(trio.office):
        (conflict,) = service.list_conflicts()
        assert conflict.fields == ["notes"] and conflict.type_label == "督导记录"
        values = {v.values.get("notes") for v in conflict.versions}
        assert {"活动办核实后的情况", "督导组补充的情况"} <= values
        # the disjoint change merged; the disputed field has a deterministic winner until decided
        assert visits.get_visit(visit.id).people_met == "新的接触人员"
        office_version = next(v.key for v in conflict.versions if v.values.get("notes") == "活动办核实后的情况")
        before = changelog.verify_chain()
        service.resolve_conflict(conflict.id[:8], take={"notes": office_version})
        assert before is None and audit.check_all() == []
        assert visits.get_visit(visit.id).notes == "活动办核实后的情况"
        assert service.list_conflicts() == [] and service.list_conflicts(include_resolved=True)[0].status == "resolved"
        last = changelog.ChangeLog.select().order_by(changelog.ChangeLog.id.desc()).first()
        assert last.record_id == visit.id and last.device_id == identity.local_identity().device_id
        assert visits.list_visits(visits.VisitFilter(search="核实后"))[0].id == visit.id
        with pytest.raises(ValidationError, match="已处理"):
            service.resolve_conflict(conflict.id, keep="current")


def test_a_field_devices_own_edits_of_office_records_stay_on_the_laptop(trio):
    """Units are the office's: a field device's local edit of one is not sent, and the office's
    record is unchanged after importing that device's bundle."""
    usb = trio.usb()
    with on(trio.f1):
        unit = _unit("市教育局")
        record_visit(unit="市教育局")
        units.update_unit(unit, name="市教育局（一组改）")
    (result,) = import_(trio.office, export(trio.f1, usb))
    assert result.status == "imported"
    with on(trio.office):
        assert Unit.get_by_id(unit.id).name == "市教育局"
        assert Visit.select().where(Visit.unit == unit.id).count() == 1
        assert audit.check_all() == []


def test_signed_evaluation_is_never_overwritten(trio):
    usb = trio.usb()
    bind_leader(trio, "f1")
    with on(trio.f1):
        leader_member = Member.get(Member.name == "张三")
        leader = units.list_leaders()[0]
        record = evaluations.create_evaluation("leader", "2014-04-01", "2014-06-30", leader=leader.id)
        evaluations.add_fact(record, "2014-04-08", "带头领学解读中央规定篇目")
        evaluations.update_evaluation(record, overall_rating="好", narrative="示范作用较好")
        key = signing.unlock(trio.f1, Member.get_by_id(leader_member.id), "leader-passphrase")
        evaluations.sign(record, Member.get_by_id(leader_member.id), key)
    import_(trio.office, export(trio.f1, usb))
    with on(trio.office):
        assert evaluations.status(evaluations.get_evaluation(record.id)) == "signed"
        assert audit.check_all() == []
        # the office edits the (signed) record behind the service's back: the field's copy wins
        stored = EvaluationRecord.get_by_id(record.id)
        with pytest.raises(FrozenRecordError):
            evaluations.update_evaluation(stored, narrative="改过的")
    # an edit written on the signing laptop after the signing (behind the service's back):
    # it knew of the signature, so the whole bundle is refused and nothing changes
    forged = _concurrent_draft_edit(trio, record.id)
    before = snapshot(trio.office)
    with on(trio.office), pytest.raises(UnsafeContentError, match="已签署的纪实评价") as info:
        service.import_bundle(forged)
    assert info.value.field.startswith(device_id(trio.f1))
    assert snapshot(trio.office) == before
    with on(trio.office):
        stored = EvaluationRecord.get_by_id(record.id)
        assert stored.narrative == "示范作用较好" and stored.signed_at
        assert audit.check_all() == []


def _concurrent_draft_edit(trio: Trio, evaluation_id: str) -> Path:
    """A bundle from f1 whose newest entry edits the evaluation as if it had not been signed
    (what a second laptop of the group, or an old copy, would send)."""
    from supervisor_app.models import database

    with on(trio.f1):
        record = EvaluationRecord.get_by_id(evaluation_id)
        with database.atomic():
            # bypass the service: write a concurrent draft change at the signing's version
            record.narrative = "未签署时的另一个版本"
            record.version = record.version - 1
            record.save()
            changelog.append("evaluation", record.id, "update",
                             changelog.field_values(record, ["narrative", "updated_at", "device_id", "version"]))
    return export(trio.f1, trio.usb(), all_entries=True)


# --- gaps, repeats, folders, the CLI ----------------------------------------------------------------------


def test_a_gap_is_held_until_the_missing_bundle_arrives(trio):
    usb = trio.usb()
    helper = trio.root / "office-helper"
    shutil.copytree(trio.office, helper)
    with on(trio.f1):
        first = record_visit(notes="第一次督导")
    b1 = export(trio.f1, usb)
    # the office (a copy) acknowledges b1, so f1's next bundle starts after it
    import_(helper, b1)
    f1_id = device_id(trio.f1)
    with on(helper):
        (receipt,) = service.export_to_folder(usb, receivers=[f1_id])
    import_(trio.f1, receipt.path)
    with on(trio.f1):
        second = record_visit(notes="第二次督导")
    b2 = export(trio.f1, usb)
    (held,) = import_(trio.office, b2)
    assert held.status == "held" and held.held > 0 and held.applied == 0
    assert held.gaps and "缺少第" in held.gaps[0].text
    with on(trio.office):
        assert Visit.get_or_none(Visit.id == second.id) is None
        assert service.held_gaps()[0].missing_from == 1
    (filled,) = import_(trio.office, b1)
    assert filled.status == "imported" and filled.applied == held.held + filled.entry_count - filled.skipped
    with on(trio.office):
        assert visits.get_visit(second.id) and visits.get_visit(first.id)
        assert service.held_gaps() == []
        assert SyncCursor.get(SyncCursor.device_id == f1_id).upto > 0
        assert audit.check_all() == []


def test_folder_import_skips_what_is_known_and_watcher_imports_new(trio):
    usb = trio.usb("shared")
    with on(trio.f1):
        record_visit(notes="文件夹导入")
    b1 = export(trio.f1, usb)
    with on(trio.f2):
        record_visit(notes="第二组", unit="青山县")
    export(trio.f2, usb)
    (usb / "junk.sgb").write_bytes(b"not a bundle")
    with on(trio.office):
        watcher = service.FolderWatcher(usb)
        results = watcher.poll()
        assert sorted(r.status for r in results) == ["imported", "imported", "refused"]
        assert watcher.poll() == []  # nothing new; the junk is not retried until it changes
        assert service.import_paths([b1])[0].status == "duplicate"
        assert service.pending_in_folder(usb) == [usb / "junk.sgb"]


def test_cancelled_import_changes_nothing(trio, tmp_path):
    with on(trio.f1):
        record_visit(photo=b"photo" * 1000, tmp=tmp_path)
    bundle = export(trio.f1, trio.usb())
    before = snapshot(trio.office)
    calls = {"n": 0}

    def late_cancel() -> bool:  # let the check finish, stop while applying
        calls["n"] += 1
        return calls["n"] > 1

    with on(trio.office):
        with pytest.raises(CancelledError):
            service.import_bundle(bundle, cancelled=lambda: True)
        assert service.import_paths([bundle], cancelled=late_cancel)[0].status == "cancelled"
    assert calls["n"] > 1 and snapshot(trio.office) == before
    with on(trio.office):
        seen = []
        service.import_bundle(bundle, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1] and snapshot(trio.office) != before


def test_export_refuses_without_an_office_and_cancels_cleanly(tmp_path, trio):
    lone = tmp_path / "lone"
    with on(lone):
        campaigns.initialize("field")
        with pytest.raises(ExportError, match="尚未登记活动办"):
            service.export_to_folder(tmp_path)
    usb = trio.usb()
    with on(trio.f1):
        record_visit()
        with pytest.raises(CancelledError):
            service.export_to_folder(usb, cancelled=lambda: True)
    assert list(usb.iterdir()) == []


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_commands(trio, capsys, tmp_path):
    usb = trio.usb()
    with on(trio.f1):
        visit = record_visit()
    code, out, err = run(capsys, "--data-dir", str(trio.f1), "export-bundle", "--to", str(usb))
    assert code == 0, err
    bundle = Path(out.strip())
    assert bundle.is_file() and bundle.suffix == container.SUFFIX
    code, out, err = run(capsys, "--data-dir", str(trio.office), "import-bundle", str(bundle))
    assert code == 0 and "已导入" in out, err
    code, out, err = run(capsys, "--data-dir", str(trio.office), "import-bundle", str(bundle))
    assert code == 2 and "已经导入过" in err
    code, out, _ = run(capsys, "--data-dir", str(trio.office), "device", "list", "--json")
    assert code == 0 and len(json.loads(out)) == 3
    code, out, _ = run(capsys, "--data-dir", str(trio.f1), "device", "card", "--out", str(tmp_path / "c.card"))
    assert code == 0 and "指纹" in out
    code, out, _ = run(capsys, "--data-dir", str(trio.office), "enroll", str(tmp_path / "c.card"))
    assert code == 0 and "已登记" in out
    with on(trio.office):
        visits.update_visit(visit.id, notes="活动办版本")
    with on(trio.f1):
        visits.update_visit(visit.id, notes="督导组版本")
    run(capsys, "--data-dir", str(trio.f1), "export-bundle", "--to", str(usb))
    newest = max(usb.glob("field-*.sgb"), key=lambda p: p.name)
    assert run(capsys, "--data-dir", str(trio.office), "import-bundle", str(newest))[0] == 0
    code, out, _ = run(capsys, "--data-dir", str(trio.office), "conflicts", "list")
    assert code == 0 and "督导记录" in out and "活动办版本" in out and "督导组版本" in out
    conflict_id = out.split("]")[0].strip("[")
    code, out, err = run(capsys, "--data-dir", str(trio.office), "conflicts", "resolve", conflict_id, "--keep", "0")
    assert code == 0 and "已处理" in out, err
    code, out, _ = run(capsys, "--data-dir", str(trio.office), "bundles")
    assert code == 0 and "导入" in out
    code, out, _ = run(capsys, "--data-dir", str(trio.office), "device", "revoke", device_id(trio.f2)[:8])
    assert code == 0 and "已注销" in out
    code, out, _ = run(capsys, "--data-dir", str(trio.office), "check")
    assert code == 0


def test_chain_hash_matches_the_change_log_rule(data_dir):
    from supervisor_app.changelog import chain_hash
    from supervisor_app.models import ChangeLog
    from supervisor_app.sync.entries import Entry

    units.create_unit("临江县", "县市区")
    for row in ChangeLog.select():
        entry = Entry(row.device_id, row.seq, row.record_type, row.record_id, row.op, row.fields, row.member_id, row.at)
        assert chain_hash(entry, ChangeLog.fields.db_value(row.fields), row.prev_hash) == row.hash


def test_a_large_attachment_streams_with_bounded_memory(trio, tmp_path):
    import os
    import tracemalloc

    photo = os.urandom(24 * 1024 * 1024)
    with on(trio.f1):
        record_visit(photo=photo, tmp=tmp_path)
    bundle = export(trio.f1, trio.usb())
    assert bundle.stat().st_size > len(photo)
    with on(trio.office):
        tracemalloc.start()
        try:
            service.import_bundle(bundle)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        att = Attachment.get(Attachment.size == len(photo))
        assert attachments.verified_path(att).read_bytes() == photo
    assert peak < 8 * 1024 * 1024, peak


def test_an_update_applied_before_its_insert_in_one_import_is_folded_in(data_dir):
    from supervisor_app.models import database
    from supervisor_app.sync.apply import Applier
    from supervisor_app.sync.entries import Entry
    from supervisor_app.sync.errors import MissingReferenceError

    now = "2014-04-08T01:00:00+00:00"
    insert = Entry("bbbbbbbb-0000", 1, "unit", "u-1", "insert",
                   {"created_at": now, "updated_at": now, "device_id": "bbbbbbbb-0000", "version": 1, "deleted": False,
                    "name": "桃源县", "kind": "县市区", "parent": None, "group": None, "sort_order": 0}, None, now)
    update = Entry("aaaaaaaa-0000", 9, "unit", "u-1", "update",
                   {"name": "桃源市", "updated_at": now, "device_id": "aaaaaaaa-0000", "version": 2}, None, now,
                   deps={"bbbbbbbb-0000": 1})
    with database.atomic():
        applier = Applier(installation_device())
        applier.apply([update])
        applier.apply([insert])
        applier.finish()
    assert Unit.get_by_id("u-1").name == "桃源市" and audit.check_all() == []
    lone = Entry("aaaaaaaa-0000", 10, "unit", "u-2", "update",
                 {"name": "无", "updated_at": now, "device_id": "aaaaaaaa-0000", "version": 2}, None, now)
    with pytest.raises(MissingReferenceError, match="只有修改"):
        with database.atomic():
            applier = Applier(installation_device())
            applier.apply([lone])
            applier.finish()
    assert Unit.get_or_none(Unit.id == "u-2") is None


def installation_device() -> str:
    from supervisor_app import installation

    return installation.context().device_id


def test_import_backs_up_once_before_applying(tmp_path):
    """A verified bundle is applied only after a backup; a batch backs up once; a refusal makes none."""
    from supervisor_app import backup
    from tests.test_sync_helpers import build_trio, export, on

    trio = build_trio(tmp_path / "trio")
    first = export(trio.f1, trio.usb("a"))
    with on(trio.f1):
        units.create_unit("再一个县", "县市区")
    second = export(trio.f1, trio.usb("b"))

    def pre_import() -> int:
        return len([b for b in backup.list_backups(trio.office) if b.reason == backup.PRE_IMPORT])

    with on(trio.office):
        before = pre_import()
        results = service.import_paths([first, second])
        assert [r.status for r in results] == ["imported", "imported"]
        assert pre_import() == before + 1
        assert service.import_paths([first])[0].status == "duplicate"
        assert pre_import() == before + 1
