"""The group leader's personal signing key: Ed25519, stored encrypted under a passphrase.

The private key lives in the data folder (owner-only permissions), encrypted with AES-256-GCM
under a key derived from the passphrase by PBKDF2-HMAC-SHA256 with 600 000 iterations (see
:func:`_seal` for the file). Keys written by earlier versions — PKCS#8 PEM with cryptography's
best available encryption, PBKDF2 with 2 048 iterations only — are re-encrypted at the next
successful :func:`unlock`. The public key is registered on the leader's member record, so it
travels with the group's records and the office can verify too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from . import changelog
from .errors import ValidationError
from .fsutil import fsync_dir, stage_private_file
from .models import Member, database

MIN_PASSPHRASE = 8
MIN_STRENGTH = 2  # zxcvbn score (0–4): below this a passphrase falls to a few days of offline guessing
STRENGTH_LABELS = ("很弱", "弱", "一般", "较强", "强")
KEY_FORMAT = "supervisor_app.leader_key"
KEY_FORMAT_VERSION = 2  # version 1: PKCS#8 PEM, BestAvailableEncryption (PBKDF2, 2 048 iterations)
KDF = "pbkdf2-sha256"
KDF_ITERATIONS = 600_000  # OWASP's figure for PBKDF2-HMAC-SHA256 (2023); about 0.2 s here
MAX_KDF_ITERATIONS = 50_000_000  # a file asking for more is damaged, not merely careful
CIPHER = "aes-256-gcm"


def key_path(data_dir: Path, member: Member) -> Path:
    return data_dir / "keys" / f"leader-{member.id}.pem"


def public_key_text(private_key: Ed25519PrivateKey) -> str:
    raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def create_leader_key(data_dir: Path, member: Member, passphrase: str) -> str:
    """Make the leader's key pair, store the private key encrypted, register the public key."""
    if not member.is_leader:
        raise ValidationError("只有督导组组长需要签名密钥。", field="member")
    check_passphrase(passphrase)
    path = key_path(data_dir, member)
    if path.exists():
        raise ValidationError("该组长已有签名密钥。", field="member")
    key = Ed25519PrivateKey.generate()
    tmp = stage_private_file(path, _seal(key, passphrase))
    public = public_key_text(key)
    with database.atomic():
        _register(member, public)
        os.replace(tmp, path)
    return public


def has_key(data_dir: Path, member: Member) -> bool:
    """Whether ``member`` has a signing key on this computer."""
    return key_path(data_dir, member).exists()


@dataclass(frozen=True)
class Strength:
    score: int  # 0 (很弱) … 4 (强), zxcvbn's estimate
    label: str
    acceptable: bool
    hint: str  # what would make it stronger (Chinese), or ""


def passphrase_strength(passphrase: str, user_inputs: list[str] | None = None) -> Strength:
    """How hard ``passphrase`` is to guess (zxcvbn), with a Chinese label and hint.

    ``user_inputs`` (the member's and the group's names …) count as easy to guess.
    """
    from zxcvbn import zxcvbn

    text = passphrase or ""
    if len(text) < MIN_PASSPHRASE:
        score = 0 if len(text) < MIN_PASSPHRASE // 2 else min(1, zxcvbn(text[:72])["score"])
        return Strength(score, STRENGTH_LABELS[score], False, f"口令至少 {MIN_PASSPHRASE} 个字符。")
    result = zxcvbn(text[:72], user_inputs=[u for u in user_inputs or [] if u])
    score = int(result["score"])
    if score >= MIN_STRENGTH:
        hint = "" if score >= 3 else "可以再长一些：多加一两个词，或一句只有您知道的话。"
    elif result["feedback"].get("warning"):
        hint = "这是常见的口令或简单的规律，容易被猜到。请用一句只有您知道的、较长的话。"
    else:
        hint = "太容易被猜到。请多加几个词，或一句只有您知道的话。"
    return Strength(score, STRENGTH_LABELS[score], score >= MIN_STRENGTH, hint)


def check_passphrase(passphrase: str, user_inputs: list[str] | None = None) -> None:
    """Refuse a passphrase that is too short or too easy to guess (ValidationError on ``passphrase``)."""
    strength = passphrase_strength(passphrase, user_inputs)
    if not strength.acceptable:
        raise ValidationError(f"口令强度“{strength.label}”，不能使用。{strength.hint}", field="passphrase")


def change_passphrase(data_dir: Path, member: Member, old: str, new: str) -> None:
    """Re-encrypt the leader's key under a new passphrase; the key (and its fingerprint) stay the same.

    The old passphrase must open the key; a refusal changes nothing. The new file replaces the
    old one only after it is on the disk and opens with the new passphrase to the same key.
    """
    check_passphrase(new)
    key = unlock(data_dir, member, old)
    path = key_path(data_dir, member)
    tmp = stage_private_file(path, _seal(key, new))
    try:
        again, _current = _open(tmp.read_bytes(), new)
        if again.private_bytes_raw() != key.private_bytes_raw():
            raise ValidationError("无法写入新的签名密钥文件，口令未更改。", field="passphrase")
        os.replace(tmp, path)
        fsync_dir(path.parent)
    finally:
        tmp.unlink(missing_ok=True)


def _register(member: Member, public: str) -> None:
    """The office binds the key itself; a field installation keeps it locally (never synced)
    until the office binds the same key from the leader's key card (signatures.bind_key_card)."""
    from . import installation, signatures

    if installation.context().role == "office":
        changelog.update(member, sign_public_key=public)
    else:
        installation.set_setting(signatures.LOCAL_KEY_SETTING + member.id, public)


def unlock(data_dir: Path, member: Member, passphrase: str) -> Ed25519PrivateKey:
    """Load the leader's private key; a wrong passphrase is refused and changes nothing.

    A key file of an earlier version (or with fewer KDF iterations than today's) is re-encrypted
    the current way once the passphrase has opened it.
    """
    path = key_path(data_dir, member)
    if not path.exists():
        raise ValidationError(
            f"{member.name}在本机还没有签名口令，不能签署。请组长本人在“设置”页的“本组成员”中选中自己，"
            "点“设置签名口令…”。", field="member")
    key, current = _open(path.read_bytes(), passphrase)
    if not current:
        _upgrade(path, key, passphrase)
    return key


# --- the key file --------------------------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _derive(passphrase: str, salt: bytes, iterations: int) -> bytes:
    return PBKDF2HMAC(hashes.SHA256(), 32, salt, iterations).derive((passphrase or "").encode("utf-8"))


def _aad(header: dict) -> bytes:
    """Everything but the nonce and ciphertext, bound to the ciphertext (a changed field fails)."""
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _seal(key: Ed25519PrivateKey, passphrase: str) -> bytes:
    """The key file (version 2): JSON with the public key, the KDF and its parameters, and the raw
    private key encrypted with AES-256-GCM under PBKDF2-HMAC-SHA256(passphrase, salt, iterations).

    Own format because cryptography writes PKCS#8 only with a fixed 2 048 PBKDF2 iterations;
    the primitives are cryptography's. The file keeps the ``.pem`` name of version 1.
    """
    salt, nonce = os.urandom(16), os.urandom(12)
    header = {
        "format": KEY_FORMAT,
        "format_version": KEY_FORMAT_VERSION,
        "public_key": public_key_text(key),
        "kdf": {"name": KDF, "iterations": KDF_ITERATIONS, "salt": _b64(salt)},
        "cipher": CIPHER,
    }
    sealed = AESGCM(_derive(passphrase, salt, KDF_ITERATIONS)).encrypt(nonce, key.private_bytes_raw(), _aad(header))
    document = {**header, "nonce": _b64(nonce), "ciphertext": _b64(sealed)}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _open(data: bytes, passphrase: str) -> tuple[Ed25519PrivateKey, bool]:
    """Decrypt a key file of either version; True when it is already in the current form."""
    bad_file = ValidationError("签名密钥文件格式不对。", field="member")
    wrong = ValidationError("口令不正确。", field="passphrase")
    if data.lstrip().startswith(b"-----BEGIN"):  # version 1
        try:
            key = serialization.load_pem_private_key(data, password=(passphrase or "").encode("utf-8"))
        except (ValueError, TypeError) as exc:
            raise wrong from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise bad_file
        return key, False
    try:
        document = json.loads(data.decode("utf-8"))
        header = {name: document[name] for name in ("format", "format_version", "public_key", "kdf", "cipher")}
        kdf = header["kdf"]
        iterations, salt = kdf["iterations"], base64.b64decode(kdf["salt"], validate=True)
        nonce = base64.b64decode(document["nonce"], validate=True)
        sealed = base64.b64decode(document["ciphertext"], validate=True)
    except (ValueError, TypeError, KeyError, binascii.Error) as exc:
        raise bad_file from exc
    if (header["format"] != KEY_FORMAT or header["format_version"] != KEY_FORMAT_VERSION or kdf.get("name") != KDF
            or header["cipher"] != CIPHER or not isinstance(iterations, int) or not 1 <= iterations <= MAX_KDF_ITERATIONS
            or len(nonce) != 12):
        raise bad_file
    try:
        raw = AESGCM(_derive(passphrase, salt, iterations)).decrypt(nonce, sealed, _aad(header))
    except InvalidTag as exc:
        raise wrong from exc
    try:
        key = Ed25519PrivateKey.from_private_bytes(raw)
    except ValueError as exc:
        raise bad_file from exc
    if public_key_text(key) != header["public_key"]:
        raise bad_file
    return key, iterations >= KDF_ITERATIONS


def _upgrade(path: Path, key: Ed25519PrivateKey, passphrase: str) -> None:
    """Re-encrypt the key file the current way, atomically: the old file is replaced only after
    the new one is on the disk and opens with the passphrase to the same key. Should anything
    fail, the old file stays (the key still works) and the next unlock tries again."""
    try:
        tmp = stage_private_file(path, _seal(key, passphrase))
    except OSError:
        return
    try:
        again, current = _open(tmp.read_bytes(), passphrase)
        if not current or again.private_bytes_raw() != key.private_bytes_raw():
            raise ValueError("the re-encrypted key file does not open to the same key")
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except (OSError, ValueError):
        tmp.unlink(missing_ok=True)


def fingerprint(signature_b64: str) -> str:
    """A short fingerprint of a signature for print: SHA-256, 16 hex digits in groups of four."""
    digest = hashlib.sha256(base64.b64decode(signature_b64)).hexdigest()[:16].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))
