"""Bad bundles are refused with a message naming the reason, and change nothing at all."""

from __future__ import annotations

import gzip
import hashlib
import random
import tarfile
from pathlib import Path

import pytest

from supervisor_app import campaigns, visits
from supervisor_app.clock import new_id, now_utc
from supervisor_app.models import ChangeLog, Unit
from supervisor_app.sync import container, identity, service
from supervisor_app.sync.admission import FIELD_TYPES
from supervisor_app.sync.entries import Entry
from supervisor_app.sync.errors import (
    BundleCorrupt,
    BundleRefused,
    DuplicateBundleError,
    NewerFormatError,
    ReplayError,
    RevokedDeviceError,
    SizeLimitError,
    UnknownDeviceError,
    UnsafeContentError,
    WrongReceiverError,
)
from tests.test_sync_helpers import Trio, build_trio, device_id, export, import_, on, snapshot

PHOTO = bytes(random.Random(5).getrandbits(8) for _ in range(3000))


@pytest.fixture(scope="module")
def trio_template(tmp_path_factory) -> Trio:
    trio = build_trio(tmp_path_factory.mktemp("refusals") / "t")
    with on(trio.f1):
        unit = Unit.get(Unit.name == "临江县")
        visit = visits.create_visit(unit, "2014-04-08T09:30", ["查阅资料"], notes="现场督导笔记")
        source = trio.root / "photo.jpg"
        source.write_bytes(PHOTO)
        from supervisor_app import attachments

        attachments.add_attachment(visit, source)
    export(trio.f1, trio.usb("bundles"))
    return trio


@pytest.fixture
def trio(trio_template, tmp_path) -> Trio:
    return trio_template.copy_to(tmp_path / "trio")


def good_bundle(trio: Trio) -> Path:
    (path,) = sorted(trio.usb("bundles").glob("*.sgb"))
    return path


def refused(trio: Trio, bundle: Path, error: type[BundleRefused], message: str, folder: Path | None = None):
    """Import must raise ``error`` with ``message`` and leave every table and file as it was."""
    folder = folder or trio.office
    before = snapshot(folder)
    with on(folder):
        with pytest.raises(error) as info:
            service.import_bundle(bundle)
    assert message in info.value.message, info.value.message
    assert snapshot(folder) == before
    return info.value


def forge(trio: Trio, *, entries_hook=None, members=(), parts_hook=None, **manifest_changes) -> Path:
    """A bundle signed by f1's real key, for the real office, with whatever content a test needs."""
    with on(trio.f1):
        me = identity.local_identity()
        office = identity.office_device()
        rows = ChangeLog.select().where((ChangeLog.device_id == me.device_id)
                                        & ChangeLog.record_type.in_(sorted(FIELD_TYPES))).order_by(ChangeLog.seq)
        entries = [Entry(r.device_id, r.seq, r.record_type, r.record_id, r.op, r.fields, r.member_id, r.at).to_wire()
                   for r in rows]
        entries = entries_hook(entries) if entries_hook else entries
        path = trio.usb("forged") / f"{new_id()}.sgb"
        writer = container.BundleWriter(path, me.sign_key, identity.unb64(office.box_public_key, 32, "key"), new_id())
        writer.add_entries(entries)
        for name, data, kind, meta in members:
            writer.add_member(name, data, kind, **meta)
        parts = parts_hook(list(writer.parts)) if parts_hook else writer.parts
        manifest = {
            "format": container.FORMAT, "format_version": container.FORMAT_VERSION, "bundle_id": writer.bundle_id,
            "bundle_no": 50, "kind": "records", "created_at": now_utc(),
            "sender": {"device_id": me.device_id, "role": "field", "group_id": None, "name": "x"},
            "receiver": {"device_id": office.id, "role": "office"},
            "ranges": [{"device_id": entries[0]["device_id"], "after": 0, "upto": entries[-1]["seq"], "count": len(entries)}],
            "entry_count": len(entries),
            "attachment_count": sum(1 for p in parts if p["name"].startswith("attachments/")),
            "acks": {}, "parts": parts,
        }
        manifest.update(manifest_changes)
        writer.finish(manifest)
    return path


def test_the_forge_itself_makes_an_acceptable_bundle(trio):
    (result,) = import_(trio.office, forge(trio))
    assert result.status == "imported" and result.applied > 0


# --- damage -------------------------------------------------------------------------------------------


def _positions(data: bytes) -> list[int]:
    size = len(data)
    manifest_len = int.from_bytes(data[-16:-8], "big")
    manifest_at = size - 16 - 64 - manifest_len
    fixed = [0, 7, 8, 9, 8 + 1000, manifest_at // 2, manifest_at - 17, manifest_at - 1, manifest_at,
             manifest_at + manifest_len // 2, manifest_at + manifest_len - 1, size - 80, size - 17, size - 16, size - 9,
             size - 8, size - 1]
    rng = random.Random(11)
    return sorted(set(fixed + [rng.randrange(size) for _ in range(12)]))


def test_one_flipped_byte_anywhere_is_refused(trio, tmp_path):
    data = good_bundle(trio).read_bytes()
    before = snapshot(trio.office)
    for position in _positions(data):
        damaged = bytearray(data)
        damaged[position] ^= 0x01 if position % 2 else 0xFF
        path = tmp_path / f"flip-{position}.sgb"
        path.write_bytes(bytes(damaged))
        with on(trio.office):
            with pytest.raises(BundleRefused) as info:
                service.import_bundle(path)
        assert info.value.message and ("损坏" in info.value.message or "改动" in info.value.message
                                       or "不完整" in info.value.message or "不是同步包" in info.value.message
                                       or "不对" in info.value.message), (position, info.value.message)
    assert snapshot(trio.office) == before
    (ok,) = import_(trio.office, good_bundle(trio))
    assert ok.status == "imported"


@pytest.mark.parametrize("keep", [0, 7, 8, 100, 0.5, -1, -16, -80])
def test_a_truncated_file_is_refused(trio, tmp_path, keep):
    data = good_bundle(trio).read_bytes()
    cut = int(len(data) * keep) if isinstance(keep, float) else (keep if keep >= 0 else len(data) + keep)
    path = tmp_path / "cut.sgb"
    path.write_bytes(data[:cut])
    error = refused(trio, path, BundleCorrupt, "")
    assert any(word in error.message for word in ("不完整", "不是同步包", "截断", "损坏"))


# --- who sent it, to whom ------------------------------------------------------------------------------


def _second_office(trio: Trio, enrol_f1: bool) -> Path:
    folder = trio.root / "office2"
    with on(folder):
        campaigns.initialize("office")
        if enrol_f1:
            identity.enroll(trio.root / "f1.card")
    return folder


def test_unknown_device_is_refused(trio):
    folder = _second_office(trio, enrol_f1=False)
    refused(trio, good_bundle(trio), UnknownDeviceError, "未登记的设备", folder=folder)


def test_bundle_for_another_office_is_refused(trio):
    folder = _second_office(trio, enrol_f1=True)
    refused(trio, good_bundle(trio), WrongReceiverError, "不是发给本机", folder=folder)


def test_revoked_device_is_refused(trio):
    with on(trio.office):
        identity.revoke(device_id_f1(trio))
    refused(trio, good_bundle(trio), RevokedDeviceError, "已注销")


def device_id_f1(trio: Trio) -> str:
    import json

    return json.loads((trio.root / "f1.card").read_text(encoding="utf-8"))["device_id"]


def test_own_bundle_is_refused_by_its_sender(trio):
    refused(trio, good_bundle(trio), WrongReceiverError, "本机生成", folder=trio.f1)


def test_newer_format_version_is_refused(trio):
    refused(trio, forge(trio, format_version=container.FORMAT_VERSION + 1), NewerFormatError, "更新版本")


def test_replayed_bundles_are_refused(trio):
    usb = trio.usb("replay")
    first = good_bundle(trio)
    with on(trio.f1):
        visits.create_visit(Unit.get(Unit.name == "临江县"), "2014-04-09T09:30", ["个别谈话"], notes="第二次")
    second = export(trio.f1, usb)  # no receipt yet: it carries the first one's entries too
    import_(trio.office, second)
    refused(trio, second, DuplicateBundleError, "已经导入过")
    refused(trio, first, ReplayError, "重放")


# --- what is inside ----------------------------------------------------------------------------------------


def test_path_traversal_in_the_manifest_is_refused(trio):
    for name, message in (("attachments/../../evil", "不安全的文件名"), ("/etc/passwd", "绝对路径"),
                          ("entries/../../../x.jsonl.gz", "不安全的文件名"), ("C:/evil", "绝对路径"),
                          ("notes.txt", "不认识的文件")):
        def rename(parts, name=name):
            parts[-1] = {**parts[-1], "name": name}
            return parts

        refused(trio, forge(trio, members=[("attachments/" + "a" * 64, b"x", tarfile.REGTYPE, {})], parts_hook=rename),
                UnsafeContentError, message)


def test_path_traversal_inside_the_payload_is_refused(trio):
    data = b"evil"
    sha = hashlib.sha256(data).hexdigest()

    def disguise(parts):
        parts[-1] = {**parts[-1], "name": f"attachments/{sha}"}
        return parts

    bundle = forge(trio, members=[("../../outside.txt", data, tarfile.REGTYPE, {})], parts_hook=disguise)
    refused(trio, bundle, UnsafeContentError, "不安全的文件名")


def test_links_are_refused(trio):
    sha = hashlib.sha256(PHOTO).hexdigest()
    bundle = forge(trio, members=[(f"attachments/{sha}", PHOTO, tarfile.SYMTYPE, {})],
                   parts_hook=lambda parts: [*parts[:-1], {**parts[-1], "size": len(PHOTO), "sha256": sha}])
    refused(trio, bundle, UnsafeContentError, "链接")


def test_a_zip_bomb_is_refused_before_decompression(trio):
    bomb = gzip.compress(b"0" * (30 * 1024 * 1024), compresslevel=9)
    bundle = forge(trio, members=[("entries/000002.jsonl.gz", bomb, tarfile.REGTYPE,
                                   {"raw_size": 30 * 1024 * 1024, "entries": 0})])
    refused(trio, bundle, SizeLimitError, "压缩炸弹")


def test_a_part_that_inflates_beyond_its_declared_size_is_refused(trio):
    bomb = gzip.compress(b"0" * (8 * 1024 * 1024), compresslevel=9)
    bundle = forge(trio, members=[("entries/000002.jsonl.gz", bomb, tarfile.REGTYPE, {"raw_size": 1000, "entries": 0})])
    refused(trio, bundle, SizeLimitError, "解压后超过")


def test_too_many_members_are_refused(trio, monkeypatch):
    monkeypatch.setattr(container, "MAX_PARTS", 3)
    members = [(f"attachments/{hashlib.sha256(bytes([i])).hexdigest()}", bytes([i]), tarfile.REGTYPE, {}) for i in range(3)]
    refused(trio, forge(trio, members=members), SizeLimitError, "文件过多")


def test_unreferenced_attachments_are_refused(trio):
    data = b"not referenced by any record"
    sha = hashlib.sha256(data).hexdigest()
    refused(trio, forge(trio, members=[(f"attachments/{sha}", data, tarfile.REGTYPE, {})]), UnsafeContentError,
            "没有记录引用的附件")


def test_a_field_bundle_cannot_carry_another_devices_changes(trio):
    other = device_id(trio.f2)

    def impersonate(entries):
        return [{**e, "device_id": other, "fields": {**e["fields"], "device_id": other}} for e in entries]

    refused(trio, forge(trio, entries_hook=impersonate), UnsafeContentError, "每台设备只能为自己声明")


def test_unknown_record_types_and_fields_are_refused(trio):
    def odd_type(entries):
        return [*entries[:-1], {**entries[-1], "record_type": "password"}]

    refused(trio, forge(trio, entries_hook=odd_type), UnsafeContentError, "不认识的记录类型")

    def odd_field(entries):
        return [*entries[:-1], {**entries[-1], "fields": {**entries[-1]["fields"], "is_admin": True}}]

    refused(trio, forge(trio, entries_hook=odd_field), UnsafeContentError, "不认识的字段")


def test_entry_counts_must_match_the_manifest(trio):
    refused(trio, forge(trio, entry_count=1), BundleCorrupt, "条目数")


def test_a_signed_insert_without_a_required_field_is_refused(trio):
    def drop_unit(entries):
        visit = next(e for e in entries if e["record_type"] == "visit" and e["op"] == "insert")
        visit["fields"] = {k: v for k, v in visit["fields"].items() if k != "unit"}
        return entries

    refused(trio, forge(trio, entries_hook=drop_unit), UnsafeContentError, "缺少必填内容：unit")

    def null_notes(entries):
        visit = next(e for e in entries if e["record_type"] == "visit" and e["op"] == "insert")
        visit["fields"] = {**visit["fields"], "notes": None}
        return entries

    refused(trio, forge(trio, entries_hook=null_notes), UnsafeContentError, "缺少必填内容：notes")


def test_values_of_the_wrong_type_or_size_are_refused(trio):
    def text_in_integer(entries):
        visit = next(e for e in entries if e["record_type"] == "visit" and e["op"] == "insert")
        visit["fields"] = {**visit["fields"], "notes": 7}
        return entries

    refused(trio, forge(trio, entries_hook=text_in_integer), UnsafeContentError, "内容类型不对")

    def huge_seq(entries):
        return [*entries[:-1], {**entries[-1], "seq": 2**70}]

    refused(trio, forge(trio, entries_hook=huge_seq), BundleCorrupt, "不正确")
