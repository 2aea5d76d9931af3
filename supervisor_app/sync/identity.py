"""Device identity: key pairs of this installation, public cards, enrolment and revocation.

Each installation has an Ed25519 key pair (signs manifests and its card) and an X25519 key
pair (receives encrypted payloads). The private keys live in ``<data>/keys`` with owner-only
permissions, created at first use; the public keys are written to the local ``Device`` row.
Where the operating system has a credential store, the key files are PKCS#8 encrypted under a
random key kept there (``keystore``), so a copy of the data folder alone cannot use them;
elsewhere they are plain PKCS#8, as in earlier versions, and are encrypted the first time
they are loaded on a machine that has a store.

A card is a small JSON file with the device id, role, group and public keys, signed by its
own Ed25519 key. Its fingerprint (SHA-256 over id, role and both keys, 32 hex digits in
groups of four) is read aloud over the phone or compared on paper before enrolling.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from .. import fsutil, installation
from ..canonical import canonical_bytes
from ..clock import now_utc
from ..fsutil import fsync_dir, stage_private_file
from ..models import Device, Group, Member, database
from ..paths import keys_dir as data_keys_dir
from ..signatures import normalize_fingerprint
from . import keystore
from .errors import EnrolmentError, IdentityError

CARD_FORMAT = "supervisor_app.device_card"
CARD_VERSION = 2  # 2: a field card carries its group's roster (members: id, name, leader)
CARD_MAX_BYTES = 2 * 1024 * 1024  # a field card lists its group's members, units and leaders
CARD_CONTEXT = b"supervisor_app device card v1\n"
SIGN_KEY_FILE = "device-signing.pem"
BOX_KEY_FILE = "device-encryption.pem"
ROLE_LABELS = installation.ROLE_LABELS


def data_dir() -> Path:
    """The data folder of the bound database (the keys live beside it)."""
    path = getattr(database.obj, "database", None)
    if not path:
        raise IdentityError("数据库尚未打开。")
    return Path(path).resolve().parent


def keys_dir() -> Path:
    return data_keys_dir(data_dir())


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def unb64(text: str, length: int, what: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (ValueError, TypeError) as exc:
        raise EnrolmentError(f"设备卡中的{what}格式不正确。") from exc
    if len(raw) != length:
        raise EnrolmentError(f"设备卡中的{what}长度不正确。")
    return raw


def _raw_public(key) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


ENCRYPTED_PEM = b"-----BEGIN ENCRYPTED PRIVATE KEY-----"
KEY_NOT_IN_STORE = (
    "本机设备密钥无法解开：解开它的钥匙保存在原电脑、原用户的系统凭据管理器中，这个数据文件夹可能是从"
    "别的电脑或别的用户复制来的。同步不可用（其余记录不受影响）；请在原电脑上以原用户使用。"
)
STORE_UNAVAILABLE = (
    "本机设备密钥由系统凭据管理器保护，但现在无法访问系统凭据管理器，同步暂不可用（其余记录不受影响）；"
    "请以平时的用户登录桌面、解锁密钥环后再试。"
)


def _write_private(path: Path, pem: bytes, kind=None, wrapping_key: bytes | None = None) -> None:
    """Write a key file atomically (0600); with ``kind``, the staged file must load as that key
    (with ``wrapping_key``) and have the same public key as ``pem`` before it replaces ``path``."""
    tmp = stage_private_file(path, pem)
    try:
        if kind is not None:
            expected = _raw_public(_load_pem(pem, path, kind, wrapping_key).public_key())
            if _raw_public(_load_key(tmp, kind, wrapping_key).public_key()) != expected:
                raise IdentityError(f"本机设备密钥文件写入后核对不符：{path}。")
        fsutil.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def _password(wrapping_key: bytes) -> bytes:
    return base64.b64encode(wrapping_key)


def _pem(key, wrapping_key: bytes | None = None) -> bytes:
    """PKCS#8 PEM, encrypted under the credential store's wrapping key when there is one.

    The wrapping key is 256 random bits, so PKCS#8's own password KDF (PBKDF2) adds nothing
    and needs no strength of its own; cryptography's best available encryption (AES-256-CBC)
    keeps the file a standard one that ``openssl pkey`` reads given the key.
    """
    encryption = (
        serialization.BestAvailableEncryption(_password(wrapping_key)) if wrapping_key
        else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def _is_protected(pem: bytes) -> bool:
    return pem.lstrip().startswith(ENCRYPTED_PEM)


def _store_key(device_id: str) -> bytes:
    """The wrapping key for protected key files; a clear refusal when it cannot be had."""
    try:
        key = keystore.load(device_id)
    except keystore.Unavailable as exc:
        raise IdentityError(STORE_UNAVAILABLE, detail=str(exc)) from exc
    if key is None:
        raise IdentityError(KEY_NOT_IN_STORE)
    return key


def _new_store_key(device_id: str) -> bytes | None:
    """The wrapping key to protect key files with, made at first use; None without a store."""
    try:
        return keystore.load_or_create(device_id)
    except keystore.Unavailable:
        return None


@dataclass(frozen=True)
class LocalIdentity:
    """This installation's device and its private keys (kept in memory only while needed)."""

    device_id: str
    role: str
    sign_key: Ed25519PrivateKey
    box_key: X25519PrivateKey

    @property
    def sign_public(self) -> bytes:
        return _raw_public(self.sign_key.public_key())

    @property
    def box_public(self) -> bytes:
        return _raw_public(self.box_key.public_key())


def _load_pem(pem: bytes, path: Path, kind, wrapping_key: bytes | None):
    password = _password(wrapping_key) if wrapping_key and _is_protected(pem) else None
    try:
        key = serialization.load_pem_private_key(pem, password=password)
    except (ValueError, TypeError) as exc:
        raise IdentityError(f"本机设备密钥文件无法读取：{path}。", detail=repr(exc)) from exc
    if not isinstance(key, kind):
        raise IdentityError(f"本机设备密钥文件类型不对：{path}。")
    return key


def _load_key(path: Path, kind, wrapping_key: bytes | None = None):
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise IdentityError(f"本机设备密钥文件无法读取：{path}。", detail=repr(exc)) from exc
    return _load_pem(pem, path, kind, wrapping_key)


def _protect_plain_files(identity: LocalIdentity, files: dict[Path, bytes]) -> None:
    """Encrypt plain key files (earlier versions, or made without a store) once a store is there.

    Each file is replaced on its own, only after its encrypted copy has been written and loaded
    back; anything failing leaves the plain file as it was, to be tried again at the next use.
    """
    plain = [path for path, pem in files.items() if not _is_protected(pem)]
    if not plain:
        return
    wrapping_key = _new_store_key(identity.device_id)
    if wrapping_key is None:
        return  # no credential store: owner-only plain files (the documented fallback)
    for path in plain:
        key = identity.sign_key if path.name == SIGN_KEY_FILE else identity.box_key
        try:
            _write_private(path, _pem(key, wrapping_key), type(key), wrapping_key)
        except (OSError, IdentityError):
            return


def local_identity() -> LocalIdentity:
    """Load this installation's keys, creating them at first use (private files mode 0600,
    encrypted under the credential store's key where there is one)."""
    ctx = installation.context()
    device = Device.get_by_id(ctx.device_id)
    folder = keys_dir()
    sign_path, box_path = folder / SIGN_KEY_FILE, folder / BOX_KEY_FILE
    if not sign_path.exists() and not box_path.exists():
        if device.sign_public_key or device.box_public_key:
            raise IdentityError(
                "本机已登记的设备密钥文件丢失（keys 文件夹）。已登记本机的设备将无法验证新的同步包；"
                "请从备份恢复 keys 文件夹。"
            )
        wrapping_key = _new_store_key(ctx.device_id)
        _write_private(sign_path, _pem(Ed25519PrivateKey.generate(), wrapping_key))
        _write_private(box_path, _pem(X25519PrivateKey.generate(), wrapping_key))
    elif not sign_path.exists() or not box_path.exists():
        raise IdentityError("本机设备密钥文件不完整（keys 文件夹中缺少一个），请从备份恢复。")
    try:
        files = {sign_path: sign_path.read_bytes(), box_path: box_path.read_bytes()}
    except OSError as exc:
        raise IdentityError(f"本机设备密钥文件无法读取：{folder}。", detail=repr(exc)) from exc
    wrapping_key = _store_key(ctx.device_id) if any(map(_is_protected, files.values())) else None
    identity = LocalIdentity(ctx.device_id, ctx.role,
                             _load_pem(files[sign_path], sign_path, Ed25519PrivateKey, wrapping_key),
                             _load_pem(files[box_path], box_path, X25519PrivateKey, wrapping_key))
    sign_text, box_text = b64(identity.sign_public), b64(identity.box_public)
    if device.sign_public_key is None and device.box_public_key is None:
        with database.atomic():
            Device.update(sign_public_key=sign_text, box_public_key=box_text).where(Device.id == device.id).execute()
    elif (device.sign_public_key, device.box_public_key) != (sign_text, box_text):
        raise IdentityError("本机设备密钥与数据库中登记的公钥不符（keys 文件夹可能来自别的数据文件夹）。")
    _protect_plain_files(identity, files)
    return identity


# --- cards ------------------------------------------------------------------------------------


def fingerprint(device_id: str, role: str, sign_public_b64: str, box_public_b64: str) -> str:
    """32 hex digits in groups of four, e.g. '3F2A 9C1B …', to compare by phone or on paper."""
    payload = json.dumps([device_id, role, sign_public_b64, box_public_b64], separators=(",", ":")).encode()
    digest = hashlib.sha256(payload).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


@dataclass(frozen=True)
class RosterMember:
    """A member of a field device's group as its card lists them (the office may adopt them)."""

    id: str
    name: str
    is_leader: bool

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "is_leader": self.is_leader}


MAX_ROSTER = 100  # members on a card
# What a card may carry of the records its device made for its group, the fields of each (the
# group of a unit is the adopting group's; a signing key is never taken from a card), and how many.
MADE_FIELDS = {
    "unit": {"name": str, "kind": str, "parent": (str, type(None)), "sort_order": int},
    "team": {"unit": str, "name": str},
    "leader": {"name": str, "position": str, "unit": str, "team": (str, type(None)), "is_top_leader": bool,
               "is_county_level": bool, "contact_point_unit": (str, type(None))},
}
MAX_MADE = {"unit": 2_000, "team": 2_000, "leader": 5_000}


@dataclass(frozen=True)
class DeviceCard:
    device_id: str
    role: str
    group_id: str | None
    group_name: str
    name: str
    sign_public_key: str
    box_public_key: str
    created_at: str
    roster: tuple[RosterMember, ...] = ()
    format_version: int = CARD_VERSION
    # the units, teams and leaders this device made for its group: {"unit": [{"id": …, field: value}], …}
    made: tuple[tuple[str, tuple[dict, ...]], ...] = ()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.device_id, self.role, self.sign_public_key, self.box_public_key)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def signed_fields(self) -> dict:
        return {
            "format": CARD_FORMAT,
            "format_version": CARD_VERSION,
            "device_id": self.device_id,
            "role": self.role,
            "group_id": self.group_id,
            "group_name": self.group_name,
            "name": self.name,
            "sign_public_key": self.sign_public_key,
            "box_public_key": self.box_public_key,
            "created_at": self.created_at,
            # a version-1 card was signed without it
            **({"roster": [m.as_dict() for m in self.roster]} if self.format_version >= 2 else {}),
            **({"made": {kind: list(items) for kind, items in self.made}} if self.format_version >= 2 else {}),
        }

    def made_of(self, kind: str) -> tuple[dict, ...]:
        return dict(self.made).get(kind, ())


def _card_message(fields: dict) -> bytes:
    return CARD_CONTEXT + canonical_bytes(fields)


def local_card(*, with_records: bool = False) -> DeviceCard:
    """This installation's public card; ``with_records`` (the card written to a file) with a
    field device's roster and the units, teams and leaders it made (its fingerprint and keys
    are the same either way)."""
    identity = local_identity()
    ctx = installation.context()
    group = Group.get_or_none(Group.id == ctx.group_id) if ctx.group_id else None
    group_name = group.name if group else ""
    name = group_name or ROLE_LABELS[ctx.role]
    roster = ()
    with_records = with_records and group is not None and ctx.role == "field"
    if with_records:
        roster = tuple(
            RosterMember(m.id, m.name, bool(m.is_leader))
            for m in Member.select().where((Member.group == group.id) & (Member.deleted == False))
            .order_by(Member.is_leader.desc(), Member.name, Member.id).limit(MAX_ROSTER)
        )
    made = _made_here(identity.device_id, group.id) if with_records else ()
    return DeviceCard(
        device_id=identity.device_id, role=identity.role, group_id=ctx.group_id, group_name=group_name, name=name,
        sign_public_key=b64(identity.sign_public), box_public_key=b64(identity.box_public), created_at=now_utc(),
        roster=roster, made=made,
    )


def _made_here(me: str, group_id: str) -> tuple[tuple[str, tuple[dict, ...]], ...]:
    """The live units this device made for its group (or for no group), parents first, and the
    teams and leaders it made of its group's units: what the office adopts with the group."""
    from ..models import ChangeLog, Leader, LeadershipTeam, Unit

    def made(record_type: str) -> set[str]:
        return {r for (r,) in ChangeLog.select(ChangeLog.record_id).where(
            (ChangeLog.device_id == me) & (ChangeLog.record_type == record_type) & (ChangeLog.op == "insert")).tuples()}

    ours = {u.id: u for u in Unit.select().where((Unit.deleted == False) & ((Unit.group == group_id) | Unit.group.is_null()))}
    made_units, made_teams, made_leaders = made("unit"), made("team"), made("leader")
    units = [u for uid, u in ours.items() if uid in made_units]

    def level(unit) -> int:
        """How many of our units are above it (a damaged, circular chain stops where it repeats)."""
        seen = {unit.id}
        parent = ours.get(unit.parent_id)
        while parent is not None and parent.id not in seen:
            seen.add(parent.id)
            parent = ours.get(parent.parent_id)
        return len(seen) - 1

    units.sort(key=lambda u: (level(u), u.sort_order if type(u.sort_order) is int else 0, str(u.id)))
    group_units = {u.id for u in Unit.select(Unit.id).where((Unit.deleted == False) & (Unit.group == group_id))}
    group_units |= {u.id for u in units}
    teams = [t for t in LeadershipTeam.select().where((LeadershipTeam.deleted == False)
                                                      & LeadershipTeam.unit.in_(list(group_units)))
             if t.id in made_teams]
    leaders = [ld for ld in Leader.select().where((Leader.deleted == False) & Leader.unit.in_(list(group_units)))
               if ld.id in made_leaders]

    def row(record, kind: str) -> dict:
        data = record.__data__
        return {"id": record.id, **{name: data.get(name) for name in MADE_FIELDS[kind]}}
    return tuple((kind, tuple(row(r, kind) for r in records[: MAX_MADE[kind]]))
                 for kind, records in (("unit", units), ("team", teams), ("leader", leaders)) if records)


def write_card(path: str | os.PathLike) -> DeviceCard:
    """Write this installation's signed public card to ``path``; return it."""
    identity = local_identity()
    card = local_card(with_records=True)
    fields = card.signed_fields()
    signature = identity.sign_key.sign(_card_message(fields))
    document = {**fields, "fingerprint": card.fingerprint, "signature": b64(signature)}
    target = Path(path)
    tmp = target.with_name(f".{target.name}.partial")
    try:
        tmp.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        fsutil.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise EnrolmentError(f"无法写入设备卡 {target}：{exc.strerror or exc}") from exc
    return card


CARD_MAX_TEXT = 200  # characters of a name on a card


def _card_text(document: dict, key: str, what: str, *, required: bool = False, max_chars: int = CARD_MAX_TEXT,
               pattern=None) -> str:
    """One text field of a card: a string (absent or empty only when not required), bounded,
    matching ``pattern`` when given. Lone surrogates never get here (the card is read strictly)."""
    value = document.get(key)
    if value is None or value == "":
        if required:
            raise EnrolmentError(f"设备卡缺少必要内容：{key}。")
        return ""
    if not isinstance(value, str) or (pattern is not None and not pattern.fullmatch(value)):
        raise EnrolmentError(f"设备卡中的{what}不正确。")
    if len(value) > max_chars:
        raise EnrolmentError(f"设备卡中的{what}过长（超过 {max_chars} 个字符）。")
    return value


def _card_roster(document: dict, id_shape) -> tuple[RosterMember, ...]:
    """The roster of a card: at most MAX_ROSTER members, ids of the id shape and distinct,
    names bounded and distinct, at most one leader."""
    value = document.get("roster")
    if not isinstance(value, list) or len(value) > MAX_ROSTER:
        raise EnrolmentError("设备卡中的成员名单不正确。")
    roster = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"id", "name", "is_leader"} \
                or not isinstance(item["is_leader"], bool):
            raise EnrolmentError("设备卡中的成员名单不正确。")
        member_id = _card_text(item, "id", "成员编号", required=True, pattern=id_shape)
        name = _card_text(item, "name", "成员姓名", required=True, max_chars=50)
        if not name.strip() or not name.isprintable():
            raise EnrolmentError("设备卡中的成员姓名不正确。")
        roster.append(RosterMember(member_id, name, item["is_leader"]))
    if len({m.id for m in roster}) != len(roster) or len({m.name for m in roster}) != len(roster):
        raise EnrolmentError("设备卡中的成员名单有重复。")
    if sum(m.is_leader for m in roster) > 1:
        raise EnrolmentError("设备卡中的成员名单有不止一名组长。")
    return tuple(roster)


def _card_made(document: dict, id_shape) -> tuple[tuple[str, tuple[dict, ...]], ...]:
    """The records a card says its device made: known kinds, bounded counts, each an id of the
    id shape and exactly its kind's fields with their types (the rules judge the values when
    the office adopts them)."""
    value = document.get("made", {})
    if not isinstance(value, dict) or not set(value) <= set(MADE_FIELDS):
        raise EnrolmentError("设备卡中的单位和干部名单不正确。")
    made = []
    seen: set[str] = set()
    for kind in MADE_FIELDS:  # in the order of adoption: units, teams, leaders
        items = value.get(kind)
        if items is None:
            continue
        if not isinstance(items, list) or len(items) > MAX_MADE[kind]:
            raise EnrolmentError("设备卡中的单位和干部名单不正确。")
        checked = []
        for item in items:
            fields = MADE_FIELDS[kind]
            if not isinstance(item, dict) or set(item) != {"id", *fields}:
                raise EnrolmentError("设备卡中的单位和干部名单不正确。")
            _card_text(item, "id", "记录编号", required=True, pattern=id_shape)
            if item["id"] in seen:
                raise EnrolmentError("设备卡中的单位和干部名单有重复。")
            seen.add(item["id"])
            for name, kinds in fields.items():
                v = item[name]
                if not isinstance(v, kinds) or (isinstance(v, bool) and kinds is int):
                    raise EnrolmentError("设备卡中的单位和干部名单不正确。")
                if isinstance(v, str):
                    _card_text(item, name, "单位和干部名单", pattern=id_shape if name in ("parent", "unit", "team",
                                                                                   "contact_point_unit") else None)
                if isinstance(v, int) and not isinstance(v, bool) and not -2**31 <= v < 2**31:
                    raise EnrolmentError("设备卡中的单位和干部名单不正确。")
            checked.append(dict(item))
        made.append((kind, tuple(checked)))
    return tuple(made)


def read_card(path: str | os.PathLike) -> DeviceCard:
    """Read and check a card file (format, every field, keys, fingerprint, self-signature).

    A card is self-signed, so anyone can make one that verifies: every field is checked like
    a bundle's (ids as in entries and manifests, strict JSON, bounded strings).
    """
    from .container import UUIDISH, StrictJSONError, loads_strict  # container imports this module

    path = Path(path)
    try:
        if path.stat().st_size > CARD_MAX_BYTES:
            raise EnrolmentError(f"{path.name} 太大，不是设备卡。")
        document = loads_strict(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise EnrolmentError(f"找不到设备卡文件：{path}。") from exc
    except StrictJSONError as exc:
        if exc.unsafe:
            raise EnrolmentError(f"{path.name} 不是有效的设备卡：{exc.reason}。") from None
        raise EnrolmentError(f"{path.name} 不是有效的设备卡（无法解析）。") from exc
    except (OSError, ValueError) as exc:
        raise EnrolmentError(f"{path.name} 不是有效的设备卡（无法解析）。") from exc
    if not isinstance(document, dict) or document.get("format") != CARD_FORMAT:
        raise EnrolmentError(f"{path.name} 不是督导纪实的设备卡。")
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise EnrolmentError("设备卡中的格式版本不正确。")
    if version > CARD_VERSION:
        raise EnrolmentError(f"设备卡由更新版本的程序生成（格式版本 {version}），请升级本程序。")
    device_id = _card_text(document, "device_id", "设备编号", required=True, pattern=UUIDISH)
    role = _card_text(document, "role", "角色", required=True)
    if role not in ROLE_LABELS:
        raise EnrolmentError("设备卡中的角色不正确。")
    card = DeviceCard(
        device_id=device_id, role=role,
        group_id=_card_text(document, "group_id", "督导组编号", pattern=UUIDISH) or None,
        group_name=_card_text(document, "group_name", "督导组名称"), name=_card_text(document, "name", "名称"),
        sign_public_key=_card_text(document, "sign_public_key", "签名公钥", required=True),
        box_public_key=_card_text(document, "box_public_key", "加密公钥", required=True),
        created_at=_card_text(document, "created_at", "生成时间", max_chars=40),
        roster=_card_roster(document, UUIDISH) if version >= 2 else (), format_version=version,
        made=_card_made(document, UUIDISH) if version >= 2 else (),
    )
    sign_raw = unb64(card.sign_public_key, 32, "签名公钥")
    unb64(card.box_public_key, 32, "加密公钥")
    if normalize_fingerprint(_card_text(document, "fingerprint", "指纹")) != card.fingerprint:
        raise EnrolmentError("设备卡的指纹与其公钥不符，卡片可能被改动过。")
    try:
        Ed25519PublicKey.from_public_bytes(sign_raw).verify(
            unb64(_card_text(document, "signature", "签名"), 64, "签名"), _card_message(card.signed_fields())
        )
    except InvalidSignature as exc:
        raise EnrolmentError("设备卡的签名无效，卡片可能被改动过。") from exc
    return card


# --- enrolled devices ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceInfo:
    """A device as the window lists it."""

    id: str
    role: str
    name: str
    group_id: str | None
    group_name: str
    fingerprint: str
    is_local: bool
    enrolled_at: str | None
    revoked_at: str | None

    @property
    def short_id(self) -> str:
        return self.id[:8]

    @property
    def status(self) -> str:
        if self.is_local:
            return "本机"
        return "已注销" if self.revoked_at else "已登记"

    @property
    def label(self) -> str:
        who = self.group_name or self.name or ROLE_LABELS.get(self.role, self.role)
        return f"{who}（设备 {self.short_id}）"


def device_info(device: Device) -> DeviceInfo:
    group = Group.get_or_none(Group.id == device.group_id) if device.group_id else None
    fp = (
        fingerprint(device.id, device.role, device.sign_public_key, device.box_public_key)
        if device.sign_public_key and device.box_public_key
        else ""
    )
    return DeviceInfo(
        id=device.id, role=device.role, name=device.name or "", group_id=device.group_id,
        group_name=group.name if group else (device.name if device.role == "field" else ""), fingerprint=fp,
        is_local=bool(device.is_local), enrolled_at=device.enrolled_at, revoked_at=device.revoked_at,
    )


def list_devices() -> list[DeviceInfo]:
    """This installation first, then the enrolled peers by role and name."""
    local_identity()
    devices = Device.select().order_by(Device.is_local.desc(), Device.role, Device.name, Device.id)
    return [device_info(d) for d in devices]


def find_device(id_or_prefix: str) -> Device:
    """A known device by its id or an unambiguous prefix of at least 4 characters."""
    text = (id_or_prefix or "").strip().lower()
    exact = Device.get_or_none(Device.id == text)
    if exact is not None:
        return exact
    if len(text) < 4:
        raise EnrolmentError(f"找不到设备：{id_or_prefix}（请至少输入设备编号的前 4 位）。", field="device")
    matches = list(Device.select().where(Device.id.startswith(text)))
    if not matches:
        raise EnrolmentError(f"找不到设备：{id_or_prefix}。", field="device")
    if len(matches) > 1:
        raise EnrolmentError(f"设备编号 {id_or_prefix} 不唯一，请输入更长的编号。", field="device")
    return matches[0]


def _office_group(group: str | None) -> str | None:
    """The id of a live group of this office, by id or name (None when not given)."""
    if not group:
        return None
    found = Group.get_or_none(((Group.id == group) | (Group.name == group.strip())) & (Group.deleted == False))
    if found is None:
        raise EnrolmentError(f"找不到督导组：{group}。请先建立该督导组。", field="group")
    return found.id


def _adopt_group(card: DeviceCard) -> str:
    """The office takes a field device's own group as its own: the group and the members its
    card lists, with the same ids (so that the records the device made name them), written as
    the office's records through the same rules as every write. A group or member the office
    has already is kept as the office has it; a member it has under another group, or a name
    another group or member holds, refuses the whole enrolment."""
    from .. import campaigns, changelog

    if card.role != "field" or not card.group_id or not card.group_name.strip():
        raise EnrolmentError("这张设备卡没有督导组，不能按它建立督导组。请在登记时选择活动办已有的督导组。",
                             field="group")
    group = Group.get_or_none(Group.id == card.group_id)
    if group is not None and group.deleted:
        raise EnrolmentError(f"督导组“{group.name}”已在活动办删除，不能按设备卡重新建立。", field="group")
    if group is None:
        clash = Group.get_or_none((Group.name == card.group_name.strip()) & (Group.deleted == False))
        if clash is not None:
            raise EnrolmentError(
                f"活动办已有名为“{clash.name}”的督导组，但不是这台设备的督导组。请在登记时选择该组，"
                "或请督导组在“设置”页改名后重新写出设备卡。", field="group")
        group = changelog.create(Group, id=card.group_id, name=card.group_name.strip(),
                                 campaign=campaigns.current_campaign())
    has_leader = Member.get_or_none((Member.group == group.id) & (Member.is_leader == True)
                                    & (Member.deleted == False)) is not None
    for listed in card.roster:
        known = Member.get_or_none(Member.id == listed.id)
        if known is not None:
            if known.group_id != group.id:
                raise EnrolmentError(f"设备卡中的成员“{listed.name}”在活动办属于另一个督导组，未登记。",
                                     field="roster")
            continue  # the office's record of them stands
        leader = listed.is_leader and not has_leader
        changelog.create(Member, id=listed.id, group=group.id, name=listed.name, is_leader=leader, phone="")
        has_leader = has_leader or leader
    _adopt_made(card, group.id)
    return group.id


def _adopt_made(card: DeviceCard, group_id: str) -> None:
    """The units (of the adopted group), teams and leaders the card's device made, written as the
    office's with the same ids through the rules; one the office has already stays as it is."""
    import peewee

    from .. import changelog
    from ..errors import ValidationError
    from ..models import Leader, LeadershipTeam, Unit

    def ours(unit_id, *, unassigned_ok: bool = False) -> bool:
        """Whether a unit is the adopted group's (or, for a parent, assigned to no group)."""
        unit = Unit.get_or_none((Unit.id == unit_id) & (Unit.deleted == False)) if type(unit_id) is str else None
        return unit is not None and (unit.group_id == group_id or (unassigned_ok and unit.group_id is None))

    models = {"unit": Unit, "team": LeadershipTeam, "leader": Leader}
    for kind, items in card.made:
        model = models[kind]
        for item in items:
            known = model.get_or_none(model.id == item["id"])
            if known is not None:
                if kind == "unit" and known.group_id not in (None, group_id):
                    raise EnrolmentError(f"设备卡中的单位“{item['name']}”在活动办已分配给另一个督导组，未登记。",
                                         field="made")
                continue  # the office's record stands
            values = {k: v for k, v in item.items() if k != "id"}
            if kind == "unit":
                values["group"] = group_id
                if item["parent"] is not None and not ours(item["parent"], unassigned_ok=True):
                    raise EnrolmentError(f"设备卡中的单位“{item['name']}”挂在别的督导组的单位之下（或其上级单位活动办"
                                         "没有），未登记。", field="made")
            elif not ours(item["unit"]):  # a team or leader of a unit of the adopted group only
                raise EnrolmentError(f"设备卡中的{_MADE_LABELS[kind]}“{item['name']}”不属于这个督导组的单位，未登记。",
                                     field="made")
            try:
                with database.atomic():
                    changelog.create(model, id=item["id"], **values)
            except ValidationError as exc:
                raise EnrolmentError(f"设备卡中的{_MADE_LABELS[kind]}“{item.get('name', item['id'])}”不能建立："
                                     f"{exc.message}", field="made") from exc
            except peewee.IntegrityError as exc:  # names a unit or team the office does not have
                raise EnrolmentError(f"设备卡中的{_MADE_LABELS[kind]}“{item.get('name', item['id'])}”引用了活动办"
                                     "没有的单位或班子，未登记。", field="made") from exc


_MADE_LABELS = {"unit": "单位", "team": "领导班子", "leader": "领导干部"}


def enroll(card: DeviceCard | str | os.PathLike, expected_fingerprint: str | None = None,
           group: str | None = None, *, adopt: bool = False) -> DeviceInfo:
    """Trust a peer's card: the office enrols field devices; a field installation its office.

    ``expected_fingerprint`` (as read out by the other side) must match when given. On the
    office, ``group`` (id or name) binds the field device to the group whose records it may
    send; without it, the card's group is taken when it is one of this office's groups, and
    otherwise the device is enrolled unassigned (``assign`` later). With ``adopt`` (the office,
    a group the device set up itself) the office takes the card's group and members as its own
    (``_adopt_group``) and binds the device to it; enrolling a newer card of the same device
    with ``adopt`` adds the members added since. Otherwise enrolling the same card again
    changes nothing. A refusal writes nothing.
    """
    if not isinstance(card, DeviceCard):
        card = read_card(card)
    me = local_identity()
    if expected_fingerprint is not None and normalize_fingerprint(expected_fingerprint) != card.fingerprint:
        raise EnrolmentError(
            f"指纹不符：设备卡的指纹是 {card.fingerprint}，与核对的 {normalize_fingerprint(expected_fingerprint)} 不同。"
            "请勿登记此卡，并与对方核实。",
            field="fingerprint",
        )
    if card.device_id == me.device_id:
        raise EnrolmentError("这是本机自己的设备卡，无需登记。")
    if me.role == "office" and card.role != "field":
        raise EnrolmentError("活动办只登记督导组的设备卡；这张卡也是活动办的。")
    if me.role == "field" and card.role != "office":
        raise EnrolmentError("督导组只需登记活动办的设备卡；这张卡是另一台督导组设备的。")
    if adopt and group:
        raise EnrolmentError("请只选一种：按设备卡建立督导组，或选择活动办已有的督导组。", field="group")
    with database.atomic():
        existing = Device.get_or_none(Device.id == card.device_id)
        if existing is not None:
            if existing.revoked_at:
                raise EnrolmentError(f"设备 {card.device_id[:8]} 已于 {existing.revoked_at[:10]} 注销，不能再次登记。")
            if (existing.sign_public_key, existing.box_public_key) != (card.sign_public_key, card.box_public_key):
                raise EnrolmentError(
                    f"设备 {card.device_id[:8]} 已登记，但这张卡的公钥与登记的不同。请与对方核实；"
                    "如确需更换，请先注销原设备。"
                )
            if me.role == "office" and existing.role == "field" and existing.group_id is None and group:
                # the same card again, now with its group: binds a device enrolled without one
                Device.update(group_id=_office_group(group)).where(Device.id == existing.id).execute()
                existing = Device.get_by_id(existing.id)
            if me.role == "office" and existing.role == "field" and adopt:
                if existing.group_id not in (None, card.group_id):
                    raise EnrolmentError(f"设备 {card.device_id[:8]} 已属于另一个督导组，不能按这张卡改变。",
                                         field="group")
                Device.update(group_id=_adopt_group(card)).where(Device.id == existing.id).execute()
                existing = Device.get_by_id(existing.id)
            return device_info(existing)
        if me.role == "field":
            other = Device.get_or_none((Device.role == "office") & (Device.is_local == False)
                                       & Device.revoked_at.is_null())
            if other is not None:
                raise EnrolmentError(
                    f"本机已登记活动办设备 {other.id[:8]}；如需更换，请先在“同步”页的设备列表中选中它，"
                    "点“停用所选设备”。"
                )
        group_id = None
        if me.role == "office" and adopt:
            group_id = _adopt_group(card)
        elif me.role == "office":
            group_id = _office_group(group)
            if group_id is None and card.group_id:
                known = Group.get_or_none((Group.id == card.group_id) & (Group.deleted == False))
                group_id = known.id if known is not None and known.name == card.group_name else None
        device = Device.create(
            id=card.device_id, role=card.role, name=card.group_name or card.name, group_id=group_id,
            sign_public_key=card.sign_public_key, box_public_key=card.box_public_key, is_local=False,
            enrolled_at=now_utc(),
        )
    return device_info(device)


def assign(id_or_prefix: str, group: str) -> DeviceInfo:
    """The office binds an enrolled field device to the group whose records it may send."""
    me = local_identity()
    if me.role != "office":
        raise EnrolmentError("只有活动办可以为设备分配督导组。", field="device")
    with database.atomic():
        device = find_device(id_or_prefix)
        if device.is_local or device.role != "field" or device.revoked_at:
            raise EnrolmentError(f"设备 {device.id[:8]} 不是已登记、未注销的督导组设备。", field="device")
        group_id = _office_group(group)
        Device.update(group_id=group_id).where(Device.id == device.id).execute()
    return device_info(Device.get_by_id(device.id))


def revoke(id_or_prefix: str) -> DeviceInfo:
    """Revoke an enrolled device: its bundles are refused from now on, and what it sent that
    waits for missing bundles (held entries) is dropped."""
    from .models import SyncHeldEntry, SyncHeldRange

    with database.atomic():
        device = find_device(id_or_prefix)
        if device.is_local:
            raise EnrolmentError("不能注销本机。")
        if device.revoked_at:
            raise EnrolmentError(f"设备 {device.id[:8]} 已于 {device.revoked_at[:10]} 注销。")
        Device.update(revoked_at=now_utc()).where(Device.id == device.id).execute()
        SyncHeldEntry.delete().where(SyncHeldEntry.device_id == device.id).execute()
        SyncHeldRange.delete().where(SyncHeldRange.device_id == device.id).execute()
    return device_info(Device.get_by_id(device.id))


def office_device() -> Device | None:
    """The enrolled, unrevoked office (on a field installation)."""
    return Device.get_or_none((Device.role == "office") & (Device.is_local == False) & Device.revoked_at.is_null())


def field_devices() -> list[Device]:
    """Enrolled, unrevoked field devices (on the office)."""
    return list(
        Device.select().where((Device.role == "field") & (Device.is_local == False) & Device.revoked_at.is_null())
        .order_by(Device.name, Device.id)
    )


def peer_public_keys(device: Device) -> tuple[Ed25519PublicKey, X25519PublicKey]:
    try:
        return (
            Ed25519PublicKey.from_public_bytes(base64.b64decode(device.sign_public_key or "")),
            X25519PublicKey.from_public_bytes(base64.b64decode(device.box_public_key or "")),
        )
    except ValueError as exc:
        raise IdentityError(f"设备 {device.id[:8]} 登记的公钥无效。") from exc
