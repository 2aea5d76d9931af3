"""What counts as signed: the key the office bound to a group leader, and the checks of
evaluation and amendment signatures. Import, merge, the services and ``check`` all call these.

A group leader signs 纪实评价 and their amendments with a personal Ed25519 key. A signature
counts only against the key the *office* bound to that leader: the ``sign_public_key`` of the
leader's member record as last set by a change written on an office installation — never a
key that arrived from a field device. A field installation may keep the key its leader made
on this laptop (a local setting, never synced) for signing until the office's binding
arrives; the office trusts the signature only once it has bound the same key itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .canonical import canonical_bytes
from .errors import ValidationError
from .models import Device, Member, Setting, database

AMENDMENT_CONTEXT = "supervisor_app amendment v1"
LOCAL_KEY_SETTING = "leader_key:"  # + member id: a field leader's own key, until the office binds one



def normalize_fingerprint(text: str) -> str:
    """A fingerprint as typed or read out ('aab1-21e4 …'): upper-case hex in groups of four."""
    cleaned = "".join(c for c in (text or "").upper() if c in "0123456789ABCDEF")
    return " ".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))

def key_fingerprint(public_key_b64: str) -> str:
    """The first 128 bits of SHA-256 of the raw public key, in groups of four hex digits."""
    digest = hashlib.sha256(base64.b64decode(public_key_b64)).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def fingerprint_text(signature_b64) -> str:
    """A signature's fingerprint as every screen and paper shows it: 16 hex digits of its
    SHA-256 in groups of four ('3F2A 9C1B 0D4E 77A5'); — for none; the stored text marked
    （签名无法解析）when it is not a signature."""
    from . import display
    from .signing import fingerprint

    if signature_b64 is None or signature_b64 == "":
        return display.NO_VALUE
    try:
        if not isinstance(signature_b64, str):
            raise TypeError(signature_b64)
        return fingerprint(signature_b64)
    except (ValueError, TypeError):
        return display.odd(signature_b64, "（签名无法解析）", 16)


def content_code_text(content_hash) -> str:
    """The signed content's check code (内容校验码) as shown and printed: the first 16 hex digits
    of its SHA-256 in groups of four, like a fingerprint; — for none."""
    from . import display

    if not isinstance(content_hash, str) or not content_hash:
        return display.NO_VALUE
    digits = content_hash[:16].upper()
    if len(digits) < 16 or any(c not in "0123456789ABCDEF" for c in digits):
        return display.odd(content_hash, "（校验码无法解析）", 16)
    return " ".join(digits[i : i + 4] for i in range(0, 16, 4))


def verify(public_key_b64: str | None, message: bytes, signature_b64) -> bool:
    """Whether ``signature_b64`` is a valid Ed25519 signature of ``message`` by that key."""
    if not public_key_b64 or not isinstance(signature_b64, str):
        return False
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        public.verify(base64.b64decode(signature_b64, validate=True), message)
        return True
    except (InvalidSignature, ValueError):
        return False


def _office_devices() -> set[str]:
    rows = Device.select(Device.id).where(Device.role == "office")
    return {d.id for d in rows}


def office_binding(member_id: str) -> str | None:
    """The key an office installation last bound to this member (None when none did)."""
    offices = _office_devices()
    rows = database.execute_sql(
        "SELECT device_id, fields FROM change_log WHERE record_id = ? AND record_type = 'member'"
        " AND fields LIKE '%\"sign_public_key\"%' ORDER BY id DESC",
        (member_id,),
    )
    for device_id, fields_text in rows:
        fields = json.loads(fields_text)
        if "sign_public_key" not in fields:
            continue
        return fields["sign_public_key"] if device_id in offices else None
    return None


def local_key(member_id: str) -> str | None:
    row = Setting.get_or_none(Setting.key == LOCAL_KEY_SETTING + member_id)
    return row.value if row else None


def bound_key(member_id: str | None) -> str | None:
    """The public key a signature of this member must verify against, or None.

    The office's binding; on a field installation without one, the key the leader made on
    this laptop (which the office will not trust until it binds the same key).
    """
    if not member_id:
        return None
    key = office_binding(member_id)
    if key is None:
        me = Device.get_or_none(Device.is_local == True)
        if me is not None and me.role == "field":
            key = local_key(member_id)
    return key


class KeyCache:
    """``bound_key`` per member, for checking many records in one run."""

    def __init__(self):
        self._keys: dict[str, str | None] = {}

    def __call__(self, member_id: str | None) -> str | None:
        if member_id not in self._keys:
            self._keys[member_id] = bound_key(member_id)
        return self._keys[member_id]


# --- amendments ---------------------------------------------------------------------------------


def amendment_message(state: dict) -> bytes:
    """The bytes an amendment's signature covers: who corrects which record, why, and what."""
    return canonical_bytes({
        "context": AMENDMENT_CONTEXT, "id": state.get("id"), "evaluation": state.get("evaluation"),
        "member": state.get("member"), "reason": state.get("reason"), "changes": state.get("changes"),
    })


def sign_amendment(state: dict, private_key: Ed25519PrivateKey) -> str:
    return base64.b64encode(private_key.sign(amendment_message(state))).decode("ascii")


def amendment_target_problem(evaluation_state: dict | None) -> str | None:
    """Why an amendment cannot hang on this evaluation (None: it can): only a signed record
    is corrected by amendment — a draft is simply edited."""
    if evaluation_state is None or evaluation_state.get("deleted"):
        return "更正的纪实评价不存在"
    if not evaluation_state.get("signed_at") or not evaluation_state.get("signature"):
        return "更正的纪实评价尚未签署（草稿可以直接修改，无需更正）"
    return None


def amendment_problem(state: dict, evaluation_group: str | None, keys: KeyCache) -> str | None:
    """Why an amendment does not count as signed by its group's leader (None: it does)."""
    member = Member.get_or_none(Member.id == state.get("member")) if isinstance(state.get("member"), str) else None
    if member is None or not member.is_leader or member.deleted or member.group_id != evaluation_group:
        return "更正人不是该督导组的组长"
    key = keys(member.id)
    if key is None:
        return "组长的签名公钥尚未由活动办登记"
    if not verify(key, amendment_message(state), state.get("signature")):
        return "更正记录的组长签名无效"
    return None


def evaluation_signature_problem(state: dict, keys: KeyCache) -> str | None:
    """Why a signed evaluation's signature does not count (None: it verifies against the
    leader the office bound). Does not recompute the content hash (see evaluations)."""
    signer_id = state.get("signed_by")
    signer = Member.get_or_none(Member.id == signer_id) if isinstance(signer_id, str) else None
    if signer is None or not signer.is_leader or signer.deleted or (
        state.get("group") and signer.group_id != state.get("group")
    ):
        return "签署人不是该督导组的组长"
    key = keys(signer.id)
    if key is None:
        return "组长的签名公钥尚未由活动办登记"
    content_hash = state.get("content_hash")
    try:
        message = bytes.fromhex(content_hash) if isinstance(content_hash, str) and len(content_hash) == 64 else None
    except ValueError:
        message = None
    if message is None or not verify(key, message, state.get("signature")):
        return "签名与活动办登记的组长公钥不符（签名无效）"
    return None


# --- the leader's key card: how a key made on a field laptop reaches the office's binding ---------

CARD_CONTEXT = "supervisor_app leader key card v1"
CARD_SUFFIX = ".keycard"


def _card_fields(member: Member, public_key_b64: str) -> dict:
    return {"context": CARD_CONTEXT, "member_id": member.id, "member_name": member.name,
            "group_id": member.group_id, "public_key": public_key_b64}


def write_key_card(member: Member, private_key: Ed25519PrivateKey, path) -> str:
    """Write the leader's public key card, signed with the key itself (proof of holding it);
    return the key's fingerprint to read out to the office."""
    from .signing import public_key_text

    public = public_key_text(private_key)
    fields = _card_fields(member, public)
    document = {**fields, "signature": base64.b64encode(private_key.sign(canonical_bytes(fields))).decode("ascii")}
    Path(path).write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return key_fingerprint(public)


def bind_key_card(path, expected_fingerprint: str | None = None) -> Member:
    """The office binds a group leader's key from their key card (after comparing the
    fingerprint read out by the leader); the binding then travels to the group's devices."""
    from . import changelog, installation

    if installation.context().role != "office":
        raise ValidationError("只有活动办可以登记组长的签名公钥。", field="card")
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(f"无法读取组长公钥卡：{path}。", field="card") from exc
    if not isinstance(document, dict) or document.get("context") != CARD_CONTEXT:
        raise ValidationError("这不是组长公钥卡。", field="card")
    member_id, public = document.get("member_id"), document.get("public_key")
    member = Member.get_or_none((Member.id == member_id) & (Member.deleted == False)) if isinstance(member_id, str) else None
    if member is None:
        raise ValidationError("公钥卡上的成员在活动办不存在。", field="card")
    if not member.is_leader:
        raise ValidationError(f"{member.name}不是督导组组长，不能登记签名公钥。", field="card")
    if document.get("group_id") != member.group_id:
        raise ValidationError("公钥卡上的督导组与活动办登记的不符。", field="card")
    if not isinstance(public, str) or not verify(public, canonical_bytes(_card_fields(member, public)),
                                                 document.get("signature")):
        raise ValidationError("组长公钥卡的自签名无效（卡片被改动或不完整）。", field="card")
    fingerprint = key_fingerprint(public)
    if expected_fingerprint is not None and normalize_fingerprint(expected_fingerprint) != fingerprint:
        raise ValidationError(f"指纹不符：公钥卡的指纹是 {fingerprint}。请勿登记，并与组长核实。", field="fingerprint")
    with database.atomic():
        if member.sign_public_key != public or office_binding(member.id) != public:
            changelog.update(member, sign_public_key=public)
    return Member.get_by_id(member.id)
