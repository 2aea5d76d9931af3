"""A hostile but enrolled field device: its bundles and cards are refused cleanly (issue 11, item 5).

The device signs with its own real key, so every check after the signature is reached: the tar
stream inside the payload (only plain regular files, nothing after the end-of-archive but the
writer's zero padding), the JSON of entries, manifest and cards (bounded depth, no lone
surrogates, no NaN/Infinity), and a folder import that goes on past a refused bundle. Each
refusal is a BundleRefused (or EnrolmentError) with a Chinese message naming the problem, and
changes nothing.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from supervisor_app import cli, visits
from supervisor_app.clock import new_id, now_utc
from supervisor_app.models import Unit
from supervisor_app.sync import container, crypto, decoding, identity, service
from supervisor_app.sync.errors import BundleCorrupt, EnrolmentError, SizeLimitError, UnsafeContentError
from tests.test_sync_helpers import Trio, build_trio, export, on, snapshot
from tests.test_sync_refusals import refused

SHA = hashlib.sha256


@dataclass
class Real:
    """What f1's own exporter sends (decoded at the office): the base every forgery alters."""

    entries: list[dict]
    manifest: dict


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Trio, Real]:
    trio = build_trio(tmp_path_factory.mktemp("hostile-container") / "t")
    with on(trio.f1):
        visits.create_visit(Unit.get(Unit.name == "临江县"), "2014-04-08T09:30", ["查阅资料"], notes="现场督导笔记")
    bundle = export(trio.f1, trio.usb("real"))
    entries: list[dict] = []
    with on(trio.office):
        frame = container.read_frame(bundle)
        ephemeral = base64.b64decode(frame.manifest["encryption"]["ephemeral_public_key"])
        key = crypto.receiver_key(identity.local_identity().box_key, ephemeral, frame.bundle_id)
        container.decode_payload(frame, key, None, lambda entry, line: entries.append(entry))
    return trio, Real(entries, frame.manifest)


@pytest.fixture(autouse=True, params=["decoded-first", "decoded-by-worker"])
def decoding_path(request, monkeypatch) -> None:
    """Every forgery is refused alike whether the payload is decoded before applying or by
    the second process while applying (a large bundle; sync/decoding.py)."""
    if request.param == "decoded-by-worker":
        monkeypatch.setattr(decoding, "WORKER_MIN_BYTES", 0)


@pytest.fixture
def trio(template, tmp_path) -> Trio:
    return template[0].copy_to(tmp_path / "trio")


@pytest.fixture
def real(template) -> Real:
    return Real(json.loads(json.dumps(template[1].entries)), template[1].manifest)


# --- forging at the byte level ----------------------------------------------------------------------


def visit_insert(entries: list[dict]) -> dict:
    return next(e for e in entries if e["record_type"] == "visit" and e["op"] == "insert")


def lines_of(entries: list[dict]) -> list[bytes]:
    # ensure_ascii: a lone surrogate can only travel as a \\uXXXX escape
    return [json.dumps(e, ensure_ascii=True, sort_keys=True, separators=(",", ":"), allow_nan=True).encode()
            for e in entries]


def header(name: str, size: int, kind: bytes = tarfile.REGTYPE, fmt: int = tarfile.USTAR_FORMAT, **attrs) -> bytes:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode, info.type = size, 0, 0o600, kind
    for key, value in attrs.items():
        setattr(info, key, value)
    return info.tobuf(fmt, "utf-8", "surrogateescape")


def member(name: str, data: bytes, **kw) -> bytes:
    """One tar member as BundleWriter writes it: header, data, zero padding to 512."""
    return header(name, len(data), **kw) + data + bytes(-len(data) % tarfile.BLOCKSIZE)


def archive(*members: bytes) -> bytes:
    """Members, the end-of-archive (two zero blocks) and zero padding to a whole record."""
    body = b"".join(members) + bytes(2 * tarfile.BLOCKSIZE)
    return body + bytes(-len(body) % tarfile.RECORDSIZE)


def entries_part(lines: list[bytes], no: int = 1) -> tuple[bytes, dict]:
    raw = b"".join(line + b"\n" for line in lines)
    data = gzip.compress(raw, mtime=0)
    name = f"entries/{no:06d}.jsonl.gz"
    return member(name, data), {"name": name, "size": len(data), "sha256": SHA(data).hexdigest(),
                                "raw_size": len(raw), "entries": len(lines)}


def attachment_part(data: bytes) -> dict:
    sha = SHA(data).hexdigest()
    return {"name": f"attachments/{sha}", "size": len(data), "sha256": sha}


class _Written:
    """Stands in for BundleWriter's tar stream when the test writes the plaintext itself."""

    def close(self) -> None:
        pass


def seal(trio: Trio, real: Real, plaintext: bytes, parts: list[dict], entries: list[dict], manifest_bytes=None,
         **changes) -> Path:
    """A bundle with exactly ``plaintext`` as its payload, signed by f1's real key for the real
    office (BundleWriter's encryption and signing), its manifest the real one's with these
    parts and entries; ``manifest_bytes(manifest) -> bytes`` may replace the canonical manifest
    (it is signed all the same)."""
    with on(trio.f1):
        me = identity.local_identity()
        office = identity.office_device()
        path = trio.usb("forged") / f"{new_id()}.sgb"
        writer = container.BundleWriter(path, me.sign_key, identity.unb64(office.box_public_key, 32, "key"), new_id())
        writer._tar = _Written()
        writer._enc.write(plaintext)
        (rng,) = real.manifest["ranges"]
        manifest = {
            **{k: v for k, v in real.manifest.items() if k not in ("encryption", "payload")},
            "bundle_id": writer.bundle_id, "bundle_no": 50, "created_at": now_utc(),
            "ranges": [{**rng, "upto": max(e["seq"] for e in entries), "count": len(entries)}],
            "entry_count": sum(p.get("entries", 0) for p in parts),
            "attachment_count": sum(1 for p in parts if p["name"].startswith("attachments/")),
            "parts": parts,
        }
        manifest.update(changes)
        manifest = writer.finish(manifest)
        if manifest_bytes is not None:
            resign(path, manifest_bytes(manifest), me.sign_key)
    return path


def resign(path: Path, body: bytes, sign_key) -> None:
    data = path.read_bytes()
    length = int.from_bytes(data[-16:-8], "big")
    head = data[: len(data) - 16 - container.SIGNATURE_SIZE - length]
    signature = sign_key.sign(container.MANIFEST_CONTEXT + body)
    path.write_bytes(head + body + signature + len(body).to_bytes(8, "big") + container.TRAILER_MAGIC)


def good_payload(real: Real) -> tuple[bytes, list[dict], list[dict]]:
    entries = real.entries
    blob, part = entries_part(lines_of(entries))
    return blob, [part], entries


def test_the_byte_level_forge_makes_what_the_writer_makes(trio, real):
    """The hand-made tar is the writer's, byte for byte: the refusals below are about the one change."""
    blob, parts, entries = good_payload(real)
    plain = archive(blob)
    mirror = io.BytesIO()
    with tarfile.open(fileobj=mirror, mode="w|", format=tarfile.USTAR_FORMAT) as tar:
        data = gzip.compress(b"".join(line + b"\n" for line in lines_of(entries)), mtime=0)
        info = tarfile.TarInfo(parts[0]["name"])
        info.size, info.mtime, info.mode = len(data), 0, 0o600
        tar.addfile(info, io.BytesIO(data))
    assert mirror.getvalue() == plain
    bundle = seal(trio, real, plain, parts, entries)
    with on(trio.office):
        result = service.import_bundle(bundle)
    assert result.status == "imported" and result.applied == len(entries)


# --- the tar stream -----------------------------------------------------------------------------------


def sparse_member(name: str, real_size: int, stored: bytes) -> bytes:
    """An old-GNU sparse member: ``stored`` at the end of ``real_size`` bytes of holes."""
    block = bytearray(header(name, len(stored), tarfile.GNUTYPE_SPARSE, tarfile.GNU_FORMAT))
    block[386:398] = b"%011o\0" % (real_size - len(stored))
    block[398:410] = b"%011o\0" % len(stored)
    block[483:495] = b"%011o\0" % real_size
    block[148:156] = b" " * 8
    block[148:156] = b"%06o\0 " % sum(block)
    return bytes(block) + stored + bytes(-len(stored) % tarfile.BLOCKSIZE)


def test_a_gnu_sparse_member_is_refused_before_it_inflates(trio, real):
    """4 KB in the bundle, 64 MiB on disk: tarfile would expand the holes."""
    blob, parts, entries = good_payload(real)
    size = 64 * 1024 * 1024
    stored = b"x" * 4096
    expanded = hashlib.sha256()
    expanded.update(bytes(size - len(stored)))
    expanded.update(stored)
    sha = expanded.hexdigest()
    part = {"name": f"attachments/{sha}", "size": size, "sha256": sha}
    bundle = seal(trio, real, archive(blob, sparse_member(part["name"], size, stored)), [*parts, part], entries)
    assert bundle.stat().st_size < 64 * 1024
    refused(trio, bundle, UnsafeContentError, "稀疏文件")


@pytest.mark.parametrize("fmt, message", [(tarfile.PAX_FORMAT, "扩展头"), (tarfile.GNU_FORMAT, "扩展头")])
def test_pax_and_gnu_extension_headers_are_refused(trio, real, fmt, message):
    blob, parts, entries = good_payload(real)
    data = b"photo"
    part = attachment_part(data)
    if fmt == tarfile.PAX_FORMAT:  # a pax header that renames the member and changes its size
        extra = header(part["name"], len(data), fmt=fmt, pax_headers={"path": part["name"], "comment": "x"})
    else:  # a GNU long-name header ('L') before a member with another name
        extra = header(part["name"] + "/" + "x" * 120, len(data), fmt=fmt)
    bundle = seal(trio, real, archive(blob, extra + data + bytes(512 - len(data))), [*parts, part], entries)
    refused(trio, bundle, UnsafeContentError, message)


@pytest.mark.parametrize("kind, message", [
    (tarfile.LNKTYPE, "链接"), (tarfile.DIRTYPE, "文件夹"), (tarfile.CHRTYPE, "特殊文件"),
    (tarfile.FIFOTYPE, "特殊文件"), (tarfile.CONTTYPE, "特殊文件"),
])
def test_hardlinks_folders_and_devices_are_refused(trio, real, kind, message):
    # symbolic links: test_sync_refusals.test_links_are_refused
    blob, parts, entries = good_payload(real)
    part = attachment_part(b"photo")
    odd = header(part["name"], 0, kind, linkname="entries/000001.jsonl.gz" if kind == tarfile.LNKTYPE else "")
    refused(trio, seal(trio, real, archive(blob, odd), [*parts, part], entries), UnsafeContentError, message)


def test_a_member_in_another_tar_dialect_is_refused(trio, real):
    """A v7 header (no 'ustar' magic) is not what the writer makes."""
    blob, parts, entries = good_payload(real)
    block = bytearray(blob[:512])
    block[257:265] = bytes(8)
    block[148:156] = b" " * 8
    block[148:156] = b"%06o\0 " % sum(block)
    refused(trio, seal(trio, real, archive(bytes(block) + blob[512:]), parts, entries), BundleCorrupt, "格式不对")


def _member_after_the_end(blob: bytes) -> bytes:
    """A whole member where the second zero block of the end-of-archive should be."""
    body = blob + bytes(512) + member("attachments/" + "0" * 64, b"hidden") + bytes(512)
    return body + bytes(-len(body) % tarfile.RECORDSIZE)


@pytest.mark.parametrize("damage", [
    lambda blob: archive(blob)[:-100] + b"\x01" * 100,  # in the writer's padding: tarfile never reads it
    _member_after_the_end,
    lambda blob: archive(blob) + b"trailing",
    lambda blob: archive(blob) + bytes(tarfile.RECORDSIZE),  # more zero padding than the writer makes
], ids=["padding", "hidden-member", "after-the-record", "extra-zeros"])
def test_bytes_after_the_end_of_the_archive_are_refused(trio, real, damage):
    blob, parts, entries = good_payload(real)
    refused(trio, seal(trio, real, damage(blob), parts, entries), UnsafeContentError, "多余的数据")


def test_a_short_end_of_archive_is_refused(trio, real):
    blob, parts, entries = good_payload(real)
    plain = blob + bytes(512)
    refused(trio, seal(trio, real, plain, parts, entries), BundleCorrupt, "不完整")


def test_garbage_in_a_members_padding_is_refused(trio, real):
    blob, parts, entries = good_payload(real)
    assert parts[0]["size"] % 512
    damaged = blob[:-1] + b"\x01"
    refused(trio, seal(trio, real, archive(damaged), parts, entries), UnsafeContentError, "多余的数据")


# --- the JSON of entries ------------------------------------------------------------------------------


def with_line(trio: Trio, real: Real, line: bytes, **changes) -> Path:
    """The real entries plus one more line (counted in the manifest, seq after the last)."""
    entries = real.entries
    blob, part = entries_part([*lines_of(entries), line])
    extra = {**entries[-1], "seq": entries[-1]["seq"] + 1}
    return seal(trio, real, archive(blob), [part], [*entries, extra], **changes)


def with_visit(trio: Trio, real: Real, change) -> Path:
    """The real entries with the visit's insert changed by ``change(entry)``."""
    entries = real.entries
    change(visit_insert(entries))
    blob, part = entries_part(lines_of(entries))
    return seal(trio, real, archive(blob), [part], entries)


def test_deeply_nested_json_is_refused(trio, real):
    refused(trio, with_line(trio, real, b"[" * 100_000 + b"]" * 100_000), UnsafeContentError, "嵌套过深")
    refused(trio, with_line(trio, real, b"[" * 100_000), UnsafeContentError, "嵌套过深")


def test_nesting_below_the_recursion_limit_is_refused_too(trio, real):
    """40 levels in a JSON column: the parser copes, but it is no entry any writer makes."""
    def deep(entry):
        value: list = ["查阅资料"]
        for _ in range(40):
            value = [value]
        entry["fields"]["methods"] = value

    refused(trio, with_visit(trio, real, deep), UnsafeContentError, "嵌套过深")


def test_the_deepest_legitimate_structure_passes():
    """A template entry (the deepest structure an entry carries) is far below the bound, and
    the bound itself is allowed."""
    content = json.loads((Path(__file__).parent.parent / "resources/templates/default.json").read_text("utf-8"))
    line = json.dumps({"device_id": "d" * 8, "fields": {"content": content}}, ensure_ascii=False).encode()
    assert container.parse_json_line(line)["fields"]["content"] == content
    value: object = "好"
    for i in range(container.MAX_JSON_DEPTH):
        value = {f"k{i}": value} if i % 2 else [value]
    assert container.parse_json_line(json.dumps(value).encode()) == value
    with pytest.raises(UnsafeContentError, match="嵌套过深"):
        container.parse_json_line(json.dumps([value]).encode())


@pytest.mark.parametrize("where", ["value", "key", "pair-reversed"])
def test_lone_surrogates_are_refused(trio, real, where):
    def change(entry):
        if where == "value":
            entry["fields"]["notes"] = "笔记\ud800"
        elif where == "key":
            entry["fields"]["\udc00"] = "x"
        else:
            entry["fields"]["notes"] = "\ude00\ud83d"

    refused(trio, with_visit(trio, real, change), UnsafeContentError, "Unicode")


def test_a_surrogate_pair_is_a_character(trio, real):
    def emoji(entry):
        entry["fields"]["notes"] = "笔记\U0001f600"

    bundle = with_visit(trio, real, emoji)
    with on(trio.office):
        assert service.import_bundle(bundle).status == "imported"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinity_are_refused(trio, real, value):
    def change(entry):
        entry["fields"]["methods"] = ["查阅资料", value]

    refused(trio, with_visit(trio, real, change), UnsafeContentError, "NaN")


def test_a_number_too_large_for_a_float_is_refused(trio, real):
    line = lines_of([visit_insert(real.entries)])[0].replace(b'"methods":[', b'"methods":[1e999,')
    refused(trio, with_line(trio, real, line), UnsafeContentError, "NaN")


def test_more_entries_in_a_part_than_the_cap_are_refused(trio, real, monkeypatch):
    blob, parts, entries = good_payload(real)
    monkeypatch.setattr(container, "MAX_PART_ENTRIES", len(entries) - 1)
    refused(trio, seal(trio, real, archive(blob), parts, entries), SizeLimitError, "条目过多")


# --- the manifest's JSON ------------------------------------------------------------------------------


def _manifest_with(tail: bytes):
    def body(manifest: dict) -> bytes:
        return container.canonical_json(manifest)[:-1] + b',"zz":' + tail + b"}"

    return body


@pytest.mark.parametrize("tail, message", [
    (b"[" * 100_000 + b"]" * 100_000, "嵌套过深"),
    (b'"\\ud800"', "Unicode"),
    (b"NaN", "NaN"),
    (b"-Infinity", "NaN"),
])
def test_hostile_manifest_json_is_refused(trio, real, tail, message):
    blob, parts, entries = good_payload(real)
    bundle = seal(trio, real, archive(blob), parts, entries, manifest_bytes=_manifest_with(tail))
    refused(trio, bundle, UnsafeContentError, message)


def test_a_lone_surrogate_in_the_senders_name_is_refused(trio, real):
    blob, parts, entries = good_payload(real)

    def body(manifest: dict) -> bytes:
        manifest = {**manifest, "sender": {**manifest["sender"], "name": "督导组\udfff"}}
        return json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()

    refused(trio, seal(trio, real, archive(blob), parts, entries, manifest_bytes=body), UnsafeContentError, "Unicode")


# --- device cards ---------------------------------------------------------------------------------------


def forged_card(trio: Trio, tmp_path: Path, text=None, **changes) -> Path:
    """f1's card with ``changes``, re-signed with f1's key (a card is self-signed: anyone can)."""
    card = json.loads((trio.root / "f1.card").read_text(encoding="utf-8"))
    card.update(changes)
    fields = {k: v for k, v in card.items() if k not in ("fingerprint", "signature")}
    card["fingerprint"] = identity.fingerprint(card["device_id"], card["role"], card["sign_public_key"],
                                               card["box_public_key"])
    try:
        message = identity.CARD_CONTEXT + json.dumps(fields, ensure_ascii=False, sort_keys=True,
                                                     separators=(",", ":")).encode()
        with on(trio.f1):
            card["signature"] = identity.b64(identity.local_identity().sign_key.sign(message))
    except (UnicodeEncodeError, TypeError):
        pass  # no canonical form to sign: refused before the signature is looked at
    path = tmp_path / f"{new_id()}.card"
    path.write_text(text if text is not None else json.dumps(card, ensure_ascii=True, allow_nan=True),
                    encoding="utf-8")
    return path


def card_refused(trio: Trio, path: Path, message: str) -> None:
    before = snapshot(trio.office)
    with on(trio.office):
        with pytest.raises(EnrolmentError) as info:
            identity.enroll(path)
    assert message in info.value.message, info.value.message
    assert snapshot(trio.office) == before


def test_the_card_forge_makes_an_acceptable_card(trio, tmp_path):
    card = identity.read_card(forged_card(trio, tmp_path, name="市委第一督导组"))
    assert card.name == "市委第一督导组"


@pytest.mark.parametrize("device_id", ["../../etc/passwd", "abc def-12345", "督导组设备一号码", "-" + "a" * 20, "a" * 37,
                                       "a" * 7, 12345678])
def test_a_card_with_a_bad_device_id_is_refused(trio, tmp_path, device_id):
    card_refused(trio, forged_card(trio, tmp_path, device_id=device_id), "设备编号")


@pytest.mark.parametrize("changes, message", [
    ({"name": "\ud800督导组"}, "Unicode"),
    ({"group_name": "督导组\udfff"}, "Unicode"),
    ({"\udc00": 1}, "Unicode"),
    ({"format_version": float("nan")}, "NaN"),
    ({"name": float("inf")}, "NaN"),
    ({"role": "admin"}, "角色"),
    ({"group_id": {"id": "x"}}, "督导组编号"),
    ({"group_id": "../x"}, "督导组编号"),
    ({"name": "长" * 1000}, "过长"),
    ({"created_at": ["2014"]}, "不正确"),
    ({"sign_public_key": "AAAA"}, "长度不正确"),
    ({"box_public_key": "不是base64"}, "格式不正确"),
])
def test_a_card_with_bad_fields_is_refused(trio, tmp_path, changes, message):
    card_refused(trio, forged_card(trio, tmp_path, **changes), message)


def test_a_deeply_nested_card_is_refused(trio, tmp_path):
    text = '{"format":"supervisor_app.device_card","x":' + "[" * 30_000 + "]" * 30_000 + "}"
    card_refused(trio, forged_card(trio, tmp_path, text=text), "嵌套过深")
    card_refused(trio, forged_card(trio, tmp_path, text="[" * 60_000), "嵌套过深")
    card_refused(trio, forged_card(trio, tmp_path, text='{"format": "supervisor_app.device_card"'), "无法解析")


# --- a folder with a bad bundle among good ones ---------------------------------------------------------


def test_a_folder_import_refuses_the_bad_bundle_and_goes_on(trio, real, capsys):
    folder = trio.usb("folder")
    good = export(trio.f1, folder)  # f1's second bundle
    bad = with_line(trio, real, b"[" * 100_000, bundle_no=1)
    bad = bad.rename(folder / "a-bad.sgb")
    with on(trio.office):
        assert service.bundle_files([folder]) == [bad, good]
    office = trio.root / "office-copy"
    shutil.copytree(trio.office, office)
    with on(trio.office):
        results = service.import_paths([folder])
    assert [(r.path, r.status) for r in results] == [(bad, "refused"), (good, "imported")]
    assert isinstance(results[0].error, UnsafeContentError) and "嵌套过深" in results[0].message
    code = cli.main(["--data-dir", str(office), "import-bundle", str(folder)])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert f"{good.name}：已导入" in out
    assert [line for line in err.splitlines() if line.strip()] == [f"a-bad.sgb：拒绝：{results[0].message}",
                                                                     "共 2 个同步包：导入 1 个，拒绝 1 个。"]


def test_an_unforeseen_failure_of_one_bundle_does_not_stop_the_folder(trio, real, monkeypatch):
    """Defence in depth: whatever a check missed ends that bundle's import (rolled back), not the batch."""
    from supervisor_app.sync import importer

    folder = trio.usb("folder")
    good = export(trio.f1, folder)
    blob, parts, entries = good_payload(real)
    odd = seal(trio, real, archive(blob), parts, entries, bundle_no=1).rename(folder / "a-odd.sgb")
    original = importer.import_bundle

    def failing(path, **kw):
        if path == odd:
            raise RuntimeError("boom")
        return original(path, **kw)

    monkeypatch.setattr(importer, "import_bundle", failing)
    with on(trio.office):
        results = service.import_paths([folder])
    assert [(r.path, r.status) for r in results] == [(odd, "refused"), (good, "imported")]
    assert "程序出错" in results[0].message and "RuntimeError: boom" in results[0].error.detail
